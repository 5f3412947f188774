/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The minidump table of contents (SMEM item 602) and the region array it points to: written
 * by the remote's firmware (and by the simulated TrustZone), read by the coredump.  Fields
 * are little-endian.  The layout is what the subsystem entry has with natural alignment
 * (doc/boot-sequence.md#coredump): the 4 bytes before regions_baseptr are padding, not a
 * documented field, so they are spelled out as reserved and every offset is checked below.
 */
#ifndef RPROC_MINIDUMP_H
#define RPROC_MINIDUMP_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "rproc/coredump.h"
#include "util.h"

#define MD_MAGIC(a, b, c, d)                                                                       \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define MD_REGION_VALID MD_MAGIC('V', 'A', 'L', 'I')
#define MD_SS_ENABLED MD_MAGIC('E', 'N', 'B', 'L')
#define MD_SS_ENCR_DONE MD_MAGIC('D', 'O', 'N', 'E')
#define MD_REGION_NAME_LEN 16

struct md_region {
	char name[MD_REGION_NAME_LEN];
	uint32_t seq_num;
	uint32_t valid; /* MD_REGION_VALID */
	uint64_t address;
	uint64_t size;
} _packed_;

struct md_subsystem {
	uint32_t status;            /* 1: the entry is filled in */
	uint32_t enabled;           /* MD_SS_ENABLED */
	uint32_t encryption_status; /* MD_SS_ENCR_DONE once the regions may be read */
	uint32_t encryption_required;
	uint32_t region_count;
	uint32_t reserved;
	uint64_t regions_baseptr; /* physical address of region_count struct md_region */
} _packed_;

struct md_toc {
	uint32_t status;
	uint32_t md_revision;
	uint32_t enabled;
	uint32_t reserved;
	/* indexed by minidump id; the kernel's struct declares RPROC_MINIDUMP_MAX_SS entries,
	 * SA8775p's ids go up to 22: the item's size says how many there are */
	struct md_subsystem subsystems[];
} _packed_;

static_assert(offsetof(struct md_region, seq_num) == 16, "minidump region layout");
static_assert(offsetof(struct md_region, valid) == 20, "minidump region layout");
static_assert(offsetof(struct md_region, address) == 24, "minidump region layout");
static_assert(offsetof(struct md_region, size) == 32, "minidump region layout");
static_assert(sizeof(struct md_region) == 40, "minidump region layout");
static_assert(offsetof(struct md_subsystem, encryption_status) == 8, "minidump entry layout");
static_assert(offsetof(struct md_subsystem, region_count) == 16, "minidump entry layout");
static_assert(offsetof(struct md_subsystem, regions_baseptr) == 24, "minidump entry layout");
static_assert(sizeof(struct md_subsystem) == 32, "minidump entry layout");
static_assert(offsetof(struct md_toc, enabled) == 8, "minidump table layout");
static_assert(offsetof(struct md_toc, subsystems) == 16, "minidump table layout");
static_assert(sizeof(struct md_toc) == 16, "minidump table layout");

#endif
