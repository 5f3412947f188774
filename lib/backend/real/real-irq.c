// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Interrupts of the real backend: wdog through vfio-platform (a GIC line), the SMP2P bits
 * (fatal, ready, handover, stop-ack) through the shim, each as an eventfd
 * (doc/boot-sequence.md#interrupts-and-timeouts, doc/iommu.md#vfio-platform).
 */
#include <assert.h>
#include <sys/eventfd.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "devices.h"
#include "rproc/qcom-scm-shim.h"
#include "real-internal.h"
#include "string-table.h"

static const char *const irq_src_table[_IRQ_SRC_MAX] = {
	[IRQ_NONE] = "",
	[IRQ_VFIO] = "vfio",
	[IRQ_SHIM] = "shim",
};
DEFINE_STRING_TABLE_LOOKUP_TO_STRING_STATIC(irq_src, enum irq_src);

void real_irq_fd_name(char *buf, size_t len, const struct real_dev *d, enum rproc_irq irq,
		      enum irq_src src)
{
	snprintf(buf, len, "%s.irq.%s.%s", d->device, rproc_irq_name(irq), irq_src_to_string(src));
}

/* rproc_irq and the shim's QCOM_SCM_SHIM_IRQ_* share one order, that of the DT's
 * interrupt-names (doc/boot-sequence.md#interrupts-and-timeouts), which is also the vfio-platform
 * IRQ index (doc/iommu.md#interrupts). */
static_assert(QCOM_SCM_SHIM_IRQ_WDOG == RPROC_IRQ_WDOG &&
		      QCOM_SCM_SHIM_IRQ_FATAL == RPROC_IRQ_FATAL &&
		      QCOM_SCM_SHIM_IRQ_READY == RPROC_IRQ_READY &&
		      QCOM_SCM_SHIM_IRQ_HANDOVER == RPROC_IRQ_HANDOVER &&
		      QCOM_SCM_SHIM_IRQ_STOP_ACK == RPROC_IRQ_STOP_ACK,
	      "irq order");

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

	/* A VfioDevice= stand-in's interrupts are its own, not the PAS node's. */
	if (d->vfio_elsewhere)
		return -ENOENT;
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
	char missing[128] = "";
	int r;

	r = real_dev_open(b, desc, &d);
	if (r < 0)
		return r;
	if (!d->irq_open) {
		for (int i = 0; i < RPROC_IRQ_COUNT; i++) {
			char name[64];

			/* Registered on the kept device/shim file: still armed. */
			for (int src = IRQ_VFIO; src <= IRQ_SHIM && d->irq_fd[i] < 0; src++) {
				real_irq_fd_name(name, sizeof(name), d, i, src);
				d->irq_fd[i] = real_claim_adopted(b, name);
				if (d->irq_fd[i] >= 0)
					d->irq_src[i] = (enum irq_src)src;
			}
			if (d->irq_src[i] == IRQ_VFIO) {
				struct rproc_vfio_irq_info info;

				if (rproc_vfio_irq_info(rproc_vfio_device_fd(d->vfio), (uint32_t)i,
							&info) == 0)
					d->irq_automasked[i] =
					    info.flags & VFIO_IRQ_INFO_AUTOMASKED;
			}
			if (d->irq_fd[i] >= 0)
				continue;
			/* wdog is a GIC line vfio-platform can deliver; the SMP2P bits cannot
			 * come through vfio-platform (nested-threaded
			 * irqchip, doc/iommu.md#interrupts) and come
			 * from the shim, with vfio as the last resort. */
			if (i == RPROC_IRQ_WDOG)
				r = irq_from_vfio(d, i) == 0 ? 0 : irq_from_shim(d, i);
			else
				r = irq_from_shim(d, i) == 0 ? 0 : irq_from_vfio(d, i);
			if (r < 0)
				snprintf(missing + strlen(missing),
					 sizeof(missing) - strlen(missing), "%s%s",
					 missing[0] ? ", " : "", rproc_irq_name(i));
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
	struct real_dev *d = real_dev_find(ctx, desc->device);
	uint64_t v;

	if (!d || (unsigned int)irq >= RPROC_IRQ_COUNT || d->irq_fd[irq] < 0)
		return -ENOENT;
	/* Nothing pending is -EAGAIN: the caller must not count it as an interrupt. */
	if (read(d->irq_fd[irq], &v, sizeof(v)) < 0)
		return -errno;
	/* Level interrupts come masked (AUTOMASKED): re-enable after consuming. */
	if (d->irq_src[irq] == IRQ_VFIO && d->irq_automasked[irq])
		return rproc_vfio_irq_unmask(rproc_vfio_device_fd(d->vfio), (uint32_t)irq);
	return 0;
}

static void irq_close(void *ctx, const struct rproc_desc *desc)
{
	struct real_backend *b = ctx;
	struct real_dev *d = real_dev_find(b, desc->device);

	/* Parked like the IOMMU context (see iommu_close): the stored eventfds stay armed. */
	if (d && !b->exported)
		real_dev_release_irqs(d, false);
}

const struct rproc_irq_ops real_irq_ops = {
	.open = irq_open,
	.ack = irq_ack,
	.close = irq_close,
};

