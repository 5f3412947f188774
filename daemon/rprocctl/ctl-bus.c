// SPDX-License-Identifier: GPL-2.0-or-later
/* rprocctl list, start, stop, restart, reload: the D-Bus side of the CLI. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl-bus.h"
#include "time-util.h"
#include "util.h"

int ctl_bus_open(const struct ctl_opts *o, sd_bus **bus)
{
	int r = o->user ? sd_bus_open_user(bus) : sd_bus_open_system(bus);

	if (r < 0) {
		fprintf(stderr, "rprocctl: cannot connect to the %s bus: %s\n",
			o->user ? "session" : "system", strerror(-r));
		return CTL_EXIT_NO_DAEMON;
	}
	return CTL_EXIT_OK;
}

/* What each D-Bus error means for rprocctl's exit status; any other error is a failure. */
static const struct {
	const char *name;
	int exit;
} error_exits[] = {
	{ RPROCD_ERROR_NOT_FOUND, CTL_EXIT_NOT_FOUND },
	{ SD_BUS_ERROR_UNKNOWN_OBJECT, CTL_EXIT_NOT_FOUND },
	{ RPROCD_ERROR_PERMISSION, CTL_EXIT_PERMISSION },
	{ SD_BUS_ERROR_ACCESS_DENIED, CTL_EXIT_PERMISSION },
	{ SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED, CTL_EXIT_PERMISSION },
	{ RPROCD_ERROR_START_FAILED, CTL_EXIT_START_FAILED },
	{ RPROCD_ERROR_STOP_FAILED, CTL_EXIT_START_FAILED },
	{ RPROCD_ERROR_BUSY, CTL_EXIT_START_FAILED },
	{ SD_BUS_ERROR_SERVICE_UNKNOWN, CTL_EXIT_NO_DAEMON },
	{ SD_BUS_ERROR_NAME_HAS_NO_OWNER, CTL_EXIT_NO_DAEMON },
	{ SD_BUS_ERROR_NO_REPLY, CTL_EXIT_NO_DAEMON },
	{ SD_BUS_ERROR_DISCONNECTED, CTL_EXIT_NO_DAEMON },
	{ RPROCD_ERROR_INVALID_FIRMWARE, CTL_EXIT_FAILURE },
};

int ctl_error_exit(const sd_bus_error *e, int r, const char *what)
{
	const char *msg = e && e->message ? e->message : strerror(r < 0 ? -r : EIO);

	if (sd_bus_error_has_name(e, SD_BUS_ERROR_ACCESS_DENIED))
		/* dbus-daemon's text is a rule dump: say what it means instead. */
		msg = "permission denied by the D-Bus policy (control is for root and the rprocd group)";
	fprintf(stderr, "rprocctl: %s%s%s\n", what ? what : "", what ? ": " : "", msg);
	for (size_t i = 0; i < ARRAY_SIZE(error_exits); i++)
		if (sd_bus_error_has_name(e, error_exits[i].name))
			return error_exits[i].exit;
	return CTL_EXIT_FAILURE;
}

int ctl_fetch_describe(const struct ctl_opts *o, json_object **out)
{
	_cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
	_cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	const char *s;
	int r;

	r = ctl_bus_open(o, &bus);
	if (r)
		return r;
	r = sd_bus_call_method(bus, RPROCD_BUS_NAME, RPROCD_MANAGER_PATH, RPROCD_MANAGER_IFACE,
			       "Describe", &e, &reply, "");
	if (r < 0)
		return ctl_error_exit(&e, r, "Describe");
	r = sd_bus_message_read(reply, "s", &s);
	if (r >= 0) {
		*out = json_tokener_parse(s);
		if (!*out)
			r = -EBADMSG;
	}
	if (r < 0) {
		fprintf(stderr, "rprocctl: bad reply from rprocd: %s\n", strerror(-r));
		return CTL_EXIT_FAILURE;
	}
	return CTL_EXIT_OK;
}

json_object *ctl_find_rproc(json_object *root, const char *name)
{
	json_object *a = json_object_object_get(root, "rprocs");
	size_t n = a ? json_object_array_length(a) : 0;

	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(a, i);
		if (!strcmp(ctl_json_str(o, "name"), name))
			return o;
	}
	return NULL;
}

const char *ctl_json_str(json_object *o, const char *key)
{
	const char *s = json_object_get_string(json_object_object_get(o, key));
	return s ? s : "";
}

uint64_t ctl_json_u64(json_object *o, const char *key)
{
	return json_object_get_uint64(json_object_object_get(o, key));
}

void ctl_format_bytes(uint64_t n, char *buf, size_t len)
{
	if (n >= (1u << 20))
		snprintf(buf, len, "%.1f MiB", (double)n / (1u << 20));
	else if (n >= 1024)
		snprintf(buf, len, "%.1f KiB", (double)n / 1024);
	else
		snprintf(buf, len, "%" PRIu64 " B", n);
}

void ctl_format_usec(uint64_t us, char *buf, size_t len)
{
	if (us >= 1000000)
		snprintf(buf, len, "%.2f s", (double)us / 1e6);
	else
		snprintf(buf, len, "%.1f ms", (double)us / 1e3);
}

int ctl_list(const struct ctl_opts *o, int argc, char **argv)
{
	_cleanup_(json_object_putp) json_object *root = NULL;
	json_object *a;
	int r;

	r = ctl_fetch_describe(o, &root);
	if (r)
		return r;
	a = json_object_object_get(root, "rprocs");
	if (o->json) {
		json_object *out = json_object_new_object();
		json_object_object_add(out, "rprocs", json_object_get(a));
		printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(out);
		return CTL_EXIT_OK;
	}
	size_t n = a ? json_object_array_length(a) : 0;
	if (!o->quiet)
		printf("%-10s %-8s %-6s %-26s %-10s %s\n", "NAME", "STATE", "PAS", "FIRMWARE", "BOOT",
		       "CRASHES");
	for (size_t i = 0; i < n; i++) {
		json_object *c = json_object_array_get_idx(a, i);
		char boot[32] = "-";

		if (ctl_json_u64(c, "boot_time_usec"))
			ctl_format_usec(ctl_json_u64(c, "boot_time_usec"), boot, sizeof(boot));
		printf("%-10s %-8s %-6" PRIu64 " %-26s %-10s %" PRIu64 "\n", ctl_json_str(c, "name"),
		       ctl_json_str(c, "state"), ctl_json_u64(c, "pas_id"),
		       ctl_json_str(c, "firmware"), boot, ctl_json_u64(c, "crash_count"));
	}
	if (!o->quiet)
		printf("\n%zu remote processors listed (backend %s).\n", n,
		       ctl_json_str(root, "backend"));
	return CTL_EXIT_OK;
}

int ctl_reload(const struct ctl_opts *o, int argc, char **argv)
{
	_cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
	_cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
	int r;

	r = ctl_bus_open(o, &bus);
	if (r)
		return r;
	r = sd_bus_call_method(bus, RPROCD_BUS_NAME, RPROCD_MANAGER_PATH, RPROCD_MANAGER_IFACE,
			       "Reload", &e, NULL, "");
	if (r < 0)
		return ctl_error_exit(&e, r, "reload");
	return CTL_EXIT_OK;
}

/* ---- start / stop / restart ---------------------------------------------------------- */

struct job {
	struct action_ctx *ctx;
	const char *name;
	char *path;
	sd_bus_slot *slot;
	bool done;
	int exit;
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

	if (x->o->quiet)
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
		j->exit = ctl_error_exit(e, -EIO, what);
		if (j->exit == CTL_EXIT_NOT_FOUND &&
		    sd_bus_error_has_name(e, SD_BUS_ERROR_UNKNOWN_OBJECT))
			fprintf(stderr, "rprocctl: no remote processor named '%s' (see rprocctl list)\n",
				j->name);
		return 0;
	}
	j->exit = CTL_EXIT_OK;
	if (x->o->no_block) {
		if (!x->o->quiet)
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
	}
	free(x->jobs);
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
	_cleanup_(action_ctx_done) struct action_ctx x = {
		.o = o,
		.action = argv[0],
		.tty = isatty(STDOUT_FILENO) && !o->quiet,
	};
	const char *method = "Enqueue";
	int r, ret = CTL_EXIT_OK;

	for (size_t i = 0; !o->no_block && i < ARRAY_SIZE(action_methods); i++)
		if (!strcmp(action_methods[i].action, x.action))
			method = action_methods[i].method;
	r = ctl_bus_open(o, &bus);
	if (r)
		return r;
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
	return ret;
}
