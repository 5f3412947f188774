// SPDX-License-Identifier: GPL-2.0-only
/* 6.12.117: qcom_pas_metadata_release() takes the SCM context and replaces the old name. */
#include "scm.h"
extern void (*shim_probe)(struct qcom_scm_pas_context *);
void (*shim_probe)(struct qcom_scm_pas_context *) = qcom_pas_metadata_release;
