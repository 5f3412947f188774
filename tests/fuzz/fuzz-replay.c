// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Replay runner for the fuzz targets, built with any compiler (CI runs it with gcc, under
 * ASan+UBSan and valgrind): feeds the target its built-in seeds and the files named on the
 * command line, each as is, every prefix of its first 512 bytes, and a fixed number of
 * deterministic mutations (byte flips, interesting values, truncations).
 *   fuzz-replay [-n MUTATIONS] [FILE...]
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz-replay.h"

static uint64_t rng_state = 0x5eed;

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void run_copy(const uint8_t *data, size_t size)
{
	/* an exact-size heap copy so that ASan/valgrind see any over-read */
	uint8_t *p = malloc(size ? size : 1);

	if (!p)
		abort();
	memcpy(p, data, size);
	LLVMFuzzerTestOneInput(p, size);
	free(p);
}

static void replay(const uint8_t *data, size_t size, unsigned int mutations)
{
	static const uint8_t vals[] = {0x00, 0xff, 0x7f, 0x80, 0x01, 0x02, 0x20, 0x38, 0x40};
	uint8_t *m;

	run_copy(data, size);
	for (size_t l = 0; l < size && l < 512; l++)
		run_copy(data, l);
	if (!size)
		return;
	m = malloc(size);
	if (!m)
		abort();
	for (unsigned int i = 0; i < mutations; i++) {
		unsigned int edits = 1 + (unsigned int)(rng() % 4);
		size_t len = size;

		memcpy(m, data, size);
		/* mostly the first KiB: that is where headers and tables are */
		for (unsigned int e = 0; e < edits; e++) {
			size_t span = size < 1024 ? size : 1024;
			size_t pos;

			if (size > 1024 && rng() % 4 == 0)
				span = size;
			pos = (size_t)(rng() % span);

			switch (rng() % 3) {
			case 0:
				m[pos] ^= (uint8_t)(1u << (rng() % 8));
				break;
			case 1:
				m[pos] = vals[rng() % sizeof(vals)];
				break;
			default:
				if (pos + 4 <= size)
					memset(m + pos, rng() & 1 ? 0xff : 0x00, 4);
				break;
			}
		}
		if (rng() % 8 == 0)
			len = (size_t)(rng() % size);
		run_copy(m, len);
	}
	free(m);
}

static int replay_file(const char *path, unsigned int mutations)
{
	struct stat st;
	uint8_t *buf;
	size_t got = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0) {
		perror(path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf)
		abort();
	while (got < (size_t)st.st_size && (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	replay(buf, got, mutations);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int mutations = 2000, inputs = 0;
	int i = 1;

	if (argc > 2 && !strcmp(argv[1], "-n")) {
		mutations = (unsigned int)strtoul(argv[2], NULL, 0);
		i = 3;
	}
	for (size_t s = 0; s < fuzz_n_seeds; s++, inputs++)
		replay(fuzz_seeds[s].data, fuzz_seeds[s].size, mutations);
	for (; i < argc; i++, inputs++)
		if (replay_file(argv[i], mutations) < 0)
			return 1;
	if (!inputs) {
		fprintf(stderr, "fuzz-replay: no seeds\n");
		return 1;
	}
	printf("fuzz-replay: %u input(s), %u mutations each: no crash\n", inputs, mutations);
	return 0;
}
