// SPDX-License-Identifier: GPL-2.0-only
#include "scm.h"
extern struct resource_table *(*shim_probe)(struct qcom_scm_pas_context *, void *, size_t,
					    size_t *);
struct resource_table *(*shim_probe)(struct qcom_scm_pas_context *, void *, size_t, size_t *) =
	qcom_scm_pas_get_rsc_table;
