// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz the resource-table parser (what TrustZone's GET_RSCTABLE returns,
 * doc/trustzone-pas.md#get_rsctable). */
#include <stdlib.h>

#include "fuzz-replay.h"
#include "rproc/rsc.h"

/* ver 1, 3 entries: DEVMEM, vendor 128, TRACE (little-endian) */
static const uint8_t seed_table[] = {
	1, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* header */
	28, 0, 0, 0, 84, 0, 0, 0, 92, 0, 0, 0,           /* offsets */
	1, 0, 0, 0,                                      /* DEVMEM at 28 */
	0, 0, 0, 0x10, 0, 0, 0, 0x0b, 0, 0x10, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0,
	'l', 'p', 'a', 's', 's', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	128, 0, 0, 0, 0, 0, 0, 0, /* vendor at 84 */
	2, 0, 0, 0, 0, 0, 0, 0,   /* TRACE at 92 (truncated body: skipped anyway) */
};
static const uint8_t seed_empty[16] = {1};

const struct fuzz_seed fuzz_seeds[] = {
	{seed_table, sizeof(seed_table)},
	{seed_empty, sizeof(seed_empty)},
};
const size_t fuzz_n_seeds = sizeof(fuzz_seeds) / sizeof(fuzz_seeds[0]);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rproc_devmem *dm = NULL;
	struct rproc_rsc_skipped skipped;
	size_t n;

	if (rproc_rsc_parse(data, size, &dm, &n, &skipped, NULL) == 0)
		free(dm);
	return 0;
}
