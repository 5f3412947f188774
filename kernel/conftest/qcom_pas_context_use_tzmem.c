// SPDX-License-Identifier: GPL-2.0-only
#include <linux/firmware/qcom/qcom_pas.h>
void shim_probe(struct qcom_pas_context *ctx);
void shim_probe(struct qcom_pas_context *ctx)
{
	ctx->use_tzmem = true;
}
