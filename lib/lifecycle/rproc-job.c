// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The job context: what the start, stop and crash jobs share, below all of them.  Reports
 * upward (phase, progress, events) through the listener the state machine registered;
 * interrupt consumption and cancellation; the release operations (SHUTDOWN, unmap, bridge
 * delete, metadata release, unvote), each retried before giving up since leaving one undone
 * leaks TrustZone or SMMU state that only a reboot gives back; the record of what the core
 * holds (for snapshots and coredumps); the step runner's bookkeeping (fault-injection hooks,
 * failure records).  Nothing here calls a file above it.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rproc/error.h"
#include "rproc-priv.h"
#include "time-util.h"
#include "util.h"

/* doc/boot-sequence.md#shutdown: every 100 ms while -EINVAL, 50 times at most */
#define DECRYPT_SHUTDOWN_TRIES 50
#define DECRYPT_SHUTDOWN_PAUSE_MS 100

/* ---- reports to the state machine ------------------------------------------------------- */

void rproc_report_phase(struct rproc *r, const char *phase)
{
	if (r->listener)
		r->listener->phase(r, phase);
}

void rproc_report_progress(struct rproc *r, uint64_t done, uint64_t total)
{
	if (r->listener)
		r->listener->progress(r, done, total);
}

void rproc_report_event(struct rproc *r, enum rproc_event ev, uint64_t a, uint64_t b)
{
	if (r->listener)
		r->listener->event(r, ev, a, b);
}

int rproc_drain(int fd)
{
	uint64_t v;
	int n = 0;

	if (fd < 0)
		return 0;
	while (read(fd, &v, sizeof(v)) == sizeof(v))
		n++;
	return n;
}

/*
 * Consume a pending interrupt: through the backend's ack when it has one (a level interrupt
 * through VFIO must be unmasked again), else by reading the eventfd.  True if one was pending.
 */
bool rproc_irq_take(struct rproc *r, enum rproc_irq irq)
{
	if (r->irq[irq] < 0)
		return false;
	if (r->b->irq && r->b->irq->ack) {
		struct pollfd p = { .fd = r->irq[irq], .events = POLLIN };

		return poll(&p, 1, 0) == 1 && r->b->irq->ack(r->b->irq_ctx, &r->d, irq) >= 0;
	}
	return rproc_drain(r->irq[irq]) > 0;
}

/* A PAS call's result: negative errno, or a positive TrustZone code
 * (doc/trustzone-pas.md#result-codes). */
int rproc_pas_result(struct rproc_error *err, int e, const char *what, uint32_t pas_id)
{
	if (e > 0)
		return rproc_err(err, -EIO, "%s(PAS %u): TrustZone returned %d", what, pas_id, e);
	return rproc_err(err, e, "%s(PAS %u): %s", what, pas_id, strerror(-e));
}

/* Non-PAS ops return 0 or -errno; anything else is a backend bug, treated as -EIO. */
int rproc_neg(int e)
{
	return e > 0 ? -EIO : e;
}

/* ---- release operations, retried ---------------------------------------------------------- */

int rproc_release_retry(struct rproc *r, rproc_release_fn fn, uint64_t a, uint64_t b,
			unsigned int tries, unsigned int pause_ms, const char *step,
			const char *fmt, ...)
{
	char what[96];
	va_list ap;
	int e = 0;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	for (unsigned int t = 0; t < tries; t++) {
		if (t)
			sleep_msec(pause_ms);
		e = fn(r, a, b);
		if (!e)
			return 0;
		rproc_log(RPROC_LOG_WARNING, r->d.name, step, rproc_neg(e),
			  "%s returned %d (try %u of %u)", what, e, t + 1, tries);
	}
	return rproc_neg(e);
}

/* Sleep @ms unless the job is cancelled first (true then). */
static bool pause_cancelled(struct rproc *r, unsigned int ms)
{
	struct pollfd p = { .fd = r->cancel_fd, .events = POLLIN };

	return poll(&p, 1, (int)ms) == 1;
}

/*
 * SHUTDOWN as the kernel's adsp_stop() does it: once; on a SoC with decrypt_shutdown, after a
 * failed first call, again every 100 ms while TrustZone answers -EINVAL (it may still be
 * decrypting), 50 times at most; no other retry.  The caller reports a failure, once.  A PAS
 * id left running stays on record (tz_running): the next start shuts it down first.
 */
int rproc_do_shutdown(struct rproc *r, struct rproc_img *im)
{
	const struct rproc_pas_ops *pas = r->b->pas;
	int e = pas->shutdown(r->b->pas_ctx, im->pas_id);

	if (e && r->d.decrypt_shutdown && im == &r->img[1]) {
		unsigned int tries = 0;

		do {
			if (pause_cancelled(r, DECRYPT_SHUTDOWN_PAUSE_MS))
				break;
			e = pas->shutdown(r->b->pas_ctx, im->pas_id);
		} while (e == -EINVAL && ++tries < DECRYPT_SHUTDOWN_TRIES);
	}
	if (!e)
		rproc_unhold(r, &im->tz_running);
	return rproc_neg(e);
}

static int call_meta_release(struct rproc *r, uint64_t pas_id, uint64_t unused)
{
	return r->b->pas->metadata_release(r->b->pas_ctx, (uint32_t)pas_id);
}

int rproc_do_meta_release(struct rproc *r, struct rproc_img *im)
{
	int e = 0;

	if (im->meta_held && r->b->pas->metadata_release)
		e = rproc_release_retry(r, call_meta_release, im->pas_id, 0, RELEASE_TRIES,
					RELEASE_PAUSE_MS, "metadata-release",
					"metadata release (PAS %u)", im->pas_id);
	if (!e && im->meta_held)
		rproc_unhold(r, &im->meta_held);
	return e;
}

static int call_unmap(struct rproc *r, uint64_t iova, uint64_t size)
{
	return r->b->iommu->unmap(r->dom, iova, size);
}

int rproc_do_unmap(struct rproc *r, uint64_t iova, uint64_t size)
{
	return rproc_release_retry(r, call_unmap, iova, size, RELEASE_TRIES, RELEASE_PAUSE_MS,
				   "iommu-unmap", "unmap [0x%llx, +0x%llx)",
				   (unsigned long long)iova, (unsigned long long)size);
}

static int call_unvote(struct rproc *r, uint64_t unused_a, uint64_t unused_b)
{
	return r->b->pas->proxy_unvote(r->b->pas_ctx, &r->d);
}

/* Release what *@held says may exist, through @fn (retried); off the record once released. */
static int release_held(struct rproc *r, bool *held, rproc_release_fn fn, const char *step,
			const char *what)
{
	int e = 0;

	if (*held)
		e = rproc_release_retry(r, fn, 0, 0, RELEASE_TRIES, RELEASE_PAUSE_MS, step, "%s",
					what);
	if (!e && *held)
		rproc_unhold(r, held);
	return e;
}

int rproc_do_unvote(struct rproc *r)
{
	return release_held(r, &r->proxy_voted, call_unvote, "proxy-unvote", "proxy unvote");
}

static int call_load_state_off(struct rproc *r, uint64_t unused_a, uint64_t unused_b)
{
	return r->b->pas->load_state(r->b->pas_ctx, &r->d, false);
}

int rproc_do_load_state_off(struct rproc *r)
{
	return release_held(r, &r->load_state, call_load_state_off, "proxy-unvote",
			    "load_state off");
}

static int call_glink_unregister(struct rproc *r, uint64_t unused_a, uint64_t unused_b)
{
	return r->b->pas->glink(r->b->pas_ctx, &r->d, false);
}

int rproc_do_glink_unregister(struct rproc *r)
{
	return release_held(r, &r->glink, call_glink_unregister, "glink-unregister",
			    "glink unregister");
}

void rproc_handover(struct rproc *r, const char *step)
{
	if (r->handover)
		return;
	r->handover = true;
	/* the proxy votes only: load_state stays until the stop */
	rproc_do_unvote(r);
	rproc_log(RPROC_LOG_DEBUG, r->d.name, step, 0, "handover: proxy votes dropped");
	rproc_publish_held(r);
}

static int call_bridge_delete(struct rproc *r, uint64_t handle, uint64_t unused)
{
	return r->b->pas->shm_bridge_delete(r->b->pas_ctx, handle);
}

int rproc_do_bridge_delete(struct rproc *r, uint64_t handle)
{
	return rproc_release_retry(r, call_bridge_delete, handle, 0, RELEASE_TRIES,
				   RELEASE_PAUSE_MS, "auth-and-reset",
				   "SHM bridge delete (handle 0x%llx)", (unsigned long long)handle);
}

void rproc_undo_iommu_map(struct rproc *r)
{
	for_each_img_rev(r, im) {
		if (im->mapped && rproc_do_unmap(r, im->co->base, im->co->size) == 0)
			rproc_unhold(r, &im->mapped);
	}
}

void rproc_snapshot_changed(struct rproc *r)
{
	if (r->snapshot_cb)
		r->snapshot_cb(r, r->snapshot_userdata);
}

int rproc_release_devmem(struct rproc *r)
{
	size_t n = r->n_devmem_mapped, kept = 0;
	int ret = 0;

	if (!r->devmem && !r->rsc_done)
		return 0;
	/*
	 * An entry whose unmap failed stays on record as mapped: the snapshot names it for a
	 * successor, and the next cold boot unmaps it before mapping the table again, which
	 * would otherwise fail with EEXIST in this kept context
	 * (doc/boot-sequence.md#devmem-unmap).  Kept entries gather at the top (every slot
	 * above the one unmapped is done with), then move to the front.
	 */
	while (r->n_devmem_mapped) {
		size_t j = --r->n_devmem_mapped;
		const struct rproc_devmem m = r->devmem[j];
		int e = r->dom ? rproc_do_unmap(r, m.da, m.len) : 0;

		if (e < 0) {
			r->devmem[n - 1 - kept++] = m;
			ret = e;
		}
	}
	if (kept)
		memmove(r->devmem, &r->devmem[n - kept], kept * sizeof(*r->devmem));
	r->n_devmem = r->n_devmem_mapped = kept;
	if (!kept) {
		free(r->devmem);
		r->devmem = NULL;
	}
	r->rsc_done = false;
	rproc_publish_held(r);
	return ret;
}

void rproc_forget_devmem(struct rproc *r)
{
	free(r->devmem);
	r->devmem = NULL;
	r->n_devmem = r->n_devmem_mapped = 0;
	r->rsc_done = false;
	rproc_publish_held(r);
}

void rproc_publish_held(struct rproc *r)
{
	size_t n = r->n_devmem < RPROC_SNAP_MAX_DEVMEM ? r->n_devmem : RPROC_SNAP_MAX_DEVMEM;
	uint32_t f = (r->rsc_done ? RPROC_SNAP_RSC_DONE : 0) |
		     (r->handover ? RPROC_SNAP_HANDOVER : 0) |
		     (r->proxy_voted ? RPROC_SNAP_PROXY : 0) |
		     (r->load_state ? RPROC_SNAP_LOAD_STATE : 0) |
		     (r->glink ? RPROC_SNAP_GLINK : 0) |
		     (r->stop_bit ? RPROC_SNAP_STOP_BIT : 0);

	for (int i = 0; i < 2; i++) {
		const struct rproc_img *im = &r->img[i];

		f |= (im->meta_held ? RPROC_SNAP_META(i) : 0) |
		     (im->tz_running ? RPROC_SNAP_RUNNING(i) : 0) |
		     (im->mapped ? RPROC_SNAP_MAPPED(i) : 0) |
		     (im->bridged ? RPROC_SNAP_BRIDGE(i) : 0);
	}
	pthread_mutex_lock(&r->lock);
	r->held_flags = f;
	memset(r->held_devmem, 0, sizeof(r->held_devmem));
	for (size_t i = 0; i < n; i++) {
		r->held_devmem[i].da = r->devmem[i].da;
		r->held_devmem[i].pa = r->devmem[i].pa;
		r->held_devmem[i].len = r->devmem[i].len;
		r->held_devmem[i].flags = r->devmem[i].flags;
	}
	r->n_held_devmem = (uint32_t)n;
	pthread_mutex_unlock(&r->lock);
	rproc_snapshot_changed(r);
}

void rproc_hold(struct rproc *r, bool *flag)
{
	*flag = true;
	rproc_publish_held(r);
}

void rproc_unhold(struct rproc *r, bool *flag)
{
	*flag = false;
	rproc_publish_held(r);
}

/* Remember where the running image's segments are, for a later coredump
 * (doc/boot-sequence.md#coredump). */
void rproc_keep_segments(struct rproc *r)
{
	const struct rproc_img *im = &r->img[1];
	size_t n = 0;

	free(r->segs);
	r->segs = NULL;
	r->n_segs = 0;
	r->segs = calloc(im->img->phnum ? im->img->phnum : 1, sizeof(*r->segs));
	if (!r->segs)
		return;
	for (unsigned int i = 0; i < im->img->phnum; i++) {
		const struct rproc_fw_segment *s = &im->img->segs[i];

		if (!s->loadable)
			continue;
		r->segs[n].da = s->paddr;
		r->segs[n].phys = im->co->base + (s->paddr - im->mem_reloc);
		r->segs[n].size = s->memsz;
		n++;
	}
	r->n_segs = n;
}

bool rproc_step_injected(struct rproc *r, const char *step, int *e, struct rproc_error *err)
{
	if (r->fail_step != step)
		return false;
	r->fail_step = NULL;
	*e = rproc_err(err, r->fail_err, "injected failure");
	return true;
}

bool rproc_step_dies(struct rproc *r, const char *step)
{
	if (r->die_step != step)
		return false;
	r->die_step = NULL;
	pthread_mutex_lock(&r->lock);
	r->died = true;
	pthread_mutex_unlock(&r->lock);
	rproc_log(RPROC_LOG_DEBUG, r->d.name, step, 0, "test hook: the worker dies here");
	return true;
}

bool rproc_cancelled(struct rproc *r)
{
	struct pollfd p = { .fd = r->cancel_fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

void rproc_record_failure(struct rproc *r, const char *step, int e, const char *msg, int level)
{
	/* The step has its own field: the text is the step's message alone. */
	const char *text = msg[0] ? msg : strerror(e < 0 ? -e : EIO);

	rproc_log(level, r->d.name, step, e, "%s", text);
	pthread_mutex_lock(&r->lock);
	snprintf(r->info.last_error, sizeof(r->info.last_error), "%s", text);
	snprintf(r->info.last_error_step, sizeof(r->info.last_error_step), "%s", step);
	r->info.last_errno = e;
	pthread_mutex_unlock(&r->lock);
}

