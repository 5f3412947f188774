/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Bus-agnostic VFIO DMA context: one device, opened by its sysfs path (a platform device such
 * as /sys/bus/platform/devices/30000000.remoteproc or a PCI function such as
 * /sys/bus/pci/devices/0000:00:03.0), attached to its own IOMMU domain through either
 *
 *  - iommufd + the VFIO device cdev (doc/iommu.md#iommufd), or
 *  - the legacy container/group with the type1v2 IOMMU (doc/iommu.md#vfio-type1).
 *
 * It maps caller-provided user VAs (or, with iommufd, file ranges) at fixed IOVAs, after
 * checking them against the usable IOVA ranges the kernel reports.  This is the layer the VM
 * tier drives with QEMU's edu device: keep it stable.  Stable API:
 * rproc_vfio_open/close/release/kind/kind_name/iova_ranges/check_range/map_va/map_file/unmap/
 * mapped/device_fd/export_fds/adopt and the rproc_vfio_irq_* helpers.
 *
 * The kernel keeps the IOMMU mappings while these fds stay open, even after the user VA is
 * unmapped (type1 for PFNMAP memory, doc/iommu.md#what-can-be-mapped),
 * which is why the caller may munmap right after a
 * map and why the fds go to the daemon's fd store across restarts.
 */
#ifndef RPROC_BACKEND_VFIO_H
#define RPROC_BACKEND_VFIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rproc/backend.h"
#include "rproc/error.h"
#include "util.h"

enum rproc_vfio_kind {
	RPROC_VFIO_AUTO,    /* iommufd when /dev/iommu and <dev>/vfio-dev/ exist (type1 if
			     * that fails), else type1 */
	RPROC_VFIO_IOMMUFD,
	RPROC_VFIO_TYPE1,
};

const char *rproc_vfio_kind_name(enum rproc_vfio_kind k);

struct rproc_vfio_config {
	enum rproc_vfio_kind kind;
	const char *dev_root; /* NULL or "" = "/dev"; tests point it elsewhere */
	const char *log_name; /* core name for log lines (may be NULL) */
};

struct rproc_vfio;

/*
 * rproc_vfio_open() - attach the device at @syspath to a fresh IOMMU domain and read its
 * usable IOVA ranges.  Every failure names the step and the fix (module, bind, group,
 * permissions, allow_unsafe_interrupts).  Nothing stays open on failure.
 */
int rproc_vfio_open(const char *syspath, const struct rproc_vfio_config *cfg,
		    struct rproc_vfio **out, struct rproc_error *err);

/* Tear down: unmap what is still mapped, detach, destroy, close.  NULL is fine. */
void rproc_vfio_close(struct rproc_vfio *v);

/*
 * Close the fds without undoing anything: for a daemon exiting while copies of the fds sit
 * in the service manager's fd store (the domain and its mappings live on in those copies;
 * the kernel tears them down when the last copy is closed).  NULL is fine.
 */
void rproc_vfio_release(struct rproc_vfio *v);

enum rproc_vfio_kind rproc_vfio_kind(const struct rproc_vfio *v);

/* The usable IOVA ranges (inclusive ends), read after attach. */
const struct rproc_iova_range *rproc_vfio_iova_ranges(const struct rproc_vfio *v, size_t *n);

/* 0 if [iova, iova + size) lies inside one usable range, else -ERANGE naming the ranges. */
int rproc_vfio_check_range(const struct rproc_vfio *v, uint64_t iova, uint64_t size,
			   struct rproc_error *err);

/*
 * rproc_vfio_map_va() - map the user memory at @va (@size bytes) at @iova with RPROC_IOMMU_*
 * @prot (READ/WRITE; other bits are not expressible through VFIO and are ignored).
 * iommufd returns -EFAULT for VM_PFNMAP memory (it cannot pin
 * it, doc/iommu.md#what-can-be-mapped): the caller decides
 * whether to fall back to type1.
 */
int rproc_vfio_map_va(struct rproc_vfio *v, uint64_t iova, void *va, uint64_t size,
		      uint32_t prot, struct rproc_error *err);

/* iommufd only (IOMMU_IOAS_MAP_FILE, 6.13+): map [@offset, +@size) of @fd at @iova. */
int rproc_vfio_map_file(struct rproc_vfio *v, uint64_t iova, int fd, uint64_t offset,
			uint64_t size, uint32_t prot, struct rproc_error *err);

int rproc_vfio_unmap(struct rproc_vfio *v, uint64_t iova, uint64_t size, struct rproc_error *err);

/* Number of mappings made through this context and not yet unmapped. */
size_t rproc_vfio_mapped(const struct rproc_vfio *v);

/* The VFIO device fd (regions, IRQs).  Owned by the context. */
int rproc_vfio_device_fd(const struct rproc_vfio *v);

/*
 * Re-adoption.  export: the fds holding the domain, named "<prefix>.<role>" with roles
 * container, group, iommufd, device and, for iommufd, "ioas<N>"/"dev<N>" suffixes carrying
 * the object ids.  The context keeps owning them.  adopt: rebuild a context from such fds
 * (taking ownership of those used) without touching the existing mappings.
 */
#define RPROC_VFIO_MAX_FDS 3
int rproc_vfio_export_fds(const struct rproc_vfio *v, const char *prefix,
			  struct rproc_fd_entry *out, size_t max, size_t *n);
int rproc_vfio_adopt(const char *syspath, const struct rproc_vfio_config *cfg, const char *prefix,
		     struct rproc_fd_entry *fds, size_t n_fds, struct rproc_vfio **out,
		     struct rproc_error *err);

/* ---- interrupts on the device fd (vfio-irq.c, doc/iommu.md#interrupts) ----------------------- */

struct rproc_vfio_irq_info {
	uint32_t flags; /* VFIO_IRQ_INFO_* (EVENTFD 1, MASKABLE 2, AUTOMASKED 4, NORESIZE 8) */
	uint32_t count;
};

/* VFIO_DEVICE_GET_IRQ_INFO for @index; -EINVAL when the device has no such IRQ. */
int rproc_vfio_irq_info(int device_fd, uint32_t index, struct rproc_vfio_irq_info *info);
/* Signal @efd when IRQ @index fires (DATA_EVENTFD|ACTION_TRIGGER); @efd -1 disables it. */
int rproc_vfio_irq_set_eventfd(int device_fd, uint32_t index, int efd);
/* Re-enable a level IRQ the kernel masked when it fired (AUTOMASKED). */
int rproc_vfio_irq_unmask(int device_fd, uint32_t index);

#endif
