/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Messages that name an error code: with vsnprintf_errno(), "%m" in the format stands for
 * @code (a negative errno, as the code passes them around), not for whatever errno holds.  The
 * code is given once, as a number, and the text names it where the format says so.
 */
#ifndef RPROC_ERRNO_UTIL_H
#define RPROC_ERRNO_UTIL_H

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

__attribute__((format(printf, 4, 0))) static inline void
vsnprintf_errno(char *buf, size_t len, int code, const char *fmt, va_list ap)
{
	int saved = errno;

	errno = code < 0 ? -code : code;
	vsnprintf(buf, len, fmt, ap);
	errno = saved;
}

#endif
