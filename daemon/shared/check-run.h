/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `rprocd --check` and `rprocctl check`: the real backend's host self-test, line by line. */
#ifndef RPROCD_CHECK_RUN_H
#define RPROCD_CHECK_RUN_H

#include <stddef.h>

/*
 * check_run() - read the configuration (@config or the default files) and the tree (@dtb or
 * the live one), run rproc_check_run() and print every line as ok/warn/fail with its fix.
 * @json: 0 for the lines, 1 for one JSON document on a line, 2 for it pretty-printed.
 * Returns the exit status: 0 only if every enabled core can start.
 */
int check_run(const char *config, const char *dtb, char *const *fw_dirs, size_t n_fw_dirs,
	      int json);

#endif
