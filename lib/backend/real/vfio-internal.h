/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared between vfio.c (on top: picks and drives a kind), vfio-type1.c and iommufd.c (the
 * kinds) and vfio-sysfs.c (below them all); not part of any public interface.
 */
#ifndef RPROC_BACKEND_VFIO_INTERNAL_H
#define RPROC_BACKEND_VFIO_INTERNAL_H

#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "vfio.h"

struct rproc_vfio {
	enum rproc_vfio_kind kind;
	char name[128];     /* device name: basename of the sysfs path */
	char syspath[PATH_MAX];
	char dev_root[PATH_MAX];
	char log_name[32];
	int container; /* type1 */
	int group;     /* type1 */
	int group_id;  /* type1 */
	bool group_set; /* type1: the group is in the container */
	int iommufd;   /* iommufd */
	int device;
	uint32_t devid;   /* iommufd */
	uint32_t ioas_id; /* iommufd */
	uint32_t hwpt_id; /* iommufd */
	struct rproc_iova_range *ranges;
	size_t n_ranges;
	uint64_t pgsizes; /* type1: supported page sizes; iommufd: the IOVA alignment */
	size_t n_mapped;
};

struct rproc_vfio *rproc_vfio_alloc(const char *syspath, const struct rproc_vfio_config *cfg);
void rproc_vfio_free(struct rproc_vfio *v);
/* vfio-sysfs.c */
/* "<dev_root>/<rel>" into @buf. */
int rproc_vfio_dev_path(const struct rproc_vfio *v, const char *rel, char *buf, size_t len);
/* Group number from <syspath>/iommu_group; -ENOENT if the link is missing. */
int rproc_vfio_group_of(const char *syspath, int *group);
/* "vfioN" from <syspath>/vfio-dev/; -ENOENT if there is none. */
int rproc_vfio_cdev_of(const char *syspath, char *buf, size_t len);
/* Space-separated list of the devices in group @group other than @self, for messages. */
void rproc_vfio_group_offenders(const char *syspath, char *buf, size_t len);
/* vfio-pci, vfio-platform, vfio-amba...: drivers that leave a group viable */
static inline bool rproc_vfio_is_vfio_driver(const char *drv)
{
	return !strncmp(drv, "vfio", 4);
}

int rproc_type1_open(struct rproc_vfio *v, struct rproc_error *err);
int rproc_type1_read_ranges(struct rproc_vfio *v, struct rproc_error *err);
void rproc_type1_close(struct rproc_vfio *v);
int rproc_type1_map(struct rproc_vfio *v, uint64_t iova, void *va, uint64_t size, uint32_t prot,
		    struct rproc_error *err);
int rproc_type1_unmap(struct rproc_vfio *v, uint64_t iova, uint64_t size,
		      struct rproc_error *err);

int rproc_iommufd_open(struct rproc_vfio *v, struct rproc_error *err);
int rproc_iommufd_read_ranges(struct rproc_vfio *v, struct rproc_error *err);
void rproc_iommufd_close(struct rproc_vfio *v);
int rproc_iommufd_map(struct rproc_vfio *v, uint64_t iova, void *va, uint64_t size,
		      uint32_t prot, struct rproc_error *err);
int rproc_iommufd_map_file(struct rproc_vfio *v, uint64_t iova, int fd, uint64_t offset,
			   uint64_t size, uint32_t prot, struct rproc_error *err);
int rproc_iommufd_unmap(struct rproc_vfio *v, uint64_t iova, uint64_t size,
			struct rproc_error *err);

#endif
