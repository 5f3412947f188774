// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>

#include "check-run.h"

int rprocd_check(const struct manager_args *args)
{
	fprintf(stderr, "rprocd: --check is not available in this build\n");
	return 1;
}
