// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The real backend: assembles the shim client, the VFIO DMA contexts, the carveout CPU view
 * and the interrupt sources into the ops tables of backend.h.
 *
 * Per device it keeps the list of IOMMU mappings it made, because iommufd cannot map the
 * PFNMAP carveout view (§5.1): the first -EFAULT makes that device fall back to type1, which
 * means a new domain, so everything mapped so far is mapped again there.
 */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/vfio.h>
#include <libudev.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "devices.h"
#include "devmem.h"
#include "qcom-scm-shim.h"
#include "real.h"
#include "shim.h"
#include "vfio.h"

struct real_map {
	uint64_t iova, pa, size;
	uint32_t prot;
};

enum irq_src { IRQ_NONE, IRQ_VFIO, IRQ_SHIM };

static const char *const irq_src_names[] = { [IRQ_NONE] = "", [IRQ_VFIO] = "vfio",
					     [IRQ_SHIM] = "shim" };

struct real_dev {
	struct real_dev *next;
	struct real_backend *b;
	char device[128];
	char core[32];
	char syspath[PATH_MAX];
	struct rproc_vfio *vfio;
	bool fell_back;
	struct real_map *maps;
	size_t n_maps, cap_maps;
	bool irq_open;
	int irq_fd[RPROC_IRQ_COUNT];
	enum irq_src irq_src[RPROC_IRQ_COUNT];
	bool irq_automasked[RPROC_IRQ_COUNT];
};

struct real_backend {
	struct rproc_backend pub;
	struct rproc_pas_ops pas;
	struct rproc_real_config cfg;
	char *shim_path, *sysfs_root, *dev_root, *devmem_path;
	struct rproc_shim *shim;
	struct udev *udev;
	struct real_dev *devs;
	struct rproc_fd_entry *adopted; /* fds from the store not yet claimed */
	size_t n_adopted;
	bool exported; /* copies of our fds are in the fd store: destroy must not undo state */
	/* Cores start in parallel worker threads: the device list and the adopted fds are
	 * shared.  Per-device work (wait, open, map) runs outside the lock: one core, one
	 * device. */
	pthread_mutex_t lock;
};

static const char *const irq_names[RPROC_IRQ_COUNT] = {
	[RPROC_IRQ_WDOG] = "wdog",
	[RPROC_IRQ_FATAL] = "fatal",
	[RPROC_IRQ_READY] = "ready",
	[RPROC_IRQ_HANDOVER] = "handover",
	[RPROC_IRQ_STOP_ACK] = "stop-ack",
};

/* ---- config ------------------------------------------------------------------------------ */

void rproc_real_config_defaults(struct rproc_real_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->iommu = RPROC_REAL_IOMMU_AUTO;
	cfg->carveout = RPROC_REAL_CARVEOUT_AUTO;
	cfg->device_timeout_ms = RPROC_REAL_DEVICE_TIMEOUT_MS;
}

int rproc_real_iommu_from_string(const char *s, enum rproc_real_iommu *out)
{
	if (!strcmp(s, "auto"))
		*out = RPROC_REAL_IOMMU_AUTO;
	else if (!strcmp(s, "iommufd"))
		*out = RPROC_REAL_IOMMU_IOMMUFD;
	else if (!strcmp(s, "vfio-type1") || !strcmp(s, "type1"))
		*out = RPROC_REAL_IOMMU_TYPE1;
	else
		return -EINVAL;
	return 0;
}

const char *rproc_real_iommu_to_string(enum rproc_real_iommu v)
{
	return v == RPROC_REAL_IOMMU_IOMMUFD ? "iommufd" :
	       v == RPROC_REAL_IOMMU_TYPE1   ? "vfio-type1" : "auto";
}

int rproc_real_carveout_from_string(const char *s, enum rproc_real_carveout *out)
{
	if (!strcmp(s, "auto"))
		*out = RPROC_REAL_CARVEOUT_AUTO;
	else if (!strcmp(s, "shim"))
		*out = RPROC_REAL_CARVEOUT_SHIM;
	else if (!strcmp(s, "devmem"))
		*out = RPROC_REAL_CARVEOUT_DEVMEM;
	else
		return -EINVAL;
	return 0;
}

const char *rproc_real_carveout_to_string(enum rproc_real_carveout v)
{
	return v == RPROC_REAL_CARVEOUT_SHIM   ? "shim" :
	       v == RPROC_REAL_CARVEOUT_DEVMEM ? "devmem" : "auto";
}

static enum rproc_vfio_kind vfio_kind(const struct real_backend *b)
{
	return b->cfg.iommu == RPROC_REAL_IOMMU_IOMMUFD ? RPROC_VFIO_IOMMUFD :
	       b->cfg.iommu == RPROC_REAL_IOMMU_TYPE1   ? RPROC_VFIO_TYPE1 : RPROC_VFIO_AUTO;
}

/* ---- adopted fds ------------------------------------------------------------------------ */

/* Take the adopted fd named exactly @name (or -1). */
static int claim_adopted(struct real_backend *b, const char *name)
{
	int fd = -1;

	pthread_mutex_lock(&b->lock);
	for (size_t i = 0; i < b->n_adopted && fd < 0; i++)
		if (b->adopted[i].fd >= 0 && !strcmp(b->adopted[i].name, name))
			fd = TAKE_FD(b->adopted[i].fd);
	pthread_mutex_unlock(&b->lock);
	return fd;
}

/* ---- carveout CPU view ------------------------------------------------------------------ */

static bool shim_mmap_ok(const struct real_backend *b)
{
	return b->cfg.carveout != RPROC_REAL_CARVEOUT_DEVMEM &&
	       rproc_shim_has(b->shim, QCOM_SCM_SHIM_CAP_MMAP);
}

/* Map [phys, +size) for the CPU; *wc says whether it is the write-combined shim view. */
static int cpu_view(struct real_backend *b, uint64_t phys, uint64_t size, bool writable,
		    void **va, bool *wc, struct rproc_error *err)
{
	int r = -EOPNOTSUPP;

	if (shim_mmap_ok(b)) {
		r = rproc_shim_mmap(b->shim, phys, size, writable, va);
		if (r == 0) {
			*wc = true;
			return 0;
		}
		if (b->cfg.carveout == RPROC_REAL_CARVEOUT_SHIM)
			return rproc_err(err, r, "shim mmap 0x%" PRIx64 "+0x%" PRIx64 ": %s", phys,
					 size, strerror(-r));
	} else if (b->cfg.carveout == RPROC_REAL_CARVEOUT_SHIM) {
		return rproc_err(err, -EOPNOTSUPP, "CarveoutAccess=shim, but the shim offers no "
				 "carveout mmap: update the shim or use devmem");
	}
	/* Not a carveout the shim knows (e.g. MMIO devmem), or no shim mmap: /dev/mem. */
	r = rproc_devmem_map(b->devmem_path, phys, size, writable, va, err);
	if (r == 0)
		*wc = false;
	return r;
}

static int mem_map(void *ctx, uint64_t phys, uint64_t size, bool writable, struct rproc_mem_map *m)
{
	struct real_backend *b = ctx;
	bool wc = false;
	void *va;
	int r;

	r = cpu_view(b, phys, size, writable, &va, &wc, NULL);
	if (r < 0)
		return r;
	*m = (struct rproc_mem_map){
		.va = va,
		.phys = phys,
		.size = size,
		.write_combined = wc,
	};
	return 0;
}

static void mem_unmap(void *ctx, struct rproc_mem_map *m)
{
	/* Right away: after AUTH_AND_RESET the region is XPU-locked and even a speculative
	 * access through a leftover view is fatal (§5.5). */
	if (m->va)
		munmap(m->va, (size_t)m->size);
	m->va = NULL;
}

static const struct rproc_mem_ops real_mem_ops = {
	.map = mem_map,
	.unmap = mem_unmap,
};

/* ---- IOMMU ------------------------------------------------------------------------------- */

static struct real_dev *dev_find(struct real_backend *b, const char *device)
{
	struct real_dev *found = NULL;

	pthread_mutex_lock(&b->lock);
	for (struct real_dev *d = b->devs; d && !found; d = d->next)
		if (!strcmp(d->device, device))
			found = d;
	pthread_mutex_unlock(&b->lock);
	return found;
}

static int dev_open_vfio(struct real_backend *b, struct real_dev *d, enum rproc_vfio_kind kind,
			 struct rproc_error *err)
{
	struct rproc_vfio_config vc = {
		.kind = kind,
		.dev_root = b->dev_root,
		.log_name = d->core,
	};

	int r = -ENOENT;

	pthread_mutex_lock(&b->lock);
	if (b->n_adopted)
		r = rproc_vfio_adopt(d->syspath, &vc, d->device, b->adopted, b->n_adopted, &d->vfio,
				     NULL);
	pthread_mutex_unlock(&b->lock);
	if (r == 0) {
		rproc_log(RPROC_LOG_INFO, d->core, "iommu", 0,
			  "%s: re-adopted the %s context from the fd store", d->device,
			  rproc_vfio_kind_name(rproc_vfio_kind(d->vfio)));
		return 0;
	}
	return rproc_vfio_open(d->syspath, &vc, &d->vfio, err);
}

static int iommu_open(void *ctx, const struct rproc_desc *desc, void **dom)
{
	struct real_backend *b = ctx;
	struct rproc_dev_env env = {
		.sysfs_root = b->sysfs_root,
		.dev_root = b->dev_root,
		.udev = b->udev,
	};
	struct rproc_dev_info info;
	struct rproc_error err = { 0 };
	struct real_dev *d;
	int r;

	d = dev_find(b, desc->device);
	if (d && d->vfio) {
		*dom = d;
		return 0;
	}
	if (!d) {
		d = calloc(1, sizeof(*d));
		if (!d)
			return -ENOMEM;
		snprintf(d->device, sizeof(d->device), "%s", desc->device);
		snprintf(d->core, sizeof(d->core), "%s", desc->name);
		for (int i = 0; i < RPROC_IRQ_COUNT; i++)
			d->irq_fd[i] = -1;
		d->b = b;
		pthread_mutex_lock(&b->lock);
		d->next = b->devs;
		b->devs = d;
		pthread_mutex_unlock(&b->lock);
	}
	r = rproc_dev_wait(&env, desc->device, b->cfg.device_timeout_ms, &info, &err);
	if (r < 0) {
		rproc_log(RPROC_LOG_ERR, desc->name, "iommu", r, "%s", err.msg);
		return r;
	}
	snprintf(d->syspath, sizeof(d->syspath), "%s", info.syspath);
	r = dev_open_vfio(b, d, vfio_kind(b), &err);
	if (r < 0) {
		rproc_log(RPROC_LOG_ERR, desc->name, "iommu", r, "%s", err.msg);
		return r;
	}
	*dom = d;
	return 0;
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
 * (type1 keeps PFNMAP mappings without the VMA, §5.3), so no CPU view outlives the call. */
static int map_one(struct real_backend *b, struct real_dev *d, const struct real_map *m,
		   struct rproc_error *err)
{
	bool wc;
	void *va;
	int r;

	if (rproc_vfio_kind(d->vfio) == RPROC_VFIO_IOMMUFD &&
	    rproc_shim_has(b->shim, QCOM_SCM_SHIM_CAP_CARVEOUT_FD)) {
		int fd;

		/* A file iommufd can pin (6.19+ dma-buf, §5.1); else the VA path below. */
		if (rproc_shim_carveout_fd(b->shim, m->pa, m->size, &fd) == 0) {
			r = rproc_vfio_map_file(d->vfio, m->iova, fd, 0, m->size, m->prot, err);
			close(fd);
			if (r == 0 || r == -ERANGE)
				return r;
		}
	}
	r = cpu_view(b, m->pa, m->size, true, &va, &wc, err);
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
	r = dev_open_vfio(b, d, RPROC_VFIO_TYPE1, err);
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
				  "%s: %s lost in the type1 fallback", d->device, irq_names[i]);
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
	 * say which ranges exist before touching anything (§7.0 step 7). */
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

static void irq_release(struct real_dev *d, bool keep);

/* @keep: leave the kernel state to the fd store's copies (only close our fds). */
static void dev_free(struct real_dev *d, bool keep)
{
	irq_release(d, keep);
	if (keep)
		rproc_vfio_release(d->vfio);
	else
		rproc_vfio_close(d->vfio);
	free(d->maps);
	free(d);
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
	dev_free(d, false);
}

static const struct rproc_iommu_ops real_iommu_ops = {
	.open = iommu_open,
	.iova_ranges = iommu_iova_ranges,
	.map = iommu_map,
	.unmap = iommu_unmap,
	.close = iommu_close,
};

/* ---- interrupts --------------------------------------------------------------------------- */

/* rproc_irq and the shim's QCOM_SCM_SHIM_IRQ_* share one order, that of the DT's
 * interrupt-names (§3.3), which is also the vfio-platform IRQ index (§5.4). */
static_assert(QCOM_SCM_SHIM_IRQ_WDOG == RPROC_IRQ_WDOG && QCOM_SCM_SHIM_IRQ_FATAL == RPROC_IRQ_FATAL &&
		      QCOM_SCM_SHIM_IRQ_READY == RPROC_IRQ_READY &&
		      QCOM_SCM_SHIM_IRQ_HANDOVER == RPROC_IRQ_HANDOVER &&
		      QCOM_SCM_SHIM_IRQ_STOP_ACK == RPROC_IRQ_STOP_ACK,
	      "irq order");

static void irq_release(struct real_dev *d, bool keep)
{
	struct real_backend *b = d->b;

	if (!d->irq_open)
		return;
	for (int i = 0; i < RPROC_IRQ_COUNT; i++) {
		if (keep)
			; /* the registrations live on with the stored fds */
		else if (d->irq_src[i] == IRQ_VFIO && d->vfio)
			rproc_vfio_irq_set_eventfd(rproc_vfio_device_fd(d->vfio), (uint32_t)i, -1);
		else if (d->irq_src[i] == IRQ_SHIM)
			rproc_shim_set_irq(b->shim, d->device, (uint32_t)i, -1);
		if (d->irq_fd[i] >= 0)
			close(d->irq_fd[i]);
		d->irq_fd[i] = -1;
		d->irq_src[i] = IRQ_NONE;
	}
	d->irq_open = false;
}

static int new_eventfd(void)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	return fd < 0 ? -errno : fd;
}

static int irq_from_vfio(struct real_dev *d, int i)
{
	struct rproc_vfio_irq_info info;
	int devfd = rproc_vfio_device_fd(d->vfio);
	int fd, r;

	if (devfd < 0 || rproc_vfio_irq_info(devfd, (uint32_t)i, &info) < 0 ||
	    !(info.flags & VFIO_IRQ_INFO_EVENTFD) || !info.count)
		return -ENOENT;
	fd = new_eventfd();
	if (fd < 0)
		return fd;
	r = rproc_vfio_irq_set_eventfd(devfd, (uint32_t)i, fd);
	if (r < 0) {
		close(fd);
		return r;
	}
	d->irq_fd[i] = fd;
	d->irq_src[i] = IRQ_VFIO;
	d->irq_automasked[i] = info.flags & VFIO_IRQ_INFO_AUTOMASKED;
	return 0;
}

static int irq_from_shim(struct real_dev *d, int i)
{
	int fd = new_eventfd(), r;

	if (fd < 0)
		return fd;
	r = rproc_shim_set_irq(d->b->shim, d->device, (uint32_t)i, fd);
	if (r < 0) {
		close(fd);
		return r;
	}
	d->irq_fd[i] = fd;
	d->irq_src[i] = IRQ_SHIM;
	return 0;
}

static int irq_open(void *ctx, const struct rproc_desc *desc, int fds[RPROC_IRQ_COUNT])
{
	struct real_backend *b = ctx;
	struct real_dev *d;
	void *dom;
	char missing[128] = "";
	int r;

	r = iommu_open(b, desc, &dom);
	if (r < 0)
		return r;
	d = dom;
	if (!d->irq_open) {
		for (int i = 0; i < RPROC_IRQ_COUNT; i++) {
			char name[64];

			/* Registered on the kept device/shim file: still armed. */
			for (int src = IRQ_VFIO; src <= IRQ_SHIM && d->irq_fd[i] < 0; src++) {
				snprintf(name, sizeof(name), "%s.irq.%s.%s", d->device,
					 irq_names[i], irq_src_names[src]);
				d->irq_fd[i] = claim_adopted(b, name);
				if (d->irq_fd[i] >= 0)
					d->irq_src[i] = (enum irq_src)src;
			}
			if (d->irq_src[i] == IRQ_VFIO) {
				struct rproc_vfio_irq_info info;

				if (rproc_vfio_irq_info(rproc_vfio_device_fd(d->vfio), (uint32_t)i,
							&info) == 0)
					d->irq_automasked[i] = info.flags & VFIO_IRQ_INFO_AUTOMASKED;
			}
			if (d->irq_fd[i] >= 0)
				continue;
			/* wdog is a GIC line vfio-platform can deliver; the SMP2P bits cannot
			 * come through vfio-platform (nested-threaded irqchip, §5.4) and come
			 * from the shim, with vfio as the last resort. */
			if (i == RPROC_IRQ_WDOG)
				r = irq_from_vfio(d, i) == 0 ? 0 : irq_from_shim(d, i);
			else
				r = irq_from_shim(d, i) == 0 ? 0 : irq_from_vfio(d, i);
			if (r < 0)
				snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing),
					 "%s%s", missing[0] ? ", " : "", irq_names[i]);
		}
		d->irq_open = true;
		if (missing[0])
			rproc_log(RPROC_LOG_WARNING, d->core, "irq", 0,
				  "%s: no source for %s (shim without SMP2P/wdog support, and "
				  "vfio-platform does not deliver them)", d->device, missing);
	}
	for (int i = 0; i < RPROC_IRQ_COUNT; i++)
		fds[i] = d->irq_fd[i];
	return 0;
}

static int irq_ack(void *ctx, const struct rproc_desc *desc, enum rproc_irq irq)
{
	struct real_dev *d = dev_find(ctx, desc->device);
	uint64_t v;

	if (!d || (unsigned int)irq >= RPROC_IRQ_COUNT || d->irq_fd[irq] < 0)
		return -ENOENT;
	if (read(d->irq_fd[irq], &v, sizeof(v)) < 0 && errno != EAGAIN)
		return -errno;
	/* Level interrupts come masked (AUTOMASKED): re-enable after consuming. */
	if (d->irq_src[irq] == IRQ_VFIO && d->irq_automasked[irq])
		return rproc_vfio_irq_unmask(rproc_vfio_device_fd(d->vfio), (uint32_t)irq);
	return 0;
}

static void irq_close(void *ctx, const struct rproc_desc *desc)
{
	struct real_backend *b = ctx;
	struct real_dev *d = dev_find(b, desc->device);

	/* Parked like the IOMMU context (see iommu_close): the stored eventfds stay armed. */
	if (d && !b->exported)
		irq_release(d, false);
}

static const struct rproc_irq_ops real_irq_ops = {
	.open = irq_open,
	.ack = irq_ack,
	.close = irq_close,
};

/* ---- PAS: degrade where the shim lacks an optional capability ------------------------------ */

static int bridge_create(void *ctx, uint64_t pa, uint64_t size, uint64_t *handle)
{
	struct rproc_shim *s = ctx;

	if (!rproc_shim_has(s, QCOM_SCM_SHIM_CAP_SHM_BRIDGE)) {
		/* What tzmem does without bridge mode: nothing, successfully (§2.5). */
		*handle = 0;
		return 0;
	}
	return rproc_shim_pas_ops.shm_bridge_create(ctx, pa, size, handle);
}

static int bridge_delete(void *ctx, uint64_t handle)
{
	struct rproc_shim *s = ctx;

	if (!rproc_shim_has(s, QCOM_SCM_SHIM_CAP_SHM_BRIDGE))
		return 0;
	return rproc_shim_pas_ops.shm_bridge_delete(ctx, handle);
}

static void setup_pas(struct real_backend *b)
{
	struct rproc_shim *s = b->shim;

	b->pas = rproc_shim_pas_ops;
	b->pas.shm_bridge_create = bridge_create;
	b->pas.shm_bridge_delete = bridge_delete;
	if (!rproc_shim_has(s, QCOM_SCM_SHIM_CAP_SHM_BRIDGE)) {
		rproc_log(RPROC_LOG_NOTICE, NULL, "shim", 0,
			  "the shim cannot create SHM bridges: AUTH_AND_RESET runs without one "
			  "(fine unless TZ is in bridge mode, §2.5)");
	}
	if (!rproc_shim_has(s, QCOM_SCM_SHIM_CAP_STOP_BIT)) {
		b->pas.stop_bit = NULL;
		rproc_log(RPROC_LOG_WARNING, NULL, "shim", 0,
			  "the shim has no SMP2P stop bit: stops shut down without the handshake");
	}
	if (!rproc_shim_has(s, QCOM_SCM_SHIM_CAP_PROXY_VOTE)) {
		b->pas.proxy_vote = b->pas.proxy_unvote = NULL;
		rproc_log(RPROC_LOG_WARNING, NULL, "shim", 0,
			  "the shim takes no proxy votes: the DSPs boot only if their power "
			  "domains, clocks and interconnect stay on (§3.5)");
	}
	if (!rproc_shim_has(s, QCOM_SCM_SHIM_CAP_SMEM)) {
		b->pas.crash_reason = NULL;
		b->pas.smem_read = NULL;
		rproc_log(RPROC_LOG_NOTICE, NULL, "shim", 0,
			  "the shim cannot read SMEM: no crash reasons, no minidumps");
	}
	if (!rproc_shim_has(s, QCOM_SCM_SHIM_CAP_RSCTABLE))
		rproc_log(RPROC_LOG_NOTICE, NULL, "shim", 0,
			  "the shim has no GET_RSCTABLE: device memory comes from qcom,devmem only");
	b->pub.pas = &b->pas;
	b->pub.pas_ctx = s;
}

/* ---- fd store ----------------------------------------------------------------------------- */

static int add_fd(struct rproc_fd_entry *out, size_t max, size_t *n, int fd, const char *name)
{
	if (fd < 0)
		return 0;
	if (*n >= max)
		return -ENOBUFS;
	snprintf(out[*n].name, sizeof(out[*n].name), "%s", name);
	out[*n].fd = fd;
	(*n)++;
	return 0;
}

static int real_export_fds(struct rproc_backend *pub, struct rproc_fd_entry *out, size_t max,
			   size_t *n)
{
	struct real_backend *b = (struct real_backend *)pub;
	int r;

	*n = 0;
	b->exported = true;
	r = add_fd(out, max, n, b->shim->fd, "shim");
	for (struct real_dev *d = b->devs; d && !r; d = d->next) {
		if (d->vfio)
			r = rproc_vfio_export_fds(d->vfio, d->device, out, max, n);
		for (int i = 0; i < RPROC_IRQ_COUNT && !r; i++) {
			char name[64];

			snprintf(name, sizeof(name), "%s.irq.%s.%s", d->device, irq_names[i],
				 irq_src_names[d->irq_src[i]]);
			r = add_fd(out, max, n, d->irq_fd[i], name);
		}
	}
	return r;
}

/* Names real_export_fds() and rproc_vfio_export_fds() produce: "<device>.<role>[...]". */
static bool ours(const char *name)
{
	static const char *const roles[] = { ".container", ".group", ".device", ".iommufd.ioas",
					     ".irq." };

	for (size_t i = 0; i < ARRAY_SIZE(roles); i++) {
		const char *p = strstr(name, roles[i]);

		if (p && p != name)
			return true;
	}
	return false;
}

static int real_adopt_fds(struct rproc_backend *pub, struct rproc_fd_entry *in, size_t n)
{
	struct real_backend *b = (struct real_backend *)pub;
	struct rproc_fd_entry *all;
	size_t taken = 0;

	pthread_mutex_lock(&b->lock);
	all = reallocarray(b->adopted, b->n_adopted + n, sizeof(*all));
	if (!all) {
		pthread_mutex_unlock(&b->lock);
		return -ENOMEM;
	}
	b->adopted = all;
	for (size_t i = 0; i < n; i++) {
		if (in[i].fd < 0)
			continue;
		if (!strcmp(in[i].name, "shim")) {
			/* Metadata, votes, the stop bit and irq registrations belong to the old
			 * open file: keep using it. */
			struct rproc_shim *s;

			if (rproc_shim_adopt(in[i].fd, &s, NULL) < 0)
				continue;
			rproc_shim_close(b->shim);
			b->shim = s;
			b->pub.pas_ctx = s;
			in[i].fd = -1;
			taken++;
			continue;
		}
		if (!ours(in[i].name))
			continue;
		b->adopted[b->n_adopted++] = in[i];
		in[i].fd = -1;
		taken++;
	}
	pthread_mutex_unlock(&b->lock);
	return (int)taken;
}

static void real_destroy(struct rproc_backend *pub)
{
	struct real_backend *b = (struct real_backend *)pub;

	while (b->devs) {
		struct real_dev *d = b->devs;

		b->devs = d->next;
		dev_free(d, b->exported);
	}
	for (size_t i = 0; i < b->n_adopted; i++)
		if (b->adopted[i].fd >= 0)
			close(b->adopted[i].fd);
	free(b->adopted);
	rproc_shim_close(b->shim);
	if (b->udev)
		udev_unref(b->udev);
	free(b->shim_path);
	free(b->sysfs_root);
	free(b->dev_root);
	free(b->devmem_path);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

static int dup_opt(const char *s, char **out)
{
	*out = NULL;
	if (!s || !s[0])
		return 0;
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}

int rproc_real_backend_new(const struct rproc_real_config *cfg, struct rproc_backend **out,
			   struct rproc_error *err)
{
	struct real_backend *b;
	int r;

	*out = NULL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return rproc_err(err, -ENOMEM, "out of memory");
	pthread_mutex_init(&b->lock, NULL);
	if (cfg)
		b->cfg = *cfg;
	else
		rproc_real_config_defaults(&b->cfg);
	if (b->cfg.device_timeout_ms < 0)
		b->cfg.device_timeout_ms = RPROC_REAL_DEVICE_TIMEOUT_MS;
	if (dup_opt(b->cfg.shim_path, &b->shim_path) < 0 ||
	    dup_opt(b->cfg.sysfs_root, &b->sysfs_root) < 0 ||
	    dup_opt(b->cfg.dev_root, &b->dev_root) < 0 ||
	    dup_opt(b->cfg.devmem_path, &b->devmem_path) < 0) {
		real_destroy(&b->pub);
		return rproc_err(err, -ENOMEM, "out of memory");
	}
	b->cfg.shim_path = b->shim_path;
	b->cfg.sysfs_root = b->sysfs_root;
	b->cfg.dev_root = b->dev_root;
	b->cfg.devmem_path = b->devmem_path;
	r = rproc_shim_open(b->shim_path, &b->shim, err);
	if (r < 0) {
		real_destroy(&b->pub);
		return r;
	}
	if (!b->sysfs_root) {
		b->udev = udev_new();
		if (!b->udev) {
			real_destroy(&b->pub);
			return rproc_err(err, -ENOMEM, "udev_new failed");
		}
	}
	setup_pas(b);
	b->pub.iommu = &real_iommu_ops;
	b->pub.iommu_ctx = b;
	b->pub.mem = &real_mem_ops;
	b->pub.mem_ctx = b;
	b->pub.irq = &real_irq_ops;
	b->pub.irq_ctx = b;
	b->pub.export_fds = real_export_fds;
	b->pub.adopt_fds = real_adopt_fds;
	b->pub.destroy = real_destroy;
	switch (b->cfg.iommu) {
	case RPROC_REAL_IOMMU_IOMMUFD:
		b->pub.name = "shim+iommufd";
		break;
	case RPROC_REAL_IOMMU_TYPE1:
		b->pub.name = "shim+vfio-type1";
		break;
	default:
		b->pub.name = "shim+vfio";
		break;
	}
	*out = &b->pub;
	return 0;
}
