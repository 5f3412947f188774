/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The journal lines of one core (RPROC=<name>): status shows the last few, logs all. */
#ifndef RPROCCTL_CTL_JOURNAL_H
#define RPROCCTL_CTL_JOURNAL_H

#include <stdbool.h>

#include "ctl.h"

/*
 * Print the last @lines entries of @name (0: all), an empty line first if @gap and there are
 * any.  Quietly nothing when the journal cannot be read.  0 or a negative errno.
 */
int ctl_journal_show(const struct ctl_opts *o, const char *name, unsigned int lines, bool gap);

#endif
