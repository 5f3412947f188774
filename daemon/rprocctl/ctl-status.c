// SPDX-License-Identifier: GPL-2.0-or-later
/* rprocctl status: one block per core in the manner of systemctl status, then its journal. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-journal.h>
#include <time.h>
#include <unistd.h>

#include "ctl-bus.h"
#include "time-util.h"
#include "util.h"

static void format_timestamp(uint64_t usec, char *buf, size_t len)
{
	time_t t = (time_t)(usec / 1000000);
	struct tm tm;

	if (!usec || !localtime_r(&t, &tm)) {
		snprintf(buf, len, "-");
		return;
	}
	strftime(buf, len, "%a %Y-%m-%d %H:%M:%S %Z", &tm);
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

/* Recent journal lines of RPROC=<name>, if the journal is readable for us. */
static void show_journal(const char *name, unsigned int lines)
{
	_cleanup_(sd_journal_closep) sd_journal *j = NULL;
	char match[64];
	unsigned int n = 0;
	const void *data;
	size_t len;

	if (!lines || sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY) < 0)
		return;
	snprintf(match, sizeof(match), "RPROC=%s", name);
	if (sd_journal_add_match(j, match, 0) < 0 || sd_journal_seek_tail(j) < 0)
		return;
	while (n < lines && sd_journal_previous(j) > 0)
		n++;
	if (!n)
		return;
	putchar('\n');
	/* positioned on the oldest of the last @lines entries: print it and those after it */
	do {
		uint64_t usec = 0;
		char ts[32] = "";
		time_t t;
		struct tm tm;

		if (sd_journal_get_realtime_usec(j, &usec) >= 0) {
			t = (time_t)(usec / 1000000);
			if (localtime_r(&t, &tm))
				strftime(ts, sizeof(ts), "%b %d %H:%M:%S", &tm);
		}
		if (sd_journal_get_data(j, "MESSAGE", &data, &len) >= 0 && len > 8)
			printf("%s rprocd: %.*s\n", ts, (int)(len - 8), (const char *)data + 8);
	} while (sd_journal_next(j) > 0);
}

static void show_one(json_object *c, const struct ctl_opts *o, bool tty)
{
	const char *state = ctl_json_str(c, "state");
	const char *dot_on = "", *dot_off = "";
	char since[64], ago[64], buf[64], buf2[64];
	json_object *a, *t;

	if (tty) {
		dot_off = "\033[0m";
		if (!strcmp(state, "running"))
			dot_on = "\033[0;1;32m";
		else if (!strcmp(state, "failed") || !strcmp(state, "crashed"))
			dot_on = "\033[0;1;31m";
	}
	printf("%s●%s %s - %s\n", dot_on, dot_off, ctl_json_str(c, "name"),
	       ctl_json_str(c, "compatible"));
	if (ctl_json_u64(c, "state_change_timestamp")) {
		format_timestamp(ctl_json_u64(c, "state_change_timestamp"), since, sizeof(since));
		format_ago(ctl_json_u64(c, "state_change_timestamp"), ago, sizeof(ago));
		printf("       State: %s%s%s since %s; %s\n", dot_on, state, dot_off, since, ago);
	} else {
		printf("       State: %s%s%s\n", dot_on, state, dot_off);
	}
	if (*ctl_json_str(c, "phase"))
		printf("       Phase: %s\n", ctl_json_str(c, "phase"));
	printf("      Device: %s\n", ctl_json_str(c, "device"));
	printf("      PAS id: %" PRId64 "\n", json_object_get_int64(json_object_object_get(c, "pas_id")));
	printf("    Firmware: %s", ctl_json_str(c, "firmware"));
	if (*ctl_json_str(c, "firmware_path"))
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
	if (*ctl_json_str(c, "last_crash_reason"))
		printf(" (last: %s)", ctl_json_str(c, "last_crash_reason"));
	putchar('\n');
	if (*ctl_json_str(c, "last_coredump"))
		printf("    Coredump: %s\n", ctl_json_str(c, "last_coredump"));
	if (*ctl_json_str(c, "last_error"))
		printf("  Last error: %s%s%s\n", ctl_json_str(c, "last_error_step"),
		       *ctl_json_str(c, "last_error_step") ? ": " : "", ctl_json_str(c, "last_error"));
	t = json_object_object_get(c, "timings");
	if (t && ctl_json_u64(t, "total_usec")) {
		ctl_format_usec(ctl_json_u64(t, "total_usec"), buf, sizeof(buf));
		ctl_format_bytes(ctl_json_u64(t, "image_bytes"), buf2, sizeof(buf2));
		printf("   Boot time: %s (firmware %.1f ms, load %.1f ms, auth %.1f ms, ready %.1f ms; %s)\n",
		       buf, ctl_json_u64(t, "firmware_usec") / 1e3, ctl_json_u64(t, "load_usec") / 1e3,
		       ctl_json_u64(t, "auth_usec") / 1e3, ctl_json_u64(t, "ready_usec") / 1e3, buf2);
	}
	printf("    Recovery: %s, auto-start %s, stop on exit %s\n",
	       json_object_get_boolean(json_object_object_get(c, "recovery")) ? "yes" : "no",
	       json_object_get_boolean(json_object_object_get(c, "auto_start")) ? "yes" : "no",
	       json_object_get_boolean(json_object_object_get(c, "stop_on_exit")) ? "yes" : "no");
	show_journal(ctl_json_str(c, "name"), o->lines);
}

int ctl_status(const struct ctl_opts *o, int argc, char **argv)
{
	char **names = argv + 1;
	int n = argc - 1;
	_cleanup_(json_object_putp) json_object *root = NULL;
	json_object *all, *sel;
	int r, ret = CTL_EXIT_OK;

	r = ctl_fetch_describe(o, &root);
	if (r)
		return r;
	all = json_object_object_get(root, "rprocs");
	sel = json_object_new_array();
	if (n == 0) {
		for (size_t i = 0; all && i < json_object_array_length(all); i++)
			json_object_array_add(sel, json_object_get(json_object_array_get_idx(all, i)));
	}
	for (int i = 0; i < n; i++) {
		json_object *c = ctl_find_rproc(root, names[i]);
		if (!c) {
			fprintf(stderr, "rprocctl: no remote processor named '%s' (see rprocctl list)\n",
				names[i]);
			ret = CTL_EXIT_NOT_FOUND;
			continue;
		}
		json_object_array_add(sel, json_object_get(c));
	}
	if (o->json) {
		json_object *out = json_object_new_object();
		json_object_object_add(out, "rprocs", sel);
		printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(out);
	} else {
		bool tty = isatty(STDOUT_FILENO);
		for (size_t i = 0; i < json_object_array_length(sel); i++) {
			if (i)
				putchar('\n');
			show_one(json_object_array_get_idx(sel, i), o, tty);
		}
		json_object_put(sel);
	}
	return ret;
}
