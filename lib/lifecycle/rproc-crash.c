// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Crash handling (doc/boot-sequence.md#crash), run in the worker thread: a stop without the
 * handshake, then the coredump of what the core had loaded (or of its minidump regions).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "rproc/coredump.h"
#include "rproc/error.h"
#include "rproc-priv.h"
#include "util.h"

/* Segments of the firmware a previous daemon started: reopen it (only headers are read). */
static void segments_from_file(struct rproc *r)
{
	struct rproc_fw_image *img = NULL;
	char path[PATH_MAX];

	pthread_mutex_lock(&r->lock);
	snprintf(path, sizeof(path), "%s", r->info.firmware_path);
	pthread_mutex_unlock(&r->lock);
	if (!path[0] || rproc_fw_open(path, &img, NULL) < 0)
		return;
	r->img[1].img = img;
	rproc_keep_segments(r);
	r->img[1].img = NULL;
	rproc_fw_close(img);
}

static void coredump(struct rproc *r)
{
	struct rproc_dump_seg *md = NULL, whole;
	struct rproc_error err = { 0 };
	const struct rproc_dump_seg *segs;
	char path[PATH_MAX] = "", reason[256];
	size_t n;
	int e;

	if (!r->cfg->coredump_dir)
		return;
	rproc_report_phase(r, "coredump");
	if (!r->segs)
		segments_from_file(r);
	segs = r->segs;
	n = r->n_segs;
	e = rproc_minidump_read(r->b, &r->d, &md, &err);
	if (e < 0) {
		rproc_log(RPROC_LOG_NOTICE, r->d.name, "coredump", e, "%s: no coredump", err.msg);
		return;
	}
	if (e > 0) {
		segs = md;
		n = (size_t)e;
	}
	if (!n) {
		/* Nothing known of the image: dump the whole carveout. */
		whole = (struct rproc_dump_seg){ .da = r->d.carveouts[0].base,
						  .phys = r->d.carveouts[0].base,
						  .size = r->d.carveouts[0].size };
		segs = &whole;
		n = 1;
	}
	pthread_mutex_lock(&r->lock);
	snprintf(reason, sizeof(reason), "%s", r->info.last_crash_reason);
	pthread_mutex_unlock(&r->lock);
	e = rproc_coredump_write(r->b,
				 &(struct rproc_coredump_opts){
				     .dir = r->cfg->coredump_dir,
				     .core = r->d.name,
				     .reason = reason,
				     .max_size = r->cfg->coredump_max,
				     .keep_free = r->cfg->coredump_keep_free,
				     .carveout_base = r->d.carveouts[0].base,
				     .carveout_size = r->d.carveouts[0].size,
				 },
				 segs, n, path, sizeof(path), &err);
	free(md);
	if (e < 0) {
		rproc_log(RPROC_LOG_ERR, r->d.name, "coredump", e, "%s", err.msg);
		return;
	}
	pthread_mutex_lock(&r->lock);
	snprintf(r->info.last_coredump, sizeof(r->info.last_coredump), "%s", path);
	pthread_mutex_unlock(&r->lock);
	rproc_log(RPROC_LOG_DEBUG, r->d.name, "coredump", 0, "coredump written to %s", path);
	rproc_report_event(r, RPROC_EV_COREDUMP, 0, 0);
}

/* doc/boot-sequence.md#crash: no handshake; SHUTDOWN unlocks the carveout, then unmap, then
 * dump. */
int rproc_run_crash(struct rproc *r)
{
	int e = rproc_run_stop(r, true, false); /* recovery keeps the device memory */

	coredump(r);
	return e;
}
