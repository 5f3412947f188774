// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * PAS firmware images: ELF validation, split-form detection, the INIT_IMAGE metadata blob,
 * address span and relocation, and the segment copy into a carveout (doc/firmware-format.md).
 *
 * The kernel's mdt_loader only takes ELF32 (doc/firmware-format.md#elf-checks).
 * ELF64 headers are parsed and validated
 * as well, with the same rules, so that `rprocctl inspect` can describe any image; whether
 * the firmware of a given SoC may be ELF64 is the TrustZone's decision, not the loader's.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "fd-util.h"
#include "fw-internal.h"

#define EH32_SIZE ((unsigned int)sizeof(Elf32_Ehdr))
#define EH64_SIZE ((unsigned int)sizeof(Elf64_Ehdr))
#define PH32_SIZE ((unsigned int)sizeof(Elf32_Phdr))
#define PH64_SIZE ((unsigned int)sizeof(Elf64_Phdr))
#define SH32_SIZE ((unsigned int)sizeof(Elf32_Shdr))
#define SH64_SIZE ((unsigned int)sizeof(Elf64_Shdr))

/* The ELF header fields the loader uses: the same names in ELF32 and ELF64. */
#define READ_EHDR(eh, b, T)                                                                        \
	do {                                                                                       \
		(eh)->phoff = ELF_FIELD(b, T, e_phoff);                                            \
		(eh)->shoff = ELF_FIELD(b, T, e_shoff);                                            \
		(eh)->ehsize = (unsigned int)ELF_FIELD(b, T, e_ehsize);                            \
		(eh)->phentsize = (unsigned int)ELF_FIELD(b, T, e_phentsize);                      \
		(eh)->phnum = (unsigned int)ELF_FIELD(b, T, e_phnum);                              \
		(eh)->shentsize = (unsigned int)ELF_FIELD(b, T, e_shentsize);                      \
		(eh)->shnum = (unsigned int)ELF_FIELD(b, T, e_shnum);                              \
	} while (0)

/* A program header: the same names in ELF32 and ELF64, at different offsets. */
#define READ_PHDR(s, p, T)                                                                         \
	do {                                                                                       \
		(s)->type = (uint32_t)ELF_FIELD(p, T, p_type);                                     \
		(s)->flags = (uint32_t)ELF_FIELD(p, T, p_flags);                                   \
		(s)->offset = ELF_FIELD(p, T, p_offset);                                           \
		(s)->vaddr = ELF_FIELD(p, T, p_vaddr);                                             \
		(s)->paddr = ELF_FIELD(p, T, p_paddr);                                             \
		(s)->filesz = ELF_FIELD(p, T, p_filesz);                                           \
		(s)->memsz = ELF_FIELD(p, T, p_memsz);                                             \
		(s)->align = ELF_FIELD(p, T, p_align);                                             \
	} while (0)

void rproc_fw_close(struct rproc_fw_image *img)
{
	if (!img)
		return;
	if (img->fd >= 0)
		close(img->fd);
	for (unsigned int i = 0; img->seg_fds && i < img->phnum; i++)
		if (img->seg_fds[i] >= 0)
			close(img->seg_fds[i]);
	free(img->seg_fds);
	free(img->path);
	free(img->segs);
	free(img->metadata);
	free(img);
}

static void fw_closep(struct rproc_fw_image **img)
{
	rproc_fw_close(*img);
}
#define _cleanup_fw_ _cleanup_(fw_closep)

struct ehdr {
	unsigned int class;
	uint64_t phoff, shoff;
	unsigned int ehsize, phentsize, phnum, shentsize, shnum;
};

static int parse_ehdr(const uint8_t *b, size_t len, uint64_t file_size, enum fw_mode mode,
		      struct ehdr *eh, size_t *need, struct rproc_error *err)
{
	uint64_t phsize, phend, shsize, shend;
	size_t ehsz;

	if (file_size < EH32_SIZE)
		return rproc_err(err, -EINVAL, "%s is %llu bytes, too small for an ELF header",
				 mode == FW_MODE_META ? "metadata" : "file",
				 (unsigned long long)file_size);
	if (len < EH32_SIZE) {
		*need = EH32_SIZE;
		return -EAGAIN;
	}
	if (memcmp(b, ELFMAG, SELFMAG))
		return rproc_err(err, -EINVAL,
				 "not an ELF file (magic %02x %02x %02x %02x, expected 7f 45 4c 46)",
				 b[0], b[1], b[2], b[3]);
	if (b[EI_DATA] != ELFDATA2LSB)
		return rproc_err(err, -EINVAL, "ELF data encoding %u is not little-endian",
				 b[EI_DATA]);

	if (b[EI_CLASS] == ELFCLASS32) {
		eh->class = 32;
		ehsz = EH32_SIZE;
		READ_EHDR(eh, b, Elf32_Ehdr);
	} else if (b[EI_CLASS] == ELFCLASS64) {
		eh->class = 64;
		ehsz = EH64_SIZE;
		if (file_size < EH64_SIZE)
			return rproc_err(err, -EINVAL,
					 "file is %llu bytes, too small for an ELF64 header",
					 (unsigned long long)file_size);
		if (len < EH64_SIZE) {
			*need = EH64_SIZE;
			return -EAGAIN;
		}
		READ_EHDR(eh, b, Elf64_Ehdr);
	} else {
		return rproc_err(err, -EINVAL, "unknown ELF class %u (1 = ELF32, 2 = ELF64)",
				 b[EI_CLASS]);
	}

	/* doc/firmware-format.md#elf-checks, check 3: an ELF64 file with ELF32 program headers, or
	 * the reverse, stops here */
	if (eh->phentsize != (eh->class == 32 ? PH32_SIZE : PH64_SIZE))
		return rproc_err(err, -EINVAL, "ELF%u header has e_phentsize %u, expected %u",
				 eh->class, eh->phentsize, eh->class == 32 ? PH32_SIZE : PH64_SIZE);
	if (eh->phnum == PN_XNUM)
		return rproc_err(err, -EINVAL,
				 "e_phnum is 0xffff (extended numbering), not used by PAS images");
	if (eh->phnum > FW_MAX_PHNUM)
		return rproc_err(err, -EINVAL, "e_phnum %u is absurd (at most %u accepted)",
				 eh->phnum, FW_MAX_PHNUM);
	/* doc/firmware-format.md#metadata, step 1: header pseudo-segment and hash segment at
	 * least */
	if (eh->phnum < 2)
		return rproc_err(err, -EINVAL,
				 "e_phnum is %u; a PAS image has at least 2 program headers (the "
				 "ELF-header segment and the hash segment)",
				 eh->phnum);
	phsize = (uint64_t)eh->phnum * eh->phentsize;
	/* doc/firmware-format.md#elf-checks, check 4 */
	if (add_overflows(eh->phoff, phsize, &phend) || phend > file_size)
		return rproc_err(err, -EINVAL,
				 "program header table (offset %llu, %u entries) ends past the end "
				 "of the %s (%llu bytes)",
				 (unsigned long long)eh->phoff, eh->phnum,
				 mode == FW_MODE_META ? "metadata" : "file",
				 (unsigned long long)file_size);
	if (eh->phoff < ehsz)
		return rproc_err(err, -EINVAL,
				 "program header table at offset %llu overlaps the ELF header",
				 (unsigned long long)eh->phoff);
	/* doc/firmware-format.md#elf-checks, check 5, only where the section headers could be: not
	 * in a metadata blob */
	if (mode == FW_MODE_FILE && (eh->shentsize || eh->shnum)) {
		unsigned int want = eh->class == 32 ? SH32_SIZE : SH64_SIZE;

		if (eh->shentsize != want)
			return rproc_err(err, -EINVAL, "e_shentsize is %u, expected %u",
					 eh->shentsize, want);
		shsize = (uint64_t)eh->shnum * eh->shentsize;
		if (add_overflows(eh->shoff, shsize, &shend) || shend > file_size)
			return rproc_err(err, -EINVAL,
					 "section header table (offset %llu, %u entries) ends past "
					 "the end of the file (%llu bytes)",
					 (unsigned long long)eh->shoff, eh->shnum,
					 (unsigned long long)file_size);
	}
	if (len < phend) {
		*need = (size_t)phend;
		return -EAGAIN;
	}
	return 0;
}

static void read_phdr(const uint8_t *p, unsigned int class, struct rproc_fw_segment *s)
{
	if (class == 32)
		READ_PHDR(s, p, Elf32_Phdr);
	else
		READ_PHDR(s, p, Elf64_Phdr);
}

static int check_segment(const struct rproc_fw_image *img, const struct rproc_fw_segment *s,
			 struct rproc_error *err)
{
	uint64_t end, limit = img->elf_class == 32 ? 1ull << 32 : UINT64_MAX - RPROC_FW_PAGE;

	if (s->filesz > FW_MAX_SEG || s->memsz > FW_MAX_SEG)
		return rproc_err(err, -EINVAL,
				 "segment %u: p_filesz 0x%llx / p_memsz 0x%llx is absurd (at most "
				 "4 GiB)",
				 s->index, (unsigned long long)s->filesz,
				 (unsigned long long)s->memsz);
	if (!s->loadable)
		return 0;
	/* doc/firmware-format.md#load-checks, step 2, done up front so that no later step sees
	 * it */
	if (s->filesz > s->memsz)
		return rproc_err(err, -EINVAL, "segment %u: p_filesz 0x%llx > p_memsz 0x%llx",
				 s->index, (unsigned long long)s->filesz,
				 (unsigned long long)s->memsz);
	if (add_overflows(s->paddr, s->memsz, &end) || end > limit)
		return rproc_err(err, -EINVAL,
				 "segment %u: [0x%llx + 0x%llx) runs past the end of the %u-bit "
				 "address space",
				 s->index, (unsigned long long)s->paddr,
				 (unsigned long long)s->memsz, img->elf_class);
	return 0;
}

/* true if the segment's file bytes are not all inside a file of @size bytes
 * (doc/firmware-format.md#packaging) */
static bool beyond_file(const struct rproc_fw_segment *s, uint64_t size)
{
	return s->filesz && !range_within(s->offset, s->filesz, size);
}

int fw_parse_headers(const uint8_t *buf, size_t len, uint64_t file_size, enum fw_mode mode,
		     struct rproc_fw_image **out, size_t *need, enum fw_hash_src *src,
		     uint64_t *src_off, struct rproc_error *err)
{
	_cleanup_fw_ struct rproc_fw_image *img = NULL;
	uint64_t ehdr_size, hash_size, phend, total;
	struct rproc_fw_segment *h;
	struct ehdr eh = {0};
	int r;

	*out = NULL;
	r = parse_ehdr(buf, len, file_size, mode, &eh, need, err);
	if (r < 0)
		return r;
	phend = eh.phoff + (uint64_t)eh.phnum * eh.phentsize;

	img = calloc(1, sizeof(*img));
	if (!img)
		return rproc_err(err, -ENOMEM, "out of memory");
	img->fd = -1;
	img->hash_index = -1;
	img->elf_class = eh.class;
	img->file_size = file_size;
	img->phnum = eh.phnum;
	img->form = RPROC_FW_MBN;
	img->segs = calloc(eh.phnum, sizeof(*img->segs));
	if (!img->segs)
		return rproc_err(err, -ENOMEM, "out of memory");

	for (unsigned int i = 0; i < eh.phnum; i++) {
		struct rproc_fw_segment *s = &img->segs[i];

		s->index = i;
		read_phdr(buf + eh.phoff + (uint64_t)i * eh.phentsize, eh.class, s);
		/* doc/firmware-format.md#loadable-segments */
		s->loadable = s->type == PT_LOAD &&
			      (s->flags & QCOM_MDT_TYPE_MASK) != QCOM_MDT_TYPE_HASH && s->memsz;
		if (img->hash_index < 0 && i >= 1 &&
		    (s->flags & QCOM_MDT_TYPE_MASK) == QCOM_MDT_TYPE_HASH)
			img->hash_index = (int)i; /* doc/firmware-format.md#metadata, step 2 */
		r = check_segment(img, s, err);
		if (r < 0)
			return r;
		if (mode == FW_MODE_FILE && beyond_file(s, file_size))
			img->form = RPROC_FW_SPLIT;
	}

	/* doc/firmware-format.md#metadata, step 1 */
	if (img->segs[0].type == PT_LOAD)
		return rproc_err(err, -EINVAL,
				 "program header 0 is PT_LOAD; it must be the pseudo-segment that "
				 "covers the ELF and program headers");
	if (img->hash_index < 0)
		return rproc_err(err, -EINVAL,
				 "no hash segment (no program header with p_flags type 2); the image "
				 "is not signed for PAS");
	ehdr_size = img->segs[0].filesz;
	if (ehdr_size < phend)
		return rproc_err(err, -EINVAL,
				 "program header 0 covers %llu bytes, less than the ELF and "
				 "program headers (%llu bytes)",
				 (unsigned long long)ehdr_size, (unsigned long long)phend);
	if (ehdr_size > FW_MAX_HDR || ehdr_size > file_size)
		return rproc_err(err, -EINVAL,
				 "program header 0 covers %llu bytes, more than the %s (%llu)",
				 (unsigned long long)ehdr_size,
				 ehdr_size > FW_MAX_HDR ? "1 MiB limit" : "file",
				 (unsigned long long)(ehdr_size > FW_MAX_HDR ? FW_MAX_HDR
									     : file_size));
	h = &img->segs[img->hash_index];
	hash_size = h->filesz;
	if (hash_size == 0 || hash_size > FW_MAX_HASH_SEG)
		return rproc_err(err, -EINVAL, "hash segment %u has %s p_filesz 0x%llx", h->index,
				 hash_size ? "an absurd" : "an empty", (unsigned long long)hash_size);
	total = ehdr_size + hash_size;

	/* doc/firmware-format.md#metadata, step 4: where the hash bytes are */
	if (mode == FW_MODE_META) {
		if (file_size != total)
			return rproc_err(err, -EINVAL,
					 "metadata is %llu bytes; headers (%llu) + hash segment "
					 "(%llu) make %llu",
					 (unsigned long long)file_size,
					 (unsigned long long)ehdr_size,
					 (unsigned long long)hash_size, (unsigned long long)total);
		*src = FW_HASH_AFTER_HDR;
		*src_off = ehdr_size;
	} else if (file_size == total) {
		*src = FW_HASH_AFTER_HDR;
		*src_off = ehdr_size;
	} else if (range_within(h->offset, hash_size, file_size)) {
		*src = FW_HASH_AT_OFFSET;
		*src_off = h->offset;
	} else {
		*src = FW_HASH_BNN;
		*src_off = 0;
	}

	/* doc/firmware-format.md#relocation */
	img->min_addr = UINT64_MAX;
	for (unsigned int i = 0; i < img->phnum; i++) {
		const struct rproc_fw_segment *s = &img->segs[i];
		uint64_t end;

		if (!s->loadable)
			continue;
		end = ALIGN_UP(s->paddr + s->memsz, (uint64_t)RPROC_FW_PAGE);
		if (s->paddr < img->min_addr)
			img->min_addr = s->paddr;
		if (end > img->max_addr)
			img->max_addr = end;
		if (s->flags & QCOM_MDT_RELOCATABLE)
			img->relocatable = true;
		/* the kernel would let a later segment overwrite an earlier one: refuse it */
		for (unsigned int j = 0; j < i; j++) {
			const struct rproc_fw_segment *o = &img->segs[j];

			if (o->loadable && ranges_overlap(s->paddr, s->memsz, o->paddr, o->memsz))
				return rproc_err(err, -EINVAL,
						 "segment %u [0x%llx, 0x%llx) overlaps segment %u "
						 "[0x%llx, 0x%llx)",
						 i, (unsigned long long)s->paddr,
						 (unsigned long long)(s->paddr + s->memsz), j,
						 (unsigned long long)o->paddr,
						 (unsigned long long)(o->paddr + o->memsz));
		}
	}
	if (img->min_addr == UINT64_MAX)
		img->min_addr = img->max_addr = 0;

	if (len < ehdr_size) {
		*need = (size_t)ehdr_size;
		return -EAGAIN;
	}
	img->metadata_len = (size_t)total;
	img->metadata = malloc(img->metadata_len);
	if (!img->metadata)
		return rproc_err(err, -ENOMEM, "out of memory");
	memcpy(img->metadata, buf, (size_t)ehdr_size);
	*out = TAKE_PTR(img);
	return 0;
}

int rproc_fw_parse(const void *buf, size_t len, uint64_t file_size, struct rproc_fw_image **out,
		   size_t *need, struct rproc_error *err)
{
	_cleanup_fw_ struct rproc_fw_image *img = NULL;
	enum fw_hash_src src;
	uint64_t off;
	size_t dummy;
	int r;

	*out = NULL;
	if (!need)
		need = &dummy;
	if (len > file_size)
		return rproc_err(err, -EINVAL, "buffer (%zu bytes) larger than the file (%llu)",
				 len, (unsigned long long)file_size);
	r = fw_parse_headers(buf, len, file_size, FW_MODE_FILE, &img, need, &src, &off, err);
	if (r < 0)
		return r;
	if (src == FW_HASH_BNN)
		return rproc_err(err, -ENOENT,
				 "hash segment %d is in a separate .b%02d file; open the image with "
				 "rproc_fw_open()",
				 img->hash_index, img->hash_index);
	if (!range_within(off, fw_hash_size(img), len)) {
		*need = (size_t)(off + fw_hash_size(img));
		return -EAGAIN;
	}
	memcpy(img->metadata + fw_ehdr_size(img), (const uint8_t *)buf + off, fw_hash_size(img));
	r = fw_hash_parse(img, false, err);
	if (r < 0)
		return r;
	*out = TAKE_PTR(img);
	return 0;
}

int fw_pread_full(int fd, void *buf, size_t n, uint64_t off)
{
	uint8_t *p = buf;

	while (n) {
		ssize_t k = pread(fd, p, n, (off_t)off);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (k == 0)
			return -EIO;
		p += k;
		n -= (size_t)k;
		off += (uint64_t)k;
	}
	return 0;
}

char *fw_bnn_path(const char *path, unsigned int index)
{
	size_t len = strlen(path);
	char *p;

	if (len < 3)
		return NULL;
	p = malloc(len + 16);
	if (!p)
		return NULL;
	memcpy(p, path, len - 3);
	snprintf(p + len - 3, 19, "b%02u", index);
	return p;
}

/* Open <name>.bNN for segment @i and check its size is p_filesz
 * (doc/firmware-format.md#packaging). */
static int open_bnn(const struct rproc_fw_image *img, unsigned int i, int *out,
		    struct rproc_error *err)
{
	_cleanup_free_ char *bnn = NULL;
	_cleanup_close_ int fd = -1;
	const struct rproc_fw_segment *s = &img->segs[i];
	const char *dot;
	struct stat st;

	if (!img->path)
		return rproc_err(err, -EBADF, "segment %u: image has no file to read from", i);
	bnn = fw_bnn_path(img->path, i);
	if (!bnn)
		return rproc_err(err, -ENOMEM, "out of memory");
	fd = open_regular(bnn, 0, &st);
	if (fd == -EISDIR || fd == -EBADFD)
		return rproc_err(err, -EINVAL, "segment %u: %s is %s, not a regular file", i, bnn,
				 file_type_name(st.st_mode));
	if (fd < 0) {
		int e = -fd;

		dot = strrchr(img->path, '.');
		if (e == ENOENT && !(dot && !strcmp(dot, ".mdt"))) {
			/* not named .mdt: most likely a truncated .mbn, name the segment cut */
			const struct rproc_fw_segment *cut = s;

			for (unsigned int k = 0; k < img->phnum; k++)
				if (beyond_file(&img->segs[k], img->file_size)) {
					cut = &img->segs[k];
					break;
				}
			return rproc_err(err, -EINVAL,
					 "segment %u (offset 0x%llx, %llu bytes) lies past the end "
					 "of the file (%llu bytes) and %s does not exist: the file "
					 "is truncated",
					 cut->index, (unsigned long long)cut->offset,
					 (unsigned long long)cut->filesz,
					 (unsigned long long)img->file_size, bnn);
		}
		return rproc_err(err, -e, "segment %u: %s: %s", i, bnn, strerror(e));
	}
	if ((uint64_t)st.st_size != s->filesz)
		return rproc_err(err, -EINVAL,
				 "segment %u: %s is %llu bytes, program header says p_filesz %llu "
				 "(truncated or from another image?)",
				 i, bnn, (unsigned long long)st.st_size,
				 (unsigned long long)s->filesz);
	*out = TAKE_FD(fd);
	return 0;
}

int fw_seg_source(const struct rproc_fw_image *img, unsigned int i, int *fd, uint64_t *off,
		  bool *owned, struct rproc_error *err)
{
	const struct rproc_fw_segment *s = &img->segs[i];
	int r;

	if (img->form == RPROC_FW_SPLIT && img->seg_fds && img->seg_fds[i] >= 0) {
		*fd = img->seg_fds[i];
		*off = 0;
		*owned = false;
		return 0;
	}
	if (img->form == RPROC_FW_SPLIT) {
		r = open_bnn(img, i, fd, err);
		if (r < 0)
			return r;
		*off = 0;
		*owned = true;
		return 0;
	}
	if (img->fd < 0)
		return rproc_err(err, -EBADF, "segment %u: image has no file to read from", i);
	if (!range_within(s->offset, s->filesz, img->file_size))
		return rproc_err(err, -EINVAL, "segment %u lies past the end of the file", i);
	*fd = img->fd;
	*off = s->offset;
	*owned = false;
	return 0;
}

static int read_prefix(int fd, uint64_t size, size_t want, uint8_t **buf, size_t *len)
{
	size_t n = want < size ? want : (size_t)size;
	uint8_t *p;
	int r;

	p = realloc(*buf, n ? n : 1);
	if (!p)
		return -ENOMEM;
	*buf = p;
	r = fw_pread_full(fd, p, n, 0);
	if (r < 0)
		return r;
	*len = n;
	return 0;
}

int rproc_fw_open(const char *path, struct rproc_fw_image **out, struct rproc_error *err)
{
	_cleanup_fw_ struct rproc_fw_image *img = NULL;
	_cleanup_close_ int fd = -1;
	_cleanup_free_ uint8_t *buf = NULL;
	size_t len = 0, need = EH64_SIZE;
	enum fw_hash_src src;
	uint64_t off;
	struct stat st;
	uint8_t *hash;
	int r;

	*out = NULL;
	fd = open_regular(path, 0, &st);
	if (fd == -EISDIR || fd == -EBADFD)
		return rproc_err(err, -EINVAL, "%s is %s, not a regular file", path,
				 file_type_name(st.st_mode));
	if (fd < 0)
		return rproc_err(err, fd, "%s: %s", path, strerror(-fd));

	/*
	 * The headers and nothing more: the ELF header, then the program headers, then the header
	 * segment, each read sized by what the one before said.  A larger read would bring segment
	 * bytes onto the heap, where they would stay after the image is closed.
	 */
	for (int pass = 0;; pass++) {
		r = read_prefix(fd, (uint64_t)st.st_size, need, &buf, &len);
		if (r < 0)
			return rproc_err(err, r, "%s: read: %s", path, strerror(-r));
		r = fw_parse_headers(buf, len, (uint64_t)st.st_size, FW_MODE_FILE, &img, &need,
				     &src, &off, err);
		if (r != -EAGAIN || pass >= 3)
			break;
	}
	if (r == -EAGAIN)
		r = rproc_err(err, -EINVAL, "headers do not fit in the file");
	if (r < 0)
		return rproc_err_prefix(err, r, "%s", path);
	img->path = strdup(path);
	if (!img->path)
		return rproc_err(err, -ENOMEM, "out of memory");
	img->fd = TAKE_FD(fd);

	hash = img->metadata + fw_ehdr_size(img);
	if (src == FW_HASH_BNN) {
		_cleanup_close_ int hfd = -1;

		r = open_bnn(img, (unsigned int)img->hash_index, &hfd, err);
		if (r < 0)
			return rproc_err_prefix(err, r, "%s: hash segment", path);
		r = fw_pread_full(hfd, hash, fw_hash_size(img), 0);
	} else {
		r = fw_pread_full(img->fd, hash, fw_hash_size(img), off);
	}
	if (r < 0)
		return rproc_err(err, r, "%s: reading the hash segment: %s", path, strerror(-r));

	/*
	 * A split image must come with every .bNN the load needs: say so now, not mid-load, and
	 * keep them open, so that a load costs no open() per segment.
	 */
	if (img->form == RPROC_FW_SPLIT) {
		img->seg_fds = malloc(img->phnum * sizeof(*img->seg_fds));
		if (!img->seg_fds)
			return rproc_err(err, -ENOMEM, "out of memory");
		for (unsigned int i = 0; i < img->phnum; i++)
			img->seg_fds[i] = -1;
		for (unsigned int i = 0; i < img->phnum; i++) {
			if (!img->segs[i].loadable || !img->segs[i].filesz)
				continue;
			r = open_bnn(img, i, &img->seg_fds[i], err);
			if (r < 0)
				return rproc_err_prefix(err, r, "%s", path);
		}
	}

	r = fw_hash_parse(img, false, err);
	if (r < 0)
		return rproc_err_prefix(err, r, "%s", path);
	*out = TAKE_PTR(img);
	return 0;
}

int rproc_fw_reloc(const struct rproc_fw_image *img, uint64_t mem_phys, uint64_t mem_size,
		   uint64_t *mem_reloc, struct rproc_error *err)
{
	/* doc/firmware-format.md#relocation: a relocatable image's lowest segment lands at the
	 * start of the carveout */
	uint64_t reloc = img->relocatable ? img->min_addr : mem_phys;

	if (img->relocatable && rproc_fw_span(img) > mem_size)
		return rproc_err(err, -EINVAL,
				 "image span 0x%llx is larger than the carveout (0x%llx bytes)",
				 (unsigned long long)rproc_fw_span(img),
				 (unsigned long long)mem_size);
	for (unsigned int i = 0; i < img->phnum; i++) {
		const struct rproc_fw_segment *s = &img->segs[i];

		if (!s->loadable)
			continue;
		/* doc/firmware-format.md#load-checks, step 1 */
		if (s->paddr < reloc || !range_within(s->paddr - reloc, s->memsz, mem_size))
			return rproc_err(err, -EINVAL,
					 "segment %u [0x%llx, 0x%llx) lies outside the carveout "
					 "[0x%llx, 0x%llx)%s",
					 i, (unsigned long long)s->paddr,
					 (unsigned long long)(s->paddr + s->memsz),
					 (unsigned long long)mem_phys,
					 (unsigned long long)(mem_phys + mem_size),
					 img->relocatable ? " after relocation"
							  : " (image is not relocatable)");
	}
	*mem_reloc = reloc;
	return 0;
}

/*
 * One segment's file bytes into a write-combined (Normal memory) view: read() straight into it,
 * so the only copy is the kernel's, from the page cache.  -EFAULT when the kernel will not write
 * to the view (the caller then goes through the bounce buffer).
 */
static int load_direct(int fd, uint8_t *dst, uint64_t off, uint64_t len)
{
	while (len) {
		/* read() moves at most 2 GiB - 4 KiB per call */
		size_t n = len < (1u << 30) ? (size_t)len : (1u << 30);
		int r = fw_pread_full(fd, dst, n, off);

		if (r < 0)
			return r;
		dst += n;
		off += n;
		len -= n;
	}
	return 0;
}

/*
 * The same through a bounce buffer and aligned stores: the only way into Device memory.  The
 * buffer is a mapping of its own, unmapped after the load, not heap memory: freed heap keeps
 * its bytes, and firmware must not stay in the daemon after a start.
 */
static int load_bounce(int fd, uint8_t *dst, uint64_t off, uint64_t len, uint8_t **bounce,
		       size_t bsize)
{
	if (!*bounce) {
		void *p = mmap(NULL, bsize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			       0);

		if (p == MAP_FAILED)
			return -ENOMEM;
		*bounce = p;
	}
	while (len) {
		size_t n = len < bsize ? (size_t)len : bsize;
		int r = fw_pread_full(fd, *bounce, n, off);

		if (r < 0)
			return r;
		rproc_io_copy(dst, *bounce, n);
		dst += n;
		off += n;
		len -= n;
	}
	return 0;
}

int rproc_fw_load_view(const struct rproc_fw_image *img, void *mem, uint64_t mem_phys,
		       uint64_t mem_size, enum rproc_fw_mem type, rproc_fw_progress_fn progress,
		       void *userdata, struct rproc_error *err)
{
	uint64_t reloc, total = 0, done = 0, maxfile = 0;
	bool direct = type == RPROC_FW_MEM_WC;
	uint8_t *bounce = NULL;
	size_t bsize;
	int r;

	r = rproc_fw_reloc(img, mem_phys, mem_size, &reloc, err);
	if (r < 0)
		return r;
	for (unsigned int i = 0; i < img->phnum; i++) {
		if (!img->segs[i].loadable)
			continue;
		total += img->segs[i].memsz;
		if (img->segs[i].filesz > maxfile)
			maxfile = img->segs[i].filesz;
	}
	bsize = maxfile < FW_BOUNCE ? (size_t)maxfile : FW_BOUNCE;

	for (unsigned int i = 0; i < img->phnum; i++) {
		const struct rproc_fw_segment *s = &img->segs[i];
		uint8_t *dst;

		if (!s->loadable)
			continue;
		dst = (uint8_t *)mem + (s->paddr - reloc); /* bounds checked by reloc */
		if (s->filesz) {
			uint64_t off;
			bool owned;
			int fd;

			r = fw_seg_source(img, i, &fd, &off, &owned, err);
			if (r < 0)
				break;
			r = direct ? load_direct(fd, dst, off, s->filesz) : -EFAULT;
			if (r == -EFAULT) {
				direct = false;
				r = load_bounce(fd, dst, off, s->filesz, &bounce, bsize);
			}
			if (owned)
				close(fd);
			if (r == -ENOMEM) {
				r = rproc_err(err, r, "out of memory");
				break;
			}
			if (r < 0) {
				r = rproc_err(err, r, "segment %u: read: %s", i, strerror(-r));
				break;
			}
		}
		/* doc/firmware-format.md#load-checks, step 4 */
		if (s->memsz > s->filesz) {
			if (type == RPROC_FW_MEM_WC)
				rproc_io_zero_wc(dst + s->filesz, (size_t)(s->memsz - s->filesz));
			else
				rproc_io_zero(dst + s->filesz, (size_t)(s->memsz - s->filesz));
		}
		done += s->memsz;
		if (progress)
			progress(userdata, done, total);
	}
	if (bounce)
		munmap(bounce, bsize);
	return r < 0 ? r : 0;
}

int rproc_fw_load(const struct rproc_fw_image *img, void *mem, uint64_t mem_phys,
		  uint64_t mem_size, rproc_fw_progress_fn progress, void *userdata,
		  struct rproc_error *err)
{
	return rproc_fw_load_view(img, mem, mem_phys, mem_size, RPROC_FW_MEM_DEVICE, progress,
				  userdata, err);
}
