// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The manager: configuration, device tree, backend, the cores, and the sd_notify conversation
 * with the service manager (READY, RELOADING, STATUS, STOPPING).  It listens to its cores; the
 * bus objects above it (bus.h) listen to it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <systemd/sd-daemon.h>

#include "backends.h"
#include "log.h"
#include "manager.h"
#include "time-util.h"

/* A core changed what the bus shows: the bus objects, once there, signal it. */
static void on_core_props_changed(struct core *c, const struct core_props *old)
{
	if (c->m->core_props_changed)
		c->m->core_props_changed(c, old);
}

/* A core changed what its successor must know: snapshot it; a state shows in STATUS=. */
static void on_core_job_changed(struct core *c, bool state)
{
	fdstore_sync_core(c->m, c);
	if (state)
		manager_update_status(c->m);
}

static void on_core_snapshot_changed(struct core *c)
{
	fdstore_write_core(c->m, c);
}

static const struct core_listener core_listener = {
	.props_changed = on_core_props_changed,
	.job_changed = on_core_job_changed,
	.snapshot_changed = on_core_snapshot_changed,
};

static int pas_lookup(const char *core, void *ud)
{
	struct manager *m = ud;
	struct core *c = manager_find_core(m, core);

	return c ? c->desc.pas_id : -1;
}

void conf_warnings_clear(struct conf_warnings *w)
{
	for (size_t i = 0; i < w->n; i++) {
		free(w->v[i].file);
		free(w->v[i].msg);
	}
	free(w->v);
	*w = (struct conf_warnings){ 0 };
}

/* conf_warn_fn: logged as conf.c would, and kept for the caller of Reload(). */
static void collect_warning(const char *file, unsigned int line, const char *msg, void *ud)
{
	struct conf_warnings *w = ud;
	struct conf_warning *v;

	if (file && *file)
		log_warning("%s:%u: %s", file, line, msg);
	else
		log_warning("%s", msg);
	if (!w || !(v = realloc(w->v, (w->n + 1) * sizeof(*v))))
		return;
	w->v = v;
	v[w->n] = (struct conf_warning){ .file = strdup(file ? file : ""), .line = line,
					 .msg = strdup(msg) };
	if (v[w->n].file && v[w->n].msg)
		w->n++;
	else {
		free(v[w->n].file);
		free(v[w->n].msg);
	}
}

/* rprocd.conf(5): a [RemoteProc:NAME] of a core the tree does not have is a warning. */
static void manager_check_sections(struct manager *m, struct conf_warnings *w)
{
	char known[256], msg[512];
	size_t off = 0;

	if (!m->dt)
		return;
	known[0] = 0;
	for (size_t i = 0; i < m->dt->n && off < sizeof(known); i++)
		off += (size_t)snprintf(known + off, sizeof(known) - off, "%s%s", i ? ", " : "",
					m->dt->rprocs[i].name);
	for (size_t k = 0; k < m->conf.n_rprocs; k++) {
		const struct conf_rproc *cr = &m->conf.rprocs[k];
		bool found = false;

		for (size_t i = 0; i < m->dt->n && !found; i++)
			found = !strcmp(m->dt->rprocs[i].name, cr->name);
		if (found)
			continue;
		snprintf(msg, sizeof(msg),
			 "[RemoteProc:%s]: the device tree has no remote processor '%s' (it has: "
			 "%s), ignoring the section",
			 cr->name, cr->name, known[0] ? known : "none");
		m->conf.n_warnings++;
		collect_warning(cr->file, cr->line, msg, w);
	}
}

int manager_new(const struct manager_args *args, struct manager **out)
{
	struct manager *m = calloc(1, sizeof(*m));
	int r;

	if (!m)
		return -ENOMEM;
	m->args = args;
	m->snapshot_fd = -1;
	pthread_mutex_init(&m->snapshot_lock, NULL);
	r = sd_event_default(&m->event);
	if (r < 0) {
		free(m);
		return log_error_errno(r, "cannot create the event loop: %m");
	}
	r = conf_load(&m->conf, args->config, "", NULL, NULL);
	if (r < 0) {
		/* never the defaults in its place: they would start every core */
		log_error_errno(r, "cannot read the configuration: %s; not starting (fix the file "
				   "or remove it; no remote processor was touched)",
				m->conf.error);
		manager_free(m);
		return r;
	}
	if (args->simulate)
		m->conf.backend = CONF_BACKEND_SIMULATED;
	m->core_env = (struct core_env){
		.event = m->event,
		.settings = &m->core_settings,
		.listener = &core_listener,
	};
	log_set_pas_lookup(pas_lookup, m);
	*out = m;
	return 0;
}

void manager_free(struct manager *m)
{
	if (!m)
		return;
	log_set_pas_lookup(NULL, NULL);
	for (size_t i = 0; i < m->n_cores; i++)
		core_free(m->cores[i]);
	free(m->cores);
	if (m->bus_done)
		m->bus_done(m);
	for (size_t i = 0; i < ARRAY_SIZE(m->vtable_slots); i++)
		sd_bus_slot_unref(m->vtable_slots[i]);
	sd_bus_flush_close_unref(m->bus);
	rproc_backend_destroy(m->backend);
	rproc_dt_free(m->dt);
	free(m->dtb);
	free(m->fw_dirs);
	for (size_t i = 0; i < m->n_stored; i++)
		free(m->stored_names[i]);
	free(m->stored_names);
	free(m->stored_fds);
	if (m->snapshot_map)
		munmap((void *)m->snapshot_map, m->snapshot_map_len);
	if (m->snapshot_fd >= 0)
		close(m->snapshot_fd);
	conf_done(&m->conf);
	sd_event_unref(m->event);
	pthread_mutex_destroy(&m->snapshot_lock);
	free(m);
}

struct core *manager_find_core(struct manager *m, const char *name)
{
	for (size_t i = 0; i < m->n_cores; i++)
		if (!strcmp(m->cores[i]->name, name))
			return m->cores[i];
	return NULL;
}

/*
 * What every core takes from the configuration.  --firmware-path directories come first, then
 * FirmwarePath=; the system paths follow in librproc.
 */
static int manager_build_core_settings(struct manager *m)
{
	size_t n = m->args->n_firmware_path + m->conf.n_firmware_path;
	const char **v = calloc(n ? n : 1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < m->args->n_firmware_path; i++)
		v[i] = m->args->firmware_path[i];
	for (size_t i = 0; i < m->conf.n_firmware_path; i++)
		v[m->args->n_firmware_path + i] = m->conf.firmware_path[i];
	free(m->fw_dirs);
	m->fw_dirs = v;
	m->n_fw_dirs = n;
	m->core_settings = (struct core_settings){
		.fw_dirs = m->fw_dirs,
		.n_fw_dirs = m->n_fw_dirs,
		.coredump_dir = m->conf.coredump_dir,
		.coredump_max = m->conf.coredump_max,
		.coredump_limits = {
			.max_use = m->conf.coredump_max_use.bytes,
			.max_use_percent = m->conf.coredump_max_use.percent,
			.keep_free = m->conf.coredump_keep_free.bytes,
			.keep_free_percent = m->conf.coredump_keep_free.percent,
			.max_files = (unsigned int)m->conf.coredump_max_files,
		},
		.ready_timeout_ms = m->conf.ready_timeout_ms,
		.stop_timeout_ms = m->conf.stop_timeout_ms,
	};
	return 0;
}

static const struct rproc_snapshot *find_snapshot(const struct rproc_snapshot *snaps,
						  char (*names)[32], size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return &snaps[i];
	return NULL;
}

int manager_coldplug(struct manager *m)
{
	struct rproc_error err = { 0 };
	_cleanup_free_ struct rproc_snapshot *snaps = NULL;
	_cleanup_free_ char(*names)[32] = NULL;
	size_t n_snaps = 0;
	int r;

	r = rproc_dt_read_file(m->args->dtb, &m->dtb, &m->dtb_len, &err);
	if (r < 0)
		return log_full(RPROC_LOG_ERR, NULL, "devicetree", r, "%s%s", err.msg,
				m->args->dtb ? "" : " (use --dtb FILE to give a tree)");
	r = rproc_dt_parse(m->dtb, m->dtb_len, &m->dt, &err);
	if (r < 0)
		return log_full(RPROC_LOG_ERR, NULL, "devicetree", r, "%s: %s",
				m->args->dtb ? m->args->dtb : RPROC_DT_LIVE, err.msg);
	log_info("device tree %s: %s, %zu remote processors",
		 m->args->dtb ? m->args->dtb : RPROC_DT_LIVE, m->dt->model[0] ? m->dt->model : "?",
		 m->dt->n);
	manager_check_sections(m, NULL);

	r = manager_build_core_settings(m);
	if (r < 0)
		return r;
	core_vacuum_coredumps(&m->core_settings);
	r = backend_create(m, &err);
	if (r < 0)
		return log_full(RPROC_LOG_ERR, NULL, "backend", r, "%s", err.msg);
	m->core_env.backend = m->backend;
	snprintf(m->backend_name, sizeof(m->backend_name), "%s", m->backend->name);
	log_info("backend: %s", m->backend_name);

	r = fdstore_load(m, &snaps, &names, &n_snaps);
	if (r < 0)
		log_warning_errno(r, "fd store: %m");

	m->cores = calloc(m->dt->n ? m->dt->n : 1, sizeof(*m->cores));
	if (!m->cores)
		return -ENOMEM;
	for (size_t i = 0; i < m->dt->n; i++) {
		const struct rproc_dt_rproc *d = &m->dt->rprocs[i];
		const struct rproc_snapshot *s = find_snapshot(snaps, names, n_snaps, d->name);
		struct core *c;

		if (!d->enabled && d->error) {
			log_full(RPROC_LOG_WARNING, d->name, "devicetree", d->error,
				 "disabled in the device tree, and its node is broken too (%s): "
				 "skipped", d->error_msg);
			continue;
		}
		if (!d->enabled) {
			log_full(RPROC_LOG_INFO, d->name, NULL, 0, "disabled in the device tree");
			continue;
		}
		if (manager_find_core(m, d->name)) {
			log_full(RPROC_LOG_WARNING, d->name, NULL, 0,
				 "duplicate name in the device tree (%s), ignoring", d->node);
			continue;
		}
		r = core_new(m, &m->core_env, d, conf_rproc_find(&m->conf, d->name), s, &c);
		if (r < 0)
			continue; /* out of memory, logged; the other cores are still served */
		m->cores[m->n_cores++] = c;
		if (s && !c->rproc)
			log_full(RPROC_LOG_WARNING, c->name, "adopt", 0,
				 "the snapshot of the previous rprocd is dropped: the core cannot be "
				 "used");
		else if (s)
			log_full(RPROC_LOG_NOTICE, c->name, NULL, 0,
				 "re-adopted: %s since %" PRIu64 ", %u crashes",
				 rproc_state_name(c->props.info.state),
				 c->props.info.state_change_usec, c->props.info.crash_count);
	}
	for (size_t i = 0; i < n_snaps; i++)
		if (!manager_find_core(m, names[i]))
			log_warning("snapshot for '%s' has no matching core in the tree; dropped",
				    names[i]);
	return 0;
}

int manager_autostart(struct manager *m)
{
	int n = 0;

	for (size_t i = 0; i < m->n_cores; i++) {
		struct core *c = m->cores[i];
		int r;

		if (!c->props.auto_start || c->adopted || !c->rproc)
			continue; /* an adopted core keeps the state it had; an unusable one said why */
		r = core_start(c, NULL, NULL);
		if (r > 0)
			n++;
		else if (r < 0)
			log_full(RPROC_LOG_ERR, c->name, "start", r, "%m");
	}
	return n;
}

int manager_reload(struct manager *m, struct conf_warnings *w, char **why)
{
	struct conf c;
	int r;

	m->status_sent[0] = 0;
	sd_notify(false, "RELOADING=1\nSTATUS=Reloading configuration");
	log_info("reloading configuration");
	r = conf_load(&c, m->args->config, "", collect_warning, w);
	if (r < 0) {
		log_error_errno(r, "reload: cannot read the configuration: %s; keeping the "
				   "configuration in use", c.error);
		if (why)
			*why = c.error ? strdup(c.error) : NULL;
		conf_done(&c);
		manager_update_status(m);
		sd_notify(false, "READY=1");
		return r;
	}
	if (m->args->simulate)
		c.backend = CONF_BACKEND_SIMULATED;
	bool sim_changed = (c.sim_config || m->conf.sim_config) &&
			   (!c.sim_config || !m->conf.sim_config ||
			    strcmp(c.sim_config, m->conf.sim_config));
	if (c.backend != m->conf.backend || c.iommu != m->conf.iommu || sim_changed)
		collect_warning(NULL, 0,
				"Backend=, IOMMU= and SimulationConfig= apply at the next daemon start",
				w);
	/* Keep the backend's settings; swap the rest. */
	c.backend = m->conf.backend;
	c.iommu = m->conf.iommu;
	free(c.sim_config);
	c.sim_config = m->conf.sim_config;
	m->conf.sim_config = NULL;
	conf_done(&m->conf);
	m->conf = c;
	if (manager_build_core_settings(m) < 0)
		return -ENOMEM;
	core_vacuum_coredumps(&m->core_settings);
	manager_check_sections(m, w);
	for (size_t i = 0; i < m->n_cores; i++) {
		struct core *core = m->cores[i];

		core_apply_conf(core, conf_rproc_find(&m->conf, core->name), false);
	}
	manager_update_status(m);
	sd_notify(false, "READY=1");
	return 0;
}

/* rprocd(8), SIGNALS: how long jobs may take to end once rprocd is told to exit. */
static unsigned int exit_timeout_ms(const struct manager *m)
{
	unsigned int ms = m->conf.stop_timeout_ms + EXIT_GRACE_MS;

	return ms < m->conf.stop_timeout_ms || ms > EXIT_TIMEOUT_MAX_MS ? EXIT_TIMEOUT_MAX_MS : ms;
}

bool manager_shutdown(struct manager *m)
{
	uint64_t deadline = (m->exit_usec ? m->exit_usec : now_usec(CLOCK_MONOTONIC)) +
			    exit_timeout_ms(m) * USEC_PER_MSEC;
	size_t stuck = 0;

	m->status_sent[0] = 0;
	sd_notify(false, "STOPPING=1\nSTATUS=Shutting down");
	for (size_t i = 0; i < m->n_cores; i++) {
		struct core *c = m->cores[i];
		bool starting = core_state(c) == RPROC_STARTING;

		if (!c->rproc || (!c->props.stop_on_exit && !m->unit_stopping && !starting))
			continue;
		if (rproc_stop(c->rproc) == 0)
			log_full(RPROC_LOG_INFO, c->name, NULL, 0, "%s",
				 c->props.stop_on_exit ? "stopping (StopOnExit=yes)"
				 : starting	       ? "cancelling the start: rprocd is exiting"
						       : "stopping (the unit is being stopped)");
	}
	/* every job (stops, cancelled starts, crash handling) ends, or is left by the deadline */
	for (size_t i = 0; i < m->n_cores; i++) {
		struct core *c = m->cores[i];
		uint64_t now = now_usec(CLOCK_MONOTONIC);
		int left = now < deadline ? (int)((deadline - now) / USEC_PER_MSEC) : 0;

		if (c->rproc && rproc_wait_idle(c->rproc, left) == -ETIMEDOUT) {
			enum rproc_state st = core_state(c);

			log_full(RPROC_LOG_ERR, c->name, NULL, -ETIMEDOUT,
				 "%s did not end within %u ms of the exit (in %s); left to the next "
				 "rprocd, which releases what it holds",
				 st == RPROC_STARTING ? "the start" : st == RPROC_STOPPING ? "the stop"
				 : st == RPROC_CRASHED ? "the crash handling" : "the abandoned start",
				 exit_timeout_ms(m),
				 c->props.phase[0] ? c->props.phase : c->props.info.last_error_step);
			stuck++;
		}
	}
	fdstore_sync(m);
	for (size_t i = 0; i < m->n_cores; i++) {
		struct core *c = m->cores[i];
		enum rproc_state s = core_state(c);

		if (s == RPROC_RUNNING)
			log_full(RPROC_LOG_INFO, c->name, NULL, 0,
				 "left %s for the next rprocd to adopt", rproc_state_name(s));
	}
	return stuck == 0;
}

void manager_update_status(struct manager *m)
{
	char buf[sizeof(m->status_sent)];
	size_t off = 0;
	unsigned int counts[RPROC_STATE_COUNT] = { 0 };

	for (size_t i = 0; i < m->n_cores; i++)
		counts[core_state(m->cores[i])]++;
	off += (size_t)snprintf(buf, sizeof(buf), "STATUS=%u of %zu remote processors running",
				counts[RPROC_RUNNING], m->n_cores);
	for (size_t i = 0; i < m->n_cores && off < sizeof(buf); i++) {
		struct core *c = m->cores[i];
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s %s", i ? ", " : ": ",
					c->name, rproc_state_name(core_state(c)));
	}
	/* a state settled again says nothing new */
	if (!strcmp(buf, m->status_sent))
		return;
	if (sd_notify(false, buf) > 0)
		snprintf(m->status_sent, sizeof(m->status_sent), "%s", buf);
}
