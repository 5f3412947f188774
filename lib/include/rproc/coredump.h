/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Coredumps of a crashed remote processor (doc/boot-sequence.md#coredump, rprocd(8)
 * "Coredumps"): an ELF64 ET_CORE file with a PT_NOTE (the RPROC notes below) and one PT_LOAD
 * per loaded segment, or per minidump region when SMEM item 602 describes the core.
 *
 * Only the core's carveout is ever read: a minidump table is written by the DSP that just
 * crashed, so every address it names is untrusted.  Bytes of a segment outside the carveout
 * are written as 0xff, as the kernel's dump does.
 *
 * Call it only after SHUTDOWN: before that TrustZone locks the carveout and a CPU read is an
 * XPU violation.
 */
#ifndef RPROC_COREDUMP_H
#define RPROC_COREDUMP_H

#include <stddef.h>
#include <stdint.h>

#include <rproc/backend.h>
#include <rproc/error.h>

struct rproc_dump_seg {
	uint64_t da;   /* the DSP's address (p_paddr), written as p_vaddr/p_paddr */
	uint64_t phys; /* where the bytes are: carveout base + p_paddr - mem_reloc */
	uint64_t size;
	char name[16]; /* minidump region name, "" for segments */
};

#define RPROC_SMEM_MINIDUMP_TOC 602
/* Subsystem entries the kernel's struct declares; the item's size says how many there are. */
#define RPROC_MINIDUMP_MAX_SS 10
/* At most this many entries of a region table are read. */
#define RPROC_MINIDUMP_MAX_REGIONS 1024

/*
 * rproc_minidump_regions() - the minidump regions of core @d (its minidump_id), from a copy
 * of SMEM item 602 (@toc, @len bytes; NULL if the item does not exist).  The region table is
 * read through @b's memory ops, and only where it lies inside the core's carveout
 * (d->carveouts[0]); each region is cut to the size of that carveout.
 *
 * Returns the number of regions (*@out malloc'd); 0 to fall back to the full dump (the entry
 * is not filled in, lies beyond the item, or its region table lies outside the carveout); or
 * a negative errno for no dump at all, with @err saying why: -ENOENT (no table of contents,
 * or its status is 0), -EAGAIN (encryption not done), -ENODATA (no valid region listed).
 */
int rproc_minidump_regions(struct rproc_backend *b, const void *toc, size_t len,
			   const struct rproc_desc *d, struct rproc_dump_seg **out,
			   struct rproc_error *err);

/*
 * rproc_minidump_read() - rproc_minidump_regions() with item 602 read through @b's PAS ops.
 * 0 (the full dump) for a core without a minidump id, or when SMEM cannot be read (no
 * smem_read op, or it fails other than with -ENOENT).
 */
int rproc_minidump_read(struct rproc_backend *b, const struct rproc_desc *d,
			struct rproc_dump_seg **out, struct rproc_error *err);

struct rproc_coredump_opts {
	const char *dir;    /* where the file goes */
	const char *core;   /* the core's name: file name and RPROC_NOTE_CORE */
	const char *reason; /* crash reason, NULL or "" for unknown */
	uint64_t max_size;  /* bytes; 0 = no limit */
	uint64_t keep_free; /* bytes to leave free on the file system; 0 = none */
	uint64_t carveout_base; /* the only memory read */
	uint64_t carveout_size;
};

/*
 * rproc_coredump_write() - write @n segments to @o->dir/<core>-<UTC time>.core: mode 0640,
 * the directory's group, and only under that name once complete (an unnamed file linked in
 * after fsync).  Segments that would pass @o->max_size, or leave less than @o->keep_free
 * free, are left out and RPROC_NOTE_TRUNCATED says so.  The file name is returned in @path.
 */
int rproc_coredump_write(struct rproc_backend *b, const struct rproc_coredump_opts *o,
			 const struct rproc_dump_seg *segs, size_t n, char *path, size_t path_len,
			 struct rproc_error *err);

/*
 * ELF notes in the PT_NOTE, owner "RPROC", each a NUL-terminated string.  The types are
 * chosen apart from the core-file note types (NT_PRSTATUS is 1, NT_PRPSINFO 3...), which
 * readelf and gdb apply to notes of any owner in an ET_CORE file.
 */
#define RPROC_NOTE_NAME "RPROC"
#define RPROC_NOTE_CORE 0x52500001      /* core name */
#define RPROC_NOTE_REASON 0x52500002    /* crash reason */
#define RPROC_NOTE_TRUNCATED 0x52500003 /* what was left out, and why */
#define RPROC_NOTE_REGION 0x52500004    /* "<i> <name>": PT_LOAD i (0 = first) is that region */
#define RPROC_NOTE_CARVEOUT 0x52500005  /* "0x<base> 0x<size>": the only memory read */

#endif
