// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Configuration loading.  The syntax is inih's; what this file adds is one table per section
 * that maps each key to a typed parser and the field it sets (as systemd's conf-parser does),
 * validation with the file and line of every problem (inih's handler does not get the line
 * number in Debian's build, so the reader below counts lines itself) and systemd-style drop-in
 * directories.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "config.h"
#include "conf.h"
#include "fd-util.h"
#include "safe-path.h"
#include "rproc/fw.h"
#include "rproc/rproc.h"
#include "log.h"
#include "string-table.h"

#define CONF_MAX_RPROCS 256
#define CONF_MAX_FW_DIRS 16

struct parse_ctx {
	struct conf *c;
	const char *file;
	conf_warn_fn warn;
	void *ud;
	/* reader state */
	const char *p;
	unsigned int next_line;
	unsigned int line; /* line of the text handed to inih last */
};

static void conf_warn(struct parse_ctx *x, const char *fmt, ...) _printf_(2, 3);
static void conf_warn(struct parse_ctx *x, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	x->c->n_warnings++;
	if (x->warn)
		x->warn(x->file, x->line, msg, x->ud);
	else if (x->file && x->file[0])
		log_warning("%s:%u: %s", x->file, x->line, msg);
	else
		log_warning("%s", msg); /* not from a line */
}

void conf_init(struct conf *c)
{
	*c = (struct conf){
		.backend = CONF_BACKEND_AUTO,
		.iommu = CONF_IOMMU_AUTO,
		.coredump_dir = strdup(CONF_DEFAULT_COREDUMP_DIR),
		.coredump_max = CONF_DEFAULT_COREDUMP_MAX,
		.coredump_max_use = { .percent = CONF_DEFAULT_COREDUMP_MAX_USE_PERCENT },
		.coredump_keep_free = { .percent = CONF_DEFAULT_COREDUMP_KEEP_FREE_PERCENT },
		.coredump_max_files = CONF_DEFAULT_COREDUMP_MAX_FILES,
		.control_group = strdup(CONF_DEFAULT_CONTROL_GROUP),
		/* what the kernel's qcom_q6v5 code waits for ready and for the stop ack */
		.ready_timeout_ms = 5000,
		.stop_timeout_ms = 5000,
	};
}

static void conf_free_firmware_path(struct conf *c)
{
	for (size_t i = 0; i < c->n_firmware_path; i++)
		free(c->firmware_path[i]);
	free(c->firmware_path);
	c->firmware_path = NULL;
	c->n_firmware_path = 0;
}

void conf_done(struct conf *c)
{
	conf_free_firmware_path(c);
	free(c->coredump_dir);
	free(c->control_group);
	free(c->sim_config);
	free(c->backend_module);
	free(c->backend_module_args);
	free(c->error);
	for (size_t i = 0; i < c->n_rprocs; i++)
		free(c->rprocs[i].firmware);
	free(c->rprocs);
	*c = (struct conf){ 0 };
}

const struct conf_rproc *conf_rproc_find(const struct conf *c, const char *name)
{
	for (size_t i = 0; i < c->n_rprocs; i++)
		if (!strcmp(c->rprocs[i].name, name))
			return &c->rprocs[i];
	return NULL;
}

static struct conf_rproc *conf_rproc_get(struct parse_ctx *x, const char *name)
{
	struct conf *c = x->c;
	struct conf_rproc *r;

	for (size_t i = 0; i < c->n_rprocs; i++)
		if (!strcmp(c->rprocs[i].name, name))
			return &c->rprocs[i];
	if (c->n_rprocs >= CONF_MAX_RPROCS) {
		conf_warn(x, "too many [RemoteProc:] sections (at most %d), ignoring",
			  CONF_MAX_RPROCS);
		return NULL;
	}
	r = realloc(c->rprocs, (c->n_rprocs + 1) * sizeof(*r));
	if (!r) {
		conf_warn(x, "out of memory");
		return NULL;
	}
	c->rprocs = r;
	r = &c->rprocs[c->n_rprocs++];
	*r = (struct conf_rproc){
		.auto_start = CONF_UNSET,
		.recovery = CONF_UNSET,
		.restart_limit = CONF_UNSET,
		.restart_window_s = CONF_UNSET,
		.pas_id = CONF_UNSET,
		.stop_on_exit = CONF_UNSET,
	};
	snprintf(r->name, sizeof(r->name), "%s", name);
	/* where the section first appears: the daemon warns there if the tree has no such core */
	snprintf(r->file, sizeof(r->file), "%s", x->file ? x->file : "");
	r->line = x->line;
	return r;
}

static const char *const conf_backend_table[] = {
	[CONF_BACKEND_AUTO] = "auto",
	[CONF_BACKEND_SIMULATED] = "simulated",
	[CONF_BACKEND_REAL] = "real",
	[CONF_BACKEND_MODULE] = "module",
};
DEFINE_STRING_TABLE_LOOKUP(conf_backend, enum conf_backend);

static const char *const conf_iommu_table[] = {
	[CONF_IOMMU_AUTO] = "auto",
	[CONF_IOMMU_IOMMUFD] = "iommufd",
	[CONF_IOMMU_VFIO_TYPE1] = "vfio-type1",
};
DEFINE_STRING_TABLE_LOOKUP(conf_iommu, enum conf_iommu);

int conf_parse_bool(const char *v)
{
	static const char *const yes[] = { "1", "yes", "y", "true", "t", "on" };
	static const char *const no[] = { "0", "no", "n", "false", "f", "off" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(v, yes[i]))
			return 1;
		if (!strcasecmp(v, no[i]))
			return 0;
	}
	return -EINVAL;
}

static int parse_u64(const char *v, uint64_t *out, const char **end)
{
	char *e;

	if (!isdigit((unsigned char)*v))
		return -EINVAL;
	errno = 0;
	unsigned long long n = strtoull(v, &e, 10);
	if (errno)
		return -errno;
	*out = n;
	*end = e;
	return 0;
}

int conf_parse_size(const char *v, uint64_t *out)
{
	static const struct {
		char suffix;
		unsigned int shift;
	} units[] = { { 'K', 10 }, { 'M', 20 }, { 'G', 30 }, { 'T', 40 } };
	const char *e;
	uint64_t n;
	int r;

	if (!strcasecmp(v, "infinity")) {
		*out = 0;
		return 0;
	}
	r = parse_u64(v, &n, &e);
	if (r < 0)
		return r;
	if (*e == '\0' || (toupper((unsigned char)*e) == 'B' && e[1] == '\0')) {
		*out = n;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		if (toupper((unsigned char)*e) != units[i].suffix)
			continue;
		if (e[1] != '\0' && !(toupper((unsigned char)e[1]) == 'B' && e[2] == '\0') &&
		    !(e[1] == 'i' && toupper((unsigned char)e[2]) == 'B' && e[3] == '\0'))
			return -EINVAL;
		if (n > (UINT64_MAX >> units[i].shift))
			return -ERANGE;
		*out = n << units[i].shift;
		return 0;
	}
	return -EINVAL;
}

int conf_parse_fs_size(const char *v, struct conf_fs_size *out)
{
	size_t n = strlen(v);
	const char *e;
	uint64_t p;

	if (n > 1 && v[n - 1] == '%') {
		if (parse_u64(v, &p, &e) < 0 || e != v + n - 1 || p > 100)
			return -EINVAL;
		*out = (struct conf_fs_size){ .percent = (unsigned int)p };
		return 0;
	}
	*out = (struct conf_fs_size){ 0 };
	return conf_parse_size(v, &out->bytes);
}

int conf_parse_sec_ms(const char *v, unsigned int *ms)
{
	uint64_t whole, frac = 0, scale = 1000, mult;
	unsigned int frac_digits = 0;
	const char *e;
	int r;

	r = parse_u64(v, &whole, &e);
	if (r < 0)
		return r;
	if (*e == '.') {
		e++;
		while (isdigit((unsigned char)*e)) {
			if (frac_digits < 3) {
				frac = frac * 10 + (uint64_t)(*e - '0');
				frac_digits++;
			}
			e++;
		}
		while (frac_digits++ < 3)
			frac *= 10;
	}
	if (*e == '\0' || !strcmp(e, "s") || !strcmp(e, "sec"))
		mult = 1000;
	else if (!strcmp(e, "ms") || !strcmp(e, "msec"))
		mult = 1, scale = 1;
	else if (!strcmp(e, "min"))
		mult = 60000;
	else
		return -EINVAL;

	uint64_t total;
	if (mul_overflows(whole, mult, &total))
		return -ERANGE;
	/* a fractional part is in thousandths of the unit */
	if (scale == 1000) {
		uint64_t f;
		if (mul_overflows(frac, mult / 1000, &f) || add_overflows(total, f, &total))
			return -ERANGE;
	}
	if (total > UINT_MAX)
		return -ERANGE;
	*ms = (unsigned int)total;
	return 0;
}

/* A sysfs device name: bus names have ':' too ("0000:00:02.0"). */
static bool name_valid_dev(const char *s)
{
	if (!*s || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_-.:", *s))
			return false;
	return true;
}

static bool name_valid(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n >= max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-' && s[i] != '.')
			return false;
	return true;
}

/*
 * The typed parsers.  Each gets the key (for its message), the value, the field the table
 * names and the table's optional data; a bad value is a warning and leaves the field alone.
 */
#define CONF_PARSER(name)                                                                          \
	void name(struct parse_ctx *x, const char *key, const char *v, void *field, const void *data)
typedef CONF_PARSER((*conf_parse_fn));

static void warn_value(struct parse_ctx *x, const char *key, const char *v, const char *fmt, ...)
	_printf_(4, 5);
static void warn_value(struct parse_ctx *x, const char *key, const char *v, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	conf_warn(x, "%s=%s: %s, ignoring", key, v, what);
}

/* An empty value unsets (NULL), as an empty assignment does in systemd. */
static CONF_PARSER(parse_string)
{
	char **dst = field, *s = NULL;

	if (*v) {
		s = strdup(v);
		if (!s)
			return conf_warn(x, "out of memory");
	}
	free(*dst);
	*dst = s;
}

static CONF_PARSER(parse_path)
{
	if (*v && (v[0] != '/' || strlen(v) >= PATH_MAX))
		return warn_value(x, key, v, "not an absolute path");
	parse_string(x, key, v, field, data);
}

/* Groups every user, or no user in particular, is in: control for anybody. */
static const char *const catch_all_groups[] = { "users", "nogroup", "nobody" };

static CONF_PARSER(parse_group)
{
	if (*v && !name_valid(v, 64))
		return warn_value(x, key, v, "not a valid group name");
	for (size_t i = 0; i < ARRAY_SIZE(catch_all_groups); i++)
		if (!strcmp(v, catch_all_groups[i]))
			conf_warn(x, "%s=%s: a catch-all group, so its many members may start, stop "
				  "and change the firmware of every remote processor; use a group "
				  "of its own (" CONF_DEFAULT_CONTROL_GROUP ") and add the users who "
				  "should control them", key, v);
	parse_string(x, key, v, field, data);
}

static CONF_PARSER(parse_firmware_name)
{
	struct rproc_error err = { 0 };

	if (rproc_fw_name_valid(v, &err) < 0)
		return warn_value(x, key, v, "%s", err.msg[0] ? err.msg : "invalid firmware name");
	parse_string(x, key, v, field, data);
}

/* "<bus>/<device>", e.g. "pci/0000:00:02.0"; empty unsets. */
static CONF_PARSER(parse_vfio_device)
{
	char *dst = field, bus[32];
	const char *slash = strchr(v, '/');

	if (*v && (!slash || (size_t)(slash - v) >= sizeof(bus) || strchr(slash + 1, '/') ||
		   strlen(v) >= sizeof(((struct conf_rproc *)NULL)->vfio_device)))
		return warn_value(x, key, v, "expected <bus>/<device>, e.g. pci/0000:00:02.0");
	if (*v) {
		snprintf(bus, sizeof(bus), "%.*s", (int)(slash - v), v);
		if (!name_valid(bus, sizeof(bus)) || !name_valid_dev(slash + 1))
			return warn_value(x, key, v, "expected <bus>/<device>, e.g. pci/0000:00:02.0");
	}
	snprintf(dst, sizeof(((struct conf_rproc *)NULL)->vfio_device), "%s", v);
}

/* Tri-state fields (CONF_UNSET until set): int, not bool. */
static CONF_PARSER(parse_bool)
{
	int r = conf_parse_bool(v);

	if (r < 0)
		return warn_value(x, key, v, "expected a boolean");
	*(int *)field = r;
}

/* 0..*data into an int field (CONF_UNSET until set). */
static CONF_PARSER(parse_uint_upto)
{
	const int *max = data;
	const char *e;
	uint64_t n;

	if (parse_u64(v, &n, &e) < 0 || *e || n > (uint64_t)*max)
		return warn_value(x, key, v, "expected 0..%d", *max);
	*(int *)field = (int)n;
}

static CONF_PARSER(parse_size)
{
	if (conf_parse_size(v, field) < 0)
		return warn_value(x, key, v, "expected a size such as 64M or infinity");
}

static CONF_PARSER(parse_fs_size)
{
	struct conf_fs_size s;

	if (conf_parse_fs_size(v, &s) < 0)
		return warn_value(x, key, v, "expected a size such as 512M, a percentage such as "
				  "10%%, or infinity");
	*(struct conf_fs_size *)field = s;
}

/* A time into milliseconds; zero would be a timeout that always expires. */
static CONF_PARSER(parse_timeout_ms)
{
	unsigned int ms;

	if (conf_parse_sec_ms(v, &ms) < 0 || ms == 0)
		return warn_value(x, key, v, "expected a positive time such as 5 or 2500ms");
	*(unsigned int *)field = ms;
}

/* A time into whole seconds, at least one, in an int field (CONF_UNSET until set). */
static CONF_PARSER(parse_sec)
{
	unsigned int ms;

	if (conf_parse_sec_ms(v, &ms) < 0 || ms < 1000)
		return warn_value(x, key, v, "expected at least 1s");
	*(int *)field = (int)(ms / 1000);
}

static void warn_enum(struct parse_ctx *x, const char *key, const char *v,
		      const char *const *names, size_t n)
{
	char list[128] = "";
	size_t len = 0;

	for (size_t i = 0; i < n && len < sizeof(list); i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
					i == 0 ? "" : i + 1 == n ? " or " : ", ", names[i]);
	warn_value(x, key, v, "expected %s", list);
}

/* One typed parser per enum, through its string table (string-table.h). */
#define DEFINE_PARSE_ENUM(name, type)                                                              \
	static CONF_PARSER(parse_##name)                                                           \
	{                                                                                          \
		int r = name##_from_string(v);                                                     \
                                                                                                   \
		if (r < 0)                                                                         \
			return warn_enum(x, key, v, name##_table, ARRAY_SIZE(name##_table));       \
		*(type *)field = (type)r;                                                          \
	}

DEFINE_PARSE_ENUM(conf_backend, enum conf_backend)
DEFINE_PARSE_ENUM(conf_iommu, enum conf_iommu)

/*
 * FirmwarePath= is a list: each assignment adds its space-separated directories, an empty one
 * clears the list (as in systemd).  The list and its length are two fields of struct conf, so
 * this parser takes the whole struct (offset 0).
 */
static CONF_PARSER(parse_firmware_path)
{
	struct conf *c = field;
	_cleanup_free_ char *copy = strdup(v);
	char *save = NULL;

	if (!copy)
		return conf_warn(x, "out of memory");
	if (!*v) {
		conf_free_firmware_path(c);
		return;
	}
	for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (w[0] != '/' || strlen(w) >= PATH_MAX) {
			conf_warn(x, "%s=: '%s' is not an absolute path, ignoring", key, w);
			continue;
		}
		if (c->n_firmware_path >= CONF_MAX_FW_DIRS) {
			conf_warn(x, "%s=: at most %d directories, ignoring '%s'", key,
				  CONF_MAX_FW_DIRS, w);
			continue;
		}
		char **n = realloc(c->firmware_path, (c->n_firmware_path + 1) * sizeof(*n));
		if (!n)
			return conf_warn(x, "out of memory");
		c->firmware_path = n;
		n[c->n_firmware_path] = strdup(w);
		if (!n[c->n_firmware_path])
			return conf_warn(x, "out of memory");
		c->n_firmware_path++;
	}
}

struct conf_item {
	const char *key;
	conf_parse_fn parse;
	size_t offset; /* of the field in the section's struct */
	const void *data;
};

/*
 * Looked up with a linear scan: fourteen keys at most, in the man page's order; a sorted table
 * with bsearch() (or gperf) would only pay off with many more, and would be one more order to
 * keep.
 */
static const struct conf_item daemon_items[] = {
	{ "Backend", parse_conf_backend, offsetof(struct conf, backend), NULL },
	/* absolute: dlopen() would otherwise search the library path */
	{ "BackendModule", parse_path, offsetof(struct conf, backend_module), NULL },
	{ "BackendModuleArgs", parse_string, offsetof(struct conf, backend_module_args), NULL },
	{ "IOMMU", parse_conf_iommu, offsetof(struct conf, iommu), NULL },
	{ "FirmwarePath", parse_firmware_path, 0, NULL },
	{ "CoredumpDirectory", parse_path, offsetof(struct conf, coredump_dir), NULL },
	{ "CoredumpMaxSize", parse_size, offsetof(struct conf, coredump_max), NULL },
	{ "CoredumpMaxUse", parse_fs_size, offsetof(struct conf, coredump_max_use), NULL },
	{ "CoredumpKeepFree", parse_fs_size, offsetof(struct conf, coredump_keep_free), NULL },
	{ "CoredumpMaxFiles", parse_uint_upto, offsetof(struct conf, coredump_max_files),
	  &(const int){ 100000 } },
	{ "ControlGroup", parse_group, offsetof(struct conf, control_group), NULL },
	{ "ReadyTimeoutSec", parse_timeout_ms, offsetof(struct conf, ready_timeout_ms), NULL },
	{ "StopTimeoutSec", parse_timeout_ms, offsetof(struct conf, stop_timeout_ms), NULL },
	{ "SimulationConfig", parse_string, offsetof(struct conf, sim_config), NULL },
};

static const struct conf_item rproc_items[] = {
	{ "AutoStart", parse_bool, offsetof(struct conf_rproc, auto_start), NULL },
	{ "Recovery", parse_bool, offsetof(struct conf_rproc, recovery), NULL },
	{ "RestartLimit", parse_uint_upto, offsetof(struct conf_rproc, restart_limit),
	  &(const int){ RPROC_RESTART_LIMIT_MAX } },
	{ "RestartWindowSec", parse_sec, offsetof(struct conf_rproc, restart_window_s), NULL },
	{ "Firmware", parse_firmware_name, offsetof(struct conf_rproc, firmware), NULL },
	/* an int field, so that CONF_UNSET (-1) stays apart */
	{ "PasId", parse_uint_upto, offsetof(struct conf_rproc, pas_id),
	  &(const int){ INT32_MAX } },
	{ "StopOnExit", parse_bool, offsetof(struct conf_rproc, stop_on_exit), NULL },
	{ "VfioDevice", parse_vfio_device, offsetof(struct conf_rproc, vfio_device), NULL },
};

static void *daemon_section(struct parse_ctx *x, const char *section)
{
	return x->c;
}

static void *rproc_section(struct parse_ctx *x, const char *section)
{
	const char *core = section + strlen("RemoteProc:");

	if (!name_valid(core, sizeof(((struct conf_rproc *)NULL)->name))) {
		conf_warn(x, "[%s]: '%s' is not a valid remote processor name, ignoring", section,
			  core);
		return NULL;
	}
	return conf_rproc_get(x, core);
}

static const struct conf_section {
	const char *name; /* ending in ':', a prefix: the rest names the instance */
	const struct conf_item *items;
	size_t n_items;
	/* the struct the items' offsets point into; NULL (after a warning) skips the line */
	void *(*object)(struct parse_ctx *x, const char *section);
} conf_sections[] = {
	{ "Daemon", daemon_items, ARRAY_SIZE(daemon_items), daemon_section },
	{ "RemoteProc:", rproc_items, ARRAY_SIZE(rproc_items), rproc_section },
};

static const struct conf_section *conf_section_find(const char *section)
{
	for (size_t i = 0; i < ARRAY_SIZE(conf_sections); i++) {
		const char *name = conf_sections[i].name;
		size_t len = strlen(name);

		if (name[len - 1] == ':' ? !strncmp(section, name, len) : !strcmp(section, name))
			return &conf_sections[i];
	}
	return NULL;
}

static int ini_handler_fn(void *user, const char *section, const char *name, const char *value)
{
	struct parse_ctx *x = user;
	const struct conf_section *s = conf_section_find(section);
	uint8_t *obj;

	if (!s) {
		conf_warn(x, "unknown section [%s], ignoring '%s'", section, name);
		return 1;
	}
	obj = s->object(x, section);
	if (!obj)
		return 1;
	for (size_t i = 0; i < s->n_items; i++) {
		const struct conf_item *it = &s->items[i];

		if (!strcmp(name, it->key)) {
			it->parse(x, name, value, obj + it->offset, it->data);
			return 1;
		}
	}
	conf_warn(x, "unknown key '%s' in [%s], ignoring", name, section);
	return 1; /* keep going: the rest of the file still applies */
}

/*
 * inih reader over a string: one whole line per call, so that inih's line count (the line of
 * the syntax error it returns) is the file's, and x->line is the line its handler sees.  A line
 * too long for inih's buffer (INI_MAX_LINE, 200 in Debian's build) is ignored with a warning:
 * handing it over in pieces would apply a truncated value and read the rest of the line as a
 * line of its own (the tail of a long comment could set a key).
 */
static char *ini_string_reader(char *str, int num, void *stream)
{
	struct parse_ctx *x = stream;
	size_t len, max;

	if (!*x->p || num < 2)
		return NULL;
	x->line = x->next_line++;
	len = strcspn(x->p, "\n");
	max = (size_t)num - 1; /* inih strips the line end: the '\n' need not fit */
	if (len > max) {
		conf_warn(x, "line longer than %zu characters, ignoring it", max);
		str[0] = '\0';
	} else {
		memcpy(str, x->p, len);
		str[len] = '\0';
	}
	x->p += len;
	if (*x->p == '\n')
		x->p++;
	return str;
}

void conf_parse_text(struct conf *c, const char *text, const char *file, conf_warn_fn warn,
		     void *ud)
{
	struct parse_ctx x = {
		.c = c, .file = file, .warn = warn, .ud = ud, .p = text, .next_line = 1,
	};
	int r;

	r = ini_parse_stream(ini_string_reader, &x, ini_handler_fn, &x);
	if (r > 0) {
		/* inih reports only the first syntax error; it still parsed the rest. */
		x.line = (unsigned int)r;
		conf_warn(&x, "syntax error (expected [Section] or Key=Value), ignoring the line");
	}
}

/* A link to /dev/null masks a file (rprocd.conf(5), FILES): it reads as empty. */
static bool is_dev_null(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && st->st_rdev == makedev(1, 3);
}

/*
 * The text of @path, or a negative errno with *@why saying what is wrong with the file.  The
 * file is opened without blocking and must be a regular file (or /dev/null): a FIFO would
 * wedge the start or a reload waiting for a writer.
 */
static int read_text(const char *path, char **out, const char **why)
{
	_cleanup_close_ int fd = open(path, OPEN_UNTRUSTED_FLAGS);
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	struct stat st;

	*why = NULL;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) && !is_dev_null(&st)) {
		*why = file_type_name(st.st_mode);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EBADFD;
	}
	if (S_ISREG(st.st_mode) && st.st_size > CONF_MAX_FILE_SIZE)
		return -EFBIG;
	buf = malloc(CONF_MAX_FILE_SIZE + 1);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n = read(fd, buf + len, CONF_MAX_FILE_SIZE + 1 - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > CONF_MAX_FILE_SIZE)
			return -EFBIG;
	}
	buf[len] = '\0';
	if (strlen(buf) != len) {
		*why = "it contains a NUL byte: not a text file";
		return -EBADMSG;
	}
	*out = TAKE_PTR(buf);
	return 0;
}

static int conf_fail(struct conf *c, const char *path, int r, const char *why)
{
	char msg[PATH_MAX + 256];

	if (r == -EFBIG)
		snprintf(msg, sizeof(msg), "%s: larger than %u bytes", path, CONF_MAX_FILE_SIZE);
	else if (why)
		snprintf(msg, sizeof(msg), "%s: %s%s", path, why,
			 r == -EISDIR || r == -EBADFD ? ", not a regular file" : "");
	else
		snprintf(msg, sizeof(msg), "%s: %s", path, strerror(-r));
	if (!c->error)
		c->error = strdup(msg);
	return r;
}

/*
 * 1 when @path was read, 0 when it does not exist (and that was allowed: a missing --config is
 * a warning), or a negative errno when it exists but cannot be read: c->error says which file
 * and why.
 */
static int load_file(struct conf *c, const char *path, bool must_exist, conf_warn_fn warn,
		     void *ud)
{
	_cleanup_free_ char *text = NULL;
	const char *why;
	int r = read_text(path, &text, &why);

	if (r == -ENOENT || r == -ENOTDIR) {
		if (must_exist) {
			struct parse_ctx x = { .c = c, .file = path, .warn = warn, .ud = ud };

			conf_warn(&x, "cannot read: %s", strerror(-r));
		}
		return 0;
	}
	if (r < 0)
		return conf_fail(c, path, r, why);
	conf_parse_text(c, text, path, warn, ud);
	return 1;
}

/*
 * Where rprocd.conf and rprocd.conf.d/ are looked for, the admin's first, as systemd does
 * (systemd.unit(5)): the first main file found is the only one read, and of the drop-ins with
 * one name only the first directory's is read.  rprocd.conf(5), FILES, says the same.
 */
static const char *const conf_dirs[] = { SYSCONFDIR, "/run", "/usr/lib" };

struct dropin {
	char name[NAME_MAX + 1];
	size_t dir; /* in conf_dirs */
};

static int dropin_cmp(const void *a, const void *b)
{
	return strcmp(((const struct dropin *)a)->name, ((const struct dropin *)b)->name);
}

static bool dropin_listed(const struct dropin *d, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(d[i].name, name))
			return true;
	return false;
}

#define CONF_MAX_DROPINS 256

/*
 * What rprocd loads from FirmwarePath= reaches TrustZone, which checks signatures; still, a
 * directory others can write lets them choose which signed image, or an older one, boots.
 * Warned, not refused: the firmware's own checks remain.
 */
static void conf_check_firmware_path(struct conf *c, conf_warn_fn warn, void *ud)
{
	char why[PATH_MAX + 128];

	for (size_t i = 0; i < c->n_firmware_path; i++) {
		struct parse_ctx x = { .c = c, .file = "", .warn = warn, .ud = ud };

		if (path_root_only(c->firmware_path[i], why, sizeof(why)) != -EPERM)
			continue; /* safe, or not there (nothing is loaded from it) */
		conf_warn(&x, "FirmwarePath=%s: %s, so someone other than root chooses the "
			  "firmware the remote processors boot; make the directory and every one "
			  "above it owned by root and not writable by group or others",
			  c->firmware_path[i], why);
	}
}

int conf_load(struct conf *c, const char *main, const char *root, conf_warn_fn warn, void *ud)
{
	_cleanup_free_ struct dropin *d = NULL;
	size_t n = 0;
	char path[PATH_MAX];
	int r;

	conf_init(c);
	if (!root)
		root = "";
	if (main) {
		r = load_file(c, main, true, warn, ud);
		if (r < 0)
			return r;
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(conf_dirs); i++) {
			snprintf(path, sizeof(path), "%s%s/rprocd.conf", root, conf_dirs[i]);
			r = load_file(c, path, false, warn, ud);
			if (r < 0)
				return r;
			if (r > 0)
				break;
		}
	}

	d = calloc(CONF_MAX_DROPINS, sizeof(*d));
	if (!d)
		return conf_fail(c, "drop-ins", -ENOMEM, NULL);
	for (size_t i = 0; i < ARRAY_SIZE(conf_dirs); i++) {
		snprintf(path, sizeof(path), "%s%s/rprocd.conf.d", root, conf_dirs[i]);
		DIR *dir = opendir(path);
		struct dirent *de;

		if (!dir) {
			if (errno == ENOENT || errno == ENOTDIR)
				continue;
			/* drop-ins that may be there but cannot be listed: as unreadable files */
			return conf_fail(c, path, -errno, NULL);
		}
		while ((de = readdir(dir))) {
			size_t l = strlen(de->d_name);

			if (de->d_name[0] == '.' || l < 6 || strcmp(de->d_name + l - 5, ".conf"))
				continue;
			if (dropin_listed(d, n, de->d_name))
				continue; /* a directory of higher precedence has it */
			if (n >= CONF_MAX_DROPINS) {
				struct parse_ctx x = { .c = c, .file = path, .warn = warn, .ud = ud };
				conf_warn(&x, "more than %d drop-ins, ignoring '%s'", CONF_MAX_DROPINS,
					  de->d_name);
				continue;
			}
			snprintf(d[n].name, sizeof(d[n].name), "%s", de->d_name);
			d[n++].dir = i;
		}
		closedir(dir);
	}
	qsort(d, n, sizeof(*d), dropin_cmp);
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s%s/rprocd.conf.d/%s", root, conf_dirs[d[i].dir],
			 d[i].name);
		r = load_file(c, path, false, warn, ud);
		if (r < 0)
			return r;
	}
	conf_check_firmware_path(c, warn, ud);
	return 0;
}
