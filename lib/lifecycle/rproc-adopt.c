// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Re-adoption across daemon restarts: a snapshot holds what must survive (state, timestamps,
 * counters, what the core still holds); rproc_adopt() rebuilds the core from it without
 * touching the hardware (no stop, no map, no reset), re-attaching only the handles.
 *
 * A snapshot taken mid-start or mid-stop is the exception: the job's worker died with the
 * daemon, and TrustZone (authenticated or initialised PAS ids, metadata buffers) and the SMMU
 * (carveout and devmem mappings) may still hold what it did.  Left so, the next INIT_IMAGE
 * fails with -EBUSY and the next map overlaps.  So adoption releases all of it, best effort,
 * in the order of the stop sequence and the kernel's start error path
 * (doc/boot-sequence.md#adoption):
 * every release is tried whatever the one before it returned, and a failure is logged, not
 * fatal (releasing what was never taken fails harmlessly).  The job recorded each thing in
 * the snapshot before the call that made it (rproc_hold()), so a kill at any instant, even
 * inside a step, leaves a snapshot naming all that may exist; an SHM bridge, whose handle
 * died with the process, is released by its range.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rproc/error.h"
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
	/* What the core holds, as last published (the resource fields may be a worker's). */
	s->flags = r->held_flags;
	s->n_devmem = r->n_held_devmem;
	memcpy(s->devmem, r->held_devmem, sizeof(s->devmem));
	snprintf(s->phase, sizeof(s->phase), "%s", r->info.phase ? r->info.phase : "");
	if (r->abandoned) {
		/* failed to the caller, but a successor must release what the start holds */
		s->state = RPROC_STARTING;
		snprintf(s->phase, sizeof(s->phase), "%s", r->abandoned_phase);
	}
	if (r->firmware_set)
		snprintf(s->firmware, sizeof(s->firmware), "%s", r->d.firmware[0]);
	pthread_mutex_unlock(&r->lock);
}

static void release_log(struct rproc *r, int e, const char *what)
{
	if (e == 0)
		return;
	rproc_log(RPROC_LOG_WARNING, r->d.name, "adopt", e < 0 ? e : -EIO,
		  "cleanup of the interrupted job: %s returned %d (%s); going on", what, e,
		  e < 0 ? strerror(-e) : "TrustZone error");
}

static void release_unmap(struct rproc *r, uint64_t iova, uint64_t len, const char *what)
{
	int e = rproc_neg(r->b->iommu->unmap(r->dom, iova, len));

	/* -ENOENT: never mapped (the job died before mapping it), the common case */
	if (e == -ENOENT)
		rproc_log(RPROC_LOG_DEBUG, r->d.name, "adopt", e, "%s 0x%llx: not mapped", what,
			  (unsigned long long)iova);
	else
		release_log(r, e, what);
}

/*
 * Whether @s says @flag may exist.  Before version 5 the flags did not name everything a
 * job creates: then anything may.
 */
static bool may_hold(const struct rproc_snapshot *s, uint32_t flag)
{
	return s->version < 5 || (s->flags & flag);
}

/* Give back everything an interrupted start or stop may hold (see the top of the file). */
static void release_interrupted(struct rproc *r, const struct rproc_snapshot *s)
{
	const struct rproc_pas_ops *pas = r->b->pas;
	uint32_t n_dm = s->n_devmem < RPROC_SNAP_MAX_DEVMEM ? s->n_devmem : RPROC_SNAP_MAX_DEVMEM;
	bool unmap = n_dm > 0 || (s->version < 5 && r->d.n_devmem);
	char what[64];
	int e;

	/* before SHUTDOWN, as the stop does: the rpmsg clients go first */
	if (pas->glink && may_hold(s, RPROC_SNAP_GLINK)) {
		e = pas->glink(r->b->pas_ctx, &r->d, false);
		if (e != -EOPNOTSUPP)
			release_log(r, e, "glink unregister");
	}
	if (pas->stop_bit && may_hold(s, RPROC_SNAP_STOP_BIT))
		release_log(r, pas->stop_bit(r->b->pas_ctx, &r->d, false), "clearing the stop bit");
	for_each_img_rev(r, im) {
		int i = (int)(im - r->img);

		/* SHUTDOWN unlocks the carveout, before any unmap
		 * (doc/boot-sequence.md#iommu-unmap) */
		if (may_hold(s, RPROC_SNAP_RUNNING(i))) {
			snprintf(what, sizeof(what), "SHUTDOWN(PAS %u)", im->pas_id);
			release_log(r, pas->shutdown(r->b->pas_ctx, im->pas_id), what);
		}
		/* the handle died with the old daemon: release by range */
		if (pas->shm_bridge_release && may_hold(s, RPROC_SNAP_BRIDGE(i))) {
			snprintf(what, sizeof(what), "SHM bridge release over %s", im->co->node);
			release_log(r, pas->shm_bridge_release(r->b->pas_ctx, im->co->base,
							       ALIGN_UP(im->co->size,
									(uint64_t)RPROC_FW_PAGE)),
				    what);
		}
		im->tz_running = im->bridged = false;
		unmap |= may_hold(s, RPROC_SNAP_MAPPED(i));
	}
	for_each_img_rev(r, im) {
		int i = (int)(im - r->img);

		if (pas->metadata_release && may_hold(s, RPROC_SNAP_META(i))) {
			snprintf(what, sizeof(what), "metadata release (PAS %u)", im->pas_id);
			release_log(r, pas->metadata_release(r->b->pas_ctx, im->pas_id), what);
		}
		im->meta_held = false;
	}
	if (unmap && r->d.n_iommus && r->b->iommu) {
		e = rproc_neg(r->b->iommu->open(r->b->iommu_ctx, &r->d, &r->dom));
		if (e < 0) {
			r->dom = NULL;
			release_log(r, e, "opening the IOMMU context");
		}
	}
	if (r->dom) {
		for_each_img_rev(r, im)
			if (may_hold(s, RPROC_SNAP_MAPPED((int)(im - r->img))))
				release_unmap(r, im->co->base, im->co->size,
					      "unmap of the carveout");
		/* the devmem the snapshot records, and (older snapshots) the tree's qcom,devmem
		 * (doc/trustzone-pas.md#get_rsctable) */
		for (uint32_t i = 0; i < n_dm; i++)
			release_unmap(r, s->devmem[i].da, s->devmem[i].len, "unmap of devmem");
		for (size_t i = 0; s->version < 5 && i < r->d.n_devmem; i++) {
			bool seen = false;

			for (uint32_t j = 0; j < n_dm; j++)
				seen |= s->devmem[j].da == r->d.devmem[i].da;
			if (!seen)
				release_unmap(r, r->d.devmem[i].da, r->d.devmem[i].len,
					      "unmap of devmem");
		}
		r->b->iommu->close(r->dom);
		r->dom = NULL;
	}
	for_each_img(r, im)
		im->mapped = false;
	if (pas->proxy_unvote && may_hold(s, RPROC_SNAP_PROXY)) {
		e = pas->proxy_unvote(r->b->pas_ctx, &r->d);
		if (e != -EOPNOTSUPP)
			release_log(r, e, "proxy unvote");
	}
	if (pas->load_state && may_hold(s, RPROC_SNAP_LOAD_STATE)) {
		e = pas->load_state(r->b->pas_ctx, &r->d, false);
		if (e != -EOPNOTSUPP)
			release_log(r, e, "load_state off");
	}
	r->proxy_voted = false;
	r->glink = false;
	r->load_state = false;
	r->handover = false;
	r->stop_bit = false;
	r->rsc_done = false;
}

/*
 * A core the old daemon left running may have died meanwhile: its interrupts were edges
 * nobody watched.  Where the transport knows (core_query()), a core it no longer runs, or
 * whose "fatal" line is high or "ready" line low, is handled as a crash now.
 */
static void check_running(struct rproc *r)
{
	struct rproc_core_status st = { 0 };
	const char *why = NULL;

	if (!r->b->pas->core_query || r->b->pas->core_query(r->b->pas_ctx, &r->d, &st) < 0)
		return;
	if (!st.running)
		why = "no longer running when rprocd came back (stopped while it was away)";
	else if (st.levels && st.fatal)
		why = "crashed while rprocd was away (fatal line high)";
	else if (st.levels && !st.ready)
		why = "not up when rprocd came back (ready line low)";
	if (!why)
		return;
	rproc_log(RPROC_LOG_WARNING, r->d.name, "adopt", 0, "%s", why);
	rproc_crash_found(r, st.fatal ? RPROC_IRQ_FATAL : RPROC_IRQ_WDOG, why);
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
		return rproc_err(err, -EINVAL, "snapshot version %u / state %u not understood",
				 s ? s->version : 0, s ? s->state : 0);
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
	if (s->version >= 4 && s->firmware[0]) {
		char name[sizeof(s->firmware)];

		/* SetFirmware() is runtime state: it outlives the daemon, not the boot */
		snprintf(name, sizeof(name), "%.*s", (int)sizeof(s->firmware) - 1, s->firmware);
		e = rproc_set_firmware(r, name, NULL);
		if (e < 0)
			rproc_log(RPROC_LOG_WARNING, r->d.name, "adopt", e,
				  "the firmware \"%s\" set before the restart is not valid; "
				  "keeping \"%s\"",
				  name, r->d.firmware[0]);
	}
	r->img[1].mem_reloc = s->mem_reloc;
	r->img[0].mem_reloc = s->version >= 2 ? s->dtb_mem_reloc : 0;
	r->info.mem_reloc = s->mem_reloc;

	if (st == RPROC_STARTING || st == RPROC_STOPPING) {
		/* The previous daemon died mid-job: give back whatever the job held. */
		const char *phase =
			s->version >= 3 && s->phase[0] ? s->phase : rproc_state_name(st);

		release_interrupted(r, s);
		snprintf(r->info.last_error, sizeof(r->info.last_error),
			 "interrupted by a daemon restart during %.*s; cleaned up, start it again",
			 (int)sizeof(s->phase), phase);
		snprintf(r->info.last_error_step, sizeof(r->info.last_error_step), "adopt");
		r->info.last_errno = -EINTR;
		rproc_log(RPROC_LOG_WARNING, r->d.name, "adopt", -EINTR, "%s", r->info.last_error);
		st = RPROC_FAILED;
	} else if (st == RPROC_CRASHED) {
		/*
		 * The crash handling (a stop without the handshake, then the coredump) may have
		 * died with the daemon before SHUTDOWN: release as above, so that the recovery
		 * start (or a Start()) boots from scratch.  What it already released fails
		 * harmlessly.  The state and the crash record stay.
		 */
		release_interrupted(r, s);
	} else if (s->version >= 2) {
		r->rsc_done = s->flags & RPROC_SNAP_RSC_DONE;
		r->handover = s->flags & RPROC_SNAP_HANDOVER;
		/*
		 * Only what this backend can release: the stop calls the op of every flag it
		 * finds set.  Before version 5 load_state was part of the one proxy vote; a
		 * backend without load_state (a shim of ABI 1.0, no AOSS QMP) has it in that
		 * vote still.
		 */
		r->proxy_voted = b->pas->proxy_unvote && (s->flags & RPROC_SNAP_PROXY);
		r->glink = b->pas->glink && (s->flags & RPROC_SNAP_GLINK);
		r->load_state = b->pas->load_state &&
				(s->flags & (s->version >= 5 ? RPROC_SNAP_LOAD_STATE
							     : RPROC_SNAP_PROXY));
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
		for (int i = 0; i < 2; i++) {
			struct rproc_img *im = &r->img[i];

			if (!im->present)
				continue;
			if (s->version < 5) {
				im->tz_running = true;
				im->mapped = r->d.n_iommus > 0;
				continue;
			}
			im->tz_running = s->flags & RPROC_SNAP_RUNNING(i);
			im->mapped = s->flags & RPROC_SNAP_MAPPED(i);
			im->meta_held = s->flags & RPROC_SNAP_META(i);
		}
	}
	/*
	 * Re-attach to the IOMMU context that kept the mappings (no map, no unmap), also of an
	 * idle core holding device memory a stop failed to unmap: the next cold boot unmaps it.
	 */
	if ((st == RPROC_RUNNING || st == RPROC_CRASHED || r->rsc_done || r->n_devmem) &&
	    r->d.n_iommus && b->iommu) {
		e = b->iommu->open(b->iommu_ctx, &r->d, &r->dom);
		if (e < 0) {
			r->info.state = RPROC_OFFLINE;
			rproc_free(r);
			return rproc_err(err, e, "cannot re-open the IOMMU context: %m");
		}
	}
	r->info.state = st;
	if (st == RPROC_CRASHED && r->recovery) {
		/* The crash was handled by the previous daemon; resume its recovery now. */
		rproc_arm_recovery(r, 0);
	}
	if (st == RPROC_RUNNING)
		rproc_irq_watch(r, true);
	rproc_publish_held(r);
	if (st == RPROC_RUNNING)
		check_running(r);
	rproc_log(RPROC_LOG_DEBUG, r->d.name, "adopt", 0, "adopted in state %s",
		  rproc_state_name(st));
	*out = r;
	return 0;
}
