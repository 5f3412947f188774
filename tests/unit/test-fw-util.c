// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
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

#include "test-fw-util.h"

char *tfw_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *dir = NULL;

	if (!base || !*base)
		base = "/tmp";
	assert_true(asprintf(&dir, "%s/rprocd-test-XXXXXX", base) > 0);
	assert_non_null(mkdtemp(dir));
	return dir;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

void tfw_rmtree(char *dir)
{
	if (!dir)
		return;
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

json_object *tfw_mkfw(const char *out, const char *args)
{
	const char *mkfw = getenv("MKFW");
	char *cmd = NULL, *text = NULL;
	size_t cap = 0, len = 0;
	json_object *j = NULL;
	FILE *p;
	int st;

	if (!mkfw)
		fail_msg("MKFW is not set (the path of the mkfw generator)");
	assert_true(asprintf(&cmd, "'%s' -o '%s' --describe %s 2>/dev/null", mkfw, out, args) > 0);
	p = popen(cmd, "r");
	assert_non_null(p);
	for (;;) {
		size_t n;

		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 65536;
			text = realloc(text, cap);
			assert_non_null(text);
		}
		n = fread(text + len, 1, cap - len - 1, p);
		if (!n)
			break;
		len += n;
	}
	text[len] = '\0';
	st = pclose(p);
	if (st == 0)
		j = json_tokener_parse(text);
	free(text);
	free(cmd);
	return j;
}

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("mkfw description has no '%s'", key);
	return v;
}

uint64_t tfw_u64(json_object *o, const char *key)
{
	return (uint64_t)json_object_get_int64(get(o, key));
}

int64_t tfw_i64(json_object *o, const char *key)
{
	return json_object_get_int64(get(o, key));
}

const char *tfw_str(json_object *o, const char *key)
{
	return json_object_get_string(get(o, key));
}

bool tfw_bool(json_object *o, const char *key)
{
	return json_object_get_boolean(get(o, key));
}

json_object *tfw_obj(json_object *o, const char *key)
{
	return get(o, key);
}

uint8_t *tfw_read(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	ssize_t n;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return NULL;
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	assert_non_null(buf);
	while (got < (size_t)st.st_size && (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	*len = got;
	return buf;
}

void tfw_write(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

int tfw_errno(const char *name)
{
	static const struct {
		const char *n;
		int e;
	} map[] = {{"EINVAL", EINVAL}, {"ENOENT", ENOENT}, {"EBADMSG", EBADMSG}};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i].n, name))
			return map[i].e;
	fail_msg("unknown errno name %s", name);
	return 0;
}
