// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A stop ends any start, even one stuck in a call that does not return: the simulated
 * TrustZone holds AUTH_AND_RESET (slow_auth_ms) far longer than the stop timeout.  After the
 * stop timeout the start is abandoned: failed at once, saying where it is stuck, a start and a
 * firmware change refused while the call has not returned, a snapshot saying "starting" in
 * that step (a successor must release what it holds); when the call returns, the cancelled
 * worker undoes it, the core goes offline holding nothing, and a start works again.
 * No timing is asserted: every wait is for a state, with a generous bound.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "sim-util.h"
#include "rproc/sim.h"

/* Process events until @r's start is in @phase (at most 10 s). */
static void wait_phase(struct rproc *r, const char *phase)
{
	struct rproc_info info;

	for (int t = 0; t < 2000; t++) {
		rproc_get_info(r, &info);
		if (!strcmp(info.phase, phase))
			return;
		tsim_run_for(&r, 1, 5);
	}
	fail_msg("the start did not reach %s", phase);
}

/* Until the simulated TrustZone holds an AUTH_AND_RESET call (at most 10 s). */
static void wait_auth_held(struct tsim_board *bd)
{
	for (int t = 0; t < 2000 && !rproc_sim_auth_held(bd->b); t++)
		tsim_run_for(bd->r, bd->n, 5);
	assert_int_equal(rproc_sim_auth_held(bd->b), 1);
}

static void test_abandoned_start(void **state)
{
	struct rproc_error err = { 0 };
	struct rproc_sim_usage u;
	struct rproc_snapshot snap;
	struct rproc_info info;
	struct tsim_board bd;
	int a;

	/*
	 * TrustZone holds AUTH_AND_RESET until the test lets it go (slow_auth_ms set again), so
	 * that no slowness here (valgrind, a loaded machine) lets it return before the stop
	 * timeout; a stop waits 100 ms for the start.
	 */
	tsim_board_new(&bd, "lemans-el2", "slow_auth_ms=600000", NULL);
	bd.cfg.stop_timeout_ms = 100;
	tsim_board_cores(&bd);
	a = tsim_board_find(&bd, "adsp");
	assert_true(a >= 0);

	assert_int_equal(rproc_start(bd.r[a]), 0);
	wait_phase(bd.r[a], "auth-and-reset");
	/* inside the call, not just in its step (where a stop is an ordinary cancel) */
	wait_auth_held(&bd);

	assert_int_equal(rproc_stop(bd.r[a]), 0);
	assert_int_equal(tsim_wait_state(&bd.r[a], 1, 1, RPROC_FAILED, 20000), 0);
	rproc_get_info(bd.r[a], &info);
	assert_string_equal(info.last_error_step, "auth-and-reset");
	assert_int_equal(info.last_errno, -ETIMEDOUT);
	assert_non_null(strstr(info.last_error, "auth-and-reset has not returned"));

	/* the call has not returned: nothing new may begin, a successor would clean up */
	assert_int_equal(rproc_start(bd.r[a]), -EBUSY);
	assert_int_equal(rproc_set_firmware(bd.r[a], "qcom/sa8775p/cdsp0.mbn", &err), -EBUSY);
	assert_int_equal(rproc_stop(bd.r[a]), -EALREADY);
	rproc_snapshot(bd.r[a], &snap);
	assert_int_equal(snap.state, RPROC_STARTING);
	assert_string_equal(snap.phase, "auth-and-reset");

	/* the call returns: undone, offline, nothing held */
	assert_int_equal(rproc_sim_set(bd.b, "slow_auth_ms=200", &err), 0);
	assert_int_equal(tsim_wait_state(&bd.r[a], 1, 1, RPROC_OFFLINE, 20000), 0);
	rproc_snapshot(bd.r[a], &snap);
	assert_int_equal(snap.state, RPROC_OFFLINE);
	rproc_sim_report(bd.b, &u);
	assert_int_equal(u.running_cores, 0);
	assert_int_equal(u.bridges, 0);
	assert_int_equal(u.metadata_buffers, 0);
	assert_int_equal(u.smmu_mappings, 0);
	assert_int_equal(u.proxy_votes, 0);

	/* and a start works again (the slow TrustZone still answers, later) */
	tsim_start_one(&bd, a);
	tsim_board_free(&bd);
}

/* A stop of a start that ends in time is the plain cancel: offline, no abandonment. */
static void test_cancel_in_time(void **state)
{
	struct rproc_info info;
	struct tsim_board bd;
	int a;

	tsim_board_new(&bd, "lemans-el2", "slow_auth_ms=200", NULL);
	bd.cfg.stop_timeout_ms = 10000;
	tsim_board_cores(&bd);
	a = tsim_board_find(&bd, "adsp");
	assert_int_equal(rproc_start(bd.r[a]), 0);
	wait_phase(bd.r[a], "auth-and-reset");
	assert_int_equal(rproc_stop(bd.r[a]), 0);
	assert_int_equal(tsim_wait_idle(&bd.r[a], 1, 1, 20000), 0);
	rproc_get_info(bd.r[a], &info);
	assert_int_equal(info.state, RPROC_OFFLINE);
	assert_int_not_equal(info.last_errno, -ETIMEDOUT);
	tsim_start_one(&bd, a);
	tsim_board_free(&bd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_abandoned_start),
		cmocka_unit_test(test_cancel_in_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
