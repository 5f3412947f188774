// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * VFIO device interrupts as eventfds (doc/iommu.md#interrupts).
 * vfio-platform requests every IRQ at
 * probe with IRQF_NO_AUTOEN and enables one when a trigger eventfd is set
 * (doc/iommu.md#interrupts).
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
	/* struct vfio_irq_set ends in a flexible array: the eventfd goes right behind it. */
	uint8_t buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)] __attribute__((aligned(8)));
	struct vfio_irq_set *set = (struct vfio_irq_set *)buf;
	int32_t fd = efd;

	memset(buf, 0, sizeof(buf));
	set->index = index;
	set->start = 0;
	if (efd >= 0) {
		set->argsz = sizeof(buf);
		set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
		set->count = 1;
		memcpy(set->data, &fd, sizeof(fd));
	} else {
		/* count 0 with DATA_NONE tears the trigger down. */
		set->argsz = sizeof(*set);
		set->flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER;
		set->count = 0;
	}
	return ioctl(device_fd, VFIO_DEVICE_SET_IRQS, buf) < 0 ? -errno : 0;
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
