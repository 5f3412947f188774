// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ELF core files of crashed remote processors (doc/boot-sequence.md#coredump).
 *
 * Layout: ELF64 header, program headers (PT_NOTE first, then one PT_LOAD per segment), the
 * segment bytes, and the notes last, so that a segment that cannot be read costs only its
 * own bytes.  Reads from the carveout use aligned loads: on hardware the view may be Device
 * memory (doc/iommu.md#cpu-access).
 *
 * Every address comes through window_clip() before it is mapped: a minidump table is written
 * by the DSP that crashed, and its carveout is the only memory that DSP may show us.
 */
#include <elf.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "rproc/coredump.h"
#include "rproc/error.h"
#include "fd-util.h"
#include "minidump.h"
#include "tmpfile-util.h"
#include "util.h"

#ifndef EM_QDSP6
#define EM_QDSP6 164
#endif

#define CHUNK (1u << 20)
#define NOTE_HEADER 12
#define NOTE_TEXT_MAX 256
#define FILL 0xff /* what the kernel's dump writes where it cannot read */

/* Read from a view that may be Device memory: 8-byte aligned loads where possible. */
static void io_read(void *dst, const volatile void *src, size_t n)
{
	const volatile uint8_t *s = src;
	uint8_t *d = dst;

	while (n && ((uintptr_t)s & 7)) {
		*d++ = *s++;
		n--;
	}
	while (n >= 8) {
		uint64_t v = *(const volatile uint64_t *)s;

		memcpy(d, &v, 8);
		d += 8;
		s += 8;
		n -= 8;
	}
	while (n--)
		*d++ = *s++;
}

/* [base, end) of physical memory a dump may read. */
struct window {
	uint64_t base, end;
};

static struct window window_of(uint64_t base, uint64_t size)
{
	struct window w = { base, 0 };

	if (add_overflows(base, size, &w.end))
		w.end = UINT64_MAX;
	return w;
}

/* The part of [addr, addr + size) inside @w, as [*lo, *hi); false if there is none. */
static bool window_clip(const struct window *w, uint64_t addr, uint64_t size, uint64_t *lo,
			uint64_t *hi)
{
	uint64_t end;

	if (add_overflows(addr, size, &end))
		end = UINT64_MAX;
	*lo = addr > w->base ? addr : w->base;
	*hi = end < w->end ? end : w->end;
	return *lo < *hi;
}

/* A size the dump will write for a segment at @addr: at most the carveout's, never past 2^64. */
static uint64_t capped_size(uint64_t addr, uint64_t size, uint64_t carveout_size)
{
	if (size > carveout_size)
		size = carveout_size;
	if (size > UINT64_MAX - addr)
		size = UINT64_MAX - addr;
	return size;
}

int rproc_minidump_regions(struct rproc_backend *b, const void *toc, size_t len,
			   const struct rproc_desc *d, struct rproc_dump_seg **out,
			   struct rproc_error *err)
{
	const struct rproc_dt_carveout *co = &d->carveouts[0];
	struct window w = window_of(co->base, co->size);
	_cleanup_free_ struct rproc_dump_seg *segs = NULL;
	struct rproc_mem_map m = { 0 };
	struct md_subsystem ss;
	struct md_toc head;
	uint64_t base, off, fit;
	uint32_t count, nread;
	size_t n = 0;
	int e;

	*out = NULL;
	/* The kernel's qcom_minidump(): no dump at all without the global table. */
	if (!toc || len < sizeof(head))
		return rproc_err(err, -ENOENT, "SMEM has no minidump table of contents (item %d)",
				 RPROC_SMEM_MINIDUMP_TOC);
	memcpy(&head, toc, sizeof(head));
	if (!le32toh(head.status))
		return rproc_err(err, -ENOENT,
				 "minidump is off (the table of contents' status is 0)");
	if (d->minidump_id < 0)
		return 0;
	/* SA8775p's ids reach past the ten entries the kernel's struct declares: trust the
	 * item's size instead, which the kernel does not check. */
	off = sizeof(head) + (uint64_t)d->minidump_id * sizeof(ss);
	if (!range_within(off, sizeof(ss), len)) {
		rproc_log(RPROC_LOG_NOTICE, d->name, "coredump", 0,
			  "the minidump table (%zu bytes) has no entry %d: full dump instead", len,
			  d->minidump_id);
		return 0;
	}
	memcpy(&ss, (const uint8_t *)toc + off, sizeof(ss));
	base = le64toh(ss.regions_baseptr);
	count = le32toh(ss.region_count);
	if (!base || le32toh(ss.status) != 1 || le32toh(ss.enabled) != MD_SS_ENABLED)
		return 0;
	if (le32toh(ss.encryption_status) != MD_SS_ENCR_DONE)
		return rproc_err(err, -EAGAIN, "minidump not ready (encryption not done)");

	/* From here on every value was written by the DSP that crashed. */
	if (base < w.base || base >= w.end || w.end - base < sizeof(struct md_region)) {
		rproc_log(RPROC_LOG_WARNING, d->name, "coredump", -EFAULT,
			  "the minidump region table at 0x%llx is outside the carveout "
			  "[0x%llx, +0x%llx): not read, full dump instead",
			  (unsigned long long)base, (unsigned long long)co->base,
			  (unsigned long long)co->size);
		return 0;
	}
	fit = (w.end - base) / sizeof(struct md_region);
	nread = count;
	if (nread > RPROC_MINIDUMP_MAX_REGIONS)
		nread = RPROC_MINIDUMP_MAX_REGIONS;
	if (nread > fit)
		nread = (uint32_t)fit;
	if (nread < count)
		rproc_log(RPROC_LOG_WARNING, d->name, "coredump", 0,
			  "the minidump region table claims %u regions; the first %u read (%s)",
			  count, nread,
			  nread == fit ? "the rest would lie outside the carveout" : "the limit");
	if (!nread)
		return rproc_err(err, -ENODATA, "the minidump lists no region");
	e = b->mem->map(b->mem_ctx, base, (uint64_t)nread * sizeof(struct md_region), false, &m);
	if (e < 0)
		return rproc_err(err, e, "cannot map the minidump region table at 0x%llx: %m",
				 (unsigned long long)base);
	segs = calloc(nread, sizeof(*segs));
	if (!segs) {
		b->mem->unmap(b->mem_ctx, &m);
		return rproc_err(err, -ENOMEM, "out of memory");
	}
	for (uint32_t i = 0; i < nread; i++) {
		struct md_region rg;
		uint64_t addr, size;

		io_read(&rg, (const uint8_t *)m.va + (size_t)i * sizeof(rg), sizeof(rg));
		addr = le64toh(rg.address);
		size = capped_size(addr, le64toh(rg.size), co->size);
		if (le32toh(rg.valid) != MD_REGION_VALID || !size)
			continue;
		static_assert(sizeof(segs[n].name) == sizeof(rg.name), "region name");
		memcpy(segs[n].name, rg.name, sizeof(segs[n].name) - 1);
		segs[n].da = segs[n].phys = addr;
		segs[n].size = size;
		n++;
	}
	b->mem->unmap(b->mem_ctx, &m);
	if (!n)
		return rproc_err(err, -ENODATA, "the minidump lists no valid region");
	*out = TAKE_PTR(segs);
	return (int)n;
}

int rproc_minidump_read(struct rproc_backend *b, const struct rproc_desc *d,
			struct rproc_dump_seg **out, struct rproc_error *err)
{
	void *toc = NULL;
	size_t len = 0;
	int e;

	*out = NULL;
	if (d->minidump_id < 0 || !b->pas->smem_read)
		return 0;
	e = b->pas->smem_read(b->pas_ctx, RPROC_SMEM_MINIDUMP_TOC, &toc, &len);
	if (e == -ENOENT)
		return rproc_minidump_regions(b, NULL, 0, d, out, err);
	if (e) {
		/* Whether the table exists is unknown: the full dump reads only what we loaded. */
		rproc_log(RPROC_LOG_NOTICE, d->name, "coredump", e,
			  "cannot read the minidump table of contents: %m; full dump instead");
		return 0;
	}
	e = rproc_minidump_regions(b, toc, len, d, out, err);
	free(toc);
	return e;
}

struct notes {
	uint8_t *buf;
	size_t len, cap;
};

static void notes_free(struct notes *nt)
{
	free(nt->buf);
}

static size_t note_size(const char *text)
{
	return NOTE_HEADER + ALIGN_UP(sizeof(RPROC_NOTE_NAME), 4) + ALIGN_UP(strlen(text) + 1, 4);
}

static int note_add(struct notes *nt, uint32_t type, const char *text)
{
	size_t namesz = sizeof(RPROC_NOTE_NAME), descsz = strlen(text) + 1;
	size_t need = note_size(text);
	uint32_t h[3] = { (uint32_t)namesz, (uint32_t)descsz, type };

	if (nt->len + need > nt->cap) {
		size_t cap = (nt->cap + need) * 2;
		uint8_t *p = realloc(nt->buf, cap);

		if (!p)
			return -ENOMEM;
		nt->buf = p;
		nt->cap = cap;
	}
	memset(nt->buf + nt->len, 0, need);
	memcpy(nt->buf + nt->len, h, sizeof(h));
	memcpy(nt->buf + nt->len + NOTE_HEADER, RPROC_NOTE_NAME, namesz);
	memcpy(nt->buf + nt->len + NOTE_HEADER + ALIGN_UP(namesz, 4), text, descsz);
	nt->len += need;
	return 0;
}

static int write_fill(int fd, const uint8_t *fill, uint64_t n, off_t off)
{
	while (n) {
		size_t k = n > CHUNK ? CHUNK : (size_t)n;
		int e = write_full(fd, fill, k, off);

		if (e < 0)
			return e;
		n -= k;
		off += (off_t)k;
	}
	return 0;
}

struct dump_buf {
	uint8_t *chunk;
	uint8_t *fill; /* CHUNK bytes of FILL */
};

/*
 * Copy @size bytes of segment @s into the file at @off: what lies inside @w from the carveout,
 * the rest FILL.  Returns 0 (*@outside: the FILL bytes), or -errno: of the memory, with
 * *@unreadable set and nothing written, else of the file.
 */
static int dump_segment(struct rproc_backend *b, int fd, off_t off, const struct rproc_dump_seg *s,
			uint64_t size, const struct window *w, const struct dump_buf *db,
			uint64_t *outside, bool *unreadable)
{
	struct rproc_mem_map m = { 0 };
	uint64_t lo, hi;
	int e;

	*outside = 0;
	*unreadable = false;
	if (!window_clip(w, s->phys, size, &lo, &hi)) {
		*outside = size;
		return write_fill(fd, db->fill, size, off);
	}
	e = b->mem->map(b->mem_ctx, lo, hi - lo, false, &m);
	if (e < 0) {
		*unreadable = true;
		return e;
	}
	e = write_fill(fd, db->fill, lo - s->phys, off);
	for (uint64_t done = 0; !e && done < hi - lo;) {
		size_t n = hi - lo - done > CHUNK ? CHUNK : (size_t)(hi - lo - done);

		io_read(db->chunk, (const uint8_t *)m.va + done, n);
		e = write_full(fd, db->chunk, n, off + (off_t)(lo - s->phys + done));
		done += n;
	}
	b->mem->unmap(b->mem_ctx, &m);
	if (!e)
		e = write_fill(fd, db->fill, s->phys + size - hi, off + (off_t)(hi - s->phys));
	*outside = size - (hi - lo);
	return e;
}

/* What RPROC_NOTE_TRUNCATED says: each thing that was left out, and why. */
static void truncation_text(char *buf, size_t len, size_t incl, size_t n, uint64_t limit,
			    size_t unreadable, uint64_t outside)
{
	size_t k = 0;

	buf[0] = 0;
	if (incl < n)
		k += (size_t)snprintf(buf + k, len - k,
				      "%zu of %zu segments written (size limit %llu bytes)", incl,
				      n, (unsigned long long)limit);
	if (unreadable && k < len)
		k += (size_t)snprintf(buf + k, len - k, "%s%zu segments unreadable", k ? ", " : "",
				      unreadable);
	if (outside && k < len)
		snprintf(buf + k, len - k, "%s%llu bytes outside the carveout written as 0x%02x",
			 k ? ", " : "", (unsigned long long)outside, FILL);
}

/* The core file's name, not taken yet, for the file @fd: <core>-<UTC time>[-N].core. */
static int link_unique(int fd, int dfd, const char *tmpname, const char *core, char *name,
		       size_t len)
{
	char stamp[32];
	struct tm tm;
	time_t now = time(NULL);
	int e = -EEXIST;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	for (int i = 0; i < 100 && e == -EEXIST; i++) {
		if (i)
			snprintf(name, len, "%s-%s-%d.core", core, stamp, i);
		else
			snprintf(name, len, "%s-%s.core", core, stamp);
		e = tmpfile_link(fd, dfd, tmpname, name);
	}
	return e;
}

/*
 * How many segments fit: in order, stopping at the first that would pass @limit, with the
 * headers and @notes_max bytes of notes counted.  Returns -EFBIG if not even those fit.
 */
static int segments_that_fit(const struct rproc_dump_seg *segs, size_t n, uint64_t carveout_size,
			     uint64_t limit, uint64_t notes_max, size_t *incl)
{
	uint64_t total = sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr) + notes_max;

	if (total > limit)
		return -EFBIG;
	for (*incl = 0; *incl < n && *incl < 0xfff0; (*incl)++) {
		uint64_t t;

		if (add_overflows(total, sizeof(Elf64_Phdr), &t) ||
		    add_overflows(t, capped_size(segs[*incl].phys, segs[*incl].size, carveout_size),
				  &t) ||
		    t > limit)
			break;
		total = t;
	}
	return 0;
}

int rproc_coredump_write(struct rproc_backend *b, const struct rproc_coredump_opts *o,
			 const struct rproc_dump_seg *segs, size_t n, char *path, size_t path_len,
			 struct rproc_error *err)
{
	struct window w = window_of(o->carveout_base, o->carveout_size);
	_cleanup_free_ Elf64_Phdr *ph = NULL;
	_cleanup_free_ uint8_t *chunk = NULL, *fill = NULL;
	_cleanup_close_ int dfd = -1, fd = -1;
	_cleanup_(notes_free) struct notes nt = { 0 };
	char text[NOTE_TEXT_MAX], tmpname[64] = "", name[256];
	uint64_t off, limit = o->max_size ? o->max_size : UINT64_MAX, notes_max, outside = 0;
	size_t incl = 0, unreadable = 0;
	Elf64_Ehdr eh = { 0 };
	struct stat dst;
	int e;

	path[0] = 0;
	if (!o->dir || !*o->dir)
		return rproc_err(err, -EINVAL, "no coredump directory");
	dfd = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fstat(dfd, &dst) < 0)
		return rproc_err(err, -errno, "cannot open the coredump directory %s: %m", o->dir);
	if (o->keep_free) {
		struct statvfs sv;
		uint64_t avail;

		if (fstatvfs(dfd, &sv) < 0)
			return rproc_err(err, -errno, "cannot tell the free space in %s: %m",
					 o->dir);
		avail = (uint64_t)sv.f_bavail * sv.f_frsize;
		if (avail <= o->keep_free)
			return rproc_err(err, -ENOSPC,
					 "%s has %llu bytes free, and %llu are to be kept free: "
					 "no coredump",
					 o->dir, (unsigned long long)avail,
					 (unsigned long long)o->keep_free);
		if (avail - o->keep_free < limit)
			limit = avail - o->keep_free;
	}

	/* The notes are known before the segments, but for what is left out: count them first,
	 * with room for the longest RPROC_NOTE_TRUNCATED text. */
	snprintf(text, sizeof(text), "0x%llx 0x%llx", (unsigned long long)o->carveout_base,
		 (unsigned long long)o->carveout_size);
	if (note_add(&nt, RPROC_NOTE_CORE, o->core) < 0 ||
	    note_add(&nt, RPROC_NOTE_REASON, o->reason && *o->reason ? o->reason : "unknown") < 0 ||
	    note_add(&nt, RPROC_NOTE_CARVEOUT, text) < 0)
		goto nomem;
	notes_max = nt.len + NOTE_HEADER + ALIGN_UP(sizeof(RPROC_NOTE_NAME), 4) + NOTE_TEXT_MAX;
	for (size_t i = 0; i < n; i++)
		if (segs[i].name[0])
			notes_max += note_size(segs[i].name) + 8; /* "<i> " */
	if (segments_that_fit(segs, n, o->carveout_size, limit, notes_max, &incl) < 0)
		return rproc_err(err, -EFBIG,
				 "a coredump of %s needs more than %llu bytes even without its "
				 "segments: no coredump",
				 o->core, (unsigned long long)limit);

	ph = calloc(incl + 1, sizeof(*ph));
	chunk = malloc(CHUNK);
	fill = malloc(CHUNK);
	if (!ph || !chunk || !fill)
		goto nomem;
	memset(fill, FILL, CHUNK);
	fd = tmpfile_open(dfd, 0640, tmpname, sizeof(tmpname));
	if (fd < 0)
		return rproc_err(err, fd, "cannot create a coredump in %s: %m", o->dir);

	off = sizeof(eh) + (incl + 1) * sizeof(Elf64_Phdr);
	for (size_t i = 0; i < incl; i++) {
		const struct rproc_dump_seg *s = &segs[i];
		uint64_t size = capped_size(s->phys, s->size, o->carveout_size), out;
		bool bad;

		e = dump_segment(b, fd, (off_t)off, s, size, &w, &(struct dump_buf){ chunk, fill },
				 &out, &bad);
		if (e < 0 && !bad)
			goto fail;
		ph[i + 1] = (Elf64_Phdr){ .p_type = PT_LOAD,
					  .p_flags = PF_R | PF_W | PF_X,
					  .p_offset = off,
					  .p_vaddr = s->da,
					  .p_paddr = s->da,
					  .p_filesz = e < 0 ? 0 : size,
					  .p_memsz = size,
					  .p_align = 1 };
		if (e < 0) {
			unreadable++;
			rproc_log(RPROC_LOG_WARNING, o->core, "coredump", e,
				  "segment at 0x%llx unreadable: %m", (unsigned long long)s->phys);
		} else {
			off += size;
			outside += out;
		}
		if (s->name[0]) {
			snprintf(text, sizeof(text), "%zu %s", i, s->name);
			if (note_add(&nt, RPROC_NOTE_REGION, text) < 0)
				goto nomem;
		}
	}
	if (incl < n || unreadable || outside) {
		truncation_text(text, sizeof(text), incl, n, limit, unreadable, outside);
		if (note_add(&nt, RPROC_NOTE_TRUNCATED, text) < 0)
			goto nomem;
		rproc_log(RPROC_LOG_NOTICE, o->core, "coredump", 0, "%s", text);
	}
	ph[0] = (Elf64_Phdr){
		.p_type = PT_NOTE, .p_offset = off, .p_filesz = nt.len, .p_align = 4
	};
	e = write_full(fd, nt.buf, nt.len, (off_t)off);
	if (e < 0)
		goto fail;

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_ident[EI_OSABI] = ELFOSABI_NONE;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_QDSP6;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = (Elf64_Half)(incl + 1);
	e = write_full(fd, &eh, sizeof(eh), 0);
	if (!e)
		e = write_full(fd, ph, (incl + 1) * sizeof(*ph), sizeof(eh));
	/* Group-readable for the directory's group (rprocd(8), "Coredumps"), whatever the umask;
	 * a setgid directory gives the group without any privilege. */
	if (!e && fchmod(fd, 0640) < 0)
		e = -errno;
	if (!e) {
		struct stat st;

		if (fstat(fd, &st) == 0 && st.st_gid != dst.st_gid &&
		    fchown(fd, (uid_t)-1, dst.st_gid) < 0)
			rproc_log(RPROC_LOG_WARNING, o->core, "coredump", -errno,
				  "the coredump is not in the group of %s (%u): %m; give the "
				  "directory the setgid bit (chmod g+s)",
				  o->dir, (unsigned int)dst.st_gid);
	}
	if (!e && fsync(fd) < 0)
		e = -errno;
	if (!e)
		e = link_unique(fd, dfd, tmpname, o->core, name, sizeof(name));
	if (e < 0)
		goto fail;
	/* the name itself, durable */
	fsync(dfd);
	snprintf(path, path_len, "%s/%s", o->dir, name);
	return 0;
fail:
	tmpfile_abandon(dfd, tmpname);
	return rproc_err(err, e, "writing a coredump in %s: %m", o->dir);
nomem:
	if (fd >= 0)
		tmpfile_abandon(dfd, tmpname);
	return rproc_err(err, -ENOMEM, "out of memory");
}
