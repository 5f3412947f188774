/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* CPU view of a carveout through /dev/mem (doc/iommu.md#cpu-access): Device memory, aligned
 * accesses only. */
#ifndef RPROC_BACKEND_DEVMEM_H
#define RPROC_BACKEND_DEVMEM_H

#include <stdbool.h>
#include <stdint.h>

#include "rproc/error.h"
#include "util.h"

#define RPROC_DEVMEM_PATH "/dev/mem"

/*
 * rproc_devmem_map() - mmap physical [phys, phys + size) of @path (NULL: /dev/mem), both page
 * aligned.  The fd is closed before returning: the mapping alone keeps the view.
 */
int rproc_devmem_map(const char *path, uint64_t phys, uint64_t size, bool writable, void **va,
		     struct rproc_error *err);

#endif
