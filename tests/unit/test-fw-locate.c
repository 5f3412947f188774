// SPDX-License-Identifier: GPL-2.0-or-later
/* Firmware names and the search path (kernel order, every path tried listed on failure). */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "rproc/fw.h"
#include "test-fw-util.h"

#define REL "6.1.0-rprocd-test"

static void test_names(void **state)
{
	static const char *const good[] = {
		"adsp.mbn", "qcom/sa8775p/adsp.mbn", "a..b", ".hidden", "./x.mdt", "a/b.c/d-e_f",
	};
	static const char *const bad[] = {
		"",	 "/lib/firmware/adsp.mbn", "..",    "../x",  "a/../b", "a/..",
		"a//b",	 "a/",			   "/",	    "a\nb",  "a\tb",   "a\x7f",
		"\x01x",
	};
	struct rproc_error err;
	char longname[300];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		memset(&err, 0, sizeof(err));
		if (rproc_fw_name_valid(good[i], &err))
			fail_msg("'%s' rejected: %s", good[i], err.msg);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&err, 0, sizeof(err));
		assert_int_equal(rproc_fw_name_valid(bad[i], &err), -EINVAL);
		assert_int_equal(err.code, -EINVAL);
		assert_true(strlen(err.msg) > 0);
	}
	assert_int_equal(rproc_fw_name_valid(NULL, NULL), -EINVAL);
	memset(longname, 'a', 255);
	longname[255] = '\0';
	assert_int_equal(rproc_fw_name_valid(longname, NULL), 0);
	longname[255] = 'a';
	longname[256] = '\0';
	assert_int_equal(rproc_fw_name_valid(longname, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "256"));
}

static void mkdirs(const char *root, const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	}
	mkdir(path, 0755);
}

static char *put(const char *root, const char *dir, const char *name)
{
	char *path = NULL;

	assert_true(asprintf(&path, "%s/%s/%s", root, dir, name) > 0);
	tfw_write(path, name, strlen(name));
	return path;
}

static void expect(const struct rproc_fw_search *s, const char *name, const char *want)
{
	struct rproc_error err = {0};
	char *path = NULL;
	int r = rproc_fw_locate(s, name, &path, &err);

	if (r)
		fail_msg("locate %s: %s", name, err.msg);
	assert_string_equal(path, want);
	free(path);
}

/* Fake root: <root>/sys/.../path, <root>/custom, <root>/lib/firmware/{updates/,}{REL/,} */
static void test_order(void **state)
{
	char *root = tfw_tmpdir(), *caller1 = NULL, *caller2 = NULL, *cp = NULL;
	const char *dirs[2];
	const char *sysdirs[] = {
		"custom",
		"lib/firmware/updates/" REL,
		"lib/firmware/updates",
		"lib/firmware/" REL,
		"lib/firmware",
	};
	char *files[7] = {0};
	struct rproc_fw_search s = {.dirs = dirs, .n_dirs = 2, .root = root, .release = REL};
	const char *name = "qcom/sa8775p/adsp.mbn";
	char sub[PATH_MAX];

	assert_true(asprintf(&caller1, "%s/caller1", root) > 0);
	assert_true(asprintf(&caller2, "%s/caller2/", root) > 0); /* trailing slash */
	dirs[0] = caller1;
	dirs[1] = caller2;
	mkdirs(root, "sys/module/firmware_class/parameters");
	assert_true(asprintf(&cp, "%s/sys/module/firmware_class/parameters/path", root) > 0);
	tfw_write(cp, "/custom\n", 8);

	snprintf(sub, sizeof(sub), "caller1/qcom/sa8775p");
	mkdirs(root, sub);
	files[0] = put(root, sub, "adsp.mbn");
	snprintf(sub, sizeof(sub), "caller2/qcom/sa8775p");
	mkdirs(root, sub);
	files[1] = put(root, sub, "adsp.mbn");
	for (size_t i = 0; i < 5; i++) {
		snprintf(sub, sizeof(sub), "%s/qcom/sa8775p", sysdirs[i]);
		mkdirs(root, sub);
		files[2 + i] = put(root, sub, "adsp.mbn");
	}

	/* each location wins over the ones after it; remove it and the next one wins */
	for (size_t i = 0; i < 7; i++) {
		char want[PATH_MAX];

		if (i == 1)
			snprintf(want, sizeof(want), "%s/caller2/qcom/sa8775p/adsp.mbn", root);
		else
			snprintf(want, sizeof(want), "%s", files[i]);
		expect(&s, name, want);
		unlink(files[i]);
	}

	/* nowhere: -ENOENT naming every path tried, in order */
	{
		struct rproc_error err = {0};
		char *path = (char *)"x", *last = NULL;

		assert_int_equal(rproc_fw_locate(&s, name, &path, &err), -ENOENT);
		assert_null(path);
		assert_int_equal(err.code, -ENOENT);
		last = err.msg;
		for (size_t i = 0; i < 7; i++) {
			char *at = strstr(err.msg, i == 1 ? "caller2/qcom" : files[i]);

			if (!at)
				fail_msg("path %zu missing from: %s", i, err.msg);
			assert_true(at >= last);
			last = at;
		}
	}

	/* an explicit empty class path is ignored, an explicit one replaces sysfs */
	free(put(root, "custom/qcom/sa8775p", "adsp.mbn"));
	s.class_path = "";
	{
		struct rproc_error err = {0};
		char *path = NULL;

		assert_int_equal(rproc_fw_locate(&s, name, &path, &err), -ENOENT);
		assert_null(strstr(err.msg, "custom"));
	}
	s.class_path = "/custom";
	expect(&s, name, files[2]);
	/* an empty sysfs value counts as unset */
	s.class_path = NULL;
	tfw_write(cp, "\n", 1);
	{
		char *path = NULL;

		assert_int_equal(rproc_fw_locate(&s, name, &path, NULL), -ENOENT);
	}
	unlink(files[2]);

	/* a directory of that name is not a firmware file */
	mkdirs(root, "lib/firmware/qcom/sa8775p/adsp.mbn");
	{
		struct rproc_error err = {0};
		char *path = NULL;

		assert_int_equal(rproc_fw_locate(&s, name, &path, &err), -ENOENT);
		assert_non_null(strstr(err.msg, "directory"));
	}

	/* .mdt is not substituted for .mbn, nor the reverse */
	free(put(root, "lib/firmware", "cdsp0.mdt"));
	{
		char *path = NULL;

		assert_int_equal(rproc_fw_locate(&s, "cdsp0.mbn", &path, NULL), -ENOENT);
		assert_null(path);
	}
	{
		char want[PATH_MAX];

		snprintf(want, sizeof(want), "%s/lib/firmware/cdsp0.mdt", root);
		expect(&s, "cdsp0.mdt", want);
	}

	/* invalid names never touch the file system */
	{
		struct rproc_error err = {0};
		char *path = NULL;

		assert_int_equal(rproc_fw_locate(&s, "../etc/passwd", &path, &err), -EINVAL);
		assert_null(path);
	}

	/* NULL search: the real system, release from uname(); only the error path is sure */
	{
		struct rproc_error err = {0};
		char *path = NULL;

		assert_int_equal(rproc_fw_locate(NULL, "rprocd-test/does-not-exist.mbn", &path,
						 &err),
				 -ENOENT);
		assert_non_null(strstr(err.msg, "/lib/firmware/rprocd-test/does-not-exist.mbn"));
	}

	for (size_t i = 0; i < 7; i++)
		free(files[i]);
	free(caller1);
	free(caller2);
	free(cp);
	tfw_rmtree(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
