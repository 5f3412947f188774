// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Benchmark (meson test --benchmark --suite sim): time for the five cores of the SA8775p-like
 * fixture to go from rproc_start() to running, in parallel, and the phase timings the
 * lifecycle records.  The simulator's ready delay is set to 0 so the lifecycle's own cost
 * shows.  Prints numbers; asserts nothing about them.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "sim-util.h"
#include "rproc/sim.h"

#define ROUNDS 50

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void bench(void **state)
{
	const char *sizes[] = { "--size 64K", "--size 8M --segments 8" };

	for (size_t s = 0; s < 2; s++) {
		struct tsim_board bd;
		uint64_t total = 0, worst = 0, fw = 0, load = 0, auth = 0, ready = 0, bytes = 0;
		uint32_t all;

		tsim_board_new(&bd, "lemans-el2", "ready_delay_ms=0\nboot_delay_ms=0", sizes[s]);
		tsim_board_cores(&bd);
		all = (1u << bd.n) - 1;
		for (int it = 0; it < ROUNDS; it++) {
			uint64_t t0 = now_us(), dt;

			for (size_t i = 0; i < bd.n; i++)
				assert_int_equal(rproc_start(bd.r[i]), 0);
			assert_int_equal(tsim_wait_state(bd.r, bd.n, all, RPROC_RUNNING, 30000), 0);
			dt = now_us() - t0;
			total += dt;
			worst = dt > worst ? dt : worst;
			for (size_t i = 0; i < bd.n; i++) {
				struct rproc_info info;

				rproc_get_info(bd.r[i], &info);
				fw += info.timings.firmware_us;
				load += info.timings.load_us;
				auth += info.timings.auth_us;
				ready += info.timings.ready_us;
				bytes += info.timings.image_bytes;
				assert_int_equal(rproc_stop(bd.r[i]), 0);
			}
			assert_int_equal(tsim_wait_state(bd.r, bd.n, all, RPROC_OFFLINE, 30000), 0);
		}
		printf("%s: %zu cores in parallel, %d rounds: start-to-running mean %llu us, "
		       "worst %llu us; per core mean: firmware %llu us, load %llu us (%llu bytes), "
		       "auth %llu us, ready %llu us\n",
		       sizes[s], bd.n, ROUNDS, (unsigned long long)(total / ROUNDS),
		       (unsigned long long)worst, (unsigned long long)(fw / ROUNDS / bd.n),
		       (unsigned long long)(load / ROUNDS / bd.n),
		       (unsigned long long)(bytes / ROUNDS / bd.n),
		       (unsigned long long)(auth / ROUNDS / bd.n),
		       (unsigned long long)(ready / ROUNDS / bd.n));
		tsim_board_free(&bd);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(bench) };

	return cmocka_run_group_tests(tests, NULL, NULL);
}
