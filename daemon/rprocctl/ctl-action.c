// SPDX-License-Identifier: GPL-2.0-or-later
/* rprocctl start, stop, restart, set-firmware, reload: the verbs that change something. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl-bus.h"
#include "ctl-output.h"
#include "time-util.h"
#include "util.h"

struct job {
	struct action_ctx *ctx;
	const char *name;
	char *path;
	sd_bus_slot *slot;
	bool done;
	int exit;
	char *error; /* the D-Bus error's message, for --json */
	char phase[64];
	char state[16];
	unsigned int progress_quarter;
	char last[128]; /* the last progress line shown, without its time */
};

struct action_ctx {
	const struct ctl_opts *o;
	const char *action;
	bool tty;
	uint64_t t0;
	struct job *jobs;
	int n;
	int pending;
};

static void progress_line(struct action_ctx *x, struct job *j, const char *fmt, ...)
	_printf_(3, 4);
/*
 * A line only when it says something new: PropertiesChanged signals coalesce and repeat
 * values, and two load quarters can round to the same text ("2.0 MiB of 2.0 MiB").
 */
static void progress_line(struct action_ctx *x, struct job *j, const char *fmt, ...)
{
	va_list ap;
	uint64_t t = now_usec(CLOCK_MONOTONIC) - x->t0;
	char text[sizeof(j->last)];

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (!strcmp(text, j->last))
		return;
	snprintf(j->last, sizeof(j->last), "%s", text);
	printf("%-8s +%" PRIu64 ".%03" PRIu64 "s  %s\n", j->name, t / 1000000, (t / 1000) % 1000,
	       text);
	fflush(stdout);
}

/* PropertiesChanged on a core we act on: show the phase and load progress on a terminal. */
static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *err)
{
	struct action_ctx *x = userdata;
	const char *path = sd_bus_message_get_path(m), *iface;
	struct job *j = NULL;
	int r;

	for (int i = 0; i < x->n; i++)
		if (!strcmp(x->jobs[i].path, path))
			j = &x->jobs[i];
	if (!j || j->done)
		return 0;
	r = sd_bus_message_read(m, "s", &iface);
	if (r < 0 || strcmp(iface, RPROCD_RPROC_IFACE))
		return 0;
	r = sd_bus_message_enter_container(m, 'a', "{sv}");
	if (r < 0)
		return 0;
	while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
		const char *prop, *s;
		uint64_t done, total;

		if (sd_bus_message_read(m, "s", &prop) < 0)
			return 0;
		if (!strcmp(prop, "Phase") && sd_bus_message_read(m, "v", "s", &s) >= 0) {
			if (*s && strcmp(s, j->phase))
				progress_line(x, j, "%s", s);
			snprintf(j->phase, sizeof(j->phase), "%s", s);
		} else if (!strcmp(prop, "State") && sd_bus_message_read(m, "v", "s", &s) >= 0) {
			if (strcmp(s, j->state))
				progress_line(x, j, "state: %s", s);
			snprintf(j->state, sizeof(j->state), "%s", s);
		} else if (!strcmp(prop, "Progress") &&
			   sd_bus_message_read(m, "v", "(tt)", &done, &total) >= 0) {
			unsigned int q = total ? (unsigned int)(done * 4 / total) : 0;
			if (total && q > j->progress_quarter) {
				char a[32], b[32];
				ctl_format_bytes(done, a, sizeof(a));
				ctl_format_bytes(total, b, sizeof(b));
				progress_line(x, j, "loading %s of %s", a, b);
				j->progress_quarter = q;
			}
		} else {
			sd_bus_message_skip(m, "v");
		}
		sd_bus_message_exit_container(m);
	}
	return 0;
}

static void print_summary(sd_bus *bus, struct action_ctx *x, struct job *j)
{
	_cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_free_ char *state = NULL;
	uint64_t fw, load, auth, ready, total, bytes;

	if (x->o->quiet || x->o->json)
		return;
	sd_bus_get_property_string(bus, RPROCD_BUS_NAME, j->path, RPROCD_RPROC_IFACE, "State", &e,
				   &state);
	sd_bus_error_free(&e);
	if (strcmp(x->action, "stop") &&
	    sd_bus_get_property(bus, RPROCD_BUS_NAME, j->path, RPROCD_RPROC_IFACE, "Timings", &e,
				&reply, "(tttttt)") >= 0 &&
	    sd_bus_message_read(reply, "(tttttt)", &fw, &load, &auth, &ready, &total, &bytes) >= 0 &&
	    total) {
		char t[32], b[32];
		ctl_format_usec(total, t, sizeof(t));
		ctl_format_bytes(bytes, b, sizeof(b));
		printf("%s: %s (boot %s: firmware %.1f ms, load %.1f ms, auth %.1f ms, ready %.1f ms; %s loaded)\n",
		       j->name, state ? state : "?", t, fw / 1e3, load / 1e3, auth / 1e3, ready / 1e3,
		       b);
	} else {
		printf("%s: %s\n", j->name, state ? state : "?");
	}
	fflush(stdout);
}

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct job *j = userdata;
	struct action_ctx *x = j->ctx;
	const sd_bus_error *e = sd_bus_message_get_error(m);

	j->done = true;
	x->pending--;
	if (e) {
		char what[64];
		snprintf(what, sizeof(what), "%s %s", x->action, j->name);
		j->exit = ctl_error_exit(x->o, e, -EIO, what);
		j->error = strdup(e->message ? e->message : e->name);
		return 0;
	}
	j->exit = CTL_EXIT_OK;
	if (x->o->no_block) {
		if (!x->o->quiet && !x->o->json)
			printf("%s: %s queued\n", j->name, x->action);
		return 0;
	}
	print_summary(sd_bus_message_get_bus(m), x, j);
	return 0;
}

static void action_ctx_done(struct action_ctx *x)
{
	for (int i = 0; x->jobs && i < x->n; i++) {
		sd_bus_slot_unref(x->jobs[i].slot);
		free(x->jobs[i].path);
		free(x->jobs[i].error);
	}
	free(x->jobs);
}

/* --json: {"results": [{name, action, result, state, error}, ...]} */
static int print_results(struct action_ctx *x, json_object *root)
{
	_cleanup_(json_object_putp) json_object *o = json_object_new_object();
	json_object *a = json_object_new_array();

	if (!o || ju_add(o, "results", a) < 0)
		return -ENOMEM;
	for (int i = 0; i < x->n; i++) {
		struct job *j = &x->jobs[i];
		json_object *r = json_object_new_object(), *c = ctl_find_rproc(root, j->name);

		if (ju_append(a, r) < 0 || ju_add_str(r, "name", j->name) < 0 ||
		    ju_add_str(r, "action", x->action) < 0 ||
		    ju_add_str(r, "result", j->exit ? "failed" : x->o->no_block ? "queued" : "done") <
			    0 ||
		    ju_add_str(r, "state", c ? ctl_json_str(c, "state") : NULL) < 0 ||
		    ju_add_str(r, "error", j->error) < 0)
			return -ENOMEM;
	}
	return ctl_json_print(x->o, o);
}

/* The method that waits for the core to settle; Enqueue(action) returns at once. */
static const struct {
	const char *action, *method;
} action_methods[] = {
	{ "start", "Start" },
	{ "stop", "Stop" },
	{ "restart", "Restart" },
};

int ctl_action(const struct ctl_opts *o, int argc, char **argv)
{
	_cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
	_cleanup_(sd_bus_slot_unrefp) sd_bus_slot *match = NULL;
	_cleanup_(json_object_putp) json_object *root = NULL;
	_cleanup_(action_ctx_done) struct action_ctx x = {
		.o = o,
		.action = argv[0],
		.tty = isatty(STDOUT_FILENO) && !o->quiet && !o->json,
	};
	const char *method = "Enqueue";
	int r, ret = CTL_EXIT_OK;

	for (size_t i = 0; !o->no_block && i < ARRAY_SIZE(action_methods); i++)
		if (!strcmp(action_methods[i].action, x.action))
			method = action_methods[i].method;
	/* Every name first: a typo starts nothing. */
	r = ctl_fetch_describe(o, &root);
	if (r)
		return r;
	r = ctl_check_names(root, argv + 1, argc - 1, CTL_EXIT_NOT_FOUND);
	if (r)
		return r;
	json_object_put(TAKE_PTR(root));
	r = ctl_bus_open(o, &bus);
	if (r)
		return r;
	ctl_polkit_agent_open(o);
	x.jobs = calloc((size_t)argc - 1, sizeof(*x.jobs));
	if (!x.jobs)
		return CTL_EXIT_FAILURE;
	x.n = argc - 1;
	x.t0 = now_usec(CLOCK_MONOTONIC);
	if (x.tty && !o->no_block) {
		r = sd_bus_match_signal(bus, &match, RPROCD_BUS_NAME, NULL,
					"org.freedesktop.DBus.Properties", "PropertiesChanged",
					on_properties_changed, &x);
		if (r < 0)
			fprintf(stderr, "rprocctl: no progress display: %s\n", strerror(-r));
	}
	for (int i = 0; i < x.n; i++) {
		_cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
		struct job *j = &x.jobs[i];

		j->ctx = &x;
		j->name = argv[i + 1];
		r = sd_bus_path_encode(RPROCD_RPROC_PATH_PREFIX, j->name, &j->path);
		if (r < 0)
			return CTL_EXIT_FAILURE;
		r = sd_bus_message_new_method_call(bus, &call, RPROCD_BUS_NAME, j->path,
						   RPROCD_RPROC_IFACE, method);
		if (r >= 0 && o->no_block)
			r = sd_bus_message_append(call, "s", x.action);
		/* A boot may legitimately take long (firmware copy + ready timeout). */
		if (r >= 0)
			r = sd_bus_call_async(bus, &j->slot, call, on_reply, j, 120 * 1000000ull);
		if (r < 0) {
			fprintf(stderr, "rprocctl: %s %s: %s\n", x.action, j->name, strerror(-r));
			j->done = true;
			j->exit = CTL_EXIT_NO_DAEMON;
			continue;
		}
		x.pending++;
	}
	while (x.pending > 0) {
		r = sd_bus_process(bus, NULL);
		if (r < 0) {
			fprintf(stderr, "rprocctl: bus: %s\n", strerror(-r));
			return CTL_EXIT_NO_DAEMON;
		}
		if (r == 0 && sd_bus_wait(bus, UINT64_MAX) < 0)
			break;
	}
	for (int i = 0; i < x.n; i++)
		if (x.jobs[i].exit && !ret)
			ret = x.jobs[i].exit;
	if (o->json) {
		/* the states after the action, as a script wants them */
		r = ctl_fetch_describe(o, &root);
		if (r == 0 && print_results(&x, root) < 0)
			ret = ret ?: CTL_EXIT_FAILURE;
	}
	return ret;
}

int ctl_set_firmware(const struct ctl_opts *o, int argc, char **argv)
{
	_cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
	_cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
	_cleanup_(json_object_putp) json_object *root = NULL;
	_cleanup_free_ char *path = NULL;
	int r;

	r = ctl_fetch_describe(o, &root);
	if (r)
		return r;
	r = ctl_check_names(root, argv + 1, 1, CTL_EXIT_NOT_FOUND);
	if (r)
		return r;
	r = ctl_bus_open(o, &bus);
	if (r)
		return r;
	ctl_polkit_agent_open(o);
	r = sd_bus_path_encode(RPROCD_RPROC_PATH_PREFIX, argv[1], &path);
	if (r < 0)
		return CTL_EXIT_FAILURE;
	r = sd_bus_call_method(bus, RPROCD_BUS_NAME, path, RPROCD_RPROC_IFACE, "SetFirmware", &e,
			       NULL, "s", argv[2]);
	if (r < 0)
		return ctl_error_exit(o, &e, r, "set-firmware");
	if (o->json) {
		_cleanup_(json_object_putp) json_object *j = json_object_new_object();

		if (!j || ju_add_str(j, "name", argv[1]) < 0 ||
		    ju_add_str(j, "firmware", argv[2]) < 0 || ctl_json_print(o, j) < 0)
			return CTL_EXIT_FAILURE;
	} else if (!o->quiet) {
		printf("%s: firmware %s from the next start\n", argv[1], argv[2]);
	}
	return CTL_EXIT_OK;
}

/* Reload() returns the configuration's warnings: (file, line, message). */
int ctl_reload(const struct ctl_opts *o, int argc, char **argv)
{
	_cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
	_cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_(json_object_putp) json_object *j = json_object_new_object();
	json_object *a = json_object_new_array();
	const char *file, *msg;
	unsigned int n = 0, line;
	int r;

	if (!j || ju_add(j, "warnings", a) < 0)
		return CTL_EXIT_FAILURE;
	r = ctl_bus_open(o, &bus);
	if (r)
		return r;
	ctl_polkit_agent_open(o);
	r = sd_bus_call_method(bus, RPROCD_BUS_NAME, RPROCD_MANAGER_PATH, RPROCD_MANAGER_IFACE,
			       "Reload", &e, &reply, "");
	if (r < 0)
		return ctl_error_exit(o, &e, r, "reload");
	r = sd_bus_message_enter_container(reply, 'a', "(sus)");
	while (r > 0 && (r = sd_bus_message_read(reply, "(sus)", &file, &line, &msg)) > 0) {
		json_object *w = json_object_new_object();

		n++;
		if (ju_append(a, w) < 0 || ju_add_str(w, "file", *file ? file : NULL) < 0 ||
		    (line ? ju_add_u64(w, "line", line) : ju_add_str(w, "line", NULL)) < 0 ||
		    ju_add_str(w, "message", msg) < 0)
			return CTL_EXIT_FAILURE;
		if (o->json)
			continue;
		if (!*file)
			fprintf(stderr, "rprocctl: reload: warning: %s\n", msg);
		else if (line)
			fprintf(stderr, "rprocctl: reload: warning: %s:%u: %s\n", file, line, msg);
		else
			fprintf(stderr, "rprocctl: reload: warning: %s: %s\n", file, msg);
	}
	if (r < 0) {
		fprintf(stderr, "rprocctl: bad reply from rprocd: %s\n", strerror(-r));
		return CTL_EXIT_FAILURE;
	}
	if (o->json && ctl_json_print(o, j) < 0)
		return CTL_EXIT_FAILURE;
	if (n && !o->json && !o->quiet)
		fprintf(stderr, "rprocctl: reload: applied, with %u configuration warning%s; see "
				"rprocd.conf(5)\n",
			n, n == 1 ? "" : "s");
	return n && !o->warnings_ok ? CTL_EXIT_CONF_WARNINGS : CTL_EXIT_OK;
}
