// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Crashes on the simulated SoC: crash -> coredump -> recovery, crash loops (back-off, then
 * `failed`), and the timeout paths (no ready, no stop-ack).  Coredumps themselves:
 * test-sim-coredump.c.
 */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core-file.h"
#include "rproc/coredump.h"
#include "sim-util.h"
#include "rproc/sim.h"

static unsigned int state_events[RPROC_STATE_COUNT];
static unsigned int crash_events, dump_events;

static void count_events(struct rproc *r, enum rproc_event ev, uint64_t a, uint64_t b, void *u)
{
	if (ev == RPROC_EV_STATE && a < RPROC_STATE_COUNT)
		state_events[a]++;
	if (ev == RPROC_EV_CRASH)
		crash_events++;
	if (ev == RPROC_EV_COREDUMP)
		dump_events++;
}

static void reset_events(void)
{
	memset(state_events, 0, sizeof(state_events));
	crash_events = dump_events = 0;
}

static void test_crash_coredump_recovery(void **state)
{
	struct tsim_board bd;
	struct core_file cf;
	struct rproc_info info;
	struct rproc_sim_usage u;
	char *dumps = tsim_tmpdir();
	int i;

	tsim_board_new(&bd, "lemans-el2",
		       "crash=gpdsp1:fatal:200\ncrash_reason=q6 err: assert in dsp_main.c:42",
		       "--segments 4 --size 96K");
	bd.cfg.coredump_dir = dumps;
	tsim_board_cores(&bd);
	i = tsim_board_find(&bd, "gpdsp1");
	reset_events();
	rproc_set_event_cb(bd.r[i], count_events, NULL);
	assert_int_equal(rproc_start(bd.r[i]), 0);
	assert_int_equal(tsim_wait_crashes(bd.r[i], 1, RPROC_RUNNING, 20000), 0);
	rproc_get_info(bd.r[i], &info);
	assert_int_equal(info.crash_count, 1);
	assert_string_equal(info.last_crash_reason, "q6 err: assert in dsp_main.c:42");
	assert_int_equal(state_events[RPROC_CRASHED], 1);
	assert_int_equal(state_events[RPROC_RUNNING], 2); /* first boot and the recovery */
	assert_int_equal(crash_events, 1);
	assert_int_equal(dump_events, 1);
	assert_int_equal(rproc_sim_calls(bd.b, "auth_and_reset"), 2);
	/* recovery keeps the IOMMU context, re-maps the carveout: one mapping, one domain */
	rproc_sim_report(bd.b, &u);
	assert_int_equal(u.smmu_mappings, 1);
	assert_int_equal(u.running_cores, 1);

	/* the dump: named core-time.core, one PT_LOAD per loadable segment, notes */
	assert_non_null(strstr(info.last_coredump, "/gpdsp1-"));
	assert_non_null(strstr(info.last_coredump, ".core"));
	core_file_parse(info.last_coredump, &cf);
	assert_int_equal(cf.n_load, cf.eh->e_phnum - 1);
	assert_true(cf.n_load >= 4);
	assert_string_equal(core_file_note(&cf, RPROC_NOTE_CORE, 0), "gpdsp1");
	assert_string_equal(core_file_note(&cf, RPROC_NOTE_REASON, 0), "q6 err: assert in dsp_main.c:42");
	assert_null(core_file_note(&cf, RPROC_NOTE_TRUNCATED, 0));
	/* the bytes are the carveout's (the recovery reloaded the same image there) */
	for (unsigned int k = 1; k < cf.eh->e_phnum; k++) {
		const Elf64_Phdr *p = &cf.ph[k];
		uint64_t phys = bd.d[i].carveouts[0].base + (p->p_paddr - cf.ph[1].p_paddr);
		uint8_t *mem = malloc(p->p_filesz + 1);

		assert_int_equal(p->p_filesz, p->p_memsz);
		assert_int_equal(rproc_sim_read_phys(bd.b, phys, mem, p->p_filesz), 0);
		assert_memory_equal(mem, cf.buf + p->p_offset, p->p_filesz);
		free(mem);
	}
	core_file_readelf_check(info.last_coredump);
	free(cf.buf);

	tsim_stop_one(&bd, i);
	tsim_board_free_cores(&bd);
	tsim_assert_nothing_held(&bd);
	tsim_board_free(&bd);
	tsim_rmtree(dumps);
}

/* Every boot crashes: two restarts with a doubling delay, then `failed`. */
static void test_crash_loop_gives_up(void **state)
{
	struct tsim_board bd;
	struct rproc_info info;
	struct rproc_sim_usage u;
	int i;

	tsim_board_new(&bd, "lemans-el2", "crash=cdsp1:wdog:200:0", NULL);
	bd.cfg.restart_limit = 2;
	bd.cfg.restart_window_s = 600;
	bd.cfg.restart_delay_ms = 40;
	tsim_board_cores(&bd);
	i = tsim_board_find(&bd, "cdsp1");
	tsim_log_clear();
	assert_int_equal(rproc_start(bd.r[i]), 0);
	assert_int_equal(tsim_wait_crashes(bd.r[i], 3, RPROC_FAILED, 20000), 0);
	rproc_get_info(bd.r[i], &info);
	assert_int_equal(info.crash_count, 3);
	assert_string_equal(info.last_error_step, "recovery");
	/* the cause; "recovery" (the step) and the failed state say that it gave up */
	assert_string_equal(info.last_error, "3 crashes within 600 s (limit 2 restarts)");
	assert_string_equal(info.last_crash_reason,
			    "sim: injected error-fatal in the DSP firmware");
	assert_true(tsim_log_has("cdsp1", "recovery", "restarting in 40 ms"));
	assert_true(tsim_log_has("cdsp1", "recovery", "restarting in 80 ms"));
	assert_int_equal(rproc_sim_calls(bd.b, "auth_and_reset"), 3);
	/* a failed core holds nothing but its context; a manual start is still allowed */
	rproc_sim_report(bd.b, &u);
	assert_int_equal(rproc_sim_usage_total(&u), u.domains);
	assert_int_equal(rproc_stop(bd.r[i]), -EALREADY);
	tsim_board_free_cores(&bd);
	tsim_assert_nothing_held(&bd);
	tsim_board_free(&bd);
}

/* Recovery off: the core stays crashed; a stop then takes it offline. */
static void test_crash_without_recovery(void **state)
{
	struct tsim_board bd;
	struct rproc_sim_usage u;
	int i;

	tsim_board_new(&bd, "lemans-el2", NULL, NULL);
	bd.cfg.recovery = false;
	tsim_board_cores(&bd);
	i = tsim_board_find(&bd, "adsp");
	tsim_start_one(&bd, i);
	assert_int_equal(rproc_sim_raise(bd.b, "adsp", RPROC_IRQ_WDOG, "wdog: stuck in isr"), 0);
	assert_int_equal(tsim_wait_crashes(bd.r[i], 1, RPROC_CRASHED, 10000), 0);
	tsim_wait_idle(&bd.r[i], 1, 1, 5000);
	tsim_run_for(&bd.r[i], 1, 100);
	assert_int_equal(rproc_state(bd.r[i]), RPROC_CRASHED);
	rproc_sim_report(bd.b, &u);
	assert_int_equal(u.running_cores, 0);
	assert_int_equal(u.smmu_mappings, 0);
	tsim_stop_one(&bd, i);
	tsim_board_free(&bd);
}

/* No ready: the start fails at wait-ready, after SHUTDOWN, holding nothing. */
static void test_no_ready_timeout(void **state)
{
	struct tsim_board bd;
	struct rproc_info info;
	int i;

	tsim_board_new(&bd, "lemans-el2", "no_ready=cdsp0", NULL);
	bd.cfg.ready_timeout_ms = 300;
	tsim_board_cores(&bd);
	i = tsim_board_find(&bd, "cdsp0");
	assert_int_equal(rproc_start(bd.r[i]), 0);
	assert_int_equal(tsim_wait_state(&bd.r[i], 1, 1, RPROC_FAILED, 10000), 0);
	rproc_get_info(bd.r[i], &info);
	assert_string_equal(info.last_error_step, "wait-ready");
	assert_int_equal(info.last_errno, -ETIMEDOUT);
	assert_non_null(strstr(info.last_error, "300 ms"));
	assert_int_equal(rproc_sim_calls(bd.b, "shutdown"), 1);
	tsim_assert_nothing_held(&bd);
	tsim_board_free(&bd);
}

/* No stop-ack: the stop goes on after stop_timeout_ms and ends offline. */
static void test_no_stop_ack(void **state)
{
	struct tsim_board bd;
	struct rproc_info info;
	struct rproc_sim_usage u;
	int i;

	tsim_board_new(&bd, "lemans-el2", "no_stop_ack=adsp", NULL);
	bd.cfg.stop_timeout_ms = 200;
	tsim_board_cores(&bd);
	i = tsim_board_find(&bd, "adsp");
	tsim_start_one(&bd, i);
	tsim_stop_one(&bd, i);
	rproc_get_info(bd.r[i], &info);
	assert_string_equal(info.last_error_step, "stop-handshake");
	assert_int_equal(info.last_errno, -ETIMEDOUT);
	rproc_sim_report(bd.b, &u);
	assert_int_equal(u.stop_bits, 0);
	assert_int_equal(u.running_cores, 0);
	assert_int_equal(u.smmu_mappings, 0);
	tsim_board_free(&bd);
}

/* A watchdog bite during the stop handshake counts as the acknowledgement
 * (doc/boot-sequence.md#stop-handshake). */
static void test_wdog_acks_stop(void **state)
{
	struct tsim_board bd;
	struct rproc_info info;
	int i;

	tsim_board_new(&bd, "lemans-el2", "no_stop_ack=adsp", NULL);
	bd.cfg.stop_timeout_ms = 60000;
	tsim_board_cores(&bd);
	i = tsim_board_find(&bd, "adsp");
	tsim_start_one(&bd, i);
	assert_int_equal(rproc_stop(bd.r[i]), 0);
	tsim_run_for(&bd.r[i], 1, 50);
	assert_int_equal(rproc_sim_raise(bd.b, "adsp", RPROC_IRQ_WDOG, NULL), 0);
	assert_int_equal(tsim_wait_state(&bd.r[i], 1, 1, RPROC_OFFLINE, 10000), 0);
	rproc_get_info(bd.r[i], &info);
	assert_string_equal(info.last_error, "");
	assert_int_equal(info.crash_count, 0);
	tsim_board_free(&bd);
}

/* The DSP faults while booting (it reads an unmapped IOVA): the start fails with the reason. */
static void test_boot_crash_reason(void **state)
{
	struct tsim_board bd;
	struct rproc_info info;
	int i;

	tsim_board_new(&bd, "lemans-el2", "boot_delay_ms=5000", NULL);
	tsim_board_cores(&bd);
	i = tsim_board_find(&bd, "gpdsp0");
	assert_int_equal(rproc_start(bd.r[i]), 0);
	for (int t = 0; t < 500; t++) {
		rproc_get_info(bd.r[i], &info);
		if (!strcmp(info.phase, "wait-ready"))
			break;
		tsim_run_for(&bd.r[i], 1, 10);
	}
	assert_string_equal(info.phase, "wait-ready");
	assert_int_equal(rproc_sim_raise(bd.b, "gpdsp0", RPROC_IRQ_FATAL, "err_fatal: boot"), 0);
	assert_int_equal(tsim_wait_state(&bd.r[i], 1, 1, RPROC_FAILED, 10000), 0);
	rproc_get_info(bd.r[i], &info);
	assert_string_equal(info.last_error_step, "wait-ready");
	assert_non_null(strstr(info.last_error, "err_fatal: boot"));
	tsim_assert_nothing_held(&bd);
	tsim_board_free(&bd);
}

/* The fault-injection settings as a user would write them, on a parallel boot. */
static void test_fault_settings(void **state)
{
	struct tsim_board bd;
	struct rproc_info info;
	struct rproc_sim_usage u;
	int a, c1, g0;

	tsim_board_new(&bd, "lemans-el2",
		       "corrupt=adsp:0x100\nfail=auth_and_reset@cdsp1:1:-ETIMEDOUT\n"
		       "slow_auth_ms=50\nstop_ack=0",
		       "--no-extras");
	bd.cfg.stop_timeout_ms = 100;
	tsim_board_cores(&bd);
	a = tsim_board_find(&bd, "adsp");
	c1 = tsim_board_find(&bd, "cdsp1");
	g0 = tsim_board_find(&bd, "gpdsp0");
	for (size_t i = 0; i < bd.n; i++)
		assert_int_equal(rproc_start(bd.r[i]), 0);
	assert_int_equal(tsim_wait_idle(bd.r, bd.n, (1u << bd.n) - 1, 20000), 0);
	rproc_get_info(bd.r[a], &info);
	assert_int_equal(info.state, RPROC_FAILED);
	assert_string_equal(info.last_error_step, "auth-and-reset");
	assert_int_equal(info.last_errno, -EBADMSG);
	rproc_get_info(bd.r[c1], &info);
	assert_int_equal(info.state, RPROC_FAILED);
	assert_int_equal(info.last_errno, -ETIMEDOUT);
	rproc_get_info(bd.r[g0], &info);
	assert_int_equal(info.state, RPROC_RUNNING);
	rproc_sim_report(bd.b, &u);
	assert_int_equal(u.running_cores, 3);
	/* the rule fired once: cdsp1 starts now */
	tsim_start_one(&bd, c1);
	/* stop_ack=0: every stop waits out its timeout, and still completes */
	tsim_stop_one(&bd, g0);
	rproc_get_info(bd.r[g0], &info);
	assert_int_equal(info.last_errno, -ETIMEDOUT);
	tsim_board_free(&bd);
}

/* TZ without SHM bridge mode: bridge calls are no-ops and AUTH_AND_RESET needs none. */
static void test_no_bridge_mode(void **state)
{
	struct tsim_board bd;
	struct rproc_sim_usage u;
	int i;

	tsim_board_new(&bd, "lemans-el2", "bridges=0\nrequire_bridge=0", NULL);
	tsim_board_cores(&bd);
	i = tsim_board_find(&bd, "cdsp0");
	tsim_start_one(&bd, i);
	assert_int_equal(rproc_sim_calls(bd.b, "shm_bridge_create"), 1);
	rproc_sim_report(bd.b, &u);
	assert_int_equal(u.bridges, 0);
	tsim_stop_one(&bd, i);
	tsim_board_free(&bd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crash_coredump_recovery),
		cmocka_unit_test(test_crash_loop_gives_up),
		cmocka_unit_test(test_crash_without_recovery),
		cmocka_unit_test(test_no_ready_timeout),
		cmocka_unit_test(test_no_stop_ack),
		cmocka_unit_test(test_wdog_acks_stop),
		cmocka_unit_test(test_boot_crash_reason),
		cmocka_unit_test(test_fault_settings),
		cmocka_unit_test(test_no_bridge_mode),
	};

	tsim_log_capture();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
