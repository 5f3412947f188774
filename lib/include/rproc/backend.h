/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Backend ops tables: the only way the lifecycle reaches TrustZone, the SMMU, carveout memory
 * and interrupts.  Implementations: the simulated SoC (backend/sim*.c), the real ones
 * (backend/shim.c, vfio-type1.c, iommufd.c, devmem.c) and the unit-test mock (tests/).
 * Nothing outside lib/backend/ knows which one it talks to.
 *
 * Conventions: 0 on success, negative errno on failure.  PAS calls may also return a
 * positive TrustZone result code (a successful SMC whose result[0] is non-zero): callers
 * treat every non-zero value as failure.
 */
#ifndef RPROC_BACKEND_H
#define RPROC_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rproc/dt.h>

/* IOMMU protection bits, as the kernel's include/linux/iommu.h and resource tables use them. */
#define RPROC_IOMMU_READ 0x1
#define RPROC_IOMMU_WRITE 0x2
#define RPROC_IOMMU_CACHE 0x4
#define RPROC_IOMMU_NOEXEC 0x8
#define RPROC_IOMMU_MMIO 0x10
#define RPROC_IOMMU_PRIV 0x20

/*
 * What the lifecycle and the backends know of one remote processor: the device tree entry
 * with the SoC table and the configuration applied.
 */
struct rproc_desc {
	char name[32];
	char compatible[128];
	char device[128]; /* platform device name */
	char node[256];
	int pas_id;
	int dtb_pas_id;        /* RPROC_NO_ID if no DTB image */
	int lite_pas_id;       /* RPROC_NO_ID if none */
	int crash_reason_smem; /* RPROC_NO_ID if none */
	int minidump_id;       /* RPROC_NO_ID if none */
	bool decrypt_shutdown;

	unsigned int n_firmware; /* 1, or 2 with a DTB image */
	char firmware[2][256];

	unsigned int n_carveouts; /* carveouts[0]: main image; [1]: DTB image */
	struct rproc_dt_carveout carveouts[2];

	unsigned int n_iommus;
	struct rproc_dt_iommu iommus[RPROC_DT_MAX_IOMMUS];

	/* qcom,devmem rows from the DT; when absent the resource table from TZ is used. */
	size_t n_devmem;
	struct rproc_devmem *devmem;
};

/*
 * rproc_desc_from_dt() - fill @d from a DT entry and its SoC data.  @pas_id_override >= 0
 * replaces the table's PAS id (required for compatibles the table does not know); NULL
 * @firmware_override keeps the DT's firmware-name (else the table's default).
 * d->devmem is malloc'd: release with rproc_desc_clear().
 */
int rproc_desc_from_dt(const struct rproc_dt_rproc *dt, int pas_id_override,
		       const char *firmware_override, struct rproc_desc *d,
		       struct rproc_error *err);
void rproc_desc_clear(struct rproc_desc *d);

/* ---- PAS (TrustZone) ------------------------------------------------------------------ */

/* What the transport knows of a core right now (core_query()). */
struct rproc_core_status {
	bool running; /* authenticated, not shut down */
	bool levels;  /* the interrupt levels below are known */
	bool ready;   /* the "ready" line is high: the firmware is up */
	bool fatal;   /* the "fatal" line is high: the firmware died */
};

struct rproc_pas_ops {
	int (*is_supported)(void *ctx, uint32_t pas_id); /* > 0 yes, 0 no, < 0 error */
	int (*init_image)(void *ctx, uint32_t pas_id, const void *meta, size_t len);
	int (*mem_setup)(void *ctx, uint32_t pas_id, uint64_t addr, uint64_t size);
	int (*auth_and_reset)(void *ctx, uint32_t pas_id);
	int (*shutdown)(void *ctx, uint32_t pas_id);
	/* Free the metadata buffer INIT_IMAGE kept (after ready, or on an error path). */
	int (*metadata_release)(void *ctx, uint32_t pas_id);
	int (*set_remote_state)(void *ctx, uint32_t state, uint32_t id);
	/* *out is malloc'd by the backend and freed by the caller. */
	int (*get_rsc_table)(void *ctx, uint32_t pas_id, const void *in, size_t in_len, void **out,
			     size_t *out_len);
	/*
	 * Optional SHM bridge over a carveout (doc/trustzone-pas.md#shm-bridge), around
	 * AUTH_AND_RESET of a core with `iommus`; -EOPNOTSUPP where the transport cannot make
	 * one.  auth_and_reset_bridged(), when there, does create, AUTH_AND_RESET and delete in
	 * one call that nothing interrupts half way (the kernel's
	 * qcom_scm_pas_prepare_and_auth_reset()), and the caller prefers it.
	 */
	int (*shm_bridge_create)(void *ctx, uint64_t pa, uint64_t size, uint64_t *handle);
	int (*shm_bridge_delete)(void *ctx, uint64_t handle);
	int (*auth_and_reset_bridged)(void *ctx, uint32_t pas_id, uint64_t pa, uint64_t size);
	/*
	 * Optional: delete every SHM bridge inside [pa, pa + size), whoever created it (0 when
	 * there was none).  What a successor uses after a daemon was killed between creating
	 * a bridge and deleting it: the handle died with the process.
	 */
	int (*shm_bridge_release)(void *ctx, uint64_t pa, uint64_t size);

	/*
	 * Optional: NULL when the backend cannot do it.
	 *
	 * Votes, in the kernel's two lifetimes (doc/boot-sequence.md#proxy-vote): the proxy
	 * votes (power domains, clocks, supplies, interconnect) from before INIT_IMAGE until
	 * "handover", or until the stop or the failure when handover never came; the AOSS
	 * load_state vote (@on) from before INIT_IMAGE until the stop or the crash handling.
	 */
	int (*proxy_vote)(void *ctx, const struct rproc_desc *d);
	int (*proxy_unvote)(void *ctx, const struct rproc_desc *d);
	int (*load_state)(void *ctx, const struct rproc_desc *d, bool on);
	int (*stop_bit)(void *ctx, const struct rproc_desc *d, bool set);
	/*
	 * The core's glink edge, for rpmsg clients (doc/shim.md#losses): registered after
	 * "ready", unregistered (with the SSR notification to the other edges) before SHUTDOWN.
	 */
	int (*glink)(void *ctx, const struct rproc_desc *d, bool registered);
	/* What the transport knows of the core: a daemon adopting a running core checks it. */
	int (*core_query)(void *ctx, const struct rproc_desc *d, struct rproc_core_status *st);
	int (*crash_reason)(void *ctx, const struct rproc_desc *d, char *buf, size_t len);
	/* Read SMEM item @item into a malloc'd buffer (minidump table of contents, item 602). */
	int (*smem_read)(void *ctx, uint32_t item, void **buf, size_t *len);
};

/* ---- IOMMU ------------------------------------------------------------------------------ */

struct rproc_iova_range {
	uint64_t start;
	uint64_t last; /* inclusive */
};

struct rproc_iommu_ops {
	/* One context (domain) per remote processor's device; kept for the daemon's lifetime. */
	int (*open)(void *ctx, const struct rproc_desc *d, void **dom);
	/* Usable IOVA ranges, after attach.  *n is the number available (may exceed max). */
	int (*iova_ranges)(void *dom, struct rproc_iova_range *r, size_t max, size_t *n);
	/* Map physical [pa, pa + size) at @iova with RPROC_IOMMU_* @prot. */
	int (*map)(void *dom, uint64_t iova, uint64_t pa, uint64_t size, uint32_t prot);
	int (*unmap)(void *dom, uint64_t iova, uint64_t size);
	void (*close)(void *dom);
};

/* ---- carveout memory (CPU view) ------------------------------------------------------------ */

struct rproc_mem_map {
	void *va;
	uint64_t phys;
	uint64_t size;
	bool write_combined; /* false: Device memory, aligned accesses only */
	void *priv;
};

struct rproc_mem_ops {
	/*
	 * A view of physical [phys, phys + size), at any alignment (a minidump region, a
	 * coredump segment): the backend maps the pages around it, m->va is phys's byte.
	 */
	int (*map)(void *ctx, uint64_t phys, uint64_t size, bool writable, struct rproc_mem_map *m);
	void (*unmap)(void *ctx, struct rproc_mem_map *m);
};

/* ---- interrupts ---------------------------------------------------------------------------- */

enum rproc_irq {
	RPROC_IRQ_WDOG,
	RPROC_IRQ_FATAL,
	RPROC_IRQ_READY,
	RPROC_IRQ_HANDOVER,
	RPROC_IRQ_STOP_ACK,
	RPROC_IRQ_COUNT,
};

const char *rproc_irq_name(enum rproc_irq irq);

struct rproc_irq_ops {
	/* fds[i] becomes readable when irq i fires; -1 where the backend has none. */
	int (*open)(void *ctx, const struct rproc_desc *d, int fds[RPROC_IRQ_COUNT]);
	/* Consume one event of @irq (NULL: the caller reads 8 bytes, eventfd style). */
	int (*ack)(void *ctx, const struct rproc_desc *d, enum rproc_irq irq);
	void (*close)(void *ctx, const struct rproc_desc *d);
};

/* ---- the whole backend -------------------------------------------------------------------- */

/* Re-adoption across daemon restarts: fds that hold state the kernel tears down on close. */
struct rproc_fd_entry {
	char name[64]; /* FDNAME= for the service manager's fd store: [A-Za-z0-9_.:-] */
	int fd;
};

struct rproc_backend {
	const char *name; /* "simulated", "shim+vfio-type1", "shim+iommufd", ... */
	const struct rproc_pas_ops *pas;
	void *pas_ctx;
	const struct rproc_iommu_ops *iommu;
	void *iommu_ctx;
	const struct rproc_mem_ops *mem;
	void *mem_ctx;
	const struct rproc_irq_ops *irq;
	void *irq_ctx;

	/*
	 * Optional.  export_fds: list the fds to keep in the fd store (the backend keeps
	 * owning them).  adopt_fds: hand back fds from LISTEN_FDS before any core is created;
	 * the backend takes ownership of those it recognises and returns how many it took.
	 */
	int (*export_fds)(struct rproc_backend *b, struct rproc_fd_entry *out, size_t max,
			  size_t *n);
	int (*adopt_fds)(struct rproc_backend *b, struct rproc_fd_entry *in, size_t n);
	void (*destroy)(struct rproc_backend *b);
};

static inline void rproc_backend_destroy(struct rproc_backend *b)
{
	if (b && b->destroy)
		b->destroy(b);
}

#endif
