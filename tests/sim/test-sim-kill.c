// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A daemon killed at any instant of a start, a stop or a crash handling: not only between
 * steps (test-sim-adopt.c) but inside each, right after each of the calls the step makes
 * (kill-backend.h).  The successor gets the snapshot the dead daemon last wrote through its
 * snapshot callback and the simulated SoC as the dead daemon left it; rproc_adopt() must
 * leave the simulated SoC holding nothing for the core, and the core must work again: a
 * start (after a start or a stop) or its recovery (after a crash) boots it, and a stop then
 * leaves nothing.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kill-backend.h"
#include "rproc-priv.h"
#include "sim-util.h"
#include "rproc/sim.h"

enum job { J_START, J_STOP, J_CRASH };

static const char *const job_name[] = { "start", "stop", "crash handling" };

struct plan {
	const char *fixture, *sim_cfg;
	enum job job;
	char *fw_dir, *dump_dir;
};

/* Nothing held; @domains: IOMMU contexts open (a crashed core keeps its own, for recovery). */
static void usage_zero(struct rproc_backend *b, const char *when, unsigned int domains)
{
	struct rproc_sim_usage u;

	rproc_sim_report(b, &u);
	if (u.domains == domains)
		u.domains = 0;
	if (rproc_sim_usage_total(&u)) {
		tsim_print_usage(when, &u);
		fail_msg("%s: the simulated SoC still holds something", when);
	}
}

static void board(struct plan *p, struct tsim_board *bd, struct kill_backend **kb)
{
	tsim_board_new_in(bd, p->fixture, p->sim_cfg, p->fw_dir);
	bd->cfg.coredump_dir = p->dump_dir;
	*kb = kb_wrap(bd);
	tsim_board_cores(bd);
	kb_watch(*kb);
	if (p->job != J_START)
		tsim_start_all(bd);
}

static void trigger(struct plan *p, struct tsim_board *bd, struct kill_backend *kb)
{
	for (size_t i = 0; i < bd->n; i++) {
		switch (p->job) {
		case J_START:
			assert_int_equal(rproc_start(bd->r[i]), 0);
			break;
		case J_STOP:
			assert_int_equal(rproc_stop(bd->r[i]), 0);
			break;
		case J_CRASH:
			assert_int_equal(rproc_sim_raise(kb_inner(kb), bd->d[i].name,
							 RPROC_IRQ_FATAL, "test"),
					 0);
			break;
		}
	}
}

/* The job runs to its end, nobody dies: count each core's calls in each phase. */
static void count_calls(struct plan *p, const char *const *phases, unsigned int n_phases,
			unsigned int calls[][16])
{
	struct kill_backend *kb;
	struct tsim_board bd;

	board(p, &bd, &kb);
	trigger(p, &bd, kb);
	if (p->job == J_CRASH) {
		/* handled and recovered */
		for (int t = 0; t < 2000; t++) {
			bool all = true;

			for (size_t i = 0; i < bd.n; i++) {
				struct rproc_info info;

				rproc_get_info(bd.r[i], &info);
				all &= info.crash_count == 1 && info.state == RPROC_RUNNING;
			}
			if (all)
				break;
			tsim_run_for(bd.r, bd.n, 10);
		}
	} else {
		tsim_wait_all(&bd, p->job == J_START ? RPROC_RUNNING : RPROC_OFFLINE, "count");
	}
	for (unsigned int k = 0; k < n_phases; k++)
		for (size_t i = 0; i < bd.n; i++)
			calls[k][i] = kb_calls(kb, (int)i, phases[k]);
	tsim_board_free(&bd);
}

static bool all_gone(struct tsim_board *bd, struct kill_backend *kb)
{
	for (size_t i = 0; i < bd->n; i++)
		if (!kb_dead(kb, (int)i) && !rproc_debug_died(bd->r[i]))
			return false;
	return true;
}

/*
 * Every core dies right after its @nth call in @phase (after its last one there if it makes
 * fewer, at the end of the step if it makes none), and a new daemon adopts the board.
 */
static void kill_and_adopt(struct plan *p, const char *phase, unsigned int nth,
			   const unsigned int calls[16])
{
	struct rproc_snapshot snap[16];
	struct rproc_error err = { 0 };
	struct kill_backend *kb;
	struct tsim_board bd;
	char when[160];
	bool is_step = strcmp(phase, "coredump") != 0;

	snprintf(when, sizeof(when), "%s %s, killed inside %s after call %u", p->fixture,
		 job_name[p->job], phase, nth);
	board(p, &bd, &kb);
	for (size_t i = 0; i < bd.n; i++) {
		if (calls[i])
			kb_arm(kb, (int)i, phase, nth < calls[i] ? nth : calls[i]);
		/* a core that makes no call here dies when the step ends */
		if (is_step)
			assert_int_equal(rproc_debug_die_after(bd.r[i], phase), 0);
	}
	trigger(p, &bd, kb);
	for (int t = 0; !all_gone(&bd, kb); t++) {
		if (t == 2000)
			fail_msg("%s: not every core died", when);
		tsim_run_for(bd.r, bd.n, 10);
	}
	for (size_t i = 0; i < bd.n; i++)
		kb_last_words(kb, (int)i, &snap[i]);
	/* SIGKILL: the process goes; what its workers do after death reaches no hardware */
	tsim_daemon_dies(&bd, p->sim_cfg, NULL);
	for (size_t i = 0; i < bd.n; i++) {
		struct rproc_info info;

		assert_int_equal(rproc_adopt(&bd.d[i], bd.b, &bd.cfg, &snap[i], &bd.r[i], &err), 0);
		rproc_get_info(bd.r[i], &info);
		if (info.state != (p->job == J_CRASH ? RPROC_CRASHED : RPROC_FAILED))
			fail_msg("%s: %s adopted %s", when, bd.d[i].name,
				 rproc_state_name(info.state));
	}
	usage_zero(bd.b, when, p->job == J_CRASH && bd.d[0].n_iommus ? (unsigned int)bd.n : 0);
	/* a start, or the recovery of the crashed cores, boots every core again */
	if (p->job != J_CRASH)
		tsim_start_all(&bd);
	tsim_wait_all(&bd, RPROC_RUNNING, when);
	tsim_stop_all(&bd);
	tsim_board_free_cores(&bd);
	snprintf(when + strlen(when), sizeof(when) - strlen(when), ", after the restart");
	usage_zero(bd.b, when, 0);
	tsim_board_free(&bd);
}

static void sweep(const char *fixture, const char *sim_cfg, enum job job)
{
	const char *phases[40];
	unsigned int n_phases = 0, calls[40][16], n, runs = 0;
	const char *const *steps = job == J_START ? rproc_start_steps(&n) : rproc_stop_steps(&n);
	struct plan p = { .fixture = fixture, .sim_cfg = sim_cfg, .job = job };
	struct tsim_board bd;

	memset(calls, 0, sizeof(calls));
	for (unsigned int k = 0; k < n; k++)
		phases[n_phases++] = steps[k];
	if (job == J_CRASH)
		phases[n_phases++] = "coredump";
	/* the firmware is made once and shared by every run */
	tsim_board_new(&bd, fixture, sim_cfg, NULL);
	p.fw_dir = bd.dir;
	bd.keep_dir = true;
	tsim_board_free(&bd);
	if (job == J_CRASH)
		p.dump_dir = tsim_tmpdir();

	count_calls(&p, phases, n_phases, calls);
	for (unsigned int k = 0; k < n_phases; k++) {
		unsigned int max = 0;

		for (unsigned int i = 0; i < 16; i++)
			if (calls[k][i] > max)
				max = calls[k][i];
		for (unsigned int c = 1; c <= max; c++, runs++)
			kill_and_adopt(&p, phases[k], c, calls[k]);
	}
	fprintf(stderr, "%s %s: %u kills inside %u phases\n", fixture, job_name[job], runs,
		n_phases);
	assert_true(runs > 0);
	tsim_rmtree(p.fw_dir);
	tsim_rmtree(p.dump_dir);
}

/* lemans-el2: devmem from TrustZone's table; x1e80100: DTB images, no iommus. */
static void test_kill_inside_start(void **state)
{
	sweep("lemans-el2", "rsc_devmem=1", J_START);
	sweep("x1e80100", NULL, J_START);
}

static void test_kill_inside_stop(void **state)
{
	sweep("lemans-el2", "rsc_devmem=1", J_STOP);
	sweep("x1e80100", NULL, J_STOP);
}

static void test_kill_inside_crash(void **state)
{
	sweep("lemans-el2", "rsc_devmem=1\nminidump=1", J_CRASH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kill_inside_start),
		cmocka_unit_test(test_kill_inside_stop),
		cmocka_unit_test(test_kill_inside_crash),
	};

	tsim_log_capture();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
