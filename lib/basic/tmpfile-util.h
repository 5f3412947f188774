/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Files that appear under their name only once complete: written as an unnamed file
 * (O_TMPFILE) and linked in, or, where the file system has no O_TMPFILE, written under a
 * hidden name and renamed without replacing anything.  A crash in between leaves no partial
 * file under the final name (and with O_TMPFILE, nothing at all).  Header-only: librproc and
 * the daemon both use it.
 */
#ifndef RPROC_TMPFILE_UTIL_H
#define RPROC_TMPFILE_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The hidden names of the fallback start with this; nothing else in a dump directory does. */
#define TMPFILE_PREFIX ".#"

/*
 * tmpfile_open() - a file to write in directory @dirfd, with @mode.  @tmpname (at least 32
 * bytes) is "" for an unnamed file, else the hidden name to remove if the file is abandoned.
 */
static inline int tmpfile_open(int dirfd, mode_t mode, char *tmpname, size_t len)
{
	struct timespec ts;
	int fd;

	tmpname[0] = 0;
	fd = openat(dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
	if (fd >= 0)
		return fd;
	/* EISDIR: a kernel before 3.11; EOPNOTSUPP: a file system without it */
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
		return -errno;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	for (unsigned int i = 0; i < 100; i++) {
		snprintf(tmpname, len, TMPFILE_PREFIX "%d-%lx-%u.tmp", (int)getpid(),
			 (unsigned long)ts.tv_nsec, i);
		fd = openat(dirfd, tmpname, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
			    mode);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0) {
		int r = -errno;

		tmpname[0] = 0;
		return r;
	}
	return fd;
}

/*
 * tmpfile_link() - give @fd (from tmpfile_open(), @tmpname as it returned) the name @name in
 * @dirfd, never replacing a file: -EEXIST if the name is taken.
 */
static inline int tmpfile_link(int fd, int dirfd, const char *tmpname, const char *name)
{
	char proc[64];

	if (tmpname[0]) {
		if (renameat2(dirfd, tmpname, dirfd, name, RENAME_NOREPLACE) == 0)
			return 0;
		if (errno != EINVAL && errno != ENOSYS)
			return -errno;
		/* no RENAME_NOREPLACE here: a hard link cannot replace either */
		if (linkat(dirfd, tmpname, dirfd, name, 0) < 0)
			return -errno;
		unlinkat(dirfd, tmpname, 0);
		return 0;
	}
	/* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH before Linux 6.10; /proc/self/fd does not */
	if (linkat(fd, "", dirfd, name, AT_EMPTY_PATH) == 0)
		return 0;
	if (errno == EEXIST)
		return -EEXIST;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	return linkat(AT_FDCWD, proc, dirfd, name, AT_SYMLINK_FOLLOW) < 0 ? -errno : 0;
}

/* Forget an abandoned file from tmpfile_open(). */
static inline void tmpfile_abandon(int dirfd, char *tmpname)
{
	if (tmpname[0])
		unlinkat(dirfd, tmpname, 0);
	tmpname[0] = 0;
}

#endif
