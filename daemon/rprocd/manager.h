/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's state: the device tree, the backend, one struct core per remote processor, the
 * bus connection and the event loop that drives every core's lifecycle at once.
 */
#ifndef RPROCD_MANAGER_H
#define RPROCD_MANAGER_H

#include <stdbool.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "bus-names.h"
#include "conf.h"
#include "rproc/rproc.h"
#include "util.h"

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

struct core {
	struct manager *m;
	char name[32];
	char path[128]; /* D-Bus object path */
	struct rproc_desc desc;
	struct rproc_config cfg; /* must outlive rproc */
	char **fw_dirs;          /* cfg.search.dirs: our own copy, NULL-terminated */
	char *coredump_dir;      /* cfg.coredump_dir: our own copy */
	struct rproc *rproc;
	sd_event_source *io;

	bool adopted;       /* rebuilt from a snapshot at start-up */
	bool restart_pending; /* Restart(): start again once offline */
	bool cfg_pending;   /* reloaded settings wait for the core to be idle */
	struct conf_rproc pending; /* what cfg_pending applies */

	struct waiters start_waiters;
	struct waiters stop_waiters;

	struct core_props props;
};

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
	char **stored_names; /* backend fds already handed to the fd store */
	int *stored_fds;
	size_t n_stored;

	sd_bus_slot *vtable_slots[4];
	bool exiting;
};

int manager_new(const struct manager_args *args, struct manager **out);
void manager_free(struct manager *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct manager *, manager_free)
/* Read the tree, create the backend, build (or re-adopt) the cores. */
int manager_coldplug(struct manager *m);
/* Start the cores configured to start; returns how many starts were begun. */
int manager_autostart(struct manager *m);
int manager_connect_bus(struct manager *m);
/* Re-read the configuration and apply what can change at run time. */
int manager_reload(struct manager *m);
/* Before exit: stop StopOnExit= cores, write the snapshots. */
void manager_shutdown(struct manager *m);
void manager_update_status(struct manager *m);

struct core *manager_find_core(struct manager *m, const char *name);

/* core.c */
int core_new(struct manager *m, const struct rproc_dt_rproc *dt, const struct rproc_snapshot *snap,
	     struct core **out);
void core_free(struct core *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct core *, core_free)
enum rproc_state core_publish(struct core *c, bool *transition);
void core_apply_conf(struct core *c, const struct conf_rproc *cr, bool initial);
/*
 * Start, stop, restart: 1 when a job was begun or joined (@reply_to, if any, gets its answer
 * when the core settles), 0 when there is nothing to do, or a negative errno, with @error (if
 * not NULL) set to what a D-Bus caller is told.
 */
int core_start(struct core *c, sd_bus_message *reply_to, sd_bus_error *error);
int core_stop(struct core *c, sd_bus_message *reply_to, sd_bus_error *error);
int core_restart(struct core *c, sd_bus_message *reply_to, sd_bus_error *error);

/* Change the main firmware (offline or failed only; validated). */
int core_set_firmware(struct core *c, const char *name, struct rproc_error *err);

/* bus-manager.c / bus-rproc.c */
int bus_manager_register(struct manager *m);
int bus_rproc_register(struct manager *m);
/* PropertiesChanged for what differs between @old and c->props. */
int bus_rproc_emit_changes(struct core *c, const struct core_props *old);
int bus_check_control(sd_bus_message *msg, struct manager *m, sd_bus_error *error);
char *manager_describe_json(struct manager *m);

/* fdstore.c */
int fdstore_load(struct manager *m, struct rproc_snapshot **snaps, char (**names)[32],
		 size_t *n_snaps);
int fdstore_sync(struct manager *m);

#endif
