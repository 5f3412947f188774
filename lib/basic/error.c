// SPDX-License-Identifier: LGPL-2.1-or-later
#include <stdio.h>
#include <string.h>

#include "errno-util.h"
#include "rproc/error.h"

static rproc_log_fn log_fn;
static void *log_userdata;
static int log_max = RPROC_LOG_INFO;

int rproc_err(struct rproc_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf_errno(err->msg, sizeof(err->msg), code, fmt, ap);
	va_end(ap);
	return code;
}

int rproc_err_prefix(struct rproc_error *err, int code, const char *fmt, ...)
{
	char prefix[RPROC_ERROR_MAX], old[RPROC_ERROR_MAX];
	va_list ap;

	if (!err)
		return code;
	if (!err->code)
		err->code = code;
	va_start(ap, fmt);
	vsnprintf_errno(prefix, sizeof(prefix), err->code, fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old);
	return err->code;
}

void rproc_log_set(rproc_log_fn fn, void *userdata, int max_level)
{
	log_fn = fn;
	log_userdata = userdata;
	log_max = max_level;
}

void rproc_log(int level, const char *core, const char *step, int err, const char *fmt, ...)
{
	char msg[RPROC_ERROR_MAX];
	va_list ap;

	if (!log_fn || level > log_max)
		return;
	va_start(ap, fmt);
	vsnprintf_errno(msg, sizeof(msg), err, fmt, ap);
	va_end(ap);
	log_fn(log_userdata, level, core, step, err, msg);
}
