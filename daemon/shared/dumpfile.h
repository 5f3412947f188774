/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Coredump files as rprocd keeps them: rprocd compresses each one librproc writes with zstd
 * (when built with libzstd), rprocctl coredump reads either form.
 */
#ifndef RPROCD_DUMPFILE_H
#define RPROCD_DUMPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define DUMPFILE_ZSTD_SUFFIX ".zst"

/*
 * Compress @path to @path.zst (written unnamed and linked in complete, with @path's mode,
 * group and time) and remove @path; the new name in @out.  -EOPNOTSUPP without libzstd.
 */
int dumpfile_compress(const char *path, char *out, size_t out_len);

/* A coredump's file name: <core>-<time>.core, or .core.zst. */
bool dumpfile_is_dump_name(const char *name);

/* How many coredumps rprocd keeps (rprocd.conf(5), CoredumpMaxUse= and the others). */
struct dumpfile_limits {
	uint64_t max_use;   /* bytes on disk of all of them; 0: no limit */
	uint64_t keep_free; /* bytes left free on the file system; 0: none */
	unsigned int max_use_percent, keep_free_percent; /* instead, of the file system's size */
	unsigned int max_files; /* 0: no limit */
};

/* @bytes, or @percent of @fs_size capped at 4G (as systemd-coredump's defaults). */
uint64_t dumpfile_limit_bytes(uint64_t bytes, unsigned int percent, uint64_t fs_size);

/* What @l's keep_free is for @dir's file system; 0 if it cannot be told. */
uint64_t dumpfile_keep_free(const char *dir, const struct dumpfile_limits *l);

/*
 * dumpfile_vacuum() - remove coredumps from @dir, oldest first, until @l holds; never the
 * newest.  Also removes a .core whose .core.zst exists, and hidden temporary files more than
 * an hour old (a writer that died).  @removed(path, why, ud) is told of each removal.  Returns
 * the number removed, or -errno if @dir cannot be read.
 */
int dumpfile_vacuum(const char *dir, const struct dumpfile_limits *l,
		    void (*removed)(const char *path, const char *why, void *ud), void *ud);

/* A coredump opened for reading from the start, compressed or not. */
struct dumpfile;
int dumpfile_open(const char *path, struct dumpfile **out);
void dumpfile_close(struct dumpfile *f);
bool dumpfile_compressed(const struct dumpfile *f);
/* The size of the ELF file inside; 0 if the file does not say (a zstd frame without it). */
uint64_t dumpfile_content_size(const struct dumpfile *f);
/* Up to @n bytes from the current position; 0 at the end, or -errno. */
ssize_t dumpfile_read(struct dumpfile *f, void *buf, size_t n);
/* Read exactly @n bytes at @off; forward only when compressed (-ESPIPE to go back). */
int dumpfile_pread(struct dumpfile *f, void *buf, size_t n, uint64_t off);

#endif
