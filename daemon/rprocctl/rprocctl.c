// SPDX-License-Identifier: GPL-2.0-or-later
/* rprocctl: control rprocd (online commands) and inspect trees and images (offline). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check-run.h"
#include "config.h"
#include "ctl.h"

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
	struct ctl_opts o = { .lines = 10 };
	const char *cmd;
	char *end;
	int c;

	/* The offline commands parse their own options. */
	if (argc >= 2 && !strcmp(argv[1], "describe"))
		return ctl_describe(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "inspect"))
		return ctl_inspect(argc - 1, argv + 1);

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
	cmd = argv[optind++];
	char **names = argv + optind;
	int n = argc - optind;

	if (!strcmp(cmd, "list") && n == 0)
		return ctl_list(&o);
	if (!strcmp(cmd, "status"))
		return ctl_status(&o, names, n);
	if ((!strcmp(cmd, "start") || !strcmp(cmd, "stop") || !strcmp(cmd, "restart")) && n > 0)
		return ctl_action(&o, cmd, names, n);
	if (!strcmp(cmd, "reload") && n == 0)
		return ctl_reload(&o);
	if (!strcmp(cmd, "check") && n == 0)
		return check_run(o.config, o.dtb, NULL, 0);
	if (!strcmp(cmd, "describe") || !strcmp(cmd, "inspect")) {
		fprintf(stderr, "rprocctl: give '%s' first: rprocctl %s [OPTIONS] ...\n", cmd, cmd);
		return CTL_EXIT_USAGE;
	}
	if (!strcmp(cmd, "list") || !strcmp(cmd, "start") || !strcmp(cmd, "stop") ||
	    !strcmp(cmd, "restart") || !strcmp(cmd, "reload"))
		fprintf(stderr, "rprocctl: %s: wrong number of arguments (see --help)\n", cmd);
	else
		fprintf(stderr, "rprocctl: unknown command '%s' (see --help)\n", cmd);
	return CTL_EXIT_USAGE;
}
