// SPDX-License-Identifier: GPL-2.0-only
/* struct qcom_scm_pas_context (6.12.117 and later) instead of qcom_scm_pas_metadata. */
#include "scm.h"
int shim_probe(struct qcom_scm_pas_context *ctx);
int shim_probe(struct qcom_scm_pas_context *ctx)
{
	ctx->pas_id = 1;
	return qcom_scm_pas_init_image(0, NULL, 0, ctx);
}
