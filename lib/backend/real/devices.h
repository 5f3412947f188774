/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The platform device behind a remote processor (doc/devicetree.md#device-names,
 * doc/iommu.md#vfio-platform): find it with libudev,
 * say exactly what is wrong with it and how to fix it, and wait for it when it appears late.
 */
#ifndef RPROC_BACKEND_DEVICES_H
#define RPROC_BACKEND_DEVICES_H

#include <limits.h>
#include <stdbool.h>

#include "rproc/error.h"
#include "util.h"

struct udev;

enum rproc_dev_state {
	RPROC_DEV_READY,            /* bound to a VFIO driver, group viable, node usable */
	RPROC_DEV_MISSING,          /* no such platform device (yet) */
	RPROC_DEV_KERNEL_MANAGED,   /* bound to qcom_q6v5_pas: the kernel owns it */
	RPROC_DEV_OTHER_DRIVER,     /* bound to some other driver */
	RPROC_DEV_UNBOUND,          /* no driver; driver_override not (yet) effective */
	RPROC_DEV_NO_VFIO_MODULE,   /* vfio-platform is not loaded */
	RPROC_DEV_RESET_REQUIRED,   /* vfio-platform loaded with reset_required=1 */
	RPROC_DEV_NO_GROUP,         /* bound, but no IOMMU group (no `iommus`) */
	RPROC_DEV_GROUP_NOT_VIABLE, /* another device in the group has a non-VFIO driver */
	RPROC_DEV_NODE_ACCESS,      /* /dev/vfio/<G> (and the cdev) missing or not accessible */
};

const char *rproc_dev_state_to_string(enum rproc_dev_state s);

/* Read a one-line sysfs attribute without its newline; "(null)" reads as "". */
int rproc_sysfs_read_line(const char *path, char *buf, size_t len);

struct rproc_dev_env {
	const char *sysfs_root; /* NULL: "/sys" through libudev; else plain paths (tests, check) */
	const char *dev_root;   /* NULL: "/dev" */
	const char *subsystem;  /* NULL: "platform"; else another bus (VfioDevice=, real.h) */
	struct udev *udev;      /* optional shared context */
};

struct rproc_dev_info {
	enum rproc_dev_state state;
	char name[128];
	char syspath[PATH_MAX];
	char driver[64];          /* "" if unbound */
	char driver_override[64]; /* "" if "(null)" */
	int group;                /* -1 if none */
	char cdev[32];            /* "vfioN" or "" */
	char message[768];        /* what is wrong ("" when ready) */
	char fix[768];            /* what to do about it ("" when ready) */
};

/* Look at @name once.  Returns 0 with info->state set (READY or a diagnosis), or -errno. */
int rproc_dev_probe(const struct rproc_dev_env *env, const char *name, struct rproc_dev_info *info);

/*
 * rproc_dev_wait() - probe @name; while it is not ready, watch platform uevents (udev
 * monitor) and probe again on each, up to @timeout_ms.  0 when ready; -ETIMEDOUT (or
 * -EPERM for kernel-managed) with the last diagnosis and its fix in @err.
 */
int rproc_dev_wait(const struct rproc_dev_env *env, const char *name, int timeout_ms,
		   struct rproc_dev_info *info, struct rproc_error *err);

#endif
