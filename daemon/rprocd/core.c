// SPDX-License-Identifier: GPL-2.0-or-later
/* One remote processor as rprocd runs it (see core.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus-names.h"
#include "config.h"
#include "core.h"
#include "dumpfile.h"
#include "log.h"
#include "message-id.h"
#include "strv.h"
#include "time-util.h"

static void core_free_paths(struct core *c)
{
	c->fw_dirs = strv_free(c->fw_dirs);
	free(c->coredump_dir);
	c->coredump_dir = NULL;
}

static int waiters_add(struct waiters *w, sd_bus_message *m)
{
	sd_bus_message **v = realloc(w->v, (w->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	w->v = v;
	w->v[w->n++] = sd_bus_message_ref(m);
	return 0;
}

/* Reply to every waiter: success when @name is NULL, else the error @name/@msg. */
static void waiters_reply(struct waiters *w, const char *name, const char *msg)
{
	sd_bus_message **v = w->v;
	size_t n = w->n;

	/* A reply may re-enter (it cannot today, but keep the list consistent anyway). */
	w->v = NULL;
	w->n = 0;
	for (size_t i = 0; i < n; i++) {
		int r;

		if (name)
			r = sd_bus_reply_method_errorf(v[i], name, "%s", msg);
		else
			r = sd_bus_reply_method_return(v[i], NULL);
		if (r < 0)
			log_debug_errno(r, "reply to a waiting call failed: %m");
		sd_bus_message_unref(v[i]);
	}
	free(v);
}

/* Signal what changed in c->props since @old, a copy taken before the change. */
static void core_props_changed(struct core *c, const struct core_props *old)
{
	c->env->listener->props_changed(c, old);
}

/*
 * A message that filled its buffer was cut wherever the buffer ended: cut it at the last
 * word that fits instead, and say so with an ellipsis.
 */
static void cut_at_word(char *s, size_t size)
{
	static const char ell[] = "\u2026";
	size_t end;

	if (strnlen(s, size) < size - 1)
		return;
	end = size - sizeof(ell); /* room for the ellipsis and the NUL */
	while (end > 0 && s[end] != ' ')
		end--;
	while (end > 0 && strchr(" ,;:", s[end - 1]))
		end--;
	memcpy(s + end, ell, sizeof(ell));
}

/* Take librproc's info into c->props (the caller signals the change). */
static void core_refresh_info(struct core *c)
{
	struct core_props *p = &c->props;

	if (!c->rproc)
		return; /* unusable: what core_new() set stays */
	rproc_get_info(c->rproc, &p->info);
	snprintf(p->phase, sizeof(p->phase), "%s", p->info.phase ? p->info.phase : "");
	p->info.phase = p->phase;
	cut_at_word(p->info.last_error, sizeof(p->info.last_error));
	/* a boot time is the running image's: none before a start finishes, none after a stop */
	if (p->info.state != RPROC_RUNNING)
		p->info.timings = (struct rproc_timings){ 0 };
	if (c->fw_path_stale && p->info.state == RPROC_RUNNING)
		c->fw_path_stale = false;
	if (c->fw_path_stale)
		p->info.firmware_path[0] = 0;
	if (c->coredump_src[0] && !strcmp(p->info.last_coredump, c->coredump_src))
		snprintf(p->info.last_coredump, sizeof(p->info.last_coredump), "%s",
			 c->coredump_zst);
}

static void coredump_removed(const char *path, const char *why, void *ud)
{
	log_full(RPROC_LOG_INFO, NULL, "coredump", 0, "removed %s (%s)", path, why);
}

void core_vacuum_coredumps(const struct core_settings *set)
{
	int r;

	if (!set->coredump_dir)
		return;
	r = dumpfile_vacuum(set->coredump_dir, &set->coredump_limits, coredump_removed, NULL);
	if (r < 0 && r != -ENOENT)
		log_full(RPROC_LOG_WARNING, NULL, "coredump", r, "cannot clean up %s: %m",
			 set->coredump_dir);
}

/* Built with libzstd: the coredump librproc just wrote, compressed in its place. */
static void core_compress_coredump(struct core *c)
{
	struct rproc_info *i = malloc(sizeof(*i));
	char out[sizeof(c->coredump_zst)];
	int r;

	if (!HAVE_ZSTD || !i)
		goto out;
	rproc_get_info(c->rproc, i);
	if (!i->last_coredump[0] || !strcmp(i->last_coredump, c->coredump_src))
		goto out;
	r = dumpfile_compress(i->last_coredump, out, sizeof(out));
	if (r < 0) {
		log_full(RPROC_LOG_WARNING, c->name, "coredump", r, "%s left uncompressed: %m",
			 i->last_coredump);
		goto out;
	}
	snprintf(c->coredump_src, sizeof(c->coredump_src), "%s", i->last_coredump);
	snprintf(c->coredump_zst, sizeof(c->coredump_zst), "%s", out);
out:
	free(i);
}

static void core_log_start_ok(struct core *c)
{
	const struct rproc_timings *t = &c->props.info.timings;
	char f_total[48], f_fw[48], f_load[48], f_auth[48], f_ready[48], f_bytes[48];
	const char *fields[] = { RPROCD_MESSAGE_STARTED, f_total, f_fw, f_load, f_auth, f_ready,
				 f_bytes, NULL };

	snprintf(f_total, sizeof(f_total), "BOOT_TIME_USEC=%" PRIu64, t->total_us);
	snprintf(f_fw, sizeof(f_fw), "FIRMWARE_USEC=%" PRIu64, t->firmware_us);
	snprintf(f_load, sizeof(f_load), "LOAD_USEC=%" PRIu64, t->load_us);
	snprintf(f_auth, sizeof(f_auth), "AUTH_USEC=%" PRIu64, t->auth_us);
	snprintf(f_ready, sizeof(f_ready), "READY_USEC=%" PRIu64, t->ready_us);
	snprintf(f_bytes, sizeof(f_bytes), "IMAGE_BYTES=%" PRIu64, t->image_bytes);
	log_fields(RPROC_LOG_INFO, c->name, fields,
		   "running: %s, %" PRIu64 " bytes loaded in %" PRIu64 ".%03" PRIu64
		   " ms (firmware %" PRIu64 " us, load %" PRIu64 " us, auth %" PRIu64
		   " us, ready %" PRIu64 " us)",
		   c->props.info.firmware_path, t->image_bytes, t->total_us / 1000,
		   t->total_us % 1000, t->firmware_us, t->load_us, t->auth_us, t->ready_us);
}

/* librproc keeps the step apart from the message, and the message says the cause alone. */
static const char *core_error_text(const struct core *c)
{
	const char *e = c->props.info.last_error;

	return e[0] ? e : "unknown error";
}

/* For the callers of Start(): "adsp: auth-and-reset: <cause>". */
static void core_failure_message(struct core *c, char *buf, size_t len)
{
	const char *step = c->props.info.last_error_step, *e = c->props.info.last_error;

	snprintf(buf, len, "%s: %s%s%s", c->name, step, step[0] ? ": " : "",
		 e[0] ? e : "start failed");
}

/*
 * The lifecycle reads its config from its worker thread during a start, a stop or crash
 * handling.  So the core owns copies of the paths it is given (a reload frees the
 * manager's), and reloaded settings are copied in only while no job runs.
 */
static int core_copy_paths(struct core *c)
{
	const struct core_settings *set = c->env->settings;
	_cleanup_strv_free_ char **dirs = calloc(set->n_fw_dirs + 1, sizeof(char *));
	_cleanup_free_ char *dump = NULL;

	if (!dirs)
		return -ENOMEM;
	for (size_t i = 0; i < set->n_fw_dirs; i++) {
		dirs[i] = strdup(set->fw_dirs[i]);
		if (!dirs[i])
			return -ENOMEM;
	}
	if (set->coredump_dir && !(dump = strdup(set->coredump_dir)))
		return -ENOMEM;
	core_free_paths(c);
	c->fw_dirs = TAKE_PTR(dirs);
	c->coredump_dir = TAKE_PTR(dump);
	c->cfg.search.dirs = (const char *const *)c->fw_dirs;
	c->cfg.search.n_dirs = set->n_fw_dirs;
	c->cfg.coredump_dir = c->coredump_dir;
	c->cfg.coredump_max = set->coredump_max;
	c->cfg.coredump_keep_free =
	    set->coredump_dir ? dumpfile_keep_free(set->coredump_dir, &set->coredump_limits) : 0;
	return 0;
}

static void core_apply_pending(struct core *c)
{
	enum rproc_state s = core_state(c);
	struct rproc_config def;

	if (!c->cfg_pending || !c->rproc)
		return;
	if (s != RPROC_OFFLINE && s != RPROC_FAILED && s != RPROC_RUNNING)
		return; /* a job is running: at the next settled state */

	rproc_config_defaults(&def);
	c->cfg.restart_limit = c->pending.restart_limit != CONF_UNSET ?
				       (unsigned int)c->pending.restart_limit :
				       def.restart_limit;
	c->cfg.restart_window_s = c->pending.restart_window_s != CONF_UNSET ?
					  (unsigned int)c->pending.restart_window_s :
					  def.restart_window_s;
	c->cfg.ready_timeout_ms = c->env->settings->ready_timeout_ms;
	c->cfg.stop_timeout_ms = c->env->settings->stop_timeout_ms;
	if (core_copy_paths(c) < 0)
		log_full(RPROC_LOG_WARNING, c->name, "config", -ENOMEM,
			 "new firmware and coredump paths not applied: out of memory");

	if (c->pending.firmware) {
		struct rproc_error err = { 0 };

		if (s == RPROC_RUNNING)
			return; /* the firmware changes only while offline: keep it pending */
		if (core_set_firmware(c, c->pending.firmware, &err) < 0)
			log_full(RPROC_LOG_WARNING, c->name, "config", err.code,
				 "Firmware=%s not applied: %s", c->pending.firmware, err.msg);
		free(c->pending.firmware);
		c->pending.firmware = NULL;
	}
	c->cfg_pending = false;
}

static void core_settled(struct core *c, enum rproc_state old, enum rproc_state s)
{
	char msg[RPROC_ERROR_MAX];

	/*
	 * Events can coalesce (a fast start may go from offline to running between two looks),
	 * so compare with the state last published, not with the one expected before it.
	 */
	if (s == RPROC_RUNNING) {
		core_log_start_ok(c);
		waiters_reply(&c->start_waiters, NULL, NULL);
		core_apply_pending(c);
		return;
	}
	if (s == RPROC_CRASHED && c->start_waiters.n) {
		/* it ran and crashed before we looked (the events coalesced): the start is over */
		snprintf(msg, sizeof(msg), "%s: crashed right after it started: %s", c->name,
			 c->props.info.last_crash_reason[0] ? c->props.info.last_crash_reason
							    : "unknown reason");
		waiters_reply(&c->start_waiters, RPROCD_ERROR_START_FAILED, msg);
		return;
	}
	if (s == RPROC_FAILED) {
		bool gave_up = old == RPROC_CRASHED;

		log_full_fields(RPROC_LOG_ERR, c->name,
				c->props.info.last_error_step[0] ? c->props.info.last_error_step
								 : NULL,
				c->props.info.last_errno,
				gave_up ? MESSAGE_ID_FIELDS(RPROCD_MESSAGE_RECOVERY_GIVEN_UP)
					: NULL,
				"%s: %s", gave_up ? "recovery gave up" : "start failed",
				core_error_text(c));
	}
	if (s == RPROC_OFFLINE && old != RPROC_OFFLINE)
		log_full_fields(RPROC_LOG_INFO, c->name, NULL, 0,
				MESSAGE_ID_FIELDS(RPROCD_MESSAGE_STOPPED), "stopped");

	if (s == RPROC_OFFLINE || s == RPROC_FAILED) {
		if (c->start_waiters.n && !c->restart_pending) {
			core_failure_message(c, msg, sizeof(msg));
			waiters_reply(&c->start_waiters, RPROCD_ERROR_START_FAILED, msg);
		}
		waiters_reply(&c->stop_waiters, NULL, NULL);
		core_apply_pending(c);
		if (c->restart_pending) {
			_cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
			int r;

			c->restart_pending = false;
			r = core_start(c, NULL, &e);
			if (r == 0)
				waiters_reply(&c->start_waiters, NULL, NULL);
			else if (r < 0)
				waiters_reply(&c->start_waiters,
					      e.name ? e.name : RPROCD_ERROR_START_FAILED,
					      e.message ? e.message : "start failed");
		}
	}
}

/*
 * Refresh the published info and signal what changed since @old.  Returns the previous state,
 * and in *transition whether any state change happened since the last look: events coalesce,
 * so failed -> starting -> failed may show up as failed twice, with a new timestamp.
 */
static enum rproc_state core_publish_since(struct core *c, const struct core_props *old,
					   bool *transition)
{
	const struct rproc_info *i = &c->props.info;

	core_refresh_info(c);
	if (i->state == RPROC_STARTING && old->info.state != RPROC_STARTING)
		c->props.progress[0] = c->props.progress[1] = 0;
	core_props_changed(c, old);
	if (transition)
		*transition = i->state != old->info.state ||
			      i->state_change_usec != old->info.state_change_usec;
	return old->info.state;
}

static enum rproc_state core_publish(struct core *c, bool *transition)
{
	struct core_props old = c->props;

	return core_publish_since(c, &old, transition);
}

static void core_event(struct rproc *r, enum rproc_event ev, uint64_t a, uint64_t b, void *ud)
{
	struct core *c = ud;
	const struct rproc_info *i = &c->props.info;
	enum rproc_state old;
	bool transition;

	if (ev == RPROC_EV_PROGRESS) {
		struct core_props before = c->props;

		c->props.progress[0] = a;
		c->props.progress[1] = b;
		core_props_changed(c, &before);
		return;
	}

	/* Room for the coredump the crash handling is about to write (usually before it does:
	 * SHUTDOWN comes first), and the limits kept once it is there. */
	if (ev == RPROC_EV_CRASH)
		core_vacuum_coredumps(c->env->settings);
	if (ev == RPROC_EV_COREDUMP) {
		core_compress_coredump(c);
		core_vacuum_coredumps(c->env->settings);
	}
	old = core_publish(c, &transition);
	/* on the event, not the state: a quick recovery may leave crashed before we look */
	if (ev == RPROC_EV_CRASH)
		log_full_fields(RPROC_LOG_ERR, c->name, "crash", 0,
				MESSAGE_ID_FIELDS(RPROCD_MESSAGE_CRASHED), "crashed (%s): %s",
				a == RPROC_IRQ_WDOG ? "watchdog" : "fatal error",
				i->last_crash_reason[0] ? i->last_crash_reason : "unknown reason");
	if (ev == RPROC_EV_COREDUMP)
		log_full_fields(RPROC_LOG_NOTICE, c->name, "coredump", 0,
				MESSAGE_ID_FIELDS(RPROCD_MESSAGE_COREDUMP),
				"coredump written to %s", i->last_coredump);
	if (transition) {
		core_settled(c, old, i->state);
		c->env->listener->job_changed(c, true);
	} else if (ev == RPROC_EV_PHASE) {
		/* A successor adopting an interrupted start or stop names the phase it stopped
		 * in, and unmaps the devmem a resource table step had begun to map. */
		c->env->listener->job_changed(c, false);
	}
}

/* From any thread: a daemon killed right after this returns leaves the new snapshot. */
static void core_snapshot(struct rproc *r, void *ud)
{
	struct core *c = ud;

	c->env->listener->snapshot_changed(c);
}

static int core_io(sd_event_source *s, int fd, uint32_t revents, void *ud)
{
	struct core *c = ud;
	int r = rproc_process(c->rproc);

	if (r < 0)
		log_full(RPROC_LOG_WARNING, c->name, NULL, r, "processing events failed: %m");
	return 0;
}

void core_apply_conf(struct core *c, const struct conf_rproc *cr, bool initial)
{
	const struct rproc_soc_data *soc = rproc_soc_lookup(c->desc.compatible);
	struct core_props old = c->props;

	c->props.auto_start = cr && cr->auto_start != CONF_UNSET ? cr->auto_start :
								   (soc ? soc->auto_boot : false);
	c->props.stop_on_exit = cr && cr->stop_on_exit == 1;
	if (initial) {
		if (cr && cr->recovery != CONF_UNSET)
			c->cfg.recovery = cr->recovery;
		if (cr && cr->restart_limit != CONF_UNSET)
			c->cfg.restart_limit = (unsigned int)cr->restart_limit;
		if (cr && cr->restart_window_s != CONF_UNSET)
			c->cfg.restart_window_s = (unsigned int)cr->restart_window_s;
		return;
	}

	/* Reload: recovery applies now; the rest when no start or stop is under way. */
	bool recovery = cr && cr->recovery != CONF_UNSET ? cr->recovery : c->cfg.recovery;
	if (c->rproc)
		rproc_set_recovery(c->rproc, recovery);
	core_publish_since(c, &old, NULL);
	free(c->pending.firmware);
	c->pending = cr ? *cr : (struct conf_rproc){ .restart_limit = CONF_UNSET,
						     .restart_window_s = CONF_UNSET };
	c->pending.firmware = NULL;
	if (cr && cr->firmware && strcmp(cr->firmware, c->props.firmware))
		c->pending.firmware = strdup(cr->firmware);
	c->cfg_pending = true;
	core_apply_pending(c);
	c->env->listener->job_changed(c, false);
}

enum rproc_state core_state(const struct core *c)
{
	return c->rproc ? rproc_state(c->rproc) : RPROC_FAILED;
}

/*
 * A core that cannot be used (its node is broken, or it cannot be described or created): it
 * is still served, failed, with the reason in LastError, so that a bad node costs that core
 * only and says why.
 */
static void core_set_unusable(struct core *c, const struct rproc_dt_rproc *dt, const char *step,
			      int code, const char *msg)
{
	struct rproc_info *i = &c->props.info;

	if (!c->desc.name[0]) {
		/* not described: what the tree says, no PAS id */
		snprintf(c->desc.name, sizeof(c->desc.name), "%s", dt->name);
		snprintf(c->desc.compatible, sizeof(c->desc.compatible), "%s", dt->compatible);
		snprintf(c->desc.device, sizeof(c->desc.device), "%s", dt->device);
		snprintf(c->desc.node, sizeof(c->desc.node), "%s", dt->node);
		c->desc.pas_id = -1;
		if (dt->n_firmware)
			snprintf(c->props.firmware, sizeof(c->props.firmware), "%s",
				 dt->firmware[0]);
	} else {
		snprintf(c->props.firmware, sizeof(c->props.firmware), "%s", c->desc.firmware[0]);
	}
	*i = (struct rproc_info){ .state = RPROC_FAILED, .last_errno = code };
	i->state_change_usec = now_usec(CLOCK_REALTIME);
	snprintf(i->last_error, sizeof(i->last_error), "%s", msg);
	snprintf(i->last_error_step, sizeof(i->last_error_step), "%s", step);
	cut_at_word(i->last_error, sizeof(i->last_error));
	i->phase = c->props.phase;
	log_full(RPROC_LOG_ERR, c->name, step, code, "cannot be used: %s", msg);
}

int core_new(struct manager *m, const struct core_env *env, const struct rproc_dt_rproc *dt,
	     const struct conf_rproc *cr, const struct rproc_snapshot *snap, struct core **out)
{
	struct rproc_error err = { 0 };
	_cleanup_(core_freep) struct core *c = NULL;
	_cleanup_free_ char *path = NULL;
	int r;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->m = m;
	c->env = env;
	snprintf(c->name, sizeof(c->name), "%s", dt->name);
	r = sd_bus_path_encode(RPROCD_RPROC_PATH_PREFIX, c->name, &path);
	if (r < 0)
		return r;
	snprintf(c->path, sizeof(c->path), "%s", path);

	rproc_config_defaults(&c->cfg);
	r = rproc_desc_from_dt(dt, cr && cr->pas_id != CONF_UNSET ? cr->pas_id : -1,
			       cr ? cr->firmware : NULL, &c->desc, &err);
	if (r == -ENOMEM)
		return log_full(RPROC_LOG_ERR, c->name, "describe", r, "%s", err.msg);
	if (r < 0) {
		core_set_unusable(c, dt, dt->error ? "devicetree" : "describe", r, err.msg);
		*out = TAKE_PTR(c);
		return 0;
	}

	c->cfg.ready_timeout_ms = env->settings->ready_timeout_ms;
	c->cfg.stop_timeout_ms = env->settings->stop_timeout_ms;
	r = core_copy_paths(c);
	if (r < 0)
		return r;
	core_apply_conf(c, cr, true);

	if (snap)
		r = rproc_adopt(&c->desc, env->backend, &c->cfg, snap, &c->rproc, &err);
	else
		r = rproc_new(&c->desc, env->backend, &c->cfg, &c->rproc, &err);
	if (r == -ENOMEM)
		return log_full(RPROC_LOG_ERR, c->name, snap ? "adopt" : "create", r, "%s",
				err.msg);
	if (r < 0) {
		c->rproc = NULL;
		core_set_unusable(c, dt, snap ? "adopt" : "create", r, err.msg);
		*out = TAKE_PTR(c);
		return 0;
	}
	c->adopted = snap != NULL;
	rproc_set_event_cb(c->rproc, core_event, c);
	rproc_set_snapshot_cb(c->rproc, core_snapshot, c);
	core_refresh_info(c);
	snprintf(c->props.firmware, sizeof(c->props.firmware), "%s",
		 rproc_desc(c->rproc)->firmware[0]);

	r = sd_event_add_io(env->event, &c->io, rproc_fd(c->rproc), EPOLLIN, core_io, c);
	if (r < 0)
		return r;
	sd_event_source_set_description(c->io, c->name);
	*out = TAKE_PTR(c);
	return 0;
}

void core_free(struct core *c)
{
	if (!c)
		return;
	/* Calls still waiting get an answer rather than a timeout. */
	waiters_reply(&c->start_waiters, RPROCD_ERROR_BUSY, "rprocd is shutting down");
	waiters_reply(&c->stop_waiters, RPROCD_ERROR_BUSY, "rprocd is shutting down");
	sd_event_source_unref(c->io);
	rproc_free(c->rproc); /* never stops the core: the owner stops StopOnExit= cores first */
	core_free_paths(c);
	rproc_desc_clear(&c->desc);
	free(c->pending.firmware);
	free(c);
}

/* Start(), Restart(), SetFirmware() of a core that cannot be used: why not. */
static int core_unusable_error(struct core *c, sd_bus_error *error)
{
	sd_bus_error_setf(error, RPROCD_ERROR_START_FAILED, "%s cannot be used: %s: %s", c->name,
			  c->props.info.last_error_step, c->props.info.last_error);
	return -ENODEV;
}

int core_start(struct core *c, sd_bus_message *reply_to, sd_bus_error *error)
{
	int r;

	if (!c->rproc)
		return core_unusable_error(c, error);

	core_apply_pending(c);
	r = rproc_start(c->rproc);
	switch (r) {
	case 0:
	case -EINPROGRESS: /* join the start under way: never boot twice */
		if (reply_to && waiters_add(&c->start_waiters, reply_to) < 0)
			return -ENOMEM;
		if (r == 0)
			log_full(RPROC_LOG_INFO, c->name, NULL, 0, "starting (firmware %s)",
				 rproc_desc(c->rproc)->firmware[0]);
		return 1;
	case -EALREADY:
		return 0;
	case -EBUSY: /* stopping, a crash is being handled (recovery follows), or the start
		      * abandoned by a stop has not returned yet */
		if (rproc_state(c->rproc) == RPROC_FAILED)
			sd_bus_error_setf(error, RPROCD_ERROR_BUSY,
					  "%s: the start a stop abandoned has not returned yet "
					  "(%s): try again when the core is offline",
					  c->name, c->props.info.last_error_step);
		else
			sd_bus_error_setf(error, RPROCD_ERROR_BUSY,
					  "%s is %s: try again when it settles", c->name,
					  rproc_state_name(rproc_state(c->rproc)));
		return r;
	default:
		sd_bus_error_setf(error, RPROCD_ERROR_START_FAILED, "%s: start: %s", c->name,
				  strerror(-r));
		return r;
	}
}

int core_stop(struct core *c, sd_bus_message *reply_to, sd_bus_error *error)
{
	int r = c->rproc ? rproc_stop(c->rproc) : -EALREADY; /* unusable: never runs */

	switch (r) {
	case 0:
	case -EINPROGRESS:
		if (reply_to && waiters_add(&c->stop_waiters, reply_to) < 0)
			return -ENOMEM;
		if (r == 0)
			log_full(RPROC_LOG_INFO, c->name, NULL, 0, "stopping");
		return 1;
	case -EALREADY:
		return 0;
	case -EBUSY:
		sd_bus_error_setf(error, RPROCD_ERROR_BUSY, "%s is %s: try again when it settles",
				  c->name, rproc_state_name(rproc_state(c->rproc)));
		return r;
	default:
		sd_bus_error_setf(error, RPROCD_ERROR_STOP_FAILED, "%s: stop: %s", c->name,
				  strerror(-r));
		return r;
	}
}

int core_restart(struct core *c, sd_bus_message *reply_to, sd_bus_error *error)
{
	int r;

	if (!c->rproc)
		return core_unusable_error(c, error);
	r = core_stop(c, NULL, error);

	if (r < 0)
		return r;
	if (r == 0) /* already down: a plain start */
		return core_start(c, reply_to, error);
	c->restart_pending = true;
	if (reply_to && waiters_add(&c->start_waiters, reply_to) < 0)
		return -ENOMEM;
	return 1;
}

int core_set_firmware(struct core *c, const char *name, struct rproc_error *err)
{
	struct core_props old = c->props;
	int r;

	if (!c->rproc)
		return rproc_err(err, -ENODEV, "cannot be used: %s: %s",
				 c->props.info.last_error_step, c->props.info.last_error);
	r = rproc_set_firmware(c->rproc, name, err);
	if (r < 0)
		return r;
	snprintf(c->props.firmware, sizeof(c->props.firmware), "%s", name);
	/* FirmwarePath= was where the old name was found: none until the new one is */
	c->fw_path_stale = true;
	c->props.info.firmware_path[0] = 0;
	core_props_changed(c, &old);
	/* the choice is in the snapshot: a restarted daemon keeps it */
	c->env->listener->job_changed(c, false);
	return 0;
}
