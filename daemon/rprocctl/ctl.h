/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rprocctl subcommands.  Each returns the process exit status. */
#ifndef RPROCCTL_CTL_H
#define RPROCCTL_CTL_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Exit codes: systemctl's, which are LSB's (documented in rprocctl(1), EXIT STATUS).  The
 * status verbs (status, is-active, is-failed) answer with LSB's status codes, the others
 * with its action codes: 4 means "no such core" to the first and "permission denied" to the
 * second, as in systemctl.
 */
enum {
	CTL_EXIT_OK = 0,
	CTL_EXIT_FAILURE = 1,       /* a failed start/stop/check, a busy core, a bad reply */
	CTL_EXIT_USAGE = 2,         /* bad command line */
	CTL_EXIT_NOT_RUNNING = 3,   /* status, is-active: a named core is not running */
	CTL_EXIT_PERMISSION = 4,    /* permission denied */
	CTL_EXIT_UNKNOWN = 4,       /* status, is-active, is-failed: no such core */
	CTL_EXIT_NOT_FOUND = 5,     /* no such remote processor, coredump or file */
	CTL_EXIT_CONF_WARNINGS = 6, /* reload: applied, but the configuration has warnings */
	CTL_EXIT_NO_DAEMON = 7,     /* rprocd is not running (not on the bus) */
};

enum ctl_json {
	CTL_JSON_OFF,
	CTL_JSON_PRETTY,
	CTL_JSON_SHORT,
};

/* argv[0] is the subcommand name; getopt-style options follow. */
int ctl_describe(int argc, char **argv);
int ctl_inspect(int argc, char **argv);

struct ctl_opts {
	enum ctl_json json;
	bool user;     /* session bus */
	const char *host; /* -H: [USER@]HOST through ssh */
	bool no_block; /* return once the job is accepted */
	bool warnings_ok; /* reload: a configuration applied with warnings exits 0 */
	bool quiet;
	bool no_pager;
	bool no_legend;
	bool ask_password; /* interactive authorization (polkit) allowed */
	bool full;         /* no ellipsis in tables */
	bool follow;       /* logs -f */
	unsigned int lines; /* journal lines in status and logs */
	bool lines_set;
	const char *config;    /* check, coredump: the configuration to read */
	const char *dtb;       /* check */
	const char *directory; /* coredump: instead of CoredumpDirectory= */
	const char *output;    /* coredump dump -o */
	const char *debugger;  /* coredump debug */
	const char *debugger_args;
	const char *firmware;  /* coredump debug: the image, for its symbols */
};

/* Verbs: argv[0] is the verb, its arguments follow. */
int ctl_list(const struct ctl_opts *o, int argc, char **argv);
int ctl_status(const struct ctl_opts *o, int argc, char **argv);
/* argv[0]: "is-active" or "is-failed". */
int ctl_is_state(const struct ctl_opts *o, int argc, char **argv);
/* argv[0]: "start", "stop" or "restart". */
int ctl_action(const struct ctl_opts *o, int argc, char **argv);
int ctl_reload(const struct ctl_opts *o, int argc, char **argv);
int ctl_set_firmware(const struct ctl_opts *o, int argc, char **argv);
int ctl_monitor(const struct ctl_opts *o, int argc, char **argv);
int ctl_logs(const struct ctl_opts *o, int argc, char **argv);
/* argv[0]: "coredump", argv[1]: list, info, dump or debug. */
int ctl_coredump(const struct ctl_opts *o, int argc, char **argv);
int ctl_check(const struct ctl_opts *o, int argc, char **argv);

/*
 * --json[=MODE] (@arg NULL for a plain --json or -j: pretty on a terminal, one line
 * otherwise).  1: parsed; 0: "help" was asked and answered; -1: bad mode, said on stderr.
 */
int ctl_parse_json(const char *arg, enum ctl_json *out);
/* The entry of @known closest to @name (a typo, a prefix), or NULL if none is close. */
const char *ctl_did_you_mean(const char *name, const char *const *known, size_t n);

#endif
