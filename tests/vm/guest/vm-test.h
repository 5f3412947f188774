/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the guest test's parts (vm-test.c, vm-dma.c, lifecycle.c, edu-backend.c) and the
 * daemon's backend module (module/edu-module.c): state, checks, DMA helpers. */
#ifndef RPROC_VM_TEST_H
#define RPROC_VM_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "edu.h"
#include "rproc/fw.h"
#include "util.h"
#include "vfio.h"
#include "vm-mem.h"

/* Fixed IOVAs, all below edu's default 28-bit DMA mask and outside the arm64 SMMU software-MSI
 * window 0x8000000-0x80fffff (doc/iommu.md#msi-window). */
#define SCRATCH_IOVA 0x4000000ull  /* anonymous RW buffer the device copies results into */
#define MEMFD_IOVA 0x4800000ull	   /* iommufd: a memfd buffer */
#define FALLBACK_IOVA 0x5000000ull /* carveout when IOVA == PA is not possible */
#define SCRATCH_SIZE (64u << 10)
#define POISON 0xa5

struct opts {
	const char *dev;
	const char *fw;
	uint64_t co_pa, co_size;
	uint64_t dm_pa, dm_size;
	uint64_t dma_mask;
	bool iommufd;
};

struct ctx {
	struct opts o;
	struct rproc_vfio *v;
	struct edu edu;
	uint8_t *scratch; /* SCRATCH_SIZE, device-writable at SCRATCH_IOVA */
	struct vm_mem co; /* CPU view of the carveout */
	struct vm_mem dm; /* CPU view of the devmem region */
	uint64_t co_iova, dm_iova;
	uint8_t *file; /* the firmware file, for comparing */
	size_t file_len;
	struct rproc_fw_image *img;
	uint64_t reloc;
	int faults_at_start; /* IOMMU fault lines in the kernel log before the first DMA */
};

/* Offsets (in the carveout) the device reads: start, middle and end of each loadable
 * segment's file bytes, and the zero-filled tail when there is one. */
struct probe {
	uint64_t off;
	uint32_t len;
};

/* One "VMCHECK pass|fail" line; notes are plain lines. */
void _printf_(2, 3) check(bool ok, const char *fmt, ...);
void _printf_(1, 2) note(const char *fmt, ...);
int count_iommu_faults(void);
/* "VMTEST done <passed> <failed>"; exit status 0 iff nothing failed. */
int vm_finish(void);
int vm_read_file(const char *path, uint8_t **buf, size_t *len);

/* Attach edu to a fresh domain of @kind, map the scratch buffer, open BAR0. */
bool open_vfio(struct ctx *c, enum rproc_vfio_kind kind);
void close_vfio(struct ctx *c);

int device_read(struct ctx *c, uint64_t iova, uint32_t len, bool poison);
int device_write(struct ctx *c, uint64_t iova, uint8_t pattern, uint32_t len);
int expected_at(const struct ctx *c, uint64_t off, uint32_t len, uint8_t *out);
size_t plan_probes(const struct ctx *c, struct probe *p, size_t max);
bool carveout_holds_image(struct ctx *c, const struct probe *p, size_t n);

/* librproc's lifecycle (rproc_start/stop) on a test backend: real VFIO type1 and /dev/mem,
 * a stand-in TrustZone whose "DSP" is edu reading its image through the IOMMU. */
void test_lifecycle(struct ctx *c);

#endif
