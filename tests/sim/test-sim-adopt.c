// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Re-adoption after the daemon died in the middle of a start or a stop: for every start step
 * and every stop step (enumerated from the step tables), every core of a board "dies" right
 * after that step ran (test hook: nothing undone, the state stays starting/stopping), the
 * snapshot and the simulator's fds go to a new simulator as they would through the fd store,
 * and rproc_adopt() must leave each core failed, saying what happened, with the simulated
 * TrustZone and SMMU holding nothing for it; a start must then work again.  A death in the
 * crash handling leaves the core crashed, and its recovery must boot it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "rproc-priv.h"
#include "sim-util.h"
#include "rproc/sim.h"

static void wait_died(struct tsim_board *bd)
{
	for (int t = 0; t < 1000; t++) {
		bool all = true;

		for (size_t i = 0; i < bd->n; i++)
			all &= rproc_debug_died(bd->r[i]);
		if (all)
			return;
		tsim_run_for(bd->r, bd->n, 10);
	}
	fail_msg("the workers did not reach their death");
}

/*
 * The daemon dies after @step of a start (@stop false) or of a stop: adopt on a new simulator
 * and check the cleanup.
 */
static void die_and_adopt(const char *fixture, const char *sim_cfg, const char *step, bool stop)
{
	struct rproc_snapshot snap[16];
	struct rproc_error err = { 0 };
	struct rproc_sim_usage u;
	struct tsim_board bd;
	char want[128];

	tsim_board_new(&bd, fixture, sim_cfg, NULL);
	tsim_board_cores(&bd);
	if (stop)
		tsim_start_all(&bd);
	for (size_t i = 0; i < bd.n; i++) {
		assert_int_equal(rproc_debug_die_after(bd.r[i], step), 0);
		assert_int_equal(stop ? rproc_stop(bd.r[i]) : rproc_start(bd.r[i]), 0);
	}
	wait_died(&bd);
	for (size_t i = 0; i < bd.n; i++) {
		rproc_snapshot(bd.r[i], &snap[i]);
		assert_int_equal(snap[i].state, stop ? RPROC_STOPPING : RPROC_STARTING);
		assert_string_equal(snap[i].phase, step);
	}
	/* SIGKILL: the process goes, nothing is released */
	tsim_daemon_dies(&bd, sim_cfg, NULL);

	snprintf(want, sizeof(want), "interrupted by a daemon restart during %s; cleaned up, "
				     "start it again",
		 step);
	for (size_t i = 0; i < bd.n; i++) {
		struct rproc_info info;

		assert_int_equal(rproc_adopt(&bd.d[i], bd.b, &bd.cfg, &snap[i], &bd.r[i], &err), 0);
		rproc_get_info(bd.r[i], &info);
		assert_int_equal(info.state, RPROC_FAILED);
		assert_string_equal(info.last_error, want);
		assert_string_equal(info.last_error_step, "adopt");
	}
	rproc_sim_report(bd.b, &u);
	if (rproc_sim_usage_total(&u)) {
		tsim_print_usage(step, &u);
		fail_msg("%s: %s after %s: the simulator still holds something", fixture,
			 stop ? "stop" : "start", step);
	}
	/* restartable: a start works and nothing is left after a stop */
	tsim_start_all(&bd);
	tsim_stop_all(&bd);
	tsim_board_free_cores(&bd);
	rproc_sim_report(bd.b, &u);
	if (rproc_sim_usage_total(&u)) {
		tsim_print_usage(step, &u);
		fail_msg("%s: leak after the restart", fixture);
	}
	tsim_board_free(&bd);
}

/* lemans-el2 with devmem from TrustZone's resource table; DT qcom,devmem; DTB images. */
static const char *const boards[][2] = {
	{ "lemans-el2", "rsc_devmem=1" },
	{ "devmem", NULL },
	{ "x1e80100", NULL },
};

static void test_die_mid_start(void **state)
{
	unsigned int n;
	const char *const *steps = rproc_start_steps(&n);

	assert_true(n > 0);
	for (size_t b = 0; b < sizeof(boards) / sizeof(boards[0]); b++)
		for (unsigned int k = 0; k < n; k++)
			die_and_adopt(boards[b][0], boards[b][1], steps[k], false);
}

static void test_die_mid_stop(void **state)
{
	unsigned int n;
	const char *const *steps = rproc_stop_steps(&n);

	assert_true(n > 0);
	for (size_t b = 0; b < sizeof(boards) / sizeof(boards[0]); b++)
		for (unsigned int k = 0; k < n; k++)
			die_and_adopt(boards[b][0], boards[b][1], steps[k], true);
}

/*
 * The daemon dies in the crash handling (a stop without the handshake), after @step: the
 * adopted core stays crashed, its recovery boots it, and nothing is left after a stop.
 */
static void die_in_crash(const char *step)
{
	struct rproc_snapshot snap[16];
	struct rproc_error err = { 0 };
	struct rproc_sim_usage u;
	struct tsim_board bd;

	tsim_board_new(&bd, "lemans-el2", "rsc_devmem=1", NULL);
	tsim_board_cores(&bd);
	tsim_start_all(&bd);
	for (size_t i = 0; i < bd.n; i++) {
		assert_int_equal(rproc_debug_die_after(bd.r[i], step), 0);
		assert_int_equal(rproc_sim_raise(bd.b, bd.d[i].name, RPROC_IRQ_FATAL, "test"), 0);
	}
	wait_died(&bd);
	for (size_t i = 0; i < bd.n; i++) {
		rproc_snapshot(bd.r[i], &snap[i]);
		assert_int_equal(snap[i].state, RPROC_CRASHED);
	}
	tsim_daemon_dies(&bd, "rsc_devmem=1", NULL);
	for (size_t i = 0; i < bd.n; i++) {
		struct rproc_info info;

		assert_int_equal(rproc_adopt(&bd.d[i], bd.b, &bd.cfg, &snap[i], &bd.r[i], &err), 0);
		rproc_get_info(bd.r[i], &info);
		assert_int_equal(info.state, RPROC_CRASHED);
		assert_int_equal(info.crash_count, 1);
	}
	/* recovery (on by default) boots every core again */
	tsim_wait_all(&bd, RPROC_RUNNING, step);
	tsim_stop_all(&bd);
	tsim_board_free_cores(&bd);
	rproc_sim_report(bd.b, &u);
	if (rproc_sim_usage_total(&u)) {
		tsim_print_usage(step, &u);
		fail_msg("leak after a death in the crash handling after %s", step);
	}
	tsim_board_free(&bd);
}

static void test_die_mid_crash(void **state)
{
	unsigned int n;
	const char *const *steps = rproc_stop_steps(&n);

	for (unsigned int k = 0; k < n; k++)
		die_in_crash(steps[k]);
}

/* A version 2 snapshot (no phase) of an interrupted start: cleaned up, named by state. */
static void test_old_snapshot(void **state)
{
	struct rproc_snapshot snap;
	struct rproc_error err = { 0 };
	struct rproc_sim_usage u;
	struct rproc_info info;
	struct tsim_board bd;
	int i;

	tsim_board_new(&bd, "lemans-el2", NULL, NULL);
	tsim_board_cores(&bd);
	i = tsim_board_find(&bd, "adsp");
	assert_int_equal(rproc_debug_die_after(bd.r[i], "auth-and-reset"), 0);
	assert_int_equal(rproc_start(bd.r[i]), 0);
	for (int t = 0; t < 1000 && !rproc_debug_died(bd.r[i]); t++)
		tsim_run_for(&bd.r[i], 1, 10);
	assert_true(rproc_debug_died(bd.r[i]));
	rproc_snapshot(bd.r[i], &snap);
	memset(snap.phase, 0, sizeof(snap.phase));
	snap.version = 2;
	tsim_daemon_dies(&bd, NULL, NULL);
	rproc_sim_report(bd.b, &u);
	assert_int_equal(u.running_cores, 1); /* before: TrustZone still runs it */
	assert_int_equal(rproc_adopt(&bd.d[i], bd.b, &bd.cfg, &snap, &bd.r[i], &err), 0);
	rproc_get_info(bd.r[i], &info);
	assert_int_equal(info.state, RPROC_FAILED);
	assert_string_equal(info.last_error, "interrupted by a daemon restart during starting; "
					     "cleaned up, start it again");
	tsim_assert_nothing_held(&bd);
	tsim_board_free(&bd);
}

/* Cleanup errors are logged and do not stop the rest of the cleanup, nor the adoption. */
static void test_cleanup_errors(void **state)
{
	struct rproc_snapshot snap;
	struct rproc_error err = { 0 };
	struct rproc_sim_usage u;
	struct rproc_info info;
	struct tsim_board bd;
	int i;

	tsim_board_new(&bd, "lemans-el2", NULL, NULL);
	tsim_board_cores(&bd);
	i = tsim_board_find(&bd, "cdsp0");
	assert_int_equal(rproc_debug_die_after(bd.r[i], "wait-ready"), 0);
	assert_int_equal(rproc_start(bd.r[i]), 0);
	for (int t = 0; t < 1000 && !rproc_debug_died(bd.r[i]); t++)
		tsim_run_for(&bd.r[i], 1, 10);
	assert_true(rproc_debug_died(bd.r[i]));
	rproc_snapshot(bd.r[i], &snap);
	/* the first SHUTDOWN fails: the rest is still released */
	tsim_daemon_dies(&bd, "fail=shutdown:1", NULL);
	tsim_log_clear();
	assert_int_equal(rproc_adopt(&bd.d[i], bd.b, &bd.cfg, &snap, &bd.r[i], &err), 0);
	rproc_get_info(bd.r[i], &info);
	assert_int_equal(info.state, RPROC_FAILED);
	assert_true(tsim_log_has("cdsp0", "adopt", "SHUTDOWN"));
	rproc_sim_report(bd.b, &u);
	assert_int_equal(u.running_cores, 1); /* the one thing that failed */
	assert_int_equal(u.smmu_mappings, 0);
	assert_int_equal(u.metadata_buffers, 0);
	tsim_board_free(&bd);
}

/* No daemon now (its fds kept in the store), and adsp's firmware dies unheard. */
static void adsp_dies_unheard(struct tsim_board *bd)
{
	assert_int_equal(rproc_sim_raise(bd->b, "adsp", RPROC_IRQ_FATAL, "err_fatal: away"), 0);
}

/*
 * A core that crashed while no daemon ran: its fatal interrupt was an edge nobody saw.  The
 * adopting daemon asks the transport (CORE QUERY) and handles the crash; a core that is fine
 * stays untouched.  The daemon that went asked the transport to keep the cores.
 */
static void test_crash_while_away(void **state)
{
	struct rproc_snapshot snap[16];
	struct rproc_error err = { 0 };
	struct rproc_info info;
	struct tsim_board bd;
	int a;

	tsim_board_new(&bd, "lemans-el2", NULL, NULL);
	tsim_board_cores(&bd);
	tsim_start_all(&bd);
	for (size_t i = 0; i < bd.n; i++)
		rproc_snapshot(bd.r[i], &snap[i]);
	tsim_daemon_dies(&bd, NULL, adsp_dies_unheard);
	for (size_t i = 0; i < bd.n; i++)
		assert_int_equal(rproc_adopt(&bd.d[i], bd.b, &bd.cfg, &snap[i], &bd.r[i], &err), 0);
	a = tsim_board_find(&bd, "adsp");
	/* crashed, handled, recovered (recovery is on); the others run on untouched */
	assert_int_equal(tsim_wait_crashes(bd.r[a], 1, RPROC_RUNNING, 10000), 0);
	rproc_get_info(bd.r[a], &info);
	assert_int_equal(info.crash_count, 1);
	assert_string_equal(info.last_crash_reason, "err_fatal: away");
	assert_int_equal(rproc_sim_calls(bd.b, "auth_and_reset"), 1); /* adsp's recovery only */
	tsim_stop_all(&bd);
	tsim_board_free(&bd);
}

/* SetFirmware() is runtime state the next daemon keeps (org.rprocd1(5)). */
static void test_set_firmware_kept(void **state)
{
	struct rproc_snapshot snap;
	struct rproc_error err = { 0 };
	struct rproc_info info;
	struct tsim_board bd;
	const char *p;
	int i;

	tsim_board_new(&bd, "lemans-el2", NULL, NULL);
	assert_int_equal(tsim_mkfw(bd.dir, "other/adsp.mbn", "--seed 77"), 0);
	tsim_board_cores(&bd);
	i = tsim_board_find(&bd, "adsp");
	assert_int_equal(rproc_set_firmware(bd.r[i], "other/adsp.mbn", &err), 0);
	rproc_snapshot(bd.r[i], &snap);
	rproc_free(bd.r[i]);
	assert_int_equal(rproc_adopt(&bd.d[i], bd.b, &bd.cfg, &snap, &bd.r[i], &err), 0);
	assert_string_equal(rproc_desc(bd.r[i])->firmware[0], "other/adsp.mbn");
	tsim_start_one(&bd, i);
	rproc_get_info(bd.r[i], &info);
	p = strstr(info.firmware_path, "other/adsp.mbn");
	assert_non_null(p);
	assert_string_equal(p, "other/adsp.mbn");
	/* a core whose firmware nobody changed keeps the tree's after adoption */
	i = tsim_board_find(&bd, "cdsp0");
	rproc_snapshot(bd.r[i], &snap);
	rproc_free(bd.r[i]);
	assert_int_equal(rproc_adopt(&bd.d[i], bd.b, &bd.cfg, &snap, &bd.r[i], &err), 0);
	assert_string_equal(rproc_desc(bd.r[i])->firmware[0], bd.d[i].firmware[0]);
	tsim_board_free(&bd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_die_mid_start),
		cmocka_unit_test(test_die_mid_stop),
		cmocka_unit_test(test_die_mid_crash),
		cmocka_unit_test(test_old_snapshot),
		cmocka_unit_test(test_cleanup_errors),
		cmocka_unit_test(test_set_firmware_kept),
		cmocka_unit_test(test_crash_while_away),
	};

	tsim_log_capture();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
