// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the firmware parsers: the bytes as the head of a file (rproc_fw_parse) and as an
 * INIT_IMAGE blob (rproc_fw_parse_metadata + the TrustZone-side verification against the
 * input itself as "memory").
 */
#include <stdlib.h>

#include "fuzz-replay.h"
#include "rproc/fw.h"

const struct fuzz_seed fuzz_seeds[] = {{NULL, 0}};
const size_t fuzz_n_seeds = 0;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rproc_fw_image *img = NULL;
	struct rproc_error err;
	size_t need = 0;
	int bad;

	if (rproc_fw_parse(data, size, size, &img, &need, &err) == 0) {
		(void)rproc_fw_verify_metadata(img->metadata, img->metadata_len, data,
					       img->min_addr, size, &bad, &err);
		rproc_fw_close(img);
	}
	/* the same bytes as the head of a longer file */
	if (rproc_fw_parse(data, size, (uint64_t)size + 65536, &img, &need, &err) == 0)
		rproc_fw_close(img);
	if (rproc_fw_parse_metadata(data, size, &img, &err) == 0) {
		uint64_t reloc;

		(void)rproc_fw_reloc(img, 0x80000000, 0x1000000, &reloc, &err);
		rproc_fw_close(img);
	}
	(void)rproc_fw_verify_metadata(data, size, data, 0, size, &bad, &err);
	return 0;
}
