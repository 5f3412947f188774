// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Configuration loading.  The syntax is inih's; what this file adds is validation with the
 * file and line of every problem (inih's handler does not get the line number in Debian's
 * build, so the reader below counts lines itself) and systemd-style drop-in directories.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "config.h"
#include "conf.h"
#include "rproc/fw.h"
#include "log.h"

#define CONF_MAX_FILE_SIZE (1u << 20)
#define CONF_MAX_RPROCS 64
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
	else
		log_warning("%s:%u: %s", x->file, x->line, msg);
}

void conf_init(struct conf *c)
{
	*c = (struct conf){
		.backend = CONF_BACKEND_AUTO,
		.iommu = CONF_IOMMU_AUTO,
		.coredump_dir = strdup(CONF_DEFAULT_COREDUMP_DIR),
		.coredump_max = CONF_DEFAULT_COREDUMP_MAX,
		.control_group = strdup(CONF_DEFAULT_CONTROL_GROUP),
		.ready_timeout_ms = 5000, /* DOMAIN §7.1 step 11 */
		.stop_timeout_ms = 5000,  /* DOMAIN §7.2 step 1.2 */
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
		conf_warn(x, "too many [RemoteProc:] sections (at most %d), ignoring", CONF_MAX_RPROCS);
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
	return r;
}

const char *conf_backend_name(enum conf_backend b)
{
	switch (b) {
	case CONF_BACKEND_SIMULATED:
		return "simulated";
	case CONF_BACKEND_REAL:
		return "real";
	case CONF_BACKEND_MODULE:
		return "module";
	default:
		return "auto";
	}
}

const char *conf_iommu_name(enum conf_iommu i)
{
	switch (i) {
	case CONF_IOMMU_IOMMUFD:
		return "iommufd";
	case CONF_IOMMU_VFIO_TYPE1:
		return "vfio-type1";
	default:
		return "auto";
	}
}

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

static int set_string(char **dst, const char *v)
{
	char *s = NULL;

	if (*v) {
		s = strdup(v);
		if (!s)
			return -ENOMEM;
	}
	free(*dst);
	*dst = s;
	return 0;
}

static void parse_firmware_path(struct parse_ctx *x, const char *v)
{
	struct conf *c = x->c;
	_cleanup_free_ char *copy = strdup(v);
	char *save = NULL;

	if (!copy)
		return conf_warn(x, "out of memory");
	if (!*v) { /* an empty assignment resets the list, as in systemd */
		conf_free_firmware_path(c);
		return;
	}
	for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (w[0] != '/' || strlen(w) >= PATH_MAX) {
			conf_warn(x, "FirmwarePath=: '%s' is not an absolute path, ignoring", w);
			continue;
		}
		if (c->n_firmware_path >= CONF_MAX_FW_DIRS) {
			conf_warn(x, "FirmwarePath=: at most %d directories, ignoring '%s'",
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

static void parse_daemon_key(struct parse_ctx *x, const char *k, const char *v)
{
	struct conf *c = x->c;
	uint64_t sz;
	int r;

	if (!strcmp(k, "Backend")) {
		if (!strcmp(v, "auto"))
			c->backend = CONF_BACKEND_AUTO;
		else if (!strcmp(v, "simulated"))
			c->backend = CONF_BACKEND_SIMULATED;
		else if (!strcmp(v, "real"))
			c->backend = CONF_BACKEND_REAL;
		else if (!strcmp(v, "module"))
			c->backend = CONF_BACKEND_MODULE;
		else
			conf_warn(x, "Backend=%s: expected auto, simulated, real or module, ignoring",
				  v);
	} else if (!strcmp(k, "IOMMU")) {
		if (!strcmp(v, "auto"))
			c->iommu = CONF_IOMMU_AUTO;
		else if (!strcmp(v, "iommufd"))
			c->iommu = CONF_IOMMU_IOMMUFD;
		else if (!strcmp(v, "vfio-type1"))
			c->iommu = CONF_IOMMU_VFIO_TYPE1;
		else
			conf_warn(x, "IOMMU=%s: expected auto, iommufd or vfio-type1, ignoring", v);
	} else if (!strcmp(k, "FirmwarePath")) {
		parse_firmware_path(x, v);
	} else if (!strcmp(k, "CoredumpDirectory")) {
		if (*v && (v[0] != '/' || strlen(v) >= PATH_MAX))
			conf_warn(x, "CoredumpDirectory=%s: not an absolute path, ignoring", v);
		else if (set_string(&c->coredump_dir, v) < 0)
			conf_warn(x, "out of memory");
	} else if (!strcmp(k, "CoredumpMaxSize")) {
		if (conf_parse_size(v, &sz) < 0)
			conf_warn(x, "CoredumpMaxSize=%s: expected a size such as 64M or infinity, ignoring", v);
		else
			c->coredump_max = sz;
	} else if (!strcmp(k, "ControlGroup")) {
		if (*v && !name_valid(v, 64))
			conf_warn(x, "ControlGroup=%s: not a valid group name, ignoring", v);
		else if (set_string(&c->control_group, v) < 0)
			conf_warn(x, "out of memory");
	} else if (!strcmp(k, "ReadyTimeoutSec") || !strcmp(k, "StopTimeoutSec")) {
		unsigned int ms;
		r = conf_parse_sec_ms(v, &ms);
		if (r < 0 || ms == 0)
			conf_warn(x, "%s=%s: expected a positive time such as 5 or 2500ms, ignoring", k, v);
		else if (k[0] == 'R')
			c->ready_timeout_ms = ms;
		else
			c->stop_timeout_ms = ms;
	} else if (!strcmp(k, "SimulationConfig")) {
		if (set_string(&c->sim_config, v) < 0)
			conf_warn(x, "out of memory");
	} else if (!strcmp(k, "BackendModule")) {
		/* absolute: dlopen() would otherwise search the library path */
		if (*v && (v[0] != '/' || strlen(v) >= PATH_MAX))
			conf_warn(x, "BackendModule=%s: not an absolute path, ignoring", v);
		else if (set_string(&c->backend_module, v) < 0)
			conf_warn(x, "out of memory");
	} else if (!strcmp(k, "BackendModuleArgs")) {
		if (set_string(&c->backend_module_args, v) < 0)
			conf_warn(x, "out of memory");
	} else {
		conf_warn(x, "unknown key '%s' in [Daemon], ignoring", k);
	}
}

static int parse_uint(const char *v, int max)
{
	uint64_t n;
	const char *e;

	if (parse_u64(v, &n, &e) < 0 || *e || n > (uint64_t)max)
		return -EINVAL;
	return (int)n;
}

static void parse_rproc_key(struct parse_ctx *x, struct conf_rproc *rp, const char *k,
			    const char *v)
{
	int r;

	if (!strcmp(k, "AutoStart") || !strcmp(k, "Recovery") || !strcmp(k, "StopOnExit")) {
		r = conf_parse_bool(v);
		if (r < 0)
			return conf_warn(x, "%s=%s: expected a boolean, ignoring", k, v);
		if (k[0] == 'A')
			rp->auto_start = r;
		else if (k[0] == 'R')
			rp->recovery = r;
		else
			rp->stop_on_exit = r;
	} else if (!strcmp(k, "RestartLimit")) {
		r = parse_uint(v, 1000);
		if (r < 0)
			return conf_warn(x, "RestartLimit=%s: expected 0..1000, ignoring", v);
		rp->restart_limit = r;
	} else if (!strcmp(k, "RestartWindowSec")) {
		unsigned int ms;
		if (conf_parse_sec_ms(v, &ms) < 0 || ms < 1000)
			return conf_warn(x, "RestartWindowSec=%s: expected at least 1s, ignoring", v);
		rp->restart_window_s = (int)(ms / 1000);
	} else if (!strcmp(k, "Firmware")) {
		struct rproc_error err = { 0 };
		if (rproc_fw_name_valid(v, &err) < 0)
			return conf_warn(x, "Firmware=%s: %s, ignoring", v,
					 err.msg[0] ? err.msg : "invalid firmware name");
		if (set_string(&rp->firmware, v) < 0)
			conf_warn(x, "out of memory");
	} else if (!strcmp(k, "PasId")) {
		r = parse_uint(v, INT32_MAX);
		if (r < 0)
			return conf_warn(x, "PasId=%s: expected a non-negative integer, ignoring", v);
		rp->pas_id = r;
	} else {
		conf_warn(x, "unknown key '%s' in [RemoteProc:%s], ignoring", k, rp->name);
	}
}

static int ini_handler_fn(void *user, const char *section, const char *name, const char *value)
{
	struct parse_ctx *x = user;

	if (!strcmp(section, "Daemon")) {
		parse_daemon_key(x, name, value);
	} else if (!strncmp(section, "RemoteProc:", 11)) {
		const char *core = section + 11;
		struct conf_rproc *rp;

		if (!name_valid(core, sizeof(rp->name))) {
			conf_warn(x, "[%s]: '%s' is not a valid remote processor name, ignoring",
				  section, core);
			return 1;
		}
		rp = conf_rproc_get(x, core);
		if (rp)
			parse_rproc_key(x, rp, name, value);
	} else {
		conf_warn(x, "unknown section [%s], ignoring '%s'", section, name);
	}
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

static int read_text(const char *path, char **out)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	struct stat st;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
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
	if (strlen(buf) != len)
		return -EBADMSG; /* a NUL byte: not a text file */
	*out = TAKE_PTR(buf);
	return 0;
}

static void load_file(struct conf *c, const char *path, bool must_exist, conf_warn_fn warn,
		      void *ud)
{
	_cleanup_free_ char *text = NULL;
	int r = read_text(path, &text);

	if (r < 0) {
		if (r == -ENOENT && !must_exist)
			return;
		struct parse_ctx x = { .c = c, .file = path, .warn = warn, .ud = ud, .line = 0 };
		conf_warn(&x, "cannot read: %s", strerror(-r));
		return;
	}
	conf_parse_text(c, text, path, warn, ud);
}

struct dropin {
	char name[NAME_MAX + 1];
	char path[PATH_MAX];
};

static int dropin_cmp(const void *a, const void *b)
{
	return strcmp(((const struct dropin *)a)->name, ((const struct dropin *)b)->name);
}

#define CONF_MAX_DROPINS 256

void conf_load(struct conf *c, const char *main, const char *root, conf_warn_fn warn, void *ud)
{
	static const char *const dirs[] = {
		"/usr/lib/rprocd.conf.d",
		SYSCONFDIR "/rprocd.conf.d",
		"/run/rprocd.conf.d",
	};
	_cleanup_free_ struct dropin *d = NULL;
	size_t n = 0;
	char path[PATH_MAX];

	conf_init(c);
	if (!root)
		root = "";
	if (main) {
		load_file(c, main, true, warn, ud);
	} else {
		snprintf(path, sizeof(path), "%s%s/rprocd.conf", root, SYSCONFDIR);
		load_file(c, path, false, warn, ud);
	}

	d = calloc(CONF_MAX_DROPINS, sizeof(*d));
	if (!d)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(path, sizeof(path), "%s%s", root, dirs[i]);
		DIR *dir = opendir(path);
		struct dirent *de;

		if (!dir)
			continue;
		while ((de = readdir(dir))) {
			size_t l = strlen(de->d_name);
			size_t j;

			if (de->d_name[0] == '.' || l < 6 || strcmp(de->d_name + l - 5, ".conf"))
				continue;
			for (j = 0; j < n; j++)
				if (!strcmp(d[j].name, de->d_name))
					break; /* a later directory overrides the same name */
			if (j == n) {
				if (n >= CONF_MAX_DROPINS)
					continue;
				n++;
			}
			snprintf(d[j].name, sizeof(d[j].name), "%s", de->d_name);
			snprintf(d[j].path, sizeof(d[j].path), "%s/%s", path, de->d_name);
		}
		closedir(dir);
	}
	qsort(d, n, sizeof(*d), dropin_cmp);
	for (size_t i = 0; i < n; i++)
		load_file(c, d[i].path, false, warn, ud);
}
