// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kill-backend.h"

struct kb_core {
	struct rproc *r; /* as kb_watch() saw it: the board's array changes while workers run */
	char step[32];
	unsigned int nth, seen;
	bool armed, dead;
	struct rproc_snapshot last, last_words;
	char phases[KB_MAX_PHASES][32];
	unsigned int calls[KB_MAX_PHASES];
	unsigned int n_phases;
};

struct kill_backend {
	struct rproc_backend pub;
	struct rproc_backend *inner;
	struct rproc_pas_ops pas;
	struct rproc_iommu_ops iommu;
	struct rproc_mem_ops mem;
	struct rproc_irq_ops irq;
	struct tsim_board *bd;
	pthread_mutex_t lock;
	struct {
		uint64_t handle;
		int core;
	} bridges[64];
	unsigned int n_bridges;
	struct kb_core core[16];
};

struct kb_dom {
	struct kill_backend *kb;
	void *inner;
	int core;
};

/* ---- which core a call is for ---------------------------------------------------------- */

static int by_desc(struct kill_backend *kb, const struct rproc_desc *d)
{
	for (size_t i = 0; i < kb->bd->n; i++)
		if (!strcmp(kb->bd->d[i].name, d->name))
			return (int)i;
	return -1;
}

static int by_pas(struct kill_backend *kb, uint32_t pas_id)
{
	for (size_t i = 0; i < kb->bd->n; i++)
		if ((uint32_t)kb->bd->d[i].pas_id == pas_id ||
		    (kb->bd->d[i].dtb_pas_id >= 0 && (uint32_t)kb->bd->d[i].dtb_pas_id == pas_id))
			return (int)i;
	return -1;
}

static int by_phys(struct kill_backend *kb, uint64_t pa)
{
	for (size_t i = 0; i < kb->bd->n; i++)
		for (unsigned int k = 0; k < kb->bd->d[i].n_carveouts; k++) {
			const struct rproc_dt_carveout *co = &kb->bd->d[i].carveouts[k];

			if (pa >= co->base && pa - co->base < co->size)
				return (int)i;
		}
	return -1;
}

/* ---- life and death -------------------------------------------------------------------- */

static bool dead(struct kill_backend *kb, int i)
{
	bool d;

	if (i < 0)
		return false;
	pthread_mutex_lock(&kb->lock);
	d = kb->core[i].dead;
	pthread_mutex_unlock(&kb->lock);
	return d;
}

/* A call of core @i returned: count it in the core's phase, and die if that was the one. */
static void returned(struct kill_backend *kb, int i)
{
	struct rproc_info info;
	struct kb_core *c;

	if (i < 0 || !kb->bd->r[i])
		return;
	rproc_get_info(kb->bd->r[i], &info);
	if (!info.phase[0])
		return;
	pthread_mutex_lock(&kb->lock);
	c = &kb->core[i];
	for (unsigned int k = 0; k <= c->n_phases && k < KB_MAX_PHASES; k++) {
		if (k == c->n_phases) {
			snprintf(c->phases[k], sizeof(c->phases[k]), "%s", info.phase);
			c->calls[k] = 0;
			c->n_phases++;
		}
		if (!strcmp(c->phases[k], info.phase)) {
			c->calls[k]++;
			break;
		}
	}
	if (c->armed && !c->dead && !strcmp(c->step, info.phase) && ++c->seen == c->nth) {
		c->dead = true;
		c->last_words = c->last;
	}
	pthread_mutex_unlock(&kb->lock);
}

#define PASS(kb, i, call)                                                                          \
	({                                                                                         \
		int _r = -EIO;                                                                     \
		if (!dead(kb, i)) {                                                                \
			_r = (call);                                                               \
			returned(kb, i);                                                           \
		}                                                                                  \
		_r;                                                                                \
	})

#define INNER(kb) ((kb)->inner->pas)
#define ICTX(kb) ((kb)->inner->pas_ctx)

/* ---- PAS ------------------------------------------------------------------------------------ */

static int k_is_supported(void *ctx, uint32_t pas_id)
{
	struct kill_backend *kb = ctx;

	return PASS(kb, by_pas(kb, pas_id), INNER(kb)->is_supported(ICTX(kb), pas_id));
}

static int k_init_image(void *ctx, uint32_t pas_id, const void *meta, size_t len)
{
	struct kill_backend *kb = ctx;

	return PASS(kb, by_pas(kb, pas_id), INNER(kb)->init_image(ICTX(kb), pas_id, meta, len));
}

static int k_mem_setup(void *ctx, uint32_t pas_id, uint64_t addr, uint64_t size)
{
	struct kill_backend *kb = ctx;

	return PASS(kb, by_pas(kb, pas_id), INNER(kb)->mem_setup(ICTX(kb), pas_id, addr, size));
}

static int k_auth(void *ctx, uint32_t pas_id)
{
	struct kill_backend *kb = ctx;

	return PASS(kb, by_pas(kb, pas_id), INNER(kb)->auth_and_reset(ICTX(kb), pas_id));
}

static int k_shutdown(void *ctx, uint32_t pas_id)
{
	struct kill_backend *kb = ctx;

	return PASS(kb, by_pas(kb, pas_id), INNER(kb)->shutdown(ICTX(kb), pas_id));
}

static int k_meta_release(void *ctx, uint32_t pas_id)
{
	struct kill_backend *kb = ctx;

	return PASS(kb, by_pas(kb, pas_id), INNER(kb)->metadata_release(ICTX(kb), pas_id));
}

static int k_get_rsc_table(void *ctx, uint32_t pas_id, const void *in, size_t in_len, void **out,
			   size_t *out_len)
{
	struct kill_backend *kb = ctx;

	return PASS(kb, by_pas(kb, pas_id),
		    INNER(kb)->get_rsc_table(ICTX(kb), pas_id, in, in_len, out, out_len));
}

static int k_bridge_create(void *ctx, uint64_t pa, uint64_t size, uint64_t *handle)
{
	struct kill_backend *kb = ctx;
	int i = by_phys(kb, pa), r;

	r = PASS(kb, i, INNER(kb)->shm_bridge_create(ICTX(kb), pa, size, handle));
	pthread_mutex_lock(&kb->lock);
	if (!r && kb->n_bridges < 64)
		kb->bridges[kb->n_bridges++] = (typeof(kb->bridges[0])){ *handle, i };
	pthread_mutex_unlock(&kb->lock);
	return r;
}

static int k_bridge_delete(void *ctx, uint64_t handle)
{
	struct kill_backend *kb = ctx;
	int i = -1;

	pthread_mutex_lock(&kb->lock);
	for (unsigned int k = 0; k < kb->n_bridges; k++)
		if (kb->bridges[k].handle == handle)
			i = kb->bridges[k].core;
	pthread_mutex_unlock(&kb->lock);
	return PASS(kb, i, INNER(kb)->shm_bridge_delete(ICTX(kb), handle));
}

static int k_bridge_release(void *ctx, uint64_t pa, uint64_t size)
{
	struct kill_backend *kb = ctx;

	return PASS(kb, by_phys(kb, pa), INNER(kb)->shm_bridge_release(ICTX(kb), pa, size));
}

static int k_proxy_vote(void *ctx, const struct rproc_desc *d)
{
	struct kill_backend *kb = ctx;

	return PASS(kb, by_desc(kb, d), INNER(kb)->proxy_vote(ICTX(kb), d));
}

static int k_proxy_unvote(void *ctx, const struct rproc_desc *d)
{
	struct kill_backend *kb = ctx;

	return PASS(kb, by_desc(kb, d), INNER(kb)->proxy_unvote(ICTX(kb), d));
}

static int k_load_state(void *ctx, const struct rproc_desc *d, bool on)
{
	struct kill_backend *kb = ctx;

	return PASS(kb, by_desc(kb, d), INNER(kb)->load_state(ICTX(kb), d, on));
}

static int k_stop_bit(void *ctx, const struct rproc_desc *d, bool set)
{
	struct kill_backend *kb = ctx;

	return PASS(kb, by_desc(kb, d), INNER(kb)->stop_bit(ICTX(kb), d, set));
}

static int k_glink(void *ctx, const struct rproc_desc *d, bool registered)
{
	struct kill_backend *kb = ctx;

	return PASS(kb, by_desc(kb, d), INNER(kb)->glink(ICTX(kb), d, registered));
}

static int k_core_query(void *ctx, const struct rproc_desc *d, struct rproc_core_status *st)
{
	struct kill_backend *kb = ctx;

	return PASS(kb, by_desc(kb, d), INNER(kb)->core_query(ICTX(kb), d, st));
}

static int k_crash_reason(void *ctx, const struct rproc_desc *d, char *buf, size_t len)
{
	struct kill_backend *kb = ctx;

	return PASS(kb, by_desc(kb, d), INNER(kb)->crash_reason(ICTX(kb), d, buf, len));
}

static int k_smem_read(void *ctx, uint32_t item, void **buf, size_t *len)
{
	struct kill_backend *kb = ctx;

	return INNER(kb)->smem_read(ICTX(kb), item, buf, len);
}

/* ---- IOMMU ---------------------------------------------------------------------------------- */

static int k_iommu_open(void *ctx, const struct rproc_desc *d, void **dom)
{
	struct kill_backend *kb = ctx;
	struct kb_dom *kd = calloc(1, sizeof(*kd));
	int i = by_desc(kb, d), r;

	if (!kd)
		return -ENOMEM;
	*kd = (struct kb_dom){ .kb = kb, .core = i };
	r = PASS(kb, i, kb->inner->iommu->open(kb->inner->iommu_ctx, d, &kd->inner));
	if (r) {
		free(kd);
		return r;
	}
	*dom = kd;
	return 0;
}

static int k_iova_ranges(void *dom, struct rproc_iova_range *rg, size_t max, size_t *n)
{
	struct kb_dom *kd = dom;

	return PASS(kd->kb, kd->core, kd->kb->inner->iommu->iova_ranges(kd->inner, rg, max, n));
}

static int k_iommu_map(void *dom, uint64_t iova, uint64_t pa, uint64_t size, uint32_t prot)
{
	struct kb_dom *kd = dom;

	return PASS(kd->kb, kd->core, kd->kb->inner->iommu->map(kd->inner, iova, pa, size, prot));
}

static int k_iommu_unmap(void *dom, uint64_t iova, uint64_t size)
{
	struct kb_dom *kd = dom;

	return PASS(kd->kb, kd->core, kd->kb->inner->iommu->unmap(kd->inner, iova, size));
}

/* The handle only: what closing a dead process's fd does too. */
static void k_iommu_close(void *dom)
{
	struct kb_dom *kd = dom;

	if (!kd)
		return;
	kd->kb->inner->iommu->close(kd->inner);
	free(kd);
}

/* ---- memory and interrupts: process-local, passed through ----------------------------------- */

static int k_mem_map(void *ctx, uint64_t phys, uint64_t size, bool writable,
		     struct rproc_mem_map *m)
{
	struct kill_backend *kb = ctx;

	return PASS(kb, by_phys(kb, phys),
		    kb->inner->mem->map(kb->inner->mem_ctx, phys, size, writable, m));
}

static void k_mem_unmap(void *ctx, struct rproc_mem_map *m)
{
	struct kill_backend *kb = ctx;

	kb->inner->mem->unmap(kb->inner->mem_ctx, m);
}

static int k_irq_open(void *ctx, const struct rproc_desc *d, int fds[RPROC_IRQ_COUNT])
{
	struct kill_backend *kb = ctx;

	return kb->inner->irq->open(kb->inner->irq_ctx, d, fds);
}

static void k_irq_close(void *ctx, const struct rproc_desc *d)
{
	struct kill_backend *kb = ctx;

	kb->inner->irq->close(kb->inner->irq_ctx, d);
}

static int k_export_fds(struct rproc_backend *b, struct rproc_fd_entry *out, size_t max,
			size_t *n)
{
	struct kill_backend *kb = (struct kill_backend *)b;

	return kb->inner->export_fds(kb->inner, out, max, n);
}

static void k_destroy(struct rproc_backend *b)
{
	struct kill_backend *kb = (struct kill_backend *)b;

	rproc_backend_destroy(kb->inner);
	pthread_mutex_destroy(&kb->lock);
	free(kb);
}

struct kill_backend *kb_wrap(struct tsim_board *bd)
{
	struct kill_backend *kb = calloc(1, sizeof(*kb));
	const struct rproc_pas_ops *in;

	if (!kb)
		abort();
	kb->inner = bd->b;
	kb->bd = bd;
	pthread_mutex_init(&kb->lock, NULL);
	in = kb->inner->pas;
	kb->pas = (struct rproc_pas_ops){
		.is_supported = k_is_supported,
		.init_image = k_init_image,
		.mem_setup = k_mem_setup,
		.auth_and_reset = k_auth,
		.shutdown = k_shutdown,
		.metadata_release = k_meta_release,
		.get_rsc_table = in->get_rsc_table ? k_get_rsc_table : NULL,
		.shm_bridge_create = in->shm_bridge_create ? k_bridge_create : NULL,
		.shm_bridge_delete = in->shm_bridge_delete ? k_bridge_delete : NULL,
		.shm_bridge_release = in->shm_bridge_release ? k_bridge_release : NULL,
		.proxy_vote = in->proxy_vote ? k_proxy_vote : NULL,
		.proxy_unvote = in->proxy_unvote ? k_proxy_unvote : NULL,
		.load_state = in->load_state ? k_load_state : NULL,
		.stop_bit = in->stop_bit ? k_stop_bit : NULL,
		.glink = in->glink ? k_glink : NULL,
		.core_query = in->core_query ? k_core_query : NULL,
		.crash_reason = in->crash_reason ? k_crash_reason : NULL,
		.smem_read = in->smem_read ? k_smem_read : NULL,
	};
	kb->iommu = (struct rproc_iommu_ops){
		.open = k_iommu_open,
		.iova_ranges = k_iova_ranges,
		.map = k_iommu_map,
		.unmap = k_iommu_unmap,
		.close = k_iommu_close,
	};
	kb->mem = (struct rproc_mem_ops){ .map = k_mem_map, .unmap = k_mem_unmap };
	kb->irq = (struct rproc_irq_ops){ .open = k_irq_open, .close = k_irq_close };
	kb->pub = (struct rproc_backend){
		.name = "kill",
		.pas = &kb->pas,
		.pas_ctx = kb,
		.iommu = &kb->iommu,
		.iommu_ctx = kb,
		.mem = &kb->mem,
		.mem_ctx = kb,
		.irq = &kb->irq,
		.irq_ctx = kb,
		.export_fds = k_export_fds,
		.destroy = k_destroy,
	};
	bd->b = &kb->pub;
	return kb;
}

struct rproc_backend *kb_inner(struct kill_backend *kb)
{
	return kb->inner;
}

static void on_snapshot(struct rproc *r, void *userdata)
{
	struct kill_backend *kb = userdata;
	struct rproc_snapshot s;

	rproc_snapshot(r, &s);
	pthread_mutex_lock(&kb->lock);
	for (size_t i = 0; i < kb->bd->n; i++)
		if (kb->core[i].r == r && !kb->core[i].dead)
			kb->core[i].last = s;
	pthread_mutex_unlock(&kb->lock);
}

void kb_watch(struct kill_backend *kb)
{
	for (size_t i = 0; i < kb->bd->n; i++) {
		pthread_mutex_lock(&kb->lock);
		kb->core[i].r = kb->bd->r[i];
		pthread_mutex_unlock(&kb->lock);
		rproc_set_snapshot_cb(kb->bd->r[i], on_snapshot, kb);
		rproc_snapshot(kb->bd->r[i], &kb->core[i].last);
	}
}

void kb_arm(struct kill_backend *kb, int i, const char *phase, unsigned int nth)
{
	struct kb_core *c = &kb->core[i];

	pthread_mutex_lock(&kb->lock);
	snprintf(c->step, sizeof(c->step), "%s", phase);
	c->nth = nth;
	c->seen = 0;
	c->armed = true;
	c->dead = false;
	pthread_mutex_unlock(&kb->lock);
}

bool kb_dead(struct kill_backend *kb, int i)
{
	return dead(kb, i);
}

void kb_last_words(struct kill_backend *kb, int i, struct rproc_snapshot *s)
{
	pthread_mutex_lock(&kb->lock);
	*s = kb->core[i].dead ? kb->core[i].last_words : kb->core[i].last;
	pthread_mutex_unlock(&kb->lock);
}

unsigned int kb_calls(struct kill_backend *kb, int i, const char *phase)
{
	unsigned int n = 0;

	pthread_mutex_lock(&kb->lock);
	for (unsigned int k = 0; k < kb->core[i].n_phases; k++)
		if (!strcmp(kb->core[i].phases[k], phase))
			n = kb->core[i].calls[k];
	pthread_mutex_unlock(&kb->lock);
	return n;
}
