// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * IOMMU contexts of the real backend: one VFIO context per device (real-dev.c finds the
 * device and opens it).  Every mapping made is remembered, because iommufd cannot map the
 * PFNMAP carveout view (doc/iommu.md#what-can-be-mapped): the first -EFAULT moves that device
 * to type1 (a new domain), and what was mapped so far is mapped again there.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "rproc/qcom-scm-shim.h"
#include "real-internal.h"

static int iommu_open(void *ctx, const struct rproc_desc *desc, void **dom)
{
	return real_dev_open(ctx, desc, (struct real_dev **)dom);
}

static int iommu_iova_ranges(void *dom, struct rproc_iova_range *out, size_t max, size_t *n)
{
	struct real_dev *d = dom;
	const struct rproc_iova_range *r;

	if (!d->vfio)
		return -ENODEV; /* a failed type1 fallback left no context */
	r = rproc_vfio_iova_ranges(d->vfio, n);
	for (size_t i = 0; i < *n && i < max; i++)
		out[i] = r[i];
	return 0;
}

/* Map through a temporary CPU view: the view goes away right after, the IOMMU mapping stays
 * (type1 keeps PFNMAP mappings without the VMA, doc/iommu.md#what-can-be-mapped), so no CPU view
 * outlives the call. */
static int map_one(struct real_backend *b, struct real_dev *d, const struct real_map *m,
		   struct rproc_error *err)
{
	bool wc;
	void *va;
	int r;

	if (rproc_vfio_kind(d->vfio) == RPROC_VFIO_IOMMUFD &&
	    rproc_shim_has(b->shim, QCOM_SCM_SHIM_CAP_CARVEOUT_FD)) {
		int fd;

		/* A file iommufd can pin (6.19+ dma-buf, doc/iommu.md#what-can-be-mapped); else the
		 * VA path below. */
		if (rproc_shim_carveout_fd(b->shim, m->pa, m->size, &fd) == 0) {
			r = rproc_vfio_map_file(d->vfio, m->iova, fd, 0, m->size, m->prot, err);
			close(fd);
			if (r == 0 || r == -ERANGE)
				return r;
		}
	}
	r = real_cpu_view(b, m->pa, m->size, true, &va, &wc, err);
	if (r < 0)
		return r;
	r = rproc_vfio_map_va(d->vfio, m->iova, va, m->size, m->prot, err);
	munmap(va, (size_t)m->size);
	return r;
}

/* iommufd refused PFNMAP memory: move this device to type1 and replay its mappings. */
static int fall_back_to_type1(struct real_backend *b, struct real_dev *d, const char *reason,
			      struct rproc_error *err)
{
	bool irqs = d->irq_open;
	int r;

	rproc_log(RPROC_LOG_WARNING, d->core, "iommu", -EFAULT,
		  "%s: falling back from iommufd to vfio-type1 for this device: %s", d->device,
		  reason);
	d->fell_back = true;
	if (irqs)
		for (int i = 0; i < RPROC_IRQ_COUNT; i++)
			if (d->irq_src[i] == IRQ_VFIO)
				rproc_vfio_irq_set_eventfd(rproc_vfio_device_fd(d->vfio),
							   (uint32_t)i, -1);
	rproc_vfio_close(d->vfio);
	d->vfio = NULL;
	r = real_dev_open_vfio(b, d, RPROC_VFIO_TYPE1, err);
	if (r < 0)
		return rproc_err_prefix(err, r, "type1 fallback");
	for (size_t i = 0; i < d->n_maps; i++) {
		r = map_one(b, d, &d->maps[i], err);
		if (r < 0)
			return rproc_err_prefix(err, r, "type1 fallback, re-mapping 0x%" PRIx64,
						d->maps[i].iova);
	}
	/* The eventfds stay; the triggers move to the new device fd. */
	for (int i = 0; irqs && i < RPROC_IRQ_COUNT; i++)
		if (d->irq_src[i] == IRQ_VFIO &&
		    rproc_vfio_irq_set_eventfd(rproc_vfio_device_fd(d->vfio), (uint32_t)i,
					       d->irq_fd[i]) < 0)
			rproc_log(RPROC_LOG_WARNING, d->core, "irq", -errno,
				  "%s: %s lost in the type1 fallback", d->device,
				  rproc_irq_name(i));
	return 0;
}

static int track(struct real_dev *d, const struct real_map *m)
{
	if (d->n_maps == d->cap_maps) {
		size_t cap = d->cap_maps ? d->cap_maps * 2 : 8;
		struct real_map *n = reallocarray(d->maps, cap, sizeof(*n));

		if (!n)
			return -ENOMEM;
		d->maps = n;
		d->cap_maps = cap;
	}
	d->maps[d->n_maps++] = *m;
	return 0;
}

static int iommu_map(void *dom, uint64_t iova, uint64_t pa, uint64_t size, uint32_t prot)
{
	struct real_dev *d = dom;
	struct real_backend *b = d->b;
	struct real_map m = { .iova = iova, .pa = pa, .size = size, .prot = prot };
	struct rproc_error err = { 0 };
	int r;

	if (!d->vfio)
		return -ENODEV;
	/* A carveout outside the usable ranges is a configuration error, not a kernel one:
	 * say which ranges exist before touching anything (doc/boot-sequence.md#iommu-open). */
	r = rproc_vfio_check_range(d->vfio, iova, size, &err);
	if (r < 0)
		goto fail;
	r = map_one(b, d, &m, &err);
	if (r == -EFAULT && rproc_vfio_kind(d->vfio) == RPROC_VFIO_IOMMUFD &&
	    b->cfg.iommu == RPROC_REAL_IOMMU_AUTO) {
		char reason[RPROC_ERROR_MAX];

		snprintf(reason, sizeof(reason), "%s", err.msg);
		memset(&err, 0, sizeof(err));
		r = fall_back_to_type1(b, d, reason, &err);
		if (r == 0)
			r = map_one(b, d, &m, &err);
	} else if (r == -EFAULT && rproc_vfio_kind(d->vfio) == RPROC_VFIO_IOMMUFD) {
		rproc_err_prefix(&err, r, "IOMMU=iommufd is forced; set it to auto or vfio-type1");
	}
	if (r < 0)
		goto fail;
	r = track(d, &m);
	if (r < 0) {
		rproc_vfio_unmap(d->vfio, iova, size, NULL);
		return r;
	}
	/* Neither VFIO nor iommufd can take MMIO (or NOEXEC): both map IOMMU_CACHE | R/W. */
	if (prot & RPROC_IOMMU_MMIO)
		rproc_log(RPROC_LOG_WARNING, d->core, "iommu", 0,
			  "[0x%llx, +0x%llx) asks for MMIO (flags 0x%x); %s maps it as normal "
			  "write-back cacheable memory (doc/iommu.md#attributes)",
			  (unsigned long long)pa, (unsigned long long)size, prot,
			  rproc_vfio_kind_name(rproc_vfio_kind(d->vfio)));
	return 0;
fail:
	rproc_log(RPROC_LOG_ERR, d->core, "iommu", r, "%s", err.msg);
	return r;
}

static int iommu_unmap(void *dom, uint64_t iova, uint64_t size)
{
	struct real_dev *d = dom;
	struct rproc_error err = { 0 };
	int r;

	if (!d->vfio)
		return -ENODEV;
	r = rproc_vfio_unmap(d->vfio, iova, size, &err);
	if (r < 0) {
		rproc_log(RPROC_LOG_ERR, d->core, "iommu", r, "%s", err.msg);
		return r;
	}
	for (size_t i = 0; i < d->n_maps; i++)
		if (d->maps[i].iova == iova && d->maps[i].size == size) {
			d->maps[i] = d->maps[--d->n_maps];
			break;
		}
	return 0;
}

static void iommu_close(void *dom)
{
	struct real_dev *d = dom;
	struct real_backend *b = d->b;

	/* Once copies of the fds sit in the fd store, a core the daemon lets go (it may still
	 * be running, or a new daemon may take it over) keeps its context: park it, so a later
	 * open reuses it instead of finding the group busy with the stored copy. */
	if (b->exported)
		return;
	pthread_mutex_lock(&b->lock);
	for (struct real_dev **p = &b->devs; *p; p = &(*p)->next)
		if (*p == d) {
			*p = d->next;
			break;
		}
	pthread_mutex_unlock(&b->lock);
	real_dev_free(d, false);
}

const struct rproc_iommu_ops real_iommu_ops = {
	.open = iommu_open,
	.iova_ranges = iommu_iova_ranges,
	.map = iommu_map,
	.unmap = iommu_unmap,
	.close = iommu_close,
};

