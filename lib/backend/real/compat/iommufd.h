/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The few iommufd UAPI definitions rprocd needs (doc/iommu.md#iommufd), for systems whose
 * <linux/iommufd.h> is missing (Debian 12 ships 6.1 headers) or predates IOMMU_IOAS_MAP_FILE.
 * Layouts follow the kernel's include/uapi/linux/iommufd.h field by field; the sizes are
 * asserted so a typo cannot change the ABI.  Include this, never <linux/iommufd.h> directly.
 */
#ifndef RPROC_COMPAT_IOMMUFD_H
#define RPROC_COMPAT_IOMMUFD_H

#include <assert.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#include "config.h"

#if HAVE_LINUX_IOMMUFD_H
#include <linux/iommufd.h>
#else

#define IOMMUFD_TYPE (';')

/* Every command is _IO(';', nr): the struct size travels in its first field
 * (doc/iommu.md#iommufd). */
#define IOMMU_DESTROY _IO(IOMMUFD_TYPE, 0x80)
#define IOMMU_IOAS_ALLOC _IO(IOMMUFD_TYPE, 0x81)
#define IOMMU_IOAS_IOVA_RANGES _IO(IOMMUFD_TYPE, 0x84)
#define IOMMU_IOAS_MAP _IO(IOMMUFD_TYPE, 0x85)
#define IOMMU_IOAS_UNMAP _IO(IOMMUFD_TYPE, 0x86)

struct iommu_destroy {
	__u32 size;
	__u32 id;
};

struct iommu_ioas_alloc {
	__u32 size;
	__u32 flags;
	__u32 out_ioas_id;
};

struct iommu_iova_range {
	__aligned_u64 start;
	__aligned_u64 last; /* inclusive */
};

struct iommu_ioas_iova_ranges {
	__u32 size;
	__u32 ioas_id;
	__u32 num_iovas;
	__u32 __reserved;
	__aligned_u64 allowed_iovas;
	__aligned_u64 out_iova_alignment;
};

enum iommufd_ioas_map_flags {
	IOMMU_IOAS_MAP_FIXED_IOVA = 1 << 0,
	IOMMU_IOAS_MAP_WRITEABLE = 1 << 1,
	IOMMU_IOAS_MAP_READABLE = 1 << 2,
};

struct iommu_ioas_map {
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__u32 __reserved;
	__aligned_u64 user_va;
	__aligned_u64 length;
	__aligned_u64 iova;
};

struct iommu_ioas_unmap {
	__u32 size;
	__u32 ioas_id;
	__aligned_u64 iova;
	__aligned_u64 length;
};

#endif /* HAVE_LINUX_IOMMUFD_H */

#if !HAVE_IOMMU_IOAS_MAP_FILE
/* Linux 6.13+ (memfd), 6.19+ (dma-buf): doc/iommu.md#what-can-be-mapped. */
#define IOMMU_IOAS_MAP_FILE _IO(IOMMUFD_TYPE, 0x8f)

struct iommu_ioas_map_file {
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__s32 fd;
	__aligned_u64 start;
	__aligned_u64 length;
	__aligned_u64 iova;
};
#endif

static_assert(sizeof(struct iommu_destroy) == 8, "iommu_destroy ABI");
static_assert(sizeof(struct iommu_ioas_alloc) == 12, "iommu_ioas_alloc ABI");
static_assert(sizeof(struct iommu_iova_range) == 16, "iommu_iova_range ABI");
static_assert(sizeof(struct iommu_ioas_iova_ranges) == 32, "iommu_ioas_iova_ranges ABI");
static_assert(sizeof(struct iommu_ioas_map) == 40, "iommu_ioas_map ABI");
static_assert(sizeof(struct iommu_ioas_map_file) == 40, "iommu_ioas_map_file ABI");
static_assert(sizeof(struct iommu_ioas_unmap) == 24, "iommu_ioas_unmap ABI");
static_assert(IOMMU_IOAS_MAP == 0x3b85, "IOMMU_IOAS_MAP number");
static_assert(IOMMU_IOAS_MAP_FILE == 0x3b8f, "IOMMU_IOAS_MAP_FILE number");

#endif
