// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rprocctl list, status, is-active, is-failed: what rprocd says of its processors, from one
 * Describe() call.  status shows one block per core in the manner of systemctl status, then
 * its journal lines.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl-bus.h"
#include "ctl-journal.h"
#include "ctl-output.h"
#include "time-util.h"
#include "util.h"

/* The PAS id, "-" when there is none (a processor rprocd cannot use). */
static void ctl_pas_id(json_object *c, char *buf, size_t len)
{
	json_object *v = json_object_object_get(c, "pas_id");

	if (!v || json_object_get_int64(v) < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%" PRId64, json_object_get_int64(v));
}

static bool is_running(json_object *c)
{
	const char *s = ctl_json_str(c, "state");

	return s && !strcmp(s, "running");
}

static const char *state_color(const char *state)
{
	if (!state)
		return "";
	if (!strcmp(state, "running"))
		return ctl_ansi_green();
	if (!strcmp(state, "failed") || !strcmp(state, "crashed"))
		return ctl_ansi_red();
	return "";
}

/* {"rprocs": [...]} in the schema, for list and status. */
static int print_rprocs_json(const struct ctl_opts *o, json_object *sel)
{
	_cleanup_(json_object_putp) json_object *out = json_object_new_object();
	json_object *a = json_object_new_array();

	if (!out || ju_add(out, "rprocs", a) < 0)
		return CTL_EXIT_FAILURE;
	for (size_t i = 0; i < json_object_array_length(sel); i++)
		if (ju_append(a, ctl_rproc_json(json_object_array_get_idx(sel, i))) < 0)
			return CTL_EXIT_FAILURE;
	return ctl_json_print(o, out) < 0 ? CTL_EXIT_FAILURE : CTL_EXIT_OK;
}

int ctl_list(const struct ctl_opts *o, int argc, char **argv)
{
	static const struct ctl_column cols[] = {
		{ "NAME", 0 },
		{ "STATE", CTL_COL_COLOR },
		{ "PAS", CTL_COL_RIGHT },
		{ "FIRMWARE", CTL_COL_SHORTEN },
		{ "BOOT", CTL_COL_RIGHT },
		{ "CRASHES", CTL_COL_RIGHT },
	};
	_cleanup_(json_object_putp) json_object *root = NULL;
	struct ctl_table *t;
	json_object *a;
	size_t n;
	int r;

	r = ctl_fetch_describe(o, &root);
	if (r)
		return r;
	a = json_object_object_get(root, "rprocs");
	if (o->json)
		return print_rprocs_json(o, a);
	n = a ? json_object_array_length(a) : 0;
	t = ctl_table_new(o, cols, ARRAY_SIZE(cols));
	if (!t)
		return CTL_EXIT_FAILURE;
	for (size_t i = 0; i < n; i++) {
		json_object *c = json_object_array_get_idx(a, i);
		char pas[16], boot[32] = "-", crashes[16];
		const char *cells[ARRAY_SIZE(cols)];

		ctl_pas_id(c, pas, sizeof(pas));
		if (ctl_json_u64(c, "boot_time_usec"))
			ctl_format_usec(ctl_json_u64(c, "boot_time_usec"), boot, sizeof(boot));
		snprintf(crashes, sizeof(crashes), "%" PRIu64, ctl_json_u64(c, "crash_count"));
		cells[0] = ctl_json_str(c, "name");
		cells[1] = ctl_json_str(c, "state");
		cells[2] = pas;
		cells[3] = ctl_json_str(c, "firmware");
		cells[4] = boot;
		cells[5] = crashes;
		if (ctl_table_add(t, cells, state_color(cells[1])) < 0) {
			ctl_table_free(t);
			return CTL_EXIT_FAILURE;
		}
	}
	if (ctl_table_print(t) < 0)
		return CTL_EXIT_FAILURE;
	if (!o->quiet && !o->no_legend)
		printf("\n%zu remote processor%s listed (backend %s).\n", n, n == 1 ? "" : "s",
		       ctl_json_str(root, "backend") ?: "?");
	return CTL_EXIT_OK;
}

static void format_ago(uint64_t usec, char *buf, size_t len)
{
	uint64_t now = now_usec(CLOCK_REALTIME), d;

	d = now > usec ? (now - usec) / USEC_PER_SEC : 0;
	if (d >= 86400)
		snprintf(buf, len, "%" PRIu64 "d %" PRIu64 "h ago", d / 86400, (d % 86400) / 3600);
	else if (d >= 3600)
		snprintf(buf, len, "%" PRIu64 "h %" PRIu64 "min ago", d / 3600, (d % 3600) / 60);
	else if (d >= 60)
		snprintf(buf, len, "%" PRIu64 "min %" PRIu64 "s ago", d / 60, d % 60);
	else
		snprintf(buf, len, "%" PRIu64 "s ago", d);
}

static bool json_flag(json_object *c, const char *key)
{
	return json_object_get_boolean(json_object_object_get(c, key));
}

static void show_one(json_object *c, const struct ctl_opts *o)
{
	const char *state = ctl_json_str(c, "state") ?: "?";
	const char *on = state_color(state), *off = *on ? ctl_ansi_normal() : "";
	char since[64], ago[64], buf[64], buf2[64];
	json_object *a, *t;

	printf("%s\u25cf%s %s - %s\n", on, off, ctl_json_str(c, "name"),
	       ctl_json_str(c, "compatible") ?: "?");
	if (ctl_json_u64(c, "state_change_timestamp")) {
		ctl_format_timestamp(ctl_json_u64(c, "state_change_timestamp"), since, sizeof(since));
		format_ago(ctl_json_u64(c, "state_change_timestamp"), ago, sizeof(ago));
		printf("       State: %s%s%s since %s; %s\n", on, state, off, since, ago);
	} else {
		printf("       State: %s%s%s\n", on, state, off);
	}
	if (ctl_json_str(c, "phase"))
		printf("       Phase: %s\n", ctl_json_str(c, "phase"));
	printf("      Device: %s\n", ctl_json_str(c, "device") ?: "-");
	ctl_pas_id(c, buf, sizeof(buf));
	printf("      PAS id: %s\n", buf);
	printf("    Firmware: %s", ctl_json_str(c, "firmware") ?: "-");
	if (ctl_json_str(c, "firmware_path"))
		printf(" (%s)", ctl_json_str(c, "firmware_path"));
	putchar('\n');
	a = json_object_object_get(c, "carveouts");
	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		json_object *r = json_object_array_get_idx(a, i);
		uint64_t base = ctl_json_u64(r, "base"), size = ctl_json_u64(r, "size");
		ctl_format_bytes(size, buf, sizeof(buf));
		printf("    %s 0x%" PRIx64 "-0x%" PRIx64 " (%s)\n", i ? "        " : "Carveout:", base,
		       size ? base + size - 1 : base, buf);
	}
	a = json_object_object_get(c, "iommu_streams");
	printf("IOMMU streams:");
	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		json_object *s = json_object_array_get_idx(a, i);
		printf(" 0x%" PRIx64 "/0x%" PRIx64, ctl_json_u64(s, "sid"), ctl_json_u64(s, "mask"));
	}
	printf("%s\n", a && json_object_array_length(a) ? "" : " none");
	printf("     Crashes: %" PRIu64, ctl_json_u64(c, "crash_count"));
	if (ctl_json_str(c, "last_crash_reason"))
		printf(" (last: %s)", ctl_json_str(c, "last_crash_reason"));
	putchar('\n');
	if (ctl_json_str(c, "last_coredump"))
		printf("    Coredump: %s\n", ctl_json_str(c, "last_coredump"));
	if (ctl_json_str(c, "last_error"))
		printf("  Last error: %s%s%s%s%s\n", ctl_ansi_red(),
		       ctl_json_str(c, "last_error_step") ?: "",
		       ctl_json_str(c, "last_error_step") ? ": " : "", ctl_json_str(c, "last_error"),
		       ctl_ansi_normal());
	t = json_object_object_get(c, "timings");
	if (t && ctl_json_u64(t, "total_usec")) {
		ctl_format_usec(ctl_json_u64(t, "total_usec"), buf, sizeof(buf));
		ctl_format_bytes(ctl_json_u64(t, "image_bytes"), buf2, sizeof(buf2));
		printf("   Boot time: %s (firmware %.1f ms, load %.1f ms, auth %.1f ms, ready %.1f ms; %s)\n",
		       buf, ctl_json_u64(t, "firmware_usec") / 1e3, ctl_json_u64(t, "load_usec") / 1e3,
		       ctl_json_u64(t, "auth_usec") / 1e3, ctl_json_u64(t, "ready_usec") / 1e3, buf2);
	}
	printf("    Recovery: %s, auto-start %s, stop on exit %s\n",
	       json_flag(c, "recovery") ? "yes" : "no", json_flag(c, "auto_start") ? "yes" : "no",
	       json_flag(c, "stop_on_exit") ? "yes" : "no");
	/* the journal is this machine's: not the one of --host */
	if (!o->host && o->lines)
		ctl_journal_show(o, ctl_json_str(c, "name"), o->lines, true);
}

int ctl_status(const struct ctl_opts *o, int argc, char **argv)
{
	_cleanup_(json_object_putp) json_object *root = NULL, *sel = NULL;
	json_object *all;
	int r, ret = CTL_EXIT_OK;

	r = ctl_fetch_describe(o, &root);
	if (r)
		return r;
	all = json_object_object_get(root, "rprocs");
	sel = json_object_new_array();
	if (!sel)
		return CTL_EXIT_FAILURE;
	for (size_t i = 0; argc == 1 && all && i < json_object_array_length(all); i++)
		json_object_array_add(sel, json_object_get(json_object_array_get_idx(all, i)));
	/* as systemctl status: 4 for a name it does not know, else 3 if one is not running */
	for (int i = 1; i < argc; i++) {
		json_object *c = ctl_find_rproc(root, argv[i]);

		if (!c) {
			ret = ctl_no_such_rproc(root, argv[i], CTL_EXIT_UNKNOWN);
			continue;
		}
		if (!is_running(c) && ret == CTL_EXIT_OK)
			ret = CTL_EXIT_NOT_RUNNING;
		json_object_array_add(sel, json_object_get(c));
	}
	if (o->json)
		return print_rprocs_json(o, sel) ?: ret;
	for (size_t i = 0; i < json_object_array_length(sel); i++) {
		if (i)
			putchar('\n');
		show_one(json_object_array_get_idx(sel, i), o);
	}
	return ret;
}

/* is-active: 0 when every name runs, else 3; is-failed: 0 when one has failed, else 1. */
int ctl_is_state(const struct ctl_opts *o, int argc, char **argv)
{
	_cleanup_(json_object_putp) json_object *root = NULL;
	bool active = !strcmp(argv[0], "is-active"), all_running = true, any_failed = false;
	bool unknown = false;
	int r;

	r = ctl_fetch_describe(o, &root);
	if (r)
		return r;
	for (int i = 1; i < argc; i++) {
		json_object *c = ctl_find_rproc(root, argv[i]);
		const char *state = c ? ctl_json_str(c, "state") : "unknown";

		unknown |= !c;
		all_running &= c && is_running(c);
		any_failed |= c && state && !strcmp(state, "failed");
		if (!o->quiet)
			printf("%s\n", state ?: "unknown");
	}
	if (unknown)
		return CTL_EXIT_UNKNOWN;
	if (active)
		return all_running ? CTL_EXIT_OK : CTL_EXIT_NOT_RUNNING;
	return any_failed ? CTL_EXIT_OK : CTL_EXIT_FAILURE;
}
