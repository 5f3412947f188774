// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Figure 1, load: bytes placed in the carveout (file bytes + zeroed bss) per second by
 * rproc_fw_load_view() into the simulated SoC's carveout view, against memcpy() of as many
 * bytes from a pre-faulted buffer into the same view, at 1, 8, 32 and 64 MiB, .mbn and split.
 * The view is the one the daemon loads through (pre-populated, write-combined); the image sits
 * in the page cache, as it does after the first boot.  Load and memcpy alternate, so that both
 * see the same machine; each pair gives one ratio.
 *   bench-fw-load MKFW DTB [MiB...]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "rproc/backend.h"
#include "rproc/dt.h"
#include "rproc/fw.h"
#include "rproc/sim.h"

#define PAIRS 9
#define SAMPLE_BYTES (64ull << 20) /* each timed sample moves at least this much */

struct view {
	struct rproc_backend *b;
	struct rproc_mem_map m;
};

static int sh(const char *cmd)
{
	int r = system(cmd);

	if (r != 0)
		fprintf(stderr, "bench-fw-load: '%s' failed (%d)\n", cmd, r);
	return r ? -1 : 0;
}

static uint64_t placed_bytes(const struct rproc_fw_image *img)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < img->phnum; i++)
		if (img->segs[i].loadable)
			n += img->segs[i].memsz;
	return n;
}

/* @k loads of @img into the view; thread CPU seconds, or < 0 on error. */
static double time_load(const struct rproc_fw_image *img, const struct view *v,
			enum rproc_fw_mem type, unsigned int k)
{
	struct rproc_error err = { 0 };
	double t = bench_thread_cpu();

	for (unsigned int i = 0; i < k; i++)
		if (rproc_fw_load_view(img, v->m.va, v->m.phys, v->m.size, type, NULL, NULL,
				       &err) < 0) {
			fprintf(stderr, "bench-fw-load: load: %s\n", err.msg);
			return -1;
		}
	return bench_thread_cpu() - t;
}

static double time_memcpy(void *dst, const void *src, size_t n, unsigned int k)
{
	double t = bench_thread_cpu();

	for (unsigned int i = 0; i < k; i++)
		memcpy(dst, src, n);
	return bench_thread_cpu() - t;
}

/* One image size and form; returns 1 if the figure was met, 0 if not, -1 on error. */
static int bench_one(const char *mkfw, const char *dir, const struct view *v, unsigned int mib,
		     bool split, bool device_too)
{
	double t_load[PAIRS], t_ref[PAIRS], ratio[PAIRS], t_dev[PAIRS], r_dev[PAIRS];
	char path[512], cmd[1024], what[64], a[32], b[32];
	struct rproc_fw_image *img = NULL;
	struct rproc_error err = { 0 };
	struct bench_stats st, sl, sr;
	uint64_t bytes;
	unsigned int k;
	uint8_t *src;
	int met;

	snprintf(path, sizeof(path), "%s/bench%u.%s", dir, mib, split ? "mdt" : "mbn");
	snprintf(cmd, sizeof(cmd), "'%s' -o '%s' --size %uM --segments 8 --seed 7 2>/dev/null",
		 mkfw, path, mib);
	if (sh(cmd) < 0)
		return -1;
	if (rproc_fw_open(path, &img, &err) < 0) {
		fprintf(stderr, "bench-fw-load: %s\n", err.msg);
		return -1;
	}
	bytes = placed_bytes(img);
	if (rproc_fw_span(img) > v->m.size) {
		fprintf(stderr, "bench-fw-load: a %u MiB image does not fit the %llu MiB carveout\n",
			mib, (unsigned long long)(v->m.size >> 20));
		rproc_fw_close(img);
		return -1;
	}
	src = malloc(bytes);
	if (!src) {
		rproc_fw_close(img);
		return -1;
	}
	memset(src, 0xa5, bytes); /* present, as the reference wants it */
	k = (unsigned int)((SAMPLE_BYTES + bytes - 1) / bytes);

	/* warm: the page cache holds the files, both paths have run once */
	if (time_load(img, v, RPROC_FW_MEM_WC, 1) < 0)
		goto fail;
	time_memcpy(v->m.va, src, bytes, 1);
	for (int i = 0; i < PAIRS; i++) {
		t_load[i] = time_load(img, v, RPROC_FW_MEM_WC, k);
		if (t_load[i] < 0)
			goto fail;
		t_ref[i] = time_memcpy(v->m.va, src, bytes, k);
		ratio[i] = t_ref[i] / t_load[i];
		if (device_too) {
			t_dev[i] = time_load(img, v, RPROC_FW_MEM_DEVICE, k);
			if (t_dev[i] < 0)
				goto fail;
			r_dev[i] = t_ref[i] / t_dev[i];
		}
	}
	st = bench_stats(ratio, PAIRS);
	sl = bench_stats(t_load, PAIRS);
	sr = bench_stats(t_ref, PAIRS);
	snprintf(what, sizeof(what), "load %-5s %2u MiB", split ? "split" : ".mbn", mib);
	met = bench_report("1", what, bench_rate(a, sizeof(a), (double)bytes * k, sl.median),
			   bench_rate(b, sizeof(b), (double)bytes * k, sr.median), &st,
			   BENCH_AT_LEAST, 0.85);
	if (device_too) {
		struct bench_stats sd = bench_stats(t_dev, PAIRS), rd = bench_stats(r_dev, PAIRS);

		bench_info("1", "", "the same into Device memory (bounce buffer, aligned 8-byte "
			   "stores): %s, ratio %.2f [%.2f-%.2f] (no target)",
			   bench_rate(a, sizeof(a), (double)bytes * k, sd.median), rd.median,
			   rd.min, rd.max);
	}
	free(src);
	rproc_fw_close(img);
	return met;
fail:
	free(src);
	rproc_fw_close(img);
	return -1;
}

static int open_view(const char *dtb, struct view *v)
{
	struct rproc_error err = { 0 };
	struct rproc_desc d = { 0 };
	struct rproc_dt *dt = NULL;
	size_t len = 0;
	void *blob = NULL;
	int r;

	r = rproc_dt_read_file(dtb, &blob, &len, &err);
	if (r >= 0)
		r = rproc_dt_parse(blob, len, &dt, &err);
	if (r >= 0 && dt->n < 1)
		r = rproc_err(&err, -ENOENT, "%s: no remote processor", dtb);
	if (r >= 0)
		r = rproc_desc_from_dt(&dt->rprocs[0], -1, NULL, &d, &err);
	if (r >= 0)
		r = rproc_sim_new(dt, NULL, &v->b, &err);
	if (r >= 0) {
		r = v->b->mem->map(v->b->mem_ctx, d.carveouts[0].base, d.carveouts[0].size, true,
				   &v->m);
		if (r < 0)
			rproc_err(&err, r, "cannot map the carveout: %s", strerror(-r));
	}
	rproc_desc_clear(&d);
	rproc_dt_free(dt);
	free(blob);
	if (r < 0)
		fprintf(stderr, "bench-fw-load: %s\n", err.msg);
	return r;
}

int main(int argc, char **argv)
{
	static const unsigned int sizes[] = { 1, 8, 32, 64 };
	char dir[] = "/tmp/rprocd-bench-XXXXXX", cmd[128];
	struct view v = { 0 };
	unsigned int met = 0, total = 0;
	int r = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: bench-fw-load MKFW DTB [MiB...]\n");
		return 2;
	}
	if (!mkdtemp(dir))
		return 1;
	if (open_view(argv[2], &v) < 0) {
		rmdir(dir);
		return 1;
	}
	for (int i = 3; i < argc || (argc == 3 && i - 3 < (int)(sizeof(sizes) / sizeof(*sizes)));
	     i++) {
		unsigned int mib = argc > 3 ? (unsigned int)strtoul(argv[i], NULL, 0) : sizes[i - 3];

		for (int split = 0; split <= 1 && r >= 0; split++) {
			r = bench_one(argv[1], dir, &v, mib, split, !split);
			if (r >= 0) {
				met += (unsigned int)r;
				total++;
			}
		}
		if (r < 0)
			break;
	}
	if (r >= 0)
		bench_info("1", "load", "%u of %u sizes and forms MET", met, total);
	v.b->mem->unmap(v.b->mem_ctx, &v.m);
	rproc_backend_destroy(v.b);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir); /* the split form leaves .bNN files */
	if (system(cmd) != 0)
		r = -1;
	return r < 0 ? 1 : 0;
}
