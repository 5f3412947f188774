/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * VFIO device-cdev definitions (Linux 6.6+, doc/iommu.md#iommufd) for systems whose <linux/vfio.h>
 * predates them (Debian 12).  Only the leading, always-present fields are declared: the
 * kernel takes argsz as the caller's struct size, so these shorter forms stay valid on newer
 * kernels that appended fields (bind token, attach pasid).  Include this after <linux/vfio.h>.
 */
#ifndef RPROC_COMPAT_VFIO_CDEV_H
#define RPROC_COMPAT_VFIO_CDEV_H

#include <assert.h>
#include <linux/vfio.h>

#include "config.h"

#if !HAVE_VFIO_DEVICE_BIND_IOMMUFD
#define VFIO_DEVICE_BIND_IOMMUFD _IO(VFIO_TYPE, VFIO_BASE + 18)
#define VFIO_DEVICE_ATTACH_IOMMUFD_PT _IO(VFIO_TYPE, VFIO_BASE + 19)
#define VFIO_DEVICE_DETACH_IOMMUFD_PT _IO(VFIO_TYPE, VFIO_BASE + 20)

struct vfio_device_bind_iommufd {
	__u32 argsz;
	__u32 flags;
	__s32 iommufd;
	__u32 out_devid;
};

struct vfio_device_attach_iommufd_pt {
	__u32 argsz;
	__u32 flags;
	__u32 pt_id;
};

struct vfio_device_detach_iommufd_pt {
	__u32 argsz;
	__u32 flags;
};
#endif

/* The argsz rprocd passes: the first published layouts (no token, no pasid). */
#define RPROC_VFIO_BIND_ARGSZ 16u
#define RPROC_VFIO_ATTACH_ARGSZ 12u
#define RPROC_VFIO_DETACH_ARGSZ 8u

static_assert(sizeof(struct vfio_device_bind_iommufd) >= RPROC_VFIO_BIND_ARGSZ, "bind ABI");
static_assert(sizeof(struct vfio_device_attach_iommufd_pt) >= RPROC_VFIO_ATTACH_ARGSZ,
	      "attach ABI");
static_assert(sizeof(struct vfio_device_detach_iommufd_pt) >= RPROC_VFIO_DETACH_ARGSZ,
	      "detach ABI");
static_assert(VFIO_DEVICE_BIND_IOMMUFD == 0x3b76, "VFIO_DEVICE_BIND_IOMMUFD number");
static_assert(VFIO_DEVICE_ATTACH_IOMMUFD_PT == 0x3b77, "VFIO_DEVICE_ATTACH_IOMMUFD_PT number");

#endif
