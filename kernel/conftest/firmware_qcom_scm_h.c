// SPDX-License-Identifier: GPL-2.0-only
/* Where qcom_scm.h lives: linux/firmware/qcom/ since 6.4, linux/ before. */
#include <linux/firmware/qcom/qcom_scm.h>
bool shim_probe(void);
bool shim_probe(void)
{
	return qcom_scm_is_available();
}
