/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rprocd logging: structured journal entries (RPROC=, PAS_ID=, STEP=, ERRNO=) when running
 * under journald, plain "rprocd: core: step: message" lines on stderr otherwise.  The text is
 * the same on both; the message comes without the core and the step, which are given apart.
 */
#ifndef RPROCD_LOG_H
#define RPROCD_LOG_H

#include <stdbool.h>

#include "rproc/error.h"
#include "util.h"

enum log_target {
	LOG_TARGET_AUTO,    /* journal if stderr is connected to it (JOURNAL_STREAM), else console */
	LOG_TARGET_JOURNAL,
	LOG_TARGET_CONSOLE,
	_LOG_TARGET_MAX,
};

void log_setup(enum log_target target, int max_level);
void log_set_max_level(int level);
int log_get_max_level(void);
/* "err", "warning", "notice", "info", "debug" or a digit 0..7; -EINVAL otherwise. */
int log_level_from_string(const char *s);
int log_target_from_string(const char *s);

/* Maps a core name to its PAS id for the PAS_ID= field (-1: unknown). */
typedef int (*log_pas_lookup_fn)(const char *core, void *userdata);
void log_set_pas_lookup(log_pas_lookup_fn fn, void *userdata);

/*
 * log_full() - one log line, "core: step: message".  @core and @step may be NULL; @err is a
 * negative errno or 0: it goes to the ERRNO= field, and the text names it only where @fmt says
 * %m (as in "cannot open %s: %m").  Returns @err so error paths can "return log_full(...)".
 */
int log_full(int level, const char *core, const char *step, int err, const char *fmt, ...)
	_printf_(5, 6);

/* Extra journal fields ("KEY=value" strings, NULL-terminated) for lines such as start timings. */
int log_fields(int level, const char *core, const char *const *fields, const char *fmt, ...)
	_printf_(4, 5);

/* log_full() with extra journal fields, such as an event's MESSAGE_ID= (message-id.h). */
int log_full_fields(int level, const char *core, const char *step, int err,
		    const char *const *fields, const char *fmt, ...) _printf_(6, 7);

#define log_error(...) log_full(RPROC_LOG_ERR, NULL, NULL, 0, __VA_ARGS__)
#define log_warning(...) log_full(RPROC_LOG_WARNING, NULL, NULL, 0, __VA_ARGS__)
#define log_notice(...) log_full(RPROC_LOG_NOTICE, NULL, NULL, 0, __VA_ARGS__)
#define log_info(...) log_full(RPROC_LOG_INFO, NULL, NULL, 0, __VA_ARGS__)
#define log_debug(...) log_full(RPROC_LOG_DEBUG, NULL, NULL, 0, __VA_ARGS__)
#define log_error_errno(e, ...) log_full(RPROC_LOG_ERR, NULL, NULL, (e), __VA_ARGS__)
#define log_warning_errno(e, ...) log_full(RPROC_LOG_WARNING, NULL, NULL, (e), __VA_ARGS__)
#define log_debug_errno(e, ...) log_full(RPROC_LOG_DEBUG, NULL, NULL, (e), __VA_ARGS__)

/* librproc's log callback (rproc_log_set()). */
void log_rproc_cb(void *userdata, int level, const char *core, const char *step, int err,
		  const char *msg);

#endif
