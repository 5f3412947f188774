// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>

#include "ctl.h"

int ctl_inspect(int argc, char **argv)
{
	fprintf(stderr, "rprocctl inspect: not implemented yet\n");
	return CTL_EXIT_FAILURE;
}
