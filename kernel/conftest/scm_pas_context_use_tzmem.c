// SPDX-License-Identifier: GPL-2.0-only
#include "scm.h"
void shim_probe(struct qcom_scm_pas_context *ctx);
void shim_probe(struct qcom_scm_pas_context *ctx)
{
	ctx->use_tzmem = true;
}
