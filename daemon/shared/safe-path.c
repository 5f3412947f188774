// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "safe-path.h"
#include "util.h"

static const char *user_name(uid_t uid, char *buf, size_t len)
{
	struct passwd pw, *p = NULL;
	char tmp[1024];

	if (getpwuid_r(uid, &pw, tmp, sizeof(tmp), &p) || !p)
		snprintf(buf, len, "%u", (unsigned int)uid);
	else
		snprintf(buf, len, "%u (%s)", (unsigned int)uid, p->pw_name);
	return buf;
}

static const char *group_name(gid_t gid, char *buf, size_t len)
{
	struct group gr, *g = NULL;
	char tmp[1024];

	if (getgrgid_r(gid, &gr, tmp, sizeof(tmp), &g) || !g)
		snprintf(buf, len, "%u", (unsigned int)gid);
	else
		snprintf(buf, len, "%u (%s)", (unsigned int)gid, g->gr_name);
	return buf;
}

int stat_root_only(const char *path, const struct stat *st, char *why, size_t len)
{
	char name[128];

	if (S_ISLNK(st->st_mode))
		return 0; /* a link's own mode means nothing; its directory and target are judged */
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		snprintf(why, len, "%s is owned by user %s", path,
			 user_name(st->st_uid, name, sizeof(name)));
		return -EPERM;
	}
	if (S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX))
		return 0;
	if ((st->st_mode & S_IWGRP) && st->st_gid != 0) {
		snprintf(why, len, "%s is writable by group %s", path,
			 group_name(st->st_gid, name, sizeof(name)));
		return -EPERM;
	}
	if (st->st_mode & S_IWOTH) {
		snprintf(why, len, "%s is writable by everyone", path);
		return -EPERM;
	}
	return 0;
}

static int judge(const char *p, char *why, size_t len)
{
	struct stat st;

	if (lstat(p, &st) < 0) {
		int r = -errno;

		snprintf(why, len, "%s: %s", p, strerror(-r));
		return r;
	}
	return stat_root_only(p, &st, why, len);
}

/* "/", then every longer prefix of the absolute path @p ("/a", "/a/b", ...), judged. */
static int prefixes_root_only(const char *p, char *why, size_t len)
{
	char buf[PATH_MAX];
	size_t n = strlen(p);
	int r;

	if (n >= sizeof(buf) || p[0] != '/') {
		snprintf(why, len, "%s: not an absolute path", p);
		return -EINVAL;
	}
	r = judge("/", why, len);
	for (size_t i = 1; r == 0 && i <= n; i++) {
		if (i < n && p[i] != '/')
			continue;
		if (p[i - 1] == '/')
			continue; /* "//", or a trailing '/' */
		memcpy(buf, p, i);
		buf[i] = 0;
		r = judge(buf, why, len);
	}
	return r;
}

int path_root_only(const char *path, char *why, size_t len)
{
	_cleanup_free_ char *real = NULL;
	int r;

	r = prefixes_root_only(path, why, len);
	if (r < 0)
		return r;
	real = realpath(path, NULL);
	if (!real) {
		r = -errno;
		snprintf(why, len, "%s: %s", path, strerror(-r));
		return r;
	}
	return strcmp(real, path) ? prefixes_root_only(real, why, len) : 0;
}
