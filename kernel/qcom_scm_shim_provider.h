/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The seam between the qcom-scm shim and what it asks of TrustZone and the SoC services.
 *
 * The real module (qcom_scm_shim.ko) has one provider, built in, that calls the kernel's
 * qcom_scm / qcom_pas, qcom_tzmem, SMEM and AOSS QMP interfaces.  The test build
 * (make SHIM_TEST=1, qcom_scm_shim_test.ko) has none built in: a separate module registers
 * one with qcom_scm_shim_register_provider(), and until it does every call that needs the
 * provider fails with ENODEV.  SMP2P interrupts, the SMEM-state stop bit, power domains,
 * clocks and interconnects are not behind this seam: the shim always uses the kernel's own
 * interfaces for them, so a test kernel provides fakes of those behind the same interfaces.
 *
 * Return values: PAS calls return a negative errno, or TrustZone's result (0 = success, a
 * positive value is a TrustZone failure code that the shim passes to userspace).
 */
#ifndef QCOM_SCM_SHIM_PROVIDER_H
#define QCOM_SCM_SHIM_PROVIDER_H

#include <linux/types.h>

struct device;
struct module;

/**
 * struct qcom_scm_shim_meta - one PAS image's TrustZone context
 * @dev: the node's device (module-owned, of_node set); for messages and DMA
 * @pas_id: PAS id
 * @mem_phys: carveout start (for bridged authentication)
 * @mem_size: carveout size
 * @use_tzmem: the node has "iommus": the metadata goes into TrustZone memory and the
 *	carveout is bridged around AUTH_AND_RESET, where the kernel supports it
 * @priv: the provider's own context, set by init_image and cleared by metadata_release
 */
struct qcom_scm_shim_meta {
	struct device *dev;
	u32 pas_id;
	phys_addr_t mem_phys;
	size_t mem_size;
	bool use_tzmem;
	void *priv;
};

/**
 * struct qcom_scm_shim_provider - TrustZone and SoC services for the shim
 * @name: for messages
 * @owner: THIS_MODULE of the provider; pinned while a file uses the provider
 * @pas_supported: PAS IS_SUPPORTED
 * @init_image: copy @blob into a buffer TrustZone can read, INIT_IMAGE, keep the buffer in
 *	@meta->priv until @metadata_release (on failure nothing is kept)
 * @metadata_release: free what @init_image kept; called once per successful init_image
 * @mem_setup: PAS MEM_SETUP
 * @auth_and_reset: PAS AUTH_AND_RESET
 * @auth_and_reset_bridged: optional: bridge @meta's carveout, AUTH_AND_RESET, delete the
 *	bridge whatever the outcome; NULL where the kernel cannot bridge
 * @shutdown: PAS SHUTDOWN
 * @set_remote_state: optional: BOOT SET_REMOTE_STATE
 * @bridge_create: optional: an SHM bridge over [@pa, @pa + @size)
 * @bridge_delete: delete a bridge @bridge_create made
 * @get_rsc_table: optional: GET_RSCTABLE; returns a kmalloc'ed table (the shim kfree()s it)
 *	and its size, or an ERR_PTR
 * @smem_get: optional: a pointer into SMEM for @item (host "any") and its size, or an ERR_PTR
 * @qmp_get: optional: the AOSS QMP handle of @dev's "qcom,qmp", or an ERR_PTR
 * @qmp_load_state: send load_state @name on or off
 * @qmp_put: release what @qmp_get returned
 */
struct qcom_scm_shim_provider {
	const char *name;
	struct module *owner;
	bool (*pas_supported)(u32 pas_id);
	int (*init_image)(struct qcom_scm_shim_meta *meta, const void *blob, size_t len);
	void (*metadata_release)(struct qcom_scm_shim_meta *meta);
	int (*mem_setup)(u32 pas_id, phys_addr_t addr, phys_addr_t size);
	int (*auth_and_reset)(u32 pas_id);
	int (*auth_and_reset_bridged)(struct qcom_scm_shim_meta *meta);
	int (*shutdown)(u32 pas_id);
	int (*set_remote_state)(u32 state, u32 id);
	int (*bridge_create)(phys_addr_t pa, size_t size, u64 *handle);
	void (*bridge_delete)(u64 handle);
	void *(*get_rsc_table)(struct qcom_scm_shim_meta *meta, void *in, size_t in_len,
			       size_t *out_len);
	void *(*smem_get)(unsigned int item, size_t *size);
	void *(*qmp_get)(struct device *dev);
	int (*qmp_load_state)(void *qmp, const char *name, bool on);
	void (*qmp_put)(void *qmp);
};

#ifdef QCOM_SCM_SHIM_TEST
/*
 * Test build only: register the provider (one at a time: EBUSY otherwise).  Unregistering
 * does not wait: new calls fail with ENODEV from then on, and a core that holds state from
 * the provider keeps it until the core is released.  The provider's module cannot be removed
 * before that, because each such core, and each call in progress, holds a reference on @owner.
 */
int qcom_scm_shim_register_provider(const struct qcom_scm_shim_provider *p);
void qcom_scm_shim_unregister_provider(const struct qcom_scm_shim_provider *p);
#endif

#endif
