/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CPU view of a physical range the kernel does not own, for the guest test: a thin adapter
 * over librproc's /dev/mem carveout provider (the way the daemon reaches a carveout on a
 * board, doc/iommu.md#cpu-access).  Reads and writes
 * go through aligned accesses only, because the view
 * may be Device memory (arm64 maps non-linear-map PFNs of /dev/mem nGnRnE).
 */
#ifndef RPROC_VM_MEM_H
#define RPROC_VM_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rproc/error.h"
#include "util.h"

struct vm_mem {
	void *va;
	uint64_t phys;
	uint64_t size;
	void *priv;
};

int vm_mem_map(struct vm_mem *m, uint64_t phys, uint64_t size, bool writable,
	       struct rproc_error *err);
void vm_mem_unmap(struct vm_mem *m);
/* Copy out of / into the view at @off with aligned accesses. */
void vm_mem_read(const struct vm_mem *m, uint64_t off, void *dst, size_t len);
void vm_mem_write(struct vm_mem *m, uint64_t off, const void *src, size_t len);

#endif
