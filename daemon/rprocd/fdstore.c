// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Re-adoption across daemon restarts.  What must survive a restart is handed to the service
 * manager's fd store (sd_notify FDSTORE=1): every fd the backend lists (closing them would
 * tear down IOMMU contexts, shim handles, the simulated SoC) and one memfd with each core's
 * struct rproc_snapshot.  The memfd is stored once and rewritten in place on every change:
 * the service manager holds the same open file, so it always has the latest snapshots.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>

#include "log.h"
#include "manager.h"
#include "strv.h"

#define SNAPSHOT_FDNAME "rprocd-snapshot"
#define SNAPSHOT_MAGIC "RPROCSN1"
#define SNAPSHOT_MAX_CORES 256
#define FDSTORE_MAX_FDS 128

struct snapshot_header {
	char magic[8];
	uint32_t count;
	uint32_t record_size; /* sizeof(struct snapshot_record) of the writer */
};

struct snapshot_record {
	char name[32];
	struct rproc_snapshot snap;
};

/*
 * struct rproc_snapshot only grows at its end (its version says which fields are there), so
 * records of an older rprocd are shorter: read what they hold, the rest stays zero.  The
 * shortest is version 1's, which ended at last_errno.
 */
#define SNAPSHOT_RECORD_MIN                                                                        \
	(offsetof(struct snapshot_record, snap) + offsetof(struct rproc_snapshot, flags))

static int fdstore_push(int fd, const char *name)
{
	char msg[128];

	snprintf(msg, sizeof(msg), "FDSTORE=1\nFDNAME=%s", name);
	return sd_pid_notify_with_fds(0, false, msg, &fd, 1);
}

static int fdstore_remove(const char *name)
{
	char msg[128];

	snprintf(msg, sizeof(msg), "FDSTOREREMOVE=1\nFDNAME=%s", name);
	return sd_notify(false, msg);
}

static int stored_add(struct manager *m, const char *name, int fd)
{
	char **nn = realloc(m->stored_names, (m->n_stored + 1) * sizeof(*nn));
	int *nf;

	if (!nn)
		return -ENOMEM;
	m->stored_names = nn;
	nf = realloc(m->stored_fds, (m->n_stored + 1) * sizeof(*nf));
	if (!nf)
		return -ENOMEM;
	m->stored_fds = nf;
	m->stored_names[m->n_stored] = strdup(name);
	if (!m->stored_names[m->n_stored])
		return -ENOMEM;
	m->stored_fds[m->n_stored++] = fd;
	return 0;
}

static int snapshot_read(int fd, struct rproc_snapshot **snaps, char (**names)[32], size_t *n)
{
	struct snapshot_header h;
	struct snapshot_record rec;
	ssize_t l;

	l = pread(fd, &h, sizeof(h), 0);
	if (l != (ssize_t)sizeof(h) || memcmp(h.magic, SNAPSHOT_MAGIC, 8) ||
	    h.record_size < SNAPSHOT_RECORD_MIN || h.record_size > sizeof(rec) ||
	    h.count > SNAPSHOT_MAX_CORES)
		return -EBADMSG;
	*snaps = calloc(h.count ? h.count : 1, sizeof(**snaps));
	*names = calloc(h.count ? h.count : 1, sizeof(**names));
	if (!*snaps || !*names)
		return -ENOMEM;
	*n = 0;
	for (uint32_t i = 0; i < h.count; i++) {
		memset(&rec, 0, sizeof(rec));
		l = pread(fd, &rec, h.record_size, (off_t)(sizeof(h) + i * (size_t)h.record_size));
		if (l != (ssize_t)h.record_size)
			return -EBADMSG;
		rec.name[sizeof(rec.name) - 1] = '\0';
		if (!rec.name[0])
			continue; /* an unusable core's (snapshot_record_fill()) */
		memcpy((*names)[*n], rec.name, sizeof(rec.name));
		(*snaps)[(*n)++] = rec.snap;
	}
	return 0;
}

static void fd_entries_free(struct rproc_fd_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (e[i].fd >= 0)
			close(e[i].fd);
	free(e);
}

/*
 * Take the fds the service manager passed back: the snapshot memfd is kept for rewriting,
 * the rest go to the backend.  Call after the backend exists and before any core does.
 * *n_snaps is 0 when there is nothing to adopt.
 */
int fdstore_load(struct manager *m, struct rproc_snapshot **snaps, char (**names)[32],
		 size_t *n_snaps)
{
	_cleanup_strv_free_ char **fdnames = NULL;
	struct rproc_fd_entry *e;
	size_t n_e = 0;
	int n, r = 0, snapfd = -1;

	*snaps = NULL;
	*names = NULL;
	*n_snaps = 0;
	m->fdstore = getenv("NOTIFY_SOCKET") != NULL;

	n = sd_listen_fds_with_names(true, &fdnames);
	if (n <= 0)
		return n;
	e = calloc((size_t)n, sizeof(*e));
	if (!e)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		int fd = SD_LISTEN_FDS_START + i;
		const char *name = fdnames && fdnames[i] ? fdnames[i] : "unknown";

		if (!strcmp(name, SNAPSHOT_FDNAME) && snapfd < 0) {
			snapfd = fd;
			continue;
		}
		snprintf(e[n_e].name, sizeof(e[n_e].name), "%s", name);
		e[n_e++].fd = fd;
	}
	log_info("fd store: %d fds passed back (%zu for the backend, snapshots %s)", n, n_e,
		 snapfd >= 0 ? "present" : "missing");

	bool adopted = true;
	if (n_e && m->backend->adopt_fds) {
		int orig[FDSTORE_MAX_FDS];

		for (size_t i = 0; i < n_e && i < FDSTORE_MAX_FDS; i++)
			orig[i] = e[i].fd;
		r = m->backend->adopt_fds(m->backend, e, n_e);
		/* What the backend took is already in the store: do not store it twice. */
		for (size_t i = 0; r >= 0 && i < n_e && i < FDSTORE_MAX_FDS; i++)
			if (e[i].fd < 0 && stored_add(m, e[i].name, orig[i]) < 0)
				break;
		if (r < 0) {
			log_error_errno(r, "backend %s could not adopt its fds: %m; starting "
					"afresh", m->backend_name);
			adopted = false;
			r = 0;
		} else {
			log_info("backend %s adopted %d of %zu fds", m->backend_name, r, n_e);
		}
	} else if (n_e) {
		log_warning("backend %s cannot adopt fds; %zu closed", m->backend_name, n_e);
		adopted = false;
	}
	/*
	 * Stale fds would come back on the next restart ahead of the fresh ones stored under
	 * the same name: drop them from the store.
	 */
	for (size_t i = 0; i < n_e; i++)
		if (e[i].fd >= 0 && m->fdstore)
			fdstore_remove(e[i].name);

	if (snapfd >= 0) {
		/* Keep the stored memfd either way: it is rewritten in place from now on. */
		m->snapshot_fd = snapfd;
		if (!adopted) {
			log_warning("snapshots ignored: the backend's state is gone; cores start afresh");
		} else if ((r = snapshot_read(m->snapshot_fd, snaps, names, n_snaps)) < 0) {
			log_warning_errno(r, "snapshot memfd unreadable (%m); cores start afresh");
			free(*snaps);
			free(*names);
			*snaps = NULL;
			*names = NULL;
			*n_snaps = 0;
			r = 0;
		}
	}
	/* The backend sets fd = -1 in the entries it took; what is left is ours to close. */
	fd_entries_free(e, n_e);
	return r;
}

/* One record per core, in the cores' order; an unusable core's is empty (no name): it
 * holds nothing, there is nothing to adopt. */
static void snapshot_record_fill(struct snapshot_record *rec, struct core *c)
{
	memset(rec, 0, sizeof(*rec));
	if (!c->rproc)
		return;
	snprintf(rec->name, sizeof(rec->name), "%s", c->name);
	rproc_snapshot(c->rproc, &rec->snap);
}

/* Called with snapshot_lock held, after the memfd got @len bytes of records. */
static void snapshot_map_update(struct manager *m, size_t len)
{
	void *p;

	if (m->snapshot_map)
		munmap((void *)m->snapshot_map, m->snapshot_map_len);
	m->snapshot_map = NULL;
	m->snapshot_map_len = 0;
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, m->snapshot_fd, 0);
	if (p == MAP_FAILED)
		return; /* every rewrite then writes the whole record */
	m->snapshot_map = p;
	m->snapshot_map_len = len;
}

static int snapshot_write(struct manager *m)
{
	struct snapshot_header h = { .record_size = sizeof(struct snapshot_record) };
	size_t n = m->n_cores < SNAPSHOT_MAX_CORES ? m->n_cores : SNAPSHOT_MAX_CORES;
	size_t len = sizeof(h) + n * sizeof(struct snapshot_record);
	_cleanup_free_ uint8_t *buf = calloc(1, len);
	int r = 0;

	if (!buf)
		return -ENOMEM;
	memcpy(h.magic, SNAPSHOT_MAGIC, 8);
	h.count = (uint32_t)n;
	memcpy(buf, &h, sizeof(h));
	pthread_mutex_lock(&m->snapshot_lock);
	for (size_t i = 0; i < n; i++)
		snapshot_record_fill((struct snapshot_record *)(buf + sizeof(h) +
								i * sizeof(struct snapshot_record)),
				     m->cores[i]);
	if (ftruncate(m->snapshot_fd, (off_t)len) < 0)
		r = -errno;
	else if (pwrite(m->snapshot_fd, buf, len, 0) != (ssize_t)len)
		r = -EIO;
	else
		snapshot_map_update(m, len);
	pthread_mutex_unlock(&m->snapshot_lock);
	return r;
}

static int fdstore_export_backend(struct manager *m)
{
	struct rproc_fd_entry e[FDSTORE_MAX_FDS];
	size_t n = 0;
	int r;

	if (!m->backend->export_fds)
		return 0;
	r = m->backend->export_fds(m->backend, e, FDSTORE_MAX_FDS, &n);
	if (r < 0)
		return r;
	if (n > FDSTORE_MAX_FDS)
		n = FDSTORE_MAX_FDS;
	for (size_t i = 0; i < n; i++) {
		size_t j;

		for (j = 0; j < m->n_stored; j++)
			if (!strcmp(m->stored_names[j], e[i].name))
				break;
		if (j < m->n_stored && m->stored_fds[j] == e[i].fd)
			continue; /* already stored */
		if (j < m->n_stored) {
			/* The same name now stands for another fd: replace it in the store. */
			fdstore_remove(e[i].name);
			m->stored_fds[j] = e[i].fd;
		} else if (stored_add(m, e[i].name, e[i].fd) < 0) {
			return -ENOMEM;
		}
		r = fdstore_push(e[i].fd, e[i].name);
		if (r < 0)
			log_warning_errno(r, "fd store: cannot store %s: %m", e[i].name);
	}
	return 0;
}

/*
 * The part of @rec that differs from what the memfd holds at @off, in whole chunks: [*lo, *hi).
 * Empty when nothing changed.  Without the memfd's view, all of it.
 */
#define SNAPSHOT_CHUNK 64
static void snapshot_record_diff(struct manager *m, const struct snapshot_record *rec, size_t off,
				 size_t *lo, size_t *hi)
{
	const uint8_t *now = m->snapshot_map + off, *want = (const uint8_t *)rec;
	size_t n = sizeof(*rec), a = 0, b = n;

	*lo = 0;
	*hi = n;
	if (!m->snapshot_map || off + n > m->snapshot_map_len)
		return;
	if (!memcmp(now, want, n)) {
		*hi = 0;
		return;
	}
	while (memcmp(now + a, want + a, n - a < SNAPSHOT_CHUNK ? n - a : SNAPSHOT_CHUNK) == 0)
		a += SNAPSHOT_CHUNK;
	while (b - a > SNAPSHOT_CHUNK) {
		size_t c = (b - 1) / SNAPSHOT_CHUNK * SNAPSHOT_CHUNK;

		if (memcmp(now + c, want + c, b - c))
			break;
		b = c;
	}
	*lo = a;
	*hi = b;
}

/*
 * What one core's job changed: its record, rewritten in place (the others and the header are
 * what they were), and any fd its backend opened meanwhile.  A start changes its record about
 * twenty times: rewriting every core's each time made a start's cost grow with their number.
 * Of the record, only the bytes that changed are written (a phase name, a flag): most of its
 * 10 KiB are paths and messages that stay the same, and half of the calls change nothing (the
 * event loop writes again what the worker just wrote).
 */
void fdstore_write_core(struct manager *m, struct core *c)
{
	struct snapshot_record rec;
	size_t i, lo, hi, off;

	if (!m->fdstore)
		return;
	pthread_mutex_lock(&m->snapshot_lock);
	for (i = 0; i < m->n_cores && m->cores[i] != c; i++)
		;
	/* before the first fdstore_sync() there is no memfd: that one writes every core */
	if (m->snapshot_fd >= 0 && i < SNAPSHOT_MAX_CORES && i < m->n_cores) {
		off = sizeof(struct snapshot_header) + i * sizeof(rec);
		snapshot_record_fill(&rec, c);
		snapshot_record_diff(m, &rec, off, &lo, &hi);
		if (lo < hi && pwrite(m->snapshot_fd, (const uint8_t *)&rec + lo, hi - lo,
				      (off_t)(off + lo)) != (ssize_t)(hi - lo))
			log_warning_errno(-EIO, "cannot write the snapshot of %s: %m", c->name);
	}
	pthread_mutex_unlock(&m->snapshot_lock);
}

int fdstore_sync_core(struct manager *m, struct core *c)
{
	int r;

	if (!m->fdstore)
		return 0;
	if (m->snapshot_fd < 0)
		return fdstore_sync(m);
	fdstore_write_core(m, c);
	r = fdstore_export_backend(m);
	if (r < 0)
		log_warning_errno(r, "fd store: backend fds: %m");
	return 0;
}

/* Bring the fd store up to date; cheap when nothing changed but the snapshots. */
int fdstore_sync(struct manager *m)
{
	int r;

	if (!m->fdstore)
		return 0;
	if (m->snapshot_fd < 0) {
		m->snapshot_fd = memfd_create(SNAPSHOT_FDNAME, MFD_CLOEXEC);
		if (m->snapshot_fd < 0)
			return log_error_errno(-errno, "memfd_create: %m");
		r = snapshot_write(m);
		if (r >= 0)
			r = fdstore_push(m->snapshot_fd, SNAPSHOT_FDNAME);
		if (r < 0)
			log_warning_errno(r, "fd store: cannot store the snapshots: %m");
	} else {
		r = snapshot_write(m);
		if (r < 0)
			log_warning_errno(r, "cannot write the snapshots: %m");
	}
	r = fdstore_export_backend(m);
	if (r < 0)
		log_warning_errno(r, "fd store: backend fds: %m");
	return 0;
}
