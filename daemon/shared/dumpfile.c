// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "dumpfile.h"
#include "fd-util.h"
#include "tmpfile-util.h"
#include "util.h"

#if HAVE_ZSTD
#include <zstd.h>
#endif

#define CHUNK (1u << 20)

#if HAVE_ZSTD
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
			r = write_full(out, obuf, ob.pos, -1);
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
	_cleanup_close_ int in = -1, fd = -1, dfd = -1;
	_cleanup_free_ char *dir = strdup(path);
	char tmpname[64] = "", *slash;
	const char *name, *out_name;
	struct stat st;
	int r;

	if (!dir)
		return -ENOMEM;
	if (snprintf(out, out_len, "%s%s", path, DUMPFILE_ZSTD_SUFFIX) >= (int)out_len)
		return -ENAMETOOLONG;
	slash = strrchr(dir, '/');
	name = slash ? path + (slash - dir) + 1 : path;
	out_name = slash ? out + (slash - dir) + 1 : out;
	if (slash)
		*slash = 0;
	dfd = open(!slash ? "." : slash == dir ? "/" : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	in = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (in < 0)
		return -errno;
	if (fstat(in, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EBADF;
	fd = tmpfile_open(dfd, st.st_mode & 0777, tmpname, sizeof(tmpname));
	if (fd < 0)
		return fd;
	r = compress_fd(in, fd, (uint64_t)st.st_size);
	if (r == 0 && fchmod(fd, st.st_mode & 0777) < 0)
		r = -errno;
	if (r == 0 && fchown(fd, (uid_t)-1, st.st_gid) < 0 && errno != EPERM)
		r = -errno;
	if (r == 0 && futimens(fd, (struct timespec[]){ st.st_atim, st.st_mtim }) < 0)
		r = -errno;
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (r == 0)
		r = tmpfile_link(fd, dfd, tmpname, out_name);
	if (r < 0) {
		tmpfile_abandon(dfd, tmpname);
		return r;
	}
	unlinkat(dfd, name, 0);
	fsync(dfd);
	return 0;
#else
	return -EOPNOTSUPP;
#endif
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n > k && !strcmp(s + n - k, suffix);
}

bool dumpfile_is_dump_name(const char *name)
{
	return name[0] != '.' &&
	       (has_suffix(name, ".core") || has_suffix(name, ".core" DUMPFILE_ZSTD_SUFFIX));
}

struct vacuum_entry {
	char *name;
	struct timespec mtime;
	uint64_t bytes;
	bool gone;
};

static int vacuum_cmp(const void *a, const void *b)
{
	const struct vacuum_entry *x = a, *y = b;

	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
	return strcmp(x->name, y->name);
}

uint64_t dumpfile_limit_bytes(uint64_t bytes, unsigned int percent, uint64_t fs_size)
{
	uint64_t b;

	if (!percent)
		return bytes;
	b = fs_size / 100 * percent;
	return b < (4ull << 30) ? b : 4ull << 30;
}

static uint64_t fs_size_of(int dfd)
{
	struct statvfs sv;

	return fstatvfs(dfd, &sv) < 0 ? 0 : (uint64_t)sv.f_blocks * sv.f_frsize;
}

uint64_t dumpfile_keep_free(const char *dir, const struct dumpfile_limits *l)
{
	_cleanup_close_ int dfd = -1;

	if (!l->keep_free_percent)
		return l->keep_free;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return dfd < 0 ? 0 : dumpfile_limit_bytes(0, l->keep_free_percent, fs_size_of(dfd));
}

static uint64_t vacuum_free(int dfd)
{
	struct statvfs sv;

	return fstatvfs(dfd, &sv) < 0 ? UINT64_MAX : (uint64_t)sv.f_bavail * sv.f_frsize;
}

static void vacuum_remove(const char *dir, int dfd, const char *name, const char *why,
			  void (*removed)(const char *, const char *, void *), void *ud)
{
	char path[PATH_MAX];

	if (unlinkat(dfd, name, 0) < 0)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (removed)
		removed(path, why, ud);
}

int dumpfile_vacuum(const char *dir, const struct dumpfile_limits *l,
		    void (*removed)(const char *path, const char *why, void *ud), void *ud)
{
	DIR *dh = opendir(dir);
	struct vacuum_entry *v = NULL;
	size_t n = 0, left;
	uint64_t use = 0;
	struct dirent *de;
	time_t now = time(NULL);
	uint64_t max_use, keep_free;
	int count = 0, r = 0;

	if (!dh)
		return -errno;
	max_use = dumpfile_limit_bytes(l->max_use, l->max_use_percent, fs_size_of(dirfd(dh)));
	keep_free = dumpfile_limit_bytes(l->keep_free, l->keep_free_percent, fs_size_of(dirfd(dh)));
	while ((de = readdir(dh))) {
		struct vacuum_entry *nv;
		struct stat st;

		if (fstatat(dirfd(dh), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (!strncmp(de->d_name, TMPFILE_PREFIX, strlen(TMPFILE_PREFIX))) {
			if (st.st_mtime + 3600 < now) {
				vacuum_remove(dir, dirfd(dh), de->d_name,
					      "a temporary file left by a writer that died", removed,
					      ud);
				count++;
			}
			continue;
		}
		if (!dumpfile_is_dump_name(de->d_name))
			continue;
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv || !(nv[n].name = strdup(de->d_name))) {
			v = nv ? nv : v;
			r = -ENOMEM;
			break;
		}
		v = nv;
		v[n].mtime = st.st_mtim;
		v[n].bytes = (uint64_t)st.st_blocks * 512;
		v[n].gone = false;
		n++;
	}
	if (r == 0 && n) {
		qsort(v, n, sizeof(*v), vacuum_cmp);
		/* a .core whose compressed copy is complete: the compression was cut short */
		for (size_t i = 0; i < n; i++) {
			char zst[NAME_MAX + 8];

			if (!has_suffix(v[i].name, ".core"))
				continue;
			snprintf(zst, sizeof(zst), "%s%s", v[i].name, DUMPFILE_ZSTD_SUFFIX);
			for (size_t j = 0; j < n && !v[i].gone; j++)
				if (!strcmp(v[j].name, zst)) {
					vacuum_remove(dir, dirfd(dh), v[i].name,
						      "its compressed copy exists", removed, ud);
					v[i].gone = true;
					count++;
				}
		}
		left = 0;
		for (size_t i = 0; i < n; i++)
			if (!v[i].gone) {
				use += v[i].bytes;
				left++;
			}
		/* oldest first, never the newest */
		for (size_t i = 0; i + 1 < n && left > 1; i++) {
			const char *why = NULL;

			if (v[i].gone)
				continue;
			if (l->max_files && left > l->max_files)
				why = "CoredumpMaxFiles=";
			else if (max_use && use > max_use)
				why = "CoredumpMaxUse=";
			else if (keep_free && vacuum_free(dirfd(dh)) < keep_free)
				why = "CoredumpKeepFree=";
			if (!why)
				break;
			vacuum_remove(dir, dirfd(dh), v[i].name, why, removed, ud);
			v[i].gone = true;
			use -= v[i].bytes;
			left--;
			count++;
		}
	}
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
	closedir(dh);
	return r < 0 ? r : count;
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
