// SPDX-License-Identifier: GPL-2.0-only
/*
 * qcom-scm shim: the real provider of TrustZone and SoC services, over whichever PAS API the
 * target kernel has (found by conftest.sh at build time, never by version number):
 *  - the generic qcom_pas_* layer (SCM or OP-TEE behind it), else
 *  - qcom_scm_pas_* with struct qcom_scm_pas_context, else with struct qcom_scm_pas_metadata;
 * bridged authentication and GET_RSCTABLE only where the kernel exports them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/slab.h>
#include <linux/soc/qcom/qcom_aoss.h>
#include <linux/soc/qcom/smem.h>

#include "qcom_scm_shim.h"

#if defined(SHIM_HAVE_QCOM_PAS_H)
#include <linux/firmware/qcom/qcom_pas.h>
#elif defined(SHIM_HAVE_FIRMWARE_QCOM_SCM_H)
#include <linux/firmware/qcom/qcom_scm.h>
#else
#include <linux/qcom_scm.h>
#endif
#ifdef SHIM_HAVE_TZMEM_SHM_BRIDGE
#include <linux/firmware/qcom/qcom_tzmem.h>
#endif

#define SHIM_QMP_LEN 64		/* the AOSS message size of kernels with qmp_send(buf, len) */

#if defined(SHIM_HAVE_QCOM_PAS_H)
#define SHIM_API "qcom_pas"
#define shim_ctx qcom_pas_context
#define SHIM_CTX_FIELDS 1
#ifdef SHIM_HAVE_QCOM_PAS_CONTEXT_USE_TZMEM
#define SHIM_CTX_USE_TZMEM 1
#endif
#define shim_tz_available qcom_pas_is_available
#define shim_tz_supported qcom_pas_supported
#define shim_tz_init_image qcom_pas_init_image
#define shim_tz_release qcom_pas_metadata_release
#define shim_tz_mem_setup qcom_pas_mem_setup
#define shim_tz_auth qcom_pas_auth_and_reset
#define shim_tz_shutdown qcom_pas_shutdown
#define shim_tz_remote_state qcom_pas_set_remote_state
#ifdef SHIM_HAVE_QCOM_PAS_GET_RSC_TABLE
#define shim_tz_rsc_table qcom_pas_get_rsc_table
#endif
#ifdef SHIM_HAVE_QCOM_PAS_PREPARE_AND_AUTH_RESET
#define shim_tz_prepare_auth qcom_pas_prepare_and_auth_reset
#endif

#else /* qcom_scm_pas_* */
#ifdef SHIM_HAVE_SCM_PAS_CONTEXT
#define SHIM_API "qcom_scm_pas (context)"
#define shim_ctx qcom_scm_pas_context
#define SHIM_CTX_FIELDS 1
#ifdef SHIM_HAVE_SCM_PAS_CONTEXT_USE_TZMEM
#define SHIM_CTX_USE_TZMEM 1
#endif
#else
#define SHIM_API "qcom_scm_pas (metadata)"
#define shim_ctx qcom_scm_pas_metadata
#endif
#define shim_tz_available qcom_scm_is_available
#define shim_tz_supported qcom_scm_pas_supported
#define shim_tz_init_image qcom_scm_pas_init_image
#ifdef SHIM_HAVE_QCOM_PAS_METADATA_RELEASE_SCM
#define shim_tz_release qcom_pas_metadata_release
#else
#define shim_tz_release qcom_scm_pas_metadata_release
#endif
#define shim_tz_mem_setup qcom_scm_pas_mem_setup
#define shim_tz_auth qcom_scm_pas_auth_and_reset
#define shim_tz_shutdown qcom_scm_pas_shutdown
#define shim_tz_remote_state qcom_scm_set_remote_state
#ifdef SHIM_HAVE_SCM_PAS_GET_RSC_TABLE
#define shim_tz_rsc_table qcom_scm_pas_get_rsc_table
#endif
#ifdef SHIM_HAVE_SCM_PAS_PREPARE_AND_AUTH_RESET
#define shim_tz_prepare_auth qcom_scm_pas_prepare_and_auth_reset
#endif
#endif

/* Bridged authentication needs the kernel's helper and a context that can ask for it. */
#if defined(shim_tz_prepare_auth) && defined(SHIM_CTX_USE_TZMEM) && \
	defined(SHIM_HAVE_TZMEM_SHM_BRIDGE)
#define SHIM_BRIDGES 1
#endif

static void shim_ctx_fill(struct shim_ctx *ctx, const struct qcom_scm_shim_meta *m)
{
	memset(ctx, 0, sizeof(*ctx));
#ifdef SHIM_CTX_FIELDS
	ctx->dev = m->dev;
	ctx->pas_id = m->pas_id;
	ctx->mem_phys = m->mem_phys;
	ctx->mem_size = m->mem_size;
#endif
#ifdef SHIM_CTX_USE_TZMEM
	ctx->use_tzmem = m->use_tzmem;
#endif
}

bool shim_real_available(void)
{
	return shim_tz_available();
}

const char *shim_real_describe(void)
{
	return SHIM_API
#ifdef SHIM_BRIDGES
		", bridged auth"
#endif
#ifdef shim_tz_rsc_table
		", GET_RSCTABLE"
#endif
#ifdef CONFIG_QCOM_TZMEM_MODE_SHMBRIDGE
		", tzmem in SHM-bridge mode"
#endif
		;
}

static bool shim_real_supported(u32 pas_id)
{
	return shim_tz_supported(pas_id);
}

static int shim_real_init_image(struct qcom_scm_shim_meta *m, const void *blob, size_t len)
{
	struct shim_ctx *ctx = kmalloc(sizeof(*ctx), GFP_KERNEL);
	int ret;

	if (!ctx)
		return -ENOMEM;
	shim_ctx_fill(ctx, m);
	/* The kernel copies the blob into its own contiguous buffer and keeps it in @ctx. */
	ret = shim_tz_init_image(m->pas_id, blob, len, ctx);
	if (ret < 0) {
		kfree(ctx);
		return ret;
	}
	m->priv = ctx;
	return ret;
}

static void shim_real_release(struct qcom_scm_shim_meta *m)
{
	struct shim_ctx *ctx = m->priv;

	if (!ctx)
		return;
	shim_tz_release(ctx);
	kfree(ctx);
	m->priv = NULL;
}

static int shim_real_mem_setup(u32 pas_id, phys_addr_t addr, phys_addr_t size)
{
	return shim_tz_mem_setup(pas_id, addr, size);
}

static int shim_real_auth(u32 pas_id)
{
	return shim_tz_auth(pas_id);
}

static int shim_real_shutdown(u32 pas_id)
{
	return shim_tz_shutdown(pas_id);
}

static int shim_real_remote_state(u32 state, u32 id)
{
	return shim_tz_remote_state(state, id);
}

#ifdef SHIM_BRIDGES
static int shim_real_auth_bridged(struct qcom_scm_shim_meta *m)
{
	struct shim_ctx ctx;

	shim_ctx_fill(&ctx, m);
	ctx.use_tzmem = true;
	/* Bridge the carveout, AUTH_AND_RESET, delete the bridge whatever the outcome. */
	return shim_tz_prepare_auth(&ctx);
}

static int shim_real_bridge_create(phys_addr_t pa, size_t size, u64 *handle)
{
	*handle = 0;
	return qcom_tzmem_shm_bridge_create(pa, size, handle);
}

static void shim_real_bridge_delete(u64 handle)
{
	qcom_tzmem_shm_bridge_delete(handle);
}
#endif

#ifdef shim_tz_rsc_table
static void *shim_real_rsc_table(struct qcom_scm_shim_meta *m, void *in, size_t in_len,
				 size_t *out_len)
{
	struct shim_ctx ctx;

	shim_ctx_fill(&ctx, m);
	return shim_tz_rsc_table(&ctx, in, in_len, out_len);
}
#endif

#if IS_REACHABLE(CONFIG_QCOM_SMEM)
static void *shim_real_smem_get(unsigned int item, size_t *size)
{
	return qcom_smem_get(QCOM_SMEM_HOST_ANY, item, size);
}
#endif

#if IS_REACHABLE(CONFIG_QCOM_AOSS_QMP)
static void *shim_real_qmp_get(struct device *dev)
{
	return qmp_get(dev);
}

static int shim_real_qmp_load_state(void *qmp, const char *name, bool on)
{
#ifdef SHIM_HAVE_QMP_SEND_FMT
	return qmp_send(qmp, "{class: image, res: load_state, name: %s, val: %s}", name,
			on ? "on" : "off");
#else
	char buf[SHIM_QMP_LEN] = {};

	snprintf(buf, sizeof(buf), "{class: image, res: load_state, name: %s, val: %s}", name,
		 on ? "on" : "off");
	return qmp_send(qmp, buf, sizeof(buf));
#endif
}

static void shim_real_qmp_put(void *qmp)
{
	qmp_put(qmp);
}
#endif

const struct qcom_scm_shim_provider shim_real_provider = {
	.name = SHIM_API,
	.owner = NULL,	/* built in: never pinned */
	.pas_supported = shim_real_supported,
	.init_image = shim_real_init_image,
	.metadata_release = shim_real_release,
	.mem_setup = shim_real_mem_setup,
	.auth_and_reset = shim_real_auth,
	.shutdown = shim_real_shutdown,
	.set_remote_state = shim_real_remote_state,
#ifdef SHIM_BRIDGES
	.auth_and_reset_bridged = shim_real_auth_bridged,
	.bridge_create = shim_real_bridge_create,
	.bridge_delete = shim_real_bridge_delete,
#endif
#ifdef shim_tz_rsc_table
	.get_rsc_table = shim_real_rsc_table,
#endif
#if IS_REACHABLE(CONFIG_QCOM_SMEM)
	.smem_get = shim_real_smem_get,
#endif
#if IS_REACHABLE(CONFIG_QCOM_AOSS_QMP)
	.qmp_get = shim_real_qmp_get,
	.qmp_load_state = shim_real_qmp_load_state,
	.qmp_put = shim_real_qmp_put,
#endif
};
