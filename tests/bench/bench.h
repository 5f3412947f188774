/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every benchmark shares: clocks, the median and spread of repeated runs, and the one
 * line per figure (what was measured, the reference measured in the same run, the ratio, the
 * target, MET or MISSED).  tests/bench/README.md explains the figures.
 */
#ifndef RPROC_BENCH_H
#define RPROC_BENCH_H

#include <stdbool.h>
#include <stddef.h>

/* Exit status of a benchmark that cannot run here (meson's "skipped"). */
#define BENCH_SKIP 77

/* CPU time of the calling thread (user + system): what preemption on a busy machine leaves out. */
double bench_thread_cpu(void);
/* CLOCK_MONOTONIC */
double bench_wall(void);

struct bench_stats {
	double median, min, max;
	unsigned int n;
};

/* Median, minimum and maximum of @n values (@v is sorted in place). */
struct bench_stats bench_stats(double *v, unsigned int n);

enum bench_cmp {
	BENCH_AT_LEAST, /* ratio >= target */
	BENCH_AT_MOST,  /* ratio <= target */
	BENCH_BELOW,    /* value < target */
};

/*
 * Print one figure line: "figure FIG  WHAT: MEASURED | reference REFERENCE | ratio R [MIN-MAX,
 * n=N] | target CMP T | MET" and return whether the median met the target.
 */
bool bench_report(const char *fig, const char *what, const char *measured, const char *reference,
		  const struct bench_stats *ratio, enum bench_cmp cmp, double target);

/* An information line under a figure, no target: "figure FIG  WHAT: TEXT". */
void bench_info(const char *fig, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "12.3 GB/s" for @bytes in @secs (decimal units, as openssl speed and dd print them). */
const char *bench_rate(char *buf, size_t len, double bytes, double secs);

#endif
