/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Resource tables as TrustZone's GET_RSCTABLE returns them (doc/trustzone-pas.md#get_rsctable). */
#ifndef RPROC_RSC_H
#define RPROC_RSC_H

#include <stddef.h>
#include <stdint.h>

#include <rproc/dt.h>
#include <rproc/error.h>

#define RSC_CARVEOUT 0
#define RSC_DEVMEM 1
#define RSC_TRACE 2
#define RSC_VDEV 3
#define RSC_LAST 4
#define RSC_VENDOR_START 128
#define RSC_VENDOR_END 512

#define RPROC_RSC_HDR_SIZE 16
#define RPROC_RSC_FIRST_SIZE (16 * 1024)

/* The entries of a table that are not DEVMEM, by type: a PAS remote processor uses none. */
struct rproc_rsc_skipped {
	unsigned int carveout, trace, vdev;
	unsigned int vendor; /* RSC_VENDOR_START..RSC_VENDOR_END */
	unsigned int other;  /* any other type */
};

/*
 * rproc_rsc_parse() - validate a resource table (ver 1, offsets in range, reserved fields 0)
 * and return its DEVMEM entries; the others are counted by type in *@skipped (may be NULL),
 * not logged: the caller says what it ignores.  *@devmem is malloc'd (NULL when there is
 * none).
 */
int rproc_rsc_parse(const void *buf, size_t len, struct rproc_devmem **devmem, size_t *n,
		    struct rproc_rsc_skipped *skipped, struct rproc_error *err);

/* The empty 16-byte table (ver 0, num 0) sent when the firmware has no .resource_table. */
void rproc_rsc_empty(uint8_t out[RPROC_RSC_HDR_SIZE]);

#endif
