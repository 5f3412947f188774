// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Legacy VFIO container + group with the type1v2 IOMMU
 * (doc/iommu.md#vfio-type1).  This is the path that
 * can map a VM_PFNMAP view of a no-map carveout: type1 resolves PFNs of reserved pages instead
 * of pinning them, and keeps the IOMMU mapping after the user VA is gone.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vfio-internal.h"

static int open_container(struct rproc_vfio *v, struct rproc_error *err)
{
	char path[PATH_MAX];
	int r;

	rproc_vfio_dev_path(v, "vfio/vfio", path, sizeof(path));
	v->container = open(path, O_RDWR | O_CLOEXEC);
	if (v->container < 0) {
		r = -errno;
		if (r == -ENOENT)
			return rproc_err(err, r,
					 "%s: %s missing: load the vfio module (modprobe vfio)",
					 v->name, path);
		return rproc_err(err, r,
				 "%s: open %s: %s%s", v->name, path, strerror(-r),
				 r == -EACCES ? ": run rprocd as root or grant it the device node"
					      : "");
	}
	r = ioctl(v->container, VFIO_GET_API_VERSION);
	if (r != VFIO_API_VERSION)
		return rproc_err(err, -EINVAL, "%s: %s speaks VFIO API %d, rprocd needs %d",
				 v->name, path, r, VFIO_API_VERSION);
	r = ioctl(v->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU);
	if (r <= 0)
		return rproc_err(
		    err, -EOPNOTSUPP,
		    "%s: the kernel has no VFIO type1v2 IOMMU: modprobe vfio_iommu_type1 "
		    "(or use iommufd)",
		    v->name);
	return 0;
}

static int open_group(struct rproc_vfio *v, struct rproc_error *err)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	char path[PATH_MAX], rel[32], members[512];
	int r;

	r = rproc_vfio_group_of(v->syspath, &v->group_id);
	if (r < 0)
		return rproc_err(
		    err, r,
		    "%s: no IOMMU group (%s/iommu_group missing): the DT node needs "
		    "`iommus` (EL2 overlay) and the device must be bound to a VFIO driver "
		    "(on DT platforms the group appears at probe)",
		    v->name, v->syspath);
	snprintf(rel, sizeof(rel), "vfio/%d", v->group_id);
	rproc_vfio_dev_path(v, rel, path, sizeof(path));
	v->group = open(path, O_RDWR | O_CLOEXEC);
	if (v->group < 0) {
		r = -errno;
		if (r == -ENOENT)
			return rproc_err(err, r,
					 "%s: %s missing: the device is not bound to a VFIO driver "
					 "(echo vfio-platform > %s/driver_override; echo %s > "
					 "/sys/bus/platform/drivers_probe)",
					 v->name, path, v->syspath, v->name);
		if (r == -EBUSY)
			return rproc_err(
			    err, r,
			    "%s: %s is busy: another process (or an earlier rprocd) holds "
			    "the group, or the device is bound through iommufd",
			    v->name, path);
		return rproc_err(err, r, "%s: open %s: %s%s", v->name, path, strerror(-r),
				 r == -EACCES
				     ? ": fix the node's permissions (udev rule) or run as "
				       "root"
				     : "");
	}
	if (ioctl(v->group, VFIO_GROUP_GET_STATUS, &st) < 0)
		return rproc_err(err, -errno, "%s: VFIO_GROUP_GET_STATUS on %s: %s", v->name, path,
				 strerror(errno));
	if (!(st.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		rproc_vfio_group_offenders(v->syspath, members, sizeof(members));
		return rproc_err(
		    err, -EBUSY,
		    "%s: IOMMU group %d is not viable: every device in it must be bound "
		    "to a VFIO driver or to none; bound elsewhere: %s",
		    v->name, v->group_id, members[0] ? members : "(none listed)");
	}
	if (ioctl(v->group, VFIO_GROUP_SET_CONTAINER, &v->container) < 0)
		return rproc_err(err, -errno, "%s: VFIO_GROUP_SET_CONTAINER (group %d): %s",
				 v->name, v->group_id, strerror(errno));
	v->group_set = true;
	return 0;
}

/* Walk the capability chain for the IOVA-range capability; bounds-checked: it is kernel
 * output but a wrong offset must not make us read outside our buffer. */
static int parse_caps(struct rproc_vfio *v, const uint8_t *buf, uint32_t len,
		      struct rproc_error *err)
{
	const struct vfio_iommu_type1_info *info = (const void *)buf;
	uint32_t off = (info->flags & VFIO_IOMMU_INFO_CAPS) ? info->cap_offset : 0;
	unsigned int hops = 0;

	while (off) {
		struct vfio_info_cap_header h;

		if (off < sizeof(*info) || !range_within(off, sizeof(h), len) || ++hops > 64)
			return rproc_err(err, -EPROTO, "%s: VFIO_IOMMU_GET_INFO: bad capability "
					 "chain at offset %u", v->name, off);
		memcpy(&h, buf + off, sizeof(h));
		if (h.id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
			struct vfio_iommu_type1_info_cap_iova_range cap;
			uint64_t bytes;

			if (!range_within(off, sizeof(cap), len))
				return rproc_err(err, -EPROTO,
						 "%s: truncated IOVA-range capability", v->name);
			memcpy(&cap, buf + off, sizeof(cap));
			bytes = (uint64_t)cap.nr_iovas * sizeof(struct vfio_iova_range);
			if (!cap.nr_iovas || !range_within(off + sizeof(cap), bytes, len))
				return rproc_err(err, -EPROTO, "%s: IOVA-range capability with %u "
						 "ranges does not fit", v->name, cap.nr_iovas);
			free(v->ranges);
			v->ranges = calloc(cap.nr_iovas, sizeof(*v->ranges));
			if (!v->ranges)
				return rproc_err(err, -ENOMEM, "%s: out of memory", v->name);
			for (uint32_t i = 0; i < cap.nr_iovas; i++) {
				struct vfio_iova_range r;

				memcpy(&r, buf + off + sizeof(cap) + i * sizeof(r), sizeof(r));
				v->ranges[i].start = r.start;
				v->ranges[i].last = r.end;
			}
			v->n_ranges = cap.nr_iovas;
			return 0;
		}
		if (h.next && h.next <= off)
			return rproc_err(err, -EPROTO, "%s: capability chain loops at %u", v->name,
					 off);
		off = h.next;
	}
	/* Kernels before 5.4 have no IOVA-range capability: everything is usable. */
	free(v->ranges);
	v->ranges = calloc(1, sizeof(*v->ranges));
	if (!v->ranges)
		return rproc_err(err, -ENOMEM, "%s: out of memory", v->name);
	v->ranges[0].start = 0;
	v->ranges[0].last = UINT64_MAX;
	v->n_ranges = 1;
	rproc_log(RPROC_LOG_NOTICE, v->log_name[0] ? v->log_name : NULL, "vfio", 0,
		  "%s: no IOVA-range capability: assuming the whole IOVA space is usable", v->name);
	return 0;
}

int rproc_type1_read_ranges(struct rproc_vfio *v, struct rproc_error *err)
{
	struct vfio_iommu_type1_info first = { .argsz = sizeof(first) };
	_cleanup_free_ uint8_t *buf = NULL;
	uint32_t len;

	if (ioctl(v->container, VFIO_IOMMU_GET_INFO, &first) < 0)
		return rproc_err(err, -errno, "%s: VFIO_IOMMU_GET_INFO: %s", v->name,
				 strerror(errno));
	v->pgsizes = (first.flags & VFIO_IOMMU_INFO_PGSIZES) ? first.iova_pgsizes : 0;
	/* The kernel reports the size the capabilities need in argsz: call again with it. */
	len = first.argsz > sizeof(first) ? first.argsz : sizeof(first);
	if (len > (1u << 20))
		return rproc_err(err, -EPROTO, "%s: VFIO_IOMMU_GET_INFO wants %u bytes", v->name,
				 len);
	buf = calloc(1, len);
	if (!buf)
		return rproc_err(err, -ENOMEM, "%s: out of memory", v->name);
	if (len > sizeof(first)) {
		struct vfio_iommu_type1_info *info = (void *)buf;

		info->argsz = len;
		if (ioctl(v->container, VFIO_IOMMU_GET_INFO, info) < 0)
			return rproc_err(err, -errno, "%s: VFIO_IOMMU_GET_INFO (%u bytes): %s",
					 v->name, len, strerror(errno));
		if (info->argsz > len)
			return rproc_err(err, -EPROTO, "%s: VFIO_IOMMU_GET_INFO grew to %u bytes",
					 v->name, info->argsz);
	} else {
		memcpy(buf, &first, sizeof(first));
	}
	return parse_caps(v, buf, len, err);
}

int rproc_type1_open(struct rproc_vfio *v, struct rproc_error *err)
{
	int r;

	r = open_container(v, err);
	if (r < 0)
		goto fail;
	r = open_group(v, err);
	if (r < 0)
		goto fail;
	if (ioctl(v->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) < 0) {
		r = -errno;
		if (r == -EPERM)
			rproc_err(
			    err, r,
			    "%s: VFIO_SET_IOMMU(type1v2): EPERM: the platform has no MSI "
			    "isolation; allow it with vfio_iommu_type1.allow_unsafe_interrupts=1 "
			    "(kernel command line, or echo 1 > "
			    "/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts)",
			    v->name);
		else
			rproc_err(err, r, "%s: VFIO_SET_IOMMU(type1v2): %s", v->name, strerror(-r));
		goto fail;
	}
	r = rproc_type1_read_ranges(v, err);
	if (r < 0)
		goto fail;
	v->device = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, v->name);
	if (v->device < 0) {
		r = -errno;
		rproc_err(err, r, "%s: VFIO_GROUP_GET_DEVICE_FD: %s%s", v->name, strerror(-r),
			  r == -EBUSY ? ": the device is open elsewhere" : "");
		goto fail;
	}
	return 0;
fail:
	rproc_type1_close(v);
	return r;
}

void rproc_type1_close(struct rproc_vfio *v)
{
	/* Closing the last group fd detaches it from the container, which drops every
	 * mapping; unset explicitly so the order does not depend on fd close order. */
	if (v->device >= 0)
		close(TAKE_FD(v->device));
	if (v->group >= 0) {
		if (v->group_set)
			ioctl(v->group, VFIO_GROUP_UNSET_CONTAINER);
		v->group_set = false;
		close(TAKE_FD(v->group));
	}
	if (v->container >= 0)
		close(TAKE_FD(v->container));
	v->n_mapped = 0;
}

int rproc_type1_map(struct rproc_vfio *v, uint64_t iova, void *va, uint64_t size, uint32_t prot,
		    struct rproc_error *err)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.flags = ((prot & RPROC_IOMMU_READ) ? VFIO_DMA_MAP_FLAG_READ : 0) |
			 ((prot & RPROC_IOMMU_WRITE) ? VFIO_DMA_MAP_FLAG_WRITE : 0),
		.vaddr = (uintptr_t)va,
		.iova = iova,
		.size = size,
	};
	int r;

	if (ioctl(v->container, VFIO_IOMMU_MAP_DMA, &m) < 0) {
		r = -errno;
		switch (r) {
		case -EEXIST:
			return rproc_err(err, r, "%s: VFIO_IOMMU_MAP_DMA 0x%" PRIx64 "+0x%" PRIx64
					 ": overlaps an existing mapping", v->name, iova, size);
		case -EFAULT:
			return rproc_err(err, r, "%s: VFIO_IOMMU_MAP_DMA 0x%" PRIx64 "+0x%" PRIx64
					 ": the kernel refused the pages (not reserved memory, or "
					 "/dev/vfio/vfio is iommufd's compatibility container)",
					 v->name, iova, size);
		case -ENOSPC:
			return rproc_err(err, r, "%s: VFIO_IOMMU_MAP_DMA: too many mappings: raise "
					 "vfio_iommu_type1.dma_entry_limit", v->name);
		case -ENOMEM:
			return rproc_err(err, r, "%s: VFIO_IOMMU_MAP_DMA 0x%" PRIx64 "+0x%" PRIx64
					 ": out of memory or over RLIMIT_MEMLOCK (LimitMEMLOCK=)",
					 v->name, iova, size);
		case -EINVAL:
			return rproc_err(err, r, "%s: VFIO_IOMMU_MAP_DMA 0x%" PRIx64 "+0x%" PRIx64
					 ": rejected (alignment to the IOMMU page sizes 0x%" PRIx64
					 "?)", v->name, iova, size, v->pgsizes);
		default:
			return rproc_err(err, r, "%s: VFIO_IOMMU_MAP_DMA 0x%" PRIx64 "+0x%" PRIx64
					 ": %s", v->name, iova, size, strerror(-r));
		}
	}
	v->n_mapped++;
	return 0;
}

int rproc_type1_unmap(struct rproc_vfio *v, uint64_t iova, uint64_t size,
		      struct rproc_error *err)
{
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u),
		.iova = iova,
		.size = size,
	};

	if (ioctl(v->container, VFIO_IOMMU_UNMAP_DMA, &u) < 0)
		return rproc_err(err, -errno, "%s: VFIO_IOMMU_UNMAP_DMA 0x%" PRIx64 "+0x%" PRIx64
				 ": %s", v->name, iova, size, strerror(errno));
	/* The kernel reports how much it unmapped; less means a partial overlap. */
	if (u.size != size)
		return rproc_err(err, -ENOENT, "%s: VFIO_IOMMU_UNMAP_DMA 0x%" PRIx64 "+0x%" PRIx64
				 ": unmapped 0x%llx bytes (not mapped as one range)", v->name, iova,
				 size, (unsigned long long)u.size);
	if (v->n_mapped)
		v->n_mapped--;
	return 0;
}
