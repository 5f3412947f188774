// SPDX-License-Identifier: GPL-2.0-only
/*
 * A fake SMP2P pair per remote processor, registered through the kernel's own interfaces so
 * that the shim's real code paths run: the inbound entry is an irqchip whose lines are
 * nested-thread interrupts fired on their edges from process context (as qcom_smp2p fires
 * them from its threaded handler), and which can report a line's level; the outbound entry
 * is a SMEM state.  Behind it a DSP: booted by TrustZone (fake_tz.c), it raises "ready" and
 * "handover" and registers its minidump regions (a region table at the end of its carveout,
 * its entry in the SMEM minidump table, item 602); asked to stop (the "stop" bit) it raises
 * "stop-ack"; told to crash (debugfs) it writes a reason into its SMEM item and raises
 * "fatal", or fires its watchdog (a GIC line).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/of.h>
#include <linux/of_address.h>
#include <linux/of_irq.h>
#include <linux/sizes.h>
#include <linux/soc/qcom/smem_state.h>
#include <linux/string.h>

#include "fake.h"

#define FAKE_BOOT_MS 20		/* from AUTH_AND_RESET to "ready" */
#define FAKE_ACK_MS 5		/* from the stop bit to "stop-ack" */

static const char *const fake_line_names[FAKE_LINES] = {
	[FAKE_FATAL] = "fatal",
	[FAKE_READY] = "ready",
	[FAKE_HANDOVER] = "handover",
	[FAKE_STOP_ACK] = "stop-ack",
};

static DEFINE_MUTEX(fake_dsps_lock);
static LIST_HEAD(fake_dsps);

/*
 * The minidump table of contents, SMEM item 602 (doc/boot-sequence.md#coredump): on, with an
 * entry per minidump id that a booted DSP fills in.  Little-endian, packed.
 */
#define FAKE_MD_ENTRIES 32
#define FAKE_MD_MAGIC(a, b, c, d) ((u32)(a) << 24 | (u32)(b) << 16 | (u32)(c) << 8 | (u32)(d))
#define FAKE_MD_REGIONS 2

struct fake_md_region {
	char name[16];
	__le32 seq_num;
	__le32 valid;
	__le64 address;
	__le64 size;
} __packed;

struct fake_md_subsystem {
	__le32 status;
	__le32 enabled;
	__le32 encryption_status;
	__le32 encryption_required;
	__le32 region_count;
	__le32 reserved;
	__le64 regions_baseptr;
} __packed;

static struct {
	__le32 status;
	__le32 md_revision;
	__le32 enabled;
	__le32 reserved;
	struct fake_md_subsystem ss[FAKE_MD_ENTRIES];
} __packed fake_md_toc = {
	.status = cpu_to_le32(1),
	.md_revision = cpu_to_le32(1),
	.enabled = cpu_to_le32(FAKE_MD_MAGIC('E', 'N', 'B', 'L')),
};

/* A booted DSP's minidump: two regions of its carveout, their table in its last 4 KiB. */
static void fake_dsp_minidump(struct fake_dsp *dsp)
{
	phys_addr_t base = dsp->carveout.start, table;
	struct fake_md_region *r;
	struct fake_md_subsystem *ss;
	int i;

	if (dsp->minidump_id >= FAKE_MD_ENTRIES || resource_size(&dsp->carveout) < SZ_1M)
		return;
	table = dsp->carveout.end + 1 - SZ_4K;
	r = memremap(table, FAKE_MD_REGIONS * sizeof(*r), MEMREMAP_WC);
	if (!r)
		return;
	for (i = 0; i < FAKE_MD_REGIONS; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		snprintf(r[i].name, sizeof(r[i].name), "%s", i ? "fake-data" : "fake-code");
		r[i].seq_num = cpu_to_le32(i);
		r[i].valid = cpu_to_le32(FAKE_MD_MAGIC('V', 'A', 'L', 'I'));
		r[i].address = cpu_to_le64(base + i * SZ_256K);
		r[i].size = cpu_to_le64(SZ_64K);
	}
	memunmap(r);
	mutex_lock(&fake_dsps_lock);
	ss = &fake_md_toc.ss[dsp->minidump_id];
	ss->region_count = cpu_to_le32(FAKE_MD_REGIONS);
	ss->regions_baseptr = cpu_to_le64(table);
	ss->encryption_status = cpu_to_le32(FAKE_MD_MAGIC('D', 'O', 'N', 'E'));
	ss->enabled = cpu_to_le32(FAKE_MD_MAGIC('E', 'N', 'B', 'L'));
	ss->status = cpu_to_le32(1);
	mutex_unlock(&fake_dsps_lock);
}

/* ---- inbound: the irqchip ------------------------------------------------------------ */

static void fake_irq_mask(struct irq_data *d)
{
	struct fake_dsp *dsp = irq_data_get_irq_chip_data(d);
	unsigned long flags;

	spin_lock_irqsave(&dsp->lock, flags);
	dsp->enabled &= ~BIT(irqd_to_hwirq(d));
	spin_unlock_irqrestore(&dsp->lock, flags);
}

static void fake_irq_unmask(struct irq_data *d)
{
	struct fake_dsp *dsp = irq_data_get_irq_chip_data(d);
	unsigned long flags;

	spin_lock_irqsave(&dsp->lock, flags);
	dsp->enabled |= BIT(irqd_to_hwirq(d));
	spin_unlock_irqrestore(&dsp->lock, flags);
}

static int fake_irq_set_type(struct irq_data *d, unsigned int type)
{
	struct fake_dsp *dsp = irq_data_get_irq_chip_data(d);
	u32 bit = BIT(irqd_to_hwirq(d));
	unsigned long flags;

	/* SMP2P bits only have edges. */
	if (!(type & IRQ_TYPE_EDGE_BOTH))
		return -EINVAL;
	spin_lock_irqsave(&dsp->lock, flags);
	dsp->rising = type & IRQ_TYPE_EDGE_RISING ? dsp->rising | bit : dsp->rising & ~bit;
	dsp->falling = type & IRQ_TYPE_EDGE_FALLING ? dsp->falling | bit : dsp->falling & ~bit;
	spin_unlock_irqrestore(&dsp->lock, flags);
	return 0;
}

/* What newer qcom_smp2p offers: the current level of a line. */
static int fake_irq_get_state(struct irq_data *d, enum irqchip_irq_state which, bool *state)
{
	struct fake_dsp *dsp = irq_data_get_irq_chip_data(d);
	unsigned long flags;

	if (which != IRQCHIP_STATE_LINE_LEVEL)
		return -EINVAL;
	spin_lock_irqsave(&dsp->lock, flags);
	*state = dsp->levels & BIT(irqd_to_hwirq(d));
	spin_unlock_irqrestore(&dsp->lock, flags);
	return 0;
}

static struct irq_chip fake_irq_chip = {
	.name = "fake-smp2p",
	.irq_mask = fake_irq_mask,
	.irq_unmask = fake_irq_unmask,
	.irq_set_type = fake_irq_set_type,
	.irq_get_irqchip_state = fake_irq_get_state,
};

static int fake_irq_map(struct irq_domain *d, unsigned int irq, irq_hw_number_t hw)
{
	irq_set_chip_and_handler(irq, &fake_irq_chip, handle_level_irq);
	irq_set_chip_data(irq, d->host_data);
	irq_set_nested_thread(irq, 1);
	irq_set_noprobe(irq);
	return 0;
}

static const struct irq_domain_ops fake_irq_ops = {
	.map = fake_irq_map,
	.xlate = irq_domain_xlate_twocell,
};

/* The remote sets or clears one of its bits; process context (handlers run nested). */
static void fake_dsp_set(struct fake_dsp *dsp, enum fake_line line, bool level)
{
	int hw = dsp->hw[line];
	unsigned long flags;
	bool fire = false;
	u32 bit;

	if (hw < 0)
		return;
	bit = BIT(hw);
	spin_lock_irqsave(&dsp->lock, flags);
	if (!!(dsp->levels & bit) != level) {
		dsp->levels ^= bit;
		fire = (dsp->enabled & bit) && ((level ? dsp->rising : dsp->falling) & bit);
	}
	spin_unlock_irqrestore(&dsp->lock, flags);
	if (fire)
		handle_nested_irq(irq_find_mapping(dsp->domain, hw));
}

/* ---- outbound: the SMEM state -------------------------------------------------------- */

/* May be called from the shim's panic notifier: atomic. */
static int fake_state_update_bits(void *data, u32 mask, u32 value)
{
	struct fake_dsp *dsp = data;
	unsigned long flags;
	bool ack;
	u32 old;

	spin_lock_irqsave(&dsp->lock, flags);
	old = dsp->out_bits;
	dsp->out_bits = (old & ~mask) | (value & mask);
	ack = (~old & dsp->out_bits & dsp->stop_mask) && dsp->phase == DSP_RUNNING;
	spin_unlock_irqrestore(&dsp->lock, flags);
	if (ack)
		schedule_delayed_work(&dsp->ack_work, msecs_to_jiffies(FAKE_ACK_MS));
	return 0;
}

static const struct qcom_smem_state_ops fake_state_ops = {
	.update_bits = fake_state_update_bits,
};

/* ---- the DSP ------------------------------------------------------------------------- */

static void fake_boot_work(struct work_struct *work)
{
	struct fake_dsp *dsp = container_of(to_delayed_work(work), struct fake_dsp, boot_work);

	spin_lock_irq(&dsp->lock);
	if (dsp->phase != DSP_BOOTING) {
		spin_unlock_irq(&dsp->lock);
		return;
	}
	dsp->phase = DSP_RUNNING;
	dsp->boots++;
	spin_unlock_irq(&dsp->lock);
	fake_dsp_minidump(dsp);
	fake_dsp_set(dsp, FAKE_READY, true);
	fake_dsp_set(dsp, FAKE_HANDOVER, true);
}

static void fake_ack_work(struct work_struct *work)
{
	struct fake_dsp *dsp = container_of(to_delayed_work(work), struct fake_dsp, ack_work);
	bool ack;

	spin_lock_irq(&dsp->lock);
	ack = dsp->phase == DSP_RUNNING && (dsp->out_bits & dsp->stop_mask);
	if (ack)
		dsp->stop_acks++;
	spin_unlock_irq(&dsp->lock);
	if (ack)
		fake_dsp_set(dsp, FAKE_STOP_ACK, true);
}

/* Out of reset (TrustZone's AUTH_AND_RESET succeeded): boot, then say so. */
void fake_dsp_boot(struct fake_dsp *dsp)
{
	fake_dsp_reset(dsp);
	spin_lock_irq(&dsp->lock);
	dsp->phase = DSP_BOOTING;
	spin_unlock_irq(&dsp->lock);
	schedule_delayed_work(&dsp->boot_work, msecs_to_jiffies(FAKE_BOOT_MS));
}

/* Held in reset (SHUTDOWN): its SMP2P entry starts again from zero, without edges. */
void fake_dsp_reset(struct fake_dsp *dsp)
{
	cancel_delayed_work_sync(&dsp->boot_work);
	cancel_delayed_work_sync(&dsp->ack_work);
	spin_lock_irq(&dsp->lock);
	dsp->phase = DSP_OFF;
	dsp->levels = 0;
	spin_unlock_irq(&dsp->lock);
}

int fake_dsp_crash(struct fake_dsp *dsp, const char *reason, bool wdog)
{
	spin_lock_irq(&dsp->lock);
	if (dsp->phase != DSP_RUNNING) {
		spin_unlock_irq(&dsp->lock);
		return -EBUSY;
	}
	if (wdog && dsp->wdog_irq <= 0) {
		spin_unlock_irq(&dsp->lock);
		return -ENOENT;
	}
	strscpy(dsp->reason, reason, sizeof(dsp->reason));
	dsp->reason_present = true;
	dsp->phase = DSP_CRASHED;
	dsp->crashes++;
	spin_unlock_irq(&dsp->lock);
	if (wdog)
		return irq_set_irqchip_state(dsp->wdog_irq, IRQCHIP_STATE_PENDING, true);
	fake_dsp_set(dsp, FAKE_FATAL, true);
	return 0;
}

/* SMEM as TrustZone's side sees it (the provider's smem_get): crash reasons, minidumps. */
void *fake_dsp_smem_get(unsigned int item, size_t *size)
{
	struct fake_dsp *dsp;
	void *found = ERR_PTR(-ENOENT);

	if (item == FAKE_SMEM_MINIDUMP_TOC) {
		*size = sizeof(fake_md_toc);
		return &fake_md_toc;
	}
	mutex_lock(&fake_dsps_lock);
	list_for_each_entry(dsp, &fake_dsps, link) {
		if (!dsp->crash_item || dsp->crash_item != item || !dsp->reason_present)
			continue;
		*size = sizeof(dsp->reason);
		found = dsp->reason;
		break;
	}
	mutex_unlock(&fake_dsps_lock);
	return found;
}

/* Does @pas_np take its SMP2P lines and stop bit from @dsp?  Then remember them. */
static bool fake_dsp_try_bind(struct fake_dsp *dsp, struct device_node *pas_np)
{
	struct device_node *rn;
	struct of_phandle_args args;
	bool ours = false;
	int i, idx, irq;

	for (i = 0; i < FAKE_LINES; i++) {
		dsp->hw[i] = -1;
		idx = of_property_match_string(pas_np, "interrupt-names", fake_line_names[i]);
		if (idx < 0 || of_irq_parse_one(pas_np, idx, &args))
			continue;
		if (args.np == dsp->in_np && args.args_count >= 1) {
			dsp->hw[i] = args.args[0];
			ours = true;
		}
		of_node_put(args.np);
	}
	if (!ours)
		return false;
	irq = of_irq_get_byname(pas_np, "wdog");
	dsp->wdog_irq = irq > 0 ? irq : 0;
	rn = of_parse_phandle(pas_np, "memory-region", 0);
	if (!rn || of_address_to_resource(rn, 0, &dsp->carveout))
		memset(&dsp->carveout, 0, sizeof(dsp->carveout));
	of_node_put(rn);
	idx = of_property_match_string(pas_np, "qcom,smem-state-names", "stop");
	if (idx >= 0 && !of_parse_phandle_with_args(pas_np, "qcom,smem-states",
						    "#qcom,smem-state-cells", idx, &args)) {
		if (args.np == dsp->out_np && args.args_count >= 1)
			dsp->stop_mask = BIT(args.args[0]);
		of_node_put(args.np);
	}
	dsp->pas_np = of_node_get(pas_np);
	dev_info(dsp->dev, "answers for %pOF (stop bit %#x, wdog irq %d)\n", pas_np,
		 dsp->stop_mask, dsp->wdog_irq);
	return true;
}

/* The DSP behind the PAS node @pas_np, or NULL: a core nothing answers for. */
struct fake_dsp *fake_dsp_bind(struct device_node *pas_np)
{
	struct fake_dsp *dsp, *found = NULL;

	mutex_lock(&fake_dsps_lock);
	list_for_each_entry(dsp, &fake_dsps, link)
		if (dsp->pas_np == pas_np)
			found = dsp;
	list_for_each_entry(dsp, &fake_dsps, link)
		if (!found && !dsp->pas_np && fake_dsp_try_bind(dsp, pas_np))
			found = dsp;
	mutex_unlock(&fake_dsps_lock);
	return found;
}

struct fake_dsp *fake_dsp_by_name(const char *name)
{
	struct fake_dsp *dsp, *found = NULL;

	mutex_lock(&fake_dsps_lock);
	list_for_each_entry(dsp, &fake_dsps, link)
		if (!strcmp(dsp->name, name))
			found = dsp;
	mutex_unlock(&fake_dsps_lock);
	return found;
}

static const char *const fake_phase_names[] = {
	[DSP_OFF] = "off",
	[DSP_BOOTING] = "booting",
	[DSP_RUNNING] = "running",
	[DSP_CRASHED] = "crashed",
};

/* Interrupt handlers requested on the lines of the bound PAS node (the wdog included). */
static unsigned int fake_dsp_irqs(struct fake_dsp *dsp)
{
	unsigned int i, n = 0, virq;

	for (i = 0; i < FAKE_LINES; i++) {
		if (dsp->hw[i] < 0)
			continue;
		virq = irq_find_mapping(dsp->domain, dsp->hw[i]);
		if (virq && irq_has_action(virq))
			n++;
	}
	if (dsp->wdog_irq > 0 && irq_has_action(dsp->wdog_irq))
		n++;
	return n;
}

void fake_dsp_show(struct seq_file *s, unsigned int *held, unsigned int *registered)
{
	struct fake_dsp *dsp;

	mutex_lock(&fake_dsps_lock);
	list_for_each_entry(dsp, &fake_dsps, link) {
		unsigned int irqs = fake_dsp_irqs(dsp), stop;
		enum fake_phase phase;
		u32 levels;

		spin_lock_irq(&dsp->lock);
		phase = dsp->phase;
		levels = dsp->levels;
		stop = !!(dsp->out_bits & dsp->stop_mask);
		spin_unlock_irq(&dsp->lock);
		seq_printf(s, "%s.phase %s\n", dsp->name, fake_phase_names[phase]);
		seq_printf(s, "%s.irqs %u\n", dsp->name, irqs);
		seq_printf(s, "%s.stop_bit %u\n", dsp->name, stop);
		seq_printf(s, "%s.levels %#x\n", dsp->name, levels);
		seq_printf(s, "%s.boots %u\n", dsp->name, dsp->boots);
		seq_printf(s, "%s.stop_acks %u\n", dsp->name, dsp->stop_acks);
		seq_printf(s, "%s.crashes %u\n", dsp->name, dsp->crashes);
		*held += stop + (phase != DSP_OFF);
		*registered += irqs;
	}
	mutex_unlock(&fake_dsps_lock);
}

/* ---- the platform device ------------------------------------------------------------- */

static int fake_smp2p_probe(struct platform_device *pdev)
{
	struct device_node *np = pdev->dev.of_node, *child;
	struct fake_dsp *dsp;
	int i, ret;

	dsp = devm_kzalloc(&pdev->dev, sizeof(*dsp), GFP_KERNEL);
	if (!dsp)
		return -ENOMEM;
	dsp->dev = &pdev->dev;
	dsp->name = dev_name(&pdev->dev);
	spin_lock_init(&dsp->lock);
	INIT_DELAYED_WORK(&dsp->boot_work, fake_boot_work);
	INIT_DELAYED_WORK(&dsp->ack_work, fake_ack_work);
	for (i = 0; i < FAKE_LINES; i++)
		dsp->hw[i] = -1;
	of_property_read_u32(np, "rprocd,crash-reason-smem", &dsp->crash_item);
	dsp->minidump_id = U32_MAX;
	of_property_read_u32(np, "rprocd,minidump-id", &dsp->minidump_id);
	for_each_available_child_of_node(np, child) {
		if (!dsp->in_np && of_property_read_bool(child, "interrupt-controller"))
			dsp->in_np = of_node_get(child);
		else if (!dsp->out_np && of_property_present(child, "#qcom,smem-state-cells"))
			dsp->out_np = of_node_get(child);
	}
	if (!dsp->in_np || !dsp->out_np) {
		dev_err(&pdev->dev, "needs an inbound (interrupt-controller) and an outbound (#qcom,smem-state-cells) child\n");
		ret = -EINVAL;
		goto err_nodes;
	}
	dsp->domain = irq_domain_create_linear(of_fwnode_handle(dsp->in_np), 32, &fake_irq_ops,
					       dsp);
	if (!dsp->domain) {
		ret = -ENOMEM;
		goto err_nodes;
	}
	dsp->state = qcom_smem_state_register(dsp->out_np, &fake_state_ops, dsp);
	if (IS_ERR(dsp->state)) {
		ret = PTR_ERR(dsp->state);
		goto err_domain;
	}
	platform_set_drvdata(pdev, dsp);
	mutex_lock(&fake_dsps_lock);
	list_add_tail(&dsp->link, &fake_dsps);
	mutex_unlock(&fake_dsps_lock);
	dev_info(&pdev->dev, "fake SMP2P: in %pOFn, out %pOFn, crash reason in SMEM item %u\n",
		 dsp->in_np, dsp->out_np, dsp->crash_item);
	return 0;

err_domain:
	irq_domain_remove(dsp->domain);
err_nodes:
	of_node_put(dsp->in_np);
	of_node_put(dsp->out_np);
	return ret;
}

static void fake_smp2p_remove(struct platform_device *pdev)
{
	struct fake_dsp *dsp = platform_get_drvdata(pdev);
	unsigned int hw, virq;

	mutex_lock(&fake_dsps_lock);
	list_del(&dsp->link);
	mutex_unlock(&fake_dsps_lock);
	cancel_delayed_work_sync(&dsp->boot_work);
	cancel_delayed_work_sync(&dsp->ack_work);
	/* Whoever still holds it (the shim keeps its stop state) sees an orphan. */
	qcom_smem_state_unregister(dsp->state);
	for (hw = 0; hw < 32; hw++) {
		virq = irq_find_mapping(dsp->domain, hw);
		if (virq)
			irq_dispose_mapping(virq);
	}
	irq_domain_remove(dsp->domain);
	of_node_put(dsp->pas_np);
	of_node_put(dsp->in_np);
	of_node_put(dsp->out_np);
}

static const struct of_device_id fake_smp2p_of_match[] = {
	{ .compatible = "rprocd,test-smp2p" },
	{}
};

struct platform_driver fake_smp2p_driver = {
	.probe = fake_smp2p_probe,
	.remove = fake_smp2p_remove,
	.driver = {
		.name = "qcom-scm-shim-fake-smp2p",
		.of_match_table = fake_smp2p_of_match,
	},
};
