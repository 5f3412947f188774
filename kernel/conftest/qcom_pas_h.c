// SPDX-License-Identifier: GPL-2.0-only
/* The generic PAS layer (qcom_pas_*). */
#include <linux/firmware/qcom/qcom_pas.h>
int shim_probe(struct qcom_pas_context *ctx);
int shim_probe(struct qcom_pas_context *ctx)
{
	if (!qcom_pas_is_available())
		return -ENODEV;
	qcom_pas_metadata_release(ctx);
	return qcom_pas_init_image(0, NULL, 0, ctx);
}
