/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The backend for real hardware: PAS calls, SMP2P, SMEM and the carveout's CPU view through
 * the qcom-scm shim (qcom-scm-shim.h), the SMMU through VFIO (iommufd + device cdev, or the
 * legacy type1 container), the watchdog interrupt through vfio-platform, devices found and
 * diagnosed with libudev.
 */
#ifndef RPROC_REAL_H
#define RPROC_REAL_H

#include <stdbool.h>

#include <rproc/backend.h>
#include <rproc/error.h>

enum rproc_real_iommu {
	RPROC_REAL_IOMMU_AUTO,    /* iommufd where /dev/iommu and the cdev exist, else type1 */
	RPROC_REAL_IOMMU_IOMMUFD, /* iommufd only: no fallback */
	RPROC_REAL_IOMMU_TYPE1,   /* legacy container/group */
};

enum rproc_real_carveout {
	RPROC_REAL_CARVEOUT_AUTO,   /* the shim's write-combined mmap when offered, else /dev/mem */
	RPROC_REAL_CARVEOUT_SHIM,
	RPROC_REAL_CARVEOUT_DEVMEM,
};

#define RPROC_REAL_DEVICE_TIMEOUT_MS 10000

/*
 * Bring-up and tests only (rprocd.conf VfioDevice=): the device whose IOMMU context rprocd
 * programs for core @core instead of the core's own platform device, as "<bus>/<name>"
 * (e.g. "pci/0000:00:02.0", bound to its VFIO driver).  The PAS calls, carveout, SMP2P and
 * SMEM still go to the core's PAS node through the shim; only the SMMU side moves, and that
 * device's interrupts are not taken for the core's.
 */
struct rproc_real_vfio_device {
	const char *core;
	const char *device;
};

struct rproc_real_config {
	enum rproc_real_iommu iommu;
	enum rproc_real_carveout carveout;
	const char *shim_path;   /* NULL: QCOM_SCM_SHIM_DEVICE (/dev/qcom_scm_shim) */
	const char *sysfs_root;  /* NULL: /sys through libudev (tests: a fake tree) */
	const char *dev_root;    /* NULL: /dev */
	const char *devmem_path; /* NULL: /dev/mem */
	int device_timeout_ms;   /* wait for a late device; < 0: RPROC_REAL_DEVICE_TIMEOUT_MS */
	const struct rproc_real_vfio_device *vfio_devices; /* copied by rproc_real_backend_new() */
	size_t n_vfio_devices;
};

void rproc_real_config_defaults(struct rproc_real_config *cfg);

/* "auto" / "iommufd" / "vfio-type1" (also "type1"); -EINVAL for anything else. */
int rproc_real_iommu_from_string(const char *s, enum rproc_real_iommu *out);
const char *rproc_real_iommu_to_string(enum rproc_real_iommu v);
/* "auto" / "shim" / "devmem". */
int rproc_real_carveout_from_string(const char *s, enum rproc_real_carveout *out);
const char *rproc_real_carveout_to_string(enum rproc_real_carveout v);

/*
 * Restarts (backend.h export_fds/adopt_fds): once export_fds() has been called, the backend
 * assumes copies of its fds are in the service manager's fd store and never undoes kernel
 * state on its own: iommu->close and irq->close park the device's context (a later open
 * reuses it), and destroy only closes its own fds.  The kernel tears a context down when the
 * last copy is closed, so a daemon that really lets a device go removes that device's
 * entries ("<device>." prefix) from the store.
 */

/*
 * rproc_real_backend_new() - open the shim (its version and capabilities are checked; missing
 * optional ones are logged once and the matching ops left NULL) and build the backend.
 * Devices are looked up lazily, when the lifecycle opens a core's IOMMU context.
 * Release with rproc_backend_destroy().
 */
int rproc_real_backend_new(const struct rproc_real_config *cfg, struct rproc_backend **out,
			   struct rproc_error *err);

#endif
