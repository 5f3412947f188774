// SPDX-License-Identifier: GPL-2.0-only
#include "scm.h"
extern int (*shim_probe)(struct qcom_scm_pas_context *);
int (*shim_probe)(struct qcom_scm_pas_context *) = qcom_scm_pas_prepare_and_auth_reset;
