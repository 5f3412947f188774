// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The stop sequence (doc/boot-sequence.md#stop), run in the worker thread.  Every stop step
 * runs even when an earlier one failed (the kernel logs and goes on); an error is logged and
 * recorded, and the stop completes.  The crash job (rproc-crash.c) runs it without the
 * handshake.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "rproc/error.h"
#include "rproc-priv.h"
#include "time-util.h"
#include "util.h"

static int call_stop_bit_clear(struct rproc *r, uint64_t unused_a, uint64_t unused_b)
{
	return r->b->pas->stop_bit(r->b->pas_ctx, &r->d, false);
}

/* doc/boot-sequence.md#stop-handshake: set the stop bit, wait for stop-ack (a wdog counts too),
 * clear the bit. */
static int stop_handshake(struct rproc *r, struct rproc_error *err)
{
	struct pollfd p[4] = {
		{ .fd = r->irq[RPROC_IRQ_STOP_ACK], .events = POLLIN },
		{ .fd = r->irq[RPROC_IRQ_WDOG], .events = POLLIN },
		{ .fd = r->irq[RPROC_IRQ_FATAL], .events = POLLIN },
		{ .fd = r->cancel_fd, .events = POLLIN },
	};
	uint64_t end;
	int e, ret = 0;

	if (r->stop_crashed || !r->b->pas->stop_bit || !r->img[1].tz_running)
		return 0;
	rproc_irq_take(r, RPROC_IRQ_STOP_ACK);
	rproc_hold(r, &r->stop_bit);
	e = r->b->pas->stop_bit(r->b->pas_ctx, &r->d, true);
	if (e) {
		rproc_unhold(r, &r->stop_bit);
		return rproc_err(err, e < 0 ? e : -EIO, "cannot set the stop bit: %d", e);
	}
	end = now_usec(CLOCK_MONOTONIC) + r->cfg->stop_timeout_ms * USEC_PER_MSEC;
	for (;;) {
		uint64_t now = now_usec(CLOCK_MONOTONIC);
		int n;

		if (now >= end) {
			ret =
			    rproc_err(err, -ETIMEDOUT, "no stop-ack within %u ms; stopping anyway",
				      r->cfg->stop_timeout_ms);
			break;
		}
		/* every line there is (poll() skips a -1): without a stop-ack line a wdog still
		 * acknowledges, and a cancel still ends the wait */
		n = poll(p, 4, (int)((end - now + 999) / 1000));
		if (n < 0 && errno != EINTR) {
			ret = rproc_err(err, -errno, "poll: %m");
			break;
		}
		if (n <= 0)
			continue;
		if (p[3].revents) {
			ret = rproc_err(err, -ECANCELED, "stop-ack wait cancelled");
			break;
		}
		/*
		 * A wdog (or fatal) during the handshake is the
		 * acknowledgement (doc/boot-sequence.md#stop-handshake).
		 * Take every pending one, so none is left to be read as a crash later.
		 */
		bool ack = rproc_irq_take(r, RPROC_IRQ_STOP_ACK);
		bool wdog = rproc_irq_take(r, RPROC_IRQ_WDOG);
		bool fatal = rproc_irq_take(r, RPROC_IRQ_FATAL);

		if (ack || wdog || fatal)
			break;
	}
	e = rproc_release_retry(r, call_stop_bit_clear, 0, 0, RELEASE_TRIES, RELEASE_PAUSE_MS,
				"stop-handshake", "clearing the stop bit");
	if (!e)
		rproc_unhold(r, &r->stop_bit);
	if (e && !ret)
		ret = rproc_err(err, e, "cannot clear the stop bit: %d", e);
	return ret;
}

static int stop_shutdown_img(struct rproc *r, struct rproc_img *im, struct rproc_error *err)
{
	int e;

	if (!im->present || !im->tz_running)
		return 0;
	e = rproc_do_shutdown(r, im);
	if (e < 0)
		return rproc_err(err, e, "SHUTDOWN(PAS %u) failed; the core may still run",
				 im->pas_id);
	return 0;
}

static int stop_shutdown(struct rproc *r, struct rproc_error *err)
{
	return stop_shutdown_img(r, &r->img[1], err);
}

static int stop_dtb_shutdown(struct rproc *r, struct rproc_error *err)
{
	return stop_shutdown_img(r, &r->img[0], err);
}

/* After SHUTDOWN, so the DSP never sees its memory go while it runs
 * (doc/boot-sequence.md#iommu-unmap). */
static int stop_iommu_unmap(struct rproc *r, struct rproc_error *err)
{
	rproc_undo_iommu_map(r);
	for_each_img(r, im)
		if (im->mapped)
			return rproc_err(err, -EIO, "carveout %s stays mapped in the SMMU",
					 im->co->node);
	return 0;
}

/*
 * doc/boot-sequence.md#proxy-unvote: load_state "off", then the proxy votes of a core that
 * never handed over (the kernel's qcom_q6v5_unprepare(), then its handover).
 */
static int stop_proxy_unvote(struct rproc *r, struct rproc_error *err)
{
	int e = rproc_do_load_state_off(r), e2 = rproc_do_unvote(r);

	if (e < 0)
		return rproc_err(err, e, "load_state off failed");
	return e2 < 0 ? rproc_err(err, e2, "proxy unvote failed") : 0;
}

/*
 * doc/boot-sequence.md#devmem-unmap: a full stop gives the device memory back, as the
 * kernel's rproc_shutdown() does; the crash handling keeps it for the recovery, as
 * rproc_boot_recovery() does.  The next cold boot fetches the table again.
 */
static int stop_devmem_unmap(struct rproc *r, struct rproc_error *err)
{
	int e;

	if (!r->stop_full)
		return 0;
	e = rproc_release_devmem(r);
	if (e < 0)
		return rproc_err(err, e,
				 "%zu device-memory entr%s stay%s mapped; the next start unmaps "
				 "them first",
				 r->n_devmem, r->n_devmem == 1 ? "y" : "ies",
				 r->n_devmem == 1 ? "s" : "");
	return 0;
}

/*
 * doc/boot-sequence.md#glink-unregister: first, as the kernel stops its subdevices before the
 * remote processor, in a stop and a crash alike: the rpmsg clients go, and the other edges
 * hear of it (the SSR notification), before the processor does.
 */
static int stop_glink_unregister(struct rproc *r, struct rproc_error *err)
{
	int e = rproc_do_glink_unregister(r);

	return e < 0 ? rproc_err(err, e, "cannot unregister the glink edge") : 0;
}

static const char *const stop_names[] = {
	"glink-unregister", "stop-handshake", "shutdown",     "dtb-shutdown",
	"iommu-unmap",	    "proxy-unvote",   "devmem-unmap", NULL,
};

static const struct rproc_step stop_steps[] = {
	{ stop_glink_unregister, NULL, B_NONE },
	{ stop_handshake, NULL, B_NONE },
	{ stop_shutdown, NULL, B_NONE },
	{ stop_dtb_shutdown, NULL, B_NONE },
	{ stop_iommu_unmap, NULL, B_NONE },
	{ stop_proxy_unvote, NULL, B_NONE },
	{ stop_devmem_unmap, NULL, B_NONE },
};
_Static_assert(ARRAY_SIZE(stop_names) == ARRAY_SIZE(stop_steps) + 1, "one name per step");

const char *const *rproc_stop_steps(unsigned int *n)
{
	if (n)
		*n = ARRAY_SIZE(stop_steps);
	return stop_names;
}

int rproc_run_stop(struct rproc *r, bool crashed, bool full)
{
	int ret = 0;

	r->stop_crashed = crashed;
	r->stop_full = full;
	for (size_t k = 0; k < ARRAY_SIZE(stop_steps); k++) {
		const struct rproc_step *s = &stop_steps[k];
		const char *name = stop_names[k];
		struct rproc_error err = { 0 };
		int e;

		rproc_report_phase(r, name);
		/* An injected failure is a failed first attempt: it is recorded, then the step
		 * runs (and retries) as it would after a real error. */
		if (rproc_step_injected(r, name, &e, &err))
			rproc_record_failure(r, name, e, err.msg, RPROC_LOG_WARNING);
		err = (struct rproc_error){ 0 };
		e = s->run(r, &err);
		if (e < 0) {
			rproc_record_failure(r, name, e, err.msg, RPROC_LOG_WARNING);
			if (!ret)
				ret = e;
		}
		if (rproc_step_dies(r, name))
			return -EINTR; /* test hook: as if killed mid-stop */
	}
	return ret;
}
