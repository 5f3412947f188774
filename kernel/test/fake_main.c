// SPDX-License-Identifier: GPL-2.0-only
/*
 * qcom_scm_shim_fake: registers the fake SoC's drivers and the fake TrustZone with the test
 * build of the shim (qcom_scm_shim_test.ko), and shows in debugfs what is outstanding:
 *
 *   /sys/kernel/debug/qcom_scm_shim_fake/state   "key value" lines: "held" sums what a started
 *                                                core holds (running, metadata, bridges,
 *                                                votes, stop bit), "outstanding" adds what an
 *                                                open file keeps for the core's life
 *                                                (interrupt handlers, the AOSS QMP handle)
 *   /sys/kernel/debug/qcom_scm_shim_fake/crash   write "<smp2p device> fatal|wdog <reason>"
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "fake.h"

struct fake_counters fake_count;
static struct dentry *fake_dir;

static int fake_state_show(struct seq_file *s, void *unused)
{
	unsigned int held = 0, registered = 0;

#define SHOW(name, sum)                                                                    \
	do {                                                                               \
		int v = atomic_read(&fake_count.name);                                     \
		seq_printf(s, #name " %d\n", v);                                           \
		(sum) += v;                                                                \
	} while (0)
#define SHOW_CALLS(name) seq_printf(s, "calls." #name " %d\n", atomic_read(&fake_count.name))
	SHOW(metadata, held);
	SHOW(bridges, held);
	SHOW(load_state, held);
	SHOW(pd_on, held);
	SHOW(pd_perf, held);
	SHOW(clk_on, held);
	SHOW(mbox_chans, held);
	SHOW(qmp_handles, registered);
	SHOW_CALLS(init_image);
	SHOW_CALLS(mem_setup);
	SHOW_CALLS(auth_ok);
	SHOW_CALLS(auth_fail);
	SHOW_CALLS(shutdown);
	SHOW_CALLS(remote_state);
	SHOW_CALLS(pd_power_on);
	SHOW_CALLS(clk_enable);
	SHOW_CALLS(load_state_on);
	SHOW_CALLS(mbox_kicks);
#undef SHOW
#undef SHOW_CALLS
	fake_tz_show(s, &held);
	fake_dsp_show(s, &held, &registered);
	seq_printf(s, "held %u\n", held);
	seq_printf(s, "outstanding %u\n", held + registered);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(fake_state);

static ssize_t fake_crash_write(struct file *file, const char __user *ubuf, size_t len,
				loff_t *ppos)
{
	char *buf, *p, *dev, *kind;
	struct fake_dsp *dsp;
	int ret;

	if (len > FAKE_SMEM_ITEM_SIZE + 64)
		return -E2BIG;
	buf = memdup_user_nul(ubuf, len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	p = strim(buf);
	dev = strsep(&p, " ");
	kind = strsep(&p, " ");
	if (!kind || (strcmp(kind, "fatal") && strcmp(kind, "wdog"))) {
		ret = -EINVAL;
		goto out;
	}
	dsp = fake_dsp_by_name(dev);
	if (!dsp) {
		ret = -ENODEV;
		goto out;
	}
	ret = fake_dsp_crash(dsp, p ? p : "", !strcmp(kind, "wdog"));
out:
	kfree(buf);
	return ret ? ret : len;
}

static const struct file_operations fake_crash_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = fake_crash_write,
	.llseek = noop_llseek,
};

static struct platform_driver *const fake_drivers[] = {
	&fake_pd_driver,
	&fake_clk_driver,
	&fake_mbox_driver,
	&fake_smp2p_driver,
};

static int __init fake_init(void)
{
	int ret;

	ret = platform_register_drivers(fake_drivers, ARRAY_SIZE(fake_drivers));
	if (ret)
		return ret;
	ret = fake_tz_register();
	if (ret) {
		pr_err("cannot register the fake TrustZone with the shim: %d\n", ret);
		platform_unregister_drivers(fake_drivers, ARRAY_SIZE(fake_drivers));
		return ret;
	}
	fake_dir = debugfs_create_dir(FAKE_NAME, NULL);
	debugfs_create_file("state", 0400, fake_dir, NULL, &fake_state_fops);
	debugfs_create_file("crash", 0200, fake_dir, NULL, &fake_crash_fops);
	return 0;
}

static void __exit fake_exit(void)
{
	debugfs_remove_recursive(fake_dir);
	fake_tz_unregister();
	platform_unregister_drivers(fake_drivers, ARRAY_SIZE(fake_drivers));
}

module_init(fake_init);
module_exit(fake_exit);

MODULE_DESCRIPTION("Fake Qualcomm SoC (TrustZone, SMP2P, SMEM, power domains) for the qcom-scm shim's tests");
MODULE_LICENSE("GPL");
