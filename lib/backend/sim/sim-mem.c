// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The simulated SoC's CPU side: views of its physical memory (the memory ops, with the XPU
 * lock TrustZone puts on an authenticated carveout, doc/boot-sequence.md#load) and its
 * interrupt lines
 * (eventfds the DSP model writes).
 */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "rproc/error.h"
#include "sim-priv.h"
#include "util.h"

/* ---- memory ops ---------------------------------------------------------------------------- */

/*
 * Open [off, off + len) of region @ri's window (sim-priv.h) for a view: map the window on first
 * use, make the range accessible and its pages present (populated as /dev/mem and the shim's
 * remap_pfn_range() views are, so that a load costs its copy and not a page fault per 4 KiB).
 * -EBUSY when the window already has a view open (the caller maps a separate one).
 */
static int window_open(struct sim *s, unsigned int ri, uint64_t off, uint64_t len,
		       bool writable, void **p)
{
	struct sim_window *w = &s->windows[ri];
	struct sim_region *reg = &s->sh->regions[ri];
	int prot = PROT_READ | (writable ? PROT_WRITE : 0);

	if (w->open_len)
		return -EBUSY;
	if (!w->base) {
		void *b = mmap(NULL, ALIGN_UP(reg->size, SIM_PAGE), PROT_NONE, MAP_SHARED,
			       s->memfd, (off_t)reg->off);

		if (b == MAP_FAILED)
			return -errno;
		w->base = b;
	}
	if (mprotect(w->base + off, len, prot) < 0)
		return -errno;
	if (off < w->pop_lo || off + len > w->pop_hi) {
		/* older kernels lack MADV_POPULATE_*: the pages then come in on first touch */
		(void)madvise(w->base + off, len,
			      writable ? MADV_POPULATE_WRITE : MADV_POPULATE_READ);
		if (writable && w->pop_hi > w->pop_lo && off <= w->pop_hi && off + len >= w->pop_lo) {
			w->pop_lo = off < w->pop_lo ? off : w->pop_lo;
			w->pop_hi = off + len > w->pop_hi ? off + len : w->pop_hi;
		} else if (writable) {
			w->pop_lo = off;
			w->pop_hi = off + len;
		}
	}
	w->open_off = off;
	w->open_len = len;
	*p = w->base + off;
	return 0;
}

static void window_close(struct sim_window *w)
{
	/* PROT_NONE keeps the pages mapped: the next view needs no page faults */
	(void)mprotect(w->base + w->open_off, w->open_len, PROT_NONE);
	w->open_len = 0;
}

void sim_mem_windows_release(struct sim *s)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(s->windows); i++) {
		if (s->windows[i].base)
			munmap(s->windows[i].base, ALIGN_UP(s->sh->regions[i].size, SIM_PAGE));
		s->windows[i] = (struct sim_window){ 0 };
	}
}

static bool is_window(struct sim *s, const void *priv)
{
	const struct sim_window *w = priv;

	return w >= s->windows && w < s->windows + ARRAY_SIZE(s->windows);
}

static int sim_mem_map(void *ctx, uint64_t phys, uint64_t size, bool writable,
		       struct rproc_mem_map *m)
{
	struct sim *s = ctx;
	struct sim_region *reg;
	uint64_t delta, off, len;
	unsigned int slot, ri;
	void *p = NULL;
	int r;

	pthread_mutex_lock(&s->lock);
	r = sim_fault(s, SIM_OP_MEM_MAP, -1);
	if (r)
		goto out;
	reg = size ? sim_region_of(s, phys, size) : NULL;
	if (!reg) {
		rproc_log(RPROC_LOG_ERR, NULL, "sim", -EFAULT,
			  "no carveout holds [0x%llx, +0x%llx)", (unsigned long long)phys,
			  (unsigned long long)size);
		r = -EFAULT;
		goto out;
	}
	/* TZ locks the carveout of an authenticated image (XPU, doc/boot-sequence.md#load). */
	for (unsigned int i = 0; i < s->sh->n_pas; i++) {
		struct sim_pas *pas = &s->sh->pas[i];

		if (pas->state == TZ_RUNNING && &s->sh->regions[pas->region] == reg) {
			rproc_log(
			    RPROC_LOG_ERR, s->sh->cores[pas->core].name, "sim", -EACCES,
			    "XPU violation: CPU access to the carveout at 0x%llx while PAS %d "
			    "runs",
			    (unsigned long long)reg->base, pas->pas_id);
			r = -EACCES;
			goto out;
		}
	}
	for (slot = 0; slot < ARRAY_SIZE(s->views); slot++)
		if (!s->views[slot].size)
			break;
	if (slot == ARRAY_SIZE(s->views)) {
		r = -ENOMEM;
		goto out;
	}
	ri = (unsigned int)(reg - s->sh->regions);
	delta = (phys - reg->base) & (SIM_PAGE - 1);
	off = (phys - reg->base) - delta;
	len = ALIGN_UP(size + delta, SIM_PAGE);
	r = window_open(s, ri, off, len, writable, &p);
	if (r == 0) {
		m->priv = &s->windows[ri];
	} else {
		/* a second view of the same region: a mapping of its own */
		p = mmap(NULL, len, PROT_READ | (writable ? PROT_WRITE : 0),
			 MAP_SHARED | MAP_POPULATE, s->memfd, (off_t)(reg->off + off));
		if (p == MAP_FAILED) {
			r = -errno;
			goto out;
		}
		m->priv = p;
		r = 0;
	}
	m->va = (uint8_t *)p + delta;
	m->phys = phys;
	m->size = size;
	m->write_combined = true;
	s->views[slot] = (struct sim_view){ .phys = phys, .size = size };
	s->cpu_mappings++;
out:
	pthread_mutex_unlock(&s->lock);
	return r;
}

static void sim_mem_unmap(void *ctx, struct rproc_mem_map *m)
{
	struct sim *s = ctx;
	uint64_t delta;

	if (!m->va)
		return;
	pthread_mutex_lock(&s->lock);
	if (is_window(s, m->priv)) {
		window_close(m->priv);
	} else {
		delta = (uint64_t)((uint8_t *)m->va - (uint8_t *)m->priv);
		munmap(m->priv, ALIGN_UP(m->size + delta, SIM_PAGE));
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(s->views); i++)
		if (s->views[i].size && s->views[i].phys == m->phys &&
		    s->views[i].size == m->size) {
			s->views[i].size = 0;
			break;
		}
	s->cpu_mappings--;
	pthread_mutex_unlock(&s->lock);
	m->va = NULL;
	m->priv = NULL;
}

const struct rproc_mem_ops sim_mem_ops = {
	.map = sim_mem_map,
	.unmap = sim_mem_unmap,
};

/* ---- interrupt ops ----------------------------------------------------------------------- */

static void drain(int fd)
{
	uint64_t v;

	if (fd >= 0)
		while (read(fd, &v, sizeof(v)) == sizeof(v))
			;
}

static int sim_irq_open(void *ctx, const struct rproc_desc *d, int fds[RPROC_IRQ_COUNT])
{
	struct sim *s = ctx;
	int core, r;

	pthread_mutex_lock(&s->lock);
	core = sim_core_by_name(s, d->name);
	r = sim_fault(s, SIM_OP_IRQ_OPEN, core);
	if (!r && core < 0)
		r = -ENODEV;
	if (!r && s->local[core].irq_open)
		r = -EBUSY;
	if (!r) {
		s->local[core].irq_open = true;
		for (int i = 0; i < RPROC_IRQ_COUNT; i++)
			fds[i] = s->local[core].irq[i];
	}
	pthread_mutex_unlock(&s->lock);
	return r;
}

static void sim_irq_close(void *ctx, const struct rproc_desc *d)
{
	struct sim *s = ctx;
	int core;

	pthread_mutex_lock(&s->lock);
	core = sim_core_by_name(s, d->name);
	if (core >= 0 && s->local[core].irq_open) {
		s->local[core].irq_open = false;
		for (int i = 0; i < RPROC_IRQ_COUNT; i++)
			drain(s->local[core].irq[i]);
	}
	pthread_mutex_unlock(&s->lock);
}

const struct rproc_irq_ops sim_irq_ops = {
	.open = sim_irq_open,
	.ack = NULL, /* eventfds: the caller reads 8 bytes */
	.close = sim_irq_close,
};
