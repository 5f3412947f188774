/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The real backend's internals, shared by real.c (on top: assembly, PAS, memory ops, fd
 * store), real-iommu.c (IOMMU contexts and the iommufd -> type1 fallback), real-irq.c
 * (interrupt sources) and real-dev.c (below them: devices, adopted fds, the CPU view).
 */
#ifndef RPROC_BACKEND_REAL_INTERNAL_H
#define RPROC_BACKEND_REAL_INTERNAL_H

#include <limits.h>
#include <libudev.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "rproc/backend.h"
#include "rproc/real.h"
#include "util.h"
#include "shim.h"
#include "vfio.h"

struct real_map {
	uint64_t iova, pa, size;
	uint32_t prot;
};

enum irq_src { IRQ_NONE, IRQ_VFIO, IRQ_SHIM, _IRQ_SRC_MAX };

struct real_dev {
	struct real_dev *next;
	struct real_backend *b;
	char device[128];
	char core[32];
	char syspath[PATH_MAX];
	bool vfio_elsewhere; /* VfioDevice=: the VFIO device is not the PAS node's */
	struct rproc_vfio *vfio;
	bool fell_back;
	struct real_map *maps;
	size_t n_maps, cap_maps;
	bool irq_open;
	int irq_fd[RPROC_IRQ_COUNT];
	enum irq_src irq_src[RPROC_IRQ_COUNT];
	bool irq_automasked[RPROC_IRQ_COUNT];
};

struct real_backend {
	struct rproc_backend pub;
	struct rproc_pas_ops pas;
	struct rproc_real_config cfg;
	char *shim_path, *sysfs_root, *dev_root, *devmem_path;
	struct rproc_real_vfio_device *vfio_devices; /* own copies of cfg's */
	struct rproc_shim *shim;
	struct real_dev *devs;
	struct rproc_fd_entry *adopted; /* fds from the store not yet claimed */
	size_t n_adopted;
	bool exported; /* copies of our fds are in the fd store: destroy must not undo state */
	/* Cores start in parallel worker threads: the device list and the adopted fds are
	 * shared.  Per-device work (wait, open, map) runs outside the lock: one core, one
	 * device. */
	pthread_mutex_t lock;
};

/* real-dev.c: below the ops */
struct real_dev *real_dev_find(struct real_backend *b, const char *device);
/* The device of @desc, found (waiting for it), and its VFIO context open. */
int real_dev_open(struct real_backend *b, const struct rproc_desc *desc, struct real_dev **out);
/* Open @d's VFIO context of @kind, re-adopting one the fd store holds. */
int real_dev_open_vfio(struct real_backend *b, struct real_dev *d, enum rproc_vfio_kind kind,
		       struct rproc_error *err);
void real_dev_release_irqs(struct real_dev *d, bool keep);
void real_dev_free(struct real_dev *d, bool keep);
/* Take the adopted fd named exactly @name (or -1). */
int real_claim_adopted(struct real_backend *b, const char *name);
/* Map [phys, +size) for the CPU; *wc says whether it is the write-combined shim view. */
int real_cpu_view(struct real_backend *b, uint64_t phys, uint64_t size, bool writable, void **va,
		  bool *wc, struct rproc_error *err);

/* real-iommu.c */
extern const struct rproc_iommu_ops real_iommu_ops;

/* real-irq.c */
extern const struct rproc_irq_ops real_irq_ops;
/* The fd store name of interrupt @irq of @d delivered by @src. */
void real_irq_fd_name(char *buf, size_t len, const struct real_dev *d, enum rproc_irq irq,
		      enum irq_src src);

#endif
