// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "core-file.h"
#include "rproc/coredump.h"

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

void core_file_parse(const char *path, struct core_file *cf)
{
	cf->buf = read_file(path, &cf->len);
	assert_true(cf->len >= sizeof(Elf64_Ehdr));
	cf->eh = (const Elf64_Ehdr *)cf->buf;
	assert_memory_equal(cf->eh->e_ident, ELFMAG, SELFMAG);
	assert_int_equal(cf->eh->e_ident[EI_CLASS], ELFCLASS64);
	assert_int_equal(cf->eh->e_type, ET_CORE);
	assert_int_equal(cf->eh->e_phentsize, sizeof(Elf64_Phdr));
	assert_true(cf->eh->e_phoff + cf->eh->e_phnum * sizeof(Elf64_Phdr) <= cf->len);
	cf->ph = (const Elf64_Phdr *)(cf->buf + cf->eh->e_phoff);
	assert_int_equal(cf->ph[0].p_type, PT_NOTE);
	cf->n_load = 0;
	for (unsigned int i = 0; i < cf->eh->e_phnum; i++) {
		assert_true(cf->ph[i].p_offset + cf->ph[i].p_filesz <= cf->len);
		if (cf->ph[i].p_type == PT_LOAD)
			cf->n_load++;
	}
}

const char *core_file_note(const struct core_file *cf, uint32_t type, unsigned int nth)
{
	const uint8_t *p = cf->buf + cf->ph[0].p_offset, *end = p + cf->ph[0].p_filesz;

	while (p + 12 <= end) {
		uint32_t namesz, descsz, t;
		const uint8_t *desc;

		memcpy(&namesz, p, 4);
		memcpy(&descsz, p + 4, 4);
		memcpy(&t, p + 8, 4);
		desc = p + 12 + ((namesz + 3) & ~3u);
		assert_true(desc + descsz <= end);
		if (t == type && namesz == sizeof(RPROC_NOTE_NAME) &&
		    !memcmp(p + 12, RPROC_NOTE_NAME, namesz)) {
			assert_true(descsz > 0 && desc[descsz - 1] == 0);
			if (!nth--)
				return (const char *)desc;
		}
		p = desc + ((descsz + 3) & ~3u);
	}
	return NULL;
}

const Elf64_Phdr *core_file_region(const struct core_file *cf, const char *region)
{
	const char *t;

	for (unsigned int k = 0; (t = core_file_note(cf, RPROC_NOTE_REGION, k)); k++) {
		char *sp;
		unsigned long i = strtoul(t, &sp, 10);

		if (*sp == ' ' && !strcmp(sp + 1, region)) {
			assert_true(i + 1 < cf->eh->e_phnum);
			return &cf->ph[i + 1];
		}
	}
	return NULL;
}

void core_file_readelf_check(const char *path)
{
	char cmd[4200];
	int st;

	if (system("readelf --version >/dev/null 2>&1") != 0) {
		fprintf(stderr, "readelf not installed: structure checked by the test only\n");
		return;
	}
	snprintf(
	    cmd, sizeof(cmd),
	    "readelf -lnW '%s' 2>&1 | grep -q 'CORE (Core file)' && "
	    "readelf -lW '%s' 2>&1 | grep -q LOAD && ! readelf -lnW '%s' 2>&1 | grep -qi warning",
	    path, path, path);
	st = system(cmd);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}
