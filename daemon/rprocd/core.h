/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One remote processor as rprocd runs it: its lifecycle (librproc), the method calls waiting
 * for it to settle, and the policy around it (auto-start, restart, reloaded settings, logging
 * of failed steps and start timings).
 *
 * A core knows nothing of the manager or of the bus objects above it: it takes the daemon's
 * settings through struct core_env and reports what changed through the listener there.
 */
#ifndef RPROCD_CORE_H
#define RPROCD_CORE_H

#include <limits.h>
#include <stdbool.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "conf.h"
#include "dumpfile.h"
#include "rproc/rproc.h"
#include "util.h"

struct core;
struct manager;

/* Method calls waiting for a core to settle (Start() replies when running or failed). */
struct waiters {
	sd_bus_message **v;
	size_t n;
};

/*
 * What org.rprocd1.RemoteProc shows of a core that can change, as last published.  It changes
 * as a whole, a copy of the old against the new, and bus-rproc.c signals what differs: every
 * property whose vtable entry says EMITS_CHANGE lives in here.
 */
struct core_props {
	struct rproc_info info; /* read phase[], not info.phase */
	char phase[64];
	char firmware[256];    /* the main firmware name (SetFirmware(), Firmware=) */
	uint64_t progress[2];  /* bytes loaded, bytes to load in the current start */
	bool auto_start;
	bool stop_on_exit;
};

/* The settings every core shares.  A reload changes them in place; a core copies them in
 * when no start or stop runs. */
struct core_settings {
	const char *const *fw_dirs; /* searched first, then the system paths */
	size_t n_fw_dirs;
	const char *coredump_dir;   /* NULL: no coredumps */
	uint64_t coredump_max;
	struct dumpfile_limits coredump_limits;
	unsigned int ready_timeout_ms;
	unsigned int stop_timeout_ms;
};

/* How a core reports upwards; the owner registers it with core_new(). */
struct core_listener {
	/* c->props differs from @old, a copy from before the change. */
	void (*props_changed)(struct core *c, const struct core_props *old);
	/* What a successor adopting the core must know has changed (a state, a phase, its
	 * settings); @state: a state change, or a state settled again. */
	void (*job_changed)(struct core *c, bool state);
	/* The core's snapshot changed and must be stored before it goes on: called from any
	 * thread, the core's worker included (rproc_set_snapshot_cb()). */
	void (*snapshot_changed)(struct core *c);
};

struct core_env {
	sd_event *event;
	struct rproc_backend *backend;
	const struct core_settings *settings;
	const struct core_listener *listener;
};

struct core {
	struct manager *m;          /* the owner, for the listener and the bus objects */
	const struct core_env *env; /* the owner's */
	char name[32];
	char path[128]; /* D-Bus object path */
	struct rproc_desc desc;
	struct rproc_config cfg; /* must outlive rproc */
	char **fw_dirs;          /* cfg.search.dirs: our own copy, NULL-terminated */
	char *coredump_dir;      /* cfg.coredump_dir: our own copy */
	struct rproc *rproc;
	sd_event_source *io;

	bool adopted;       /* rebuilt from a snapshot at start-up */
	bool fw_path_stale; /* SetFirmware(): the resolved path is the old image's until a start */
	char coredump_src[PATH_MAX]; /* librproc's name of the last coredump ... */
	char coredump_zst[PATH_MAX]; /* ... and the compressed file that replaced it */
	bool restart_pending; /* Restart(): start again once offline */
	bool cfg_pending;   /* reloaded settings wait for the core to be idle */
	struct conf_rproc pending; /* what cfg_pending applies */

	struct waiters start_waiters;
	struct waiters stop_waiters;

	struct core_props props;
};

/* Remove old coredumps until the settings' limits hold (dumpfile_vacuum()), logging each. */
void core_vacuum_coredumps(const struct core_settings *set);

/*
 * A core for @dt, adopted from @snap if given.  A core that cannot be used (its node is broken,
 * or it cannot be described or created) is still made, without an rproc: failed for good, with
 * the reason in LastError, so that one bad node costs that core only.  Only an allocation
 * failure is an error.
 */
int core_new(struct manager *m, const struct core_env *env, const struct rproc_dt_rproc *dt,
	     const struct conf_rproc *cr, const struct rproc_snapshot *snap, struct core **out);
void core_free(struct core *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct core *, core_free)
/* AutoStart=, StopOnExit=, Recovery= and the rest of @cr (NULL: the defaults); @initial: at
 * creation, else a reload. */
void core_apply_conf(struct core *c, const struct conf_rproc *cr, bool initial);
/*
 * Start, stop, restart: 1 when a job was begun or joined (@reply_to, if any, gets its answer
 * when the core settles), 0 when there is nothing to do, or a negative errno, with @error (if
 * not NULL) set to what a D-Bus caller is told.
 */
int core_start(struct core *c, sd_bus_message *reply_to, sd_bus_error *error);
int core_stop(struct core *c, sd_bus_message *reply_to, sd_bus_error *error);
int core_restart(struct core *c, sd_bus_message *reply_to, sd_bus_error *error);
/* The state (failed for a core that cannot be used). */
enum rproc_state core_state(const struct core *c);
/* Change the main firmware (offline or failed only; validated). */
int core_set_firmware(struct core *c, const char *name, struct rproc_error *err);

#endif
