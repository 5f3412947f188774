// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rprocctl monitor [NAME...]: every change of a core as it happens, from PropertiesChanged,
 * until interrupted.  The match is added before the current state is read, so nothing falls
 * between the first lines (event "initial") and the changes after them.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-event.h>
#include <time.h>

#include "ctl-bus.h"
#include "ctl-output.h"
#include "time-util.h"
#include "util.h"

/* The RemoteProc properties that change, by their key in the JSON schema. */
static const struct {
	const char *prop, *key;
	bool zero_is_null; /* a time or count of 0: not there */
} props[] = {
	{ "Firmware", "firmware", false },
	{ "FirmwarePath", "firmware_path", false },
	{ "State", "state", false },
	{ "Phase", "phase", false },
	{ "Progress", "progress", false },
	{ "LastError", "last_error", false },
	{ "LastErrorStep", "last_error_step", false },
	{ "CrashCount", "crash_count", false },
	{ "LastCrashReason", "last_crash_reason", false },
	{ "LastCoredump", "last_coredump", false },
	{ "StateChangeTimestamp", "state_change_timestamp", true },
	{ "BootTimeUSec", "boot_time_usec", true },
	{ "Timings", "timings", true },
	{ "Recovery", "recovery", false },
	{ "AutoStart", "auto_start", false },
	{ "StopOnExit", "stop_on_exit", false },
};

struct monitor {
	const struct ctl_opts *o;
	char **names;
	int n_names;
};

static bool wanted(struct monitor *m, const char *name)
{
	if (!m->n_names)
		return true;
	for (int i = 0; i < m->n_names; i++)
		if (!strcmp(m->names[i], name))
			return true;
	return false;
}

/* A variant's value as the schema has it; NULL (json null) for "" and "not there". */
static int read_value(sd_bus_message *msg, bool zero_is_null, json_object **out)
{
	const char *sig, *s;
	uint64_t t[6];
	uint32_t u;
	int b, r;

	*out = NULL;
	r = sd_bus_message_peek_type(msg, NULL, &sig);
	if (r < 0)
		return r;
	if (!strcmp(sig, "s")) {
		r = sd_bus_message_read(msg, "v", "s", &s);
		if (r >= 0 && *s)
			*out = json_object_new_string(s);
	} else if (!strcmp(sig, "b")) {
		r = sd_bus_message_read(msg, "v", "b", &b);
		if (r >= 0)
			*out = json_object_new_boolean(b);
	} else if (!strcmp(sig, "u")) {
		r = sd_bus_message_read(msg, "v", "u", &u);
		if (r >= 0)
			*out = json_object_new_uint64(u);
	} else if (!strcmp(sig, "t")) {
		r = sd_bus_message_read(msg, "v", "t", &t[0]);
		if (r >= 0 && (t[0] || !zero_is_null))
			*out = json_object_new_uint64(t[0]);
	} else if (!strcmp(sig, "(tt)")) {
		r = sd_bus_message_read(msg, "v", "(tt)", &t[0], &t[1]);
		if (r >= 0) {
			*out = json_object_new_array();
			json_object_array_add(*out, json_object_new_uint64(t[0]));
			json_object_array_add(*out, json_object_new_uint64(t[1]));
		}
	} else if (!strcmp(sig, "(tttttt)")) {
		static const char *const keys[] = { "firmware_usec", "load_usec", "auth_usec",
						    "ready_usec",    "total_usec", "image_bytes" };
		r = sd_bus_message_read(msg, "v", "(tttttt)", &t[0], &t[1], &t[2], &t[3], &t[4],
					&t[5]);
		if (r >= 0 && t[4]) {
			*out = json_object_new_object();
			for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
				json_object_object_add(*out, keys[i], json_object_new_uint64(t[i]));
		}
	} else {
		r = sd_bus_message_skip(msg, "v");
	}
	return r < 0 ? r : 0;
}

static void print_human(json_object *e)
{
	char ts[32] = "", buf[64], buf2[64];
	uint64_t usec = ctl_json_u64(e, "time_usec");
	time_t t = (time_t)(usec / USEC_PER_SEC);
	const char *name = ctl_json_str(e, "name"), *event = ctl_json_str(e, "event");
	struct tm tm;

	if (localtime_r(&t, &tm))
		strftime(ts, sizeof(ts), "%H:%M:%S", &tm);
	printf("%s.%03u ", ts, (unsigned int)(usec / 1000 % 1000));
	if (!strcmp(event, "daemon_started") || !strcmp(event, "daemon_stopped")) {
		printf("rprocd %s\n", event + strlen("daemon_"));
		return;
	}
	printf("%-8s", name);
	if (!strcmp(event, "initial")) {
		/* the first line: the essentials, status has the rest */
		printf(" state %s firmware %s\n", ctl_json_str(e, "state") ?: "-",
		       ctl_json_str(e, "firmware") ?: "-");
		return;
	}
	json_object_object_foreach(e, key, val)
	{
		const char *s = json_object_get_string(val);

		if (!strcmp(key, "time_usec") || !strcmp(key, "event") || !strcmp(key, "name"))
			continue;
		if (!strcmp(key, "state")) {
			const char *on = !strcmp(s, "running")				 ? ctl_ansi_green() :
					 !strcmp(s, "failed") || !strcmp(s, "crashed") ? ctl_ansi_red() :
											   "";
			printf(" state %s%s%s", on, s, *on ? ctl_ansi_normal() : "");
		} else if (!strcmp(key, "progress")) {
			uint64_t done = json_object_get_uint64(json_object_array_get_idx(val, 0));
			uint64_t total = json_object_get_uint64(json_object_array_get_idx(val, 1));
			if (!total)
				continue;
			ctl_format_bytes(done, buf, sizeof(buf));
			ctl_format_bytes(total, buf2, sizeof(buf2));
			printf(" loaded %s of %s", buf, buf2);
		} else if (!strcmp(key, "boot_time_usec") && val) {
			ctl_format_usec(json_object_get_uint64(val), buf, sizeof(buf));
			printf(" boot %s", buf);
		} else if (!strcmp(key, "timings") || !strcmp(key, "state_change_timestamp") ||
			   !strcmp(key, "firmware_path") || !strcmp(key, "boot_time_usec")) {
			continue; /* said by the lines around them */
		} else if (!strcmp(key, "phase") && !val) {
			continue;
		} else {
			printf(" %s %s", key, val ? s : "-");
		}
	}
	putchar('\n');
}

static void emit(struct monitor *m, json_object *e)
{
	if (m->o->json)
		ju_print(stdout, e, false); /* JSON lines: one object per line */
	else
		print_human(e);
	fflush(stdout);
}

static json_object *event_new(const char *event, const char *name)
{
	json_object *e = json_object_new_object();

	if (e && (ju_add_u64(e, "time_usec", now_usec(CLOCK_REALTIME)) < 0 ||
		  ju_add_str(e, "event", event) < 0 || ju_add_str(e, "name", name) < 0)) {
		json_object_put(e);
		return NULL;
	}
	return e;
}

static int on_properties_changed(sd_bus_message *msg, void *userdata, sd_bus_error *err)
{
	struct monitor *m = userdata;
	_cleanup_free_ char *name = NULL;
	_cleanup_(json_object_putp) json_object *e = NULL;
	const char *iface;
	bool any = false;
	int r;

	r = sd_bus_path_decode(sd_bus_message_get_path(msg), RPROCD_RPROC_PATH_PREFIX, &name);
	if (r <= 0 || !wanted(m, name))
		return 0;
	if (sd_bus_message_read(msg, "s", &iface) < 0 || strcmp(iface, RPROCD_RPROC_IFACE))
		return 0;
	e = event_new("changed", name);
	if (!e || sd_bus_message_enter_container(msg, 'a', "{sv}") < 0)
		return 0;
	while (sd_bus_message_enter_container(msg, 'e', "sv") > 0) {
		const char *prop, *key = NULL;
		bool zero_is_null = false;
		json_object *v;

		if (sd_bus_message_read(msg, "s", &prop) < 0)
			return 0;
		for (size_t i = 0; i < ARRAY_SIZE(props); i++)
			if (!strcmp(props[i].prop, prop)) {
				key = props[i].key;
				zero_is_null = props[i].zero_is_null;
			}
		if (!key) {
			sd_bus_message_skip(msg, "v");
		} else if (read_value(msg, zero_is_null, &v) >= 0) {
			json_object_object_add(e, key, v);
			any = true;
		}
		sd_bus_message_exit_container(msg);
	}
	if (any)
		emit(m, e);
	return 0;
}

/* The first line of each core: its whole state in the schema. */
static int print_initial(struct monitor *m)
{
	_cleanup_(json_object_putp) json_object *root = NULL;
	json_object *a;
	int r;

	r = ctl_fetch_describe(m->o, &root);
	if (r)
		return r;
	r = ctl_check_names(root, m->names, m->n_names, CTL_EXIT_NOT_FOUND);
	if (r)
		return r;
	a = json_object_object_get(root, "rprocs");
	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		json_object *c = json_object_array_get_idx(a, i);
		_cleanup_(json_object_putp) json_object *e = NULL, *s = NULL;
		const char *name = ctl_json_str(c, "name");

		if (!name || !wanted(m, name))
			continue;
		e = event_new("initial", name);
		s = ctl_rproc_json(c);
		if (!e || !s)
			return CTL_EXIT_FAILURE;
		json_object_object_foreach(s, key, val)
			if (strcmp(key, "name"))
				json_object_object_add(e, key, json_object_get(val));
		emit(m, e);
	}
	return CTL_EXIT_OK;
}

static int on_name_owner_changed(sd_bus_message *msg, void *userdata, sd_bus_error *err)
{
	struct monitor *m = userdata;
	_cleanup_(json_object_putp) json_object *e = NULL;
	const char *name, *old, *new;

	if (sd_bus_message_read(msg, "sss", &name, &old, &new) < 0 || strcmp(name, RPROCD_BUS_NAME))
		return 0;
	e = event_new(*new ? "daemon_started" : "daemon_stopped", NULL);
	if (e)
		emit(m, e);
	return 0;
}

int ctl_monitor(const struct ctl_opts *o, int argc, char **argv)
{
	_cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
	_cleanup_(sd_event_unrefp) sd_event *ev = NULL;
	_cleanup_(sd_bus_slot_unrefp) sd_bus_slot *s1 = NULL, *s2 = NULL;
	struct monitor m = { .o = o, .names = argv + 1, .n_names = argc - 1 };
	sigset_t ss;
	int r;

	r = ctl_bus_open(o, &bus);
	if (r)
		return r;
	r = sd_bus_match_signal(bus, &s1, RPROCD_BUS_NAME, NULL, "org.freedesktop.DBus.Properties",
				"PropertiesChanged", on_properties_changed, &m);
	if (r >= 0)
		r = sd_bus_add_match(bus, &s2,
				     "type='signal',sender='org.freedesktop.DBus',"
				     "interface='org.freedesktop.DBus',member='NameOwnerChanged',"
				     "arg0='" RPROCD_BUS_NAME "'",
				     on_name_owner_changed, &m);
	if (r < 0) {
		fprintf(stderr, "rprocctl: cannot watch for changes: %s\n", strerror(-r));
		return CTL_EXIT_FAILURE;
	}
	r = print_initial(&m);
	if (r)
		return r;

	sigemptyset(&ss);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGTERM);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	r = sd_event_default(&ev);
	if (r >= 0)
		r = sd_event_add_signal(ev, NULL, SIGINT, NULL, NULL);
	if (r >= 0)
		r = sd_event_add_signal(ev, NULL, SIGTERM, NULL, NULL);
	if (r >= 0)
		r = sd_bus_attach_event(bus, ev, SD_EVENT_PRIORITY_NORMAL);
	if (r >= 0)
		r = sd_event_loop(ev);
	if (r < 0) {
		fprintf(stderr, "rprocctl: monitor: %s\n", strerror(-r));
		return CTL_EXIT_FAILURE;
	}
	return CTL_EXIT_OK;
}
