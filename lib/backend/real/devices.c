// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Platform device discovery and diagnosis (doc/iommu.md#vfio-platform).
 * libudev finds the device and its
 * driver; the iommu_group link is read with readlink(), because libudev does not resolve it
 * as a sysattr (vm/README), and on DT platforms it appears only once a driver has bound.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libudev.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices.h"
#include "string-table.h"
#include "vfio-internal.h"
#include "time-util.h"

#define PAS_DRIVER "qcom_q6v5_pas"
#define VFIO_PLATFORM "vfio-platform"

static const char *const rproc_dev_state_table[] = {
	[RPROC_DEV_READY] = "ready",
	[RPROC_DEV_MISSING] = "missing",
	[RPROC_DEV_KERNEL_MANAGED] = "kernel-managed",
	[RPROC_DEV_OTHER_DRIVER] = "other-driver",
	[RPROC_DEV_UNBOUND] = "unbound",
	[RPROC_DEV_NO_VFIO_MODULE] = "no-vfio-platform",
	[RPROC_DEV_RESET_REQUIRED] = "reset-required",
	[RPROC_DEV_NO_GROUP] = "no-iommu-group",
	[RPROC_DEV_GROUP_NOT_VIABLE] = "group-not-viable",
	[RPROC_DEV_NODE_ACCESS] = "node-access",
};
DEFINE_STRING_TABLE_LOOKUP_TO_STRING(rproc_dev_state, enum rproc_dev_state);

static const char *sysfs(const struct rproc_dev_env *env)
{
	return env && env->sysfs_root && env->sysfs_root[0] ? env->sysfs_root : "/sys";
}

static const char *devroot(const struct rproc_dev_env *env)
{
	return env && env->dev_root && env->dev_root[0] ? env->dev_root : "/dev";
}

static const char *subsystem(const struct rproc_dev_env *env)
{
	return env && env->subsystem && env->subsystem[0] ? env->subsystem : "platform";
}

static bool use_udev(const struct rproc_dev_env *env)
{
	return !env || !env->sysfs_root || !env->sysfs_root[0] || !strcmp(env->sysfs_root, "/sys");
}

int rproc_sysfs_read_line(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	buf[0] = '\0';
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (!strcmp(buf, "(null)"))
		buf[0] = '\0';
	return 0;
}

static void link_base(const char *path, char *buf, size_t len)
{
	char link[PATH_MAX];
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	const char *b;

	buf[0] = '\0';
	if (n <= 0)
		return;
	link[n] = '\0';
	b = strrchr(link, '/');
	snprintf(buf, len, "%s", b ? b + 1 : link);
}

static int locate(const struct rproc_dev_env *env, const char *name, struct rproc_dev_info *info)
{
	if (use_udev(env)) {
		struct udev *udev = env && env->udev ? udev_ref(env->udev) : udev_new();
		struct udev_device *d;
		const char *drv;

		if (!udev)
			return -ENOMEM;
		d = udev_device_new_from_subsystem_sysname(udev, subsystem(env), name);
		if (!d) {
			udev_unref(udev);
			return -ENODEV;
		}
		snprintf(info->syspath, sizeof(info->syspath), "%s", udev_device_get_syspath(d));
		drv = udev_device_get_driver(d);
		snprintf(info->driver, sizeof(info->driver), "%s", drv ? drv : "");
		udev_device_unref(d);
		udev_unref(udev);
	} else {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/bus/%s/devices/%s", sysfs(env), subsystem(env),
			 name);
		if (!realpath(path, info->syspath))
			return -ENODEV;
		snprintf(path, sizeof(path), "%s/driver", info->syspath);
		link_base(path, info->driver, sizeof(info->driver));
	}
	return 0;
}

static void set(struct rproc_dev_info *info, enum rproc_dev_state s, const char *msg,
		const char *fix)
{
	info->state = s;
	snprintf(info->message, sizeof(info->message), "%s", msg);
	snprintf(info->fix, sizeof(info->fix), "%s", fix);
}

static void diagnose_unbound(const struct rproc_dev_env *env, struct rproc_dev_info *info)
{
	char path[PATH_MAX], val[16], msg[768], fix[768];
	const char *n = info->name;

	if (strcmp(subsystem(env), "platform")) {
		snprintf(msg, sizeof(msg), "%s/%s has no driver", subsystem(env), n);
		snprintf(fix, sizeof(fix), "bind it to its VFIO driver: echo vfio-%s > "
			 "%s/driver_override; echo %s > /sys/bus/%s/drivers_probe",
			 subsystem(env), info->syspath, n, subsystem(env));
		set(info, RPROC_DEV_UNBOUND, msg, fix);
		return;
	}
	snprintf(path, sizeof(path), "%s/module/vfio_platform", sysfs(env));
	if (access(path, F_OK) < 0) {
		snprintf(msg, sizeof(msg), "%s has no driver and the vfio-platform module is not "
			 "loaded", n);
		snprintf(fix, sizeof(fix), "modprobe vfio-platform reset_required=0; echo "
			 VFIO_PLATFORM " > %s/driver_override; echo %s > "
			 "/sys/bus/platform/drivers_probe", info->syspath, n);
		set(info, RPROC_DEV_NO_VFIO_MODULE, msg, fix);
		return;
	}
	snprintf(path, sizeof(path), "%s/module/vfio_platform/parameters/reset_required",
		 sysfs(env));
	if (rproc_sysfs_read_line(path, val, sizeof(val)) == 0 && (val[0] == 'Y' || val[0] == '1')) {
		/* Probe fails with -EINVAL: no reset module exists for Qualcomm remoteprocs. */
		snprintf(msg, sizeof(msg),
			 "%s has no driver: vfio-platform is loaded with "
			 "reset_required=Y, so its probe fails (no reset handler for this device)",
			 n);
		snprintf(
		    fix, sizeof(fix),
		    "modprobe -r vfio_platform && modprobe vfio-platform "
		    "reset_required=0 (or boot with vfio_platform.reset_required=0), then echo %s "
		    "> /sys/bus/platform/drivers_probe",
		    n);
		set(info, RPROC_DEV_RESET_REQUIRED, msg, fix);
		return;
	}
	if (strcmp(info->driver_override, VFIO_PLATFORM)) {
		snprintf(msg, sizeof(msg), "%s has no driver and driver_override is \"%s\"", n,
			 info->driver_override[0] ? info->driver_override : "(null)");
		snprintf(fix, sizeof(fix), "echo " VFIO_PLATFORM " > %s/driver_override; echo %s > "
			 "/sys/bus/platform/drivers_probe (or a udev rule setting "
			 "driver_override)", info->syspath, n);
	} else {
		snprintf(msg, sizeof(msg), "%s has driver_override=" VFIO_PLATFORM " but is not "
			 "bound: it was not probed yet, or the probe failed", n);
		snprintf(fix, sizeof(fix), "echo %s > /sys/bus/platform/drivers_probe; if it stays "
			 "unbound, see the kernel log (dmesg | grep vfio)", n);
	}
	set(info, RPROC_DEV_UNBOUND, msg, fix);
}

static void diagnose_bound(const struct rproc_dev_env *env, struct rproc_dev_info *info)
{
	char path[PATH_MAX], link[PATH_MAX], others[512], msg[768], fix[768];
	const char *n = info->name;
	bool group_ok, cdev_ok;
	int group_errno;
	ssize_t l;

	snprintf(path, sizeof(path), "%s/iommu_group", info->syspath);
	l = readlink(path, link, sizeof(link) - 1);
	if (l > 0) {
		link[l] = '\0';
		info->group = atoi(strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
	}
	snprintf(path, sizeof(path), "%s/vfio-dev", info->syspath);
	{
		DIR *d = opendir(path);
		struct dirent *de;

		while (d && (de = readdir(d)))
			if (!strncmp(de->d_name, "vfio", 4) && de->d_name[4]) {
				snprintf(info->cdev, sizeof(info->cdev), "%s", de->d_name);
				break;
			}
		if (d)
			closedir(d);
	}
	if (info->group < 0) {
		snprintf(msg, sizeof(msg), "%s is bound to %s but has no IOMMU group", n,
			 info->driver);
		snprintf(fix, sizeof(fix), "the DT node needs `iommus` (apply the EL2 overlay, "
			 "at boot) and the kernel must run at EL2 with the SMMU enabled");
		set(info, RPROC_DEV_NO_GROUP, msg, fix);
		return;
	}
	rproc_vfio_group_offenders(info->syspath, others, sizeof(others));
	if (others[0]) {
		snprintf(msg, sizeof(msg), "IOMMU group %d of %s is not viable: %s", info->group, n,
			 others);
		snprintf(fix, sizeof(fix), "unbind the other devices of %s/kernel/iommu_groups/%d/"
			 "devices or bind them to a VFIO driver too", sysfs(env), info->group);
		set(info, RPROC_DEV_GROUP_NOT_VIABLE, msg, fix);
		return;
	}
	snprintf(path, sizeof(path), "%s/vfio/%d", devroot(env), info->group);
	group_ok = access(path, R_OK | W_OK) == 0;
	group_errno = errno;
	cdev_ok = false;
	if (info->cdev[0]) {
		char cpath[PATH_MAX];

		snprintf(cpath, sizeof(cpath), "%s/vfio/devices/%s", devroot(env), info->cdev);
		cdev_ok = access(cpath, R_OK | W_OK) == 0;
	}
	if (!group_ok && !cdev_ok) {
		snprintf(msg, sizeof(msg), "%s: %s%s%s%s is %s", n, path,
			 info->cdev[0] ? " (and the cdev " : "", info->cdev[0] ? info->cdev : "",
			 info->cdev[0] ? ")" : "",
			 group_errno == ENOENT ? "missing" : "not readable and writable");
		snprintf(fix, sizeof(fix), "let udev create the node (udevadm settle) and grant "
			 "rprocd access: run it as root or add a udev rule (GROUP/MODE) for "
			 "vfio/%d", info->group);
		set(info, RPROC_DEV_NODE_ACCESS, msg, fix);
		return;
	}
	set(info, RPROC_DEV_READY, "", "");
}

int rproc_dev_probe(const struct rproc_dev_env *env, const char *name, struct rproc_dev_info *info)
{
	char path[PATH_MAX], msg[768], fix[768];
	int r;

	memset(info, 0, sizeof(*info));
	info->group = -1;
	snprintf(info->name, sizeof(info->name), "%s", name);
	if (!name[0] || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return -EINVAL;
	r = locate(env, name, info);
	if (r == -ENODEV) {
		snprintf(msg, sizeof(msg), "%s device %s does not exist", subsystem(env), name);
		snprintf(
		    fix, sizeof(fix),
		    "check that the DT node is enabled and named as expected "
		    "(<unit address>.<node name>, see rprocctl describe); if it is created late "
		    "(overlay, module load), rprocd waits "
		    "for it");
		set(info, RPROC_DEV_MISSING, msg, fix);
		return 0;
	}
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "%s/driver_override", info->syspath);
	rproc_sysfs_read_line(path, info->driver_override, sizeof(info->driver_override));

	if (!strcmp(info->driver, PAS_DRIVER)) {
		snprintf(msg, sizeof(msg), "%s is bound to " PAS_DRIVER ": the kernel's remoteproc "
			 "driver manages it, rprocd leaves it alone", name);
		snprintf(fix, sizeof(fix),
			 "nothing, if the kernel should keep it; to hand it to "
			 "rprocd: echo " VFIO_PLATFORM " > %s/driver_override; echo %s > "
			 "%s/driver/unbind (this stops the running DSP); echo %s > "
			 "/sys/bus/platform/drivers_probe",
			 info->syspath, name, info->syspath, name);
		set(info, RPROC_DEV_KERNEL_MANAGED, msg, fix);
		return 0;
	}
	if (info->driver[0] && !rproc_vfio_is_vfio_driver(info->driver)) {
		snprintf(msg, sizeof(msg), "%s is bound to %s, not to " VFIO_PLATFORM, name,
			 info->driver);
		snprintf(fix, sizeof(fix), "echo " VFIO_PLATFORM " > %s/driver_override; echo %s > "
			 "%s/driver/unbind; echo %s > /sys/bus/platform/drivers_probe",
			 info->syspath, name, info->syspath, name);
		set(info, RPROC_DEV_OTHER_DRIVER, msg, fix);
		return 0;
	}
	if (!info->driver[0]) {
		diagnose_unbound(env, info);
		return 0;
	}
	diagnose_bound(env, info);
	return 0;
}

static int wait_failed(const struct rproc_dev_info *info, int code, struct rproc_error *err)
{
	return rproc_err(err, code, "%s (%s): %s; fix: %s", info->name,
			 rproc_dev_state_to_string(info->state), info->message, info->fix);
}

int rproc_dev_wait(const struct rproc_dev_env *env, const char *name, int timeout_ms,
		   struct rproc_dev_info *info, struct rproc_error *err)
{
	struct udev *udev = NULL;
	struct udev_monitor *mon = NULL;
	int64_t deadline;
	int r;

	/* Subscribe before the first look so an event between the two is not lost. */
	if (use_udev(env) && timeout_ms > 0) {
		udev = env && env->udev ? udev_ref(env->udev) : udev_new();
		if (!udev)
			return rproc_err(err, -ENOMEM, "udev_new failed");
		mon = udev_monitor_new_from_netlink(udev, "udev");
		if (mon && (udev_monitor_filter_add_match_subsystem_devtype(mon, subsystem(env),
									    NULL) <
				    0 ||
			    udev_monitor_enable_receiving(mon) < 0)) {
			udev_monitor_unref(mon);
			mon = NULL;
		}
		if (!mon)
			rproc_log(RPROC_LOG_WARNING, NULL, "devices", 0,
				  "%s: no udev monitor (is systemd-udevd running?): not waiting",
				  name);
	}
	deadline = (int64_t)now_msec(CLOCK_MONOTONIC) + (timeout_ms > 0 ? timeout_ms : 0);
	for (;;) {
		struct pollfd p;
		int64_t left;

		r = rproc_dev_probe(env, name, info);
		if (r < 0) {
			r = rproc_err(err, r, "%s: probing the device: %s", name, strerror(-r));
			break;
		}
		if (info->state == RPROC_DEV_READY)
			break;
		if (info->state == RPROC_DEV_KERNEL_MANAGED) {
			/* Waiting will not change who owns it. */
			r = wait_failed(info, -EPERM, err);
			break;
		}
		left = deadline - (int64_t)now_msec(CLOCK_MONOTONIC);
		if (!mon || left <= 0) {
			r = wait_failed(info, mon ? -ETIMEDOUT : -ENODEV, err);
			if (mon)
				rproc_err_prefix(err, r, "not ready after %d ms", timeout_ms);
			break;
		}
		p = (struct pollfd){ .fd = udev_monitor_get_fd(mon), .events = POLLIN };
		r = poll(&p, 1, (int)left);
		if (r < 0 && errno != EINTR) {
			r = rproc_err(err, -errno, "%s: poll on the udev monitor: %s", name,
				      strerror(errno));
			break;
		}
		if (r > 0) {
			/* Drain whatever arrived; any platform event may be ours (a bind of the
			 * device, or of the module that creates it). */
			struct udev_device *d;

			while ((d = udev_monitor_receive_device(mon)))
				udev_device_unref(d);
		}
	}
	if (mon)
		udev_monitor_unref(mon);
	if (udev)
		udev_unref(udev);
	return r < 0 ? r : 0;
}
