// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fault-injection sweeps.  The step lists come from rproc_start_steps()/rproc_stop_steps()
 * and the operation list from rproc_sim_ops(), so a new step or operation is swept without
 * touching this file.  After every injected failure the end state is exact and the
 * simulator holds nothing the core does not own.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rproc-priv.h"
#include "sim-util.h"
#include "rproc/sim.h"

/* rsc_devmem: the first boot maps two DEVMEM entries too, so their undo is swept as well. */
#define SIM_CFG "rsc_devmem=1"

static void usage_is_zero(struct rproc_backend *b)
{
	struct rproc_sim_usage u;

	rproc_sim_report(b, &u);
	assert_int_equal(u.smmu_mappings, 0);
	assert_int_equal(u.bridges, 0);
	assert_int_equal(u.metadata_buffers, 0);
	assert_int_equal(u.running_cores, 0);
	assert_int_equal(u.cpu_mappings, 0);
	assert_int_equal(u.domains, 0);
	assert_int_equal(u.proxy_votes, 0);
	assert_int_equal(u.stop_bits, 0);
}

/* What a stopped core keeps: its IOMMU context, empty (the devmem goes at a full stop). */
static void usage_is_stopped(struct rproc_backend *b)
{
	struct rproc_sim_usage u;

	rproc_sim_report(b, &u);
	assert_int_equal(u.domains, 1);
	assert_int_equal(rproc_sim_usage_total(&u), 1);
}

static void test_start_step_sweep(void **state)
{
	unsigned int n;
	const char *const *steps = rproc_start_steps(&n);

	assert_true(n >= 10);
	for (unsigned int k = 0; k < n; k++) {
		struct tsim_board bd;
		struct rproc_info info;
		int i;

		tsim_board_new(&bd, "lemans-el2", SIM_CFG, NULL);
		tsim_board_cores(&bd);
		i = tsim_board_find(&bd, "gpdsp0");
		tsim_log_clear();
		assert_int_equal(rproc_debug_fail_step(bd.r[i], steps[k], -EIO), 0);
		assert_int_equal(rproc_start(bd.r[i]), 0);
		assert_int_equal(tsim_wait_idle(&bd.r[i], 1, 1, 10000), 0);
		rproc_get_info(bd.r[i], &info);
		assert_int_equal(info.state, RPROC_FAILED);
		assert_string_equal(info.last_error_step, steps[k]);
		assert_int_equal(info.last_errno, -EIO);
		/* the step is in its own field, the message is the step's alone */
		assert_string_equal(info.last_error, "injected failure");
		assert_true(tsim_log_has("gpdsp0", steps[k], "injected failure"));
		/* a failed start holds nothing at all, whichever step failed */
		usage_is_zero(bd.b);
		/* and the next start works */
		tsim_start_one(&bd, i);
		tsim_stop_one(&bd, i);
		usage_is_stopped(bd.b);
		tsim_board_free_cores(&bd);
		usage_is_zero(bd.b);
		tsim_board_free(&bd);
	}
}

/* A board with @core running; its index. */
static int board_running(struct tsim_board *bd, const char *core)
{
	int i;

	tsim_board_new(bd, "lemans-el2", SIM_CFG, NULL);
	tsim_board_cores(bd);
	i = tsim_board_find(bd, core);
	assert_int_equal(rproc_start(bd->r[i]), 0);
	assert_int_equal(tsim_wait_state(&bd->r[i], 1, 1, RPROC_RUNNING, 10000), 0);
	return i;
}

static void test_stop_step_sweep(void **state)
{
	unsigned int n;
	const char *const *steps = rproc_stop_steps(&n);

	assert_true(n >= 4);
	for (unsigned int k = 0; k < n; k++) {
		struct tsim_board bd;
		struct rproc_info info;
		int i;

		i = board_running(&bd, "cdsp1");
		assert_int_equal(rproc_debug_fail_step(bd.r[i], steps[k], -EIO), 0);
		assert_int_equal(rproc_stop(bd.r[i]), 0);
		assert_int_equal(tsim_wait_idle(&bd.r[i], 1, 1, 10000), 0);
		rproc_get_info(bd.r[i], &info);
		/* a stop always completes (doc/boot-sequence.md#stop); the failure is on record */
		assert_int_equal(info.state, RPROC_OFFLINE);
		assert_string_equal(info.last_error_step, steps[k]);
		assert_int_equal(info.last_errno, -EIO);
		usage_is_stopped(bd.b);
		tsim_board_free_cores(&bd);
		usage_is_zero(bd.b);
		tsim_board_free(&bd);
	}
}

/* cdsp0 (@i) crashes, and its recovery start fails at @step: failed, holding nothing. */
static void recovery_fails_at(struct tsim_board *bd, int i, const char *step)
{
	struct rproc_info info;

	assert_int_equal(rproc_sim_raise(bd->b, "cdsp0", RPROC_IRQ_FATAL, "test"), 0);
	assert_int_equal(tsim_wait_crashes(bd->r[i], 1, RPROC_FAILED, 10000), 0);
	assert_int_equal(tsim_wait_idle(&bd->r[i], 1, 1, 10000), 0);
	rproc_get_info(bd->r[i], &info);
	assert_string_equal(info.last_error_step, step);
	usage_is_zero(bd->b);
}

/*
 * A recovery start fails at each step in turn.  The crash handling kept the IOMMU context and
 * the devmem mappings for the recovery (doc/boot-sequence.md#recovery); a recovery that fails,
 * at any step, gives them back like any failed start: the failed core holds nothing.
 */
static void test_recovery_step_sweep(void **state)
{
	unsigned int n;
	const char *const *steps = rproc_start_steps(&n);

	for (unsigned int k = 0; k < n; k++) {
		struct tsim_board bd;
		int i = board_running(&bd, "cdsp0");

		/* no stop step has this name: the hook waits for the recovery start */
		assert_int_equal(rproc_debug_fail_step(bd.r[i], steps[k], -EIO), 0);
		recovery_fails_at(&bd, i, steps[k]);
		/* and a start from there works */
		tsim_start_one(&bd, i);
		tsim_board_free(&bd);
	}
}

/*
 * The recovery's IOMMU context fails after it was found open (its usable ranges cannot be
 * read): the devmem mapped in it is unmapped before it is closed, not left in the SMMU.
 */
static void test_recovery_iova_ranges_fails(void **state)
{
	struct rproc_error err = { 0 };
	struct tsim_board bd;
	int i = board_running(&bd, "cdsp0");

	/* the first boot read them once; the recovery's read fails */
	assert_int_equal(rproc_sim_set(bd.b, "fail=iova_ranges@cdsp0:1:-5", &err), 0);
	recovery_fails_at(&bd, i, "iommu-open");
	tsim_board_free(&bd);
}

/* Which step a failing operation must be reported at, for the operations a start uses. */
static const struct {
	const char *op;
	const char *step;
} start_ops[] = {
	{ "iommu_open", "iommu-open" },	     { "iova_ranges", "iommu-open" },
	{ "get_rsc_table", "rsc-table" },    { "init_image", "init-image" },
	{ "mem_setup", "mem-setup" },	     { "mem_map", "load" },
	{ "proxy_vote", "proxy-vote" },	     { "load_state", "proxy-vote" },
	{ "iommu_map", "rsc-table" },
	{ "shm_bridge_create", "auth-and-reset" }, { "auth_and_reset", "auth-and-reset" },
	{ "glink", "glink-register" },
};

static const char *expected_step(const char *op)
{
	for (size_t i = 0; i < sizeof(start_ops) / sizeof(start_ops[0]); i++)
		if (!strcmp(start_ops[i].op, op))
			return start_ops[i].step;
	return NULL;
}

/*
 * Stop core @i while operation @op fails once: the stop completes and holds what a stopped
 * core holds; a SHUTDOWN is not retried (as the kernel), so its PAS id runs on until the
 * next start ends it.
 */
static void stop_failing_once(struct tsim_board *bd, int i, const char *op)
{
	struct rproc_info info;

	assert_int_equal(rproc_stop(bd->r[i]), 0);
	assert_int_equal(tsim_wait_idle(&bd->r[i], 1, 1, 10000), 0);
	rproc_get_info(bd->r[i], &info);
	assert_int_equal(info.state, RPROC_OFFLINE);
	if (!strcmp(op, "shutdown")) {
		assert_string_equal(info.last_error_step, "shutdown");
		assert_int_equal(rproc_start(bd->r[i]), 0);
		assert_int_equal(tsim_wait_state(&bd->r[i], 1, 1, RPROC_RUNNING, 10000), 0);
		assert_int_equal(rproc_stop(bd->r[i]), 0);
		assert_int_equal(tsim_wait_state(&bd->r[i], 1, 1, RPROC_OFFLINE, 10000), 0);
	}
	usage_is_stopped(bd->b);
}

/* Every simulator operation fails once, during a start and then during a stop. */
static void test_sim_op_sweep(void **state)
{
	unsigned int n;
	const char *const *ops = rproc_sim_ops(&n);

	for (unsigned int k = 0; k < n; k++) {
		for (int during_stop = 0; during_stop < 2; during_stop++) {
			struct rproc_error err = { 0 };
			struct tsim_board bd;
			struct rproc_info info;
			char cfg[128];
			const char *step = expected_step(ops[k]);
			int i;

			snprintf(cfg, sizeof(cfg), "%s\nfail=%s:1:-EIO", SIM_CFG, ops[k]);
			tsim_board_new(&bd, "lemans-el2", during_stop ? SIM_CFG : cfg, NULL);
			i = tsim_board_find(&bd, "adsp");
			if (!during_stop && !strcmp(ops[k], "irq_open")) {
				/* no interrupts, no core: creation itself fails, cleanly */
				assert_int_equal(rproc_new(&bd.d[i], bd.b, &bd.cfg, &bd.r[i], &err),
						 -EIO);
				bd.r[i] = NULL;
				usage_is_zero(bd.b);
				tsim_board_free(&bd);
				continue;
			}
			assert_int_equal(rproc_new(&bd.d[i], bd.b, &bd.cfg, &bd.r[i], &err), 0);
			if (during_stop) {
				assert_int_equal(rproc_start(bd.r[i]), 0);
				assert_int_equal(
					tsim_wait_state(&bd.r[i], 1, 1, RPROC_RUNNING, 10000), 0);
				snprintf(cfg, sizeof(cfg), "fail=%s:1:-EIO", ops[k]);
				assert_int_equal(rproc_sim_set(bd.b, cfg, &err), 0);
				stop_failing_once(&bd, i, ops[k]);
			} else {
				assert_int_equal(rproc_start(bd.r[i]), 0);
				assert_int_equal(tsim_wait_idle(&bd.r[i], 1, 1, 10000), 0);
				rproc_get_info(bd.r[i], &info);
				if (step) {
					assert_int_equal(info.state, RPROC_FAILED);
					assert_string_equal(info.last_error_step, step);
					usage_is_zero(bd.b);
				} else {
					/* not used by a start, or a release that is retried */
					assert_int_equal(info.state, RPROC_RUNNING);
					stop_failing_once(&bd, i, ops[k]);
				}
			}
			tsim_board_free_cores(&bd);
			usage_is_zero(bd.b);
			tsim_board_free(&bd);
		}
	}
}

/*
 * A SHUTDOWN that fails is reported once, not hidden: the core may still run.  Not retried
 * on a SoC without decrypt_shutdown, as the kernel does not.
 */
static void test_persistent_shutdown_failure(void **state)
{
	struct rproc_error err = { 0 };
	struct rproc_sim_usage u;
	struct tsim_board bd;
	struct rproc_info info;
	int i;

	tsim_board_new(&bd, "lemans-el2", NULL, NULL);
	tsim_board_cores(&bd);
	i = tsim_board_find(&bd, "adsp");
	tsim_start_one(&bd, i);
	assert_int_equal(rproc_sim_set(bd.b, "fail=shutdown:0:-EBUSY", &err), 0);
	assert_int_equal(rproc_stop(bd.r[i]), 0);
	assert_int_equal(tsim_wait_idle(&bd.r[i], 1, 1, 10000), 0);
	rproc_get_info(bd.r[i], &info);
	assert_string_equal(info.last_error_step, "shutdown");
	assert_int_equal(info.last_errno, -EBUSY);
	rproc_sim_report(bd.b, &u);
	assert_int_equal(u.running_cores, 1);
	assert_int_equal(rproc_sim_calls(bd.b, "shutdown"), 1);
	/* the operator can still shut it down once TZ answers again */
	assert_int_equal(rproc_sim_set(bd.b, "reset", &err), 0);
	assert_int_equal(bd.b->pas->shutdown(bd.b->pas_ctx, (uint32_t)bd.d[i].pas_id), 0);
	tsim_board_free(&bd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start_step_sweep),
		cmocka_unit_test(test_stop_step_sweep),
		cmocka_unit_test(test_recovery_step_sweep),
		cmocka_unit_test(test_recovery_iova_ranges_fails),
		cmocka_unit_test(test_sim_op_sweep),
		cmocka_unit_test(test_persistent_shutdown_failure),
	};

	tsim_log_capture();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
