// SPDX-License-Identifier: GPL-2.0-only
#include <linux/firmware/qcom/qcom_pas.h>
extern struct resource_table *(*shim_probe)(struct qcom_pas_context *, void *, size_t, size_t *);
struct resource_table *(*shim_probe)(struct qcom_pas_context *, void *, size_t, size_t *) =
	qcom_pas_get_rsc_table;
