// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include "errno-util.h"
#include "log.h"
#include "string-table.h"

static bool use_journal;
static int max_level = RPROC_LOG_INFO;
static log_pas_lookup_fn pas_lookup;
static void *pas_lookup_userdata;

/* The service manager sets JOURNAL_STREAM to the device:inode of the stream it connected. */
static bool stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
		return false;
	if (fstat(STDERR_FILENO, &st) < 0)
		return false;
	return st.st_dev == dev && st.st_ino == ino;
}

void log_setup(enum log_target target, int level)
{
	switch (target) {
	case LOG_TARGET_JOURNAL:
		use_journal = true;
		break;
	case LOG_TARGET_CONSOLE:
		use_journal = false;
		break;
	default:
		use_journal = stderr_is_journal();
		break;
	}
	log_set_max_level(level);
}

void log_set_max_level(int level)
{
	max_level = level;
	rproc_log_set(log_rproc_cb, NULL, level);
}

int log_get_max_level(void)
{
	return max_level;
}

static const char *const level_names[] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};

int log_level_from_string(const char *s)
{
	if (!s)
		return -EINVAL;
	if (s[0] >= '0' && s[0] <= '7' && s[1] == '\0')
		return s[0] - '0';
	for (size_t i = 0; i < ARRAY_SIZE(level_names); i++)
		if (!strcasecmp(s, level_names[i]))
			return (int)i;
	if (!strcasecmp(s, "error"))
		return RPROC_LOG_ERR;
	return -EINVAL;
}

static const char *const log_target_table[_LOG_TARGET_MAX] = {
	[LOG_TARGET_AUTO] = "auto",
	[LOG_TARGET_JOURNAL] = "journal",
	[LOG_TARGET_CONSOLE] = "console",
};
DEFINE_STRING_TABLE_LOOKUP_FROM_STRING(log_target, enum log_target)

void log_set_pas_lookup(log_pas_lookup_fn fn, void *userdata)
{
	pas_lookup = fn;
	pas_lookup_userdata = userdata;
}

#define LOG_MAX_FIELDS 16

/* The text is "core: step: message"; the fields carry core and step again, and the errno. */
static void log_emit(int level, const char *core, const char *step, int err,
		     const char *const *fields, const char *msg)
{
	if (level > max_level)
		return;

	if (!use_journal) {
		fprintf(stderr, "rprocd: %s%s%s%s%s\n", core ? core : "", core ? ": " : "",
			step ? step : "", step ? ": " : "", msg);
		return;
	}

	char f_msg[RPROC_ERROR_MAX + 64], f_prio[16], f_core[48], f_pas[24], f_step[48], f_err[24];
	struct iovec iov[LOG_MAX_FIELDS + 8];
	size_t n = 0;

#define ADD(buf, ...)                                                                              \
	do {                                                                                       \
		int _l = snprintf(buf, sizeof(buf), __VA_ARGS__);                                  \
		if (_l > (int)sizeof(buf) - 1)                                                     \
			_l = (int)sizeof(buf) - 1;                                                 \
		iov[n++] = (struct iovec){ .iov_base = buf, .iov_len = (size_t)_l };               \
	} while (0)

	ADD(f_msg, "MESSAGE=%s%s%s%s%s", core ? core : "", core ? ": " : "", step ? step : "",
	    step ? ": " : "", msg);
	ADD(f_prio, "PRIORITY=%d", level);
	if (core) {
		ADD(f_core, "RPROC=%s", core);
		int pas = pas_lookup ? pas_lookup(core, pas_lookup_userdata) : -1;
		if (pas >= 0)
			ADD(f_pas, "PAS_ID=%d", pas);
	}
	if (step)
		ADD(f_step, "STEP=%s", step);
	if (err < 0)
		ADD(f_err, "ERRNO=%d", -err);
#undef ADD
	for (size_t i = 0; fields && fields[i] && i < LOG_MAX_FIELDS; i++)
		iov[n++] = (struct iovec){ .iov_base = (void *)fields[i],
					   .iov_len = strlen(fields[i]) };
	sd_journal_sendv(iov, (int)n);
}

_printf_(6, 0) static int log_va(int level, const char *core, const char *step, int err,
				 const char *const *fields, const char *fmt, va_list ap)
{
	char msg[RPROC_ERROR_MAX];

	if (level > max_level)
		return err;
	vsnprintf_errno(msg, sizeof(msg), err, fmt, ap);
	log_emit(level, core, step, err, fields, msg);
	return err;
}

int log_full(int level, const char *core, const char *step, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_va(level, core, step, err, NULL, fmt, ap);
	va_end(ap);
	return err;
}

int log_fields(int level, const char *core, const char *const *fields, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_va(level, core, NULL, 0, fields, fmt, ap);
	va_end(ap);
	return 0;
}

int log_full_fields(int level, const char *core, const char *step, int err,
		    const char *const *fields, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_va(level, core, step, err, fields, fmt, ap);
	va_end(ap);
	return err;
}

void log_rproc_cb(void *userdata, int level, const char *core, const char *step, int err,
		  const char *msg)
{
	log_emit(level, core, step, err, NULL, msg);
}
