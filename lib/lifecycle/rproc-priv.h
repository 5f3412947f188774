/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internals of the lifecycle: struct rproc, shared by the state machine (rproc.c, the
 * caller's thread) and the jobs (rproc-start.c, rproc-stop.c, rproc-crash.c, the worker
 * thread), which share the job context (rproc-job.c).
 *
 * Calls point down only: rproc-adopt.c -> rproc.c -> the jobs -> rproc-job.c.  What a job
 * reports upward (phase, progress, events) goes through the listener rproc.c registers.
 *
 * Threading: while a job (start, stop, crash handling) runs, the worker owns every resource
 * field (images, domain, mappings, votes); the caller's thread touches only what is under
 * @lock (info, events, the job flags).  The caller joins the worker before it looks at the
 * resources again.
 */
#ifndef RPROC_PRIV_H
#define RPROC_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "rproc/backend.h"
#include "rproc/coredump.h"
#include "rproc/fw.h"
#include "rproc/rproc.h"
#include "util.h"

enum rproc_job {
	JOB_NONE,
	JOB_START,
	JOB_STOP,
	JOB_CRASH,
};

/* One firmware image: [0] the DTB image (if any), [1] the main image.  DTB goes first. */
struct rproc_img {
	bool present;
	uint32_t pas_id;
	const struct rproc_dt_carveout *co;
	const char *fw_name;
	struct rproc_fw_image *img;
	uint64_t mem_reloc; /* written under the lock: rproc_snapshot() reads it from any thread */
	/*
	 * What may exist, set before the call that creates it (and published, so that a
	 * successor releases it after a kill at any instant), cleared once it is released.
	 */
	bool meta_held;   /* INIT_IMAGE's metadata buffer */
	bool tz_running;  /* AUTH_AND_RESET, no SHUTDOWN yet */
	bool mapped;      /* carveout mapped in the SMMU */
	bool bridged;     /* an SHM bridge over the carveout */
	uint64_t bridge;  /* its handle, once created */
};

struct rproc_ev {
	enum rproc_event ev;
	uint64_t a, b;
};

/*
 * How a job reports upward: the state machine registers it when it creates the core, and the
 * jobs call it (through rproc_report_*()) from the worker thread, never the state machine by
 * name.
 */
struct rproc_job_listener {
	void (*phase)(struct rproc *r, const char *phase);
	void (*progress)(struct rproc *r, uint64_t done, uint64_t total);
	void (*event)(struct rproc *r, enum rproc_event ev, uint64_t a, uint64_t b);
};

#define RPROC_EVQ 64
#define RPROC_MAX_CRASH_TIMES (RPROC_RESTART_LIMIT_MAX + 1)

struct rproc {
	struct rproc_desc d;
	struct rproc_backend *b;
	const struct rproc_config *cfg;

	/* fds: epoll set = notify (worker + queued events) + timer + IRQs while running */
	int epfd;
	int notify_fd;
	int timer_fd;
	int cancel_fd;
	int irq[RPROC_IRQ_COUNT];
	bool irq_open;
	bool irq_watched;

	/* resources (owned by the worker while a job runs) */
	void *dom;
	struct rproc_iova_range *ranges; /* usable IOVA ranges, all the backend reports */
	size_t n_ranges;
	bool rsc_done;             /* resource table fetched and devmem mapped */
	struct rproc_devmem *devmem;
	size_t n_devmem;
	size_t n_devmem_mapped;
	struct rproc_img img[2];
	bool proxy_voted; /* until handover */
	bool load_state;  /* until the stop or the crash handling */
	bool handover;
	bool stop_bit;   /* the stop bit may be set */
	bool glink;      /* the glink edge may be registered */
	bool no_glink_said;
	bool no_bridge_said; /* "the backend cannot bridge", logged once */
	uint32_t rsc_said;   /* kinds of resource-table entries said to be ignored */
	struct rproc_dump_seg *segs; /* loaded segments of the running image, for coredumps */
	size_t n_segs;
	uint64_t t_auth;             /* monotonic us at AUTH_AND_RESET */
	uint64_t bytes_loaded;       /* by the start under way */

	/* job */
	pthread_t thread;
	bool thread_live;
	enum rproc_job job;
	int job_result;
	bool job_done;        /* under lock */
	bool recovery_start;  /* the running start is a recovery */
	bool pending_stop;    /* stop asked while a start or crash job ran */
	bool recovery_armed;  /* timer armed for a recovery start */
	bool cancel_armed;    /* timer armed: a cancelled start that has not ended by then is
				 abandoned (rproc_stop()) */
	bool stop_crashed;    /* the stop job skips the handshake */
	bool stop_full;       /* ... gives back the device memory (not the crash handling) */
	/* a crash an adopting daemon found: handled by the first rproc_process() */
	bool crash_found;
	enum rproc_irq crash_found_irq;
	const char *crash_found_why;

	/* test hook: the next run of this step fails */
	const char *fail_step;
	int fail_err;
	/* test hook: the worker "dies" right after this step ran (nothing undone, state kept) */
	const char *die_step;
	bool died;

	/* state and info, under lock */
	pthread_mutex_t lock;
	bool firmware_set; /* rproc_set_firmware() chose d.firmware[0] */
	struct rproc_info info;
	/*
	 * The start was abandoned: its worker is stuck in a call that has not returned.  The
	 * core shows failed, but holds what the start held in @abandoned_phase until the worker
	 * returns and undoes it; a snapshot says so, for a successor to release it.
	 */
	bool abandoned;
	char abandoned_phase[32];
	bool recovery;
	uint64_t crash_times[RPROC_MAX_CRASH_TIMES]; /* monotonic us, ring */
	unsigned int n_crash_times;

	struct rproc_ev evq[RPROC_EVQ];
	unsigned int evq_head, evq_len;
	bool progress_pending;
	uint64_t progress_done, progress_total;
	bool phase_pending;

	/*
	 * What the core holds, as a snapshot can record it while a worker owns the resource
	 * fields: set from them whenever no worker runs, and by the worker before it maps
	 * devmem (so a daemon that dies mid-map still tells its successor what to unmap).
	 */
	uint32_t held_flags; /* RPROC_SNAP_* */
	uint32_t n_held_devmem;
	struct rproc_snapshot_devmem held_devmem[RPROC_SNAP_MAX_DEVMEM];

	const struct rproc_job_listener *listener;
	rproc_event_fn cb;
	void *cb_userdata;
	rproc_snapshot_fn snapshot_cb;
	void *snapshot_userdata;
};

/* A step of a sequence: do, undo (NULL: nothing to undo), and its timing bucket. */
enum rproc_bucket { B_NONE, B_FIRMWARE, B_LOAD, B_AUTH, B_READY };

struct rproc_step {
	int (*run)(struct rproc *r, struct rproc_error *err);
	void (*undo)(struct rproc *r);
	enum rproc_bucket bucket;
};

/* Every image of the core, the DTB image first (or last, _rev). */
#define for_each_img(r, im)                                                                        \
	for (struct rproc_img *im = &(r)->img[0]; im <= &(r)->img[1]; im++)                       \
		if (im->present)

#define for_each_img_rev(r, im)                                                                    \
	for (struct rproc_img *im = &(r)->img[1]; im >= &(r)->img[0]; im--)                       \
		if (im->present)

/*
 * ---- rproc-job.c: the job context, the bottom layer ------------------------------------------
 */

/* Upward reports, through r->listener (any thread). */
void rproc_report_phase(struct rproc *r, const char *phase);
void rproc_report_progress(struct rproc *r, uint64_t done, uint64_t total);
void rproc_report_event(struct rproc *r, enum rproc_event ev, uint64_t a, uint64_t b);

int rproc_drain(int fd);
bool rproc_irq_take(struct rproc *r, enum rproc_irq irq);
bool rproc_cancelled(struct rproc *r);
int rproc_pas_result(struct rproc_error *err, int e, const char *what, uint32_t pas_id);
int rproc_neg(int e);

/*
 * A release operation, retried: leaving one undone leaks TrustZone or SMMU state that only a
 * reboot gives back.  Calls @fn(@r, @a, @b) until it returns 0, @tries times at most,
 * @pause_ms apart, and logs each failure as a warning under @step, naming what @fmt says.
 * Returns 0, or the last error as a negative errno (a TrustZone code becomes -EIO).
 */
#define RELEASE_TRIES 3
#define RELEASE_PAUSE_MS 10
typedef int (*rproc_release_fn)(struct rproc *r, uint64_t a, uint64_t b);
int rproc_release_retry(struct rproc *r, rproc_release_fn fn, uint64_t a, uint64_t b,
			unsigned int tries, unsigned int pause_ms, const char *step,
			const char *fmt, ...) _printf_(8, 9);
int rproc_do_shutdown(struct rproc *r, struct rproc_img *im);
int rproc_do_meta_release(struct rproc *r, struct rproc_img *im);
int rproc_do_unmap(struct rproc *r, uint64_t iova, uint64_t size);
int rproc_do_unvote(struct rproc *r);
int rproc_do_load_state_off(struct rproc *r);
/* Unregister the glink edge, if it may be registered (before SHUTDOWN). */
int rproc_do_glink_unregister(struct rproc *r);
/* "handover": the DSP holds its own votes now, ours go (doc/boot-sequence.md#proxy-vote). */
void rproc_handover(struct rproc *r, const char *step);
int rproc_do_bridge_delete(struct rproc *r, uint64_t handle);
/* Unmap every carveout still mapped in the SMMU (an undo, and a stop step). */
void rproc_undo_iommu_map(struct rproc *r);
/*
 * Unmap the device memory and forget the resource table (a failed start, a full stop).  An
 * entry whose unmap failed stays recorded as mapped, for the next cold boot (or a successor)
 * to unmap first; returns the last such error, else 0.
 */
int rproc_release_devmem(struct rproc *r);
/* Forget the device memory without unmapping: its IOMMU context was closed. */
void rproc_forget_devmem(struct rproc *r);

/*
 * Publish what the resource fields hold (caller owns them: the worker, or no worker runs)
 * and hand the snapshot to its callback before going on.
 */
void rproc_publish_held(struct rproc *r);
/* Set *@flag (a "may exist" field) and publish it: call right before creating the thing. */
void rproc_hold(struct rproc *r, bool *flag);
/* Clear *@flag and publish: it is released, or the call that would have created it failed. */
void rproc_unhold(struct rproc *r, bool *flag);
/* The snapshot changed (state, phase): tell the snapshot callback. */
void rproc_snapshot_changed(struct rproc *r);
/* Remember where the main image's loadable segments are, for a later coredump. */
void rproc_keep_segments(struct rproc *r);

/* The step runners' bookkeeping: fault-injection hooks and the failure record. */
bool rproc_step_injected(struct rproc *r, const char *step, int *e, struct rproc_error *err);
/* Test hook of the dying worker; true: stop here, undo nothing. */
bool rproc_step_dies(struct rproc *r, const char *step);
void rproc_record_failure(struct rproc *r, const char *step, int e, const char *msg, int level);

/*
 * ---- the jobs, run in the worker thread: each uses the job context only ----------------------
 */

/* rproc-start.c */
int rproc_run_start(struct rproc *r);
/* Release what a stopped core still holds (devmem, domain): rproc_free() of an idle core. */
void rproc_release_kept(struct rproc *r);
/* rproc-stop.c: @full, a stop asked for (not the crash handling's), gives back the devmem */
int rproc_run_stop(struct rproc *r, bool crashed, bool full);
/* rproc-crash.c: the stop without its handshake (rproc-stop.c), then the coredump */
int rproc_run_crash(struct rproc *r);

/*
 * ---- rproc.c: the state machine, on top; rproc-adopt.c uses it -------------------------------
 */
void rproc_irq_watch(struct rproc *r, bool on);
/*
 * A crash an adopting daemon found (rproc-adopt.c): handled, as if interrupt @irq had fired,
 * by the first rproc_process(), once the caller has set its callbacks.
 */
void rproc_crash_found(struct rproc *r, enum rproc_irq irq, const char *why);
void rproc_arm_recovery(struct rproc *r, long ms);

/* Debug/test hook: make the next run of @step fail with @err (-ENOENT: no such step). */
int rproc_debug_fail_step(struct rproc *r, const char *step, int err);
/*
 * Test hook: simulate the daemon's death right after @step of the next start or stop ran:
 * the worker returns undoing nothing and the state stays starting/stopping, so that
 * rproc_snapshot() and rproc_free() see what a SIGKILL would leave (-ENOENT: no such step).
 * rproc_debug_died() tells when the worker is gone.
 */
int rproc_debug_die_after(struct rproc *r, const char *step);
bool rproc_debug_died(struct rproc *r);

#endif
