/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Error reporting for librproc.
 *
 * The library never prints and never exits.  Functions return 0 (or a positive count) on
 * success and a negative errno on failure; when the caller passes a struct rproc_error, a
 * human-readable message says what failed and, where possible, how to fix it (which node and
 * property, which file and offset, which paths were tried).
 *
 * Functions that act on one remote processor do not repeat its name in the message, and the
 * lifecycle keeps a failed step apart from its message (rproc_info.last_error_step): the
 * caller, who knows both, says them once.  In the formats below "%m" names @code (or @err).
 *
 * Progress and diagnostics that are not errors go through the log callback (rproc_log_set()).
 */
#ifndef RPROC_ERROR_H
#define RPROC_ERROR_H

#include <stdarg.h>

#define RPROC_ERROR_MAX 1024

struct rproc_error {
	int code;                  /* negative errno, 0 if unset */
	char msg[RPROC_ERROR_MAX]; /* "" if unset */
};

/*
 * rproc_err() - fill @err (may be NULL) with -@code and a formatted message.
 * Returns @code unchanged (negative errno) so callers can "return rproc_err(err, -EINVAL, ...)".
 */
int rproc_err(struct rproc_error *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Prefix the message already in @err with "prefix: ". Returns err->code (or @code if unset). */
int rproc_err_prefix(struct rproc_error *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Log levels follow syslog. */
enum {
	RPROC_LOG_ERR = 3,
	RPROC_LOG_WARNING = 4,
	RPROC_LOG_NOTICE = 5,
	RPROC_LOG_INFO = 6,
	RPROC_LOG_DEBUG = 7,
};

/*
 * Log callback: @core is the remote processor's name (or NULL), @step the lifecycle step or
 * subsystem (or NULL), @err a negative errno or 0.  The daemon maps these to journal fields
 * RPROC=, STEP=, ERRNO=.
 */
typedef void (*rproc_log_fn)(void *userdata, int level, const char *core, const char *step,
			     int err, const char *msg);

void rproc_log_set(rproc_log_fn fn, void *userdata, int max_level);
void rproc_log(int level, const char *core, const char *step, int err, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#endif
