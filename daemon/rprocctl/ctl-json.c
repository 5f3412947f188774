// SPDX-License-Identifier: GPL-2.0-or-later
/* --json[=MODE], one meaning for every verb, the offline ones (describe, inspect) included. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"

int ctl_parse_json(const char *arg, enum ctl_json *out)
{
	if (!arg)
		*out = isatty(STDOUT_FILENO) ? CTL_JSON_PRETTY : CTL_JSON_SHORT;
	else if (!strcmp(arg, "pretty"))
		*out = CTL_JSON_PRETTY;
	else if (!strcmp(arg, "short"))
		*out = CTL_JSON_SHORT;
	else if (!strcmp(arg, "off"))
		*out = CTL_JSON_OFF;
	else if (!strcmp(arg, "help")) {
		printf("pretty\nshort\noff\n");
		return 0;
	} else {
		fprintf(stderr, "rprocctl: --json=%s: expected pretty, short or off\n", arg);
		return -1;
	}
	return 1;
}
