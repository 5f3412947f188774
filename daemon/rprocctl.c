// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <string.h>

#include "ctl.h"

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: rprocctl COMMAND ...\n");
		return CTL_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "describe"))
		return ctl_describe(argc - 1, argv + 1);
	if (!strcmp(argv[1], "inspect"))
		return ctl_inspect(argc - 1, argv + 1);
	fprintf(stderr, "rprocctl: unknown command '%s'\n", argv[1]);
	return CTL_EXIT_USAGE;
}
