// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iommufd + VFIO device cdev (doc/iommu.md#iommufd): bind the device to /dev/iommu, give it its
 * own IOAS, read the usable ranges after attach (they exclude every reserved region of the
 * attached device, e.g. the arm-smmu MSI window), map at fixed IOVAs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "compat/iommufd.h"
#include "compat/vfio-cdev.h"
#include "vfio-internal.h"

static const char unsafe_irq_fix[] =
	"the platform has no MSI isolation; allow it with iommufd.allow_unsafe_interrupts=1 "
	"(kernel command line, or echo 1 > /sys/module/iommufd/parameters/allow_unsafe_interrupts)";

int rproc_iommufd_read_ranges(struct rproc_vfio *v, struct rproc_error *err)
{
	struct iommu_ioas_iova_ranges q;
	_cleanup_free_ struct iommu_iova_range *buf = NULL;
	uint32_t cap = 4;

	/* EMSGSIZE reports how many entries are needed; the count can change between calls
	 * only if devices attach concurrently, so a few rounds suffice. */
	for (int round = 0; round < 4; round++) {
		free(buf);
		buf = calloc(cap, sizeof(*buf));
		if (!buf)
			return rproc_err(err, -ENOMEM, "%s: out of memory", v->name);
		q = (struct iommu_ioas_iova_ranges){
			.size = sizeof(q),
			.ioas_id = v->ioas_id,
			.num_iovas = cap,
			.allowed_iovas = (uintptr_t)buf,
		};
		if (ioctl(v->iommufd, IOMMU_IOAS_IOVA_RANGES, &q) == 0) {
			if (q.num_iovas > cap || !q.num_iovas)
				return rproc_err(err, -EPROTO,
						 "%s: IOMMU_IOAS_IOVA_RANGES returned %u "
						 "ranges",
						 v->name, q.num_iovas);
			free(v->ranges);
			v->ranges = calloc(q.num_iovas, sizeof(*v->ranges));
			if (!v->ranges)
				return rproc_err(err, -ENOMEM, "%s: out of memory", v->name);
			for (uint32_t i = 0; i < q.num_iovas; i++) {
				v->ranges[i].start = buf[i].start;
				v->ranges[i].last = buf[i].last;
			}
			v->n_ranges = q.num_iovas;
			v->pgsizes = q.out_iova_alignment;
			return 0;
		}
		if (errno != EMSGSIZE)
			return rproc_err(err, -errno, "%s: IOMMU_IOAS_IOVA_RANGES: %s", v->name,
					 strerror(errno));
		if (q.num_iovas <= cap || q.num_iovas > 4096)
			return rproc_err(err, -EPROTO,
					 "%s: IOMMU_IOAS_IOVA_RANGES: EMSGSIZE asking "
					 "for %u ranges",
					 v->name, q.num_iovas);
		cap = q.num_iovas;
	}
	return rproc_err(err, -EAGAIN, "%s: IOMMU_IOAS_IOVA_RANGES kept growing", v->name);
}

int rproc_iommufd_open(struct rproc_vfio *v, struct rproc_error *err)
{
	char cdev[32], rel[64], path[PATH_MAX], iommu[PATH_MAX];
	struct vfio_device_bind_iommufd bind;
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct vfio_device_attach_iommufd_pt attach;
	int r;

	r = rproc_vfio_cdev_of(v->syspath, cdev, sizeof(cdev));
	if (r < 0)
		return rproc_err(
		    err, r,
		    "%s: no VFIO device cdev (%s/vfio-dev/ missing): the kernel lacks "
		    "CONFIG_VFIO_DEVICE_CDEV or the device is not bound to a VFIO driver",
		    v->name, v->syspath);
	rproc_vfio_dev_path(v, "iommu", iommu, sizeof(iommu));
	v->iommufd = open(iommu, O_RDWR | O_CLOEXEC);
	if (v->iommufd < 0) {
		r = -errno;
		rproc_err(err, r, "%s: open %s: %s%s", v->name, iommu, strerror(-r),
			  r == -ENOENT ? ": the kernel lacks CONFIG_IOMMUFD (use vfio-type1)" : "");
		goto fail;
	}
	snprintf(rel, sizeof(rel), "vfio/devices/%s", cdev);
	rproc_vfio_dev_path(v, rel, path, sizeof(path));
	v->device = open(path, O_RDWR | O_CLOEXEC);
	if (v->device < 0) {
		r = -errno;
		rproc_err(err, r, "%s: open %s: %s%s", v->name, path, strerror(-r),
			  r == -EACCES ? ": fix the node's permissions (udev rule) or run as root" :
			  r == -EBUSY  ? ": the device is open elsewhere" : "");
		goto fail;
	}
	bind = (struct vfio_device_bind_iommufd){
		.argsz = RPROC_VFIO_BIND_ARGSZ,
		.iommufd = v->iommufd,
	};
	if (ioctl(v->device, VFIO_DEVICE_BIND_IOMMUFD, &bind) < 0) {
		r = -errno;
		if (r == -EPERM)
			rproc_err(err, r, "%s: VFIO_DEVICE_BIND_IOMMUFD: EPERM: %s", v->name,
				  unsafe_irq_fix);
		else if (r == -EBUSY)
			rproc_err(err, r,
				  "%s: VFIO_DEVICE_BIND_IOMMUFD: EBUSY: the group is in use "
				  "through the legacy container or by another process",
				  v->name);
		else
			rproc_err(err, r, "%s: VFIO_DEVICE_BIND_IOMMUFD: %s", v->name,
				  strerror(-r));
		goto fail;
	}
	v->devid = bind.out_devid;
	if (ioctl(v->iommufd, IOMMU_IOAS_ALLOC, &alloc) < 0) {
		r = -errno;
		rproc_err(err, r, "%s: IOMMU_IOAS_ALLOC: %s", v->name, strerror(-r));
		goto fail;
	}
	v->ioas_id = alloc.out_ioas_id;
	attach = (struct vfio_device_attach_iommufd_pt){
		.argsz = RPROC_VFIO_ATTACH_ARGSZ,
		.pt_id = v->ioas_id,
	};
	if (ioctl(v->device, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach) < 0) {
		r = -errno;
		rproc_err(err, r, "%s: VFIO_DEVICE_ATTACH_IOMMUFD_PT (ioas %u): %s%s%s", v->name,
			  v->ioas_id, strerror(-r), r == -EPERM ? ": " : "",
			  r == -EPERM ? unsafe_irq_fix : "");
		goto fail;
	}
	v->hwpt_id = attach.pt_id;
	r = rproc_iommufd_read_ranges(v, err);
	if (r < 0)
		goto fail;
	return 0;
fail:
	rproc_iommufd_close(v);
	return r;
}

void rproc_iommufd_close(struct rproc_vfio *v)
{
	if (v->device >= 0 && v->hwpt_id) {
		struct vfio_device_detach_iommufd_pt d = { .argsz = RPROC_VFIO_DETACH_ARGSZ };

		if (v->iommufd >= 0) {
			/* iova 0 + U64_MAX length: every mapping of the IOAS
			 * (doc/iommu.md#what-can-be-mapped), also those an
			 * adopted context does not know about; an empty IOAS is not an error. */
			struct iommu_ioas_unmap u = {
				.size = sizeof(u),
				.ioas_id = v->ioas_id,
				.iova = 0,
				.length = UINT64_MAX,
			};
			ioctl(v->iommufd, IOMMU_IOAS_UNMAP, &u);
		}
		ioctl(v->device, VFIO_DEVICE_DETACH_IOMMUFD_PT, &d);
		v->hwpt_id = 0;
	}
	if (v->iommufd >= 0 && v->ioas_id) {
		struct iommu_destroy d = { .size = sizeof(d), .id = v->ioas_id };

		ioctl(v->iommufd, IOMMU_DESTROY, &d);
		v->ioas_id = 0;
	}
	if (v->device >= 0)
		close(TAKE_FD(v->device));
	if (v->iommufd >= 0)
		close(TAKE_FD(v->iommufd));
	v->n_mapped = 0;
}

static uint32_t map_flags(uint32_t prot)
{
	return IOMMU_IOAS_MAP_FIXED_IOVA |
	       ((prot & RPROC_IOMMU_READ) ? IOMMU_IOAS_MAP_READABLE : 0) |
	       ((prot & RPROC_IOMMU_WRITE) ? IOMMU_IOAS_MAP_WRITEABLE : 0);
}

static int map_error(struct rproc_vfio *v, const char *what, uint64_t iova, uint64_t size, int r,
		     struct rproc_error *err)
{
	switch (r) {
	case -EFAULT:
		return rproc_err(err, r, "%s: %s 0x%" PRIx64 "+0x%" PRIx64 ": EFAULT: iommufd "
				 "cannot pin this memory (VM_PFNMAP / no-map carveout); use "
				 "vfio-type1 for this device", v->name, what, iova, size);
	case -EEXIST:
		return rproc_err(err, r, "%s: %s 0x%" PRIx64 "+0x%" PRIx64 ": overlaps an existing "
				 "mapping", v->name, what, iova, size);
	case -ENOMEM:
		return rproc_err(err, r,
				 "%s: %s 0x%" PRIx64 "+0x%" PRIx64 ": out of memory or over "
				 "RLIMIT_MEMLOCK (LimitMEMLOCK=)",
				 v->name, what, iova, size);
	case -ENOSPC:
		return rproc_err(err, r, "%s: %s 0x%" PRIx64 "+0x%" PRIx64 ": no room at that IOVA",
				 v->name, what, iova, size);
	default:
		return rproc_err(err, r, "%s: %s 0x%" PRIx64 "+0x%" PRIx64 ": %s", v->name, what,
				 iova, size, strerror(-r));
	}
}

int rproc_iommufd_map(struct rproc_vfio *v, uint64_t iova, void *va, uint64_t size,
		      uint32_t prot, struct rproc_error *err)
{
	struct iommu_ioas_map m = {
		.size = sizeof(m),
		.flags = map_flags(prot),
		.ioas_id = v->ioas_id,
		.user_va = (uintptr_t)va,
		.length = size,
		.iova = iova,
	};

	if (ioctl(v->iommufd, IOMMU_IOAS_MAP, &m) < 0)
		return map_error(v, "IOMMU_IOAS_MAP", iova, size, -errno, err);
	v->n_mapped++;
	return 0;
}

int rproc_iommufd_map_file(struct rproc_vfio *v, uint64_t iova, int fd, uint64_t offset,
			   uint64_t size, uint32_t prot, struct rproc_error *err)
{
	struct iommu_ioas_map_file m = {
		.size = sizeof(m),
		.flags = map_flags(prot),
		.ioas_id = v->ioas_id,
		.fd = fd,
		.start = offset,
		.length = size,
		.iova = iova,
	};

	if (ioctl(v->iommufd, IOMMU_IOAS_MAP_FILE, &m) < 0) {
		int r = -errno;

		/* ENOTTY: kernel before 6.13; EINVAL/ENODEV: a file type it cannot map. */
		if (r == -ENOTTY)
			return rproc_err(err, -EOPNOTSUPP, "%s: IOMMU_IOAS_MAP_FILE: not supported "
					 "by this kernel (6.13+)", v->name);
		return map_error(v, "IOMMU_IOAS_MAP_FILE", iova, size, r, err);
	}
	v->n_mapped++;
	return 0;
}

int rproc_iommufd_unmap(struct rproc_vfio *v, uint64_t iova, uint64_t size,
			struct rproc_error *err)
{
	struct iommu_ioas_unmap u = {
		.size = sizeof(u),
		.ioas_id = v->ioas_id,
		.iova = iova,
		.length = size,
	};

	if (ioctl(v->iommufd, IOMMU_IOAS_UNMAP, &u) < 0)
		return rproc_err(err, -errno,
				 "%s: IOMMU_IOAS_UNMAP 0x%" PRIx64 "+0x%" PRIx64 ": %s%s", v->name,
				 iova, size, strerror(errno),
				 errno == ENOENT   ? " (not mapped)"
				 : errno == EINVAL ? " (cuts an existing mapping)"
						   : "");
	if (u.length != size)
		return rproc_err(err, -ENOENT, "%s: IOMMU_IOAS_UNMAP 0x%" PRIx64 "+0x%" PRIx64
				 ": unmapped 0x%llx bytes", v->name, iova, size,
				 (unsigned long long)u.length);
	if (v->n_mapped)
		v->n_mapped--;
	return 0;
}
