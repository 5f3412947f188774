/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Coredumps as the sim tests read them: our own bounds-checked ELF parsing, and readelf's. */
#ifndef TEST_CORE_FILE_H
#define TEST_CORE_FILE_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

struct core_file {
	uint8_t *buf;
	size_t len;
	const Elf64_Ehdr *eh;
	const Elf64_Phdr *ph;
	unsigned int n_load;
};

/* Read and check the ELF structure of @path (asserts); free cf->buf after. */
void core_file_parse(const char *path, struct core_file *cf);

/* The text of RPROC note @type in the PT_NOTE, or NULL; the @nth (0-based) of that type. */
const char *core_file_note(const struct core_file *cf, uint32_t type, unsigned int nth);

/* The PT_LOAD the RPROC_NOTE_REGION notes name @region, or NULL. */
const Elf64_Phdr *core_file_region(const struct core_file *cf, const char *region);

/* readelf -lnW @path, when readelf is installed: a core file, PT_LOADs, no warning. */
void core_file_readelf_check(const char *path);

#endif
