// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Device discovery and diagnosis (lib/backend/real/devices.c) against umockdev's fake sysfs: each
 * wrong state gets its diagnosis and fix, and the udev-monitor wait ends on an event or on
 * the timeout.  Runs with libumockdev-preload in LD_PRELOAD (see meson.build).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/vfio.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <umockdev.h>

#include <cmocka.h>

#include "devices.h"
#include "fake-kernel.h"
#include "rproc/qcom-scm-shim.h"
#include "rproc/real.h"

#define DEV "30000000.remoteproc"
#define SYSPATH "/sys/devices/platform/" DEV

static UMockdevTestbed *tb;
static char devroot[64];
static gchar *sysdir;

static void sys_mkdir(const char *rel)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/%s'", sysdir, rel);
	assert_int_equal(system(cmd), 0);
}

static void sys_write(const char *rel, const char *val)
{
	char p[1024];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", sysdir, rel);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(val, f);
	fclose(f);
}

static void add_device(const char *name, const char *override)
{
	char rec[512];
	GError *e = NULL;

	snprintf(rec, sizeof(rec), "P: /devices/platform/%s\nE: SUBSYSTEM=platform\n"
		 "A: driver_override=%s\\n\n", name, override);
	if (!umockdev_testbed_add_from_string(tb, rec, &e))
		fail_msg("umockdev: %s", e->message);
}

static void link_attr(const char *name, const char *attr, const char *target)
{
	char dev[256];

	snprintf(dev, sizeof(dev), "/sys/devices/platform/%s", name);
	umockdev_testbed_set_attribute_link(tb, dev, attr, target);
}

static void make_node(const char *rel)
{
	char p[256];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", devroot, rel);
	mkdir(devroot, 0755);
	{
		char d[256];

		snprintf(d, sizeof(d), "%s/vfio", devroot);
		mkdir(d, 0755);
	}
	fd = open(p, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
}

static int setup(void **state)
{
	const char *pre = getenv("LD_PRELOAD");

	if (!pre || !strstr(pre, "libumockdev-preload"))
		return -1;
	tb = umockdev_testbed_new();
	sysdir = umockdev_testbed_get_sys_dir(tb);
	snprintf(devroot, sizeof(devroot), "/tmp/rprocd-devs-XXXXXX");
	assert_non_null(mkdtemp(devroot));
	/* A healthy vfio-platform: loaded, reset_required=N. */
	sys_mkdir("module/vfio_platform/parameters");
	sys_write("module/vfio_platform/parameters/reset_required", "N\n");
	return 0;
}

static int teardown(void **state)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", devroot);
	assert_int_equal(system(cmd), 0);
	g_free(sysdir);
	g_object_unref(tb);
	return 0;
}

static struct rproc_dev_env env_for(void)
{
	return (struct rproc_dev_env){ .dev_root = devroot };
}

static void probe(struct rproc_dev_info *info)
{
	struct rproc_dev_env env = env_for();

	assert_int_equal(rproc_dev_probe(&env, DEV, info), 0);
}

static void healthy_device(void)
{
	add_device(DEV, "vfio-platform");
	link_attr(DEV, "driver", "../../../bus/platform/drivers/vfio-platform");
	link_attr(DEV, "iommu_group", "../../../kernel/iommu_groups/7");
	sys_mkdir("kernel/iommu_groups/7/devices");
	sys_mkdir("devices/platform/" DEV "/vfio-dev/vfio3");
}

static void test_ready(void **state)
{
	struct rproc_dev_info info;

	healthy_device();
	make_node("vfio/7");
	probe(&info);
	assert_int_equal(info.state, RPROC_DEV_READY);
	assert_string_equal(info.driver, "vfio-platform");
	assert_string_equal(info.driver_override, "vfio-platform");
	assert_int_equal(info.group, 7);
	assert_string_equal(info.cdev, "vfio3");
	assert_string_equal(info.syspath, SYSPATH);
	assert_string_equal(info.message, "");
}

static void test_missing(void **state)
{
	struct rproc_dev_info info;

	probe(&info);
	assert_int_equal(info.state, RPROC_DEV_MISSING);
	assert_non_null(strstr(info.message, "does not exist"));
}

static void test_kernel_managed(void **state)
{
	struct rproc_dev_info info;

	add_device(DEV, "(null)");
	link_attr(DEV, "driver", "../../../bus/platform/drivers/qcom_q6v5_pas");
	probe(&info);
	assert_int_equal(info.state, RPROC_DEV_KERNEL_MANAGED);
	assert_non_null(strstr(info.message, "leaves it alone"));
	assert_non_null(strstr(info.fix, "driver/unbind"));
}

static void test_other_driver(void **state)
{
	struct rproc_dev_info info;

	add_device(DEV, "(null)");
	link_attr(DEV, "driver", "../../../bus/platform/drivers/some_driver");
	probe(&info);
	assert_int_equal(info.state, RPROC_DEV_OTHER_DRIVER);
	assert_non_null(strstr(info.message, "some_driver"));
}

static void test_no_vfio_module(void **state)
{
	struct rproc_dev_info info;
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s/module/vfio_platform'", sysdir);
	assert_int_equal(system(cmd), 0);
	add_device(DEV, "(null)");
	probe(&info);
	assert_int_equal(info.state, RPROC_DEV_NO_VFIO_MODULE);
	assert_non_null(strstr(info.fix, "modprobe vfio-platform reset_required=0"));
}

static void test_reset_required(void **state)
{
	struct rproc_dev_info info;

	sys_write("module/vfio_platform/parameters/reset_required", "Y\n");
	add_device(DEV, "vfio-platform");
	probe(&info);
	assert_int_equal(info.state, RPROC_DEV_RESET_REQUIRED);
	assert_non_null(strstr(info.fix, "reset_required=0"));
}

static void test_unbound_no_override(void **state)
{
	struct rproc_dev_info info;

	add_device(DEV, "(null)");
	probe(&info);
	assert_int_equal(info.state, RPROC_DEV_UNBOUND);
	assert_string_equal(info.driver_override, "");
	assert_non_null(strstr(info.fix, "echo vfio-platform > " SYSPATH "/driver_override"));
	assert_non_null(strstr(info.fix, "drivers_probe"));
}

static void test_unbound_with_override(void **state)
{
	struct rproc_dev_info info;

	add_device(DEV, "vfio-platform");
	probe(&info);
	assert_int_equal(info.state, RPROC_DEV_UNBOUND);
	assert_non_null(strstr(info.message, "not bound"));
	assert_non_null(strstr(info.fix, "echo " DEV " > /sys/bus/platform/drivers_probe"));
}

static void test_no_group(void **state)
{
	struct rproc_dev_info info;

	add_device(DEV, "vfio-platform");
	link_attr(DEV, "driver", "../../../bus/platform/drivers/vfio-platform");
	probe(&info);
	assert_int_equal(info.state, RPROC_DEV_NO_GROUP);
	assert_non_null(strstr(info.fix, "iommus"));
}

static void test_group_not_viable(void **state)
{
	struct rproc_dev_info info;
	char p[1024];

	healthy_device();
	make_node("vfio/7");
	add_device("a000000.dma", "(null)");
	link_attr("a000000.dma", "driver", "../../../bus/platform/drivers/bam-dma");
	snprintf(p, sizeof(p), "%s/kernel/iommu_groups/7/devices/a000000.dma", sysdir);
	assert_int_equal(symlink("../../../../devices/platform/a000000.dma", p), 0);
	snprintf(p, sizeof(p), "%s/kernel/iommu_groups/7/devices/" DEV, sysdir);
	assert_int_equal(symlink("../../../../devices/platform/" DEV, p), 0);
	probe(&info);
	assert_int_equal(info.state, RPROC_DEV_GROUP_NOT_VIABLE);
	assert_non_null(strstr(info.message, "a000000.dma (bound to bam-dma)"));
	assert_null(strstr(info.message, DEV " (bound"));
}

static void test_node_missing(void **state)
{
	struct rproc_dev_info info;

	healthy_device();
	probe(&info);
	assert_int_equal(info.state, RPROC_DEV_NODE_ACCESS);
	assert_non_null(strstr(info.message, "missing"));
	assert_non_null(strstr(info.fix, "udev"));
	/* The cdev alone is enough (iommufd). */
	make_node("vfio/devices");
	{
		char p[256];

		snprintf(p, sizeof(p), "%s/vfio/devices", devroot);
		unlink(p);
		mkdir(p, 0755);
	}
	make_node("vfio/devices/vfio3");
	probe(&info);
	assert_int_equal(info.state, RPROC_DEV_READY);
}

static void test_bad_name(void **state)
{
	struct rproc_dev_env env = env_for();
	struct rproc_dev_info info;

	assert_int_equal(rproc_dev_probe(&env, "../x", &info), -EINVAL);
	assert_int_equal(rproc_dev_probe(&env, "", &info), -EINVAL);
}

static void test_wait_timeout(void **state)
{
	struct rproc_dev_env env = env_for();
	struct rproc_dev_info info;
	struct rproc_error err = { 0 };

	assert_int_equal(rproc_dev_wait(&env, DEV, 50, &info, &err), -ETIMEDOUT);
	assert_int_equal(info.state, RPROC_DEV_MISSING);
	assert_non_null(strstr(err.msg, "not ready after 50 ms"));
	assert_non_null(strstr(err.msg, "fix:"));
}

static void test_wait_kernel_managed(void **state)
{
	struct rproc_dev_env env = env_for();
	struct rproc_dev_info info;
	struct rproc_error err = { 0 };

	add_device(DEV, "(null)");
	link_attr(DEV, "driver", "../../../bus/platform/drivers/qcom_q6v5_pas");
	/* No point waiting: it would only return at the (long) timeout if it waited. */
	assert_int_equal(rproc_dev_wait(&env, DEV, 600000, &info, &err), -EPERM);
	assert_non_null(strstr(err.msg, "kernel-managed"));
}

static void *late_bind(void *arg)
{
	/* The device gets bound while the waiter sleeps in poll(). */
	usleep(20000);
	link_attr(DEV, "driver", "../../../bus/platform/drivers/vfio-platform");
	umockdev_testbed_uevent(tb, SYSPATH, "bind");
	return NULL;
}

static void test_wait_late_device(void **state)
{
	struct rproc_dev_env env = env_for();
	struct rproc_dev_info info;
	struct rproc_error err = { 0 };
	pthread_t t;

	add_device(DEV, "vfio-platform");
	link_attr(DEV, "iommu_group", "../../../kernel/iommu_groups/7");
	sys_mkdir("kernel/iommu_groups/7/devices");
	make_node("vfio/7");
	assert_int_equal(pthread_create(&t, NULL, late_bind, NULL), 0);
	/* A generous timeout: the uevent ends the wait, not the clock. */
	assert_int_equal(rproc_dev_wait(&env, DEV, 600000, &info, &err), 0);
	pthread_join(t, NULL);
	assert_int_equal(info.state, RPROC_DEV_READY);
}

/* The real backend on the fake kernel's shim, type1, waiting at most 100 ms for a device. */
static void type1_config(struct rproc_real_config *c, const char *shim)
{
	rproc_real_config_defaults(c);
	c->iommu = RPROC_REAL_IOMMU_TYPE1;
	c->shim_path = shim;
	c->dev_root = fk.dev_root;
	c->device_timeout_ms = 100;
}

/* The real backend end to end in udev mode: libudev finds the device in the testbed, the
 * VFIO layer reads its group link, the fake kernel answers the ioctls. */
static void test_real_backend_udev(void **state)
{
	struct rproc_desc d = { .name = "adsp", .device = DEV, .pas_id = 1 };
	struct rproc_real_config c;
	struct rproc_error err = { 0 };
	struct rproc_backend *b;
	char shim[512];
	void *dom;

	fk_setup();
	snprintf(shim, sizeof(shim), "%s/qcom_scm_shim", fk.dev_root);
	add_device(DEV, "vfio-platform");
	link_attr(DEV, "driver", "../../../bus/platform/drivers/vfio-platform");
	link_attr(DEV, "iommu_group", "../../../kernel/iommu_groups/5");
	sys_mkdir("kernel/iommu_groups/5/devices");
	type1_config(&c, shim);
	assert_int_equal(rproc_real_backend_new(&c, &b, &err), 0);
	assert_int_equal(b->iommu->open(b->iommu_ctx, &d, &dom), 0);
	assert_int_equal(fk_count(VFIO_GROUP_GET_DEVICE_FD), 1);
	assert_string_equal((const char *)fk_find(VFIO_GROUP_GET_DEVICE_FD, 0)->arg, DEV);
	assert_int_equal(b->iommu->map(dom, 0x90000000, 0x90000000, 0x10000, 3), 0);
	assert_int_equal(b->iommu->unmap(dom, 0x90000000, 0x10000), 0);
	b->iommu->close(dom);
	rproc_backend_destroy(b);
	assert_int_equal(fk.open_fakes, 0);
	assert_int_equal(fk.live_mmaps, 0);
	fk_teardown();
}

/* A kernel-managed device: the backend refuses it at once, without waiting. */
static void test_real_backend_kernel_managed(void **state)
{
	struct rproc_desc d = { .name = "adsp", .device = DEV, .pas_id = 1 };
	struct rproc_real_config c;
	struct rproc_error err = { 0 };
	struct rproc_backend *b;
	char shim[512];
	void *dom;

	fk_setup();
	snprintf(shim, sizeof(shim), "%s/qcom_scm_shim", fk.dev_root);
	add_device(DEV, "(null)");
	link_attr(DEV, "driver", "../../../bus/platform/drivers/qcom_q6v5_pas");
	rproc_real_config_defaults(&c);
	c.shim_path = shim;
	c.dev_root = fk.dev_root;
	c.device_timeout_ms = 600000;
	assert_int_equal(rproc_real_backend_new(&c, &b, &err), 0);
	assert_int_equal(b->iommu->open(b->iommu_ctx, &d, &dom), -EPERM);
	assert_int_equal(fk_count(FK_OPEN(FK_CONTAINER)) + fk_count(FK_OPEN(FK_IOMMUFD)), 0);
	rproc_backend_destroy(b);
	assert_int_equal(fk.open_fakes, 0);
	fk_teardown();
}

/*
 * VfioDevice= (bring-up and tests): the IOMMU context is another bus's device, found through
 * libudev in its own subsystem; its interrupts are not taken for the core's.  Without the
 * setting the same backend looks for the PAS node's platform device, which is not there.
 */
static void test_real_backend_vfio_device(void **state)
{
	const struct rproc_real_vfio_device vd = { .core = "adsp", .device = "pci/0000:00:02.0" };
	struct rproc_desc d = { .name = "adsp", .device = DEV, .pas_id = 1 };
	struct rproc_real_config c;
	struct rproc_error err = { 0 };
	struct rproc_backend *b;
	char shim[512], rec[512];
	GError *e = NULL;
	int fds[RPROC_IRQ_COUNT];
	void *dom;

	fk_setup();
	snprintf(shim, sizeof(shim), "%s/qcom_scm_shim", fk.dev_root);
	snprintf(rec, sizeof(rec), "P: /devices/pci0000:00/0000:00:02.0\nE: SUBSYSTEM=pci\n"
		 "A: driver_override=vfio-pci\\n\n");
	if (!umockdev_testbed_add_from_string(tb, rec, &e))
		fail_msg("umockdev: %s", e->message);
	umockdev_testbed_set_attribute_link(tb, "/sys/devices/pci0000:00/0000:00:02.0", "driver",
					    "../../../bus/pci/drivers/vfio-pci");
	umockdev_testbed_set_attribute_link(tb, "/sys/devices/pci0000:00/0000:00:02.0",
					    "iommu_group", "../../../kernel/iommu_groups/5");
	sys_mkdir("kernel/iommu_groups/5/devices");
	type1_config(&c, shim);

	assert_int_equal(rproc_real_backend_new(&c, &b, &err), 0);
	assert_int_equal(b->iommu->open(b->iommu_ctx, &d, &dom), -ETIMEDOUT);
	assert_int_equal(fk_count(VFIO_GROUP_GET_DEVICE_FD), 0);
	rproc_backend_destroy(b);

	c.vfio_devices = &vd;
	c.n_vfio_devices = 1;
	assert_int_equal(rproc_real_backend_new(&c, &b, &err), 0);
	assert_int_equal(b->iommu->open(b->iommu_ctx, &d, &dom), 0);
	assert_int_equal(fk_count(VFIO_GROUP_GET_DEVICE_FD), 1);
	assert_string_equal((const char *)fk_find(VFIO_GROUP_GET_DEVICE_FD, 0)->arg, "0000:00:02.0");
	assert_int_equal(b->iommu->map(dom, 0x90000000, 0x90000000, 0x10000, 3), 0);
	assert_int_equal(b->irq->open(b->irq_ctx, &d, fds), 0);
	/* Every line through the shim, none from the stand-in's VFIO device. */
	assert_int_equal(fk_count(VFIO_DEVICE_GET_IRQ_INFO), 0);
	assert_int_equal(fk_count(QCOM_SCM_SHIM_SET_IRQ_EVENTFD), RPROC_IRQ_COUNT);
	b->irq->close(b->irq_ctx, &d);
	assert_int_equal(b->iommu->unmap(dom, 0x90000000, 0x10000), 0);
	b->iommu->close(dom);
	rproc_backend_destroy(b);
	assert_int_equal(fk.open_fakes, 0);
	assert_int_equal(fk.live_mmaps, 0);
	fk_teardown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_ready),
		T(test_missing),
		T(test_kernel_managed),
		T(test_other_driver),
		T(test_no_vfio_module),
		T(test_reset_required),
		T(test_unbound_no_override),
		T(test_unbound_with_override),
		T(test_no_group),
		T(test_group_not_viable),
		T(test_node_missing),
		T(test_bad_name),
		T(test_wait_timeout),
		T(test_wait_kernel_managed),
		T(test_wait_late_device),
		T(test_real_backend_udev),
		T(test_real_backend_vfio_device),
		T(test_real_backend_kernel_managed),
	};
	const char *pre = getenv("LD_PRELOAD");

	if (!pre || !strstr(pre, "libumockdev-preload")) {
		fprintf(stderr, "needs LD_PRELOAD=libumockdev-preload.so.0 (umockdev-wrapper)\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
