// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Where a device's VFIO nodes are: its group number (the sysfs iommu_group link), its cdev
 * (vfio-dev/vfioN), the other members of its group (for messages), and paths under the
 * configured /dev.  Below vfio.c, vfio-type1.c and iommufd.c, which all look these up.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vfio-internal.h"

int rproc_vfio_dev_path(const struct rproc_vfio *v, const char *rel, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", v->dev_root, rel);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int rproc_vfio_group_of(const char *syspath, int *group)
{
	char path[PATH_MAX], link[PATH_MAX], *end;
	const char *base;
	ssize_t n;
	long g;

	/* libudev does not resolve iommu_group as a sysattr: read the link (vm/README). */
	snprintf(path, sizeof(path), "%s/iommu_group", syspath);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	base = strrchr(link, '/');
	base = base ? base + 1 : link;
	errno = 0;
	g = strtol(base, &end, 10);
	if (errno || end == base || *end || g < 0 || g > INT32_MAX)
		return -EINVAL;
	*group = (int)g;
	return 0;
}

int rproc_vfio_cdev_of(const char *syspath, char *buf, size_t len)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int r = -ENOENT;

	snprintf(path, sizeof(path), "%s/vfio-dev", syspath);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "vfio", 4) || !de->d_name[4])
			continue;
		snprintf(buf, len, "%s", de->d_name);
		r = 0;
		break;
	}
	closedir(d);
	return r;
}

/*
 * The other members of @syspath's IOMMU group that keep it from being viable: those bound to a
 * driver that is not VFIO's ("a (bound to b), c (bound to d)"); a member bound to no driver is
 * no obstacle.  Empty when there are none or the group cannot be read.
 */
void rproc_vfio_group_offenders(const char *syspath, char *buf, size_t len)
{
	char path[PATH_MAX];
	const char *self = strrchr(syspath, '/');
	struct dirent *de;
	size_t used = 0;
	DIR *d;

	self = self ? self + 1 : syspath;
	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s/iommu_group/devices", syspath);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		char drv[PATH_MAX], link[PATH_MAX];
		const char *dname;
		ssize_t n;
		int w;

		if (de->d_name[0] == '.' || !strcmp(de->d_name, self))
			continue;
		snprintf(drv, sizeof(drv), "%s/%s/driver", path, de->d_name);
		n = readlink(drv, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		dname = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
		if (rproc_vfio_is_vfio_driver(dname))
			continue;
		w = snprintf(buf + used, len - used, "%s%s (bound to %s)", used ? ", " : "",
			     de->d_name, dname);
		if (w < 0 || (size_t)w >= len - used)
			break;
		used += (size_t)w;
	}
	closedir(d);
}
