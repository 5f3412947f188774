// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The bus-agnostic VFIO DMA context (vfio.h): picks iommufd or type1, checks every mapping
 * against the usable IOVA ranges, and hands its fds to the daemon's fd store.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "string-table.h"
#include "vfio-internal.h"

static const char *const vfio_kind_table[] = {
	[RPROC_VFIO_AUTO] = "auto",
	[RPROC_VFIO_IOMMUFD] = "iommufd",
	[RPROC_VFIO_TYPE1] = "vfio-type1",
};
DEFINE_STRING_TABLE_LOOKUP_TO_STRING_STATIC(vfio_kind, enum rproc_vfio_kind);

const char *rproc_vfio_kind_name(enum rproc_vfio_kind k)
{
	return vfio_kind_to_string(k) ?: "?";
}

struct rproc_vfio *rproc_vfio_alloc(const char *syspath, const struct rproc_vfio_config *cfg)
{
	struct rproc_vfio *v = calloc(1, sizeof(*v));
	const char *base;

	if (!v)
		return NULL;
	v->container = v->group = v->iommufd = v->device = -1;
	v->group_id = -1;
	snprintf(v->syspath, sizeof(v->syspath), "%s", syspath);
	/* Strip trailing slashes so the basename is the device name. */
	for (size_t l = strlen(v->syspath); l > 1 && v->syspath[l - 1] == '/'; l--)
		v->syspath[l - 1] = '\0';
	base = strrchr(v->syspath, '/');
	snprintf(v->name, sizeof(v->name), "%s", base ? base + 1 : v->syspath);
	snprintf(v->dev_root, sizeof(v->dev_root), "%s",
		 cfg && cfg->dev_root && cfg->dev_root[0] ? cfg->dev_root : "/dev");
	snprintf(v->log_name, sizeof(v->log_name), "%s", cfg && cfg->log_name ? cfg->log_name : "");
	return v;
}

void rproc_vfio_free(struct rproc_vfio *v)
{
	if (!v)
		return;
	free(v->ranges);
	free(v);
}

static bool path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

int rproc_vfio_open(const char *syspath, const struct rproc_vfio_config *cfg,
		    struct rproc_vfio **out, struct rproc_error *err)
{
	enum rproc_vfio_kind kind = cfg ? cfg->kind : RPROC_VFIO_AUTO;
	struct rproc_vfio *v;
	int r;

	*out = NULL;
	v = rproc_vfio_alloc(syspath, cfg);
	if (!v)
		return rproc_err(err, -ENOMEM, "out of memory");
	if (kind == RPROC_VFIO_AUTO) {
		/* Run-time choice (doc/iommu.md#iommufd): /dev/iommu and the device's cdev must
		 * both exist. */
		char iommu[PATH_MAX], cdev[32];

		rproc_vfio_dev_path(v, "iommu", iommu, sizeof(iommu));
		kind = path_exists(iommu) && rproc_vfio_cdev_of(syspath, cdev, sizeof(cdev)) == 0
			       ? RPROC_VFIO_IOMMUFD
			       : RPROC_VFIO_TYPE1;
	}
	v->kind = kind;
	r = kind == RPROC_VFIO_IOMMUFD ? rproc_iommufd_open(v, err) : rproc_type1_open(v, err);
	if (r < 0 && kind == RPROC_VFIO_IOMMUFD && cfg && cfg->kind == RPROC_VFIO_AUTO) {
		/* Auto: a kernel can have both; iommufd may refuse what type1 allows (its own
		 * allow_unsafe_interrupts, a group already claimed by the container). */
		char first[RPROC_ERROR_MAX];

		snprintf(first, sizeof(first), "%s", err ? err->msg : "");
		rproc_log(RPROC_LOG_NOTICE, v->log_name[0] ? v->log_name : NULL, "vfio", r,
			  "%s: iommufd failed (%s), trying vfio-type1", v->name, first);
		v->kind = RPROC_VFIO_TYPE1;
		r = rproc_type1_open(v, err);
		if (r < 0)
			rproc_err_prefix(err, r, "iommufd: %s; vfio-type1", first);
	}
	if (r < 0) {
		rproc_vfio_free(v);
		return r;
	}
	rproc_log(RPROC_LOG_INFO, v->log_name[0] ? v->log_name : NULL, "vfio", 0,
		  "%s: attached through %s, %zu usable IOVA range(s)", v->name,
		  rproc_vfio_kind_name(kind), v->n_ranges);
	*out = v;
	return 0;
}

void rproc_vfio_close(struct rproc_vfio *v)
{
	if (!v)
		return;
	if (v->kind == RPROC_VFIO_IOMMUFD)
		rproc_iommufd_close(v);
	else
		rproc_type1_close(v);
	rproc_vfio_free(v);
}

void rproc_vfio_release(struct rproc_vfio *v)
{
	if (!v)
		return;
	if (v->device >= 0)
		close(v->device);
	if (v->group >= 0)
		close(v->group);
	if (v->container >= 0)
		close(v->container);
	if (v->iommufd >= 0)
		close(v->iommufd);
	rproc_vfio_free(v);
}

enum rproc_vfio_kind rproc_vfio_kind(const struct rproc_vfio *v)
{
	return v->kind;
}

const struct rproc_iova_range *rproc_vfio_iova_ranges(const struct rproc_vfio *v, size_t *n)
{
	*n = v->n_ranges;
	return v->ranges;
}

int rproc_vfio_check_range(const struct rproc_vfio *v, uint64_t iova, uint64_t size,
			   struct rproc_error *err)
{
	char list[512];
	size_t used = 0;
	uint64_t last;

	if (!size || add_overflows(iova, size - 1, &last))
		return rproc_err(err, -EINVAL, "%s: bad IOVA range 0x%" PRIx64 "+0x%" PRIx64,
				 v->name, iova, size);
	for (size_t i = 0; i < v->n_ranges; i++)
		if (iova >= v->ranges[i].start && last <= v->ranges[i].last)
			return 0;
	list[0] = '\0';
	for (size_t i = 0; i < v->n_ranges && used < sizeof(list); i++) {
		int w =
		    snprintf(list + used, sizeof(list) - used, "%s[0x%" PRIx64 "-0x%" PRIx64 "]",
			     i ? " " : "", v->ranges[i].start, v->ranges[i].last);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	return rproc_err(err, -ERANGE,
			 "%s: IOVA range 0x%" PRIx64 "-0x%" PRIx64 " is outside the usable IOVA "
			 "ranges %s (reserved regions such as the SMMU MSI window are excluded)",
			 v->name, iova, last, list);
}

int rproc_vfio_map_va(struct rproc_vfio *v, uint64_t iova, void *va, uint64_t size,
		      uint32_t prot, struct rproc_error *err)
{
	int r = rproc_vfio_check_range(v, iova, size, err);

	if (r < 0)
		return r;
	if (v->kind == RPROC_VFIO_IOMMUFD)
		return rproc_iommufd_map(v, iova, va, size, prot, err);
	return rproc_type1_map(v, iova, va, size, prot, err);
}

int rproc_vfio_map_file(struct rproc_vfio *v, uint64_t iova, int fd, uint64_t offset,
			uint64_t size, uint32_t prot, struct rproc_error *err)
{
	int r;

	if (v->kind != RPROC_VFIO_IOMMUFD)
		return rproc_err(err, -EOPNOTSUPP, "%s: mapping a file needs iommufd", v->name);
	r = rproc_vfio_check_range(v, iova, size, err);
	if (r < 0)
		return r;
	return rproc_iommufd_map_file(v, iova, fd, offset, size, prot, err);
}

int rproc_vfio_unmap(struct rproc_vfio *v, uint64_t iova, uint64_t size, struct rproc_error *err)
{
	if (v->kind == RPROC_VFIO_IOMMUFD)
		return rproc_iommufd_unmap(v, iova, size, err);
	return rproc_type1_unmap(v, iova, size, err);
}

size_t rproc_vfio_mapped(const struct rproc_vfio *v)
{
	return v->n_mapped;
}

int rproc_vfio_device_fd(const struct rproc_vfio *v)
{
	return v->device;
}

/* ---- fd store ------------------------------------------------------------------------- */

/* "<prefix>.<role>" into the next entry. */
static int add_entry(struct rproc_fd_entry *out, size_t max, size_t *n, int fd, const char *prefix,
		     const char *role)
{
	int w;

	if (fd < 0)
		return 0;
	if (*n >= max)
		return -ENOBUFS;
	w = snprintf(out[*n].name, sizeof(out[*n].name), "%s.%s", prefix, role);
	if (w < 0 || (size_t)w >= sizeof(out[*n].name))
		return -ENAMETOOLONG;
	out[*n].fd = fd;
	(*n)++;
	return 0;
}

int rproc_vfio_export_fds(const struct rproc_vfio *v, const char *prefix,
			  struct rproc_fd_entry *out, size_t max, size_t *n)
{
	int r;

	char role[32];

	if (v->kind == RPROC_VFIO_IOMMUFD) {
		/* The IOAS id rides in the name: the object lives in the iommufd, and a
		 * restarted daemon needs the id to unmap from it. */
		snprintf(role, sizeof(role), "iommufd.ioas%u", v->ioas_id);
		r = add_entry(out, max, n, v->iommufd, prefix, role);
		snprintf(role, sizeof(role), "device.hwpt%u", v->hwpt_id);
		r = r ?: add_entry(out, max, n, v->device, prefix, role);
	} else {
		r = add_entry(out, max, n, v->container, prefix, "container");
		snprintf(role, sizeof(role), "group%d", v->group_id);
		r = r ?: add_entry(out, max, n, v->group, prefix, role);
		r = r ?: add_entry(out, max, n, v->device, prefix, "device");
	}
	return r;
}

/* Find "<prefix>.<role>" (followed by the id digits, if @id is set) in @fds. */
static struct rproc_fd_entry *find_entry(struct rproc_fd_entry *fds, size_t n, const char *prefix,
					 const char *role, uint32_t *id)
{
	char want[80];
	size_t l;

	snprintf(want, sizeof(want), "%s.%s", prefix, role);
	l = strlen(want);
	for (size_t i = 0; i < n; i++) {
		char *end;
		unsigned long val;

		if (fds[i].fd < 0 || strncmp(fds[i].name, want, l))
			continue;
		if (!id) {
			if (fds[i].name[l])
				continue;
			return &fds[i];
		}
		errno = 0;
		val = strtoul(fds[i].name + l, &end, 10);
		if (errno || end == fds[i].name + l || *end || val > UINT32_MAX)
			continue;
		*id = (uint32_t)val;
		return &fds[i];
	}
	return NULL;
}

int rproc_vfio_adopt(const char *syspath, const struct rproc_vfio_config *cfg, const char *prefix,
		     struct rproc_fd_entry *fds, size_t n_fds, struct rproc_vfio **out,
		     struct rproc_error *err)
{
	struct rproc_fd_entry *a, *b, *c = NULL;
	struct rproc_vfio *v;
	uint32_t id1 = 0, id2 = 0;
	int r;

	*out = NULL;
	v = rproc_vfio_alloc(syspath, cfg);
	if (!v)
		return rproc_err(err, -ENOMEM, "out of memory");
	if ((a = find_entry(fds, n_fds, prefix, "iommufd.ioas", &id1)) &&
	    (b = find_entry(fds, n_fds, prefix, "device.hwpt", &id2))) {
		v->kind = RPROC_VFIO_IOMMUFD;
		v->iommufd = a->fd;
		v->device = b->fd;
		v->ioas_id = id1;
		v->hwpt_id = id2;
		r = rproc_iommufd_read_ranges(v, err);
	} else if ((a = find_entry(fds, n_fds, prefix, "container", NULL)) &&
		   (b = find_entry(fds, n_fds, prefix, "group", &id1)) &&
		   (c = find_entry(fds, n_fds, prefix, "device", NULL))) {
		v->kind = RPROC_VFIO_TYPE1;
		v->container = a->fd;
		v->group = b->fd;
		v->device = c->fd;
		v->group_id = (int)id1;
		v->group_set = true;
		r = rproc_type1_read_ranges(v, err);
	} else {
		rproc_vfio_free(v);
		return rproc_err(err, -ENOENT, "%s: no stored VFIO fds", prefix);
	}
	if (r < 0) {
		/* Leave the fds with the caller: they are still in its list. */
		rproc_vfio_free(v);
		return r;
	}
	a->fd = b->fd = -1;
	if (c)
		c->fd = -1;
	*out = v;
	return 0;
}
