// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Resource tables (doc/trustzone-pas.md#get_rsctable).
 * rprocd only acts on DEVMEM entries (IOMMU mappings of
 * device memory); the rest is validated, counted by type and skipped, as the PAS driver
 * does: it has no handle_rsc for vendor entries, and CARVEOUT/TRACE/VDEV are not used by PAS
 * remoteprocs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rproc/rsc.h"
#include "unaligned.h"
#include "util.h"

#define RSC_VERSION 1
#define RSC_MAX_ENTRIES 4096 /* each needs 4 bytes of offset + a 4-byte type at least */
#define RSC_DEVMEM_BODY 52u  /* da, pa, len, flags, reserved, name[32] */

void rproc_rsc_empty(uint8_t out[RPROC_RSC_HDR_SIZE])
{
	memset(out, 0, RPROC_RSC_HDR_SIZE); /* ver 0, num 0 (doc/trustzone-pas.md#get_rsctable) */
}

int rproc_rsc_parse(const void *buf, size_t len, struct rproc_devmem **devmem, size_t *n,
		    struct rproc_rsc_skipped *skipped, struct rproc_error *err)
{
	_cleanup_free_ struct rproc_devmem *dm = NULL;
	struct rproc_rsc_skipped skip = { 0 };
	const uint8_t *b = buf;
	uint32_t ver, num;
	size_t ndm = 0;

	*devmem = NULL;
	*n = 0;
	if (skipped)
		*skipped = skip;
	if (!b || len < RPROC_RSC_HDR_SIZE)
		return rproc_err(err, -EINVAL,
				 "resource table is %zu bytes, smaller than its 16-byte header", len);
	ver = unaligned_read_le32(b);
	num = unaligned_read_le32(b + 4);
	if (ver != RSC_VERSION)
		return rproc_err(err, -EINVAL, "resource table version %u, only 1 is supported", ver);
	if (unaligned_read_le32(b + 8) || unaligned_read_le32(b + 12))
		return rproc_err(err, -EINVAL, "resource table header: reserved fields not zero");
	if (num > RSC_MAX_ENTRIES || (uint64_t)RPROC_RSC_HDR_SIZE + (uint64_t)num * 4 > len)
		return rproc_err(err, -EINVAL,
				 "resource table declares %u entries; their offsets do not fit in "
				 "%zu bytes",
				 num, len);
	if (num) {
		dm = calloc(num, sizeof(*dm));
		if (!dm)
			return rproc_err(err, -ENOMEM, "out of memory");
	}

	for (uint32_t i = 0; i < num; i++) {
		uint32_t off = unaligned_read_le32(b + RPROC_RSC_HDR_SIZE + 4 * (size_t)i), type;
		const uint8_t *e;

		/* an entry's type word must lie after the offset array, inside the table */
		if (off < RPROC_RSC_HDR_SIZE + 4 * (uint64_t)num || !range_within(off, 4, len))
			return rproc_err(err, -EINVAL,
					 "resource table entry %u: offset %u outside the table "
					 "(%zu bytes)",
					 i, off, len);
		e = b + off;
		type = unaligned_read_le32(e);
		if (type == RSC_DEVMEM) {
			struct rproc_devmem *d = &dm[ndm];

			if (!range_within((uint64_t)off + 4, RSC_DEVMEM_BODY, len))
				return rproc_err(err, -EINVAL,
						 "resource table entry %u (DEVMEM at %u) is truncated",
						 i, off);
			if (unaligned_read_le32(e + 20))
				return rproc_err(err, -EINVAL,
						 "resource table entry %u (DEVMEM): reserved field "
						 "is 0x%x, must be 0",
						 i, unaligned_read_le32(e + 20));
			d->da = unaligned_read_le32(e + 4);
			d->pa = unaligned_read_le32(e + 8);
			d->len = unaligned_read_le32(e + 12);
			d->flags = unaligned_read_le32(e + 16);
			memcpy(d->name, e + 24, sizeof(d->name));
			d->name[sizeof(d->name) - 1] = '\0';
			ndm++;
			continue;
		}
		switch (type) {
		case RSC_CARVEOUT:
			skip.carveout++;
			break;
		case RSC_TRACE:
			skip.trace++;
			break;
		case RSC_VDEV:
			skip.vdev++;
			break;
		default:
			if (type >= RSC_VENDOR_START && type <= RSC_VENDOR_END)
				skip.vendor++;
			else
				skip.other++;
		}
	}
	if (skipped)
		*skipped = skip;
	*n = ndm;
	if (ndm)
		*devmem = TAKE_PTR(dm);
	return 0;
}
