// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fake providers for what the shim reaches through the kernel's own frameworks: a genpd
 * provider of two power domains (the PAS node's "lcx" and "lmx") with performance states and
 * a clock ("xo") for the proxy votes, and a mailbox (the IPC doorbell a glink edge kicks).
 * They count what is powered, at a performance level, enabled or requested.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/clk-provider.h>
#include <linux/mailbox_controller.h>
#include <linux/of.h>
#include <linux/pm_domain.h>

#include "fake.h"

#define FAKE_PDS 2

struct fake_pd {
	struct generic_pm_domain genpd;
	bool on;
	unsigned int perf;
};

struct fake_pds {
	struct fake_pd pd[FAKE_PDS];
	struct generic_pm_domain *domains[FAKE_PDS];
	struct genpd_onecell_data data;
};

static int fake_pd_power_on(struct generic_pm_domain *genpd)
{
	struct fake_pd *pd = container_of(genpd, struct fake_pd, genpd);

	if (!pd->on)
		atomic_inc(&fake_count.pd_on);
	atomic_inc(&fake_count.pd_power_on);
	pd->on = true;
	return 0;
}

static int fake_pd_power_off(struct generic_pm_domain *genpd)
{
	struct fake_pd *pd = container_of(genpd, struct fake_pd, genpd);

	if (pd->on)
		atomic_dec(&fake_count.pd_on);
	pd->on = false;
	return 0;
}

static int fake_pd_set_perf(struct generic_pm_domain *genpd, unsigned int state)
{
	struct fake_pd *pd = container_of(genpd, struct fake_pd, genpd);

	if (state && !pd->perf)
		atomic_inc(&fake_count.pd_perf);
	else if (!state && pd->perf)
		atomic_dec(&fake_count.pd_perf);
	pd->perf = state;
	return 0;
}

static int fake_pd_probe(struct platform_device *pdev)
{
	struct fake_pds *pds;
	int i, ret;

	pds = devm_kzalloc(&pdev->dev, sizeof(*pds), GFP_KERNEL);
	if (!pds)
		return -ENOMEM;
	for (i = 0; i < FAKE_PDS; i++) {
		struct generic_pm_domain *g = &pds->pd[i].genpd;

		g->name = devm_kasprintf(&pdev->dev, GFP_KERNEL, "fake-pd%d", i);
		if (!g->name)
			return -ENOMEM;
		g->power_on = fake_pd_power_on;
		g->power_off = fake_pd_power_off;
		g->set_performance_state = fake_pd_set_perf;
		ret = pm_genpd_init(g, NULL, true);
		if (ret)
			goto err;
		pds->domains[i] = g;
	}
	pds->data.domains = pds->domains;
	pds->data.num_domains = FAKE_PDS;
	ret = of_genpd_add_provider_onecell(pdev->dev.of_node, &pds->data);
	if (ret)
		goto err;
	platform_set_drvdata(pdev, pds);
	return 0;
err:
	while (i--)
		pm_genpd_remove(&pds->pd[i].genpd);
	return ret;
}

static void fake_pd_remove(struct platform_device *pdev)
{
	struct fake_pds *pds = platform_get_drvdata(pdev);
	int i;

	of_genpd_del_provider(pdev->dev.of_node);
	for (i = 0; i < FAKE_PDS; i++)
		if (pm_genpd_remove(&pds->pd[i].genpd))
			dev_warn(&pdev->dev, "%s still in use\n", pds->pd[i].genpd.name);
}

static const struct of_device_id fake_pd_of_match[] = {
	{ .compatible = "rprocd,test-power-domains" },
	{}
};

struct platform_driver fake_pd_driver = {
	.probe = fake_pd_probe,
	.remove = fake_pd_remove,
	.driver = {
		.name = "qcom-scm-shim-fake-pd",
		.of_match_table = fake_pd_of_match,
	},
};

struct fake_clk {
	struct clk_hw hw;
	bool enabled;
};

static int fake_clk_enable(struct clk_hw *hw)
{
	struct fake_clk *c = container_of(hw, struct fake_clk, hw);

	if (!c->enabled)
		atomic_inc(&fake_count.clk_on);
	atomic_inc(&fake_count.clk_enable);
	c->enabled = true;
	return 0;
}

static void fake_clk_disable(struct clk_hw *hw)
{
	struct fake_clk *c = container_of(hw, struct fake_clk, hw);

	if (c->enabled)
		atomic_dec(&fake_count.clk_on);
	c->enabled = false;
}

static int fake_clk_is_enabled(struct clk_hw *hw)
{
	return container_of(hw, struct fake_clk, hw)->enabled;
}

static const struct clk_ops fake_clk_ops = {
	.enable = fake_clk_enable,
	.disable = fake_clk_disable,
	.is_enabled = fake_clk_is_enabled,
};

static int fake_clk_probe(struct platform_device *pdev)
{
	struct clk_init_data init = {
		.name = dev_name(&pdev->dev),
		.ops = &fake_clk_ops,
	};
	struct fake_clk *c;
	int ret;

	c = devm_kzalloc(&pdev->dev, sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	c->hw.init = &init;
	ret = devm_clk_hw_register(&pdev->dev, &c->hw);
	if (ret)
		return ret;
	return devm_of_clk_add_hw_provider(&pdev->dev, of_clk_hw_simple_get, &c->hw);
}

static const struct of_device_id fake_clk_of_match[] = {
	{ .compatible = "rprocd,test-clock" },
	{}
};

struct platform_driver fake_clk_driver = {
	.probe = fake_clk_probe,
	.driver = {
		.name = "qcom-scm-shim-fake-clk",
		.of_match_table = fake_clk_of_match,
	},
};

/* The IPC doorbells of the glink edges (#mbox-cells = <1>): each kick only counted. */
#define FAKE_MBOX_CHANS 4

struct fake_mbox {
	struct mbox_controller ctrl;
	struct mbox_chan chans[FAKE_MBOX_CHANS];
};

static int fake_mbox_send(struct mbox_chan *chan, void *data)
{
	atomic_inc(&fake_count.mbox_kicks);
	return 0;
}

static int fake_mbox_startup(struct mbox_chan *chan)
{
	atomic_inc(&fake_count.mbox_chans);
	return 0;
}

static void fake_mbox_shutdown(struct mbox_chan *chan)
{
	atomic_dec(&fake_count.mbox_chans);
}

static const struct mbox_chan_ops fake_mbox_ops = {
	.send_data = fake_mbox_send,
	.startup = fake_mbox_startup,
	.shutdown = fake_mbox_shutdown,
};

static int fake_mbox_probe(struct platform_device *pdev)
{
	struct fake_mbox *m;

	m = devm_kzalloc(&pdev->dev, sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	m->ctrl.dev = &pdev->dev;
	m->ctrl.ops = &fake_mbox_ops;
	m->ctrl.chans = m->chans;
	m->ctrl.num_chans = FAKE_MBOX_CHANS;
	return devm_mbox_controller_register(&pdev->dev, &m->ctrl);
}

static const struct of_device_id fake_mbox_of_match[] = {
	{ .compatible = "rprocd,test-mailbox" },
	{}
};

struct platform_driver fake_mbox_driver = {
	.probe = fake_mbox_probe,
	.driver = {
		.name = "qcom-scm-shim-fake-mbox",
		.of_match_table = fake_mbox_of_match,
	},
};
