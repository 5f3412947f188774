// SPDX-License-Identifier: GPL-2.0-or-later
/* rprocctl's D-Bus side: connecting, errors, Describe() and the JSON schema of a processor. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ctl-bus.h"
#include "ctl-output.h"
#include "util.h"

int ctl_bus_open(const struct ctl_opts *o, sd_bus **bus)
{
	int r;

	if (o->host)
		r = sd_bus_open_system_remote(bus, o->host);
	else if (o->user)
		r = sd_bus_open_user(bus);
	else
		r = sd_bus_open_system(bus);
	if (r < 0) {
		if (o->host)
			fprintf(stderr, "rprocctl: cannot connect to the system bus of %s: %s\n",
				o->host, strerror(-r));
		else
			fprintf(stderr, "rprocctl: cannot connect to the %s bus: %s\n",
				o->user ? "session" : "system", strerror(-r));
		return CTL_EXIT_NO_DAEMON;
	}
	/* polkit may ask who we are (rprocd's control methods); --no-ask-password: never */
	sd_bus_set_allow_interactive_authorization(*bus, o->ask_password);
	return CTL_EXIT_OK;
}

static pid_t agent_pid;

static void polkit_agent_close(void)
{
	if (agent_pid <= 0)
		return;
	kill(agent_pid, SIGTERM);
	while (waitpid(agent_pid, NULL, 0) < 0 && errno == EINTR)
		;
	agent_pid = 0;
}

/*
 * As systemctl does: on a terminal, with no --no-ask-password and no --host, run pkttyagent
 * so that polkit can ask for a password here.  No agent installed: nothing to do.
 */
void ctl_polkit_agent_open(const struct ctl_opts *o)
{
	static const char agent[] = "/usr/bin/pkttyagent";
	int fds[2];
	char fd_arg[16], pid_arg[16];

	if (!o->ask_password || o->host || agent_pid || !isatty(STDIN_FILENO) ||
	    access(agent, X_OK) < 0 || pipe2(fds, O_CLOEXEC) < 0)
		return;
	snprintf(pid_arg, sizeof(pid_arg), "%d", (int)getpid());
	agent_pid = fork();
	if (agent_pid == 0) {
		int fd = dup(fds[1]); /* without O_CLOEXEC: the agent writes to it */

		snprintf(fd_arg, sizeof(fd_arg), "%d", fd);
		execl(agent, agent, "--notify-fd", fd_arg, "--fallback", "--process", pid_arg,
		      (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	if (agent_pid > 0) {
		/* it closes the fd once registered */
		struct pollfd p = { .fd = fds[0], .events = POLLIN };
		poll(&p, 1, 5000);
		atexit(polkit_agent_close);
	} else {
		agent_pid = 0;
	}
	close(fds[0]);
}

/* What each D-Bus error means for rprocctl's exit status; any other error is a failure. */
static const struct {
	const char *name;
	int exit;
} error_exits[] = {
	{ SD_BUS_ERROR_UNKNOWN_OBJECT, CTL_EXIT_NOT_FOUND },
	{ RPROCD_ERROR_PERMISSION, CTL_EXIT_PERMISSION },
	{ SD_BUS_ERROR_ACCESS_DENIED, CTL_EXIT_PERMISSION },
	{ SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED, CTL_EXIT_PERMISSION },
	{ SD_BUS_ERROR_SERVICE_UNKNOWN, CTL_EXIT_NO_DAEMON },
	{ SD_BUS_ERROR_NAME_HAS_NO_OWNER, CTL_EXIT_NO_DAEMON },
	{ SD_BUS_ERROR_NO_REPLY, CTL_EXIT_NO_DAEMON },
	{ SD_BUS_ERROR_DISCONNECTED, CTL_EXIT_NO_DAEMON },
};

static void print_no_daemon(const struct ctl_opts *o)
{
	if (o->user)
		fprintf(stderr, "rprocctl: rprocd is not running on the session bus (nothing owns "
				"%s); start it with: rprocd --user\n",
			RPROCD_BUS_NAME);
	else
		fprintf(stderr, "rprocctl: rprocd is not running%s%s (nothing owns %s on the "
				"system bus); start it with: systemctl start rprocd\n",
			o->host ? " on " : "", o->host ? o->host : "", RPROCD_BUS_NAME);
}

int ctl_error_exit(const struct ctl_opts *o, const sd_bus_error *e, int r, const char *what)
{
	const char *msg = e && e->message ? e->message : strerror(r < 0 ? -r : EIO);
	int exit = CTL_EXIT_FAILURE;

	for (size_t i = 0; i < ARRAY_SIZE(error_exits); i++)
		if (sd_bus_error_has_name(e, error_exits[i].name))
			exit = error_exits[i].exit;
	if (exit == CTL_EXIT_NO_DAEMON && !sd_bus_error_has_name(e, SD_BUS_ERROR_NO_REPLY)) {
		print_no_daemon(o);
		return exit;
	}
	if (sd_bus_error_has_name(e, SD_BUS_ERROR_ACCESS_DENIED))
		/* dbus-daemon's text is a rule dump: say what it means instead. */
		msg = "permission denied by the D-Bus policy (control is for root and the rprocd "
		      "group)";
	else if (sd_bus_error_has_name(e, SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED))
		msg = "authorization required: run as root, or without --no-ask-password to be "
		      "asked";
	fprintf(stderr, "rprocctl: %s%s%s\n", what ? what : "", what ? ": " : "", msg);
	return exit;
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
		return ctl_error_exit(o, &e, r, NULL);
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
		const char *s = ctl_json_str(o, "name");

		if (s && !strcmp(s, name))
			return o;
	}
	return NULL;
}

int ctl_no_such_rproc(json_object *root, const char *name, int exit)
{
	json_object *a = json_object_object_get(root, "rprocs");
	size_t n = a ? json_object_array_length(a) : 0;
	_cleanup_free_ const char **names = calloc(n + 1, sizeof(*names));
	const char *guess;

	fprintf(stderr, "rprocctl: no remote processor '%s'; known:", name);
	for (size_t i = 0; i < n; i++) {
		const char *s = ctl_json_str(json_object_array_get_idx(a, i), "name");

		fprintf(stderr, "%s %s", i ? "," : "", s ? s : "?");
		if (names)
			names[i] = s ? s : "";
	}
	guess = names ? ctl_did_you_mean(name, names, n) : NULL;
	if (!n)
		fprintf(stderr, " none");
	if (guess)
		fprintf(stderr, " (did you mean '%s'?)", guess);
	fputc('\n', stderr);
	return exit;
}

int ctl_check_names(json_object *root, char **names, int n, int exit)
{
	for (int i = 0; i < n; i++)
		if (!ctl_find_rproc(root, names[i]))
			return ctl_no_such_rproc(root, names[i], exit);
	return CTL_EXIT_OK;
}

const char *ctl_json_str(json_object *o, const char *key)
{
	const char *s = json_object_get_string(json_object_object_get(o, key));

	return s && *s ? s : NULL;
}

uint64_t ctl_json_u64(json_object *o, const char *key)
{
	return json_object_get_uint64(json_object_object_get(o, key));
}

/* ---- the schema ---------------------------------------------------------------------------- */

/* How each key of the schema comes from Describe(), which says "" and 0 for "not there". */
enum schema_kind {
	SCHEMA_STR,     /* a string, null for "" */
	SCHEMA_VALUE,   /* as it is */
	SCHEMA_TIME,    /* a number, null for 0 (never, not known) */
	SCHEMA_ID,      /* a number, null when negative */
	SCHEMA_TIMINGS, /* an object, null when nothing was timed */
};

/* The keys in the order rprocctl(1) lists them. */
static const struct {
	const char *key;
	enum schema_kind kind;
} schema_keys[] = {
	{ "name", SCHEMA_STR },
	{ "object_path", SCHEMA_STR },
	{ "compatible", SCHEMA_STR },
	{ "device", SCHEMA_STR },
	{ "pas_id", SCHEMA_ID },
	{ "firmware", SCHEMA_STR },
	{ "firmware_path", SCHEMA_STR },
	{ "state", SCHEMA_STR },
	{ "phase", SCHEMA_STR },
	{ "progress", SCHEMA_VALUE },
	{ "last_error", SCHEMA_STR },
	{ "last_error_step", SCHEMA_STR },
	{ "crash_count", SCHEMA_VALUE },
	{ "last_crash_reason", SCHEMA_STR },
	{ "last_coredump", SCHEMA_STR },
	{ "state_change_timestamp", SCHEMA_TIME },
	{ "boot_time_usec", SCHEMA_TIME },
	{ "timings", SCHEMA_TIMINGS },
	{ "recovery", SCHEMA_VALUE },
	{ "auto_start", SCHEMA_VALUE },
	{ "stop_on_exit", SCHEMA_VALUE },
	{ "adopted", SCHEMA_VALUE },
	{ "carveouts", SCHEMA_VALUE },
	{ "iommu_streams", SCHEMA_VALUE },
};

static int schema_copy(json_object *to, json_object *from, const char *key, enum schema_kind kind)
{
	json_object *v = json_object_object_get(from, key);

	switch (kind) {
	case SCHEMA_STR:
		return ju_add_str(to, key, ctl_json_str(from, key));
	case SCHEMA_TIME:
		if (!json_object_get_uint64(v))
			v = NULL;
		break;
	case SCHEMA_ID:
		if (json_object_get_int(v) < 0)
			v = NULL;
		break;
	case SCHEMA_TIMINGS:
		if (!ctl_json_u64(v, "total_usec"))
			v = NULL;
		break;
	case SCHEMA_VALUE:
		break;
	}
	return json_object_object_add(to, key, json_object_get(v)) < 0 ? -ENOMEM : 0;
}

json_object *ctl_rproc_json(json_object *d)
{
	_cleanup_(json_object_putp) json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(schema_keys); i++)
		if (schema_copy(o, d, schema_keys[i].key, schema_keys[i].kind) < 0)
			return NULL;
	return TAKE_PTR(o);
}

/* ---- formatting ------------------------------------------------------------------------- */

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

void ctl_format_timestamp(uint64_t usec, char *buf, size_t len)
{
	time_t t = (time_t)(usec / 1000000);
	struct tm tm;

	if (!usec || !localtime_r(&t, &tm) || !strftime(buf, len, "%a %Y-%m-%d %H:%M:%S %Z", &tm))
		snprintf(buf, len, "-");
}
