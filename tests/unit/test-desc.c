// SPDX-License-Identifier: GPL-2.0-or-later
/* lib/parse/desc.c: device tree entry + SoC data + configuration -> struct rproc_desc. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rproc/backend.h"
#include "fixture.h"

static struct rproc_dt *parse_fixture(const char *name)
{
	char path[4096];
	struct rproc_error err = { 0 };
	struct rproc_dt *dt = NULL;
	void *blob = NULL;
	size_t len;

	assert_non_null(fixture_path(name, path, sizeof(path)));
	if (rproc_dt_read_file(path, &blob, &len, &err) < 0 ||
	    rproc_dt_parse(blob, len, &dt, &err) < 0)
		fail_msg("%s: %s", name, err.msg);
	free(blob);
	return dt;
}

/* A copy of a DT entry that tests may edit (shares no devmem). */
static struct rproc_dt_rproc entry(const char *fixture, const char *name)
{
	struct rproc_dt *dt = parse_fixture(fixture);
	const struct rproc_dt_rproc *r = rproc_dt_find(dt, name);
	struct rproc_dt_rproc copy;

	if (!r)
		fail_msg("%s: no %s", fixture, name);
	copy = *r;
	copy.devmem = NULL;
	copy.n_devmem = 0;
	rproc_dt_free(dt);
	return copy;
}

/* Expect failure @code whose message contains @needle; the description is left empty. */
static void expect_fail(const struct rproc_dt_rproc *r, int pas, const char *fw, int code,
			const char *needle)
{
	struct rproc_error err = { 0 };
	struct rproc_desc d;
	int ret;

	memset(&d, 0x5a, sizeof(d));
	ret = rproc_desc_from_dt(r, pas, fw, &d, &err);
	if (ret != code)
		fail_msg("expected %d, got %d (%s)", code, ret, err.msg);
	if (!strstr(err.msg, needle))
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, needle);
	assert_null(d.devmem);
	assert_int_equal(d.n_firmware, 0);
	assert_int_equal(d.n_carveouts, 0);
}

static void test_sa8775p(void **state)
{
	struct rproc_dt_rproc r = entry("lemans-el2", "cdsp1");
	struct rproc_error err = { 0 };
	struct rproc_desc d;

	assert_int_equal(rproc_desc_from_dt(&r, -1, NULL, &d, &err), 0);
	assert_string_equal(d.name, "cdsp1");
	assert_string_equal(d.compatible, "qcom,sa8775p-cdsp1-pas");
	assert_string_equal(d.device, "2a300000.remoteproc");
	assert_string_equal(d.node, "/soc@0/remoteproc@2a300000");
	assert_int_equal(d.pas_id, 30);
	assert_int_equal(d.dtb_pas_id, RPROC_NO_ID);
	assert_int_equal(d.lite_pas_id, RPROC_NO_ID);
	assert_int_equal(d.crash_reason_smem, 633);
	assert_int_equal(d.minidump_id, 20);
	assert_false(d.decrypt_shutdown);
	assert_int_equal(d.n_firmware, 1);
	assert_string_equal(d.firmware[0], "qcom/sa8775p/cdsp1.mbn");
	assert_int_equal(d.n_carveouts, 1);
	assert_int_equal(d.carveouts[0].base, 0x9d400000);
	assert_int_equal(d.carveouts[0].size, 0x1e00000);
	assert_true(d.carveouts[0].no_map);
	assert_int_equal(d.n_iommus, 1);
	assert_int_equal(d.iommus[0].sid, 0x29c0);
	assert_int_equal(d.iommus[0].mask, 0x400);
	assert_int_equal(d.n_devmem, 0);
	assert_null(d.devmem);
	rproc_desc_clear(&d);
}

static void test_overrides(void **state)
{
	struct rproc_dt_rproc r = entry("lemans-el2", "adsp");
	struct rproc_error err = { 0 };
	struct rproc_desc d;

	/* A configured PAS id wins over the table; a configured name replaces the main one. */
	assert_int_equal(rproc_desc_from_dt(&r, 7, "custom/adsp-test.mbn", &d, &err), 0);
	assert_int_equal(d.pas_id, 7);
	assert_string_equal(d.firmware[0], "custom/adsp-test.mbn");
	assert_int_equal(d.n_firmware, 1);
	assert_int_equal(d.crash_reason_smem, 423);
	rproc_desc_clear(&d);

	/* PAS id 0 is a valid override. */
	assert_int_equal(rproc_desc_from_dt(&r, 0, NULL, &d, &err), 0);
	assert_int_equal(d.pas_id, 0);
	rproc_desc_clear(&d);

	/* Without firmware-name the driver's default applies. */
	r.n_firmware = 0;
	assert_int_equal(rproc_desc_from_dt(&r, -1, NULL, &d, &err), 0);
	assert_string_equal(d.firmware[0], "adsp.mbn");
	rproc_desc_clear(&d);
}

static void test_bad_firmware_names(void **state)
{
	struct rproc_dt_rproc r = entry("lemans-el2", "adsp");

	expect_fail(&r, -1, "../../etc/passwd", -EINVAL, "main firmware name");
	expect_fail(&r, -1, "/lib/firmware/adsp.mbn", -EINVAL, "adsp");
	strcpy(r.firmware[0], "qcom/../../secret");
	expect_fail(&r, -1, NULL, -EINVAL, "qcom/../../secret");
}

static void test_dtb_image(void **state)
{
	struct rproc_dt_rproc r = entry("x1e80100", "adsp");
	struct rproc_error err = { 0 };
	struct rproc_desc d;

	assert_int_equal(rproc_desc_from_dt(&r, -1, NULL, &d, &err), 0);
	assert_int_equal(d.pas_id, 1);
	assert_int_equal(d.dtb_pas_id, 0x24);
	assert_int_equal(d.lite_pas_id, 0x1f);
	assert_int_equal(d.n_firmware, 2);
	assert_string_equal(d.firmware[0], "qcom/x1e80100/adsp.mbn");
	assert_string_equal(d.firmware[1], "qcom/x1e80100/adsp_dtb.mbn");
	assert_int_equal(d.n_carveouts, 2);
	assert_int_equal(d.carveouts[0].base, 0x87e00000);
	assert_int_equal(d.carveouts[1].base, 0x8b800000);
	assert_int_equal(d.carveouts[1].size, 0x80000);
	assert_int_equal(d.n_iommus, 0);
	rproc_desc_clear(&d);

	/* Main name overridden: the DTB image keeps the DT's second name. */
	assert_int_equal(rproc_desc_from_dt(&r, -1, "x/main.mbn", &d, &err), 0);
	assert_string_equal(d.firmware[0], "x/main.mbn");
	assert_string_equal(d.firmware[1], "qcom/x1e80100/adsp_dtb.mbn");
	rproc_desc_clear(&d);

	/* One firmware-name: the DTB image takes the driver's default name. */
	r.n_firmware = 1;
	assert_int_equal(rproc_desc_from_dt(&r, -1, NULL, &d, &err), 0);
	assert_string_equal(d.firmware[1], "adsp_dtb.mdt");
	rproc_desc_clear(&d);

	/* The DTB image needs its own carveout. */
	r.n_carveouts = 1;
	expect_fail(&r, -1, NULL, -EINVAL, "second one");

	r = entry("x1e80100", "cdsp");
	strcpy(r.firmware[1], "bad\x01name");
	expect_fail(&r, -1, NULL, -EINVAL, "DTB firmware name");
}

/* A second firmware-name/memory-region on a SoC without a DTB image is not used. */
static void test_dtb_ignored(void **state)
{
	struct rproc_dt_rproc r = entry("x1e80100", "cdsp");
	struct rproc_error err = { 0 };
	struct rproc_desc d;

	r.soc = rproc_soc_lookup("qcom,sm8250-cdsp-pas");
	assert_int_equal(rproc_desc_from_dt(&r, -1, NULL, &d, &err), 0);
	assert_int_equal(d.n_firmware, 1);
	assert_int_equal(d.n_carveouts, 1);
	assert_int_equal(d.dtb_pas_id, RPROC_NO_ID);
	rproc_desc_clear(&d);
}

static void test_unknown_compatible(void **state)
{
	struct rproc_dt_rproc r = entry("odd", "dsp");
	struct rproc_error err = { 0 };
	struct rproc_desc d;

	expect_fail(&r, -1, NULL, -ENOENT,
		    "no PAS id known for acme,widget9-dsp-pas; set PasId= in the [dsp] section of "
		    "rprocd.conf");

	assert_int_equal(rproc_desc_from_dt(&r, 42, NULL, &d, &err), 0);
	assert_int_equal(d.pas_id, 42);
	assert_int_equal(d.dtb_pas_id, RPROC_NO_ID);
	assert_int_equal(d.crash_reason_smem, RPROC_NO_ID);
	assert_int_equal(d.minidump_id, RPROC_NO_ID);
	assert_string_equal(d.firmware[0], "acme/widget9-dsp.mbn");
	assert_int_equal(d.iommus[0].sid, 0x40);
	rproc_desc_clear(&d);

	/* Neither firmware-name nor table default: the configuration must name it. */
	r.n_firmware = 0;
	expect_fail(&r, 42, NULL, -ENOENT, "set Firmware= in the [dsp] section");
	assert_int_equal(rproc_desc_from_dt(&r, 42, "acme/fw.mbn", &d, &err), 0);
	assert_string_equal(d.firmware[0], "acme/fw.mbn");
	rproc_desc_clear(&d);
}

static void test_no_carveout(void **state)
{
	struct rproc_dt_rproc r = entry("lemans-el2", "gpdsp0");

	r.n_carveouts = 0;
	expect_fail(&r, -1, NULL, -EINVAL, "no memory-region");
}

static void test_devmem_copy(void **state)
{
	struct rproc_dt *dt = parse_fixture("devmem");
	const struct rproc_dt_rproc *r = rproc_dt_find(dt, "adsp");
	struct rproc_error err = { 0 };
	struct rproc_desc d;

	assert_int_equal(rproc_desc_from_dt(r, -1, NULL, &d, &err), 0);
	assert_int_equal(d.n_devmem, 18);
	assert_non_null(d.devmem);
	assert_ptr_not_equal(d.devmem, r->devmem);
	assert_memory_equal(d.devmem, r->devmem, 18 * sizeof(*d.devmem));
	rproc_dt_free(dt); /* the description owns its copy */
	assert_int_equal(d.devmem[17].da, 0x184000);
	rproc_desc_clear(&d);
	assert_null(d.devmem);
	assert_int_equal(d.n_devmem, 0);
	rproc_desc_clear(&d);
	rproc_desc_clear(NULL);
}

static void test_irq_names(void **state)
{
	assert_string_equal(rproc_irq_name(RPROC_IRQ_WDOG), "wdog");
	assert_string_equal(rproc_irq_name(RPROC_IRQ_FATAL), "fatal");
	assert_string_equal(rproc_irq_name(RPROC_IRQ_READY), "ready");
	assert_string_equal(rproc_irq_name(RPROC_IRQ_HANDOVER), "handover");
	assert_string_equal(rproc_irq_name(RPROC_IRQ_STOP_ACK), "stop-ack");
	assert_string_equal(rproc_irq_name(RPROC_IRQ_COUNT), "unknown");
	assert_string_equal(rproc_irq_name((enum rproc_irq)-1), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sa8775p),
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_bad_firmware_names),
		cmocka_unit_test(test_dtb_image),
		cmocka_unit_test(test_dtb_ignored),
		cmocka_unit_test(test_unknown_compatible),
		cmocka_unit_test(test_no_carveout),
		cmocka_unit_test(test_devmem_copy),
		cmocka_unit_test(test_irq_names),
	};

	if (!getenv("RPROC_FIXTURE_DIR")) {
		fprintf(stderr, "RPROC_FIXTURE_DIR is not set (run through meson test)\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
