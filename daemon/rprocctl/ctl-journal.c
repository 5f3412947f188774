// SPDX-License-Identifier: GPL-2.0-or-later
/* rprocctl logs, and the journal lines under rprocctl status. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-journal.h>
#include <time.h>

#include "ctl-bus.h"
#include "ctl-journal.h"
#include "ctl-output.h"
#include "util.h"


/* A field's value, without "NAME=", or NULL. */
static char *field(sd_journal *j, const char *name)
{
	const void *data;
	size_t len, n = strlen(name);

	if (sd_journal_get_data(j, name, &data, &len) < 0 || len <= n)
		return NULL;
	return strndup((const char *)data + n + 1, len - n - 1);
}

static int print_entry(const struct ctl_opts *o, sd_journal *j, const char *name)
{
	_cleanup_free_ char *msg = field(j, "MESSAGE"), *prio = field(j, "PRIORITY");
	_cleanup_free_ char *pid = field(j, "_PID"), *step = field(j, "STEP");
	uint64_t usec = 0;
	int p = prio ? atoi(prio) : 6;

	if (!msg)
		return 0;
	sd_journal_get_realtime_usec(j, &usec);
	if (o->json) {
		_cleanup_(json_object_putp) json_object *e = json_object_new_object();

		if (!e || ju_add_u64(e, "time_usec", usec) < 0 || ju_add_str(e, "name", name) < 0 ||
		    ju_add_int(e, "priority", p) < 0 ||
		    (pid ? ju_add_int(e, "pid", atoi(pid)) : ju_add_str(e, "pid", NULL)) < 0 ||
		    ju_add_str(e, "step", step) < 0 || ju_add_str(e, "message", msg) < 0)
			return -ENOMEM;
		/* one object per line, whatever the mode: a stream */
		return ju_print(stdout, e, false);
	} else {
		char ts[32] = "";
		time_t t = (time_t)(usec / 1000000);
		struct tm tm;
		const char *on = p <= 3 ? ctl_ansi_red() : p == 4 ? ctl_ansi_yellow() : "";

		if (localtime_r(&t, &tm))
			strftime(ts, sizeof(ts), "%b %d %H:%M:%S", &tm);
		printf("%s rprocd: %s%s%s\n", ts, on, msg, *on ? ctl_ansi_normal() : "");
	}
	return 0;
}

int ctl_journal_show(const struct ctl_opts *o, const char *name, unsigned int lines, bool gap)
{
	_cleanup_(sd_journal_closep) sd_journal *j = NULL;
	char match[64];
	unsigned int n = 0;
	int r;

	if (sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY) < 0)
		return 0;
	snprintf(match, sizeof(match), "RPROC=%s", name);
	if (sd_journal_add_match(j, match, 0) < 0)
		return 0;
	if (lines) {
		if (sd_journal_seek_tail(j) < 0)
			return 0;
		while (n < lines && sd_journal_previous(j) > 0)
			n++;
		/* positioned on the oldest of the last @lines entries */
	} else {
		if (sd_journal_seek_head(j) < 0 || sd_journal_next(j) <= 0)
			return 0;
		n = 1;
	}
	if (!n)
		return 0;
	if (gap)
		putchar('\n');
	do {
		r = print_entry(o, j, name);
		if (r < 0)
			return r;
	} while (sd_journal_next(j) > 0);
	return 0;
}

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = 1;
}

int ctl_logs(const struct ctl_opts *o, int argc, char **argv)
{
	_cleanup_(sd_journal_closep) sd_journal *j = NULL;
	char match[64];
	int r;

	if (o->host) {
		fprintf(stderr, "rprocctl: logs reads this machine's journal; on %s run "
				"journalctl RPROC=%s there\n",
			o->host, argv[1]);
		return CTL_EXIT_USAGE;
	}
	r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY);
	if (r < 0) {
		fprintf(stderr, "rprocctl: cannot open the journal: %s\n", strerror(-r));
		return CTL_EXIT_FAILURE;
	}
	/*
	 * No entries is not an error (a core that never logged); an unreadable journal says so,
	 * as journalctl does, since the lines are there for root and group adm only.
	 */
	if (sd_journal_has_persistent_files(j) == 0 && sd_journal_has_runtime_files(j) == 0)
		fprintf(stderr, "rprocctl: no journal files were found (are you in group "
				"systemd-journal or adm?)\n");
	/* -n 0: none of the old lines (with -f: only what comes); no -n: all of them */
	r = o->lines_set && !o->lines ? 0 :
					 ctl_journal_show(o, argv[1], o->lines_set ? o->lines : 0, false);
	if (r < 0) {
		fprintf(stderr, "rprocctl: writing the output failed: %s\n", strerror(-r));
		return CTL_EXIT_FAILURE;
	}
	fflush(stdout);
	if (!o->follow)
		return CTL_EXIT_OK;

	/* -f: from the end on, until interrupted */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	snprintf(match, sizeof(match), "RPROC=%s", argv[1]);
	if (sd_journal_add_match(j, match, 0) < 0 || sd_journal_seek_tail(j) < 0)
		return CTL_EXIT_FAILURE;
	sd_journal_previous(j); /* on the last entry: next() gives the new ones only */
	while (!interrupted) {
		while ((r = sd_journal_next(j)) > 0)
			if (print_entry(o, j, argv[1]) < 0)
				return CTL_EXIT_FAILURE;
		fflush(stdout);
		if (r < 0)
			return CTL_EXIT_FAILURE;
		r = sd_journal_wait(j, 250000);
		if (r < 0 && r != -EINTR)
			return CTL_EXIT_FAILURE;
	}
	return CTL_EXIT_OK;
}
