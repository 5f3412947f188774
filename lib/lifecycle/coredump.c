// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ELF core files of crashed remote processors (doc/boot-sequence.md#coredump).
 *
 * Layout: ELF64 header, program headers (PT_NOTE first, then one PT_LOAD per segment), the
 * segment bytes, and the notes last, so that a segment that cannot be read costs only its
 * own bytes.  Reads from the carveout use aligned loads: on hardware the view may be Device
 * memory (doc/iommu.md#cpu-access).
 */
#include <elf.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rproc/coredump.h"
#include "rproc/error.h"
#include "minidump.h"
#include "util.h"

#ifndef EM_QDSP6
#define EM_QDSP6 164
#endif

#define MD_MAX_REGIONS 1024

#define CHUNK (1u << 20)
#define NOTE_RESERVE 4096

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

int rproc_minidump_regions(struct rproc_backend *b, const void *toc, size_t len, int id,
			   struct rproc_dump_seg **out, struct rproc_error *err)
{
	struct rproc_mem_map m = { 0 };
	struct rproc_dump_seg *segs;
	struct md_subsystem ss;
	uint64_t base;
	uint32_t count;
	size_t n = 0;
	int e;

	*out = NULL;
	if (id < 0 || id >= RPROC_MINIDUMP_MAX_SS || len < sizeof(struct md_toc))
		return 0;
	memcpy(&ss, &((const struct md_toc *)toc)->subsystems[id], sizeof(ss));
	base = le64toh(ss.regions_baseptr);
	count = le32toh(ss.region_count);
	if (!base || le32toh(ss.status) != 1 || le32toh(ss.enabled) != MD_SS_ENABLED)
		return 0; /* the kernel falls back to the full dump */
	if (le32toh(ss.encryption_status) != MD_SS_ENCR_DONE)
		return rproc_err(err, -EAGAIN, "minidump of subsystem %d: encryption not done", id);
	if (!count || count > MD_MAX_REGIONS)
		return 0;
	e = b->mem->map(b->mem_ctx, base, (uint64_t)count * sizeof(struct md_region), false, &m);
	if (e < 0)
		return rproc_err(err, e, "cannot map the minidump region table at 0x%llx: %s",
				 (unsigned long long)base, strerror(-e));
	segs = calloc(count, sizeof(*segs));
	if (!segs) {
		b->mem->unmap(b->mem_ctx, &m);
		return rproc_err(err, -ENOMEM, "out of memory");
	}
	for (uint32_t i = 0; i < count; i++) {
		struct md_region rg;

		io_read(&rg, (const uint8_t *)m.va + (size_t)i * sizeof(rg), sizeof(rg));
		if (le32toh(rg.valid) != MD_REGION_VALID || !le64toh(rg.size))
			continue;
		static_assert(sizeof(segs[n].name) == sizeof(rg.name), "region name");
		memcpy(segs[n].name, rg.name, sizeof(segs[n].name) - 1);
		segs[n].da = segs[n].phys = le64toh(rg.address);
		segs[n].size = le64toh(rg.size);
		n++;
	}
	b->mem->unmap(b->mem_ctx, &m);
	if (!n) {
		free(segs);
		return 0;
	}
	*out = segs;
	return (int)n;
}

struct notes {
	uint8_t *buf;
	size_t len, cap;
};

static int note_add(struct notes *nt, uint32_t type, const char *text)
{
	size_t namesz = sizeof(RPROC_NOTE_NAME), descsz = strlen(text) + 1;
	size_t need = 12 + ALIGN_UP(namesz, 4) + ALIGN_UP(descsz, 4);
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
	memcpy(nt->buf + nt->len + 12, RPROC_NOTE_NAME, namesz);
	memcpy(nt->buf + nt->len + 12 + ALIGN_UP(namesz, 4), text, descsz);
	nt->len += need;
	return 0;
}

static int write_all(int fd, const void *buf, size_t n, off_t off)
{
	const uint8_t *p = buf;

	while (n) {
		ssize_t w = pwrite(fd, p, n, off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
		off += w;
	}
	return 0;
}

/* Copy one segment from the carveout into the file; returns bytes written or -errno. */
static int64_t dump_segment(struct rproc_backend *b, int fd, off_t off,
			    const struct rproc_dump_seg *s, uint8_t *chunk)
{
	struct rproc_mem_map m = { 0 };
	uint64_t done = 0;
	int e;

	e = b->mem->map(b->mem_ctx, s->phys, s->size, false, &m);
	if (e < 0)
		return e;
	while (done < s->size) {
		size_t n = s->size - done > CHUNK ? CHUNK : (size_t)(s->size - done);

		io_read(chunk, (const uint8_t *)m.va + done, n);
		e = write_all(fd, chunk, n, off + (off_t)done);
		if (e < 0)
			break;
		done += n;
	}
	b->mem->unmap(b->mem_ctx, &m);
	return e < 0 ? e : (int64_t)done;
}

static int open_unique(const char *dir, const char *core, char *path, size_t path_len)
{
	char stamp[32];
	struct tm tm;
	time_t now = time(NULL);

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	for (int i = 0; i < 100; i++) {
		int fd;

		if (i)
			snprintf(path, path_len, "%s/%s-%s-%d.core", dir, core, stamp, i);
		else
			snprintf(path, path_len, "%s/%s-%s.core", dir, core, stamp);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			return fd < 0 ? -errno : fd;
	}
	return -EEXIST;
}

int rproc_coredump_write(struct rproc_backend *b, const char *dir, const char *core,
			 const char *reason, const struct rproc_dump_seg *segs, size_t n,
			 uint64_t max, char *path, size_t path_len, struct rproc_error *err)
{
	_cleanup_free_ Elf64_Phdr *ph = NULL;
	_cleanup_free_ uint8_t *chunk = NULL;
	_cleanup_close_ int fd = -1;
	struct notes nt = { 0 };
	Elf64_Ehdr eh = { 0 };
	uint64_t off, total;
	size_t incl = 0, unreadable = 0;
	char text[256];
	int e;

	if (!dir || !*dir)
		return rproc_err(err, -EINVAL, "no coredump directory");
	/* Decide what fits before writing anything: segments in order, stop at the first that
	 * would pass the limit. */
	total = sizeof(eh) + (n + 1) * sizeof(Elf64_Phdr) + NOTE_RESERVE;
	for (; incl < n; incl++) {
		uint64_t t;

		if (incl >= 0xfff0 || add_overflows(total, segs[incl].size, &t) ||
		    (max && t > max))
			break;
		total = t;
	}
	ph = calloc(incl + 1, sizeof(*ph));
	chunk = malloc(CHUNK);
	if (!ph || !chunk)
		return rproc_err(err, -ENOMEM, "out of memory");
	fd = open_unique(dir, core, path, path_len);
	if (fd < 0)
		return rproc_err(err, fd, "cannot create a coredump in %s: %s", dir, strerror(-fd));

	off = sizeof(eh) + (incl + 1) * sizeof(Elf64_Phdr);
	for (size_t i = 0; i < incl; i++) {
		const struct rproc_dump_seg *s = &segs[i];
		int64_t w = dump_segment(b, fd, (off_t)off, s, chunk);

		ph[i + 1] = (Elf64_Phdr){ .p_type = PT_LOAD,
					  .p_flags = PF_R | PF_W | PF_X,
					  .p_offset = off,
					  .p_vaddr = s->da,
					  .p_paddr = s->da,
					  .p_filesz = w > 0 ? (uint64_t)w : 0,
					  .p_memsz = s->size,
					  .p_align = 1 };
		if (w < 0) {
			unreadable++;
			rproc_log(RPROC_LOG_WARNING, core, "coredump", (int)w,
				  "segment at 0x%llx unreadable: %s", (unsigned long long)s->phys,
				  strerror((int)-w));
		} else {
			off += (uint64_t)w;
		}
		if (s->name[0]) {
			snprintf(text, sizeof(text), "%u %s", (unsigned int)i, s->name);
			if (note_add(&nt, RPROC_NOTE_REGION, text) < 0)
				goto nomem;
		}
	}
	if (note_add(&nt, RPROC_NOTE_CORE, core) < 0 ||
	    note_add(&nt, RPROC_NOTE_REASON, reason && *reason ? reason : "unknown") < 0)
		goto nomem;
	if (incl < n || unreadable) {
		snprintf(text, sizeof(text),
			 "%zu of %zu segments written (size limit %llu bytes), %zu unreadable",
			 incl, n, (unsigned long long)max, unreadable);
		if (note_add(&nt, RPROC_NOTE_TRUNCATED, text) < 0)
			goto nomem;
		rproc_log(RPROC_LOG_NOTICE, core, "coredump", 0, "%s", text);
	}
	ph[0] = (Elf64_Phdr){
		.p_type = PT_NOTE, .p_offset = off, .p_filesz = nt.len, .p_align = 4
	};
	e = write_all(fd, nt.buf, nt.len, (off_t)off);
	free(nt.buf);
	nt.buf = NULL;

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
	if (!e)
		e = write_all(fd, &eh, sizeof(eh), 0);
	if (!e)
		e = write_all(fd, ph, (incl + 1) * sizeof(*ph), sizeof(eh));
	if (!e && fsync(fd) < 0)
		e = -errno;
	if (e < 0) {
		unlink(path);
		return rproc_err(err, e, "writing coredump %s: %s", path, strerror(-e));
	}
	return 0;
nomem:
	free(nt.buf);
	unlink(path);
	return rproc_err(err, -ENOMEM, "out of memory");
}
