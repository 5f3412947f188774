/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rprocd --check: the real backend's host self-test, printed line by line. */
#ifndef RPROCD_CHECK_RUN_H
#define RPROCD_CHECK_RUN_H

#include "manager.h"

/* Exit status: 0 only if every enabled core could start. */
int rprocd_check(const struct manager_args *args);

#endif
