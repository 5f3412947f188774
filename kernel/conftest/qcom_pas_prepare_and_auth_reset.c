// SPDX-License-Identifier: GPL-2.0-only
#include <linux/firmware/qcom/qcom_pas.h>
extern int (*shim_probe)(struct qcom_pas_context *);
int (*shim_probe)(struct qcom_pas_context *) = qcom_pas_prepare_and_auth_reset;
