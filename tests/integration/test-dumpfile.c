// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Coredump files as rprocd keeps them (daemon/shared/dumpfile.c), without a daemon: the
 * retention limits, oldest first and never the newest, and the compressed copy that appears
 * only complete.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "dumpfile.h"

static char dir[256];
static char removed[16][64];
static unsigned int n_removed;

static void on_removed(const char *path, const char *why, void *ud)
{
	const char *slash = strrchr(path, '/');

	assert_true(n_removed < 16);
	snprintf(removed[n_removed++], sizeof(removed[0]), "%s %s", slash ? slash + 1 : path,
		 why);
}

/* @name with @kib KiB of data (allocated: st_blocks count), modified @age seconds ago. */
static void put(const char *name, unsigned int kib, int age)
{
	char p[512], buf[1024];
	struct timeval tv[2];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	assert_true(fd >= 0);
	memset(buf, 0x5a, sizeof(buf));
	for (unsigned int i = 0; i < kib; i++)
		assert_int_equal(write(fd, buf, sizeof(buf)), sizeof(buf));
	close(fd);
	gettimeofday(&tv[0], NULL);
	tv[0].tv_sec -= age;
	tv[1] = tv[0];
	assert_int_equal(utimes(p, tv), 0);
}

static bool there(const char *name)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return access(p, F_OK) == 0;
}

static int setup(void **state)
{
	const char *t = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/rprocd-dumpfile-XXXXXX", t && *t ? t : "/tmp");
	assert_non_null(mkdtemp(dir));
	n_removed = 0;
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static void test_max_files(void **state)
{
	struct dumpfile_limits l = { .max_files = 2 };

	put("adsp-1.core", 4, 400);
	put("adsp-2.core.zst", 4, 300);
	put("cdsp0-3.core", 4, 200);
	put("cdsp0-4.core", 4, 100);
	put("notes.txt", 4, 500); /* not a coredump: never touched */
	assert_int_equal(dumpfile_vacuum(dir, &l, on_removed, NULL), 2);
	assert_string_equal(removed[0], "adsp-1.core CoredumpMaxFiles=");
	assert_string_equal(removed[1], "adsp-2.core.zst CoredumpMaxFiles=");
	assert_true(there("cdsp0-3.core") && there("cdsp0-4.core") && there("notes.txt"));
}

static void test_max_use(void **state)
{
	struct dumpfile_limits l = { .max_use = 100 * 1024 };

	put("a-1.core", 64, 300);
	put("a-2.core", 64, 200);
	put("a-3.core", 64, 100);
	assert_int_equal(dumpfile_vacuum(dir, &l, on_removed, NULL), 2);
	assert_false(there("a-1.core") || there("a-2.core"));
	assert_true(there("a-3.core"));
	/* the newest stays even when it alone is over the limit */
	l.max_use = 1;
	assert_int_equal(dumpfile_vacuum(dir, &l, on_removed, NULL), 0);
	assert_true(there("a-3.core"));
}

static void test_keep_free(void **state)
{
	struct dumpfile_limits l = { .keep_free = UINT64_MAX };

	put("a-1.core", 4, 300);
	put("a-2.core", 4, 200);
	assert_int_equal(dumpfile_vacuum(dir, &l, on_removed, NULL), 1);
	assert_string_equal(removed[0], "a-1.core CoredumpKeepFree=");
	assert_true(there("a-2.core"));
}

static void test_limit_bytes(void **state)
{
	assert_int_equal(dumpfile_limit_bytes(123, 0, 1000), 123);
	assert_int_equal(dumpfile_limit_bytes(0, 10, 1000), 100);
	assert_int_equal(dumpfile_limit_bytes(0, 15, 1ull << 40), 4ull << 30); /* capped */
}

/* Leftovers: a .core whose .core.zst is complete, temporary files of a dead writer. */
static void test_leftovers(void **state)
{
	struct dumpfile_limits l = { 0 };

	put("a-1.core", 4, 200);
	put("a-1.core.zst", 1, 200);
	put(".#12-ab-0.tmp", 4, 7200);
	put(".#12-ac-0.tmp", 4, 10);
	assert_int_equal(dumpfile_vacuum(dir, &l, on_removed, NULL), 2);
	assert_false(there("a-1.core") || there(".#12-ab-0.tmp"));
	assert_true(there("a-1.core.zst") && there(".#12-ac-0.tmp"));
	assert_false(dumpfile_is_dump_name(".#12-ac-0.tmp"));
	assert_false(dumpfile_is_dump_name(".core"));
	assert_true(dumpfile_is_dump_name("adsp-20260101T000000Z.core.zst"));
}

/* Compression: the .zst appears complete, with the original's mode, and replaces it. */
static void test_compress(void **state)
{
	char in[512], out[600];
	struct dumpfile *f;
	struct stat st;
	uint8_t buf[16];

	if (!HAVE_ZSTD)
		skip();
	put("a-1.core", 8, 100);
	snprintf(in, sizeof(in), "%s/a-1.core", dir);
	assert_int_equal(chmod(in, 0640), 0);
	assert_int_equal(dumpfile_compress(in, out, sizeof(out)), 0);
	assert_false(there("a-1.core"));
	assert_int_equal(stat(out, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(dumpfile_open(out, &f), 0);
	assert_true(dumpfile_compressed(f));
	assert_int_equal(dumpfile_content_size(f), 8 * 1024);
	assert_int_equal(dumpfile_pread(f, buf, sizeof(buf), 1000), 0);
	assert_int_equal(buf[0], 0x5a);
	dumpfile_close(f);
	assert_int_equal(dumpfile_vacuum(dir, &(struct dumpfile_limits){ 0 }, NULL, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_max_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_use, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keep_free, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limit_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_leftovers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compress, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
