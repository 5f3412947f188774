// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * VFIO device interrupts as eventfds (DOMAIN §5.4).  vfio-platform requests every IRQ at
 * probe with IRQF_NO_AUTOEN and enables one when a trigger eventfd is set (S15).
 */
#include <errno.h>
#include <linux/vfio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vfio.h"

int rproc_vfio_irq_info(int device_fd, uint32_t index, struct rproc_vfio_irq_info *info)
{
	struct vfio_irq_info i = { .argsz = sizeof(i), .index = index };

	if (ioctl(device_fd, VFIO_DEVICE_GET_IRQ_INFO, &i) < 0)
		return -errno;
	info->flags = i.flags;
	info->count = i.count;
	return 0;
}

int rproc_vfio_irq_set_eventfd(int device_fd, uint32_t index, int efd)
{
	struct {
		struct vfio_irq_set s;
		int32_t fd;
	} set;

	memset(&set, 0, sizeof(set));
	set.s.index = index;
	set.s.start = 0;
	if (efd >= 0) {
		set.s.argsz = sizeof(set);
		set.s.flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
		set.s.count = 1;
		set.fd = efd;
	} else {
		/* count 0 with DATA_NONE tears the trigger down. */
		set.s.argsz = sizeof(set.s);
		set.s.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER;
		set.s.count = 0;
	}
	return ioctl(device_fd, VFIO_DEVICE_SET_IRQS, &set) < 0 ? -errno : 0;
}

int rproc_vfio_irq_unmask(int device_fd, uint32_t index)
{
	struct vfio_irq_set s = {
		.argsz = sizeof(s),
		.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK,
		.index = index,
		.start = 0,
		.count = 1,
	};

	return ioctl(device_fd, VFIO_DEVICE_SET_IRQS, &s) < 0 ? -errno : 0;
}
