// SPDX-License-Identifier: GPL-2.0-only
/*
 * qcom-scm shim: what a core holds besides TrustZone state: SMP2P (and wdog) interrupts as
 * eventfds, the outbound stop bit, the proxy votes and the load_state vote, the glink edge;
 * the CORE query/keep/release operations and the order in which a core is released.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/clk.h>
#include <linux/delay.h>
#include <linux/eventfd.h>
#include <linux/interconnect.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/of.h>
#include <linux/of_irq.h>
#include <linux/pm_domain.h>
#include <linux/pm_runtime.h>
#include <linux/regulator/consumer.h>
#include <linux/rpmsg/qcom_glink.h>
#include <linux/soc/qcom/smem_state.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "qcom_scm_shim.h"

#define SHIM_CX_LOAD_UA 100000	/* as the kernel's PAS driver asks of cx-supply */
#define SHIM_PANIC_WAIT_MS 200	/* time the cores get to react to the stop bit on panic */

#if IS_REACHABLE(CONFIG_RPMSG_QCOM_GLINK_SMEM) && defined(SHIM_HAVE_GLINK_SMEM_REGISTER)
#define SHIM_GLINK 1
#else
#define SHIM_GLINK 0
#endif

static const char *const shim_irq_names[QCOM_SCM_SHIM_IRQ_COUNT] = {
	[QCOM_SCM_SHIM_IRQ_WDOG] = "wdog",
	[QCOM_SCM_SHIM_IRQ_FATAL] = "fatal",
	[QCOM_SCM_SHIM_IRQ_READY] = "ready",
	[QCOM_SCM_SHIM_IRQ_HANDOVER] = "handover",
	[QCOM_SCM_SHIM_IRQ_STOP_ACK] = "stop-ack",
};

u64 shim_core_caps(void)
{
	u64 caps = QCOM_SCM_SHIM_CAP_MMAP | QCOM_SCM_SHIM_CAP_SMP2P_IN | QCOM_SCM_SHIM_CAP_WDOG |
		   QCOM_SCM_SHIM_CAP_PROXY_VOTE | QCOM_SCM_SHIM_CAP_CORE |
		   QCOM_SCM_SHIM_CAP_IRQ_LEVEL;

	if (IS_ENABLED(CONFIG_QCOM_SMEM_STATE))
		caps |= QCOM_SCM_SHIM_CAP_STOP_BIT;
	if (SHIM_GLINK)
		caps |= QCOM_SCM_SHIM_CAP_GLINK;
	return caps;
}

/* ---- interrupts ---------------------------------------------------------------------- */

static irqreturn_t shim_irq_thread(int irq, void *data)
{
	struct shim_irq *si = data;

	shim_eventfd_signal(si->ev);
	if (si->index == QCOM_SCM_SHIM_IRQ_READY)
		schedule_work(&si->node->ready_work);
	return IRQ_HANDLED;
}

static int shim_irq_lookup(struct shim_node *n, struct shim_irq *si)
{
	int irq;

	if (si->irq > 0)
		return 0;
	irq = of_irq_get_byname(n->np, shim_irq_names[si->index]);
	if (irq == -EPROBE_DEFER)
		return irq;
	if (irq <= 0)
		return -ENOENT;
	si->irq = irq;
	return 0;
}

static void shim_irq_free(struct shim_irq *si)
{
	if (!si->ev)
		return;
	free_irq(si->irq, si);
	eventfd_ctx_put(si->ev);
	si->ev = NULL;
}

static int shim_set_irq(struct shim_node *n, const struct qcom_scm_shim_irq *a)
{
	struct eventfd_ctx *ev;
	struct shim_irq *si;
	int ret;

	if (a->irq >= QCOM_SCM_SHIM_IRQ_COUNT)
		return -EINVAL;
	si = &n->irqs[a->irq];
	shim_irq_free(si);
	if (a->eventfd < 0)
		return 0;
	ret = shim_irq_lookup(n, si);
	if (ret)
		return ret;
	ev = eventfd_ctx_fdget(a->eventfd);
	if (IS_ERR(ev))
		return PTR_ERR(ev);
	snprintf(si->label, sizeof(si->label), "%s:%s", n->name, shim_irq_names[si->index]);
	si->ev = ev;
	/*
	 * SMP2P lines are nested-thread interrupts: a threaded handler with no primary one, as
	 * the kernel's own driver requests them.  A wdog line that vfio-platform holds is busy.
	 */
	ret = request_threaded_irq(si->irq, NULL, shim_irq_thread,
				   IRQF_TRIGGER_RISING | IRQF_ONESHOT, si->label, si);
	if (ret) {
		si->ev = NULL;
		eventfd_ctx_put(ev);
	}
	return ret;
}

static void shim_irq_levels(struct shim_node *n, u32 *levels, u32 *valid)
{
	unsigned int i;

	for (i = 0; i < QCOM_SCM_SHIM_IRQ_COUNT; i++) {
		struct shim_irq *si = &n->irqs[i];
		bool state;

		if (shim_irq_lookup(n, si))
			continue;
		/* Only controllers that can read the line answer (newer SMP2P ones do). */
		if (irq_get_irqchip_state(si->irq, IRQCHIP_STATE_LINE_LEVEL, &state))
			continue;
		*valid |= BIT(i);
		if (state)
			*levels |= BIT(i);
	}
}

/* ---- stop bit ------------------------------------------------------------------------ */

int shim_stop_state_get(struct shim_node *n)
{
	struct qcom_smem_state *st;
	unsigned int bit;

	if (n->stop_state)
		return 0;
	if (!IS_ENABLED(CONFIG_QCOM_SMEM_STATE))
		return -EOPNOTSUPP;
	st = qcom_smem_state_get(&n->dev, "stop", &bit);
	if (IS_ERR(st))
		return PTR_ERR(st);
	if (!st)
		return -ENOENT;
	n->stop_bit = bit;
	/* Read locklessly by the panic notifier: @stop_bit must be visible before @stop_state. */
	smp_store_release(&n->stop_state, st);
	return 0;
}

static int shim_stop_bit(struct shim_node *n, bool set)
{
	u32 mask;
	int ret;

	ret = shim_stop_state_get(n);
	if (ret)
		return ret;
	mask = BIT(n->stop_bit);
	ret = qcom_smem_state_update_bits(n->stop_state, mask, set ? mask : 0);
	if (!ret)
		n->stop_set = set;
	return ret;
}

/* A host panic: ask every running core to stop, as the kernel's own driver does. */
void shim_panic_stop(void)
{
	bool any = false;
	unsigned int i, s;

	for (i = 0; i < shim_n_nodes; i++) {
		struct shim_node *n = shim_nodes[i];
		/* Pairs with the release in shim_stop_state_get(): @stop_bit is set. */
		struct qcom_smem_state *st = smp_load_acquire(&n->stop_state);
		bool running = false;

		for (s = 0; s < SHIM_PAS_SLOTS; s++)
			running |= READ_ONCE(n->pas[s].running);
		if (!st || !running)
			continue;
		qcom_smem_state_update_bits(st, BIT(n->stop_bit), BIT(n->stop_bit));
		any = true;
	}
	if (any)
		mdelay(SHIM_PANIC_WAIT_MS);
}

/* ---- votes --------------------------------------------------------------------------- */

static int shim_clk_on(struct shim_node *n, const char *name, struct clk **out)
{
	struct clk *clk = of_clk_get_by_name(n->np, name);
	int ret;

	if (IS_ERR(clk)) {
		ret = PTR_ERR(clk);
		/* Not every node names such a clock. */
		return ret == -ENOENT || ret == -EINVAL ? 0 : ret;
	}
	ret = clk_prepare_enable(clk);
	if (ret) {
		clk_put(clk);
		return ret;
	}
	*out = clk;
	return 0;
}

static void shim_clk_off(struct clk **clk)
{
	if (!*clk)
		return;
	clk_disable_unprepare(*clk);
	clk_put(*clk);
	*clk = NULL;
}

static int shim_supply_on(struct shim_node *n, const char *name, int load_ua,
			  struct regulator **out)
{
	struct regulator *reg = regulator_get_optional(&n->dev, name);
	int ret;

	if (IS_ERR(reg)) {
		ret = PTR_ERR(reg);
		return ret == -ENODEV ? 0 : ret;
	}
	if (load_ua)
		regulator_set_load(reg, load_ua);
	ret = regulator_enable(reg);
	if (ret) {
		regulator_put(reg);
		return ret;
	}
	*out = reg;
	return 0;
}

static void shim_supply_off(struct regulator **reg)
{
	if (!*reg)
		return;
	regulator_disable(*reg);
	regulator_set_load(*reg, 0);
	regulator_put(*reg);
	*reg = NULL;
}

static int shim_pds_attach(struct shim_node *n)
{
	struct shim_votes *v = &n->votes;
	int i, count, ret;

	count = of_count_phandle_with_args(n->np, "power-domains", "#power-domain-cells");
	if (count <= 0)
		return 0;
	if (count > SHIM_MAX_PDS)
		return -E2BIG;
	if (count == 1) {
		/* One domain attaches to the device itself (attach_by_id is for several). */
		ret = shim_pm_domain_attach(&n->dev);
		if (ret <= 0)
			return ret ? ret : -ENODEV;
		v->pd_self = true;
		v->pds[v->n_pds++] = &n->dev;
		pm_runtime_enable(&n->dev);
		return 0;
	}
	for (i = 0; i < count; i++) {
		struct device *pd = dev_pm_domain_attach_by_id(&n->dev, i);

		if (IS_ERR_OR_NULL(pd))
			return pd ? PTR_ERR(pd) : -ENODEV;
		v->pds[v->n_pds++] = pd;
	}
	return 0;
}

static void shim_pds_detach(struct shim_node *n)
{
	struct shim_votes *v = &n->votes;

	/* Synchronous: an idle request still queued would be cancelled by the disable below. */
	while (v->n_pds_on)
		pm_runtime_put_sync(v->pds[--v->n_pds_on]);
	while (v->n_pds) {
		struct device *pd = v->pds[--v->n_pds];

		dev_pm_genpd_set_performance_state(pd, 0);
		if (!v->pd_self)
			dev_pm_domain_detach(pd, false);
	}
	if (v->pd_self) {
		pm_runtime_disable(&n->dev);
		dev_pm_domain_detach(&n->dev, true);
		v->pd_self = false;
	}
}

static void shim_proxy_off(struct shim_node *n)
{
	struct shim_votes *v = &n->votes;

	if (v->icc) {
		icc_set_bw(v->icc, 0, 0);
		icc_put(v->icc);
		v->icc = NULL;
	}
	shim_supply_off(&v->px);
	shim_supply_off(&v->cx);
	shim_clk_off(&v->aggre2);
	shim_clk_off(&v->xo);
	shim_pds_detach(n);
	v->on = false;
}

/* The proxy votes of the kernel's PAS driver, taken from the node: whatever it names. */
static int shim_proxy_on(struct shim_node *n)
{
	struct shim_votes *v = &n->votes;
	struct icc_path *icc;
	int ret;

	if (v->on)
		return 0;
	ret = shim_pds_attach(n);
	while (!ret && v->n_pds_on < v->n_pds) {
		struct device *pd = v->pds[v->n_pds_on];

		/* Domains without performance states refuse this; the kernel ignores it too. */
		dev_pm_genpd_set_performance_state(pd, INT_MAX);
		ret = pm_runtime_resume_and_get(pd);
		if (!ret)
			v->n_pds_on++;
	}
	if (!ret)
		ret = shim_clk_on(n, "xo", &v->xo);
	if (!ret)
		ret = shim_clk_on(n, "aggre2", &v->aggre2);
	if (!ret)
		ret = shim_supply_on(n, "cx", SHIM_CX_LOAD_UA, &v->cx);
	if (!ret)
		ret = shim_supply_on(n, "px", 0, &v->px);
	if (!ret) {
		icc = of_icc_get(&n->dev, NULL);
		if (IS_ERR(icc)) {
			ret = PTR_ERR(icc);
		} else if (icc) {
			v->icc = icc;
			ret = icc_set_bw(icc, 0, UINT_MAX);
		}
	}
	if (ret) {
		shim_proxy_off(n);
		return ret;
	}
	v->on = true;
	return 0;
}

static int shim_load_state(struct shim_node *n, bool on)
{
	void *qmp;
	int ret;

	if (n->load_state_on == on)
		return 0;
	/* No load_state name for this compatible: the kernel sends nothing either. */
	if (!n->soc->load_state) {
		n->load_state_on = on;
		return 0;
	}
	ret = shim_node_pin_provider(n);
	if (ret)
		return ret;
	if (!n->prov->qmp_get || !n->prov->qmp_load_state || !n->prov->qmp_put)
		return -EOPNOTSUPP;
	if (!n->qmp) {
		qmp = n->prov->qmp_get(&n->dev);
		/* A node without "qcom,qmp": nothing to send, as in the kernel's driver. */
		if (PTR_ERR_OR_ZERO(qmp) == -ENODEV) {
			n->load_state_on = on;
			return 0;
		}
		if (IS_ERR(qmp))
			return PTR_ERR(qmp);
		n->qmp = qmp;
	}
	ret = n->prov->qmp_load_state(n->qmp, n->soc->load_state, on);
	if (!ret)
		n->load_state_on = on;
	return ret;
}

static int shim_vote(struct shim_node *n, const struct qcom_scm_shim_vote *a)
{
	const u32 both = QCOM_SCM_SHIM_VOTE_PROXY | QCOM_SCM_SHIM_VOTE_LOAD_STATE;
	u32 votes = a->votes;
	int ret = 0;

	if (votes & ~both)
		return -EINVAL;
	if (!votes) {
		/* ABI 1.0 clients: one vote for all that this build can take. */
		votes = QCOM_SCM_SHIM_VOTE_PROXY;
		if (shim_node_pin_provider(n) == 0 && n->prov->qmp_get)
			votes |= QCOM_SCM_SHIM_VOTE_LOAD_STATE;
	}
	if (a->on) {
		/* As the kernel: load_state before the proxy votes, which go first at handover. */
		if (votes & QCOM_SCM_SHIM_VOTE_LOAD_STATE)
			ret = shim_load_state(n, true);
		if (!ret && (votes & QCOM_SCM_SHIM_VOTE_PROXY))
			ret = shim_proxy_on(n);
		return ret;
	}
	if (votes & QCOM_SCM_SHIM_VOTE_PROXY)
		shim_proxy_off(n);
	if (votes & QCOM_SCM_SHIM_VOTE_LOAD_STATE)
		ret = shim_load_state(n, false);
	return ret;
}

/* ---- glink edge ---------------------------------------------------------------------- */

static void shim_glink_release(struct shim_node *n)
{
#if SHIM_GLINK
	if (!n->glink)
		return;
	qcom_glink_smem_unregister(n->glink);
	n->glink = NULL;
	of_node_put(n->glink_np);
	n->glink_np = NULL;
	/* Tell the other edges this one went down, so they drop its channels. */
	if (n->soc->ssr_name)
		qcom_glink_ssr_notify(n->soc->ssr_name);
#endif
}

#if SHIM_GLINK
static void shim_glink_parent_release(struct device *dev)
{
	kfree(dev);
}

/*
 * qcom_glink_smem_register() names the edge "<its parent's parent>:glink-edge", and the edge's
 * rpmsg devices after the edge.  The kernel's PAS driver passes its rproc device, whose parent
 * is the platform device; the node's device would give the shim's root and one name for every
 * core's edge, so that a second core's rpmsg devices collide.  Pass a child of it instead.
 */
static struct device *shim_glink_parent(struct shim_node *n)
{
	struct device *d;
	int ret;

	if (n->glink_parent)
		return n->glink_parent;
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return ERR_PTR(-ENOMEM);
	device_initialize(d);
	d->parent = &n->dev;
	d->release = shim_glink_parent_release;
	ret = dev_set_name(d, "glink");
	if (!ret)
		ret = device_add(d);
	if (ret) {
		put_device(d);
		return ERR_PTR(ret);
	}
	n->glink_parent = d;
	return d;
}
#endif

static int shim_glink(struct shim_node *n, u32 op)
{
#if SHIM_GLINK
	struct device_node *edge;
	struct device *parent;
	void *glink;

	if (op == QCOM_SCM_SHIM_GLINK_UNREGISTER) {
		shim_glink_release(n);
		return 0;
	}
	if (op != QCOM_SCM_SHIM_GLINK_REGISTER)
		return -EINVAL;
	if (n->glink)
		return 0;
	edge = of_get_child_by_name(n->np, "glink-edge");
	if (!edge)
		return -ENOENT;
	parent = shim_glink_parent(n);
	if (IS_ERR(parent)) {
		of_node_put(edge);
		return PTR_ERR(parent);
	}
	glink = qcom_glink_smem_register(parent, edge);
	if (IS_ERR_OR_NULL(glink)) {
		of_node_put(edge);
		return glink ? PTR_ERR(glink) : -ENODEV;
	}
	n->glink = glink;
	n->glink_np = edge;
	return 0;
#else
	return -EOPNOTSUPP;
#endif
}

/* ---- the core as a whole ------------------------------------------------------------- */

static u32 shim_core_state(struct shim_node *n, struct shim_file *f)
{
	u32 st = 0;
	unsigned int s;

	if (n->owner)
		st |= n->owner == f ? QCOM_SCM_SHIM_STATE_MINE : QCOM_SCM_SHIM_STATE_OTHER;
	if (n->kept)
		st |= QCOM_SCM_SHIM_STATE_KEPT;
	for (s = 0; s < SHIM_PAS_SLOTS; s++) {
		if (n->pas[s].running)
			st |= QCOM_SCM_SHIM_STATE_RUNNING;
		if (n->pas[s].has_meta)
			st |= QCOM_SCM_SHIM_STATE_METADATA;
	}
	if (n->votes.on)
		st |= QCOM_SCM_SHIM_STATE_PROXY;
	if (n->load_state_on)
		st |= QCOM_SCM_SHIM_STATE_LOAD_STATE;
	if (n->stop_set)
		st |= QCOM_SCM_SHIM_STATE_STOP_BIT;
	if (n->glink)
		st |= QCOM_SCM_SHIM_STATE_GLINK;
	return st;
}

/*
 * Release a core whose file went away (or that asked for it), without n->lock held.  Kept:
 * only the eventfd registrations go.  Otherwise everything, in the order the kernel stops a
 * core: glink edge, interrupts, SHUTDOWN of a running core, bridges, metadata, stop bit,
 * load_state, proxy votes.  All of it in one critical section: CORE RELEASE runs while other
 * threads of the owning file may still issue ioctls, and an eventfd or glink edge registered
 * in a gap would outlive the release with no owner to drop it.
 */
void shim_core_release(struct shim_node *n, bool keep)
{
	unsigned int i;

	mutex_lock(&n->lock);
	if (!keep)
		shim_glink_release(n);
	for (i = 0; i < QCOM_SCM_SHIM_IRQ_COUNT; i++)
		shim_irq_free(&n->irqs[i]);
	n->owner = NULL;
	n->kept = keep;
	if (keep) {
		dev_info(&n->dev, "kept for the next file (votes, stop bit, running core)\n");
	} else {
		shim_pas_release(n);
		if (n->stop_set)
			shim_stop_bit(n, false);
		if (n->load_state_on)
			shim_load_state(n, false);
		shim_proxy_off(n);
		if (n->qmp) {
			n->prov->qmp_put(n->qmp);
			n->qmp = NULL;
		}
		shim_node_unpin_provider(n);
	}
	mutex_unlock(&n->lock);
	/*
	 * A "ready" that fired before its interrupt was freed may still have its work queued;
	 * the work takes n->lock, hence outside it.  Had it run first, it only freed the
	 * metadata of a running slot, as "ready" does anyway.
	 */
	cancel_work_sync(&n->ready_work);
}

static const char *shim_ioc_device(unsigned int nr, void *arg)
{
	switch (nr) {
	case _IOC_NR(QCOM_SCM_SHIM_SET_IRQ_EVENTFD):
		return ((struct qcom_scm_shim_irq *)arg)->device;
	case _IOC_NR(QCOM_SCM_SHIM_STOP_BIT):
		return ((struct qcom_scm_shim_stop_bit *)arg)->device;
	case _IOC_NR(QCOM_SCM_SHIM_PROXY_VOTE):
		return ((struct qcom_scm_shim_vote *)arg)->device;
	case _IOC_NR(QCOM_SCM_SHIM_CORE):
		return ((struct qcom_scm_shim_core *)arg)->device;
	case _IOC_NR(QCOM_SCM_SHIM_GLINK):
		return ((struct qcom_scm_shim_glink *)arg)->device;
	}
	return NULL;
}

static long shim_core_op(struct shim_file *f, struct shim_node *n, struct qcom_scm_shim_core *a)
{
	long ret = 0;

	switch (a->op) {
	case QCOM_SCM_SHIM_CORE_QUERY:
		mutex_lock(&n->lock);
		break;
	case QCOM_SCM_SHIM_CORE_KEEP:
		mutex_lock(&n->lock);
		ret = shim_claim(n, f);
		if (!ret)
			n->kept = true;
		break;
	case QCOM_SCM_SHIM_CORE_RELEASE:
		mutex_lock(&n->lock);
		ret = shim_claim(n, f);
		mutex_unlock(&n->lock);
		if (ret)
			return ret;
		shim_core_release(n, false);
		mutex_lock(&n->lock);
		break;
	default:
		return -EINVAL;
	}
	a->out_state = shim_core_state(n, f);
	a->out_levels = 0;
	a->out_levels_valid = 0;
	shim_irq_levels(n, &a->out_levels, &a->out_levels_valid);
	a->out_pas_id = n->soc->pas_id;
	mutex_unlock(&n->lock);
	return ret;
}

long shim_ioctl_core(struct shim_file *f, unsigned int nr, void *arg)
{
	const char *name = shim_ioc_device(nr, arg);
	char dev_name[QCOM_SCM_SHIM_NAME_LEN];
	struct shim_node *n;
	long ret;

	if (!name)
		return -ENOTTY;
	if (!memchr(name, '\0', QCOM_SCM_SHIM_NAME_LEN))
		return -ENAMETOOLONG;
	strscpy(dev_name, name, sizeof(dev_name));
	n = shim_node_by_name(dev_name);
	if (!n) {
		pr_warn_once("%s refused: not a PAS node of this device tree\n", dev_name);
		return -ENODEV;
	}
	if (nr == _IOC_NR(QCOM_SCM_SHIM_CORE))
		return shim_core_op(f, n, arg);

	mutex_lock(&n->lock);
	ret = shim_claim(n, f);
	if (ret)
		goto out;
	switch (nr) {
	case _IOC_NR(QCOM_SCM_SHIM_SET_IRQ_EVENTFD):
		ret = shim_set_irq(n, arg);
		break;
	case _IOC_NR(QCOM_SCM_SHIM_STOP_BIT):
		ret = shim_stop_bit(n, ((struct qcom_scm_shim_stop_bit *)arg)->set);
		break;
	case _IOC_NR(QCOM_SCM_SHIM_PROXY_VOTE):
		ret = shim_vote(n, arg);
		break;
	case _IOC_NR(QCOM_SCM_SHIM_GLINK):
		ret = shim_glink(n, ((struct qcom_scm_shim_glink *)arg)->op);
		break;
	}
out:
	mutex_unlock(&n->lock);
	return ret;
}
