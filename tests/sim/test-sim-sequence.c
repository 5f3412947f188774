// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The start, stop and crash sequences against the simulated SoC, step by step as
 * doc/boot-sequence.md describes them: each test pins one rule where rprocd once differed
 * from the kernel or from what an idle core must show.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sim-util.h"
#include "rproc/sim.h"

/* Idle means no phase: not after a start, a stop, a failed start nor a crash handling. */
static void test_phase_empty_when_idle(void **state)
{
	struct tsim_board bd;
	struct rproc_info info;
	int i;

	tsim_board_new(&bd, "lemans-el2", NULL, NULL);
	bd.cfg.recovery = false;
	tsim_board_cores(&bd);
	i = tsim_board_find(&bd, "cdsp0");
	tsim_start_one(&bd, i);
	rproc_get_info(bd.r[i], &info);
	assert_string_equal(info.phase, "");
	assert_int_equal(rproc_sim_raise(bd.b, "cdsp0", RPROC_IRQ_FATAL, "test"), 0);
	assert_int_equal(tsim_wait_state(&bd.r[i], 1, 1, RPROC_CRASHED, 10000), 0);
	assert_int_equal(tsim_wait_idle(&bd.r[i], 1, 1, 10000), 0);
	tsim_run_for(&bd.r[i], 1, 50);
	rproc_get_info(bd.r[i], &info);
	assert_int_equal(info.state, RPROC_CRASHED);
	assert_string_equal(info.phase, "");
	tsim_stop_one(&bd, i);
	rproc_get_info(bd.r[i], &info);
	assert_string_equal(info.phase, "");
	tsim_board_free(&bd);
}

/*
 * A broken image costs no SMMU or TrustZone call: the firmware is opened and validated
 * before iommu-open and GET_RSCTABLE.
 */
static void test_bad_image_touches_nothing(void **state)
{
	unsigned int n_ops;
	const char *const *ops = rproc_sim_ops(&n_ops);
	struct tsim_board bd;
	struct rproc_info info;

	/* rsc_devmem: the resource table would map two devmem entries at once */
	tsim_board_new(&bd, "lemans-el2", "rsc_devmem=1", "--bad bad-magic");
	tsim_board_cores(&bd);
	for (size_t i = 0; i < bd.n; i++)
		assert_int_equal(rproc_start(bd.r[i]), 0);
	assert_int_equal(tsim_wait_idle(bd.r, bd.n, (1u << bd.n) - 1, 10000), 0);
	for (size_t i = 0; i < bd.n; i++) {
		rproc_get_info(bd.r[i], &info);
		assert_int_equal(info.state, RPROC_FAILED);
		assert_string_equal(info.last_error_step, "firmware");
	}
	for (unsigned int k = 0; k < n_ops; k++) {
		if (!strcmp(ops[k], "irq_open"))
			continue; /* when the core object is made, not by a start */
		if (rproc_sim_calls(bd.b, ops[k]))
			fail_msg("a start with a broken image called %s %u times", ops[k],
				 rproc_sim_calls(bd.b, ops[k]));
	}
	tsim_board_free(&bd);
}

/*
 * Votes in the kernel's two lifetimes (doc/boot-sequence.md#proxy-vote), both before
 * INIT_IMAGE (the simulated TrustZone refuses it otherwise): the proxy votes end at
 * handover, load_state lives until the stop, and the DSP runs only while it is on.
 */
static void test_votes_two_lifetimes(void **state)
{
	struct rproc_error err = { 0 };
	struct tsim_board bd;
	struct rproc_sim_usage u;
	struct rproc_info info;
	int a, c;

	tsim_board_new(&bd, "lemans-el2", "no_handover=cdsp1", NULL);
	tsim_board_cores(&bd);
	a = tsim_board_find(&bd, "adsp");
	c = tsim_board_find(&bd, "cdsp1");
	assert_int_equal(rproc_start(bd.r[a]), 0);
	assert_int_equal(rproc_start(bd.r[c]), 0);
	assert_int_equal(tsim_wait_state(bd.r, bd.n, 1u << a | 1u << c, RPROC_RUNNING, 10000), 0);
	/* adsp handed over, cdsp1 never does: one proxy vote left, both load_states on */
	rproc_sim_report(bd.b, &u);
	assert_int_equal(u.proxy_votes, 1);
	assert_int_equal(u.load_states, 2);
	/* a DSP that lost load_state at handover would be gone by now ("power collapse") */
	tsim_run_for(bd.r, bd.n, 100);
	rproc_get_info(bd.r[a], &info);
	assert_int_equal(info.state, RPROC_RUNNING);
	assert_int_equal(info.crash_count, 0);
	assert_int_equal(rproc_stop(bd.r[a]), 0);
	assert_int_equal(rproc_stop(bd.r[c]), 0);
	assert_int_equal(tsim_wait_state(bd.r, bd.n, 1u << a | 1u << c, RPROC_OFFLINE, 10000), 0);
	rproc_sim_report(bd.b, &u);
	assert_int_equal(u.proxy_votes, 0);
	assert_int_equal(u.load_states, 0);
	/* a start that fails after the votes gives both back */
	assert_int_equal(rproc_sim_set(bd.b, "fail=init_image@adsp:1", &err), 0);
	assert_int_equal(rproc_start(bd.r[a]), 0);
	assert_int_equal(tsim_wait_state(&bd.r[a], 1, 1, RPROC_FAILED, 10000), 0);
	rproc_get_info(bd.r[a], &info);
	assert_string_equal(info.last_error_step, "init-image");
	rproc_sim_report(bd.b, &u);
	assert_int_equal(u.proxy_votes + u.load_states, 0);
	tsim_board_free(&bd);
}

/*
 * The DTB image first (doc/boot-sequence.md#dtb-image): its INIT_IMAGE and load, the votes,
 * its AUTH_AND_RESET, and only then the main image's INIT_IMAGE, which the simulated TrustZone
 * refuses before.  A failure after it leaves nothing, the DTB image's PAS id included.
 */
static void test_dtb_first(void **state)
{
	struct rproc_error err = { 0 };
	struct tsim_board bd;
	struct rproc_sim_usage u;
	struct rproc_info info;
	int a;

	tsim_board_new(&bd, "x1e80100", NULL, NULL);
	tsim_board_cores(&bd);
	tsim_start_all(&bd);
	rproc_sim_report(bd.b, &u);
	assert_int_equal(u.running_cores, 2 * bd.n); /* main and DTB image of each */
	assert_int_equal(u.metadata_buffers, 0);
	tsim_stop_all(&bd);
	tsim_assert_nothing_held(&bd);
	/* the main image's INIT_IMAGE (adsp's second) fails: the DTB image goes too */
	a = tsim_board_find(&bd, "adsp");
	assert_int_equal(rproc_sim_set(bd.b, "fail=init_image@adsp:2", &err), 0);
	assert_int_equal(rproc_start(bd.r[a]), 0);
	assert_int_equal(tsim_wait_state(&bd.r[a], 1, 1, RPROC_FAILED, 10000), 0);
	rproc_get_info(bd.r[a], &info);
	assert_string_equal(info.last_error_step, "init-image");
	tsim_assert_nothing_held(&bd);
	tsim_board_free(&bd);
}

/*
 * SHM bridges with v10's rules (doc/trustzone-pas.md#shm-bridge): only for a core with
 * `iommus`, only over its carveout, created right before AUTH_AND_RESET and deleted right
 * after; the simulated TrustZone refuses any other bridge.  A transport that cannot bridge is
 * said once per core, and the start goes on.
 */
static void test_bridge_v10(void **state)
{
	struct tsim_board bd;
	struct rproc_sim_usage u;
	int a;

	/* x1e80100's nodes have no iommus: no bridge */
	tsim_board_new(&bd, "x1e80100", NULL, NULL);
	tsim_board_cores(&bd);
	tsim_start_all(&bd);
	assert_int_equal(rproc_sim_calls(bd.b, "shm_bridge_create"), 0);
	tsim_board_free(&bd);

	/* lemans-el2 at EL2: one bridge per start of each core, gone once it runs */
	tsim_board_new(&bd, "lemans-el2", NULL, NULL);
	tsim_board_cores(&bd);
	tsim_start_all(&bd);
	assert_int_equal(rproc_sim_calls(bd.b, "shm_bridge_create"), bd.n);
	assert_int_equal(rproc_sim_calls(bd.b, "shm_bridge_delete"), bd.n);
	rproc_sim_report(bd.b, &u);
	assert_int_equal(u.bridges, 0);
	tsim_board_free(&bd);

	/* no bridge calls in the transport (TZ not in bridge mode either): said once, boots */
	tsim_board_new(&bd, "lemans-el2", "bridge_op=0\nrequire_bridge=0", NULL);
	tsim_board_cores(&bd);
	a = tsim_board_find(&bd, "adsp");
	tsim_log_clear();
	for (int k = 0; k < 2; k++) {
		tsim_start_one(&bd, a);
		tsim_stop_one(&bd, a);
	}
	assert_int_equal(tsim_log_count("adsp", NULL, "cannot create SHM bridges"), 1);
	tsim_board_free(&bd);
}

/*
 * The resource table (doc/boot-sequence.md#rsc-table): fetched on every cold boot, kept with
 * its devmem mappings across a recovery, given back at a full stop; the entries rprocd does
 * not act on are named by kind once.
 */
static void test_rsc_table_lifetime(void **state)
{
	struct tsim_board bd;
	struct rproc_sim_usage u;
	int i;

	tsim_board_new(&bd, "lemans-el2", "rsc_devmem=1", NULL);
	tsim_board_cores(&bd);
	i = tsim_board_find(&bd, "cdsp0");
	tsim_log_clear();
	tsim_start_one(&bd, i);
	assert_int_equal(rproc_sim_calls(bd.b, "get_rsc_table"), 1);
	rproc_sim_report(bd.b, &u);
	assert_int_equal(u.smmu_mappings, 3); /* the carveout and two devmem entries */
	/* a crash and its recovery keep table and devmem */
	assert_int_equal(rproc_sim_raise(bd.b, "cdsp0", RPROC_IRQ_FATAL, "test"), 0);
	assert_int_equal(tsim_wait_crashes(bd.r[i], 1, RPROC_RUNNING, 10000), 0);
	assert_int_equal(rproc_sim_calls(bd.b, "get_rsc_table"), 1);
	assert_int_equal(rproc_sim_calls(bd.b, "iommu_map"), 4); /* the carveout again only */
	/* a full stop gives everything back, and the next cold boot fetches the table again */
	tsim_stop_one(&bd, i);
	rproc_sim_report(bd.b, &u);
	assert_int_equal(u.smmu_mappings, 0);
	tsim_start_one(&bd, i);
	assert_int_equal(rproc_sim_calls(bd.b, "get_rsc_table"), 2);
	rproc_sim_report(bd.b, &u);
	assert_int_equal(u.smmu_mappings, 3);
	/* what it ignores, by kind, once for all three boots */
	assert_int_equal(tsim_log_count("cdsp0", "rsc-table", "1 CARVEOUT entry ignored"), 1);
	assert_int_equal(tsim_log_count("cdsp0", "rsc-table", "1 TRACE entry ignored"), 1);
	assert_int_equal(tsim_log_count("cdsp0", "rsc-table", "1 vendor entry ignored"), 1);
	tsim_board_free(&bd);
}

/*
 * A devmem entry whose unmap fails (three tries) at a full stop stays on record as mapped: the
 * snapshot names it, and the next cold boot unmaps it first instead of failing its map with
 * EEXIST in the IOMMU context the stop kept (doc/boot-sequence.md#devmem-unmap).
 */
static void test_devmem_unmap_failure_kept(void **state)
{
	struct rproc_error err = { 0 };
	struct rproc_snapshot snap;
	struct tsim_board bd;
	struct rproc_sim_usage u;
	struct rproc_info info;
	int i;

	tsim_board_new(&bd, "lemans-el2", "rsc_devmem=1", NULL);
	tsim_board_cores(&bd);
	i = tsim_board_find(&bd, "cdsp0");
	tsim_start_one(&bd, i);
	/*
	 * Unmap 1 is the carveout's, 2 to 4 the last devmem entry's three tries.  A rule does not
	 * count the calls an earlier rule failed: each fails the second call it sees.
	 */
	assert_int_equal(rproc_sim_set(bd.b,
				       "fail=iommu_unmap@cdsp0:2\n"
				       "fail=iommu_unmap@cdsp0:2\n"
				       "fail=iommu_unmap@cdsp0:2",
				       &err),
			 0);
	tsim_stop_one(&bd, i);
	rproc_get_info(bd.r[i], &info);
	assert_string_equal(info.last_error_step, "devmem-unmap");
	rproc_sim_report(bd.b, &u);
	assert_int_equal(u.smmu_mappings, 1);
	rproc_snapshot(bd.r[i], &snap);
	assert_int_equal(snap.n_devmem, 1);
	assert_false(snap.flags & RPROC_SNAP_RSC_DONE);

	/* the next cold boot unmaps it, fetches the table and maps it again */
	tsim_start_one(&bd, i);
	rproc_sim_report(bd.b, &u);
	assert_int_equal(u.smmu_mappings, 3);
	tsim_stop_one(&bd, i);
	rproc_sim_report(bd.b, &u);
	assert_int_equal(u.smmu_mappings, 0);
	tsim_board_free(&bd);
}

/*
 * The metadata release after ready cannot fail a start, as the kernel's void
 * qcom_scm_pas_metadata_release() cannot: a warning, the DSP keeps running, the buffer stays on
 * record, and the next start releases it before its INIT_IMAGE
 * (doc/boot-sequence.md#metadata-release).
 */
static void test_metadata_release_failure_keeps_running(void **state)
{
	struct rproc_error err = { 0 };
	struct rproc_snapshot snap;
	struct tsim_board bd;
	struct rproc_sim_usage u;
	struct rproc_info info;
	int i;

	tsim_board_new(&bd, "lemans-el2", "fail=metadata_release@cdsp0:0:-EIO", NULL);
	tsim_board_cores(&bd);
	i = tsim_board_find(&bd, "cdsp0");
	tsim_log_clear();
	assert_int_equal(rproc_start(bd.r[i]), 0);
	assert_int_equal(tsim_wait_idle(&bd.r[i], 1, 1, 10000), 0);
	rproc_get_info(bd.r[i], &info);
	assert_int_equal(info.state, RPROC_RUNNING);
	assert_string_equal(info.last_error_step, "");
	assert_true(tsim_log_has("cdsp0", "metadata-release", "TrustZone or the transport may "
							      "keep the metadata buffer"));
	rproc_sim_report(bd.b, &u);
	assert_int_equal(u.metadata_buffers, 1);
	assert_int_equal(u.running_cores, 1);
	rproc_snapshot(bd.r[i], &snap);
	assert_true(snap.flags & RPROC_SNAP_META(1));

	assert_int_equal(rproc_sim_set(bd.b, "reset", &err), 0);
	tsim_stop_one(&bd, i);
	tsim_start_one(&bd, i);
	rproc_sim_report(bd.b, &u);
	assert_int_equal(u.metadata_buffers, 0);
	rproc_snapshot(bd.r[i], &snap);
	assert_false(snap.flags & RPROC_SNAP_META(1));
	tsim_board_free(&bd);
}

/* GET_RSCTABLE gets the image's own .resource_table when it has one (here echoed back). */
static void test_rsc_table_from_image(void **state)
{
	struct tsim_board bd;
	struct rproc_sim_usage u;
	int i;

	tsim_board_new(&bd, "lemans-el2", NULL, "--rsc-table");
	tsim_board_cores(&bd);
	i = tsim_board_find(&bd, "gpdsp0");
	tsim_start_one(&bd, i);
	rproc_sim_report(bd.b, &u);
	assert_int_equal(u.smmu_mappings, 2); /* the carveout and the image's DEVMEM entry */
	assert_true(tsim_log_has("gpdsp0", "rsc-table", "1 CARVEOUT entry ignored"));
	tsim_board_free(&bd);
}

/*
 * SHUTDOWN exactly as the kernel retries it (doc/boot-sequence.md#shutdown): not at all on a
 * SoC without decrypt_shutdown (the failure reported once); on one with it, every 100 ms while
 * TrustZone answers -EINVAL.  A PAS id left running is shut down by the next start.
 */
static void test_shutdown_retry_as_kernel(void **state)
{
	struct rproc_error err = { 0 };
	struct tsim_board bd;
	struct rproc_sim_usage u;
	struct rproc_info info;
	int a, c;

	tsim_board_new(&bd, "lemans-el2", NULL, NULL);
	c = tsim_board_find(&bd, "cdsp0");
	bd.d[c].decrypt_shutdown = true;
	tsim_board_cores(&bd);
	a = tsim_board_find(&bd, "adsp");
	assert_int_equal(rproc_start(bd.r[a]), 0);
	assert_int_equal(rproc_start(bd.r[c]), 0);
	assert_int_equal(tsim_wait_state(bd.r, bd.n, 1u << a | 1u << c, RPROC_RUNNING, 10000), 0);

	/* adsp: one failed SHUTDOWN, no retry, said once */
	tsim_log_clear();
	assert_int_equal(rproc_sim_set(bd.b, "fail=shutdown@adsp:1:-EINVAL", &err), 0);
	tsim_stop_one(&bd, a);
	assert_int_equal(rproc_sim_calls(bd.b, "shutdown"), 1);
	rproc_get_info(bd.r[a], &info);
	assert_string_equal(info.last_error_step, "shutdown");
	assert_int_equal(tsim_log_count("adsp", "shutdown", NULL), 1);
	rproc_sim_report(bd.b, &u);
	assert_int_equal(u.running_cores, 2); /* adsp's PAS id still runs, and cdsp0 */
	tsim_start_one(&bd, a);
	assert_int_equal(rproc_sim_calls(bd.b, "shutdown"), 2);

	/* cdsp0 (decrypt_shutdown): -EINVAL three times, then TrustZone is done */
	/* (each rule counts the calls that reach it: three first-call rules fail three calls) */
	assert_int_equal(rproc_sim_set(bd.b, "reset\nfail=shutdown@cdsp0:1:-EINVAL\n"
					     "fail=shutdown@cdsp0:1:-EINVAL\n"
					     "fail=shutdown@cdsp0:1:-EINVAL",
				       &err),
			 0);
	tsim_stop_one(&bd, c);
	assert_int_equal(rproc_sim_calls(bd.b, "shutdown"), 2 + 4);
	rproc_get_info(bd.r[c], &info);
	assert_string_equal(info.last_error, "");
	/* ... and an answer other than -EINVAL ends the poll after one more call */
	tsim_start_one(&bd, c);
	assert_int_equal(rproc_sim_set(bd.b, "reset\nfail=shutdown@cdsp0:0:-EBUSY", &err), 0);
	tsim_stop_one(&bd, c);
	assert_int_equal(rproc_sim_calls(bd.b, "shutdown"), 6 + 2);
	rproc_get_info(bd.r[c], &info);
	assert_int_equal(info.last_errno, -EBUSY);
	tsim_board_free(&bd);
}

/*
 * A crash before ready fails the start at once with the firmware's reason (rprocd(8), "The
 * boot sequence"): with a ready timeout of ten minutes, a start that waited for it would not
 * end within this test.
 */
static void test_crash_during_boot_aborts(void **state)
{
	struct tsim_board bd;
	struct rproc_info info;
	int i;

	tsim_board_new(&bd, "lemans-el2", "no_ready=gpdsp1", NULL);
	bd.cfg.ready_timeout_ms = 600000;
	tsim_board_cores(&bd);
	i = tsim_board_find(&bd, "gpdsp1");
	assert_int_equal(rproc_start(bd.r[i]), 0);
	for (int t = 0; t < 500; t++) {
		rproc_get_info(bd.r[i], &info);
		if (!strcmp(info.phase, "wait-ready"))
			break;
		tsim_run_for(&bd.r[i], 1, 10);
	}
	assert_string_equal(info.phase, "wait-ready");
	assert_int_equal(rproc_sim_raise(bd.b, "gpdsp1", RPROC_IRQ_WDOG, "err_qdi: boot"), 0);
	assert_int_equal(tsim_wait_state(&bd.r[i], 1, 1, RPROC_FAILED, 10000), 0);
	rproc_get_info(bd.r[i], &info);
	assert_string_equal(info.last_error_step, "wait-ready");
	assert_non_null(strstr(info.last_error, "err_qdi: boot"));
	assert_int_equal(info.crash_count, 0); /* a failed start, not a crash to recover */
	tsim_assert_nothing_held(&bd);
	tsim_board_free(&bd);
}

/*
 * The glink edge (doc/boot-sequence.md#glink-register): registered once the DSP is up,
 * unregistered first in a stop and in a crash handling (the simulated TrustZone refuses
 * SHUTDOWN before), registered again by the recovery.
 */
static void test_glink_edge(void **state)
{
	struct tsim_board bd;
	struct rproc_sim_usage u;
	struct rproc_info info;
	int i;

	tsim_board_new(&bd, "lemans-el2", NULL, NULL);
	tsim_board_cores(&bd);
	tsim_start_all(&bd);
	rproc_sim_report(bd.b, &u);
	assert_int_equal(u.glink_edges, bd.n);
	i = tsim_board_find(&bd, "cdsp1");
	assert_int_equal(rproc_sim_raise(bd.b, "cdsp1", RPROC_IRQ_FATAL, "test"), 0);
	assert_int_equal(tsim_wait_crashes(bd.r[i], 1, RPROC_RUNNING, 10000), 0);
	rproc_get_info(bd.r[i], &info);
	assert_string_equal(info.last_error, "");
	assert_int_equal(rproc_sim_calls(bd.b, "glink"), bd.n + 2);
	tsim_stop_all(&bd);
	rproc_sim_report(bd.b, &u);
	assert_int_equal(u.glink_edges, 0);
	assert_int_equal(u.running_cores, 0);
	tsim_board_free(&bd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phase_empty_when_idle),
		cmocka_unit_test(test_bad_image_touches_nothing),
		cmocka_unit_test(test_votes_two_lifetimes),
		cmocka_unit_test(test_dtb_first),
		cmocka_unit_test(test_bridge_v10),
		cmocka_unit_test(test_rsc_table_lifetime),
		cmocka_unit_test(test_devmem_unmap_failure_kept),
		cmocka_unit_test(test_metadata_release_failure_keeps_running),
		cmocka_unit_test(test_rsc_table_from_image),
		cmocka_unit_test(test_shutdown_retry_as_kernel),
		cmocka_unit_test(test_crash_during_boot_aborts),
		cmocka_unit_test(test_glink_edge),
	};

	tsim_log_capture();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
