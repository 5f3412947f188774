// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `--check` (lib/check/check.c) on fake sysfs/dev roots with the fake shim: a healthy board says
 * every enabled core can be started; each broken prerequisite gives a fail line with its fix
 * and makes the answer no.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "rproc/check.h"
#include "fake-kernel.h"
#include "rproc/qcom-scm-shim.h"

static struct rproc_dt dt;
static struct rproc_dt_rproc rp[2];
static const struct rproc_soc_data soc = {
	.compatible = "qcom,sa8775p-adsp-pas",
	.pas_id = 1,
	.firmware = "adsp.mbn",
};
static char fwdir[600];
static const char *dirs[1];
static struct rproc_fw_search search;
static struct rproc_check_config cfg;

static void put(const char *rel, const char *content)
{
	char p[1024], *s;
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", fk.root, rel);
	for (s = p + strlen(fk.root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static int setup(void **state)
{
	fk_setup();
	put("sys/module/vfio_platform/parameters/reset_required", "N\n");
	put("sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts", "Y\n");
	put("sys/class/vfio-dev/vfio0/dev", "511:0\n");
	put("fw/qcom/sa8775p/adsp.mbn", "ELF");
	snprintf(fwdir, sizeof(fwdir), "%s/fw", fk.root);
	dirs[0] = fwdir;
	search = (struct rproc_fw_search){ .dirs = dirs, .n_dirs = 1, .root = fk.root,
					   .release = "6.99", .class_path = "" };

	memset(rp, 0, sizeof(rp));
	snprintf(rp[0].name, sizeof(rp[0].name), "adsp");
	snprintf(rp[0].compatible, sizeof(rp[0].compatible), "qcom,sa8775p-adsp-pas");
	snprintf(rp[0].node, sizeof(rp[0].node), "/soc@0/remoteproc@30000000");
	snprintf(rp[0].device, sizeof(rp[0].device), "30000000.remoteproc");
	rp[0].enabled = true;
	rp[0].soc = &soc;
	rp[0].n_firmware = 1;
	snprintf(rp[0].firmware[0], sizeof(rp[0].firmware[0]), "qcom/sa8775p/adsp.mbn");
	rp[0].n_carveouts = 1;
	snprintf(rp[0].carveouts[0].node, sizeof(rp[0].carveouts[0].node),
		 "/reserved-memory/adsp@90000000");
	rp[0].carveouts[0].base = 0x90000000;
	rp[0].carveouts[0].size = 0x1e00000;
	rp[0].carveouts[0].no_map = true;
	rp[0].n_iommus = 1;
	rp[0].iommus[0].sid = 0x3000;
	/* A disabled core: reported, never counted against the result. */
	snprintf(rp[1].name, sizeof(rp[1].name), "cdsp1");
	snprintf(rp[1].node, sizeof(rp[1].node), "/soc@0/remoteproc@2a300000");
	rp[1].enabled = false;
	dt = (struct rproc_dt){ .n = 2, .rprocs = rp };

	cfg = (struct rproc_check_config){
		.sysfs_root = fk.sys_root,
		.dev_root = fk.dev_root,
		.search = &search,
	};
	return 0;
}

static int teardown(void **state)
{
	assert_int_equal(fk.open_fakes, 0);
	assert_int_equal(fk.live_mmaps, 0);
	fk_teardown();
	return 0;
}

static struct rproc_check_report *run(void)
{
	struct rproc_check_report *r = NULL;

	assert_int_equal(rproc_check_run(&cfg, &dt, &r), 0);
	assert_non_null(r);
	return r;
}

/* The first line of @level about @subject whose message contains @needle. */
static const struct rproc_check_line *find(const struct rproc_check_report *r,
					   enum rproc_check_level level, const char *subject,
					   const char *needle)
{
	for (size_t i = 0; i < r->n_lines; i++)
		if (r->lines[i].level == level && !strcmp(r->lines[i].subject, subject) &&
		    strstr(r->lines[i].message, needle))
			return &r->lines[i];
	return NULL;
}

static void dump(const struct rproc_check_report *r)
{
	for (size_t i = 0; i < r->n_lines; i++)
		print_message("%-4s %-6s %s%s%s\n", rproc_check_level_name(r->lines[i].level),
			      r->lines[i].subject, r->lines[i].message,
			      r->lines[i].fix[0] ? " -- fix: " : "", r->lines[i].fix);
}

static void test_healthy(void **state)
{
	struct rproc_check_report *r = run();

	if (r->n_fail)
		dump(r);
	assert_int_equal(r->n_fail, 0);
	assert_true(r->all_startable);
	assert_int_equal(r->n_cores, 2);
	assert_true(r->cores[0].startable);
	assert_string_equal(r->cores[0].backend, "shim+iommufd");
	assert_false(r->cores[1].enabled);
	assert_non_null(find(r, RPROC_CHECK_OK, "adsp", "can be started"));
	assert_non_null(find(r, RPROC_CHECK_OK, "adsp", "found at"));
	assert_non_null(find(r, RPROC_CHECK_OK, "shim", "ABI 1.1, capabilities pas,"));
	assert_non_null(find(r, RPROC_CHECK_OK, "el2", "every enabled PAS node"));
	assert_non_null(find(r, RPROC_CHECK_OK, "cdsp1", "disabled"));
	assert_string_equal(rproc_check_level_name(RPROC_CHECK_WARN), "warn");
	rproc_check_report_free(r);
}

static void test_type1_only_kernel(void **state)
{
	struct rproc_check_report *r;

	fk_remove("iommu");
	r = run();
	assert_true(r->all_startable);
	assert_string_equal(r->cores[0].backend, "shim+vfio-type1");
	assert_non_null(find(r, RPROC_CHECK_WARN, "kernel", "iommufd is not available"));
	rproc_check_report_free(r);
}

static void test_iommufd_without_type1(void **state)
{
	struct rproc_check_report *r;
	char cmd[1024];

	/* /dev/vfio/vfio without vfio_iommu_type1: iommufd's compatibility container. */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s/module/vfio_iommu_type1'", fk.sys_root);
	assert_int_equal(system(cmd), 0);
	fk.shim_caps = ~QCOM_SCM_SHIM_CAP_CARVEOUT_FD;
	r = run();
	assert_false(r->all_startable);
	assert_non_null(find(r, RPROC_CHECK_FAIL, "adsp", "no type1 fallback"));
	rproc_check_report_free(r);

	/* With the real type1 it is only a detour. */
	put("sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts", "N\n");
	r = run();
	assert_true(r->all_startable);
	assert_non_null(find(r, RPROC_CHECK_WARN, "adsp", "fall back to vfio-type1"));
	assert_non_null(find(r, RPROC_CHECK_WARN, "kernel", "MSI isolation"));
	rproc_check_report_free(r);
}

static void test_reset_required(void **state)
{
	struct rproc_check_report *r;
	const struct rproc_check_line *l;

	put("sys/module/vfio_platform/parameters/reset_required", "Y\n");
	r = run();
	l = find(r, RPROC_CHECK_FAIL, "kernel", "reset_required=Y");
	assert_non_null(l);
	assert_non_null(strstr(l->fix, "reset_required=0"));
	/* ... and the device, unbound because of it, says the same. */
	rproc_check_report_free(r);
}

static void test_kernel_managed(void **state)
{
	struct rproc_check_report *r;
	char p[1024];

	snprintf(p, sizeof(p), "%s/devices/platform/30000000.remoteproc/driver", fk.sys_root);
	unlink(p);
	assert_int_equal(symlink("../../../bus/platform/drivers/qcom_q6v5_pas", p), 0);
	r = run();
	assert_false(r->all_startable);
	assert_string_equal(r->cores[0].backend, "kernel-managed");
	assert_non_null(find(r, RPROC_CHECK_WARN, "adsp", "qcom_q6v5_pas"));
	rproc_check_report_free(r);
}

static void test_not_el2(void **state)
{
	struct rproc_check_report *r;

	rp[0].n_iommus = 0;
	r = run();
	assert_false(r->all_startable);
	assert_non_null(find(r, RPROC_CHECK_FAIL, "adsp", "has no iommus"));
	assert_non_null(find(r, RPROC_CHECK_FAIL, "el2", "1 of 1"));
	rproc_check_report_free(r);
}

static void test_carveout_not_no_map(void **state)
{
	struct rproc_check_report *r;

	rp[0].carveouts[0].no_map = false;
	r = run();
	assert_false(r->all_startable);
	assert_non_null(find(r, RPROC_CHECK_FAIL, "adsp", "not no-map"));
	rproc_check_report_free(r);
}

static void test_carveout_in_msi_window(void **state)
{
	struct rproc_check_report *r;

	rp[0].carveouts[0].base = 0x7f00000;
	r = run();
	assert_false(r->all_startable);
	assert_non_null(find(r, RPROC_CHECK_FAIL, "adsp", "MSI window"));
	rproc_check_report_free(r);
}

static void test_carveout_outside_real_ranges(void **state)
{
	struct rproc_check_report *r;
	const struct rproc_check_line *l;

	/* Open the context for real (through the fake kernel) and use its ranges. */
	cfg.open_contexts = true;
	fk.ranges[1][1] = 0x8fffffff;
	r = run();
	assert_false(r->all_startable);
	l = find(r, RPROC_CHECK_FAIL, "adsp", "outside the usable IOVA ranges");
	assert_non_null(l);
	assert_non_null(strstr(l->message, "[0x8100000-0x8fffffff]"));
	rproc_check_report_free(r);
	/* The context was torn down again. */
	assert_int_equal(fk.ioas_allocs, fk.ioas_destroys);

	fk.ranges[1][1] = 0xffffffffffULL;
	r = run();
	assert_true(r->all_startable);
	assert_non_null(find(r, RPROC_CHECK_OK, "adsp", "inside the usable IOVA ranges"));
	rproc_check_report_free(r);
}

/* qcom,devmem asking for MMIO: VFIO and iommufd cannot honour it (doc/iommu.md#attributes). */
static void test_devmem_mmio(void **state)
{
	struct rproc_devmem dm[] = {
		{ 0x110000, 0x110000, 0x4000, RPROC_IOMMU_READ | RPROC_IOMMU_WRITE, "tcsr" },
		{ 0x1f40000, 0x1f40000, 0x20000,
		  RPROC_IOMMU_READ | RPROC_IOMMU_WRITE | RPROC_IOMMU_MMIO | RPROC_IOMMU_NOEXEC,
		  "lpass-regs" },
	};
	struct rproc_check_report *r;
	const struct rproc_check_line *l;

	rp[0].devmem = dm;
	rp[0].n_devmem = sizeof(dm) / sizeof(dm[0]);
	fk_remove("iommu");
	r = run();
	l = find(r, RPROC_CHECK_WARN, "adsp", "asks for MMIO");
	assert_non_null(l);
	assert_non_null(strstr(l->message, "lpass-regs [0x1f40000+0x20000]"));
	assert_non_null(strstr(l->message, "vfio-type1 maps it as normal write-back cacheable"));
	assert_non_null(strstr(l->message, "and executable"));
	assert_non_null(strstr(l->fix, "qcom_q6v5_pas"));
	assert_null(find(r, RPROC_CHECK_WARN, "adsp", "tcsr"));
	/* a warning, not a reason to refuse the start */
	assert_true(r->all_startable);
	rproc_check_report_free(r);
	rp[0].devmem = NULL;
	rp[0].n_devmem = 0;
}

static void test_firmware_missing(void **state)
{
	struct rproc_check_report *r;
	const struct rproc_check_line *l;

	snprintf(rp[0].firmware[0], sizeof(rp[0].firmware[0]), "qcom/sa8775p/nope.mbn");
	r = run();
	assert_false(r->all_startable);
	l = find(r, RPROC_CHECK_FAIL, "adsp", "nope.mbn");
	assert_non_null(l);
	assert_non_null(strstr(l->message, fwdir)); /* the paths tried */
	rproc_check_report_free(r);
}

static void test_shim_missing(void **state)
{
	struct rproc_check_report *r;

	fk_remove("qcom_scm_shim");
	r = run();
	assert_false(r->all_startable);
	assert_non_null(find(r, RPROC_CHECK_FAIL, "shim", "missing"));
	assert_non_null(strstr(find(r, RPROC_CHECK_FAIL, "shim", "missing")->fix,
			       "modprobe qcom_scm_shim"));
	assert_false(r->cores[0].startable);
	rproc_check_report_free(r);
}

static void test_shim_without_smp2p(void **state)
{
	struct rproc_check_report *r;

	fk.shim_caps = ~(QCOM_SCM_SHIM_CAP_SMP2P_IN | QCOM_SCM_SHIM_CAP_STOP_BIT);
	r = run();
	assert_non_null(find(r, RPROC_CHECK_FAIL, "shim", "no SMP2P interrupts"));
	assert_non_null(find(r, RPROC_CHECK_WARN, "shim", "no stop bit"));
	assert_non_null(strstr(find(r, RPROC_CHECK_WARN, "shim", "no stop bit")->fix,
			       "CONFIG_QCOM_SMEM_STATE"));
	rproc_check_report_free(r);
}

static void test_shim_test_build_without_glink(void **state)
{
	struct rproc_check_report *r;

	fk.shim_flags = QCOM_SCM_SHIM_VERSION_TEST_BUILD;
	fk.shim_caps = ~(QCOM_SCM_SHIM_CAP_GLINK | QCOM_SCM_SHIM_CAP_CARVEOUT_FD);
	r = run();
	assert_non_null(find(r, RPROC_CHECK_WARN, "shim", "test build"));
	assert_non_null(find(r, RPROC_CHECK_WARN, "shim", "no glink edge"));
	assert_null(find(r, RPROC_CHECK_WARN, "shim", "no load_state"));
	rproc_check_report_free(r);
}

static void test_unknown_compatible_and_no_vfio(void **state)
{
	struct rproc_check_report *r;
	char p[1024];

	rp[0].soc = NULL;
	snprintf(p, sizeof(p), "%s/module/vfio_platform", fk.sys_root);
	{
		char cmd[1100];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", p);
		assert_int_equal(system(cmd), 0);
	}
	r = run();
	assert_non_null(find(r, RPROC_CHECK_FAIL, "adsp", "not in the SoC table"));
	assert_non_null(find(r, RPROC_CHECK_FAIL, "kernel", "vfio-platform is not loaded"));
	assert_false(r->all_startable);
	rproc_check_report_free(r);
}

static int pas_id_for(void *ud, const char *core)
{
	return strcmp(core, "adsp") ? -1 : 1;
}

static void test_unknown_compatible_with_pas_id(void **state)
{
	struct rproc_check_report *r;

	rp[0].soc = NULL;
	cfg.pas_id_override = pas_id_for;
	r = run();
	assert_true(r->all_startable);
	assert_non_null(find(r, RPROC_CHECK_OK, "adsp", "comes from the configuration"));
	rproc_check_report_free(r);
}

static const char *vfio_device_for(void *ud, const char *core)
{
	return strcmp(core, "adsp") ? NULL : "pci/0000:00:02.0";
}

static void sys_link(const char *rel, const char *target)
{
	char p[1024];

	snprintf(p, sizeof(p), "%s/%s", fk.sys_root, rel);
	assert_int_equal(symlink(target, p), 0);
}

/* VfioDevice= (bring-up and tests): the PCI device is checked, the platform device is not. */
static void test_vfio_device_override(void **state)
{
	struct rproc_check_report *r;
	char p[1024];

	snprintf(p, sizeof(p), "%s/bus/platform/devices/30000000.remoteproc", fk.sys_root);
	assert_int_equal(unlink(p), 0);
	put("sys/bus/pci/drivers/vfio-pci/.keep", "");
	put("sys/bus/pci/devices/.keep", "");
	put("sys/devices/pci0000:00/0000:00:02.0/vendor", "0x1234\n");
	sys_link("devices/pci0000:00/0000:00:02.0/iommu_group", "../../../kernel/iommu_groups/5");
	sys_link("devices/pci0000:00/0000:00:02.0/driver", "../../../bus/pci/drivers/vfio-pci");
	sys_link("bus/pci/devices/0000:00:02.0", "../../../devices/pci0000:00/0000:00:02.0");
	r = run();
	assert_non_null(find(r, RPROC_CHECK_FAIL, "adsp", "platform device 30000000.remoteproc"));
	rproc_check_report_free(r);

	cfg.vfio_device_override = vfio_device_for;
	r = run();
	if (r->n_fail)
		dump(r);
	assert_non_null(find(r, RPROC_CHECK_WARN, "adsp", "VfioDevice=pci/0000:00:02.0"));
	assert_non_null(find(r, RPROC_CHECK_OK, "adsp", "0000:00:02.0 is bound to vfio-pci"));
	assert_int_equal(r->n_fail, 0);
	rproc_check_report_free(r);
}

static void test_no_dt(void **state)
{
	struct rproc_check_report *r = NULL;

	assert_int_equal(rproc_check_run(&cfg, NULL, &r), 0);
	assert_int_equal(r->n_cores, 0);
	assert_non_null(find(r, RPROC_CHECK_WARN, "el2", "no enabled PAS"));
	rproc_check_report_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_healthy),
		T(test_type1_only_kernel),
		T(test_iommufd_without_type1),
		T(test_reset_required),
		T(test_kernel_managed),
		T(test_not_el2),
		T(test_carveout_not_no_map),
		T(test_carveout_in_msi_window),
		T(test_carveout_outside_real_ranges),
		T(test_devmem_mmio),
		T(test_firmware_missing),
		T(test_shim_missing),
		T(test_shim_without_smp2p),
		T(test_shim_test_build_without_glink),
		T(test_unknown_compatible_and_no_vfio),
		T(test_unknown_compatible_with_pas_id),
		T(test_vfio_device_override),
		T(test_no_dt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
