/* SPDX-License-Identifier: GPL-2.0-only */
/* Included by the probes of the qcom_scm_pas_* API. */
#if __has_include(<linux/firmware/qcom/qcom_scm.h>)
#include <linux/firmware/qcom/qcom_scm.h>
#else
#include <linux/qcom_scm.h>
#endif
