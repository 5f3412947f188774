/* SPDX-License-Identifier: GPL-2.0-only */
/* Included by the probes of the qcom_scm_pas_* API: the header moved in 6.4. */
#ifdef SHIM_HAVE_FIRMWARE_QCOM_SCM_H
#include <linux/firmware/qcom/qcom_scm.h>
#else
#include <linux/qcom_scm.h>
#endif
