/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `rprocd --check` / `rprocctl check`: a self-test a user runs on a new board.  It looks at
 * the kernel features (VFIO, vfio-platform and its reset_required, type1, iommufd, the device
 * cdev), EL2 (PAS nodes with `iommus`), and per core the device binding and group, the
 * carveouts (no-map, inside the usable IOVA ranges), the shim, the firmware files, and says
 * which backend each core would get.  Every line is ok/warn/fail with the fix.
 *
 * The library does not print: the daemon and the CLI format the report.
 */
#ifndef RPROC_CHECK_H
#define RPROC_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include <rproc/dt.h>
#include <rproc/fw.h>
#include <rproc/real.h>

enum rproc_check_level {
	RPROC_CHECK_OK,
	RPROC_CHECK_WARN,
	RPROC_CHECK_FAIL,
};

const char *rproc_check_level_name(enum rproc_check_level l); /* "ok", "warn", "fail" */

struct rproc_check_line {
	enum rproc_check_level level;
	char subject[64];  /* "kernel", "el2", "shim", or a core name */
	char message[768];
	char fix[768];     /* "" when there is nothing to do */
};

struct rproc_check_core {
	char name[32];
	bool enabled;
	bool startable;
	char backend[64]; /* "shim+vfio-type1", "shim+iommufd", "kernel-managed", "none" */
};

struct rproc_check_report {
	size_t n_lines;
	struct rproc_check_line *lines;
	size_t n_cores;
	struct rproc_check_core *cores;
	size_t n_fail, n_warn;
	bool all_startable; /* every enabled core can be started: `--check` exits 0 */
};

struct rproc_check_config {
	const char *sysfs_root;  /* NULL: /sys (through libudev for devices) */
	const char *dev_root;    /* NULL: /dev */
	const char *shim_path;   /* NULL: <dev_root>/qcom_scm_shim */
	enum rproc_real_iommu iommu;
	const struct rproc_fw_search *search;
	/* Open each ready core's IOMMU context to read the real IOVA ranges.  This claims the
	 * device for a moment: leave it false while rprocd runs. */
	bool open_contexts;
	/* Per core, the firmware name to look for instead of the DT/table one (NULL: none). */
	const char *(*firmware_override)(void *userdata, const char *core);
	void *userdata;
	/* Per core, the PAS id from the configuration (< 0: none).  NULL: none. */
	int (*pas_id_override)(void *userdata, const char *core);
	/* Per core, VfioDevice= ("<bus>/<name>", rproc_real_vfio_device) or NULL: the device
	 * checked for VFIO instead of the core's platform device.  NULL: none. */
	const char *(*vfio_device_override)(void *userdata, const char *core);
};

/*
 * rproc_check_run() - run every check against @dt (NULL: report only kernel and shim).
 * Returns 0 with *@out filled (free with rproc_check_report_free()), or -ENOMEM.
 */
int rproc_check_run(const struct rproc_check_config *cfg, const struct rproc_dt *dt,
		    struct rproc_check_report **out);
void rproc_check_report_free(struct rproc_check_report *r);

#endif
