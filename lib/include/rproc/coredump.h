/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Coredumps of a crashed remote processor
 * (doc/boot-sequence.md#coredump): an ELF64 ET_CORE file with a
 * PT_NOTE (core name, crash reason, what was left out) and one PT_LOAD per loaded segment,
 * or per minidump region when SMEM item 602 has a valid table for the core.
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
#define RPROC_MINIDUMP_MAX_SS 10

/*
 * rproc_minidump_regions() - parse a minidump table of contents (@toc, @len bytes, as SMEM
 * item 602 holds it) for subsystem @id, reading its region array through @b's memory ops.
 * Returns the number of valid regions (*@out malloc'd), 0 if the table does not describe
 * the subsystem (fall back to a full dump), -EAGAIN if its encryption is not done.
 */
int rproc_minidump_regions(struct rproc_backend *b, const void *toc, size_t len, int id,
			   struct rproc_dump_seg **out, struct rproc_error *err);

/*
 * rproc_coredump_write() - write @n segments of core @core to
 * @dir/<core>-<UTC time>.core, at most @max bytes (0: no limit; segments that do not fit are
 * left out and the PT_NOTE says so).  The file name is returned in @path.
 */
int rproc_coredump_write(struct rproc_backend *b, const char *dir, const char *core,
			 const char *reason, const struct rproc_dump_seg *segs, size_t n,
			 uint64_t max, char *path, size_t path_len, struct rproc_error *err);

/* ELF note names and types used in the PT_NOTE. */
#define RPROC_NOTE_NAME "RPROC"
#define RPROC_NOTE_CORE 1      /* core name */
#define RPROC_NOTE_REASON 2    /* crash reason */
#define RPROC_NOTE_TRUNCATED 3 /* "N of M segments written, limit X bytes" */
#define RPROC_NOTE_REGION 4    /* one per PT_LOAD: its minidump region name */

#endif
