/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Opening a file a user named (firmware, device tree, configuration, a backend module) without
 * letting it wedge the caller: open() of a FIFO with no writer blocks until one comes, and a
 * read() of a FIFO, a terminal or a socket blocks until data comes, which may be never.  So the
 * file is opened non-blocking and without becoming a controlling terminal, and the opened
 * descriptor (not the path, which can be swapped after a check) must be a regular file.
 * Reads of a regular file never wait for a writer; what is read is bounded by what the
 * caller's headers declare.
 */
#ifndef RPROC_FD_UTIL_H
#define RPROC_FD_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define OPEN_UNTRUSTED_FLAGS (O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)

/* "a FIFO", "a directory", ...: what a path is when it is not a regular file. */
static inline const char *file_type_name(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG:
		return "a regular file";
	case S_IFDIR:
		return "a directory";
	case S_IFIFO:
		return "a FIFO";
	case S_IFCHR:
		return "a character device";
	case S_IFBLK:
		return "a block device";
	case S_IFSOCK:
		return "a socket";
	case S_IFLNK:
		return "a symbolic link";
	default:
		return "not a regular file";
	}
}

/*
 * open_regular() - open @path read-only, never blocking, and check the opened file: a file
 * descriptor, or -EISDIR (a directory), -EBADFD (anything else that is not a regular file:
 * FIFO, device, socket) or the open()/fstat() error.  @st (may be NULL) gets the file's stat,
 * which names the file type in messages when the result is -EISDIR or -EBADFD.
 */
static inline int open_regular(const char *path, int extra_flags, struct stat *st)
{
	struct stat tmp, *s = st ? st : &tmp;
	int fd = open(path, OPEN_UNTRUSTED_FLAGS | extra_flags);

	if (fd < 0)
		return -errno;
	if (fstat(fd, s) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	if (!S_ISREG(s->st_mode)) {
		close(fd);
		return S_ISDIR(s->st_mode) ? -EISDIR : -EBADFD;
	}
	return fd;
}

/*
 * Write all @n bytes of @buf to @fd: at @off (pwrite), or at the file position when @off is
 * negative.  A short write goes on, EINTR is retried.  0, or a negative errno.
 */
static inline int write_full(int fd, const void *buf, size_t n, off_t off)
{
	const uint8_t *p = buf;

	while (n) {
		ssize_t w = off < 0 ? write(fd, p, n) : pwrite(fd, p, n, off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
		if (off >= 0)
			off += w;
	}
	return 0;
}

#endif
