// SPDX-License-Identifier: GPL-2.0-or-later
/* The edu-backed test backend: see edu-backend.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "devmem.h"
#include "edu-backend.h"
#include "rproc/rproc.h"
#include "util.h"

static void raise_irq(struct life *l, enum rproc_irq i)
{
	uint64_t one = 1;

	if (l->irq[i] >= 0 && write(l->irq[i], &one, sizeof(one)) != sizeof(one))
		note("lifecycle: cannot raise %s", rproc_irq_name(i));
}

/* ---- stand-in TrustZone --------------------------------------------------------------------- */

static int tz_is_supported(void *ctx, uint32_t pas_id)
{
	return 1;
}

static int tz_init_image(void *ctx, uint32_t pas_id, const void *meta, size_t len)
{
	struct life *l = ctx;

	free(l->meta);
	l->meta = malloc(len);
	if (!l->meta)
		return -ENOMEM;
	memcpy(l->meta, meta, len);
	return 0;
}

static int tz_mem_setup(void *ctx, uint32_t pas_id, uint64_t addr, uint64_t size)
{
	struct life *l = ctx;

	return addr == l->c->o.co_pa && size <= l->c->o.co_size ? 0 : -EINVAL;
}

/* The DSP comes out of reset and fetches its image through its SMMU context. */
static int tz_auth_and_reset(void *ctx, uint32_t pas_id)
{
	static uint8_t exp[EDU_MAX_XFER];
	struct life *l = ctx;
	struct ctx *c = l->c;
	struct probe p[64];
	size_t n = plan_probes(c, p, 64), good = 0;

	l->auths++;
	n = n > 4 ? 4 : n;
	for (size_t i = 0; c->v && i < n; i++)
		if (device_read(c, c->o.co_pa + p[i].off, p[i].len, false) == 0 &&
		    expected_at(c, p[i].off, p[i].len, exp) == 0 &&
		    !memcmp(c->scratch, exp, p[i].len))
			good++;
	l->dsp_saw_image = n && good == n;
	raise_irq(l, l->dsp_saw_image ? RPROC_IRQ_READY : RPROC_IRQ_FATAL);
	if (l->dsp_saw_image)
		raise_irq(l, RPROC_IRQ_HANDOVER);
	return 0;
}

static int tz_shutdown(void *ctx, uint32_t pas_id)
{
	struct life *l = ctx;

	l->shutdowns++;
	return 0;
}

static int tz_metadata_release(void *ctx, uint32_t pas_id)
{
	struct life *l = ctx;

	free(l->meta);
	l->meta = NULL;
	return 0;
}

static const struct rproc_pas_ops tz_ops = {
    .is_supported = tz_is_supported,
    .init_image = tz_init_image,
    .mem_setup = tz_mem_setup,
    .auth_and_reset = tz_auth_and_reset,
    .shutdown = tz_shutdown,
    .metadata_release = tz_metadata_release,
};

/* ---- IOMMU: librproc's VFIO context, PA through a transient /dev/mem view ------------------ */

static int io_open(void *ctx, const struct rproc_desc *d, void **dom)
{
	struct life *l = ctx;

	if (!open_vfio(l->c, RPROC_VFIO_TYPE1))
		return -EIO;
	*dom = l;
	return 0;
}

static int io_ranges(void *dom, struct rproc_iova_range *out, size_t max, size_t *n)
{
	struct life *l = dom;
	const struct rproc_iova_range *r = rproc_vfio_iova_ranges(l->c->v, n);

	for (size_t i = 0; i < *n && i < max; i++)
		out[i] = r[i];
	return 0;
}

/* As the real backend does: the IOMMU keeps a PFNMAP mapping after the view is gone
 * (doc/iommu.md#what-can-be-mapped). */
static int io_map(void *dom, uint64_t iova, uint64_t pa, uint64_t size, uint32_t prot)
{
	struct life *l = dom;
	struct rproc_error err = {0};
	void *va;
	int r;

	r = rproc_devmem_map(NULL, pa, size, prot & RPROC_IOMMU_WRITE, &va, &err);
	if (r == 0) {
		r = rproc_vfio_map_va(l->c->v, iova, va, size, prot, &err);
		munmap(va, size);
	}
	if (r < 0)
		note("lifecycle: map 0x%" PRIx64 " -> 0x%" PRIx64 ": %s", iova, pa, err.msg);
	else
		l->maps++;
	return r;
}

static int io_unmap(void *dom, uint64_t iova, uint64_t size)
{
	struct life *l = dom;
	struct rproc_error err = {0};
	int r = rproc_vfio_unmap(l->c->v, iova, size, &err);

	if (r < 0)
		note("lifecycle: unmap 0x%" PRIx64 ": %s", iova, err.msg);
	else
		l->unmaps++;
	if (r == 0 && l->after_unmap)
		l->after_unmap(l, iova, size);
	return r;
}

static void io_close(void *dom)
{
	struct life *l = dom;

	close_vfio(l->c);
}

static const struct rproc_iommu_ops io_ops = {
    .open = io_open,
    .iova_ranges = io_ranges,
    .map = io_map,
    .unmap = io_unmap,
    .close = io_close,
};

/* ---- carveout CPU view: the /dev/mem provider ----------------------------------------------- */

static int mem_map(void *ctx, uint64_t phys, uint64_t size, bool writable, struct rproc_mem_map *m)
{
	void *va;
	int r = rproc_devmem_map(NULL, phys, size, writable, &va, NULL);

	if (r < 0)
		return r;
	*m = (struct rproc_mem_map){.va = va, .phys = phys, .size = size};
	return 0;
}

static void mem_unmap(void *ctx, struct rproc_mem_map *m)
{
	if (m->va)
		munmap(m->va, m->size);
	m->va = NULL;
}

static const struct rproc_mem_ops mem_ops = {.map = mem_map, .unmap = mem_unmap};

/* ---- interrupts: eventfds the stand-in TrustZone raises ------------------------------------- */

static int irq_open(void *ctx, const struct rproc_desc *d, int fds[RPROC_IRQ_COUNT])
{
	struct life *l = ctx;

	for (int i = 0; i < RPROC_IRQ_COUNT; i++) {
		l->irq[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		fds[i] = l->irq[i];
	}
	return 0;
}

static void irq_close(void *ctx, const struct rproc_desc *d)
{
	struct life *l = ctx;

	for (int i = 0; i < RPROC_IRQ_COUNT; i++) {
		if (l->irq[i] >= 0)
			close(l->irq[i]);
		l->irq[i] = -1;
	}
}

static const struct rproc_irq_ops irq_ops = {.open = irq_open, .close = irq_close};

void edu_backend_init(struct life *l, struct ctx *c, struct rproc_backend *b)
{
	*l = (struct life){.c = c};
	for (int i = 0; i < RPROC_IRQ_COUNT; i++)
		l->irq[i] = -1;
	*b = (struct rproc_backend){
	    .name = "vm: stand-in TZ + vfio-type1 + devmem",
	    .pas = &tz_ops,
	    .pas_ctx = l,
	    .iommu = &io_ops,
	    .iommu_ctx = l,
	    .mem = &mem_ops,
	    .mem_ctx = l,
	    .irq = &irq_ops,
	    .irq_ctx = l,
	};
}
