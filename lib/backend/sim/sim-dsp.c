// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The simulated DSPs.  One thread runs every core's timers: after AUTH_AND_RESET the DSP
 * reads its image through its SMMU stream (a miss is a fault: `fatal`), raises `handover`
 * and `ready`, answers the stop bit with `stop-ack`, and crashes when the configuration says
 * so.  Deadlines are CLOCK_MONOTONIC, which is system-wide, so a re-adopted simulator can
 * resume them (sim_dsp_resume()).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rproc/error.h"
#include "sim-priv.h"
#include "time-util.h"
#include "util.h"

static void clear_timers(struct sim_core_local *l)
{
	l->boot_at = l->handover_at = l->ready_at = l->stop_ack_at = l->crash_at = 0;
}

void sim_dsp_authenticated(struct sim *s, unsigned int core)
{
	struct sim_core *c = &s->sh->cores[core];
	struct sim_core_local *l = &s->local[core];

	c->dsp_state = DSP_BOOTING;
	c->dumpable = 0;
	c->crash_reason[0] = 0;
	c->boots++;
	clear_timers(l);
	l->boot_at = now_nsec(CLOCK_MONOTONIC) + s->cfg.boot_delay_ms * NSEC_PER_MSEC + 1;
	sim_kick(s);
}

void sim_dsp_shutdown(struct sim *s, unsigned int core)
{
	s->sh->cores[core].dsp_state = DSP_OFF;
	clear_timers(&s->local[core]);
}

void sim_dsp_stop_bit(struct sim *s, unsigned int core, bool set)
{
	struct sim_core *c = &s->sh->cores[core];

	if (!set || c->dsp_state == DSP_OFF || c->dsp_state == DSP_CRASHED || !s->cfg.stop_ack ||
	    sim_core_bit(s->cfg.no_stop_ack, core))
		return;
	s->local[core].stop_ack_at =
		now_nsec(CLOCK_MONOTONIC) + s->cfg.stop_ack_delay_ms * NSEC_PER_MSEC + 1;
	sim_kick(s);
}

void sim_dsp_crash(struct sim *s, unsigned int core, enum rproc_irq irq, const char *reason)
{
	struct sim_core *c = &s->sh->cores[core];

	snprintf(c->crash_reason, sizeof(c->crash_reason), "%s",
		 reason ? reason : s->cfg.crash_reason);
	c->dsp_state = DSP_CRASHED;
	c->dumpable = 1;
	clear_timers(&s->local[core]);
	rproc_log(RPROC_LOG_INFO, c->name, "sim", 0, "DSP crashes (%s): %s", rproc_irq_name(irq),
		  c->crash_reason);
	sim_raise(s, core, irq);
}

static void schedule_crash(struct sim *s, unsigned int core)
{
	struct sim_core_local *l = &s->local[core];

	for (unsigned int i = 0; i < s->cfg.n_crashes; i++) {
		struct sim_crash *cr = &s->cfg.crashes[i];

		if (cr->core != (int)core || (cr->count && cr->done >= cr->count))
			continue;
		l->crash_at = s->sh->cores[core].up_ns + cr->ms * NSEC_PER_MSEC + 1;
		l->crash_irq = cr->irq;
		l->crash_rule = (int)i;
		return;
	}
}

/* The DSP fetches its image through the SMMU (doc/backends.md#simulated-soc). */
static void dsp_boot(struct sim *s, unsigned int core)
{
	struct sim_core *c = &s->sh->cores[core];
	struct sim_core_local *l = &s->local[core];
	struct sim_pas *p = &s->sh->pas[c->main_pas];
	uint64_t now = now_nsec(CLOCK_MONOTONIC), fault;
	volatile uint8_t sum = 0;

	if (!c->load_state) {
		sim_dsp_crash(s, core, RPROC_IRQ_WDOG, "sim: no power: load_state is off");
		return;
	}

	for (unsigned int i = 0; i < p->n_segs; i++) {
		uint64_t iova = p->load_base + p->segs[i].iova, len = p->segs[i].len;
		const uint8_t *bytes;
		char why[96];

		if (c->has_stream &&
		    !sim_smmu_covers(s, core, iova, len, RPROC_IOMMU_READ, true, &fault)) {
			snprintf(why, sizeof(why), "smmu fault at iova 0x%llx",
				 (unsigned long long)fault);
			sim_dsp_crash(s, core, RPROC_IRQ_FATAL, why);
			return;
		}
		bytes = sim_phys(s, iova, len);
		if (!bytes) {
			snprintf(why, sizeof(why), "bus error at 0x%llx", (unsigned long long)iova);
			sim_dsp_crash(s, core, RPROC_IRQ_FATAL, why);
			return;
		}
		for (uint64_t k = 0; k < len; k += SIM_PAGE)
			sum ^= bytes[k];
	}
	(void)sum;
	c->dsp_state = DSP_BOOTED;
	if (!sim_core_bit(s->cfg.no_handover, core))
		l->handover_at = now + s->cfg.ready_delay_ms * NSEC_PER_MSEC / 2 + 1;
	if (!sim_core_bit(s->cfg.no_ready, core))
		l->ready_at = now + s->cfg.ready_delay_ms * NSEC_PER_MSEC + 2;
}

static uint64_t run_due(struct sim *s, uint64_t now)
{
	uint64_t next = UINT64_MAX;

	for (unsigned int i = 0; i < s->sh->n_cores; i++) {
		struct sim_core_local *l = &s->local[i];
		struct sim_core *c = &s->sh->cores[i];

		if (l->boot_at && l->boot_at <= now) {
			l->boot_at = 0;
			dsp_boot(s, i);
		}
		if (l->handover_at && l->handover_at <= now) {
			l->handover_at = 0;
			sim_raise(s, i, RPROC_IRQ_HANDOVER);
		}
		if (l->ready_at && l->ready_at <= now) {
			l->ready_at = 0;
			c->dsp_state = DSP_UP;
			c->up_ns = now;
			sim_raise(s, i, RPROC_IRQ_READY);
			schedule_crash(s, i);
		}
		if (l->stop_ack_at && l->stop_ack_at <= now) {
			l->stop_ack_at = 0;
			sim_raise(s, i, RPROC_IRQ_STOP_ACK);
		}
		if (l->crash_at && l->crash_at <= now) {
			l->crash_at = 0;
			s->cfg.crashes[l->crash_rule].done++;
			sim_dsp_crash(s, i, l->crash_irq, NULL);
		}
		uint64_t t[] = { l->boot_at, l->handover_at, l->ready_at, l->stop_ack_at,
				 l->crash_at };
		for (size_t k = 0; k < ARRAY_SIZE(t); k++)
			if (t[k] && t[k] < next)
				next = t[k];
	}
	return next;
}

static void *dsp_thread(void *arg)
{
	struct sim *s = arg;

	pthread_mutex_lock(&s->lock);
	while (!s->quit) {
		uint64_t next = run_due(s, now_nsec(CLOCK_MONOTONIC));

		if (next == UINT64_MAX) {
			pthread_cond_wait(&s->cond, &s->lock);
		} else {
			struct timespec ts;

			pthread_cond_timedwait(&s->cond, &s->lock, timespec_store_nsec(&ts, next));
		}
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

void sim_dsp_resume(struct sim *s)
{
	uint64_t now = now_nsec(CLOCK_MONOTONIC);

	for (unsigned int i = 0; i < s->sh->n_cores; i++) {
		struct sim_core_local *l = &s->local[i];

		clear_timers(l);
		switch (s->sh->cores[i].dsp_state) {
		case DSP_BOOTING:
			l->boot_at = now;
			break;
		case DSP_BOOTED:
			l->ready_at = now;
			break;
		case DSP_UP:
			schedule_crash(s, i);
			break;
		default:
			break;
		}
	}
	sim_kick(s);
}

int sim_dsp_thread_start(struct sim *s)
{
	int r = pthread_create(&s->thread, NULL, dsp_thread, s);

	if (r)
		return -r;
	/* named, so that a profile or a benchmark can tell the simulated DSPs' work apart */
	pthread_setname_np(s->thread, "rproc-sim-dsp");
	s->thread_started = true;
	return 0;
}

void sim_dsp_thread_stop(struct sim *s)
{
	if (!s->thread_started)
		return;
	pthread_mutex_lock(&s->lock);
	s->quit = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	s->thread_started = false;
}
