// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The image's own resource table: its `.resource_table` section, which the kernel hands to
 * GET_RSCTABLE when there is one (doc/boot-sequence.md#rsc-table).  Found through the
 * section headers of the opened file (the .mbn, or the .mdt of a split image, as the kernel
 * reads it from the file request_firmware() gave it), every offset and size checked against
 * the file: the sections are as untrusted as the rest of the image.
 */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fw-internal.h"
#include "rproc/error.h"

#define RSC_SECTION ".resource_table"
#define FW_MAX_SHNUM 4096u
#define FW_MAX_SHSTRTAB (64u << 10)
#define FW_MAX_RSC_TABLE (1u << 20) /* what the shim takes as GET_RSCTABLE input */

struct shdr {
	uint32_t name, type;
	uint64_t offset, size;
};

static void read_shdr(const uint8_t *p, unsigned int class, struct shdr *sh)
{
#define READ_SHDR(T)                                                                               \
	do {                                                                                       \
		sh->name = (uint32_t)ELF_FIELD(p, T, sh_name);                                     \
		sh->type = (uint32_t)ELF_FIELD(p, T, sh_type);                                     \
		sh->offset = ELF_FIELD(p, T, sh_offset);                                           \
		sh->size = ELF_FIELD(p, T, sh_size);                                               \
	} while (0)
	if (class == 64)
		READ_SHDR(Elf64_Shdr);
	else
		READ_SHDR(Elf32_Shdr);
#undef READ_SHDR
}

/* Read @sh's bytes (at most @max) into a malloc'd buffer. */
static int read_section(const struct rproc_fw_image *img, const struct shdr *sh, size_t max,
			const char *what, void **out, struct rproc_error *err)
{
	uint64_t end;
	void *buf;
	int r;

	if (sh->type == SHT_NOBITS || add_overflows(sh->offset, sh->size, &end) ||
	    end > img->file_size)
		return rproc_err(err, -EINVAL, "%s: section %s (offset %llu, %llu bytes) is not "
					       "inside the file",
				 img->path, what, (unsigned long long)sh->offset,
				 (unsigned long long)sh->size);
	if (sh->size > max)
		return rproc_err(err, -EFBIG, "%s: section %s is %llu bytes (at most %zu)",
				 img->path, what, (unsigned long long)sh->size, max);
	buf = malloc(sh->size ? (size_t)sh->size : 1);
	if (!buf)
		return rproc_err(err, -ENOMEM, "out of memory");
	r = fw_pread_full(img->fd, buf, (size_t)sh->size, sh->offset);
	if (r < 0) {
		free(buf);
		return rproc_err(err, r, "%s: cannot read section %s", img->path, what);
	}
	*out = buf;
	return 0;
}

int rproc_fw_resource_table(const struct rproc_fw_image *img, void **table, size_t *len,
			    struct rproc_error *err)
{
	_cleanup_free_ uint8_t *shdrs = NULL;
	_cleanup_free_ char *names = NULL;
	const uint8_t *eh = img->metadata;
	unsigned int shnum, shentsize, shstrndx;
	struct shdr strtab;
	uint64_t shoff, end;
	int r;

	*table = NULL;
	*len = 0;
	if (img->elf_class == 64) {
		shoff = ELF_FIELD(eh, Elf64_Ehdr, e_shoff);
		shentsize = (unsigned int)ELF_FIELD(eh, Elf64_Ehdr, e_shentsize);
		shnum = (unsigned int)ELF_FIELD(eh, Elf64_Ehdr, e_shnum);
		shstrndx = (unsigned int)ELF_FIELD(eh, Elf64_Ehdr, e_shstrndx);
	} else {
		shoff = ELF_FIELD(eh, Elf32_Ehdr, e_shoff);
		shentsize = (unsigned int)ELF_FIELD(eh, Elf32_Ehdr, e_shentsize);
		shnum = (unsigned int)ELF_FIELD(eh, Elf32_Ehdr, e_shnum);
		shstrndx = (unsigned int)ELF_FIELD(eh, Elf32_Ehdr, e_shstrndx);
	}
	if (!shoff || !shnum)
		return 0; /* no section headers: Qualcomm images usually have none */
	if (shentsize != (img->elf_class == 64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr)) ||
	    shnum > FW_MAX_SHNUM || shstrndx >= shnum ||
	    add_overflows(shoff, (uint64_t)shnum * shentsize, &end) || end > img->file_size)
		return rproc_err(err, -EINVAL,
				 "%s: section header table (offset %llu, %u entries of %u bytes, "
				 "names in %u) is not usable",
				 img->path, (unsigned long long)shoff, shnum, shentsize, shstrndx);
	shdrs = malloc((size_t)shnum * shentsize);
	if (!shdrs)
		return rproc_err(err, -ENOMEM, "out of memory");
	r = fw_pread_full(img->fd, shdrs, (size_t)shnum * shentsize, shoff);
	if (r < 0)
		return rproc_err(err, r, "%s: cannot read the section headers", img->path);
	read_shdr(shdrs + (size_t)shstrndx * shentsize, img->elf_class, &strtab);
	r = read_section(img, &strtab, FW_MAX_SHSTRTAB, "names", (void **)&names, err);
	if (r < 0)
		return r;
	for (unsigned int i = 0; i < shnum; i++) {
		struct shdr sh;

		read_shdr(shdrs + (size_t)i * shentsize, img->elf_class, &sh);
		if (sh.name >= strtab.size ||
		    strnlen(names + sh.name, strtab.size - sh.name) != strlen(RSC_SECTION) ||
		    memcmp(names + sh.name, RSC_SECTION, strlen(RSC_SECTION)))
			continue;
		if (!sh.size)
			return 0;
		r = read_section(img, &sh, FW_MAX_RSC_TABLE, RSC_SECTION, table, err);
		if (r < 0)
			return r;
		*len = (size_t)sh.size;
		return 0;
	}
	return 0;
}
