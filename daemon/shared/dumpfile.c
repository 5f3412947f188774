// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "dumpfile.h"
#include "util.h"

#if HAVE_ZSTD
#include <zstd.h>
#endif

#define CHUNK (1u << 20)

#if HAVE_ZSTD
static int write_all(int fd, const void *buf, size_t n)
{
	const uint8_t *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(ZSTD_CCtx *, ZSTD_freeCCtx)

static int compress_fd(int in, int out, uint64_t size)
{
	_cleanup_(ZSTD_freeCCtxp) ZSTD_CCtx *cc = ZSTD_createCCtx();
	_cleanup_free_ uint8_t *ibuf = malloc(CHUNK);
	size_t osize = ZSTD_CStreamOutSize();
	_cleanup_free_ uint8_t *obuf = malloc(osize);
	int r;

	if (!cc || !ibuf || !obuf)
		return -ENOMEM;
	/* the size in the frame header: rprocctl coredump list shows it without decompressing */
	if (ZSTD_isError(ZSTD_CCtx_setPledgedSrcSize(cc, size)))
		return -EINVAL;
	for (uint64_t done = 0;;) {
		ssize_t n = read(in, ibuf, CHUNK);
		ZSTD_inBuffer ib;
		bool last;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		done += (uint64_t)n;
		last = n == 0 || done >= size;
		ib = (ZSTD_inBuffer){ ibuf, (size_t)n, 0 };
		for (;;) {
			ZSTD_outBuffer ob = { obuf, osize, 0 };
			size_t left = ZSTD_compressStream2(cc, &ob, &ib,
							   last ? ZSTD_e_end : ZSTD_e_continue);

			if (ZSTD_isError(left))
				return -EIO;
			r = write_all(out, obuf, ob.pos);
			if (r < 0)
				return r;
			if (last ? left == 0 : ib.pos == ib.size)
				break;
		}
		if (last)
			return done == size ? 0 : -EIO; /* the file changed under us */
	}
}
#endif

int dumpfile_compress(const char *path, char *out, size_t out_len)
{
#if HAVE_ZSTD
	_cleanup_close_ int in = -1, fd = -1;
	_cleanup_free_ char *tmp = NULL;
	struct stat st;
	int r;

	if (snprintf(out, out_len, "%s%s", path, DUMPFILE_ZSTD_SUFFIX) >= (int)out_len ||
	    asprintf(&tmp, "%s.tmp", out) < 0)
		return -ENAMETOOLONG;
	in = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (in < 0)
		return -errno;
	if (fstat(in, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EBADF;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, st.st_mode & 0777);
	if (fd < 0)
		return -errno;
	r = compress_fd(in, fd, (uint64_t)st.st_size);
	if (r == 0 && fchown(fd, (uid_t)-1, st.st_gid) < 0 && errno != EPERM)
		r = -errno;
	if (r == 0 && futimens(fd, (struct timespec[]){ st.st_atim, st.st_mtim }) < 0)
		r = -errno;
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (r == 0 && rename(tmp, out) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return r;
	}
	unlink(path);
	return 0;
#else
	return -EOPNOTSUPP;
#endif
}

struct dumpfile {
	int fd;
	uint64_t pos;
	uint64_t content_size;
#if HAVE_ZSTD
	ZSTD_DCtx *dc;
	uint8_t *ibuf;
	size_t isize;
	ZSTD_inBuffer ib;
	bool eof;
#endif
	bool zstd;
};

void dumpfile_close(struct dumpfile *f)
{
	if (!f)
		return;
	closep(&f->fd);
#if HAVE_ZSTD
	ZSTD_freeDCtx(f->dc);
	free(f->ibuf);
#endif
	free(f);
}

DEFINE_TRIVIAL_CLEANUP_FUNC(struct dumpfile *, dumpfile_close)

int dumpfile_open(const char *path, struct dumpfile **out)
{
	_cleanup_(dumpfile_closep) struct dumpfile *f = calloc(1, sizeof(*f));
	uint8_t magic[4];
	struct stat st;
	ssize_t n;

	if (!f)
		return -ENOMEM;
	f->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (f->fd < 0)
		return -errno;
	if (fstat(f->fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EBADF; /* not a FIFO or a device: we read it to the end */
	n = pread(f->fd, magic, sizeof(magic), 0);
	if (n < 0)
		return -errno;
	/* the zstd frame magic, little-endian 0xFD2FB528 */
	f->zstd = n == 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f &&
		  magic[3] == 0xfd;
	f->content_size = (uint64_t)st.st_size;
	if (f->zstd) {
#if HAVE_ZSTD
		uint8_t head[18]; /* ZSTD_FRAMEHEADERSIZE_MAX, in the static API only */
		unsigned long long cs;

		n = pread(f->fd, head, sizeof(head), 0);
		cs = n > 0 ? ZSTD_getFrameContentSize(head, (size_t)n) : ZSTD_CONTENTSIZE_ERROR;
		f->content_size = cs == ZSTD_CONTENTSIZE_UNKNOWN || cs == ZSTD_CONTENTSIZE_ERROR ? 0 :
											    cs;
		f->isize = ZSTD_DStreamInSize();
		f->ibuf = malloc(f->isize);
		f->dc = ZSTD_createDCtx();
		if (!f->ibuf || !f->dc)
			return -ENOMEM;
		f->ib = (ZSTD_inBuffer){ f->ibuf, 0, 0 };
#else
		return -EOPNOTSUPP;
#endif
	}
	*out = TAKE_PTR(f);
	return 0;
}

bool dumpfile_compressed(const struct dumpfile *f)
{
	return f->zstd;
}

uint64_t dumpfile_content_size(const struct dumpfile *f)
{
	return f->content_size;
}

ssize_t dumpfile_read(struct dumpfile *f, void *buf, size_t n)
{
	if (!f->zstd) {
		ssize_t r = pread(f->fd, buf, n, (off_t)f->pos);

		if (r < 0)
			return -errno;
		f->pos += (uint64_t)r;
		return r;
	}
#if HAVE_ZSTD
	ZSTD_outBuffer ob = { buf, n, 0 };

	while (ob.pos < ob.size) {
		size_t r;

		if (f->ib.pos == f->ib.size && !f->eof) {
			ssize_t got = read(f->fd, f->ibuf, f->isize);

			if (got < 0 && errno == EINTR)
				continue;
			if (got < 0)
				return -errno;
			f->eof = got == 0;
			f->ib = (ZSTD_inBuffer){ f->ibuf, (size_t)got, 0 };
		}
		if (f->eof && f->ib.pos == f->ib.size)
			break;
		r = ZSTD_decompressStream(f->dc, &ob, &f->ib);
		if (ZSTD_isError(r))
			return -EBADMSG;
	}
	f->pos += ob.pos;
	return (ssize_t)ob.pos;
#else
	return -EOPNOTSUPP;
#endif
}

int dumpfile_pread(struct dumpfile *f, void *buf, size_t n, uint64_t off)
{
	uint8_t skip[65536];
	ssize_t r;

	if (!f->zstd)
		f->pos = off;
	if (off < f->pos)
		return -ESPIPE;
	while (f->pos < off) {
		size_t want = off - f->pos < sizeof(skip) ? (size_t)(off - f->pos) : sizeof(skip);

		r = dumpfile_read(f, skip, want);
		if (r <= 0)
			return r < 0 ? (int)r : -EBADMSG;
	}
	for (size_t done = 0; done < n; done += (size_t)r) {
		r = dumpfile_read(f, (uint8_t *)buf + done, n - done);
		if (r <= 0)
			return r < 0 ? (int)r : -EBADMSG; /* shorter than its headers say */
	}
	return 0;
}
