// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Firmware load benchmark: rproc_fw_load() (pread into a 256 KiB bounce buffer, then aligned
 * 8-byte stores into the carveout, bss zeroed) against a plain pread + memcpy loop over the
 * same segments, on an image from mkfw that sits in the page cache.  Also the TrustZone-side
 * digest check (rproc_fw_verify_metadata) over the loaded image.
 *   bench-fw-load MKFW [MiB]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rproc/fw.h"

#define RUNS 7
#define BOUNCE (256u << 10)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int baseline(const struct rproc_fw_image *img, uint8_t *mem, uint8_t *bounce)
{
	for (unsigned int i = 0; i < img->phnum; i++) {
		const struct rproc_fw_segment *s = &img->segs[i];
		uint8_t *dst = mem + (s->paddr - img->min_addr);
		uint64_t off = s->offset, left = s->filesz;

		if (!s->loadable)
			continue;
		while (left) {
			size_t n = left < BOUNCE ? (size_t)left : BOUNCE;

			if (pread(img->fd, bounce, n, (off_t)off) != (ssize_t)n)
				return -EIO;
			memcpy(dst, bounce, n);
			dst += n;
			off += n;
			left -= n;
		}
		memset(dst, 0, s->memsz - s->filesz);
	}
	return 0;
}

static double mib(uint64_t bytes, double secs)
{
	return (double)bytes / (1024.0 * 1024.0) / secs;
}

static int bench(const char *mkfw, const char *dir, const char *form, unsigned int size_mib)
{
	char path[512], cmd[1024];
	struct rproc_fw_image *img = NULL;
	struct rproc_error err = {0};
	double t, best_load = 1e9, best_base = 1e9, best_verify = 1e9;
	uint64_t bytes = 0, span;
	uint8_t *mem, *bounce;
	int bad;

	snprintf(path, sizeof(path), "%s/bench.%s", dir, form);
	snprintf(cmd, sizeof(cmd), "'%s' -o '%s' --size %uM --segments 8 --seed 7 2>/dev/null",
		 mkfw, path, size_mib);
	if (system(cmd) != 0) {
		fprintf(stderr, "bench: mkfw failed\n");
		return 1;
	}
	if (rproc_fw_open(path, &img, &err) < 0) {
		fprintf(stderr, "bench: %s\n", err.msg);
		return 1;
	}
	span = rproc_fw_span(img);
	for (unsigned int i = 0; i < img->phnum; i++)
		if (img->segs[i].loadable)
			bytes += img->segs[i].filesz;
	mem = malloc(span);
	bounce = malloc(BOUNCE);
	if (!mem || !bounce)
		return 1;
	memset(mem, 0x5a, span); /* fault the pages in before timing */

	for (int r = 0; r < RUNS; r++) {
		t = now();
		if (rproc_fw_load(img, mem, img->min_addr, span, NULL, NULL, &err) < 0) {
			fprintf(stderr, "bench: load: %s\n", err.msg);
			return 1;
		}
		t = now() - t;
		if (t < best_load)
			best_load = t;
		t = now();
		if (img->form == RPROC_FW_MBN && baseline(img, mem, bounce) < 0)
			return 1;
		t = now() - t;
		if (t < best_base)
			best_base = t;
	}
	if (rproc_fw_load(img, mem, img->min_addr, span, NULL, NULL, &err) < 0)
		return 1;
	for (int r = 0; r < 3; r++) {
		t = now();
		if (rproc_fw_verify_metadata(img->metadata, img->metadata_len, mem, img->min_addr,
					     span, &bad, &err)) {
			fprintf(stderr, "bench: verify: %s\n", err.msg);
			return 1;
		}
		t = now() - t;
		if (t < best_verify)
			best_verify = t;
	}

	printf("%-5s %u MiB image, %s, %u segments: rproc_fw_load %.0f MiB/s", form, size_mib,
	       rproc_hash_alg_name(img->alg), img->phnum, mib(bytes, best_load));
	if (img->form == RPROC_FW_MBN)
		printf(", pread+memcpy baseline %.0f MiB/s, speed ratio %.2f",
		       mib(bytes, best_base), best_base / best_load);
	printf(", TZ verify %.0f MiB/s\n", mib(bytes, best_verify));
	rproc_fw_close(img);
	free(mem);
	free(bounce);
	unlink(path);
	return 0;
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/rprocd-bench-XXXXXX";
	unsigned int size = argc > 2 ? (unsigned int)strtoul(argv[2], NULL, 0) : 32;
	int r;

	if (argc < 2) {
		fprintf(stderr, "usage: bench-fw-load MKFW [MiB]\n");
		return 2;
	}
	if (!mkdtemp(dir))
		return 1;
	r = bench(argv[1], dir, "mbn", size);
	if (!r)
		r = bench(argv[1], dir, "mdt", size);
	/* the split form leaves .bNN files behind */
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			r = 1;
	}
	return r;
}
