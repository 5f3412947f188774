/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's state: the device tree, the backend, one struct core per remote processor, the
 * bus connection and the event loop that drives every core's lifecycle at once.
 *
 * Calls go down: rprocd.c -> the bus objects (bus.h) -> the manager (with fdstore.c and
 * backends.c) -> the cores (core.h) -> librproc.  What goes up, a core's changes, goes through
 * the core listener the manager registers and the hook the bus objects set here.
 */
#ifndef RPROCD_MANAGER_H
#define RPROCD_MANAGER_H

#include <pthread.h>
#include <stdbool.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "conf.h"
#include "core.h"
#include "rproc/rproc.h"
#include "util.h"

struct manager_args {
	const char *config;
	const char *dtb;
	char **firmware_path;
	size_t n_firmware_path;
	bool simulate;
	bool user_bus;
	int log_level; /* < 0: unset */
};

struct manager {
	sd_event *event;
	sd_bus *bus;
	const struct manager_args *args;
	struct conf conf;

	void *dtb;
	size_t dtb_len;
	struct rproc_dt *dt;
	struct rproc_backend *backend;
	char backend_name[64];

	const char **fw_dirs; /* --firmware-path first, then FirmwarePath= */
	size_t n_fw_dirs;

	struct core **cores;
	size_t n_cores;

	/* fd store (re-adoption across restarts) */
	bool fdstore;     /* NOTIFY_SOCKET is set: the service manager keeps our fds */
	int snapshot_fd;  /* memfd with every core's struct rproc_snapshot */
	/* Cores' workers write their own record (fdstore_write_core()) while the event loop
	 * may rewrite them all: one writer at a time, each from a fresh rproc_snapshot(). */
	pthread_mutex_t snapshot_lock;
	/* snapshot_fd read-only, as long as the records it has: what a rewrite compares with */
	const uint8_t *snapshot_map;
	size_t snapshot_map_len;
	char **stored_names; /* backend fds already handed to the fd store */
	int *stored_fds;
	size_t n_stored;

	/* the service manager is stopping the unit (not restarting it): stop every core at exit */
	bool unit_stopping;
	/* CLOCK_MONOTONIC when told to exit (0: not yet): where the exit timeout starts */
	uint64_t exit_usec;

	char status_sent[512]; /* the last STATUS= the service manager got ("" after another) */

	struct core_settings core_settings; /* from the above, for every core */
	struct core_env core_env;

	sd_bus_slot *vtable_slots[4];
	/* Set by the bus objects: signal what changed of a core; free what they keep. */
	void (*core_props_changed)(struct core *c, const struct core_props *old);
	void (*bus_done)(struct manager *m);
	struct auth_query *auth_queries; /* calls waiting for polkit (bus-auth.c) */
	struct caller_cache *callers;     /* credentials by unique bus name (bus-auth.c) */
};

/* A configuration warning as Reload() returns it (file "" and line 0 when not from a line). */
struct conf_warning {
	char *file;
	unsigned int line;
	char *msg;
};

struct conf_warnings {
	struct conf_warning *v;
	size_t n;
};

void conf_warnings_clear(struct conf_warnings *w);

int manager_new(const struct manager_args *args, struct manager **out);
void manager_free(struct manager *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct manager *, manager_free)
/* Read the tree, create the backend, build (or re-adopt) the cores. */
int manager_coldplug(struct manager *m);
/* Start the cores configured to start; returns how many starts were begun. */
int manager_autostart(struct manager *m);
/* Re-read the configuration and apply what can change at run time; its warnings are logged
 * and, with @w, collected there.  A file that cannot be read keeps the configuration in use:
 * a negative errno, and in *@why (if not NULL; malloc'd) the file and the reason. */
int manager_reload(struct manager *m, struct conf_warnings *w, char **why);
/*
 * How long the jobs may take once rprocd is told to exit (rprocd(8), SIGNALS):
 * StopTimeoutSec= plus EXIT_GRACE_MS, at most EXIT_TIMEOUT_MAX_MS (below the unit's
 * TimeoutStopSec=, so that systemd never has to kill rprocd).
 */
#define EXIT_GRACE_MS 5000u
#define EXIT_TIMEOUT_MAX_MS 25000u

/*
 * Before exit: stop StopOnExit= cores, cancel starts, wait for every job until the exit
 * timeout, write the snapshots.  False when a job is still running (a call that does not
 * return): the caller must then exit without freeing the cores (rproc_free() would wait for
 * the job), leaving the snapshot to the next rprocd as a SIGKILL would.
 */
bool manager_shutdown(struct manager *m);
/*
 * On SIGTERM, under a service manager with an fd store: ask it over the bus which job ends
 * rprocd; a stop (the store is emptied once the unit is down) sets unit_stopping.  At most
 * EXIT_JOB_TIMEOUT_MS, taken from the exit timeout; a failure leaves the cores as on a restart.
 */
#define EXIT_JOB_TIMEOUT_MS 1000u
void manager_check_exit_job(struct manager *m);
void manager_update_status(struct manager *m);

struct core *manager_find_core(struct manager *m, const char *name);

/* fdstore.c */
int fdstore_load(struct manager *m, struct rproc_snapshot **snaps, char (**names)[32],
		 size_t *n_snaps);
int fdstore_sync(struct manager *m);
int fdstore_sync_core(struct manager *m, struct core *c);
/* Rewrite @c's record in the stored snapshots now (any thread; see rproc_set_snapshot_cb()). */
void fdstore_write_core(struct manager *m, struct core *c);

#endif
