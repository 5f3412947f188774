// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The lifecycle state machine against a mock backend: the exact order of backend calls
 * (doc/trustzone-pas.md#call-order, doc/boot-sequence.md#start),
 * the answers to requests in every state, handover, crash and
 * recovery, firmware changes, and snapshot/adopt without touching the hardware.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mock-backend.h"
#include "rproc-priv.h"
#include "sim-util.h"

#define BASE 0x90000000ull
#define SIZE (1024 * 1024ull)

struct fx {
	struct mock *m;
	struct rproc_desc d;
	struct rproc_config cfg;
	const char *dirs[1];
	char *dir;
	struct rproc *r;
	unsigned int states[RPROC_STATE_COUNT];
	unsigned int progress, phases;
	uint64_t last_done, last_total;
	char trail[512];
};

static void on_event(struct rproc *r, enum rproc_event ev, uint64_t a, uint64_t b, void *u)
{
	struct fx *f = u;
	size_t o = strlen(f->trail);

	if (ev == RPROC_EV_STATE && a < RPROC_STATE_COUNT) {
		f->states[a]++;
		snprintf(f->trail + o, sizeof(f->trail) - o, "%s%s", o ? " " : "",
			 rproc_state_name((enum rproc_state)a));
	} else if (ev == RPROC_EV_PHASE) {
		f->phases++;
	} else if (ev == RPROC_EV_PROGRESS) {
		f->progress++;
		f->last_done = a;
		f->last_total = b;
	}
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct rproc_error err = { 0 };

	f->m = mock_new(BASE, SIZE);
	f->dir = tsim_tmpdir();
	assert_int_equal(tsim_mkfw(f->dir, "mock.mbn", "--size 64K --seed 3"), 0);
	snprintf(f->d.name, sizeof(f->d.name), "mock");
	snprintf(f->d.device, sizeof(f->d.device), "90000000.remoteproc");
	f->d.pas_id = 7;
	f->d.dtb_pas_id = f->d.lite_pas_id = f->d.minidump_id = RPROC_NO_ID;
	f->d.crash_reason_smem = 1;
	f->d.n_firmware = 1;
	snprintf(f->d.firmware[0], sizeof(f->d.firmware[0]), "mock.mbn");
	f->d.n_carveouts = 1;
	snprintf(f->d.carveouts[0].node, sizeof(f->d.carveouts[0].node), "/reserved-memory/mock");
	f->d.carveouts[0].base = BASE;
	f->d.carveouts[0].size = SIZE;
	f->d.n_iommus = 1;
	f->d.iommus[0].sid = 0x100;
	rproc_config_defaults(&f->cfg);
	f->dirs[0] = f->dir;
	f->cfg.search.dirs = f->dirs;
	f->cfg.search.n_dirs = 1;
	f->cfg.search.root = f->dir;
	f->cfg.search.release = "test";
	f->cfg.search.class_path = "";
	f->cfg.restart_delay_ms = 5;
	assert_int_equal(rproc_new(&f->d, &f->m->b, &f->cfg, &f->r, &err), 0);
	rproc_set_event_cb(f->r, on_event, f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	rproc_free(f->r);
	assert_int_equal(mock_held(f->m), 0);
	mock_free(f->m);
	tsim_rmtree(f->dir);
	free(f);
	return 0;
}

static void wait_state(struct fx *f, enum rproc_state s)
{
	assert_int_equal(tsim_wait_state(&f->r, 1, 1, s, 10000), 0);
}

/*
 * Raise ready once the start waits for it: a start takes the interrupts raised before it
 * began as stale, so raising it after a fixed delay loses it when the worker runs late.
 */
static void raise_ready_when_waited_for(struct fx *f)
{
	struct rproc_info info;

	for (int t = 0; t < 1000; t++) {
		rproc_get_info(f->r, &info);
		if (!strcmp(info.phase, "wait-ready"))
			break;
		tsim_run_for(&f->r, 1, 10);
	}
	mock_raise(f->m, RPROC_IRQ_READY);
}

static void test_call_order(void **state)
{
	struct fx *f = *state;
	struct rproc_fw_image *img = NULL;
	char buf[2048];

	assert_int_equal(rproc_start(f->r), 0);
	assert_int_equal(rproc_state(f->r), RPROC_STARTING);
	wait_state(f, RPROC_RUNNING);
	/* the votes before INIT_IMAGE; the CPU view is gone before AUTH_AND_RESET; the bridge
	 * lives only around it */
	assert_string_equal(mock_calls(f->m, buf, sizeof(buf)),
			    "irq_open iommu_open iova_ranges get_rsc_table load_state_on "
			    "proxy_vote init_image mem_setup mem_map mem_unmap iommu_map "
			    "shm_bridge_create "
			    "auth_and_reset shm_bridge_delete metadata_release glink_register");
	assert_true(f->progress >= 1);
	assert_true(f->phases >= 1);
	assert_int_equal(f->last_done, f->last_total);
	/* the view covers what the image spans (relocatable), not the whole carveout */
	snprintf(buf, sizeof(buf), "%s/mock.mbn", f->dir);
	assert_int_equal(rproc_fw_open(buf, &img, NULL), 0);
	assert_true(img->relocatable);
	assert_int_equal(f->m->last_map_size, rproc_fw_span(img));
	assert_true(rproc_fw_span(img) < SIZE);
	rproc_fw_close(img);
	mock_reset_calls(f->m);
	assert_int_equal(rproc_stop(f->r), 0);
	wait_state(f, RPROC_OFFLINE);
	/* the glink edge first; SHUTDOWN before the unmap; load_state off, and no handover
	 * came, so the proxy votes go at the end too */
	assert_string_equal(mock_calls(f->m, buf, sizeof(buf)),
			    "glink_unregister stop_bit_set stop_bit_clear shutdown iommu_unmap "
			    "load_state_off proxy_unvote");
	assert_string_equal(f->trail, "starting running stopping offline");
	/* a second cold start fetches the resource table again, in the context kept open */
	mock_reset_calls(f->m);
	assert_int_equal(rproc_start(f->r), 0);
	wait_state(f, RPROC_RUNNING);
	assert_int_equal(mock_count(f->m, "get_rsc_table"), 1);
	assert_int_equal(mock_count(f->m, "iommu_open"), 0);
	assert_int_equal(rproc_stop(f->r), 0);
	wait_state(f, RPROC_OFFLINE);
}

static void test_answers(void **state)
{
	struct fx *f = *state;
	struct rproc_info info;

	f->m->auto_ready = false;
	f->m->auto_stop_ack = false;
	f->cfg.stop_timeout_ms = 100;
	assert_int_equal(rproc_stop(f->r), -EALREADY);
	assert_int_equal(rproc_start(f->r), 0);
	assert_int_equal(rproc_start(f->r), -EINPROGRESS);
	/* a stop while starting cancels the start */
	assert_int_equal(rproc_stop(f->r), 0);
	wait_state(f, RPROC_OFFLINE);
	assert_int_equal(mock_held(f->m), 0); /* a cancelled start holds nothing */
	assert_int_equal(rproc_stop(f->r), -EALREADY);

	mock_reset_calls(f->m);
	assert_int_equal(rproc_start(f->r), 0);
	raise_ready_when_waited_for(f);
	wait_state(f, RPROC_RUNNING);
	assert_int_equal(rproc_start(f->r), -EALREADY);
	assert_int_equal(rproc_stop(f->r), 0);
	assert_int_equal(rproc_start(f->r), -EBUSY);
	assert_int_equal(rproc_stop(f->r), -EINPROGRESS);
	wait_state(f, RPROC_OFFLINE);
	rproc_get_info(f->r, &info);
	assert_string_equal(info.last_error_step, "stop-handshake");
	assert_int_equal(info.last_errno, -ETIMEDOUT);
	assert_int_equal(mock_count(f->m, "auth_and_reset"), 1);
}

/* handover drops the proxy votes once; the stop does not drop them again */
static void test_handover(void **state)
{
	struct fx *f = *state;

	f->m->auto_handover = true;
	assert_int_equal(rproc_start(f->r), 0);
	wait_state(f, RPROC_RUNNING);
	assert_int_equal(mock_count(f->m, "proxy_unvote"), 1);
	assert_int_equal(f->m->votes, 0);
	assert_int_equal(rproc_stop(f->r), 0);
	wait_state(f, RPROC_OFFLINE);
	assert_int_equal(mock_count(f->m, "proxy_unvote"), 1);
}

/* Every backend call a start makes fails once in turn: failed, and nothing held. */
static void test_each_call_fails(void **state)
{
	static const char *const ops[] = {
		"iommu_open", "iova_ranges", "get_rsc_table", "init_image",
		"mem_setup",  "mem_map",     "proxy_vote",    "load_state_on",
		"iommu_map",  "shm_bridge_create", "auth_and_reset",
	};
	struct fx *f = *state;

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		struct rproc_info info;

		mock_fail(f->m, ops[i], 1, -EIO);
		assert_int_equal(rproc_start(f->r), 0);
		wait_state(f, RPROC_FAILED);
		rproc_get_info(f->r, &info);
		assert_int_equal(info.last_errno, -EIO);
		assert_int_equal(mock_held(f->m), 0);
		/* TZ codes (a positive result) are failures too; other ops return -errno only
		 * but a positive value must not pass either */
		mock_fail(f->m, ops[i], 1, 5);
		assert_int_equal(rproc_start(f->r), 0);
		wait_state(f, RPROC_FAILED);
		assert_int_equal(mock_held(f->m), 0);
	}
	mock_fail(f->m, NULL, 0, 0);
	assert_int_equal(rproc_start(f->r), 0);
	wait_state(f, RPROC_RUNNING);
	assert_int_equal(rproc_stop(f->r), 0);
	wait_state(f, RPROC_OFFLINE);
}

static void test_crash_recovery(void **state)
{
	struct fx *f = *state;
	struct rproc_info info;
	char buf[2048];

	assert_int_equal(rproc_start(f->r), 0);
	wait_state(f, RPROC_RUNNING);
	mock_reset_calls(f->m);
	f->trail[0] = 0;
	mock_raise(f->m, RPROC_IRQ_FATAL);
	for (int t = 0; t < 200 && f->states[RPROC_RUNNING] < 2; t++)
		tsim_run_for(&f->r, 1, 10);
	assert_string_equal(f->trail, "crashed starting running");
	rproc_get_info(f->r, &info);
	assert_int_equal(info.crash_count, 1);
	assert_string_equal(info.last_crash_reason, "mock: err_fatal");
	/* no handshake on a crashed core; recovery does not refetch the resource table */
	assert_string_equal(mock_calls(f->m, buf, sizeof(buf)),
			    "crash_reason glink_unregister shutdown iommu_unmap load_state_off "
			    "proxy_unvote iova_ranges load_state_on proxy_vote init_image "
			    "mem_setup mem_map mem_unmap iommu_map shm_bridge_create "
			    "auth_and_reset shm_bridge_delete metadata_release glink_register");
	assert_int_equal(rproc_stop(f->r), 0);
	wait_state(f, RPROC_OFFLINE);
}

static void test_firmware_change(void **state)
{
	struct fx *f = *state;
	struct rproc_error err = { 0 };
	struct rproc_info info;

	assert_int_equal(rproc_set_firmware(f->r, "../../etc/passwd", &err), -EINVAL);
	assert_int_equal(rproc_set_firmware(f->r, "missing.mbn", &err), 0);
	assert_string_equal(rproc_desc(f->r)->firmware[0], "missing.mbn");
	assert_int_equal(rproc_start(f->r), 0);
	wait_state(f, RPROC_FAILED);
	rproc_get_info(f->r, &info);
	assert_string_equal(info.last_error_step, "firmware");
	assert_int_equal(info.last_errno, -ENOENT);
	assert_non_null(strstr(info.last_error, "missing.mbn"));
	assert_int_equal(mock_held(f->m), 0);
	assert_int_equal(rproc_set_firmware(f->r, "mock.mbn", &err), 0);
	assert_int_equal(rproc_start(f->r), 0);
	wait_state(f, RPROC_RUNNING);
	assert_int_equal(rproc_set_firmware(f->r, "other.mbn", &err), -EBUSY);
	rproc_get_info(f->r, &info);
	assert_string_equal(info.last_error, "");
	assert_non_null(strstr(info.firmware_path, "mock.mbn"));
	assert_int_equal(rproc_stop(f->r), 0);
	wait_state(f, RPROC_OFFLINE);
}

static void test_snapshot_adopt(void **state)
{
	struct fx *f = *state;
	struct rproc_error err = { 0 };
	struct rproc_snapshot s, bad;
	struct rproc_info before, after;
	char buf[2048];

	assert_int_equal(rproc_start(f->r), 0);
	wait_state(f, RPROC_RUNNING);
	rproc_get_info(f->r, &before);
	rproc_snapshot(f->r, &s);
	assert_int_equal(s.version, RPROC_SNAPSHOT_VERSION);
	assert_int_equal(s.state, RPROC_RUNNING);
	mock_reset_calls(f->m);
	rproc_free(f->r); /* the daemon goes away: the core keeps running */
	f->r = NULL;
	assert_string_equal(mock_calls(f->m, buf, sizeof(buf)), "iommu_close");
	assert_int_equal(f->m->running, 1);

	bad = s;
	bad.version = 99;
	assert_int_equal(rproc_adopt(&f->d, &f->m->b, &f->cfg, &bad, &f->r, &err), -EINVAL);
	mock_reset_calls(f->m);
	assert_int_equal(rproc_adopt(&f->d, &f->m->b, &f->cfg, &s, &f->r, &err), 0);
	rproc_set_event_cb(f->r, on_event, f);
	/* nothing touched but the handles */
	assert_string_equal(mock_calls(f->m, buf, sizeof(buf)), "irq_open iommu_open");
	rproc_get_info(f->r, &after);
	assert_int_equal(after.state, RPROC_RUNNING);
	assert_int_equal(after.state_change_usec, before.state_change_usec);
	assert_int_equal(after.timings.total_us, before.timings.total_us);
	assert_int_equal(after.mem_reloc, before.mem_reloc);
	assert_string_equal(after.firmware_path, before.firmware_path);
	assert_int_equal(rproc_start(f->r), -EALREADY);
	assert_int_equal(rproc_stop(f->r), 0);
	wait_state(f, RPROC_OFFLINE);
	assert_int_equal(mock_count(f->m, "shutdown"), 1);
	assert_int_equal(mock_count(f->m, "iommu_unmap"), 1);
	assert_int_equal(mock_held(f->m), 1); /* the context */

	/*
	 * A snapshot taken mid-start: what the start may hold is released, adopted as failed.
	 * Exactly what the flags name (running, mapped, voted: the metadata went at ready, the
	 * stop bit was never set); before version 5 they did not name everything, so then all
	 * of it.
	 */
	rproc_free(f->r);
	f->r = NULL;
	s.state = RPROC_STARTING;
	mock_reset_calls(f->m);
	assert_int_equal(rproc_adopt(&f->d, &f->m->b, &f->cfg, &s, &f->r, &err), 0);
	assert_string_equal(mock_calls(f->m, buf, sizeof(buf)),
			    "irq_open glink_unregister shutdown iommu_open iommu_unmap iommu_close "
			    "proxy_unvote load_state_off");
	rproc_free(f->r);
	f->r = NULL;
	s.version = 4;
	mock_reset_calls(f->m);
	assert_int_equal(rproc_adopt(&f->d, &f->m->b, &f->cfg, &s, &f->r, &err), 0);
	assert_string_equal(mock_calls(f->m, buf, sizeof(buf)),
			    "irq_open glink_unregister stop_bit_clear shutdown metadata_release "
			    "iommu_open iommu_unmap iommu_close proxy_unvote load_state_off");
	rproc_get_info(f->r, &after);
	assert_int_equal(after.state, RPROC_FAILED);
	assert_string_equal(after.last_error_step, "adopt");
	assert_string_equal(after.last_error, "interrupted by a daemon restart during starting; "
					      "cleaned up, start it again");
	assert_int_equal(rproc_start(f->r), 0);
	wait_state(f, RPROC_RUNNING);
	assert_int_equal(rproc_stop(f->r), 0);
	wait_state(f, RPROC_OFFLINE);
}

/*
 * Before snapshot version 5 rprocd had one vote: its PROXY flag stood for load_state too.  A
 * backend that sends no load_state (a shim of ABI 1.0, or one without AOSS QMP) adopts the
 * proxy vote alone from it: the stop drops that, and calls no load_state it does not have.
 */
static void test_adopt_v4_vote_without_load_state(void **state)
{
	struct fx *f = *state;
	struct rproc_error err = { 0 };
	const struct rproc_pas_ops *orig = f->m->b.pas;
	struct rproc_pas_ops pas = *orig;
	struct rproc_snapshot s;

	pas.load_state = NULL;
	f->m->b.pas = &pas;
	assert_int_equal(rproc_start(f->r), 0);
	wait_state(f, RPROC_RUNNING);
	rproc_snapshot(f->r, &s);
	assert_true(s.flags & RPROC_SNAP_PROXY); /* no handover came */
	rproc_free(f->r);
	f->r = NULL;
	s.version = 4;
	assert_int_equal(rproc_adopt(&f->d, &f->m->b, &f->cfg, &s, &f->r, &err), 0);
	rproc_set_event_cb(f->r, on_event, f);
	mock_reset_calls(f->m);
	assert_int_equal(rproc_stop(f->r), 0);
	wait_state(f, RPROC_OFFLINE);
	assert_int_equal(mock_count(f->m, "proxy_unvote"), 1);
	assert_int_equal(f->m->votes, 0);
	f->m->b.pas = orig;
}

/*
 * A backend with the stop bit but no stop-ack line (a shim without SMP2P input, wdog through
 * vfio-platform): a watchdog bite still acknowledges the stop (doc/boot-sequence.md#stop-handshake),
 * and the wait does not run out the timeout blind to it.
 */
static void test_stop_ack_by_wdog_without_stop_ack_line(void **state)
{
	struct fx *f = *state;
	struct rproc_error err = { 0 };
	struct rproc_info info;

	rproc_free(f->r);
	f->m->no_stop_ack_line = true;
	f->m->wdog_on_stop = true;
	f->cfg.stop_timeout_ms = 500;
	assert_int_equal(rproc_new(&f->d, &f->m->b, &f->cfg, &f->r, &err), 0);
	rproc_set_event_cb(f->r, on_event, f);
	assert_int_equal(rproc_start(f->r), 0);
	wait_state(f, RPROC_RUNNING);
	assert_int_equal(rproc_stop(f->r), 0);
	wait_state(f, RPROC_OFFLINE);
	rproc_get_info(f->r, &info);
	assert_string_equal(info.last_error_step, "");
	assert_int_equal(info.last_errno, 0);
	assert_int_equal(info.crash_count, 0);
}

/* IOVA == PA must be possible: a carveout outside the usable ranges is a clear error. */
static void test_iova_range_check(void **state)
{
	struct fx *f = *state;
	struct rproc_info info;

	f->m->range_last = 0x7fffffff;
	assert_int_equal(rproc_start(f->r), 0);
	wait_state(f, RPROC_FAILED);
	rproc_get_info(f->r, &info);
	assert_string_equal(info.last_error_step, "iommu-map");
	assert_int_equal(info.last_errno, -ERANGE);
	assert_non_null(strstr(info.last_error, "0x10000000-0x7fffffff"));
	assert_non_null(strstr(info.last_error, "/reserved-memory/mock"));
	assert_int_equal(mock_count(f->m, "iommu_map"), 0);
	assert_int_equal(mock_held(f->m), 0);
}

/*
 * A carveout in the 20th usable IOVA range is inside them: every range the backend reports is
 * read, however many (the kernel says how many: VFIO's nr_iovas, iommufd's num_iovas).
 */
static void test_iova_range_late(void **state)
{
	struct fx *f = *state;

	f->m->ranges_before = 19;
	assert_int_equal(rproc_start(f->r), 0);
	wait_state(f, RPROC_RUNNING);
	assert_int_equal(mock_count(f->m, "iova_ranges"), 2); /* 16 asked for, then all 20 */
	assert_int_equal(rproc_stop(f->r), 0);
	wait_state(f, RPROC_OFFLINE);
}

/*
 * decrypt_shutdown SoCs poll SHUTDOWN every 100 ms while TrustZone answers -EINVAL, after a
 * failed first call (doc/boot-sequence.md#shutdown); any other answer ends the poll.
 */
static void test_decrypt_shutdown_retry(void **state)
{
	struct fx *f = *state;
	struct rproc_error err = { 0 };
	struct rproc_info info;

	rproc_free(f->r);
	f->d.decrypt_shutdown = true;
	assert_int_equal(rproc_new(&f->d, &f->m->b, &f->cfg, &f->r, &err), 0);
	assert_int_equal(rproc_start(f->r), 0);
	wait_state(f, RPROC_RUNNING);
	mock_reset_calls(f->m);
	mock_fail(f->m, "shutdown", 0, -EINVAL); /* every call: still decrypting */
	assert_int_equal(rproc_stop(f->r), 0);
	tsim_run_for(&f->r, 1, 350);
	mock_fail(f->m, NULL, 0, 0); /* TZ finishes decrypting */
	wait_state(f, RPROC_OFFLINE);
	assert_true(mock_count(f->m, "shutdown") >= 4);
	assert_int_equal(f->m->running, 0);
	rproc_get_info(f->r, &info);
	assert_string_equal(info.last_error, "");

	/* another failure ends the poll: the first call and one more, then it is reported */
	assert_int_equal(rproc_start(f->r), 0);
	wait_state(f, RPROC_RUNNING);
	mock_reset_calls(f->m);
	mock_fail(f->m, "shutdown", 0, -EBUSY);
	assert_int_equal(rproc_stop(f->r), 0);
	wait_state(f, RPROC_OFFLINE);
	assert_int_equal(mock_count(f->m, "shutdown"), 2);
	rproc_get_info(f->r, &info);
	assert_string_equal(info.last_error_step, "shutdown");
	assert_int_equal(info.last_errno, -EBUSY);
	/* the PAS id left running: the next start shuts it down before INIT_IMAGE */
	mock_fail(f->m, NULL, 0, 0);
	mock_reset_calls(f->m);
	assert_int_equal(rproc_start(f->r), 0);
	wait_state(f, RPROC_RUNNING);
	assert_int_equal(mock_count(f->m, "shutdown"), 1);
	assert_int_equal(rproc_stop(f->r), 0);
	wait_state(f, RPROC_OFFLINE);
}

/*
 * The glink edge: a node without one (ENOENT) runs without it, as the kernel adds no
 * subdevice then; any other failure to register fails the start, nothing held.
 */
/*
 * More device-memory entries than a snapshot records (a successor could not unmap the rest):
 * refused before any is mapped, at the rsc-table step; as many as it records boot.
 */
static void test_devmem_over_snapshot(void **state)
{
	static struct rproc_devmem dm[RPROC_SNAP_MAX_DEVMEM + 1];
	struct fx *f = *state;
	struct rproc_error err = { 0 };
	struct rproc_info info;

	for (size_t i = 0; i < ARRAY_SIZE(dm); i++)
		dm[i] = (struct rproc_devmem){ .da = 0x20000000 + i * 0x1000, /* the mock: da == pa */
					       .pa = 0x20000000 + i * 0x1000,
					       .len = 0x1000,
					       .flags = 3 };
	for (size_t n = ARRAY_SIZE(dm); n >= ARRAY_SIZE(dm) - 1; n--) {
		rproc_free(f->r);
		f->d.devmem = dm;
		f->d.n_devmem = n;
		assert_int_equal(rproc_new(&f->d, &f->m->b, &f->cfg, &f->r, &err), 0);
		rproc_set_event_cb(f->r, on_event, f);
		assert_int_equal(rproc_start(f->r), 0);
		if (n > RPROC_SNAP_MAX_DEVMEM) {
			wait_state(f, RPROC_FAILED);
			rproc_get_info(f->r, &info);
			assert_string_equal(info.last_error_step, "rsc-table");
			assert_int_equal(info.last_errno, -E2BIG);
			assert_int_equal(mock_held(f->m), 0);
			continue;
		}
		raise_ready_when_waited_for(f);
		wait_state(f, RPROC_RUNNING);
		assert_int_equal(rproc_stop(f->r), 0);
		wait_state(f, RPROC_OFFLINE);
	}
	f->d.devmem = NULL;
	f->d.n_devmem = 0;
}

static void test_glink_register(void **state)
{
	struct fx *f = *state;
	struct rproc_info info;

	mock_fail(f->m, "glink_register", 1, -ENOENT);
	assert_int_equal(rproc_start(f->r), 0);
	wait_state(f, RPROC_RUNNING);
	assert_int_equal(f->m->glink, 0);
	assert_int_equal(rproc_stop(f->r), 0);
	wait_state(f, RPROC_OFFLINE);
	assert_int_equal(mock_count(f->m, "glink_unregister"), 0);
	mock_fail(f->m, "glink_register", 1, -ENODEV);
	assert_int_equal(rproc_start(f->r), 0);
	wait_state(f, RPROC_FAILED);
	rproc_get_info(f->r, &info);
	assert_string_equal(info.last_error_step, "glink-register");
	assert_int_equal(info.last_errno, -ENODEV);
	assert_int_equal(f->m->running, 0);
	mock_fail(f->m, NULL, 0, 0);
}

/* A backend with an ack op: every interrupt is consumed through it, in every path. */
static void test_irq_ack(void **state)
{
	struct fx *f = *state;
	struct rproc_error err = { 0 };
	char ready[16], wdog[16], stop_ack[16];

	snprintf(ready, sizeof(ready), "ack_%d", RPROC_IRQ_READY);
	snprintf(wdog, sizeof(wdog), "ack_%d", RPROC_IRQ_WDOG);
	snprintf(stop_ack, sizeof(stop_ack), "ack_%d", RPROC_IRQ_STOP_ACK);
	rproc_free(f->r);
	f->m->b.irq = &mock_irq_with_ack;
	assert_int_equal(rproc_new(&f->d, &f->m->b, &f->cfg, &f->r, &err), 0);
	rproc_set_event_cb(f->r, on_event, f);
	assert_int_equal(rproc_start(f->r), 0);
	wait_state(f, RPROC_RUNNING);
	assert_int_equal(mock_count(f->m, ready), 1);
	mock_raise(f->m, RPROC_IRQ_WDOG);
	for (int t = 0; t < 200 && f->states[RPROC_RUNNING] < 2; t++)
		tsim_run_for(&f->r, 1, 10);
	assert_int_equal(f->states[RPROC_CRASHED], 1);
	assert_int_equal(mock_count(f->m, wdog), 1);
	assert_int_equal(rproc_stop(f->r), 0);
	wait_state(f, RPROC_OFFLINE);
	assert_int_equal(mock_count(f->m, stop_ack), 1);
	assert_int_equal(mock_count(f->m, ready), 2);
}

static void log_clobbering_errno(void *userdata, int level, const char *core, const char *step,
				 int err, const char *msg)
{
	errno = 0;
}

/*
 * A timer that cannot be armed leaves no recovery armed, whatever the log callback does to
 * errno: the error is taken before the message is logged.
 */
static void test_arm_timer_errno(void **state)
{
	struct fx *f = *state;
	int fd = f->r->timer_fd;

	f->r->timer_fd = -1; /* timerfd_settime() fails with EBADF */
	rproc_log_set(log_clobbering_errno, NULL, RPROC_LOG_DEBUG);
	rproc_arm_recovery(f->r, 0);
	tsim_log_capture();
	f->r->timer_fd = fd;
	assert_false(f->r->recovery_armed);
}

static void test_step_names(void **state)
{
	unsigned int n, m;
	const char *const *st = rproc_start_steps(&n);
	const char *const *sp = rproc_stop_steps(&m);

	assert_string_equal(st[0], "firmware");
	assert_null(st[n]);
	assert_null(sp[m]);
	assert_string_equal(st[n - 1], "glink-register");
	assert_string_equal(sp[0], "glink-unregister");
	assert_int_equal(rproc_debug_fail_step(((struct fx *)*state)->r, "no-such-step", -EIO),
			 -ENOENT);
	for (int s = 0; s <= RPROC_STATE_COUNT; s++)
		assert_non_null(rproc_state_name((enum rproc_state)s));
	assert_string_equal(rproc_state_name(RPROC_CRASHED), "crashed");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_call_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_answers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handover, setup, teardown),
		cmocka_unit_test_setup_teardown(test_each_call_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_recovery, setup, teardown),
		cmocka_unit_test_setup_teardown(test_firmware_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_adopt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_adopt_v4_vote_without_load_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_ack_by_wdog_without_stop_ack_line, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_iova_range_check, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iova_range_late, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decrypt_shutdown_retry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_glink_register, setup, teardown),
		cmocka_unit_test_setup_teardown(test_devmem_over_snapshot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_irq_ack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_step_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_arm_timer_errno, setup, teardown),
	};

	tsim_log_capture();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
