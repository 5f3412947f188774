/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rprocctl subcommands.  Each returns the process exit status. */
#ifndef RPROCCTL_CTL_H
#define RPROCCTL_CTL_H

#include <stdbool.h>

/* Exit codes (documented in rprocctl(1)). */
enum {
	CTL_EXIT_OK = 0,
	CTL_EXIT_FAILURE = 1,      /* generic failure, or a check/verification failed */
	CTL_EXIT_USAGE = 2,        /* bad command line */
	CTL_EXIT_NOT_FOUND = 3,    /* no such remote processor / file */
	CTL_EXIT_PERMISSION = 4,   /* permission denied */
	CTL_EXIT_START_FAILED = 5, /* a start (or stop) did not complete */
	CTL_EXIT_NO_DAEMON = 6,    /* rprocd not reachable on the bus */
};

/* argv[0] is the subcommand name; getopt-style options follow. */
int ctl_describe(int argc, char **argv);
int ctl_inspect(int argc, char **argv);

/* Online commands (ctl-bus.c, ctl-status.c): talk to rprocd over D-Bus. */
struct ctl_opts {
	bool json;
	bool user;     /* session bus */
	bool no_block; /* return once the job is accepted */
	bool quiet;
	unsigned int lines; /* journal lines in status */
	const char *config; /* check */
	const char *dtb;    /* check */
};

/* Verbs: argv[0] is the verb, the names of remote processors follow. */
int ctl_list(const struct ctl_opts *o, int argc, char **argv);
int ctl_status(const struct ctl_opts *o, int argc, char **argv);
/* argv[0]: "start", "stop" or "restart". */
int ctl_action(const struct ctl_opts *o, int argc, char **argv);
int ctl_reload(const struct ctl_opts *o, int argc, char **argv);

#endif
