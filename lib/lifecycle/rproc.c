// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The lifecycle state machine (doc/boot-sequence.md), in the caller's thread.
 *
 * A start, a stop and the handling of a crash are jobs: each runs in a worker thread
 * (rproc-start.c, rproc-stop.c, rproc-crash.c) and reports through the listener registered
 * here, which queues the report and signals an eventfd in the epoll set rproc_fd() returns.
 * rproc_process() joins finished workers, applies their outcome, watches the interrupts of
 * a running core, fires the recovery timer and delivers events to the callback.  Nothing
 * here sleeps.
 *
 * Crash recovery: restart_limit restarts are allowed within restart_window_s; the next crash
 * in the window ends in `failed` ("recovery gave up").  Each restart waits restart_delay_ms,
 * doubled for every earlier crash in the window (capped at 60 s), on a CLOCK_MONOTONIC
 * timerfd.  restart_limit 0 means no limit (the back-off still applies).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>

#include "rproc/error.h"
#include "rproc-priv.h"
#include "string-table.h"
#include "time-util.h"
#include "util.h"

#define BACKOFF_MAX_MS 60000u

static const char *const rproc_state_table[RPROC_STATE_COUNT] = {
	[RPROC_OFFLINE] = "offline",   [RPROC_STARTING] = "starting", [RPROC_RUNNING] = "running",
	[RPROC_STOPPING] = "stopping", [RPROC_CRASHED] = "crashed",   [RPROC_FAILED] = "failed",
};
DEFINE_STRING_TABLE_LOOKUP_TO_STRING_STATIC(rproc_state, enum rproc_state);

const char *rproc_state_name(enum rproc_state s)
{
	return rproc_state_to_string(s) ?: "unknown";
}

void rproc_config_defaults(struct rproc_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->ready_timeout_ms = 5000; /* doc/boot-sequence.md#interrupts-and-timeouts */
	cfg->stop_timeout_ms = 5000;
	cfg->recovery = true;
	cfg->restart_limit = 3;
	cfg->restart_window_s = 60;
	cfg->restart_delay_ms = 1000;
}

static void notify(struct rproc *r)
{
	uint64_t one = 1;

	if (write(r->notify_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		rproc_log(RPROC_LOG_WARNING, r->d.name, NULL, -errno,
			  "cannot signal the event fd: %m");
}

/*
 * The jobs' reports (rproc-job.c calls these through the listener, from the worker thread):
 * queued for rproc_process(), which delivers them to the caller's callback.
 */
static void push_event(struct rproc *r, enum rproc_event ev, uint64_t a, uint64_t b)
{
	pthread_mutex_lock(&r->lock);
	if (r->evq_len < RPROC_EVQ) {
		struct rproc_ev *e = &r->evq[(r->evq_head + r->evq_len) % RPROC_EVQ];

		e->ev = ev;
		e->a = a;
		e->b = b;
		r->evq_len++;
	}
	pthread_mutex_unlock(&r->lock);
	notify(r);
}

static void set_phase(struct rproc *r, const char *phase)
{
	pthread_mutex_lock(&r->lock);
	r->info.phase = phase;
	r->phase_pending = true;
	pthread_mutex_unlock(&r->lock);
	rproc_snapshot_changed(r);
	notify(r);
}

/* Loading progress is coalesced: only the latest value is delivered. */
static void set_progress(struct rproc *r, uint64_t done, uint64_t total)
{
	pthread_mutex_lock(&r->lock);
	r->progress_pending = true;
	r->progress_done = done;
	r->progress_total = total;
	pthread_mutex_unlock(&r->lock);
	notify(r);
}

static const struct rproc_job_listener job_listener = {
	.phase = set_phase,
	.progress = set_progress,
	.event = push_event,
};

static void set_state(struct rproc *r, enum rproc_state s)
{
	enum rproc_state old;

	pthread_mutex_lock(&r->lock);
	old = r->info.state;
	r->info.state = s;
	r->info.state_change_usec = now_usec(CLOCK_REALTIME);
	if (s != RPROC_STARTING && s != RPROC_STOPPING)
		r->info.phase = "";
	pthread_mutex_unlock(&r->lock);
	/* before anything the new state leads to: a starting core's snapshot says so
	 * before its worker touches the hardware */
	rproc_snapshot_changed(r);
	if (old != s) {
		rproc_log(RPROC_LOG_DEBUG, r->d.name, NULL, 0, "%s -> %s", rproc_state_name(old),
			  rproc_state_name(s));
		push_event(r, RPROC_EV_STATE, s, old);
	}
}

static void set_error(struct rproc *r, const char *step, int code, const char *msg)
{
	pthread_mutex_lock(&r->lock);
	snprintf(r->info.last_error, sizeof(r->info.last_error), "%s", msg);
	snprintf(r->info.last_error_step, sizeof(r->info.last_error_step), "%s", step);
	r->info.last_errno = code;
	pthread_mutex_unlock(&r->lock);
}

void rproc_irq_watch(struct rproc *r, bool on)
{
	if (!r->irq_open || r->irq_watched == on)
		return;
	for (int i = 0; i < RPROC_IRQ_COUNT; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 100 + (uint32_t)i };

		if (r->irq[i] < 0)
			continue;
		if (on) {
			if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, r->irq[i], &ev) < 0)
				rproc_log(RPROC_LOG_WARNING, r->d.name, NULL, -errno,
					  "cannot watch the %s interrupt: %m", rproc_irq_name(i));
		} else {
			epoll_ctl(r->epfd, EPOLL_CTL_DEL, r->irq[i], NULL);
		}
	}
	r->irq_watched = on;
}

static void *worker(void *arg)
{
	struct rproc *r = arg;
	int ret;

	switch (r->job) {
	case JOB_START:
		ret = rproc_run_start(r);
		break;
	case JOB_STOP:
		ret = rproc_run_stop(r, r->stop_crashed, true);
		break;
	case JOB_CRASH:
		ret = rproc_run_crash(r);
		break;
	default:
		ret = -EINVAL;
	}
	pthread_mutex_lock(&r->lock);
	r->job_result = ret;
	r->job_done = true;
	pthread_mutex_unlock(&r->lock);
	notify(r);
	return NULL;
}

static int begin_job(struct rproc *r, enum rproc_job job)
{
	int e;

	rproc_drain(r->cancel_fd);
	rproc_irq_watch(r, false);
	rproc_publish_held(r);
	pthread_mutex_lock(&r->lock);
	r->job = job;
	r->job_done = false;
	pthread_mutex_unlock(&r->lock);
	e = pthread_create(&r->thread, NULL, worker, r);
	if (e) {
		r->job = JOB_NONE;
		rproc_log(RPROC_LOG_ERR, r->d.name, NULL, -e, "cannot create a worker thread: %m");
		return -e;
	}
	r->thread_live = true;
	return 0;
}

/* The one timer: a recovery start (crashed) or the end of a cancel (starting). */
static int arm_timer(struct rproc *r, uint64_t ms)
{
	struct itimerspec its = { 0 };

	/* 0 would disarm: a zero delay fires after 1 ns */
	timespec_store_nsec(&its.it_value, ms ? ms * NSEC_PER_MSEC : 1);
	if (timerfd_settime(r->timer_fd, 0, &its, NULL) < 0) {
		int e = -errno; /* the caller's log callback may change errno */

		rproc_log(RPROC_LOG_ERR, r->d.name, NULL, e, "cannot arm the timer: %m");
		return e;
	}
	return 0;
}

static void disarm_recovery(struct rproc *r)
{
	struct itimerspec its = { 0 };

	timerfd_settime(r->timer_fd, 0, &its, NULL);
	r->recovery_armed = false;
}

static int start_job(struct rproc *r, bool recovery)
{
	int e;

	r->recovery_start = recovery;
	set_state(r, RPROC_STARTING);
	e = begin_job(r, JOB_START);
	if (e < 0) {
		set_error(r, "start", e, "cannot create a worker thread");
		set_state(r, RPROC_FAILED);
	}
	return e;
}

static int stop_job(struct rproc *r, bool crashed)
{
	int e;

	r->stop_crashed = crashed;
	set_state(r, RPROC_STOPPING);
	e = begin_job(r, JOB_STOP);
	if (e < 0)
		set_state(r, crashed ? RPROC_CRASHED : RPROC_RUNNING);
	return e;
}

int rproc_start(struct rproc *r)
{
	enum rproc_state s = rproc_state(r);

	if (r->thread_live && (s == RPROC_FAILED || s == RPROC_OFFLINE))
		return -EBUSY; /* an abandoned start has not returned yet */
	switch (s) {
	case RPROC_RUNNING:
		return -EALREADY;
	case RPROC_STARTING:
		return -EINPROGRESS;
	case RPROC_STOPPING:
		return -EBUSY;
	case RPROC_CRASHED:
		if (r->thread_live)
			return -EBUSY; /* the crash is being handled; recovery follows */
		disarm_recovery(r);
		break;
	default:
		break;
	}
	pthread_mutex_lock(&r->lock);
	r->info.last_error[0] = 0;
	r->info.last_error_step[0] = 0;
	r->info.last_errno = 0;
	pthread_mutex_unlock(&r->lock);
	r->pending_stop = false;
	return start_job(r, false);
}

int rproc_stop(struct rproc *r)
{
	uint64_t one = 1;

	switch (rproc_state(r)) {
	case RPROC_OFFLINE:
	case RPROC_FAILED:
		return -EALREADY;
	case RPROC_STOPPING:
		return -EINPROGRESS;
	case RPROC_STARTING:
		/* Cancel the start: its worker undoes what it did, then we go offline.  If it
		 * is stuck in a call that does not return, the start is abandoned when the stop
		 * timeout expires (rproc_process()). */
		r->pending_stop = true;
		if (write(r->cancel_fd, &one, sizeof(one)) < 0)
			return -errno;
		arm_timer(r, r->cfg->stop_timeout_ms);
		r->cancel_armed = true;
		return 0;
	case RPROC_CRASHED:
		if (r->thread_live) {
			r->pending_stop = true;
			return 0;
		}
		disarm_recovery(r);
		return stop_job(r, true);
	case RPROC_RUNNING:
		return stop_job(r, false);
	default:
		return -EINVAL;
	}
}

/* Crash rate limit and back-off; returns the delay, or -1 when recovery gives up. */
static long recovery_delay(struct rproc *r, unsigned int *in_window)
{
	uint64_t now = now_usec(CLOCK_MONOTONIC);
	uint64_t window = r->cfg->restart_window_s * USEC_PER_SEC;
	unsigned int n = 0, cap = r->n_crash_times < RPROC_MAX_CRASH_TIMES ? r->n_crash_times
									    : RPROC_MAX_CRASH_TIMES;
	uint64_t delay;

	for (unsigned int i = 0; i < cap; i++)
		if (now - r->crash_times[i] <= window)
			n++;
	*in_window = n;
	if (r->cfg->restart_limit &&
	    n > (r->cfg->restart_limit < RPROC_RESTART_LIMIT_MAX ? r->cfg->restart_limit
								  : RPROC_RESTART_LIMIT_MAX))
		return -1;
	delay = r->cfg->restart_delay_ms;
	for (unsigned int i = 1; i < n && delay < BACKOFF_MAX_MS; i++)
		delay *= 2;
	return (long)(delay > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : delay);
}

void rproc_arm_recovery(struct rproc *r, long ms)
{
	if (arm_timer(r, (uint64_t)ms) < 0)
		return;
	r->recovery_armed = true;
}

/*
 * The start was cancelled and has not ended within the stop timeout: its worker is stuck in a
 * call (a file that does not answer, a TrustZone or kernel call that does not return).  Stop
 * ends any start: the core is failed now, the worker undoes what the start did when the call
 * returns (it was cancelled), and the core then goes offline.  Until then a start is refused.
 */
static void abandon_start(struct rproc *r)
{
	char msg[256];
	const char *phase;

	pthread_mutex_lock(&r->lock);
	phase = r->info.phase && r->info.phase[0] ? r->info.phase : "start";
	snprintf(r->abandoned_phase, sizeof(r->abandoned_phase), "%s", phase);
	r->abandoned = true;
	pthread_mutex_unlock(&r->lock);
	snprintf(msg, sizeof(msg),
		 "stopped while starting, and the start did not end within %u ms: %s has not "
		 "returned; what it did is undone when it returns (the core goes offline then)",
		 r->cfg->stop_timeout_ms, r->abandoned_phase);
	rproc_log(RPROC_LOG_DEBUG, r->d.name, r->abandoned_phase, -ETIMEDOUT, "%s", msg);
	set_error(r, r->abandoned_phase, -ETIMEDOUT, msg);
	set_state(r, RPROC_FAILED);
}

static void finish_job(struct rproc *r)
{
	enum rproc_job job = r->job;
	int res;

	pthread_join(r->thread, NULL);
	r->thread_live = false;
	if (r->cancel_armed) {
		struct itimerspec off = { 0 };

		timerfd_settime(r->timer_fd, 0, &off, NULL);
		r->cancel_armed = false;
	}
	pthread_mutex_lock(&r->lock);
	res = r->job_result;
	r->job = JOB_NONE;
	r->job_done = false;
	r->abandoned = false; /* undone (pending_stop is set: it ends offline below) */
	pthread_mutex_unlock(&r->lock);
	if (r->died)
		return; /* test hook: the daemon "died" mid-job; nothing more happens */
	rproc_publish_held(r);
	/* The job is over: no phase until the next one, whatever the state it left (a crash
	 * handling leaves the core crashed, and its last step is not what it does now). */
	set_phase(r, "");

	switch (job) {
	case JOB_START:
		if (res == 0 && r->pending_stop) {
			r->pending_stop = false;
			stop_job(r, false);
		} else if (res == 0) {
			set_state(r, RPROC_RUNNING);
			rproc_irq_watch(r, true);
		} else if (r->pending_stop) {
			r->pending_stop = false;
			set_state(r, RPROC_OFFLINE);
		} else {
			set_state(r, RPROC_FAILED);
		}
		break;
	case JOB_STOP:
		set_state(r, RPROC_OFFLINE);
		break;
	case JOB_CRASH: {
		unsigned int n = 0;
		bool rec;
		long ms;

		pthread_mutex_lock(&r->lock);
		rec = r->recovery;
		pthread_mutex_unlock(&r->lock);
		if (r->pending_stop) {
			r->pending_stop = false;
			set_state(r, RPROC_OFFLINE);
			break;
		}
		if (!rec) {
			rproc_log(RPROC_LOG_NOTICE, r->d.name, "recovery", 0,
				  "recovery disabled: the core stays crashed");
			break;
		}
		ms = recovery_delay(r, &n);
		if (ms < 0) {
			char msg[160];

			/* the cause alone: the caller says that recovery gave up */
			snprintf(msg, sizeof(msg), "%u crashes within %u s (limit %u restarts)", n,
				 r->cfg->restart_window_s, r->cfg->restart_limit);
			rproc_log(RPROC_LOG_DEBUG, r->d.name, "recovery", -ELOOP, "%s", msg);
			set_error(r, "recovery", -ELOOP, msg);
			set_state(r, RPROC_FAILED);
			break;
		}
		rproc_log(RPROC_LOG_NOTICE, r->d.name, "recovery", 0,
			  "restarting in %ld ms (crash %u in the last %u s)", ms, n,
			  r->cfg->restart_window_s);
		rproc_arm_recovery(r, ms);
		break;
	}
	default:
		break;
	}
}

static void handle_crash(struct rproc *r, enum rproc_irq irq, const char *why)
{
	char reason[256] = "";
	const struct rproc_pas_ops *pas = r->b->pas;

	/* doc/boot-sequence.md#crash: the reason is read first, before anything is torn down. */
	if (pas->crash_reason &&
	    pas->crash_reason(r->b->pas_ctx, &r->d, reason, sizeof(reason)) < 0)
		reason[0] = 0;
	if (!reason[0] && why)
		snprintf(reason, sizeof(reason), "%s", why);
	if (!reason[0])
		snprintf(reason, sizeof(reason), "%s",
			 irq == RPROC_IRQ_WDOG ? "watchdog bite" : "error-fatal (no reason given)");
	pthread_mutex_lock(&r->lock);
	snprintf(r->info.last_crash_reason, sizeof(r->info.last_crash_reason), "%s", reason);
	r->info.crash_count++;
	r->crash_times[r->n_crash_times++ % RPROC_MAX_CRASH_TIMES] = now_usec(CLOCK_MONOTONIC);
	pthread_mutex_unlock(&r->lock);
	rproc_log(RPROC_LOG_DEBUG, r->d.name, "crash", 0, "%s: %s",
		  irq == RPROC_IRQ_WDOG ? "watchdog" : "fatal error", reason);
	set_state(r, RPROC_CRASHED);
	push_event(r, RPROC_EV_CRASH, irq, 0);
	if (begin_job(r, JOB_CRASH) < 0)
		rproc_log(RPROC_LOG_ERR, r->d.name, "crash", -EAGAIN,
			  "cannot run the crash handling");
}

static void handle_irqs(struct rproc *r)
{
	bool fired[RPROC_IRQ_COUNT] = { false };

	for (int i = 0; i < RPROC_IRQ_COUNT; i++)
		fired[i] = rproc_irq_take(r, (enum rproc_irq)i);
	if (fired[RPROC_IRQ_HANDOVER])
		rproc_handover(r, "handover");
	if (fired[RPROC_IRQ_WDOG])
		handle_crash(r, RPROC_IRQ_WDOG, NULL);
	else if (fired[RPROC_IRQ_FATAL])
		handle_crash(r, RPROC_IRQ_FATAL, NULL);
}

void rproc_crash_found(struct rproc *r, enum rproc_irq irq, const char *why)
{
	r->crash_found = true;
	r->crash_found_irq = irq;
	r->crash_found_why = why;
	notify(r);
}

static void deliver(struct rproc *r)
{
	for (;;) {
		struct rproc_ev e;
		bool have = false;

		pthread_mutex_lock(&r->lock);
		if (r->phase_pending) {
			r->phase_pending = false;
			e = (struct rproc_ev){ .ev = RPROC_EV_PHASE };
			have = true;
		} else if (r->evq_len) {
			e = r->evq[r->evq_head];
			r->evq_head = (r->evq_head + 1) % RPROC_EVQ;
			r->evq_len--;
			have = true;
		} else if (r->progress_pending) {
			r->progress_pending = false;
			e = (struct rproc_ev){ .ev = RPROC_EV_PROGRESS,
					       .a = r->progress_done,
					       .b = r->progress_total };
			have = true;
		}
		pthread_mutex_unlock(&r->lock);
		if (!have)
			return;
		if (r->cb)
			r->cb(r, e.ev, e.a, e.b, r->cb_userdata);
	}
}

int rproc_process(struct rproc *r)
{
	uint64_t v;
	bool done;

	rproc_drain(r->notify_fd);
	pthread_mutex_lock(&r->lock);
	done = r->job_done;
	pthread_mutex_unlock(&r->lock);
	if (r->thread_live && done)
		finish_job(r);
	if (read(r->timer_fd, &v, sizeof(v)) == sizeof(v)) {
		if (r->cancel_armed) {
			r->cancel_armed = false;
			if (r->thread_live && r->job == JOB_START &&
			    rproc_state(r) == RPROC_STARTING)
				abandon_start(r);
		} else if (r->recovery_armed && rproc_state(r) == RPROC_CRASHED) {
			r->recovery_armed = false;
			rproc_log(RPROC_LOG_NOTICE, r->d.name, "recovery", 0, "recovery start");
			start_job(r, true);
		}
	}
	if (r->crash_found && !r->thread_live && rproc_state(r) == RPROC_RUNNING) {
		r->crash_found = false;
		handle_crash(r, r->crash_found_irq, r->crash_found_why);
	}
	if (r->irq_watched && !r->thread_live && rproc_state(r) == RPROC_RUNNING)
		handle_irqs(r);
	deliver(r);
	return 0;
}

int rproc_wait_idle(struct rproc *r, int timeout_ms)
{
	uint64_t wait = timeout_ms < 0 ? 0 : (uint64_t)timeout_ms * USEC_PER_MSEC;
	uint64_t end = now_usec(CLOCK_MONOTONIC) + wait;

	for (;;) {
		enum rproc_state s;
		struct pollfd p = { .fd = r->epfd, .events = POLLIN };
		uint64_t now;

		rproc_process(r);
		s = rproc_state(r);
		if (!r->thread_live && s != RPROC_STARTING && s != RPROC_STOPPING)
			return 0;
		now = now_usec(CLOCK_MONOTONIC);
		if (timeout_ms >= 0 && now >= end)
			return -ETIMEDOUT;
		if (poll(&p, 1, timeout_ms < 0 ? -1 : (int)((end - now + 999) / 1000)) < 0 &&
		    errno != EINTR)
			return -errno;
	}
}

int rproc_fd(struct rproc *r)
{
	return r->epfd;
}

void rproc_set_event_cb(struct rproc *r, rproc_event_fn fn, void *userdata)
{
	r->cb = fn;
	r->cb_userdata = userdata;
}

void rproc_set_snapshot_cb(struct rproc *r, rproc_snapshot_fn fn, void *userdata)
{
	r->snapshot_cb = fn;
	r->snapshot_userdata = userdata;
}

const struct rproc_desc *rproc_desc(const struct rproc *r)
{
	return &r->d;
}

enum rproc_state rproc_state(const struct rproc *r)
{
	enum rproc_state s;

	pthread_mutex_lock((pthread_mutex_t *)&r->lock);
	s = r->info.state;
	pthread_mutex_unlock((pthread_mutex_t *)&r->lock);
	return s;
}

void rproc_get_info(struct rproc *r, struct rproc_info *info)
{
	pthread_mutex_lock(&r->lock);
	*info = r->info;
	info->recovery = r->recovery;
	if (!info->phase)
		info->phase = "";
	pthread_mutex_unlock(&r->lock);
}

void rproc_set_recovery(struct rproc *r, bool on)
{
	pthread_mutex_lock(&r->lock);
	r->recovery = on;
	pthread_mutex_unlock(&r->lock);
}

int rproc_set_firmware(struct rproc *r, const char *name, struct rproc_error *err)
{
	enum rproc_state s = rproc_state(r);
	int e;

	if (s != RPROC_OFFLINE && s != RPROC_FAILED)
		return rproc_err(err, -EBUSY, "the firmware can change only while offline (now %s)",
				 rproc_state_name(s));
	if (r->thread_live)
		return rproc_err(err, -EBUSY, "the abandoned start has not returned yet: try "
				 "again when the core is offline");
	e = rproc_fw_name_valid(name, err);
	if (e < 0)
		return e;
	if (strlen(name) >= sizeof(r->d.firmware[0]))
		return rproc_err(err, -ENAMETOOLONG, "firmware name too long");
	pthread_mutex_lock(&r->lock);
	snprintf(r->d.firmware[0], sizeof(r->d.firmware[0]), "%s", name);
	r->firmware_set = true;
	pthread_mutex_unlock(&r->lock);
	rproc_snapshot_changed(r);
	return 0;
}

/* ---- test hooks (rproc-priv.h) ----------------------------------------------------------- */

static const char *find_step(const char *step)
{
	const char *const *lists[2] = { rproc_start_steps(NULL), rproc_stop_steps(NULL) };

	for (int l = 0; l < 2; l++)
		for (const char *const *s = lists[l]; *s; s++)
			if (!strcmp(*s, step))
				return *s; /* compared by address */
	return NULL;
}

int rproc_debug_fail_step(struct rproc *r, const char *step, int err)
{
	const char *s = find_step(step);

	if (!s)
		return -ENOENT;
	r->fail_step = s;
	r->fail_err = err;
	return 0;
}

int rproc_debug_die_after(struct rproc *r, const char *step)
{
	const char *s = find_step(step);

	if (!s)
		return -ENOENT;
	r->die_step = s;
	r->died = false;
	return 0;
}

bool rproc_debug_died(struct rproc *r)
{
	bool died;

	pthread_mutex_lock(&r->lock);
	died = r->died;
	pthread_mutex_unlock(&r->lock);
	return died && !r->thread_live; /* joined by rproc_process() */
}

/* ---- construction ---------------------------------------------------------------------------- */

static int add_fd(int epfd, int fd, uint32_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = tag };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

static void setup_images(struct rproc *r)
{
	struct rproc_img *main_img = &r->img[1], *dtb = &r->img[0];

	main_img->present = true;
	main_img->pas_id = (uint32_t)r->d.pas_id;
	main_img->co = &r->d.carveouts[0];
	main_img->fw_name = r->d.firmware[0];
	if (r->d.dtb_pas_id != RPROC_NO_ID && r->d.n_firmware > 1 && r->d.n_carveouts > 1) {
		dtb->present = true;
		dtb->pas_id = (uint32_t)r->d.dtb_pas_id;
		dtb->co = &r->d.carveouts[1];
		dtb->fw_name = r->d.firmware[1];
	}
}

int rproc_new(const struct rproc_desc *d, struct rproc_backend *b, const struct rproc_config *cfg,
	      struct rproc **out, struct rproc_error *err)
{
	struct rproc *r;
	int e;

	if (!d || !b || !cfg || !b->pas || !b->mem || !d->n_carveouts || d->pas_id < 0)
		return rproc_err(err, -EINVAL, "incomplete description or backend");
	r = calloc(1, sizeof(*r));
	if (!r)
		return rproc_err(err, -ENOMEM, "out of memory");
	r->d = *d;
	r->d.devmem = NULL;
	r->b = b;
	r->cfg = cfg;
	r->listener = &job_listener;
	r->epfd = r->notify_fd = r->timer_fd = r->cancel_fd = -1;
	for (int i = 0; i < RPROC_IRQ_COUNT; i++)
		r->irq[i] = -1;
	pthread_mutex_init(&r->lock, NULL);
	r->recovery = cfg->recovery;
	r->info.state = RPROC_OFFLINE;
	r->info.phase = "";
	r->info.state_change_usec = now_usec(CLOCK_REALTIME);
	if (d->n_devmem) {
		r->d.devmem = calloc(d->n_devmem, sizeof(*d->devmem));
		if (!r->d.devmem) {
			e = rproc_err(err, -ENOMEM, "out of memory");
			goto fail;
		}
		memcpy(r->d.devmem, d->devmem, d->n_devmem * sizeof(*d->devmem));
	}
	setup_images(r);

	r->epfd = epoll_create1(EPOLL_CLOEXEC);
	r->notify_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	r->cancel_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	r->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (r->epfd < 0 || r->notify_fd < 0 || r->cancel_fd < 0 || r->timer_fd < 0) {
		e = rproc_err(err, -errno, "cannot create the event fds: %m");
		goto fail;
	}
	e = add_fd(r->epfd, r->notify_fd, 1);
	if (!e)
		e = add_fd(r->epfd, r->timer_fd, 2);
	if (e < 0) {
		rproc_err(err, e, "epoll: %m");
		goto fail;
	}
	if (b->irq && b->irq->open) {
		e = b->irq->open(b->irq_ctx, &r->d, r->irq);
		if (e < 0) {
			rproc_err(err, e, "cannot open the interrupts (wdog, fatal, ready, "
					  "handover, stop-ack): %m");
			for (int i = 0; i < RPROC_IRQ_COUNT; i++)
				r->irq[i] = -1;
			goto fail;
		}
		r->irq_open = true;
	}
	*out = r;
	return 0;
fail:
	rproc_free(r);
	return e;
}

void rproc_free(struct rproc *r)
{
	enum rproc_state s;
	uint64_t one = 1;

	if (!r)
		return;
	if (r->thread_live) {
		/* A cancelled worker undoes its work: a start fails, a stop completes. */
		if (write(r->cancel_fd, &one, sizeof(one)) < 0)
			rproc_log(RPROC_LOG_WARNING, r->d.name, NULL, -errno,
				  "cannot cancel the job: %m");
		pthread_join(r->thread, NULL);
		r->thread_live = false;
		if (r->job == JOB_START && r->job_result == 0)
			r->info.state = RPROC_RUNNING;
		else if (r->job == JOB_START || r->job == JOB_STOP)
			r->info.state = r->job == JOB_STOP ? RPROC_OFFLINE : RPROC_FAILED;
	}
	s = r->info.state;
	/*
	 * A core left running keeps its mappings for the next daemon (fd store): only an idle
	 * core gives back what stopped cores keep (devmem, the IOMMU context).  Nothing asks the
	 * transport to keep the core (the shim's CORE KEEP): its file is in the store with the
	 * IOMMU context's, and should the store be emptied (systemctl stop), the file's close
	 * shutting the core down is what must happen, since its SMMU context closes too.
	 */
	if (s == RPROC_OFFLINE || s == RPROC_FAILED) {
		rproc_release_kept(r);
	} else {
		if (r->dom && r->b->iommu)
			r->b->iommu->close(r->dom);
	}
	r->dom = NULL;
	for (int i = 0; i < 2; i++)
		rproc_fw_close(r->img[i].img);
	if (r->irq_open && r->b->irq->close)
		r->b->irq->close(r->b->irq_ctx, &r->d);
	if (r->epfd >= 0)
		close(r->epfd);
	if (r->notify_fd >= 0)
		close(r->notify_fd);
	if (r->cancel_fd >= 0)
		close(r->cancel_fd);
	if (r->timer_fd >= 0)
		close(r->timer_fd);
	free(r->segs);
	free(r->ranges);
	free(r->devmem);
	free(r->d.devmem);
	pthread_mutex_destroy(&r->lock);
	free(r);
}
