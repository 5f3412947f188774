/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The lifecycle of one remote processor: start, stop, crash, recovery, coredump
 * (doc/boot-sequence.md), driven through the backend ops tables.
 *
 * Non-blocking: slow work runs in a worker thread per core; rproc_fd() becomes readable when
 * something happened (a step finished, an interrupt fired) and rproc_process() then runs the
 * state machine and calls the event callback from the caller's thread.  Many cores thus boot
 * in parallel from one event loop.
 *
 * Logging: what the caller learns through the event callback and rproc_get_info() (state
 * changes, a failed start step, a successful start and its timings, a crash, a coredump,
 * recovery giving up, adoption) is logged at debug level only: the caller logs the event once,
 * with its own fields (rprocd adds the phase timings to the start line).  What it cannot learn
 * otherwise (failed stop steps, releases that needed retries, recovery delays) is logged at
 * notice level and above.
 */
#ifndef RPROC_RPROC_H
#define RPROC_RPROC_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include <rproc/backend.h>
#include <rproc/fw.h>

enum rproc_state {
	RPROC_OFFLINE,
	RPROC_STARTING,
	RPROC_RUNNING,
	RPROC_STOPPING,
	RPROC_CRASHED,
	RPROC_FAILED, /* a start that did not complete, or recovery gave up */
	RPROC_STATE_COUNT,
};

const char *rproc_state_name(enum rproc_state s);

/* The highest restart_limit: the crash times of a window are kept in a ring one larger. */
#define RPROC_RESTART_LIMIT_MAX 64

struct rproc_config {
	unsigned int ready_timeout_ms;  /* default 5000 */
	unsigned int stop_timeout_ms;   /* stop-ack wait, default 5000 */
	bool recovery;                  /* restart after a crash */
	unsigned int restart_limit;     /* crashes within restart_window_s before giving up
					 * (0: no limit; above RPROC_RESTART_LIMIT_MAX counts as
					 * that) */
	unsigned int restart_window_s;
	unsigned int restart_delay_ms;  /* first back-off; doubles per crash in the window */
	const char *coredump_dir;       /* NULL: no coredumps */
	uint64_t coredump_max;          /* bytes; 0 = no limit */
	uint64_t coredump_keep_free;    /* bytes a coredump leaves free; 0 = none */
	struct rproc_fw_search search;
};

void rproc_config_defaults(struct rproc_config *cfg);

/* Phase timings of the last successful start, microseconds. */
struct rproc_timings {
	uint64_t firmware_us; /* locate + parse + metadata */
	uint64_t load_us;     /* init_image + mem_setup + copy */
	uint64_t auth_us;     /* IOMMU map + bridge + auth_and_reset */
	uint64_t ready_us;    /* auth_and_reset to ready */
	uint64_t total_us;
	uint64_t image_bytes; /* bytes copied into the carveout */
};

struct rproc_info {
	enum rproc_state state;
	const char *phase;           /* what a start/stop is doing now ("" when idle) */
	uint64_t state_change_usec;  /* CLOCK_REALTIME of the last state change */
	char last_error[512];        /* the cause, without the step; "" if none */
	char last_error_step[32];
	int last_errno;
	unsigned int crash_count;
	char last_crash_reason[256];
	char last_coredump[PATH_MAX];
	char firmware_path[PATH_MAX];
	struct rproc_timings timings;
	bool recovery;
	uint64_t mem_reloc;
};

enum rproc_event {
	RPROC_EV_STATE,    /* state changed */
	RPROC_EV_PHASE,    /* phase changed (progress inside a start/stop) */
	RPROC_EV_CRASH,    /* a crash was detected; info has the reason */
	RPROC_EV_COREDUMP, /* a coredump was written */
	RPROC_EV_PROGRESS, /* loading progress: done/total in the callback args */
};

struct rproc;

typedef void (*rproc_event_fn)(struct rproc *r, enum rproc_event ev, uint64_t a, uint64_t b,
			       void *userdata);

/* The core is created offline.  @d is copied; @b and @cfg must outlive the rproc. */
int rproc_new(const struct rproc_desc *d, struct rproc_backend *b, const struct rproc_config *cfg,
	      struct rproc **out, struct rproc_error *err);
/* Frees the object and its thread; does NOT stop a running core (see rproc_stop()). */
void rproc_free(struct rproc *r);

void rproc_set_event_cb(struct rproc *r, rproc_event_fn fn, void *userdata);

/*
 * rproc_set_snapshot_cb() - call @fn whenever what rproc_snapshot() returns has changed: on
 * every state and phase change and, in the worker thread, before every call that creates
 * something a successor would have to release (a vote, a metadata buffer, a mapping, an SHM
 * bridge, a running PAS id, the stop bit), so that a daemon killed at any instant leaves a
 * snapshot naming whatever may exist.  @fn runs in the thread that made the change, before
 * that thread goes on; it may call rproc_snapshot() on @r and nothing else of librproc.
 */
typedef void (*rproc_snapshot_fn)(struct rproc *r, void *userdata);
void rproc_set_snapshot_cb(struct rproc *r, rproc_snapshot_fn fn, void *userdata);
int rproc_fd(struct rproc *r);
int rproc_process(struct rproc *r);

/*
 * rproc_start() - begin a start.  0: started (completion arrives as RPROC_EV_STATE);
 * -EALREADY: already running (no-op); -EINPROGRESS: a start is under way (join it);
 * -EBUSY: stopping.
 */
int rproc_start(struct rproc *r);
/* rproc_stop() - begin a graceful stop.  -EALREADY if offline/failed (no-op). */
int rproc_stop(struct rproc *r);

/* Run rproc_process() until the core is idle (not starting/stopping) or @timeout_ms. */
int rproc_wait_idle(struct rproc *r, int timeout_ms);

const struct rproc_desc *rproc_desc(const struct rproc *r);
enum rproc_state rproc_state(const struct rproc *r);
void rproc_get_info(struct rproc *r, struct rproc_info *info);
void rproc_set_recovery(struct rproc *r, bool on);
/*
 * Change the main firmware name (offline/failed only; validated).  The choice is in the
 * snapshot: rproc_adopt() keeps it.
 */
int rproc_set_firmware(struct rproc *r, const char *name, struct rproc_error *err);

/* Names of the start and stop steps, in order (for logs, status and fault-injection sweeps). */
const char *const *rproc_start_steps(unsigned int *n);
const char *const *rproc_stop_steps(unsigned int *n);

/*
 * Re-adoption: a snapshot holds what must survive a daemon restart (state, timestamps,
 * counters, mem_reloc).  rproc_adopt() creates a core in the snapshot's state without
 * touching the hardware: no stop, no re-map.
 *
 * Except for a snapshot taken while a start or a stop was under way (the previous daemon died
 * mid-job): then rproc_adopt() releases, best effort, everything the job may have held, as
 * the kernel's error paths would (stop bit cleared, SHUTDOWN of every PAS id, SHM bridges
 * deleted, metadata released, carveouts and recorded devmem unmapped, proxy votes dropped:
 * what the snapshot's flags name, each recorded before it was created), logs what failed,
 * and leaves the core `failed` with last_error "interrupted by a daemon restart during
 * <phase>; cleaned up, start it again" (last_error_step "adopt").  Start() works again.
 *
 * A crashed core is released the same way (its crash handling may have died half done) and
 * stays crashed; its recovery, if enabled, goes on.
 *
 * Versions: fields are only ever added at the end; rproc_adopt() reads every older version
 * (a field a version lacks reads as zero).
 */
#define RPROC_SNAPSHOT_VERSION 5
#define RPROC_SNAP_MAX_DEVMEM 32
#define RPROC_SNAP_RSC_DONE (1u << 0)  /* resource table fetched, devmem mapped */
#define RPROC_SNAP_HANDOVER (1u << 1)  /* handover seen: proxy votes already dropped */
#define RPROC_SNAP_PROXY (1u << 2)     /* proxy votes held */
/*
 * Version 5: the flags name everything that may exist, each set before the call that
 * creates it and cleared once it is released; @img is 0 for the DTB image, 1 for the main
 * one.  An adopting daemon releases exactly these (older versions: everything there is).
 */
#define RPROC_SNAP_LOAD_STATE (1u << 3)       /* the load_state vote */
#define RPROC_SNAP_GLINK (1u << 4)            /* the glink edge registered */
#define RPROC_SNAP_STOP_BIT (1u << 5)         /* the stop bit may be set */
#define RPROC_SNAP_META(img) (1u << (8 + (img)))     /* INIT_IMAGE's metadata buffer */
#define RPROC_SNAP_RUNNING(img) (1u << (10 + (img))) /* AUTH_AND_RESET, no SHUTDOWN yet */
#define RPROC_SNAP_MAPPED(img) (1u << (12 + (img)))  /* the carveout in the SMMU */
#define RPROC_SNAP_BRIDGE(img) (1u << (14 + (img)))  /* an SHM bridge over the carveout */

struct rproc_snapshot {
	uint32_t version;
	uint32_t state;
	uint64_t state_change_usec;
	uint32_t crash_count;
	uint32_t recovery;
	uint64_t mem_reloc;
	struct rproc_timings timings;
	char firmware_path[PATH_MAX];
	char last_crash_reason[256];
	char last_coredump[PATH_MAX];
	char last_error[512];
	char last_error_step[32];
	int32_t last_errno;
	/* version 2: what the core still holds, so that an adopted core can release it later */
	uint32_t flags; /* RPROC_SNAP_* */
	uint32_t n_devmem;
	struct rproc_snapshot_devmem {
		uint64_t da;
		uint64_t pa;
		uint64_t len;
		uint32_t flags;
		uint32_t reserved;
	} devmem[RPROC_SNAP_MAX_DEVMEM];
	uint64_t dtb_mem_reloc;
	/* version 3: what a start/stop was doing when the snapshot was taken ("" when idle) */
	char phase[32];
	/* version 4: the main firmware rproc_set_firmware() chose ("" if none): runtime state,
	 * kept across a restart of the daemon, not across a reboot */
	char firmware[256];
};

void rproc_snapshot(struct rproc *r, struct rproc_snapshot *s);
int rproc_adopt(const struct rproc_desc *d, struct rproc_backend *b,
		const struct rproc_config *cfg, const struct rproc_snapshot *s, struct rproc **out,
		struct rproc_error *err);

#endif
