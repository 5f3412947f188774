// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Figure 8, verification (rprocctl inspect, --check): SHA-384 bytes per CPU second of
 * rproc_fw_verify_files_threads(img, 1) against `openssl speed -evp sha384` (one process, CPU
 * time too) in the same run; then the wall time of one thread against two threads.
 *   bench-hash MKFW OPENSSL [MiB]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "rproc/fw.h"

#define PAIRS 5

/* openssl speed's SHA-384 rate (bytes per second of its CPU time) on 16 KiB blocks, or < 0. */
static double openssl_rate(const char *openssl)
{
	char cmd[512], line[256];
	double rate = -1;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "'%s' speed -evp sha384 -bytes 16384 -seconds 1 -mr 2>/dev/null",
		 openssl);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p)) {
		char *last = strrchr(line, ':');

		/* +F:<n>:sha384:<bytes per second> */
		if (!strncmp(line, "+F:", 3) && last)
			rate = strtod(last + 1, NULL);
	}
	if (pclose(p) != 0)
		return -1;
	return rate;
}

static uint64_t hashed_bytes(const struct rproc_fw_image *img)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < img->phnum; i++)
		if (img->segs[i].checked)
			n += i ? img->segs[i].filesz : img->segs[0].filesz;
	return n;
}

/* Verify on @threads threads: seconds of the calling thread's CPU (@cpu) or of the wall. */
static double time_verify(struct rproc_fw_image *img, unsigned int threads, bool cpu)
{
	struct rproc_error err = { 0 };
	double t = cpu ? bench_thread_cpu() : bench_wall();
	int r = rproc_fw_verify_files_threads(img, threads, &err);

	if (r != 0) {
		fprintf(stderr, "bench-hash: verify: %d %s\n", r, err.msg);
		return -1;
	}
	return (cpu ? bench_thread_cpu() : bench_wall()) - t;
}

int main(int argc, char **argv)
{
	double ratio[PAIRS], ours[PAIRS], ref[PAIRS], one[PAIRS], two[PAIRS], speedup[PAIRS];
	char dir[] = "/tmp/rprocd-bench-XXXXXX", path[512], cmd[1024], a[32], b[32];
	unsigned int mib = argc > 3 ? (unsigned int)strtoul(argv[3], NULL, 0) : 64;
	struct rproc_fw_image *img = NULL;
	struct rproc_error err = { 0 };
	struct bench_stats st, so, sr, s1, s2;
	uint64_t bytes;
	int ret = 1;

	if (argc < 3) {
		fprintf(stderr, "usage: bench-hash MKFW OPENSSL [MiB]\n");
		return 2;
	}
	if (access(argv[2], X_OK) < 0 || openssl_rate(argv[2]) <= 0) {
		printf("figure 8: SKIP: '%s speed -evp sha384' does not run here, no reference\n",
		       argv[2]);
		return BENCH_SKIP;
	}
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/hash.mbn", dir);
	snprintf(cmd, sizeof(cmd),
		 "'%s' -o '%s' --size %uM --segments 8 --seed 7 --hash sha384 2>/dev/null", argv[1],
		 path, mib);
	if (system(cmd) != 0 || rproc_fw_open(path, &img, &err) < 0) {
		fprintf(stderr, "bench-hash: cannot make or open a %u MiB image: %s\n", mib,
			err.msg);
		goto out;
	}
	bytes = hashed_bytes(img);
	if (time_verify(img, 1, true) < 0) /* warm: the image is in the page cache */
		goto out;
	for (int i = 0; i < PAIRS; i++) {
		ref[i] = openssl_rate(argv[2]);
		ours[i] = time_verify(img, 1, true);
		if (ref[i] <= 0 || ours[i] < 0)
			goto out;
		ours[i] = (double)bytes / ours[i];
		ratio[i] = ours[i] / ref[i];
	}
	for (int i = 0; i < PAIRS; i++) {
		one[i] = time_verify(img, 1, false);
		two[i] = time_verify(img, 2, false);
		if (one[i] < 0 || two[i] < 0)
			goto out;
		speedup[i] = one[i] / two[i];
	}
	st = bench_stats(ratio, PAIRS);
	so = bench_stats(ours, PAIRS);
	sr = bench_stats(ref, PAIRS);
	bench_report("8", "SHA-384, one thread", bench_rate(a, sizeof(a), so.median, 1),
		     bench_rate(b, sizeof(b), sr.median, 1), &st, BENCH_AT_LEAST, 0.9);
	st = bench_stats(speedup, PAIRS);
	s1 = bench_stats(one, PAIRS);
	s2 = bench_stats(two, PAIRS);
	snprintf(a, sizeof(a), "%.0f ms wall", s2.median * 1e3);
	snprintf(b, sizeof(b), "one thread %.0f ms wall", s1.median * 1e3);
	bench_report("8", "SHA-384, two threads", a, b, &st, BENCH_AT_LEAST, 1.6);
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		bench_info("8", "note", "one CPU online: two threads cannot beat one here");
	ret = 0;
out:
	rproc_fw_close(img);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		ret = 1;
	return ret;
}
