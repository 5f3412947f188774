// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What the real backend's ops share, below them: the record of each device (found and
 * waited for through devices.c, its VFIO context opened once, by whichever of the IOMMU and
 * interrupt ops comes first, re-adopted from the fd store when a predecessor left it there),
 * the adopted fds not yet claimed, and the CPU view of physical memory.  Nothing here calls
 * real.c, real-iommu.c or real-irq.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices.h"
#include "devmem.h"
#include "rproc/qcom-scm-shim.h"
#include "real-internal.h"

/* ---- devices ----------------------------------------------------------------------------- */

static enum rproc_vfio_kind vfio_kind(const struct real_backend *b)
{
	return b->cfg.iommu == RPROC_REAL_IOMMU_IOMMUFD ? RPROC_VFIO_IOMMUFD :
	       b->cfg.iommu == RPROC_REAL_IOMMU_TYPE1   ? RPROC_VFIO_TYPE1 : RPROC_VFIO_AUTO;
}

struct real_dev *real_dev_find(struct real_backend *b, const char *device)
{
	struct real_dev *found = NULL;

	pthread_mutex_lock(&b->lock);
	for (struct real_dev *d = b->devs; d && !found; d = d->next)
		if (!strcmp(d->device, device))
			found = d;
	pthread_mutex_unlock(&b->lock);
	return found;
}

int real_dev_open_vfio(struct real_backend *b, struct real_dev *d, enum rproc_vfio_kind kind,
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

/* VfioDevice= of @core: its bus into @bus, the device name returned (NULL: none). */
static const char *vfio_device(const struct real_backend *b, const char *core, char *bus,
			       size_t bus_len)
{
	for (size_t i = 0; i < b->cfg.n_vfio_devices; i++) {
		const char *dev = b->cfg.vfio_devices[i].device;
		const char *slash = strchr(dev, '/');

		if (strcmp(b->cfg.vfio_devices[i].core, core) || !slash)
			continue;
		snprintf(bus, bus_len, "%.*s", (int)(slash - dev), dev);
		return slash + 1;
	}
	return NULL;
}

int real_dev_open(struct real_backend *b, const struct rproc_desc *desc, struct real_dev **out)
{
	/* No shared struct udev: libudev objects must not be used from two threads, and cores
	 * open their contexts from their own worker threads. */
	struct rproc_dev_env env = {
		.sysfs_root = b->sysfs_root,
		.dev_root = b->dev_root,
	};
	struct rproc_dev_info info;
	struct rproc_error err = { 0 };
	const char *vfio_name;
	struct real_dev *d;
	char bus[32];
	int r;

	vfio_name = vfio_device(b, desc->name, bus, sizeof(bus));
	if (vfio_name)
		env.subsystem = bus;
	d = real_dev_find(b, desc->device);
	if (d && d->vfio) {
		*out = d;
		return 0;
	}
	if (!d) {
		d = calloc(1, sizeof(*d));
		if (!d)
			return -ENOMEM;
		snprintf(d->device, sizeof(d->device), "%s", desc->device);
		snprintf(d->core, sizeof(d->core), "%s", desc->name);
		d->vfio_elsewhere = vfio_name;
		if (vfio_name)
			rproc_log(RPROC_LOG_NOTICE, desc->name, "iommu", 0,
				  "VfioDevice=%s/%s: its IOMMU context stands in for %s's "
				  "(bring-up and tests only)", bus, vfio_name, desc->device);
		for (int i = 0; i < RPROC_IRQ_COUNT; i++)
			d->irq_fd[i] = -1;
		d->b = b;
		pthread_mutex_lock(&b->lock);
		d->next = b->devs;
		b->devs = d;
		pthread_mutex_unlock(&b->lock);
	}
	r = rproc_dev_wait(&env, vfio_name ? vfio_name : desc->device, b->cfg.device_timeout_ms,
			   &info, &err);
	if (r < 0) {
		rproc_log(RPROC_LOG_ERR, desc->name, "iommu", r, "%s", err.msg);
		return r;
	}
	snprintf(d->syspath, sizeof(d->syspath), "%s", info.syspath);
	r = real_dev_open_vfio(b, d, vfio_kind(b), &err);
	if (r < 0) {
		rproc_log(RPROC_LOG_ERR, desc->name, "iommu", r, "%s", err.msg);
		return r;
	}
	*out = d;
	return 0;
}

/* Unregister and close the interrupt eventfds of @d (@keep: as real_dev_free()). */
void real_dev_release_irqs(struct real_dev *d, bool keep)
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

/* @keep: leave the kernel state to the fd store's copies (only close our fds). */
void real_dev_free(struct real_dev *d, bool keep)
{
	real_dev_release_irqs(d, keep);
	if (keep)
		rproc_vfio_release(d->vfio);
	else
		rproc_vfio_close(d->vfio);
	free(d->maps);
	free(d);
}

/* ---- adopted fds ------------------------------------------------------------------------ */

/* Take the adopted fd named exactly @name (or -1). */
int real_claim_adopted(struct real_backend *b, const char *name)
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
int real_cpu_view(struct real_backend *b, uint64_t phys, uint64_t size, bool writable,
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
