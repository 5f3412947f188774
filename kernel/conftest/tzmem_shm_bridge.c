// SPDX-License-Identifier: GPL-2.0-only
/* qcom_tzmem_shm_bridge_create/delete (a no-op unless tzmem runs in SHM-bridge mode). */
#include <linux/firmware/qcom/qcom_tzmem.h>
int shim_probe(phys_addr_t pa, size_t size);
int shim_probe(phys_addr_t pa, size_t size)
{
	u64 handle = 0;
	int ret = qcom_tzmem_shm_bridge_create(pa, size, &handle);

	qcom_tzmem_shm_bridge_delete(handle);
	return ret;
}
