// SPDX-License-Identifier: GPL-2.0-or-later
/* lib/parse/soc.c: the per-compatible PAS table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rproc/soc.h"
#include "util.h"

static unsigned int table_size(void)
{
	unsigned int n = 0;

	while (rproc_soc_entry(n))
		n++;
	return n;
}

/* Every row is complete and consistent; compatibles are unique; lookup finds each row. */
static void test_rows(void **state)
{
	unsigned int n = table_size();

	assert_true(n >= 40);
	for (unsigned int i = 0; i < n; i++) {
		const struct rproc_soc_data *s = rproc_soc_entry(i);
		size_t l;

		assert_non_null(s->compatible);
		l = strlen(s->compatible);
		assert_true(l > 4);
		assert_string_equal(s->compatible + l - 4, "-pas");
		assert_memory_equal(s->compatible, "qcom,", 5);
		assert_true(s->pas_id > 0);
		assert_true(s->crash_reason_smem > 0);
		assert_non_null(s->firmware);
		assert_non_null(s->sysmon_name);
		/* A DTB image has both its PAS id and its default name, or neither
		 * (doc/boot-sequence.md#dtb-image). */
		assert_int_equal(s->dtb_pas_id != RPROC_NO_ID, s->dtb_firmware != NULL);
		assert_true(s->dtb_pas_id == RPROC_NO_ID || s->dtb_pas_id > 0);
		assert_true(s->lite_pas_id == RPROC_NO_ID || s->lite_pas_id > 0);
		assert_true(s->minidump_id == RPROC_NO_ID || s->minidump_id > 0);
		assert_ptr_equal(rproc_soc_lookup(s->compatible), s);
		for (unsigned int j = 0; j < i; j++)
			assert_string_not_equal(rproc_soc_entry(j)->compatible, s->compatible);
	}
	assert_null(rproc_soc_entry(n));
	assert_null(rproc_soc_entry(~0u));
}

static void test_unknown(void **state)
{
	assert_null(rproc_soc_lookup(NULL));
	assert_null(rproc_soc_lookup(""));
	assert_null(rproc_soc_lookup("qcom,sa8775p-adsp"));
	assert_null(rproc_soc_lookup("qcom,sa8775p-adsp-pas "));
	assert_null(rproc_soc_lookup("QCOM,SA8775P-ADSP-PAS"));
	assert_null(rproc_soc_lookup("acme,widget9-dsp-pas"));
	/* The old non-PAS-named bindings of the same driver are not PAS nodes for dt.c. */
	assert_null(rproc_soc_lookup("qcom,msm8996-adsp-pil"));
}

/* doc/devicetree.md#sa8775p: SA8775p driver data. */
static void test_sa8775p(void **state)
{
	static const struct {
		const char *compat, *fw, *load_state, *sysmon;
		int pas, smem, md;
	} rows[] = {
		{ "qcom,sa8775p-adsp-pas", "adsp.mbn", "adsp", "adsp", 1, 423, 5 },
		{ "qcom,sa8775p-cdsp0-pas", "cdsp0.mbn", "cdsp", "cdsp", 18, 601, 7 },
		{ "qcom,sa8775p-cdsp1-pas", "cdsp1.mbn", "nsp", "cdsp1", 30, 633, 20 },
		{ "qcom,sa8775p-gpdsp0-pas", "gpdsp0.mbn", "gpdsp0", "gpdsp0", 39, 640, 21 },
		{ "qcom,sa8775p-gpdsp1-pas", "gpdsp1.mbn", "gpdsp1", "gpdsp1", 40, 641, 22 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		const struct rproc_soc_data *s = rproc_soc_lookup(rows[i].compat);

		assert_non_null(s);
		assert_int_equal(s->pas_id, rows[i].pas);
		assert_int_equal(s->crash_reason_smem, rows[i].smem);
		assert_int_equal(s->minidump_id, rows[i].md);
		assert_string_equal(s->firmware, rows[i].fw);
		assert_string_equal(s->load_state, rows[i].load_state);
		assert_string_equal(s->sysmon_name, rows[i].sysmon);
		assert_int_equal(s->dtb_pas_id, RPROC_NO_ID);
		assert_int_equal(s->lite_pas_id, RPROC_NO_ID);
		assert_null(s->dtb_firmware);
		assert_true(s->auto_boot);
		assert_false(s->decrypt_shutdown);
	}
}

/* QCS8300 nodes fall back to SA8775p data (qcom,sa8775p-pas.yaml). */
static void test_qcs8300(void **state)
{
	assert_int_equal(rproc_soc_lookup("qcom,qcs8300-adsp-pas")->pas_id, 1);
	assert_int_equal(rproc_soc_lookup("qcom,qcs8300-cdsp-pas")->pas_id, 18);
	assert_string_equal(rproc_soc_lookup("qcom,qcs8300-cdsp-pas")->firmware, "cdsp0.mbn");
	assert_int_equal(rproc_soc_lookup("qcom,qcs8300-gpdsp-pas")->pas_id, 39);
	assert_int_equal(rproc_soc_lookup("qcom,qcs8300-gpdsp-pas")->minidump_id, 21);
}

/* doc/boot-sequence.md#dtb-image: second (DTB) image, X1E's lite PAS id, decrypt_shutdown. */
static void test_dtb_images(void **state)
{
	const struct rproc_soc_data *s;

	s = rproc_soc_lookup("qcom,x1e80100-adsp-pas");
	assert_int_equal(s->pas_id, 1);
	assert_int_equal(s->dtb_pas_id, 0x24);
	assert_int_equal(s->lite_pas_id, 0x1f);
	assert_string_equal(s->dtb_firmware, "adsp_dtb.mdt");
	s = rproc_soc_lookup("qcom,x1e80100-cdsp-pas");
	assert_int_equal(s->pas_id, 18);
	assert_int_equal(s->dtb_pas_id, 0x25);
	assert_int_equal(s->lite_pas_id, RPROC_NO_ID);
	for (int i = 0; i < 2; i++) {
		const char *soc = i ? "sm8650" : "sm8550";
		char c[64];

		snprintf(c, sizeof(c), "qcom,%s-adsp-pas", soc);
		assert_int_equal(rproc_soc_lookup(c)->dtb_pas_id, 0x24);
		snprintf(c, sizeof(c), "qcom,%s-cdsp-pas", soc);
		assert_int_equal(rproc_soc_lookup(c)->dtb_pas_id, 0x25);
		snprintf(c, sizeof(c), "qcom,%s-mpss-pas", soc);
		s = rproc_soc_lookup(c);
		assert_int_equal(s->pas_id, 4);
		assert_int_equal(s->dtb_pas_id, 0x26);
		assert_true(s->decrypt_shutdown);
		assert_false(s->auto_boot);
	}
	s = rproc_soc_lookup("qcom,sm8250-adsp-pas");
	assert_int_equal(s->dtb_pas_id, RPROC_NO_ID);
	assert_false(s->decrypt_shutdown);
}

/* The SoCs issue 2 names are all there. */
static void test_coverage(void **state)
{
	static const char *const compats[] = {
		"qcom,sc8280xp-adsp-pas", "qcom,sc8280xp-nsp0-pas", "qcom,sc8280xp-nsp1-pas",
		"qcom,sm8250-adsp-pas",   "qcom,sm8250-cdsp-pas",   "qcom,sm8250-slpi-pas",
		"qcom,sdm845-adsp-pas",   "qcom,sdm845-cdsp-pas",   "qcom,sdm845-slpi-pas",
		"qcom,sc7280-adsp-pas",   "qcom,sc7280-cdsp-pas",   "qcom,sc7280-mpss-pas",
		"qcom,sc7280-wpss-pas",   "qcom,sm8650-adsp-pas",   "qcom,sm8550-adsp-pas",
	};

	for (size_t i = 0; i < ARRAY_SIZE(compats); i++)
		if (!rproc_soc_lookup(compats[i]))
			fail_msg("%s missing", compats[i]);
	assert_int_equal(rproc_soc_lookup("qcom,sc8280xp-nsp1-pas")->pas_id, 30);
	assert_int_equal(rproc_soc_lookup("qcom,sc7280-wpss-pas")->pas_id, 6);
	assert_int_equal(rproc_soc_lookup("qcom,sc7280-wpss-pas")->crash_reason_smem, 626);
	assert_int_equal(rproc_soc_lookup("qcom,sdm845-slpi-pas")->pas_id, 12);

	/* Rows for boards of newer kernels (see lib/parse/soc.c on their source). */
	assert_int_equal(rproc_soc_lookup("qcom,milos-cdsp-pas")->dtb_pas_id, 0x25);
	assert_string_equal(rproc_soc_lookup("qcom,milos-cdsp-pas")->dtb_firmware, "cdsp_dtb.mbn");
	assert_int_equal(rproc_soc_lookup("qcom,shikra-lpaicp-pas")->pas_id, 0x56);
	assert_int_equal(rproc_soc_lookup("qcom,shikra-lpaicp-pas")->minidump_id, RPROC_NO_ID);
	assert_true(rproc_soc_lookup("qcom,sm8750-mpss-pas")->decrypt_shutdown);
	/* early_boot cores are not modelled: left unknown on purpose. */
	assert_null(rproc_soc_lookup("qcom,kaanapali-soccp-pas"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),      cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_sa8775p),   cmocka_unit_test(test_qcs8300),
		cmocka_unit_test(test_dtb_images), cmocka_unit_test(test_coverage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
