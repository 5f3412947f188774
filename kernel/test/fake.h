/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qcom_scm_shim_fake: what a Qualcomm SoC gives the qcom-scm shim, faked for a QEMU guest
 * (kernel/test/README.md).  A TrustZone behind the shim's provider seam (fake_tz.c), an SMP2P
 * pair per remote processor behind the kernel's own irqchip and SMEM-state interfaces, with
 * a DSP that answers through it (fake_smp2p.c), and power-domain and clock providers for the
 * proxy votes (fake_soc.c).  Everything a core can hold is counted in debugfs
 * (fake_main.c), so a test can see that it all went back.
 */
#ifndef QCOM_SCM_SHIM_FAKE_H
#define QCOM_SCM_SHIM_FAKE_H

#include <linux/atomic.h>
#include <linux/ioport.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#define FAKE_NAME "qcom_scm_shim_fake"
#define FAKE_SMEM_ITEM_SIZE 512
#define FAKE_SMEM_MINIDUMP_TOC 602

/* The SMP2P lines the DSP raises, by their interrupt-names in the PAS node. */
enum fake_line { FAKE_FATAL, FAKE_READY, FAKE_HANDOVER, FAKE_STOP_ACK, FAKE_LINES };

enum fake_phase { DSP_OFF, DSP_BOOTING, DSP_RUNNING, DSP_CRASHED };

/*
 * One remote processor as its SMP2P pair sees it: the inbound entry ("slave-kernel", an
 * irqchip of nested-thread lines, as qcom_smp2p registers it) and the outbound one
 * ("master-kernel", a SMEM state).  It is bound to the PAS node whose interrupts and
 * qcom,smem-states point at it when TrustZone first hears of that node.
 */
struct fake_dsp {
	struct list_head link;
	struct device *dev;
	const char *name;
	struct device_node *in_np;
	struct device_node *out_np;
	struct irq_domain *domain;
	struct qcom_smem_state *state;
	u32 crash_item;		/* SMEM item of the crash reason (rprocd,crash-reason-smem) */
	u32 minidump_id;	/* its entry in the minidump table (rprocd,minidump-id) */

	spinlock_t lock;	/* everything below up to the works */
	u32 levels;		/* inbound bits as the remote set them */
	u32 enabled;		/* unmasked lines */
	u32 rising;
	u32 falling;
	u32 out_bits;		/* outbound bits as the host set them */
	enum fake_phase phase;
	struct device_node *pas_np;	/* bound PAS node, or NULL */
	int hw[FAKE_LINES];	/* inbound bit of each line, -1: not ours */
	int wdog_irq;		/* the PAS node's wdog (a GIC line), 0: none */
	struct resource carveout;	/* the PAS node's first memory-region */
	u32 stop_mask;		/* outbound bit named "stop" */
	char reason[FAKE_SMEM_ITEM_SIZE];
	bool reason_present;

	struct delayed_work boot_work;
	struct delayed_work ack_work;
	unsigned int boots, stop_acks, crashes;
};

/* Counters of what is outstanding and of calls made (fake_main.c). */
struct fake_counters {
	atomic_t metadata;	/* INIT_IMAGE buffers not released */
	atomic_t bridges;
	atomic_t qmp_handles;
	atomic_t load_state;	/* load_state votes "on" */
	atomic_t pd_on;		/* powered fake power domains */
	atomic_t pd_perf;	/* domains with a performance state above 0 */
	atomic_t clk_on;	/* enabled fake clocks */
	atomic_t mbox_chans;	/* requested doorbells (a registered glink edge has one) */
	atomic_t init_image, mem_setup, auth_ok, auth_fail, shutdown, remote_state;
	atomic_t pd_power_on, clk_enable, load_state_on;	/* votes taken, ever */
	atomic_t mbox_kicks;
};

extern struct fake_counters fake_count;

/* fake_smp2p.c */
extern struct platform_driver fake_smp2p_driver;
struct fake_dsp *fake_dsp_bind(struct device_node *pas_np);
void fake_dsp_boot(struct fake_dsp *dsp);
void fake_dsp_reset(struct fake_dsp *dsp);
int fake_dsp_crash(struct fake_dsp *dsp, const char *reason, bool wdog);
void *fake_dsp_smem_get(unsigned int item, size_t *size);
void fake_dsp_show(struct seq_file *s, unsigned int *held, unsigned int *registered);
struct fake_dsp *fake_dsp_by_name(const char *name);

/* fake_soc.c */
extern struct platform_driver fake_pd_driver;
extern struct platform_driver fake_clk_driver;
extern struct platform_driver fake_mbox_driver;

/* fake_tz.c */
int fake_tz_register(void);
void fake_tz_unregister(void);
void fake_tz_show(struct seq_file *s, unsigned int *held);

#endif
