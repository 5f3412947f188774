/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Client of the qcom-scm shim (lib/include/rproc/qcom-scm-shim.h): version check, PAS calls, SHM bridges,
 * GET_RSCTABLE, carveout mmap, SMP2P eventfds, stop bit, SMEM, proxy votes.
 */
#ifndef RPROC_BACKEND_SHIM_H
#define RPROC_BACKEND_SHIM_H

#include <stdbool.h>
#include <stdint.h>

#include "rproc/backend.h"
#include "rproc/error.h"
#include "util.h"

struct rproc_shim {
	int fd;
	uint32_t major, minor;
	uint32_t flags; /* QCOM_SCM_SHIM_VERSION_* (ABI 1.1 and later) */
	uint64_t caps;
};

/* Open @path (NULL: QCOM_SCM_SHIM_DEVICE) and check its version and required capabilities. */
int rproc_shim_open(const char *path, struct rproc_shim **out, struct rproc_error *err);
/* The same on an fd from the fd store; takes ownership of @fd only on success. */
int rproc_shim_adopt(int fd, struct rproc_shim **out, struct rproc_error *err);
void rproc_shim_close(struct rproc_shim *s);

static inline bool rproc_shim_has(const struct rproc_shim *s, uint64_t cap)
{
	return (s->caps & cap) == cap;
}

/* "pas,shm-bridge,..." for logs and --check. */
void rproc_shim_caps_string(uint64_t caps, char *buf, size_t len);

/*
 * PAS ops with ctx = struct rproc_shim *.  Every op is present; the optional ones return
 * -EOPNOTSUPP when the capability is missing (the real backend hides them instead).
 */
extern const struct rproc_pas_ops rproc_shim_pas_ops;

/* AUTH_AND_RESET, optionally wrapped in an SHM bridge over the carveout (one op,
 * doc/trustzone-pas.md#shm-bridge). */
int rproc_shim_auth_and_reset(struct rproc_shim *s, uint32_t pas_id, uint64_t pa, uint64_t size,
			      bool bridge);

/* Write-combined view of physical [phys, phys + size) (page aligned). */
int rproc_shim_mmap(struct rproc_shim *s, uint64_t phys, uint64_t size, bool writable, void **va);
/* The carveout as a dma-buf fd, for IOMMU_IOAS_MAP_FILE. */
int rproc_shim_carveout_fd(struct rproc_shim *s, uint64_t phys, uint64_t size, int *fd);
/* Register (efd >= 0) or drop (-1) an eventfd for QCOM_SCM_SHIM_IRQ_* @irq of @device. */
int rproc_shim_set_irq(struct rproc_shim *s, const char *device, uint32_t irq, int efd);

/*
 * Votes in the kernel's two lifetimes (ABI 1.1): take (on) or drop the QCOM_SCM_SHIM_VOTE_*
 * @votes of @device.  rproc_shim_proxy_votes(): power domains, clocks, supplies, interconnect,
 * taken before the boot and dropped at "handover" (or at stop or failure without one).
 * rproc_shim_load_state(): the AOSS load_state vote, "on" before the boot and "off" only at
 * stop or after a crash.  -EOPNOTSUPP when the module lacks the capability (an ABI 1.0
 * module only takes both at once).
 */
int rproc_shim_vote(struct rproc_shim *s, const char *device, uint32_t votes, bool on);
int rproc_shim_proxy_votes(struct rproc_shim *s, const char *device, bool on);
int rproc_shim_load_state(struct rproc_shim *s, const char *device, bool on);

struct rproc_shim_core_state {
	uint32_t state;        /* QCOM_SCM_SHIM_STATE_* */
	uint32_t levels;       /* bit n: level of QCOM_SCM_SHIM_IRQ_n ... */
	uint32_t levels_valid; /* ... where the interrupt controller could read it */
	uint32_t pas_id;
};

/*
 * QCOM_SCM_SHIM_CORE @op on @device (ABI 1.1, CAP_CORE): QUERY its state and the current
 * SMP2P levels (a re-adopting daemon reads "ready" and "fatal" there), KEEP it across the
 * close of this file (the lifecycle does not: doc/boot-sequence.md#adoption), or RELEASE
 * everything it holds now.  @out may be NULL.
 */
int rproc_shim_core(struct rproc_shim *s, const char *device, uint32_t op,
		    struct rproc_shim_core_state *out);

/* Register the node's glink-edge after "ready", unregister it before SHUTDOWN (CAP_GLINK). */
int rproc_shim_glink(struct rproc_shim *s, const char *device, bool registered);

#endif
