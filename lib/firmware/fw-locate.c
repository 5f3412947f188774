// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Firmware search path, in the kernel's order (drivers/base/firmware_loader/main.c,
 * fw_path[]): the caller's directories first (rprocd's config), then firmware_class.path,
 * then /lib/firmware/updates/<release>, /lib/firmware/updates, /lib/firmware/<release>,
 * /lib/firmware.  The name is used exactly as given: no .mdt <-> .mbn substitution, because
 * the two forms are different packagings and the device tree
 * names the one to use (doc/firmware-format.md#packaging).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "fd-util.h"
#include "rproc/fw.h"
#include "util.h"

#define FW_NAME_MAX 255
#define CLASS_PATH_FILE "/sys/module/firmware_class/parameters/path"

int rproc_fw_name_valid(const char *name, struct rproc_error *err)
{
	size_t len, comp = 0;
	const char *p;

	if (!name || !*name)
		return rproc_err(err, -EINVAL, "firmware name is empty");
	len = strlen(name);
	if (len > FW_NAME_MAX)
		return rproc_err(err, -EINVAL, "firmware name is %zu bytes long (at most %d)", len,
				 FW_NAME_MAX);
	if (name[0] == '/')
		return rproc_err(err, -EINVAL,
				 "firmware name '%s' is absolute; names are relative to the firmware "
				 "search path (e.g. qcom/sa8775p/adsp.mbn)",
				 name);
	for (p = name; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 || c == 0x7f)
			return rproc_err(err, -EINVAL,
					 "firmware name contains control character 0x%02x at byte %zu",
					 c, (size_t)(p - name));
	}
	/* walk the components: none empty ("a//b", "a/"), none ".." */
	for (p = name;; p++) {
		if (*p == '/' || !*p) {
			const char *start = p - comp;

			if (comp == 0)
				return rproc_err(err, -EINVAL,
						 "firmware name '%s' has an empty path component", name);
			if (comp == 2 && start[0] == '.' && start[1] == '.')
				return rproc_err(err, -EINVAL,
						 "firmware name '%s' contains '..'; it must stay inside "
						 "the firmware directories",
						 name);
			if (!*p)
				break;
			comp = 0;
		} else {
			comp++;
		}
	}
	return 0;
}

/* firmware_class.path as the kernel holds it: one directory, "" when unset. */
static char *read_class_path(const char *root)
{
	char file[PATH_MAX], buf[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(file, sizeof(file), "%s%s", root, CLASS_PATH_FILE);
	fd = open_regular(file, 0, NULL);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (!buf[0])
		return NULL;
	return strdup(buf);
}

struct tried {
	char msg[RPROC_ERROR_MAX];
	size_t len;
};

/* @path tried: @e, or what it is (@what) when it exists but is not a regular file. */
static void tried_add(struct tried *t, const char *path, int e, const char *what)
{
	int r;

	if (t->len >= sizeof(t->msg) - 1)
		return;
	r = snprintf(t->msg + t->len, sizeof(t->msg) - t->len, "%s%s%s%s%s", t->len ? ", " : "",
		     path, e == ENOENT ? "" : " (", e == ENOENT ? "" : what ? what : strerror(e),
		     what ? ", not a regular file" : "");
	if (r > 0)
		t->len += (size_t)r;
	if (e != ENOENT && t->len < sizeof(t->msg) - 1) {
		r = snprintf(t->msg + t->len, sizeof(t->msg) - t->len, ")");
		if (r > 0)
			t->len += (size_t)r;
	}
	if (t->len > sizeof(t->msg) - 1)
		t->len = sizeof(t->msg) - 1;
}

/* 1 and *@out set if @dir/@name is a regular file, 0 if not (recorded in @t), <0 on ENOMEM. */
static int try_dir(const char *prefix, const char *dir, const char *name, char **out,
		   struct tried *t)
{
	char *path = NULL;
	const char *what = NULL;
	struct stat st;
	int e;

	if (asprintf(&path, "%s%s%s%s", prefix, dir,
		     dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/", name) < 0)
		return -ENOMEM;
	if (stat(path, &st) == 0) {
		if (S_ISREG(st.st_mode)) {
			*out = path;
			return 1;
		}
		e = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		what = file_type_name(st.st_mode);
	} else {
		e = errno;
	}
	rproc_log(RPROC_LOG_DEBUG, NULL, "firmware", -e, "%s: %s", path, what ? what : strerror(e));
	tried_add(t, path, e, what);
	free(path);
	return 0;
}

int rproc_fw_locate(const struct rproc_fw_search *s, const char *name, char **path,
		    struct rproc_error *err)
{
	static const struct {
		const char *dir;
		bool release;
	} sys_dirs[] = {
		{"/lib/firmware/updates", true},
		{"/lib/firmware/updates", false},
		{"/lib/firmware", true},
		{"/lib/firmware", false},
	};
	_cleanup_free_ char *class_path = NULL;
	const char *root = "", *release = NULL;
	struct tried t = {.len = 0};
	struct utsname uts;
	int r;

	*path = NULL;
	r = rproc_fw_name_valid(name, err);
	if (r < 0)
		return r;
	if (s && s->root)
		root = s->root;
	if (s && s->release) {
		release = s->release;
	} else {
		if (uname(&uts) < 0)
			return rproc_err(err, -errno, "uname: %s", strerror(errno));
		release = uts.release;
	}

	for (size_t i = 0; s && s->dirs && i < s->n_dirs; i++) {
		if (!s->dirs[i] || !s->dirs[i][0])
			continue;
		r = try_dir("", s->dirs[i], name, path, &t);
		if (r != 0)
			return r < 0 ? rproc_err(err, r, "out of memory") : 0;
	}

	/* firmware_class.path names a directory of the system whose root is @root */
	if (s && s->class_path)
		class_path = s->class_path[0] ? strdup(s->class_path) : NULL;
	else
		class_path = read_class_path(root);
	if (class_path) {
		r = try_dir(root, class_path, name, path, &t);
		if (r != 0)
			return r < 0 ? rproc_err(err, r, "out of memory") : 0;
	}

	for (size_t i = 0; i < ARRAY_SIZE(sys_dirs); i++) {
		char dir[PATH_MAX];

		snprintf(dir, sizeof(dir), "%s%s%s", sys_dirs[i].dir, sys_dirs[i].release ? "/" : "",
			 sys_dirs[i].release ? release : "");
		r = try_dir(root, dir, name, path, &t);
		if (r != 0)
			return r < 0 ? rproc_err(err, r, "out of memory") : 0;
	}
	return rproc_err(err, -ENOENT,
			 "firmware '%s' not found; tried: %s (install it in one of these "
			 "directories or add its directory to the search path)",
			 name, t.msg);
}
