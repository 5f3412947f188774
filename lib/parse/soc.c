// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Per-compatible PAS data (doc/devicetree.md#sa8775p, doc/boot-sequence.md#dtb-image).
 *
 * Source of every value below: torvalds/linux drivers/remoteproc/qcom_q6v5_pas.c, the
 * `struct adsp_data` instances and the `adsp_of_match[]` table (read at commit 009e288c989b,
 * 2025/2026 tree).  The kernel shares one adsp_data between several compatibles; the macros
 * below carry the same sharing and are named after the kernel's instances so a row can be
 * checked against the driver by name.
 *
 * ssr_name (the name the glink edge's SSR notification carries) was read from the same
 * instances in Debian's linux-source-7.3 (7.3.4), where every instance listed here has one.
 *
 * The kernel uses 0 for "none" in dtb_pas_id, lite_pas_id and minidump_id; here that is
 * RPROC_NO_ID.  crash_reason_smem is set for every kernel entry.
 *
 * Only "*-pas" compatibles are listed (the "*-pil" ones of the same driver are the old
 * non-PAS-named bindings, not found by dt.c).  Newer SoCs whose nodes carry a fallback
 * compatible (e.g. "qcom,qcs8300-adsp-pas", "qcom,sa8775p-adsp-pas";
 * "qcom,sm8750-adsp-pas", "qcom,sm8550-adsp-pas") are matched through the fallback by dt.c,
 * the way of_match_device() does it.  QCS8300 rows are listed explicitly as well: the
 * kernel has no QCS8300 adsp_data; the binding (qcom,sa8775p-pas.yaml) requires those
 * nodes to fall back to the SA8775p compatibles and that is the data the kernel uses.
 */
#include <string.h>

#include "rproc/soc.h"
#include "util.h"

/* Fields shared by every row of one kernel adsp_data instance. */
#define PAS_DATA(_smem, _fw, _dtb_fw, _pas, _dtb_pas, _lite_pas, _md, _auto, _decrypt, _load,      \
		 _sysmon, _ssr)                                                                    \
	.crash_reason_smem = (_smem), .firmware = (_fw), .dtb_firmware = (_dtb_fw),               \
	.pas_id = (_pas), .dtb_pas_id = (_dtb_pas), .lite_pas_id = (_lite_pas),                   \
	.minidump_id = (_md), .auto_boot = (_auto), .decrypt_shutdown = (_decrypt),               \
	.load_state = (_load), .sysmon_name = (_sysmon), .ssr_name = (_ssr)

#define NO RPROC_NO_ID

/* qcom_q6v5_pas.c adsp_data instances; arguments in PAS_DATA order. */
#define adsp_resource_init                                                                         \
	PAS_DATA(423, "adsp.mdt", NULL, 1, NO, NO, NO, true, false, NULL, "adsp", "lpass")
#define cdsp_resource_init                                                                         \
	PAS_DATA(601, "cdsp.mdt", NULL, 18, NO, NO, NO, true, false, NULL, "cdsp", "cdsp")
#define wcss_resource_init                                                                         \
	PAS_DATA(421, "wcnss.mdt", NULL, 6, NO, NO, NO, true, false, NULL, "wcnss", "mpss")
#define msm8996_adsp_resource                                                                      \
	PAS_DATA(423, "adsp.mdt", NULL, 1, NO, NO, NO, true, false, NULL, "adsp", "lpass")
#define msm8996_slpi_resource_init                                                                 \
	PAS_DATA(424, "slpi.mdt", NULL, 12, NO, NO, NO, true, false, NULL, "slpi", "dsps")
#define sa8775p_adsp_resource                                                                      \
	PAS_DATA(423, "adsp.mbn", NULL, 1, NO, NO, 5, true, false, "adsp", "adsp", "lpass")
#define sa8775p_cdsp0_resource                                                                     \
	PAS_DATA(601, "cdsp0.mbn", NULL, 18, NO, NO, 7, true, false, "cdsp", "cdsp", "cdsp")
#define sa8775p_cdsp1_resource                                                                     \
	PAS_DATA(633, "cdsp1.mbn", NULL, 30, NO, NO, 20, true, false, "nsp", "cdsp1", "cdsp1")
#define sa8775p_gpdsp0_resource                                                                    \
	PAS_DATA(640, "gpdsp0.mbn", NULL, 39, NO, NO, 21, true, false, "gpdsp0", "gpdsp0", "gpdsp0")
#define sa8775p_gpdsp1_resource                                                                    \
	PAS_DATA(641, "gpdsp1.mbn", NULL, 40, NO, NO, 22, true, false, "gpdsp1", "gpdsp1", "gpdsp1")
#define sdm845_adsp_resource_init                                                                  \
	PAS_DATA(423, "adsp.mdt", NULL, 1, NO, NO, NO, true, false, "adsp", "adsp", "lpass")
#define sdm845_cdsp_resource_init                                                                  \
	PAS_DATA(601, "cdsp.mdt", NULL, 18, NO, NO, NO, true, false, "cdsp", "cdsp", "cdsp")
#define sdm845_slpi_resource_init                                                                  \
	PAS_DATA(424, "slpi.mdt", NULL, 12, NO, NO, NO, true, false, "slpi", "slpi", "dsps")
#define sm6350_adsp_resource                                                                       \
	PAS_DATA(423, "adsp.mdt", NULL, 1, NO, NO, NO, true, false, "adsp", "adsp", "lpass")
#define sm6350_cdsp_resource                                                                       \
	PAS_DATA(601, "cdsp.mdt", NULL, 18, NO, NO, NO, true, false, "cdsp", "cdsp", "cdsp")
#define sm6375_mpss_resource                                                                       \
	PAS_DATA(421, "modem.mdt", NULL, 4, NO, NO, 3, false, false, NULL, "modem", "mpss")
#define sm8150_adsp_resource                                                                       \
	PAS_DATA(423, "adsp.mdt", NULL, 1, NO, NO, NO, true, false, "adsp", "adsp", "lpass")
#define sm8150_cdsp_resource                                                                       \
	PAS_DATA(601, "cdsp.mdt", NULL, 18, NO, NO, NO, true, false, "cdsp", "cdsp", "cdsp")
#define sm8250_adsp_resource                                                                       \
	PAS_DATA(423, "adsp.mdt", NULL, 1, NO, NO, 5, true, false, "adsp", "adsp", "lpass")
#define sm8250_cdsp_resource                                                                       \
	PAS_DATA(601, "cdsp.mdt", NULL, 18, NO, NO, NO, true, false, "cdsp", "cdsp", "cdsp")
#define sm8350_adsp_resource                                                                       \
	PAS_DATA(423, "adsp.mdt", NULL, 1, NO, NO, NO, true, false, "adsp", "adsp", "lpass")
#define sm8350_cdsp_resource                                                                       \
	PAS_DATA(601, "cdsp.mdt", NULL, 18, NO, NO, 7, true, false, "cdsp", "cdsp", "cdsp")
#define sc8280xp_nsp0_resource                                                                     \
	PAS_DATA(601, "cdsp.mdt", NULL, 18, NO, NO, NO, true, false, NULL, "cdsp", "cdsp0")
#define sc8280xp_nsp1_resource                                                                     \
	PAS_DATA(633, "cdsp.mdt", NULL, 30, NO, NO, NO, true, false, NULL, "cdsp1", "cdsp1")
#define x1e80100_adsp_resource                                                                     \
	PAS_DATA(423, "adsp.mdt", "adsp_dtb.mdt", 1, 0x24, 0x1f, 5, true, false, "adsp", "adsp",   \
		 "lpass")
#define x1e80100_cdsp_resource                                                                     \
	PAS_DATA(601, "cdsp.mdt", "cdsp_dtb.mdt", 18, 0x25, NO, 7, true, false, "cdsp", "cdsp",    \
		 "cdsp")
#define mpss_resource_init                                                                         \
	PAS_DATA(421, "modem.mdt", NULL, 4, NO, NO, 3, false, false, "modem", "modem", "mpss")
#define sc8180x_mpss_resource                                                                      \
	PAS_DATA(421, "modem.mdt", NULL, 4, NO, NO, NO, false, false, "modem", "modem", "mpss")
#define sdx55_mpss_resource                                                                        \
	PAS_DATA(421, "modem.mdt", NULL, 4, NO, NO, NO, true, false, NULL, "modem", "mpss")
#define sm8450_mpss_resource                                                                       \
	PAS_DATA(421, "modem.mdt", NULL, 4, NO, NO, 3, false, true, "modem", "modem", "mpss")
#define sm8550_adsp_resource                                                                       \
	PAS_DATA(423, "adsp.mdt", "adsp_dtb.mdt", 1, 0x24, NO, 5, true, false, "adsp", "adsp",     \
		 "lpass")
#define sm8550_cdsp_resource                                                                       \
	PAS_DATA(601, "cdsp.mdt", "cdsp_dtb.mdt", 18, 0x25, NO, 7, true, false, "cdsp", "cdsp",    \
		 "cdsp")
#define sm8550_mpss_resource                                                                       \
	PAS_DATA(421, "modem.mdt", "modem_dtb.mdt", 4, 0x26, NO, 3, false, true, "modem",          \
		 "modem", "mpss")
#define sc7280_wpss_resource                                                                       \
	PAS_DATA(626, "wpss.mdt", NULL, 6, NO, NO, NO, true, false, "wpss", "wpss", "wpss")
#define sm8650_cdsp_resource                                                                       \
	PAS_DATA(601, "cdsp.mdt", "cdsp_dtb.mdt", 18, 0x25, NO, 7, true, false, "cdsp", "cdsp",    \
		 "cdsp")
#define sm8650_mpss_resource                                                                       \
	PAS_DATA(421, "modem.mdt", "modem_dtb.mdt", 4, 0x26, NO, 3, false, true, "modem",          \
		 "modem", "mpss")

/*
 * Newer instances, read from a later copy of qcom_q6v5_pas.c in the search index (struct
 * qcom_pas_data; the same tree also carries "nord" support, so it may be a -next or vendor
 * tree: provenance not verified against a tagged release).  Needed by the Milos, Shikra,
 * SDM660 and SM8750 boards that Debian's 7.3 kernel ships (tests/realdtb).  That copy also
 * gives sc7280_wpss_resource minidump_id 4 and auto_boot false, unlike the 009e288c tree
 * used above; the older values are kept here and the difference is [UNCONFIRMED].
 */
#define milos_cdsp_resource                                                                        \
	PAS_DATA(601, "cdsp.mbn", "cdsp_dtb.mbn", 18, 0x25, NO, 7, true, false, "cdsp", "cdsp",    \
		 "cdsp")
#define shikra_cdsp_resource                                                                       \
	PAS_DATA(601, "cdsp.mbn", NULL, 18, NO, NO, 7, true, false, "cdsp", "cdsp", "cdsp")
#define shikra_lpaicp_resource                                                                     \
	PAS_DATA(682, "lpaicp.mbn", "lpaicp_dtb.mbn", 0x56, 0x57, NO, NO, true, false, NULL,       \
		 "lpaicp", "lpaicp")
#define shikra_mpss_resource                                                                       \
	PAS_DATA(421, "qdsp6sw.mbn", NULL, 4, NO, NO, 3, false, false, "modem", "modem", "mpss")
#define sm8750_mpss_resource                                                                       \
	PAS_DATA(421, "modem.mdt", "modem_dtb.mdt", 4, 0x26, NO, 3, false, true, "modem",          \
		 "modem", "mpss")

/*
 * Not listed: "qcom,glymur-soccp-pas" and "qcom,kaanapali-soccp-pas".  The kernel marks them
 * early_boot (the bootloader starts them and the driver attaches), which rprocd does not
 * model; their nodes are reported as unknown.
 *
 * Rows in adsp_of_match[] order (qcom_q6v5_pas.c), "*-pas" entries only, plus the three
 * QCS8300 fallback rows (see the top of this file).  The newer rows come first.
 */
static const struct rproc_soc_data soc_table[] = {
	/* From the later copy (see above). */
	{ .compatible = "qcom,milos-adsp-pas", sm8550_adsp_resource },
	{ .compatible = "qcom,milos-cdsp-pas", milos_cdsp_resource },
	{ .compatible = "qcom,milos-mpss-pas", sm8450_mpss_resource },
	{ .compatible = "qcom,milos-wpss-pas", sc7280_wpss_resource },
	{ .compatible = "qcom,sdm660-cdsp-pas", cdsp_resource_init },
	{ .compatible = "qcom,shikra-cdsp-pas", shikra_cdsp_resource },
	{ .compatible = "qcom,shikra-lpaicp-pas", shikra_lpaicp_resource },
	{ .compatible = "qcom,shikra-mpss-pas", shikra_mpss_resource },
	{ .compatible = "qcom,sm8750-mpss-pas", sm8750_mpss_resource },
	/* qcom_q6v5_pas.c at 009e288c989b. */
	{ .compatible = "qcom,msm8998-adsp-pas", msm8996_adsp_resource },
	{ .compatible = "qcom,msm8998-slpi-pas", msm8996_slpi_resource_init },
	{ .compatible = "qcom,qcs404-adsp-pas", adsp_resource_init },
	{ .compatible = "qcom,qcs404-cdsp-pas", cdsp_resource_init },
	{ .compatible = "qcom,qcs404-wcss-pas", wcss_resource_init },
	/* QCS8300: qcom,sa8775p-pas.yaml, fallback to the SA8775p data. */
	{ .compatible = "qcom,qcs8300-adsp-pas", sa8775p_adsp_resource },
	{ .compatible = "qcom,qcs8300-cdsp-pas", sa8775p_cdsp0_resource },
	{ .compatible = "qcom,qcs8300-gpdsp-pas", sa8775p_gpdsp0_resource },
	/* SA8775p (doc/devicetree.md#sa8775p). */
	{ .compatible = "qcom,sa8775p-adsp-pas", sa8775p_adsp_resource },
	{ .compatible = "qcom,sa8775p-cdsp0-pas", sa8775p_cdsp0_resource },
	{ .compatible = "qcom,sa8775p-cdsp1-pas", sa8775p_cdsp1_resource },
	{ .compatible = "qcom,sa8775p-gpdsp0-pas", sa8775p_gpdsp0_resource },
	{ .compatible = "qcom,sa8775p-gpdsp1-pas", sa8775p_gpdsp1_resource },
	{ .compatible = "qcom,sar2130p-adsp-pas", sm8350_adsp_resource },
	{ .compatible = "qcom,sc7180-adsp-pas", sm8250_adsp_resource },
	{ .compatible = "qcom,sc7180-mpss-pas", mpss_resource_init },
	/* SC7280; QCM6490/QCS6490 boards use these compatibles (sc7280.dtsi). */
	{ .compatible = "qcom,sc7280-adsp-pas", sm8350_adsp_resource },
	{ .compatible = "qcom,sc7280-cdsp-pas", sm6350_cdsp_resource },
	{ .compatible = "qcom,sc7280-mpss-pas", mpss_resource_init },
	{ .compatible = "qcom,sc7280-wpss-pas", sc7280_wpss_resource },
	{ .compatible = "qcom,sc8180x-adsp-pas", sm8150_adsp_resource },
	{ .compatible = "qcom,sc8180x-cdsp-pas", sm8150_cdsp_resource },
	{ .compatible = "qcom,sc8180x-mpss-pas", sc8180x_mpss_resource },
	{ .compatible = "qcom,sc8280xp-adsp-pas", sm8250_adsp_resource },
	{ .compatible = "qcom,sc8280xp-nsp0-pas", sc8280xp_nsp0_resource },
	{ .compatible = "qcom,sc8280xp-nsp1-pas", sc8280xp_nsp1_resource },
	{ .compatible = "qcom,sdm660-adsp-pas", adsp_resource_init },
	{ .compatible = "qcom,sdm845-adsp-pas", sdm845_adsp_resource_init },
	{ .compatible = "qcom,sdm845-cdsp-pas", sdm845_cdsp_resource_init },
	{ .compatible = "qcom,sdm845-slpi-pas", sdm845_slpi_resource_init },
	{ .compatible = "qcom,sdx55-mpss-pas", sdx55_mpss_resource },
	{ .compatible = "qcom,sdx75-mpss-pas", sm8650_mpss_resource },
	{ .compatible = "qcom,sm6115-adsp-pas", adsp_resource_init },
	{ .compatible = "qcom,sm6115-cdsp-pas", cdsp_resource_init },
	{ .compatible = "qcom,sm6115-mpss-pas", sc8180x_mpss_resource },
	{ .compatible = "qcom,sm6350-adsp-pas", sm6350_adsp_resource },
	{ .compatible = "qcom,sm6350-cdsp-pas", sm6350_cdsp_resource },
	{ .compatible = "qcom,sm6350-mpss-pas", mpss_resource_init },
	{ .compatible = "qcom,sm6375-adsp-pas", sm6350_adsp_resource },
	{ .compatible = "qcom,sm6375-cdsp-pas", sm8150_cdsp_resource },
	{ .compatible = "qcom,sm6375-mpss-pas", sm6375_mpss_resource },
	{ .compatible = "qcom,sm8150-adsp-pas", sm8150_adsp_resource },
	{ .compatible = "qcom,sm8150-cdsp-pas", sm8150_cdsp_resource },
	{ .compatible = "qcom,sm8150-mpss-pas", mpss_resource_init },
	{ .compatible = "qcom,sm8150-slpi-pas", sdm845_slpi_resource_init },
	{ .compatible = "qcom,sm8250-adsp-pas", sm8250_adsp_resource },
	{ .compatible = "qcom,sm8250-cdsp-pas", sm8250_cdsp_resource },
	{ .compatible = "qcom,sm8250-slpi-pas", sdm845_slpi_resource_init },
	{ .compatible = "qcom,sm8350-adsp-pas", sm8350_adsp_resource },
	{ .compatible = "qcom,sm8350-cdsp-pas", sm8350_cdsp_resource },
	{ .compatible = "qcom,sm8350-slpi-pas", sdm845_slpi_resource_init },
	{ .compatible = "qcom,sm8350-mpss-pas", mpss_resource_init },
	{ .compatible = "qcom,sm8450-adsp-pas", sm8350_adsp_resource },
	{ .compatible = "qcom,sm8450-cdsp-pas", sm8350_cdsp_resource },
	{ .compatible = "qcom,sm8450-slpi-pas", sdm845_slpi_resource_init },
	{ .compatible = "qcom,sm8450-mpss-pas", sm8450_mpss_resource },
	{ .compatible = "qcom,sm8550-adsp-pas", sm8550_adsp_resource },
	{ .compatible = "qcom,sm8550-cdsp-pas", sm8550_cdsp_resource },
	{ .compatible = "qcom,sm8550-mpss-pas", sm8550_mpss_resource },
	{ .compatible = "qcom,sm8650-adsp-pas", sm8550_adsp_resource },
	{ .compatible = "qcom,sm8650-cdsp-pas", sm8650_cdsp_resource },
	{ .compatible = "qcom,sm8650-mpss-pas", sm8650_mpss_resource },
	{ .compatible = "qcom,x1e80100-adsp-pas", x1e80100_adsp_resource },
	{ .compatible = "qcom,x1e80100-cdsp-pas", x1e80100_cdsp_resource },
};

const struct rproc_soc_data *rproc_soc_lookup(const char *compatible)
{
	if (!compatible)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(soc_table); i++)
		if (!strcmp(soc_table[i].compatible, compatible))
			return &soc_table[i];
	return NULL;
}

const struct rproc_soc_data *rproc_soc_entry(unsigned int i)
{
	return i < ARRAY_SIZE(soc_table) ? &soc_table[i] : NULL;
}
