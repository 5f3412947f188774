/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A test backend for the edu-backed "DSP": IOMMU and memory ops are librproc's real ones
 * (its VFIO type1 context on the edu device, its /dev/mem provider), the PAS ops a test-only
 * stand-in for TrustZone: at AUTH_AND_RESET the DSP (edu) reads its image through the IOMMU at
 * the address the lifecycle mapped (IOVA == PA,
 * doc/boot-sequence.md#iommu-map) and raises ready only if the
 * bytes match the firmware file, else fatal.  Interrupts are eventfds.
 * Used by the guest test's lifecycle part (lifecycle.c) and by the backend module rprocd
 * loads in the guest (module/edu-module.c).
 */
#ifndef RPROC_VM_EDU_BACKEND_H
#define RPROC_VM_EDU_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

#include "rproc/backend.h"
#include "util.h"
#include "vm-test.h"

struct life {
	struct ctx *c;
	int irq[RPROC_IRQ_COUNT];
	unsigned int auths, shutdowns, maps, unmaps;
	bool dsp_saw_image; /* what the stand-in DSP read at AUTH_AND_RESET */
	void *meta;
	/* Optional: called after a successful unmap (the daemon's module probes the device). */
	void (*after_unmap)(struct life *l, uint64_t iova, uint64_t size);
};

/* Fill @b with the ops, all with @l as context; @c needs o, img, reloc and file set. */
void edu_backend_init(struct life *l, struct ctx *c, struct rproc_backend *b);

#endif
