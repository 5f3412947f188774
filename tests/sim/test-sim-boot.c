// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Whole boards on the simulated SoC: every core of the SA8775p-like fixture starts in
 * parallel from one poll loop, runs, stops and restarts, a hundred times, with nothing
 * growing (fds, heap, simulator state) and nothing left behind at the end.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim-util.h"
#include "rproc/sim.h"

#define ALL(bd) ((1u << (bd)->n) - 1)

static void start_all(struct tsim_board *bd)
{
	for (size_t i = 0; i < bd->n; i++)
		assert_int_equal(rproc_start(bd->r[i]), 0);
	/* all of them at once: none has finished yet when the last one is asked */
	assert_int_equal(tsim_wait_state(bd->r, bd->n, ALL(bd), RPROC_RUNNING, 20000), 0);
}

static void stop_all(struct tsim_board *bd)
{
	for (size_t i = 0; i < bd->n; i++)
		assert_int_equal(rproc_stop(bd->r[i]), 0);
	assert_int_equal(tsim_wait_state(bd->r, bd->n, ALL(bd), RPROC_OFFLINE, 20000), 0);
}

static void assert_running_usage(struct tsim_board *bd, unsigned int n)
{
	struct rproc_sim_usage u;

	rproc_sim_report(bd->b, &u);
	assert_int_equal(u.running_cores, n);
	assert_int_equal(u.smmu_mappings, n); /* one carveout each, no devmem */
	assert_int_equal(u.domains, n);
	assert_int_equal(u.bridges, 0);
	assert_int_equal(u.metadata_buffers, 0);
	assert_int_equal(u.cpu_mappings, 0);
	assert_int_equal(u.stop_bits, 0);
}

static void test_five_cores_parallel_100(void **state)
{
	struct tsim_board bd;
	unsigned int fds0 = 0;
	size_t heap0 = 0;
	struct rproc_sim_usage u;

	/* no log capture here: its ring of strings would count as heap growth */
	rproc_log_set(NULL, NULL, 0);
	tsim_board_new(&bd, "lemans-el2", NULL, NULL);
	assert_int_equal(bd.n, 5);
	bd.cfg.ready_timeout_ms = 5000;
	tsim_board_cores(&bd);
	for (int it = 0; it < 100; it++) {
		start_all(&bd);
		assert_running_usage(&bd, 5);
		for (size_t i = 0; i < bd.n; i++) {
			struct rproc_info info;

			rproc_get_info(bd.r[i], &info);
			assert_string_equal(info.last_error, "");
			assert_true(info.timings.image_bytes > 0);
			assert_true(info.timings.total_us >= info.timings.ready_us);
			assert_non_null(strstr(info.firmware_path, bd.d[i].name));
		}
		stop_all(&bd);
		rproc_sim_report(bd.b, &u);
		/* a stopped core keeps only its IOMMU context
		 * (doc/boot-sequence.md#final-teardown) */
		assert_int_equal(rproc_sim_usage_total(&u) - u.domains, 0);
		assert_int_equal(u.domains, 5);
		if (it == 1) {
			fds0 = tsim_count_fds();
			heap0 = tsim_heap_in_use();
		} else if (it > 1) {
			if (getenv("TSIM_VERBOSE"))
				fprintf(stderr, "iteration %d: %u fds, heap %zu\n", it,
					tsim_count_fds(), tsim_heap_in_use());
			assert_int_equal(tsim_count_fds(), fds0);
			/* a little slack for libc's own caches */
			assert_true(tsim_heap_in_use() <= heap0 + 16 * 1024);
		}
	}
	assert_int_equal(rproc_sim_calls(bd.b, "auth_and_reset"), 500);
	tsim_board_free_cores(&bd);
	tsim_assert_nothing_held(&bd);
	tsim_board_free(&bd);
}

/* Start requests while a start runs join it; a second start of a running core is a no-op. */
static void test_start_answers(void **state)
{
	struct tsim_board bd;
	int i;

	tsim_board_new(&bd, "lemans-el2", "ready_delay_ms=200", NULL);
	tsim_board_cores(&bd);
	i = tsim_board_find(&bd, "cdsp0");
	assert_int_equal(rproc_start(bd.r[i]), 0);
	assert_int_equal(rproc_start(bd.r[i]), -EINPROGRESS);
	assert_int_equal(tsim_wait_state(&bd.r[i], 1, 1, RPROC_RUNNING, 10000), 0);
	assert_int_equal(rproc_start(bd.r[i]), -EALREADY);
	assert_int_equal(rproc_sim_calls(bd.b, "auth_and_reset"), 1);
	assert_int_equal(rproc_stop(bd.r[i]), 0);
	assert_int_equal(rproc_start(bd.r[i]), -EBUSY);
	assert_int_equal(rproc_stop(bd.r[i]), -EINPROGRESS);
	assert_int_equal(tsim_wait_state(&bd.r[i], 1, 1, RPROC_OFFLINE, 10000), 0);
	assert_int_equal(rproc_stop(bd.r[i]), -EALREADY);
	tsim_board_free(&bd);
}

/* A stop during a start cancels it: the start unwinds and the core ends offline, clean. */
static void test_stop_cancels_start(void **state)
{
	struct tsim_board bd;
	int i;

	tsim_board_new(&bd, "lemans-el2", "ready_delay_ms=3000", NULL);
	tsim_board_cores(&bd);
	i = tsim_board_find(&bd, "adsp");
	assert_int_equal(rproc_start(bd.r[i]), 0);
	tsim_run_for(&bd.r[i], 1, 100);
	tsim_stop_one(&bd, i);
	tsim_board_free_cores(&bd);
	tsim_assert_nothing_held(&bd);
	tsim_board_free(&bd);
}

static unsigned int n_dtb(const struct tsim_board *bd)
{
	unsigned int n = 0;

	for (size_t i = 0; i < bd->n; i++)
		n += bd->d[i].dtb_pas_id != RPROC_NO_ID && bd->d[i].n_firmware > 1;
	return n;
}

static unsigned int n_mappings(const struct tsim_board *bd)
{
	unsigned int n = 0;

	for (size_t i = 0; i < bd->n; i++)
		if (bd->d[i].n_iommus)
			n += 1 + (unsigned int)bd->d[i].n_devmem +
			     (bd->d[i].dtb_pas_id != RPROC_NO_ID && bd->d[i].n_firmware > 1);
	return n;
}

/* Any tree boots: DTB images (x1e80100), qcom,devmem rows (devmem), odd cells (odd). */
static void test_other_boards(void **state)
{
	static const char *const boards[] = { "x1e80100", "devmem", "odd" };

	for (size_t k = 0; k < sizeof(boards) / sizeof(boards[0]); k++) {
		struct tsim_board bd;
		struct rproc_sim_usage u;

		tsim_board_new(&bd, boards[k], NULL, NULL);
		assert_true(bd.n > 0);
		if (!strcmp(boards[k], "devmem"))
			assert_true(n_mappings(&bd) > bd.n); /* the rows are there to map */
		tsim_board_cores(&bd);
		for (int round = 0; round < 2; round++) {
			for (size_t i = 0; i < bd.n; i++)
				assert_int_equal(rproc_start(bd.r[i]), 0);
			if (tsim_wait_state(bd.r, bd.n, ALL(&bd), RPROC_RUNNING, 20000) < 0) {
				for (size_t i = 0; i < bd.n; i++) {
					struct rproc_info info;

					rproc_get_info(bd.r[i], &info);
					fprintf(stderr, "%s %s: %s %s\n", boards[k], bd.d[i].name,
						rproc_state_name(info.state), info.last_error);
				}
				fail();
			}
			rproc_sim_report(bd.b, &u);
			assert_int_equal(u.running_cores, bd.n + n_dtb(&bd));
			/* one mapping per carveout, plus the DT's qcom,devmem rows, where the
			 * node has iommus (x1e80100's nodes have none: nothing to map) */
			assert_int_equal(u.smmu_mappings, n_mappings(&bd));
			stop_all(&bd);
		}
		tsim_board_free_cores(&bd);
		tsim_assert_nothing_held(&bd);
		tsim_board_free(&bd);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start_answers),
		cmocka_unit_test(test_stop_cancels_start),
		cmocka_unit_test(test_other_boards),
		cmocka_unit_test(test_five_cores_parallel_100),
	};

	tsim_log_capture();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
