// SPDX-License-Identifier: GPL-2.0-or-later
/* rprocctl: control rprocd (online commands) and inspect trees and images (offline). */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check-run.h"
#include "config.h"
#include "ctl.h"
#include "util.h"

static void help(void)
{
	printf("Usage: rprocctl [OPTIONS] COMMAND [NAME...]\n\n"
	       "Commands talking to rprocd:\n"
	       "  list                 list the remote processors and their state\n"
	       "  status [NAME...]     show the state of remote processors in detail\n"
	       "  start NAME...        start remote processors (in parallel)\n"
	       "  stop NAME...         stop remote processors\n"
	       "  restart NAME...      stop, then start remote processors\n"
	       "  reload               make rprocd re-read its configuration\n"
	       "Offline commands (no daemon needed; see rprocctl COMMAND --help):\n"
	       "  check                check this host for the real backend (ok/warn/fail + fix)\n"
	       "  describe             what rprocd would do with a device tree\n"
	       "  inspect FILE         parse and check a firmware image\n\n"
	       "Options:\n"
	       "  -j --json            machine-readable output (list, status)\n"
	       "     --user            talk to rprocd on the session bus\n"
	       "     --no-block        return once a start/stop/restart is accepted\n"
	       "  -n --lines N         journal lines in status (default 10)\n"
	       "  -q --quiet           print less\n"
	       "     --config FILE     check: the rprocd configuration to read\n"
	       "     --dtb FILE        check: use this device tree, not the live one\n"
	       "  -h --help            show this help\n"
	       "  -V --version         show the version\n\n"
	       "Exit status: 0 ok, 1 failure, 2 usage, 3 not found, 4 permission denied,\n"
	       "5 start/stop failed, 6 rprocd not reachable.\n");
}

/* The offline commands parse their own options, so they must come first on the line. */
#define VERB_OWN_OPTIONS (1u << 0)
#define VERB_ANY UINT_MAX

struct verb {
	const char *name;
	unsigned int min_args, max_args; /* after the verb itself */
	unsigned int flags;
	int (*run)(const struct ctl_opts *o, int argc, char **argv); /* argv[0]: the verb */
};

static int verb_check(const struct ctl_opts *o, int argc, char **argv)
{
	return check_run(o->config, o->dtb, NULL, 0);
}

static int verb_describe(const struct ctl_opts *o, int argc, char **argv)
{
	return ctl_describe(argc, argv);
}

static int verb_inspect(const struct ctl_opts *o, int argc, char **argv)
{
	return ctl_inspect(argc, argv);
}

static const struct verb verbs[] = {
	{ "list", 0, 0, 0, ctl_list },
	{ "status", 0, VERB_ANY, 0, ctl_status },
	{ "start", 1, VERB_ANY, 0, ctl_action },
	{ "stop", 1, VERB_ANY, 0, ctl_action },
	{ "restart", 1, VERB_ANY, 0, ctl_action },
	{ "reload", 0, 0, 0, ctl_reload },
	{ "check", 0, 0, 0, verb_check },
	{ "describe", 0, VERB_ANY, VERB_OWN_OPTIONS, verb_describe },
	{ "inspect", 0, VERB_ANY, VERB_OWN_OPTIONS, verb_inspect },
};

static const struct verb *verb_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		if (!strcmp(verbs[i].name, name))
			return &verbs[i];
	return NULL;
}

static int verb_dispatch(const struct ctl_opts *o, int argc, char **argv)
{
	const struct verb *v = verb_find(argv[0]);
	unsigned int n = (unsigned int)argc - 1;

	if (!v) {
		fprintf(stderr, "rprocctl: unknown command '%s' (see --help)\n", argv[0]);
		return CTL_EXIT_USAGE;
	}
	if (v->flags & VERB_OWN_OPTIONS) {
		fprintf(stderr, "rprocctl: give '%s' first: rprocctl %s [OPTIONS] ...\n", v->name,
			v->name);
		return CTL_EXIT_USAGE;
	}
	if (n < v->min_args || n > v->max_args) {
		fprintf(stderr, "rprocctl: %s: wrong number of arguments (see --help)\n", v->name);
		return CTL_EXIT_USAGE;
	}
	return v->run(o, argc, argv);
}

int main(int argc, char **argv)
{
	enum { ARG_USER = 0x100, ARG_NO_BLOCK, ARG_CONFIG, ARG_DTB };
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "user", no_argument, NULL, ARG_USER },
		{ "no-block", no_argument, NULL, ARG_NO_BLOCK },
		{ "lines", required_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "config", required_argument, NULL, ARG_CONFIG },
		{ "dtb", required_argument, NULL, ARG_DTB },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{},
	};
	const struct verb *first = argc >= 2 ? verb_find(argv[1]) : NULL;
	struct ctl_opts o = { .lines = 10 };
	char *end;
	int c;

	if (first && first->flags & VERB_OWN_OPTIONS)
		return first->run(NULL, argc - 1, argv + 1);
	while ((c = getopt_long(argc, argv, "jn:qhV", opts, NULL)) >= 0) {
		switch (c) {
		case 'j':
			o.json = true;
			break;
		case ARG_USER:
			o.user = true;
			break;
		case ARG_NO_BLOCK:
			o.no_block = true;
			break;
		case 'n':
			o.lines = (unsigned int)strtoul(optarg, &end, 10);
			if (*end || !*optarg) {
				fprintf(stderr, "rprocctl: --lines: not a number: %s\n", optarg);
				return CTL_EXIT_USAGE;
			}
			break;
		case 'q':
			o.quiet = true;
			break;
		case ARG_CONFIG:
			o.config = optarg;
			break;
		case ARG_DTB:
			o.dtb = optarg;
			break;
		case 'h':
			help();
			return CTL_EXIT_OK;
		case 'V':
			printf("rprocctl %s\n", PACKAGE_VERSION);
			return CTL_EXIT_OK;
		default:
			return CTL_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		help();
		return CTL_EXIT_USAGE;
	}
	return verb_dispatch(&o, argc - optind, argv + optind);
}
