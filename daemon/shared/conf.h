/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rprocd.conf: the first main file of /etc, /run and /usr/lib, then the drop-ins of their
 * rprocd.conf.d/ *.conf, sorted by file name (of those with one name, the first directory's),
 * as systemd reads its own; rprocd.conf(5), FILES.  Parsing never fails on content: unknown keys
 * and bad values are warnings with file:line and the rest still applies.
 */
#ifndef RPROCD_CONF_H
#define RPROCD_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum conf_backend {
	CONF_BACKEND_AUTO,
	CONF_BACKEND_SIMULATED,
	CONF_BACKEND_REAL,
	CONF_BACKEND_MODULE, /* BackendModule= (backend-module.h) */
};

enum conf_iommu {
	CONF_IOMMU_AUTO,
	CONF_IOMMU_IOMMUFD,
	CONF_IOMMU_VFIO_TYPE1,
};

#define CONF_UNSET (-1)

/* A size, or (percent > 0) a share of a file system's size (dumpfile_limit_bytes()). */
struct conf_fs_size {
	uint64_t bytes;
	unsigned int percent;
};

/* [RemoteProc:<name>]; CONF_UNSET / NULL where the file says nothing. */
struct conf_rproc {
	char name[32];
	int auto_start;
	int recovery;
	int restart_limit;
	int restart_window_s;
	char *firmware;
	int pas_id;
	int stop_on_exit;
	char file[256];    /* where the section is first: file and line */
	unsigned int line;
	char vfio_device[160]; /* VfioDevice= "<bus>/<name>", "" if unset (bring-up and tests) */
};

struct conf {
	enum conf_backend backend;
	enum conf_iommu iommu;
	char **firmware_path; /* searched before the system firmware directories */
	size_t n_firmware_path;
	char *coredump_dir;   /* NULL: no coredumps */
	uint64_t coredump_max;       /* bytes of one coredump; 0: no limit */
	struct conf_fs_size coredump_max_use;   /* all coredumps together; 0: no limit */
	struct conf_fs_size coredump_keep_free; /* left free; 0: none */
	int coredump_max_files;      /* coredumps kept; 0: no limit */
	char *control_group;  /* NULL: only root may control cores */
	unsigned int ready_timeout_ms;
	unsigned int stop_timeout_ms;
	char *sim_config;     /* passed to the simulated SoC */
	char *backend_module; /* Backend=module: the shared object to load */
	char *backend_module_args; /* passed to its entry point */

	struct conf_rproc *rprocs;
	size_t n_rprocs;

	unsigned int n_warnings; /* warnings issued while loading */
	char *error; /* conf_load() failed: "FILE: why it cannot be read" */
};

#define CONF_DEFAULT_COREDUMP_DIR "/var/lib/rprocd/coredump"
#define CONF_DEFAULT_COREDUMP_MAX (256ull << 20)
/* systemd-coredump's defaults (coredump.conf(5)), each capped at 4G */
#define CONF_DEFAULT_COREDUMP_MAX_USE_PERCENT 10
#define CONF_DEFAULT_COREDUMP_KEEP_FREE_PERCENT 15
#define CONF_DEFAULT_COREDUMP_MAX_FILES 16
#define CONF_DEFAULT_CONTROL_GROUP "rprocd"

/* Warnings go through this (file, line, message); NULL logs with log_warning(). */
typedef void (*conf_warn_fn)(const char *file, unsigned int line, const char *msg, void *ud);

void conf_init(struct conf *c);
void conf_done(struct conf *c);

/* Parse one file's text into @c (pure: no I/O).  @file names it in warnings. */
void conf_parse_text(struct conf *c, const char *text, const char *file, conf_warn_fn warn,
		     void *ud);

/* The largest file read (rprocd.conf(5), FILES). */
#define CONF_MAX_FILE_SIZE (1u << 20)

/*
 * conf_load() - conf_init() then the main file (@main, or the first of SYSCONFDIR, /run and
 * /usr/lib rprocd.conf; none is fine, a missing @main is a warning) and the drop-ins, all
 * below @root ("" for /) but @main.  A file that exists but cannot be read (permissions, not
 * a regular file, a NUL byte, larger than CONF_MAX_FILE_SIZE) fails the whole load, closed: a
 * negative errno, c->error naming the file and the reason, and @c not to be used but freed
 * with conf_done().  Never the defaults in its place, which would start every core.
 */
int conf_load(struct conf *c, const char *main, const char *root, conf_warn_fn warn, void *ud);

const struct conf_rproc *conf_rproc_find(const struct conf *c, const char *name);

/* As the files spell them (NULL / -EINVAL for what has no name). */
const char *conf_backend_to_string(enum conf_backend b);
int conf_backend_from_string(const char *s);
const char *conf_iommu_to_string(enum conf_iommu i);
int conf_iommu_from_string(const char *s);

/* Values as the files spell them; exposed for tests.  Negative errno on a bad value. */
int conf_parse_bool(const char *v);
int conf_parse_size(const char *v, uint64_t *out);  /* 123, 4K, 16M, 1G, "infinity" = 0 */
int conf_parse_fs_size(const char *v, struct conf_fs_size *out); /* a size, or "10%" */
int conf_parse_sec_ms(const char *v, unsigned int *ms); /* "5", "2.5", "500ms", "1min" */

#endif
