// SPDX-License-Identifier: GPL-2.0-only
/* qcom_glink_smem_register() in the public header (its return type changed in 6.x). */
#include <linux/rpmsg/qcom_glink.h>
void *shim_probe(struct device *parent, struct device_node *np);
void *shim_probe(struct device *parent, struct device_node *np)
{
	return qcom_glink_smem_register(parent, np);
}
