/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qcom-scm shim internals.  The module opens to rprocd what only the kernel can do for a
 * Qualcomm PAS remote processor whose device-tree node is bound to vfio-platform; it binds to
 * no device itself.  kernel/README.md and doc/shim.md describe it.
 */
#ifndef QCOM_SCM_SHIM_INTERNAL_H
#define QCOM_SCM_SHIM_INTERNAL_H

#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/ioport.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "qcom_scm_shim_provider.h"
#include "rproc/qcom-scm-shim.h"

#define SHIM_NAME "qcom_scm_shim"
#define SHIM_MAX_REGIONS 4
#define SHIM_MAX_PDS 8
#define SHIM_NO_ID (-1)
#define SHIM_SMEM_MINIDUMP_TOC 602

/* Per-compatible data, generated from librproc's table (soc_table.h). */
struct shim_soc {
	const char *compatible;
	int pas_id;
	int dtb_pas_id;
	int lite_pas_id;
	int crash_reason_smem;
	int minidump_id;
	const char *load_state;
	const char *ssr_name;
};

extern const struct shim_soc shim_soc_table[];

#ifdef QCOM_SCM_SHIM_TEST
#define SHIM_TEST_BUILD true
#else
#define SHIM_TEST_BUILD false
#endif

enum shim_pas_slot { SHIM_PAS_MAIN, SHIM_PAS_DTB, SHIM_PAS_LITE, SHIM_PAS_SLOTS };

struct shim_node;

struct shim_irq {
	struct shim_node *node;
	unsigned int index;	/* QCOM_SCM_SHIM_IRQ_* */
	int irq;		/* 0 until looked up */
	struct eventfd_ctx *ev;	/* set only while the handler is requested */
	char label[QCOM_SCM_SHIM_NAME_LEN + 16];
};

struct shim_pas {
	int pas_id;		/* SHIM_NO_ID: slot unused */
	struct qcom_scm_shim_meta meta;
	bool has_meta;
	bool running;		/* AUTH_AND_RESET succeeded, no SHUTDOWN since */
};

struct shim_bridge {
	struct list_head link;
	u64 handle;
};

struct shim_votes {
	struct device *pds[SHIM_MAX_PDS];
	unsigned int n_pds;	/* attached */
	unsigned int n_pds_on;	/* with a runtime-PM reference */
	bool pd_self;		/* a single domain attached to the node device itself */
	struct clk *xo;
	struct clk *aggre2;
	struct regulator *cx;
	struct regulator *px;
	struct icc_path *icc;
	bool on;
};

/*
 * An open file: the identity that owns cores (its address; the struct must not be empty, or
 * every file would be ZERO_SIZE_PTR).
 */
struct shim_file {
	pid_t opener;	/* who opened it: kept for a debugger, and so that the struct has a size */
};

/*
 * One PAS node of the device tree.  @dev is owned by the module (no bus, so no driver is
 * ever matched to it); its of_node is the PAS node so that the kernel's per-device lookups
 * (SMEM state, power domains, clocks, interconnects, QMP) work for a node that vfio-platform
 * holds.  Everything below @lock is protected by it.
 */
struct shim_node {
	struct device dev;
	struct device_node *np;
	const struct shim_soc *soc;
	char name[QCOM_SCM_SHIM_NAME_LEN];
	struct resource regions[SHIM_MAX_REGIONS];
	unsigned int n_regions;
	unsigned long nomap;	/* bit i: regions[i] is no-map (out of the linear map) */
	bool has_iommus;
	atomic_t maps;		/* live carveout mappings */
	struct work_struct ready_work;

	struct mutex lock;	/* the fields below, and every call that changes the core */
	struct shim_file *owner;
	bool kept;
	const struct qcom_scm_shim_provider *prov;	/* pinned while the node holds state */
	struct shim_pas pas[SHIM_PAS_SLOTS];
	struct shim_irq irqs[QCOM_SCM_SHIM_IRQ_COUNT];
	struct list_head bridges;
	struct qcom_smem_state *stop_state;
	unsigned int stop_bit;
	bool stop_set;
	struct shim_votes votes;
	void *qmp;
	bool load_state_on;
	void *glink;
	struct device_node *glink_np;
	struct device *glink_parent;	/* the edge's parent, a child of @dev */
};

extern struct shim_node **shim_nodes;
extern unsigned int shim_n_nodes;
extern struct miscdevice shim_misc;

/* shim_node.c */
int shim_nodes_create(struct device *parent);
void shim_nodes_destroy(void);
struct shim_node *shim_node_by_name(const char *name);
struct shim_node *shim_node_by_pas_id(u32 pas_id, enum shim_pas_slot *slot);
bool shim_node_range_ok(const struct shim_node *n, u64 addr, u64 len);
bool shim_smem_item_ok(u32 item);
int shim_mmap(struct file *file, struct vm_area_struct *vma);

/* shim_main.c */
const struct qcom_scm_shim_provider *shim_provider_get(void);
void shim_provider_put(const struct qcom_scm_shim_provider *p);
int shim_node_pin_provider(struct shim_node *n);
void shim_node_unpin_provider(struct shim_node *n);
int shim_claim(struct shim_node *n, struct shim_file *f);
int shim_errno(int err);

/* shim_pas.c */
long shim_ioctl_pas(struct shim_file *f, unsigned int nr, void *arg);
void shim_pas_release(struct shim_node *n);
void shim_ready_work(struct work_struct *work);

/* shim_core.c */
long shim_ioctl_core(struct shim_file *f, unsigned int nr, void *arg);
void shim_core_release(struct shim_node *n, bool keep);
u64 shim_core_caps(void);
int shim_stop_state_get(struct shim_node *n);
void shim_panic_stop(void);

/* shim_real.c (real build only) */
extern const struct qcom_scm_shim_provider shim_real_provider;
bool shim_real_available(void);
const char *shim_real_describe(void);

#endif
