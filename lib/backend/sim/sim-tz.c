// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The simulated TrustZone: the PAS state machine per
 * PAS id (doc/trustzone-pas.md#call-order), the metadata
 * buffer (doc/trustzone-pas.md#metadata-buffer), SHM bridges (doc/trustzone-pas.md#shm-bridge),
 * GET_RSCTABLE (doc/trustzone-pas.md#get_rsctable), the SMEM items the lifecycle reads
 * (crash reason doc/boot-sequence.md#interrupts-and-timeouts, minidump
 * table of contents doc/boot-sequence.md#coredump) and the SMP2P stop bit.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "minidump.h"
#include "rproc/error.h"
#include "rproc/fw.h"
#include "rproc/rsc.h"
#include "sim-priv.h"
#include "time-util.h"
#include "unaligned.h"
#include "util.h"


static const char *pas_core(struct sim *s, const struct sim_pas *p)
{
	return p ? s->sh->cores[p->core].name : NULL;
}

/* Common prologue: look up the PAS id and count the call against its core. */
static int pas_enter(struct sim *s, enum sim_op op, uint32_t pas_id, struct sim_pas **pas)
{
	struct sim_pas *p = sim_pas_by_id(s, pas_id);
	int r = sim_fault(s, op, p ? (int)p->core : -1);

	if (r)
		return r;
	if (!p) {
		rproc_log(RPROC_LOG_ERR, NULL, "sim", -ENODEV, "TZ: %s: unknown PAS id %u",
			  sim_op_to_string(op), pas_id);
		return -ENODEV;
	}
	*pas = p;
	return 0;
}

static int tz_is_supported(void *ctx, uint32_t pas_id)
{
	struct sim *s = ctx;
	struct sim_pas *p = NULL;
	int r;

	pthread_mutex_lock(&s->lock);
	r = pas_enter(s, SIM_OP_IS_SUPPORTED, pas_id, &p);
	pthread_mutex_unlock(&s->lock);
	if (r == -ENODEV)
		return 0;
	return r ? r : 1;
}

static int tz_init_image(void *ctx, uint32_t pas_id, const void *meta, size_t len)
{
	struct sim *s = ctx;
	struct rproc_fw_image *img = NULL;
	struct rproc_error e = { 0 };
	struct sim_pas *p = NULL;
	unsigned int n = 0;
	int r;

	pthread_mutex_lock(&s->lock);
	r = pas_enter(s, SIM_OP_INIT_IMAGE, pas_id, &p);
	if (r)
		goto out;
	if (p->state == TZ_RUNNING) {
		rproc_log(RPROC_LOG_ERR, pas_core(s, p), "sim", -EBUSY,
			  "TZ: init_image on PAS %u, which is running", pas_id);
		r = -EBUSY;
		goto out;
	}
	if (!p->is_dtb &&
	    (!s->sh->cores[p->core].proxy_voted || !s->sh->cores[p->core].load_state)) {
		rproc_log(RPROC_LOG_ERR, pas_core(s, p), "sim", -EPERM,
			  "TZ: init_image of PAS %u before the proxy votes and load_state (the "
			  "kernel takes them first)",
			  pas_id);
		r = -EPERM;
		goto out;
	}
	if (!p->is_dtb && s->sh->cores[p->core].dtb_pas >= 0 &&
	    s->sh->pas[s->sh->cores[p->core].dtb_pas].state != TZ_RUNNING) {
		rproc_log(RPROC_LOG_ERR, pas_core(s, p), "sim", -EPERM,
			  "TZ: init_image of PAS %u before its DTB image (PAS %d) is authenticated "
			  "(the kernel authenticates the DTB image first)",
			  pas_id, s->sh->pas[s->sh->cores[p->core].dtb_pas].pas_id);
		r = -EPERM;
		goto out;
	}
	if (!len || len > SIM_META_MAX) {
		rproc_log(RPROC_LOG_ERR, pas_core(s, p), "sim", -ENOMEM,
			  "TZ: metadata of %zu bytes (the buffer holds at most %d)", len,
			  SIM_META_MAX);
		r = -ENOMEM;
		goto out;
	}
	r = rproc_fw_parse_metadata(meta, len, &img, &e);
	if (r < 0) {
		rproc_log(RPROC_LOG_ERR, pas_core(s, p), "sim", r, "TZ: rejects metadata: %s",
			  e.msg);
		r = -EINVAL;
		goto out;
	}
	for (unsigned int i = 0; i < img->phnum; i++) {
		const struct rproc_fw_segment *sg = &img->segs[i];

		if (!sg->loadable)
			continue;
		if (n == SIM_MAX_SEGS) {
			r = -E2BIG;
			goto out;
		}
		p->segs[n].iova = sg->paddr - img->min_addr;
		p->segs[n].len = sg->memsz;
		n++;
	}
	memcpy(s->mem + p->meta_off, meta, len);
	p->meta_len = (uint32_t)len;
	p->meta_held = 1;
	p->n_segs = n;
	p->relocatable = img->relocatable;
	p->min_addr = img->min_addr;
	p->span = rproc_fw_span(img);
	p->setup_addr = p->setup_size = 0;
	p->state = TZ_INIT;
	rproc_log(RPROC_LOG_DEBUG, pas_core(s, p), "sim",
		  0, "TZ: init_image PAS %u: %u segments, %s, span 0x%llx", pas_id, n,
		  img->relocatable ? "relocatable" : "fixed", (unsigned long long)p->span);
out:
	pthread_mutex_unlock(&s->lock);
	rproc_fw_close(img);
	return r;
}

static int tz_mem_setup(void *ctx, uint32_t pas_id, uint64_t addr, uint64_t size)
{
	struct sim *s = ctx;
	struct sim_pas *p = NULL;
	struct sim_region *reg;
	int r;

	pthread_mutex_lock(&s->lock);
	r = pas_enter(s, SIM_OP_MEM_SETUP, pas_id, &p);
	if (r)
		goto out;
	if (p->state == TZ_RUNNING) {
		r = -EBUSY;
		rproc_log(RPROC_LOG_ERR, pas_core(s, p), "sim", r,
			  "TZ: mem_setup on PAS %u, which is running", pas_id);
		goto out;
	}
	if (p->state != TZ_INIT) {
		r = -EPERM;
		rproc_log(RPROC_LOG_ERR, pas_core(s, p), "sim", r,
			  "TZ: mem_setup on PAS %u without init_image first", pas_id);
		goto out;
	}
	reg = &s->sh->regions[p->region];
	if (addr < reg->base || !range_within(addr - reg->base, size, reg->size) ||
	    size < p->span) {
		r = -EINVAL;
		rproc_log(RPROC_LOG_ERR, pas_core(s, p), "sim", r,
			  "TZ: mem_setup [0x%llx, +0x%llx) is not inside the carveout "
			  "[0x%llx, +0x%llx) or smaller than the image span 0x%llx",
			  (unsigned long long)addr, (unsigned long long)size,
			  (unsigned long long)reg->base, (unsigned long long)reg->size,
			  (unsigned long long)p->span);
		goto out;
	}
	p->setup_addr = addr;
	p->setup_size = size;
	p->state = TZ_SETUP;
out:
	pthread_mutex_unlock(&s->lock);
	return r;
}

/* Every check AUTH_AND_RESET makes (sim.h lists them with their errors). */
static int auth_check(struct sim *s, struct sim_pas *p, uint64_t *base, uint64_t *size)
{
	const char *name = pas_core(s, p);
	struct sim_region *reg = &s->sh->regions[p->region];
	struct sim_core *c = &s->sh->cores[p->core];
	struct rproc_error e = { 0 };
	uint64_t fault;
	int bad = -1, r;

	if (p->state == TZ_RUNNING) {
		rproc_log(RPROC_LOG_ERR, name, "sim", -EBUSY,
			  "TZ: auth_and_reset: PAS %d is running", p->pas_id);
		return -EBUSY;
	}
	if (p->state == TZ_IDLE || !p->meta_held) {
		rproc_log(RPROC_LOG_ERR, name, "sim", -EPERM,
			  "TZ: auth_and_reset: PAS %d has no metadata (init_image missing or "
			  "released)",
			  p->pas_id);
		return -EPERM;
	}
	if (!c->proxy_voted) {
		rproc_log(RPROC_LOG_ERR, name, "sim", -EHOSTDOWN,
			  "TZ: auth_and_reset of PAS %d without the proxy votes: the subsystem's "
			  "power domains and clocks are off",
			  p->pas_id);
		return -EHOSTDOWN;
	}
	if (p->relocatable && p->state != TZ_SETUP) {
		rproc_log(RPROC_LOG_ERR, name, "sim", -ENOEXEC,
			  "TZ: auth_and_reset: relocatable image of PAS %d without mem_setup",
			  p->pas_id);
		return -ENOEXEC;
	}
	if (p->relocatable) {
		*base = p->setup_addr;
		*size = p->setup_size;
	} else {
		if (p->min_addr < reg->base || !range_within(p->min_addr - reg->base, p->span,
							     reg->size)) {
			rproc_log(RPROC_LOG_ERR, name, "sim", -EINVAL,
				  "TZ: fixed image at 0x%llx is outside its carveout",
				  (unsigned long long)p->min_addr);
			return -EINVAL;
		}
		*base = p->min_addr;
		*size = reg->base + reg->size - p->min_addr;
	}
	if (c->has_stream && !sim_smmu_covers(s, p->core, reg->base, reg->size,
					      RPROC_IOMMU_READ | RPROC_IOMMU_WRITE, true, &fault)) {
		rproc_log(RPROC_LOG_ERR, name, "sim", -EFAULT,
			  "TZ: auth_and_reset: carveout [0x%llx, +0x%llx) not mapped IOVA == PA "
			  "read/write on stream 0x%x (first miss at 0x%llx)",
			  (unsigned long long)reg->base, (unsigned long long)reg->size, c->sid,
			  (unsigned long long)fault);
		return -EFAULT;
	}
	if (s->cfg.require_bridge && c->has_stream) {
		bool ok = false;

		for (unsigned int i = 0; i < SIM_MAX_BRIDGES; i++) {
			struct sim_bridge *br = &s->sh->bridges[i];

			if (br->used && reg->base >= br->pa &&
			    range_within(reg->base - br->pa, reg->size, br->size))
				ok = true;
		}
		if (!ok) {
			rproc_log(RPROC_LOG_ERR, name, "sim", -ENOLINK,
				  "TZ: auth_and_reset: no SHM bridge covers the carveout at 0x%llx",
				  (unsigned long long)reg->base);
			return -ENOLINK;
		}
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(s->views); i++)
		if (s->views[i].size &&
		    ranges_overlap(s->views[i].phys, s->views[i].size, reg->base, reg->size)) {
			rproc_log(RPROC_LOG_ERR, name, "sim", -EACCES,
				  "TZ: auth_and_reset: the carveout is still mapped for the CPU "
				  "(XPU violation)");
			return -EACCES;
		}
	for (unsigned int i = 0; i < s->cfg.n_corrupt; i++) {
		struct sim_corrupt *co = &s->cfg.corrupt[i];

		if (co->core == (int)p->core && !p->is_dtb && co->off < reg->size) {
			s->mem[reg->off + co->off] ^= 0x5a;
			rproc_log(RPROC_LOG_NOTICE, name, "sim", 0,
				  "injected corruption at carveout offset 0x%llx",
				  (unsigned long long)co->off);
		}
	}
	if (!s->signature_logged) {
		s->signature_logged = true;
		rproc_log(RPROC_LOG_NOTICE, NULL, "sim", 0,
			  "TZ: simulated, signatures are not checked (only hash-table digests)");
	}
	if (!s->cfg.auth_hash)
		return 0;
	r = rproc_fw_verify_metadata(s->mem + p->meta_off, p->meta_len,
				     s->mem + reg->off + (*base - reg->base), *base, *size, &bad,
				     &e);
	if (r < 0) {
		rproc_log(RPROC_LOG_ERR, name, "sim", -EBADMSG,
			  "TZ: auth_and_reset: image check failed (segment %d): %s", bad, e.msg);
		return -EBADMSG;
	}
	return 0;
}

/* How long this AUTH_AND_RESET takes: slow_auth_ms, plus auth_us_per_mib for the image. */
static uint64_t auth_delay_us(struct sim *s, uint32_t pas_id)
{
	struct sim_pas *p = sim_pas_by_id(s, pas_id);
	uint64_t bytes = 0;

	for (unsigned int i = 0; p && s->cfg.auth_us_per_mib && i < p->n_segs; i++)
		bytes += p->segs[i].len;
	return (uint64_t)s->cfg.slow_auth_ms * 1000 +
	       bytes * s->cfg.auth_us_per_mib / (1024 * 1024);
}

static int tz_auth_and_reset(void *ctx, uint32_t pas_id)
{
	struct sim *s = ctx;
	struct sim_pas *p = NULL;
	uint64_t base = 0, size = 0, t0 = now_usec(CLOCK_MONOTONIC), delay, spent;
	int r;

	/*
	 * A slow TZ blocks the calling thread, as an SMC does, and nothing else.  In slices, with
	 * the delay read again after each, so that a test can hold a call for as long as it
	 * needs and then let it return (rproc_sim_set() of slow_auth_ms).
	 */
	pthread_mutex_lock(&s->lock);
	s->auth_held++;
	for (;;) {
		delay = auth_delay_us(s, pas_id);
		pthread_mutex_unlock(&s->lock);
		spent = now_usec(CLOCK_MONOTONIC) - t0;
		if (spent >= delay)
			break;
		sleep_usec(delay - spent < 10000 ? delay - spent : 10000);
		pthread_mutex_lock(&s->lock);
	}
	pthread_mutex_lock(&s->lock);
	s->auth_held--;
	r = pas_enter(s, SIM_OP_AUTH_AND_RESET, pas_id, &p);
	if (!r)
		r = auth_check(s, p, &base, &size);
	if (!r) {
		p->state = TZ_RUNNING;
		p->load_base = base;
		rproc_log(RPROC_LOG_DEBUG, pas_core(s, p), "sim", 0,
			  "TZ: PAS %u authenticated at 0x%llx, out of reset", pas_id,
			  (unsigned long long)base);
		if (!p->is_dtb)
			sim_dsp_authenticated(s, p->core);
	}
	pthread_mutex_unlock(&s->lock);
	return r;
}

static int tz_shutdown(void *ctx, uint32_t pas_id)
{
	struct sim *s = ctx;
	struct sim_pas *p = NULL;
	int r;

	pthread_mutex_lock(&s->lock);
	r = pas_enter(s, SIM_OP_SHUTDOWN, pas_id, &p);
	if (!r && !p->is_dtb && s->sh->cores[p->core].glink) {
		/* the kernel stops its subdevices (the glink edge) before the processor */
		r = -EBUSY;
		rproc_log(RPROC_LOG_ERR, pas_core(s, p), "sim", r,
			  "TZ: SHUTDOWN of PAS %u while its glink edge is registered", pas_id);
	}
	if (!r) {
		if (p->state == TZ_RUNNING && !p->is_dtb)
			sim_dsp_shutdown(s, p->core);
		p->state = TZ_IDLE;
	}
	pthread_mutex_unlock(&s->lock);
	return r;
}

static int tz_metadata_release(void *ctx, uint32_t pas_id)
{
	struct sim *s = ctx;
	struct sim_pas *p = NULL;
	int r;

	pthread_mutex_lock(&s->lock);
	r = pas_enter(s, SIM_OP_METADATA_RELEASE, pas_id, &p);
	if (!r && p->meta_held) {
		p->meta_held = 0;
		memset(s->mem + p->meta_off, 0, p->meta_len);
		p->meta_len = 0;
	}
	pthread_mutex_unlock(&s->lock);
	return r;
}

static int tz_set_remote_state(void *ctx, uint32_t state, uint32_t id)
{
	struct sim *s = ctx;
	int r;

	pthread_mutex_lock(&s->lock);
	r = sim_fault(s, SIM_OP_SET_REMOTE_STATE, -1);
	pthread_mutex_unlock(&s->lock);
	return r;
}

/*
 * Two DEVMEM entries shaped like the seed's SA8775p qcom,devmem rows
 * (doc/devicetree.md#device-memory), and one each of the kinds a PAS remote processor does
 * not use (CARVEOUT, TRACE, a vendor entry), which the caller must skip.
 */
static void *devmem_table(size_t *len)
{
	static const struct {
		uint32_t type, da, len, flags;
		const char *name;
	} rows[] = {
		{ RSC_DEVMEM, 0x110000, 0x4000, RPROC_IOMMU_READ, "sim-tcsr" },
		{ RSC_CARVEOUT, 0x8000000, 0x1000, 0, "sim-unused" },
		{ RSC_DEVMEM, 0x123000, 0x1000, RPROC_IOMMU_READ | RPROC_IOMMU_WRITE, "sim-ipc" },
		{ RSC_TRACE, 0x9000000, 0x1000, 0, "sim-trace" },
		{ RSC_VENDOR_START, 0, 0, 0, "" },
	};
	size_t n = ARRAY_SIZE(rows), hdr = RPROC_RSC_HDR_SIZE + 4 * n, ent = 4 + 52;
	uint8_t *t = calloc(1, hdr + n * ent);

	if (!t)
		return NULL;
	unaligned_write_le32(t, 1);
	unaligned_write_le32(t + 4, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		uint8_t *e = t + hdr + i * ent;

		unaligned_write_le32(t + RPROC_RSC_HDR_SIZE + 4 * i, (uint32_t)(hdr + i * ent));
		unaligned_write_le32(e, rows[i].type);
		unaligned_write_le32(e + 4, rows[i].da);
		unaligned_write_le32(e + 8, rows[i].da);
		unaligned_write_le32(e + 12, rows[i].len);
		unaligned_write_le32(e + 16, rows[i].flags);
		snprintf((char *)e + 24, 32, "%s", rows[i].name);
	}
	*len = hdr + n * ent;
	return t;
}

static int tz_get_rsc_table(void *ctx, uint32_t pas_id, const void *in, size_t in_len,
			    void **out, size_t *out_len)
{
	struct sim *s = ctx;
	struct sim_pas *p = NULL;
	void *t = NULL;
	int r;

	pthread_mutex_lock(&s->lock);
	r = pas_enter(s, SIM_OP_GET_RSC_TABLE, pas_id, &p);
	if (r)
		goto out;
	if (!in || in_len < RPROC_RSC_HDR_SIZE || in_len > RPROC_RSC_FIRST_SIZE) {
		r = -EINVAL;
		goto out;
	}
	if (s->cfg.rsc_devmem) {
		t = devmem_table(out_len);
	} else {
		t = malloc(in_len);
		if (t) {
			memcpy(t, in, in_len);
			unaligned_write_le32(t, 1);
			*out_len = in_len;
		}
	}
	if (!t)
		r = -ENOMEM;
	*out = t;
out:
	pthread_mutex_unlock(&s->lock);
	return r;
}

/* The core whose carveout @reg is, for per-core fault counting; -1 if none. */
static int region_core(struct sim *s, const struct sim_region *reg)
{
	for (unsigned int i = 0; reg && i < s->sh->n_pas; i++)
		if (&s->sh->regions[s->sh->pas[i].region] == reg)
			return (int)s->sh->pas[i].core;
	return -1;
}

static int tz_bridge_create(void *ctx, uint64_t pa, uint64_t size, uint64_t *handle)
{
	struct sim *s = ctx;
	struct sim_region *reg;
	int r, core, slot = -1;

	pthread_mutex_lock(&s->lock);
	reg = sim_region_of(s, pa, size ? size : 1);
	core = region_core(s, reg);
	r = sim_fault(s, SIM_OP_SHM_BRIDGE_CREATE, core);
	if (r)
		goto out;
	if (!s->cfg.bridge_op) {
		r = -EOPNOTSUPP; /* a transport without bridge calls */
		goto out;
	}
	/* v10: for a node with iommus only, over its carveout (doc/trustzone-pas.md#shm-bridge) */
	if (core < 0 || !s->sh->cores[core].has_stream) {
		r = -EPERM;
		rproc_log(RPROC_LOG_ERR, core >= 0 ? s->sh->cores[core].name : NULL, "sim", r,
			  "TZ: SHM bridge [0x%llx, +0x%llx) is not over the carveout of a core "
			  "with iommus",
			  (unsigned long long)pa, (unsigned long long)size);
		goto out;
	}
	if (!s->cfg.bridges) {
		*handle = 0; /* TZ without bridge mode: a no-op (doc/trustzone-pas.md#shm-bridge) */
		goto out;
	}
	if (!size || !IS_ALIGNED(pa | size, SIM_PAGE)) {
		r = -EINVAL;
		rproc_log(RPROC_LOG_ERR, NULL, "sim", r,
			  "TZ: SHM bridge [0x%llx, +0x%llx) is not 4 KiB aligned",
			  (unsigned long long)pa, (unsigned long long)size);
		goto out;
	}
	for (int i = 0; i < SIM_MAX_BRIDGES; i++) {
		struct sim_bridge *br = &s->sh->bridges[i];

		if (!br->used) {
			if (slot < 0)
				slot = i;
		} else if (ranges_overlap(br->pa, br->size, pa, size)) {
			r = -EEXIST;
			rproc_log(RPROC_LOG_ERR, NULL, "sim", r,
				  "TZ: SHM bridge at 0x%llx overlaps bridge 0x%llx",
				  (unsigned long long)pa, (unsigned long long)br->handle);
			goto out;
		}
	}
	if (slot < 0) {
		r = -ENOSPC;
		goto out;
	}
	s->sh->bridges[slot] = (struct sim_bridge){
		.used = 1, .handle = s->sh->next_handle++, .pa = pa, .size = size
	};
	*handle = s->sh->bridges[slot].handle;
out:
	pthread_mutex_unlock(&s->lock);
	return r;
}

static int tz_bridge_delete(void *ctx, uint64_t handle)
{
	struct sim *s = ctx;
	int r;

	pthread_mutex_lock(&s->lock);
	r = sim_fault(s, SIM_OP_SHM_BRIDGE_DELETE, -1);
	if (!r && !s->cfg.bridge_op)
		r = -EOPNOTSUPP;
	if (r || !s->cfg.bridges)
		goto out;
	r = -ENOENT;
	for (int i = 0; i < SIM_MAX_BRIDGES; i++)
		if (s->sh->bridges[i].used && s->sh->bridges[i].handle == handle) {
			memset(&s->sh->bridges[i], 0, sizeof(s->sh->bridges[i]));
			r = 0;
		}
out:
	pthread_mutex_unlock(&s->lock);
	return r;
}

/* Every bridge inside [pa, +size), whatever its handle: what an adopting daemon releases. */
static int tz_bridge_release(void *ctx, uint64_t pa, uint64_t size)
{
	struct sim *s = ctx;
	int r;

	pthread_mutex_lock(&s->lock);
	r = sim_fault(s, SIM_OP_SHM_BRIDGE_RELEASE,
		      region_core(s, sim_region_of(s, pa, size ? size : 1)));
	for (int i = 0; !r && i < SIM_MAX_BRIDGES; i++) {
		struct sim_bridge *br = &s->sh->bridges[i];

		if (br->used && br->pa >= pa && range_within(br->pa - pa, br->size, size))
			memset(br, 0, sizeof(*br));
	}
	pthread_mutex_unlock(&s->lock);
	return r;
}

static int core_call(struct sim *s, enum sim_op op, const struct rproc_desc *d, int *core)
{
	*core = sim_core_by_name(s, d->name);
	int r = sim_fault(s, op, *core);

	if (!r && *core < 0)
		r = -ENODEV;
	return r;
}

static int tz_proxy(struct sim *s, const struct rproc_desc *d, bool vote)
{
	int core, r;

	pthread_mutex_lock(&s->lock);
	r = core_call(s, vote ? SIM_OP_PROXY_VOTE : SIM_OP_PROXY_UNVOTE, d, &core);
	if (!r)
		s->sh->cores[core].proxy_voted = vote;
	pthread_mutex_unlock(&s->lock);
	return r;
}

/* load_state "off" while the DSP runs takes its power away: it dies, without a word. */
static int tz_load_state(void *ctx, const struct rproc_desc *d, bool on)
{
	struct sim *s = ctx;
	int core, r;

	pthread_mutex_lock(&s->lock);
	r = core_call(s, SIM_OP_LOAD_STATE, d, &core);
	if (!r) {
		struct sim_core *c = &s->sh->cores[core];

		c->load_state = on;
		if (!on && c->dsp_state != DSP_OFF && c->dsp_state != DSP_CRASHED)
			sim_dsp_crash(s, (unsigned int)core, RPROC_IRQ_WDOG,
				      "sim: power collapse: load_state off while the DSP ran");
	}
	pthread_mutex_unlock(&s->lock);
	return r;
}

static int tz_proxy_vote(void *ctx, const struct rproc_desc *d)
{
	return tz_proxy(ctx, d, true);
}

static int tz_proxy_unvote(void *ctx, const struct rproc_desc *d)
{
	return tz_proxy(ctx, d, false);
}

static int tz_stop_bit(void *ctx, const struct rproc_desc *d, bool set)
{
	struct sim *s = ctx;
	int core, r;

	pthread_mutex_lock(&s->lock);
	r = core_call(s, SIM_OP_STOP_BIT, d, &core);
	if (!r) {
		s->sh->cores[core].stop_bit = set;
		sim_dsp_stop_bit(s, (unsigned int)core, set);
	}
	pthread_mutex_unlock(&s->lock);
	return r;
}

/* The glink edge is only counted: the simulated DSP speaks no rpmsg. */
static int tz_glink(void *ctx, const struct rproc_desc *d, bool registered)
{
	struct sim *s = ctx;
	int core, r;

	pthread_mutex_lock(&s->lock);
	r = core_call(s, SIM_OP_GLINK, d, &core);
	if (!r)
		s->sh->cores[core].glink = registered;
	pthread_mutex_unlock(&s->lock);
	return r;
}

/* What the shim's CORE query reports: TrustZone's state and the SMP2P levels. */
static int tz_core_query(void *ctx, const struct rproc_desc *d, struct rproc_core_status *st)
{
	struct sim *s = ctx;
	int core, r;

	pthread_mutex_lock(&s->lock);
	r = core_call(s, SIM_OP_CORE_QUERY, d, &core);
	if (!r) {
		const struct sim_core *c = &s->sh->cores[core];

		st->running = s->sh->pas[c->main_pas].state == TZ_RUNNING;
		st->levels = true;
		st->ready = c->dsp_state == DSP_UP;
		st->fatal = c->dsp_state == DSP_CRASHED;
	}
	pthread_mutex_unlock(&s->lock);
	return r;
}

static int tz_crash_reason(void *ctx, const struct rproc_desc *d, char *buf, size_t len)
{
	struct sim *s = ctx;
	int core, r;

	pthread_mutex_lock(&s->lock);
	r = core_call(s, SIM_OP_CRASH_REASON, d, &core);
	if (!r && s->sh->cores[core].crash_reason_smem == RPROC_NO_ID)
		r = -EOPNOTSUPP;
	if (!r && !s->sh->cores[core].crash_reason[0])
		r = -ENODATA;
	if (!r)
		snprintf(buf, len, "%s", s->sh->cores[core].crash_reason);
	pthread_mutex_unlock(&s->lock);
	return r;
}

/* The region nearest above @reg, else nearest below: memory outside the core's carveout. */
static const struct sim_region *other_region(struct sim *s, const struct sim_region *reg)
{
	const struct sim_region *above = NULL, *below = NULL;

	for (unsigned int i = 0; i < s->sh->n_regions; i++) {
		const struct sim_region *o = &s->sh->regions[i];

		if (o->base > reg->base && (!above || o->base < above->base))
			above = o;
		if (o->base < reg->base && (!below || o->base > below->base))
			below = o;
	}
	return above ? above : below;
}

static void md_set_region(struct md_region *rg, uint32_t i, const char *name, uint64_t addr,
			  uint64_t size, bool valid)
{
	memset(rg, 0, sizeof(*rg));
	snprintf(rg->name, sizeof(rg->name), "%s", name);
	rg->seq_num = htole32(i);
	rg->valid = htole32(valid ? MD_REGION_VALID : 0);
	rg->address = htole64(addr);
	rg->size = htole64(size);
}

/*
 * What the crashed core's firmware wrote: its region table in its own carveout (or, for
 * table-outside, in @other's memory), and the subsystem entry pointing at it.  The hostile
 * tables are what a confused or compromised DSP could write (doc/boot-sequence.md#coredump).
 */
static void md_fill_core(struct sim *s, const struct sim_region *reg, struct md_subsystem *ss)
{
	const struct sim_region *other = other_region(s, reg);
	uint64_t end = reg->base + reg->size, beyond = other ? other->base : end;
	uint8_t *mem = s->mem + reg->off;
	struct md_region *rg;
	uint32_t count = 2;
	uint64_t table;

	ss->status = htole32(1);
	ss->enabled = htole32(MD_SS_ENABLED);
	ss->encryption_status =
	    htole32(s->cfg.minidump == SIM_MD_ENCRYPTING ? 0 : MD_SS_ENCR_DONE);
	switch (s->cfg.minidump) {
	case SIM_MD_HOSTILE:
	case SIM_MD_HOSTILE_COUNT:
		/* the last bytes of the carveout: a count past 8 runs out of it */
		table = reg->size - 8 * sizeof(*rg);
		rg = (struct md_region *)(mem + table);
		md_set_region(&rg[0], 0, "md_ok", reg->base, SIM_PAGE, true);
		md_set_region(&rg[1], 1, "neighbour", beyond + SIM_PAGE, SIM_PAGE, true);
		md_set_region(&rg[2], 2, "straddle_end", end - SIM_PAGE, 2 * SIM_PAGE, true);
		md_set_region(&rg[3], 3, "straddle_start", reg->base - SIM_PAGE, 2 * SIM_PAGE,
			      true);
		md_set_region(&rg[4], 4, "overlap", reg->base, 2 * SIM_PAGE, true);
		md_set_region(&rg[5], 5, "wrap", UINT64_MAX - 0xfff, 0x2000, true);
		md_set_region(&rg[6], 6, "huge", end - SIM_PAGE, UINT64_MAX, true);
		md_set_region(&rg[7], 7, "not_valid", beyond, SIM_PAGE, false);
		count = s->cfg.minidump == SIM_MD_HOSTILE ? 8 : 1000;
		ss->regions_baseptr = htole64(reg->base + table);
		break;
	case SIM_MD_TABLE_OUTSIDE:
		if (other) {
			rg = (struct md_region *)(s->mem + other->off);
			md_set_region(&rg[0], 0, "md_outside", other->base + SIM_PAGE, SIM_PAGE,
				      true);
		}
		count = 1;
		ss->regions_baseptr = htole64(beyond);
		break;
	default:
		/* two regions the firmware registered, in a table in its last page */
		table = reg->size - SIM_PAGE;
		rg = (struct md_region *)(mem + table);
		md_set_region(&rg[0], 0, "md_code", reg->base, SIM_PAGE, true);
		md_set_region(&rg[1], 1, "md_data", reg->base + SIM_PAGE, SIM_PAGE, true);
		ss->regions_baseptr = htole64(reg->base + table);
		break;
	}
	ss->region_count = htole32(count);
}

/*
 * SMEM item 602: the minidump table of contents (doc/boot-sequence.md#coredump), with as many
 * subsystem entries as the highest minidump id needs (SA8775p uses ids up to 22, beyond the
 * ten the kernel's struct declares).  Crashed cores with a minidump id get an entry unless
 * minidump=0, and minidump=absent or off model a boot without minidump support.
 */
static int tz_smem_read(void *ctx, uint32_t item, void **buf, size_t *len)
{
	struct sim *s = ctx;
	unsigned int n_ss = RPROC_MINIDUMP_MAX_SS;
	struct md_toc *t;
	size_t size;
	int r;

	pthread_mutex_lock(&s->lock);
	r = sim_fault(s, SIM_OP_SMEM_READ, -1);
	if (r)
		goto out;
	if (item != RPROC_SMEM_MINIDUMP_TOC || s->cfg.minidump == SIM_MD_ABSENT) {
		r = -ENOENT;
		goto out;
	}
	for (unsigned int i = 0; i < s->sh->n_cores; i++)
		if (s->sh->cores[i].minidump_id >= (int32_t)n_ss)
			n_ss = (unsigned int)s->sh->cores[i].minidump_id + 1;
	size = offsetof(struct md_toc, subsystems) + n_ss * sizeof(struct md_subsystem);
	t = calloc(1, size);
	if (!t) {
		r = -ENOMEM;
		goto out;
	}
	t->status = htole32(s->cfg.minidump == SIM_MD_OFF ? 0 : 1);
	t->enabled = htole32(MD_SS_ENABLED);
	for (unsigned int i = 0; i < s->sh->n_cores; i++) {
		struct sim_core *c = &s->sh->cores[i];
		struct sim_region *reg = &s->sh->regions[s->sh->pas[c->main_pas].region];

		if (s->cfg.minidump == SIM_MD_EMPTY || c->minidump_id < 0 || !c->dumpable ||
		    reg->size < 3 * SIM_PAGE)
			continue;
		md_fill_core(s, reg, &t->subsystems[c->minidump_id]);
	}
	*buf = t;
	*len = size;
out:
	pthread_mutex_unlock(&s->lock);
	return r;
}

const struct rproc_pas_ops sim_pas_ops = {
	.is_supported = tz_is_supported,
	.init_image = tz_init_image,
	.mem_setup = tz_mem_setup,
	.auth_and_reset = tz_auth_and_reset,
	.shutdown = tz_shutdown,
	.metadata_release = tz_metadata_release,
	.set_remote_state = tz_set_remote_state,
	.get_rsc_table = tz_get_rsc_table,
	.shm_bridge_create = tz_bridge_create,
	.shm_bridge_delete = tz_bridge_delete,
	.shm_bridge_release = tz_bridge_release,
	.proxy_vote = tz_proxy_vote,
	.proxy_unvote = tz_proxy_unvote,
	.load_state = tz_load_state,
	.stop_bit = tz_stop_bit,
	.glink = tz_glink,
	.core_query = tz_core_query,
	.crash_reason = tz_crash_reason,
	.smem_read = tz_smem_read,
};
