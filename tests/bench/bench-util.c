// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench.h"

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double bench_thread_cpu(void)
{
	return clock_s(CLOCK_THREAD_CPUTIME_ID);
}

double bench_wall(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct bench_stats bench_stats(double *v, unsigned int n)
{
	struct bench_stats s = { .n = n };

	if (!n)
		return s;
	qsort(v, n, sizeof(*v), cmp_double);
	s.min = v[0];
	s.max = v[n - 1];
	s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	return s;
}

bool bench_report(const char *fig, const char *what, const char *measured, const char *reference,
		  const struct bench_stats *ratio, enum bench_cmp cmp, double target)
{
	static const char *const ops[] = { ">=", "<=", "<" };
	bool met = cmp == BENCH_AT_LEAST ? ratio->median >= target
		   : cmp == BENCH_AT_MOST ? ratio->median <= target
					  : ratio->median < target;

	printf("figure %-3s %s: %s | reference %s | ratio %.2f [%.2f-%.2f, n=%u] | target %s %.2f "
	       "| %s\n",
	       fig, what, measured, reference, ratio->median, ratio->min, ratio->max, ratio->n,
	       ops[cmp], target, met ? "MET" : "MISSED");
	fflush(stdout);
	return met;
}

void bench_info(const char *fig, const char *what, const char *fmt, ...)
{
	va_list ap;

	printf("figure %-3s %s: ", fig, what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

const char *bench_rate(char *buf, size_t len, double bytes, double secs)
{
	snprintf(buf, len, "%.2f GB/s", secs > 0 ? bytes / secs / 1e9 : 0.0);
	return buf;
}
