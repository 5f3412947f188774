// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Re-adoption across daemon restarts: a snapshot holds what must survive (state, timestamps,
 * counters, what the core still holds); rproc_adopt() rebuilds the core from it without
 * touching the hardware (no stop, no map, no reset), re-attaching only the handles.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "rproc-priv.h"
#include "util.h"

void rproc_snapshot(struct rproc *r, struct rproc_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_lock(&r->lock);
	s->version = RPROC_SNAPSHOT_VERSION;
	s->state = r->info.state;
	s->state_change_usec = r->info.state_change_usec;
	s->crash_count = r->info.crash_count;
	s->recovery = r->recovery;
	s->mem_reloc = r->img[1].mem_reloc;
	s->dtb_mem_reloc = r->img[0].mem_reloc;
	s->timings = r->info.timings;
	memcpy(s->firmware_path, r->info.firmware_path, sizeof(s->firmware_path));
	memcpy(s->last_crash_reason, r->info.last_crash_reason, sizeof(s->last_crash_reason));
	memcpy(s->last_coredump, r->info.last_coredump, sizeof(s->last_coredump));
	memcpy(s->last_error, r->info.last_error, sizeof(s->last_error));
	memcpy(s->last_error_step, r->info.last_error_step, sizeof(s->last_error_step));
	s->last_errno = r->info.last_errno;
	pthread_mutex_unlock(&r->lock);
	/* Resource fields belong to a running worker: read them only when none runs. */
	if (!r->thread_live) {
		s->flags = (r->rsc_done ? RPROC_SNAP_RSC_DONE : 0) |
			   (r->handover ? RPROC_SNAP_HANDOVER : 0) |
			   (r->proxy_voted ? RPROC_SNAP_PROXY : 0);
		for (size_t i = 0; i < r->n_devmem_mapped && i < RPROC_SNAP_MAX_DEVMEM; i++) {
			s->devmem[i].da = r->devmem[i].da;
			s->devmem[i].pa = r->devmem[i].pa;
			s->devmem[i].len = r->devmem[i].len;
			s->devmem[i].flags = r->devmem[i].flags;
			s->n_devmem++;
		}
	}
}

int rproc_adopt(const struct rproc_desc *d, struct rproc_backend *b,
		const struct rproc_config *cfg, const struct rproc_snapshot *s, struct rproc **out,
		struct rproc_error *err)
{
	struct rproc *r = NULL;
	enum rproc_state st;
	int e;

	if (!s || s->version < 1 || s->version > RPROC_SNAPSHOT_VERSION ||
	    s->state >= RPROC_STATE_COUNT)
		return rproc_err(err, -EINVAL, "%s: snapshot version %u / state %u not understood",
				 d->name, s ? s->version : 0, s ? s->state : 0);
	e = rproc_new(d, b, cfg, &r, err);
	if (e < 0)
		return e;
	st = s->state;
	r->info.state_change_usec = s->state_change_usec;
	r->info.crash_count = s->crash_count;
	r->recovery = s->recovery;
	r->info.timings = s->timings;
	memcpy(r->info.firmware_path, s->firmware_path, sizeof(s->firmware_path));
	r->info.firmware_path[sizeof(r->info.firmware_path) - 1] = 0;
	snprintf(r->info.last_crash_reason, sizeof(r->info.last_crash_reason), "%.*s",
		 (int)sizeof(s->last_crash_reason), s->last_crash_reason);
	snprintf(r->info.last_coredump, sizeof(r->info.last_coredump), "%.*s",
		 (int)sizeof(s->last_coredump) - 1, s->last_coredump);
	snprintf(r->info.last_error, sizeof(r->info.last_error), "%.*s",
		 (int)sizeof(s->last_error), s->last_error);
	snprintf(r->info.last_error_step, sizeof(r->info.last_error_step), "%.*s",
		 (int)sizeof(s->last_error_step), s->last_error_step);
	r->info.last_errno = s->last_errno;
	r->img[1].mem_reloc = s->mem_reloc;
	r->img[0].mem_reloc = s->version >= 2 ? s->dtb_mem_reloc : 0;
	r->info.mem_reloc = s->mem_reloc;

	if (st == RPROC_STARTING || st == RPROC_STOPPING) {
		/* The previous daemon died mid-job: what the hardware holds is unknown. */
		snprintf(r->info.last_error, sizeof(r->info.last_error),
			 "the previous rprocd stopped while the core was %s; state unknown",
			 rproc_state_name(st));
		snprintf(r->info.last_error_step, sizeof(r->info.last_error_step), "adopt");
		r->info.last_errno = -EIO;
		st = RPROC_FAILED;
	}
	if (s->version >= 2) {
		r->rsc_done = s->flags & RPROC_SNAP_RSC_DONE;
		r->handover = s->flags & RPROC_SNAP_HANDOVER;
		r->proxy_voted = s->flags & RPROC_SNAP_PROXY;
		if (s->n_devmem) {
			size_t n = s->n_devmem < RPROC_SNAP_MAX_DEVMEM ? s->n_devmem
								       : RPROC_SNAP_MAX_DEVMEM;

			r->devmem = calloc(n, sizeof(*r->devmem));
			if (!r->devmem) {
				rproc_free(r);
				return rproc_err(err, -ENOMEM, "out of memory");
			}
			for (size_t i = 0; i < n; i++) {
				r->devmem[i].da = s->devmem[i].da;
				r->devmem[i].pa = s->devmem[i].pa;
				r->devmem[i].len = s->devmem[i].len;
				r->devmem[i].flags = s->devmem[i].flags;
			}
			r->n_devmem = r->n_devmem_mapped = n;
		}
	}
	if (st == RPROC_RUNNING) {
		for (int i = 0; i < 2; i++)
			if (r->img[i].present) {
				r->img[i].tz_running = true;
				r->img[i].mapped = r->d.n_iommus > 0;
			}
	}
	/* Re-attach to the IOMMU context that kept the mappings (no map, no unmap). */
	if ((st == RPROC_RUNNING || st == RPROC_CRASHED || r->rsc_done) && r->d.n_iommus &&
	    b->iommu) {
		e = b->iommu->open(b->iommu_ctx, &r->d, &r->dom);
		if (e < 0) {
			r->info.state = RPROC_OFFLINE;
			rproc_free(r);
			return rproc_err(err, e, "%s: cannot re-open the IOMMU context: %s",
					 d->name, strerror(-e));
		}
	}
	r->info.state = st;
	if (st == RPROC_CRASHED && r->recovery) {
		/* The crash was handled by the previous daemon; resume its recovery now. */
		rproc_arm_recovery(r, 0);
	}
	if (st == RPROC_RUNNING)
		rproc_irq_watch(r, true);
	rproc_log(RPROC_LOG_INFO, r->d.name, "adopt", 0, "adopted in state %s",
		  rproc_state_name(st));
	*out = r;
	return 0;
}
