// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The VFIO layer (lib/backend/real/vfio.h) against the fake kernel: the exact ioctl sequences and
 * argument structs of type1 and iommufd setup, map, unmap and teardown, and each kernel error
 * ending with every fd closed and every mapping undone.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/vfio.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "compat/iommufd.h"
#include "compat/vfio-cdev.h"
#include "fake-kernel.h"
#include "vfio.h"

static const char *sys;

static int setup(void **state)
{
	sys = fk_setup();
	return 0;
}

static int teardown(void **state)
{
	/* Nothing a test did may leave a fake fd open or a fake mmap behind. */
	assert_int_equal(fk.open_fakes, 0);
	assert_int_equal(fk.live_mmaps, 0);
	fk_teardown();
	return 0;
}

static struct rproc_vfio_config cfg(enum rproc_vfio_kind k)
{
	return (struct rproc_vfio_config){ .kind = k, .dev_root = fk.dev_root, .log_name = "adsp" };
}

static void assert_seq(const unsigned long *want, unsigned int n_want)
{
	unsigned long got[FK_MAX_CALLS];
	unsigned int n;

	fk_sequence(got, &n, FK_MAX_CALLS);
	for (unsigned int i = 0; i < n && i < n_want; i++)
		if (got[i] != want[i])
			fail_msg("call %u: got 0x%lx, want 0x%lx", i, got[i], want[i]);
	assert_int_equal(n, n_want);
}

/* ---- type1 -------------------------------------------------------------------------------- */

static void test_type1_sequence(void **state)
{
	struct rproc_vfio_config c = cfg(RPROC_VFIO_TYPE1);
	struct rproc_error err = { 0 };
	struct rproc_vfio *v;
	const struct rproc_iova_range *r;
	static char buf[8192];
	size_t n;

	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), 0);
	assert_int_equal(rproc_vfio_kind(v), RPROC_VFIO_TYPE1);
	r = rproc_vfio_iova_ranges(v, &n);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].start, 0);
	assert_int_equal(r[0].last, 0x7ffffff);
	assert_int_equal(r[1].start, 0x8100000);
	assert_true(rproc_vfio_device_fd(v) >= 0);

	assert_int_equal(rproc_vfio_map_va(v, 0x90000000, buf, 0x2000,
					   RPROC_IOMMU_READ | RPROC_IOMMU_WRITE, &err), 0);
	assert_int_equal(rproc_vfio_mapped(v), 1);
	assert_int_equal(fk.n_maps, 1);
	assert_int_equal(rproc_vfio_unmap(v, 0x90000000, 0x2000, &err), 0);
	assert_int_equal(fk.n_maps, 0);
	rproc_vfio_close(v);

	{
		const unsigned long want[] = {
			FK_OPEN(FK_CONTAINER), VFIO_GET_API_VERSION, VFIO_CHECK_EXTENSION,
			FK_OPEN(FK_GROUP), VFIO_GROUP_GET_STATUS, VFIO_GROUP_SET_CONTAINER,
			VFIO_SET_IOMMU, VFIO_IOMMU_GET_INFO, VFIO_IOMMU_GET_INFO,
			VFIO_GROUP_GET_DEVICE_FD, VFIO_IOMMU_MAP_DMA, VFIO_IOMMU_UNMAP_DMA,
			VFIO_GROUP_UNSET_CONTAINER,
		};
		assert_seq(want, ARRAY_SIZE(want));
	}
	assert_int_equal(fk_find(VFIO_CHECK_EXTENSION, 0)->value, VFIO_TYPE1v2_IOMMU);
	assert_int_equal(fk_find(VFIO_SET_IOMMU, 0)->value, VFIO_TYPE1v2_IOMMU);
	assert_string_equal((const char *)fk_find(VFIO_GROUP_GET_DEVICE_FD, 0)->arg,
			    "30000000.remoteproc");
	{
		const struct vfio_iommu_type1_info *i1 = (const void *)fk_find(VFIO_IOMMU_GET_INFO, 0)->arg;
		const struct vfio_iommu_type1_info *i2 = (const void *)fk_find(VFIO_IOMMU_GET_INFO, 1)->arg;

		assert_int_equal(i1->argsz, sizeof(*i1));
		assert_true(i2->argsz > sizeof(*i2)); /* re-called with the size the kernel asked */
	}
	{
		struct vfio_iommu_type1_dma_map m;
		struct vfio_iommu_type1_dma_unmap u;

		memcpy(&m, fk_find(VFIO_IOMMU_MAP_DMA, 0)->arg, sizeof(m));
		assert_int_equal(m.argsz, sizeof(m));
		assert_int_equal(m.flags, VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE);
		assert_int_equal(m.vaddr, (uintptr_t)buf);
		assert_int_equal(m.iova, 0x90000000);
		assert_int_equal(m.size, 0x2000);
		memcpy(&u, fk_find(VFIO_IOMMU_UNMAP_DMA, 0)->arg, sizeof(u));
		assert_int_equal(u.argsz, sizeof(u));
		assert_int_equal(u.flags, 0);
		assert_int_equal(u.iova, 0x90000000);
		assert_int_equal(u.size, 0x2000);
	}
}

static void test_type1_set_iommu_eperm(void **state)
{
	struct rproc_vfio_config c = cfg(RPROC_VFIO_TYPE1);
	struct rproc_error err = { 0 };
	struct rproc_vfio *v = (void *)1;

	fk_fail(VFIO_SET_IOMMU, 1, EPERM);
	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), -EPERM);
	assert_null(v);
	assert_non_null(strstr(err.msg, "vfio_iommu_type1.allow_unsafe_interrupts=1"));
	/* Unwound: the group left the container and everything is closed. */
	assert_int_equal(fk_count(VFIO_GROUP_UNSET_CONTAINER), 1);
	assert_int_equal(fk_count(VFIO_IOMMU_GET_INFO), 0);
}

static void test_type1_group_busy(void **state)
{
	struct rproc_vfio_config c = cfg(RPROC_VFIO_TYPE1);
	struct rproc_error err = { 0 };
	struct rproc_vfio *v;

	fk_fail(FK_OPEN(FK_GROUP), 1, EBUSY);
	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), -EBUSY);
	assert_non_null(strstr(err.msg, "busy"));
	assert_int_equal(fk_count(VFIO_SET_IOMMU), 0);
}

static void test_type1_group_not_viable(void **state)
{
	struct rproc_vfio_config c = cfg(RPROC_VFIO_TYPE1);
	struct rproc_error err = { 0 };
	struct rproc_vfio *v;
	char p[1024];

	/* A second device in group 5, bound to a network driver. */
	snprintf(p, sizeof(p), "%s/sys/devices/platform/other.eth", fk.root);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/sys/devices/platform/other.eth/driver", fk.root);
	assert_int_equal(symlink("../../../bus/platform/drivers/stmmaceth", p), 0);
	snprintf(p, sizeof(p), "%s/sys/kernel/iommu_groups/5/devices/other.eth", fk.root);
	assert_int_equal(symlink("../../../../devices/platform/other.eth", p), 0);
	/* and a third bound to no driver, which does not stand in the way */
	snprintf(p, sizeof(p), "%s/sys/devices/platform/idle.dev", fk.root);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/sys/kernel/iommu_groups/5/devices/idle.dev", fk.root);
	assert_int_equal(symlink("../../../../devices/platform/idle.dev", p), 0);
	fk.group_not_viable = true;

	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), -EBUSY);
	assert_null(strstr(err.msg, "idle.dev"));
	assert_non_null(strstr(err.msg, "not viable"));
	assert_non_null(strstr(err.msg, "other.eth (bound to stmmaceth)"));
	assert_int_equal(fk_count(VFIO_GROUP_SET_CONTAINER), 0);
}

static void test_type1_missing_container(void **state)
{
	struct rproc_vfio_config c = cfg(RPROC_VFIO_TYPE1);
	struct rproc_error err = { 0 };
	struct rproc_vfio *v;

	fk_remove("vfio/vfio");
	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "modprobe vfio"));
}

static void test_type1_get_device_busy(void **state)
{
	struct rproc_vfio_config c = cfg(RPROC_VFIO_TYPE1);
	struct rproc_error err = { 0 };
	struct rproc_vfio *v;

	fk_fail(VFIO_GROUP_GET_DEVICE_FD, 1, EBUSY);
	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), -EBUSY);
	assert_non_null(strstr(err.msg, "open elsewhere"));
}

static void test_type1_no_iova_cap(void **state)
{
	struct rproc_vfio_config c = cfg(RPROC_VFIO_TYPE1);
	struct rproc_error err = { 0 };
	struct rproc_vfio *v;
	const struct rproc_iova_range *r;
	size_t n;

	fk.type1_no_iova_cap = true;
	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), 0);
	r = rproc_vfio_iova_ranges(v, &n);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].last, UINT64_MAX);
	assert_int_equal(fk_count(VFIO_IOMMU_GET_INFO), 1); /* nothing more to fetch */
	rproc_vfio_close(v);
}

static void test_type1_map_errors(void **state)
{
	struct rproc_vfio_config c = cfg(RPROC_VFIO_TYPE1);
	struct rproc_error err = { 0 };
	struct rproc_vfio *v;
	static char buf[4096];

	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), 0);

	fk_fail(VFIO_IOMMU_MAP_DMA, 1, ENOSPC);
	assert_int_equal(rproc_vfio_map_va(v, 0x90000000, buf, 0x1000, 3, &err), -ENOSPC);
	assert_non_null(strstr(err.msg, "dma_entry_limit"));
	fk_fail(VFIO_IOMMU_MAP_DMA, 2, EINVAL);
	assert_int_equal(rproc_vfio_map_va(v, 0x90000000, buf, 0x1000, 3, &err), -EINVAL);
	fk_fail(VFIO_IOMMU_MAP_DMA, 3, EBUSY);
	assert_int_equal(rproc_vfio_map_va(v, 0x90000000, buf, 0x1000, 3, &err), -EBUSY);
	assert_int_equal(rproc_vfio_mapped(v), 0);
	assert_int_equal(fk.n_maps, 0);

	/* Overlap: the kernel's EEXIST is reported as such. */
	assert_int_equal(rproc_vfio_map_va(v, 0x90000000, buf, 0x1000, 3, &err), 0);
	assert_int_equal(rproc_vfio_map_va(v, 0x90000000, buf, 0x1000, 3, &err), -EEXIST);
	assert_non_null(strstr(err.msg, "overlaps"));

	/* Outside the usable ranges (the MSI hole): refused before any ioctl. */
	{
		unsigned int before = fk_count(VFIO_IOMMU_MAP_DMA);

		assert_int_equal(rproc_vfio_map_va(v, 0x8000000, buf, 0x1000, 3, &err), -ERANGE);
		assert_non_null(strstr(err.msg, "0x8000000-0x8000fff"));
		assert_non_null(strstr(err.msg, "[0x0-0x7ffffff] [0x8100000-0xffffffffff]"));
		assert_int_equal(fk_count(VFIO_IOMMU_MAP_DMA), before);
	}
	/* Unmapping what is not mapped. */
	assert_int_equal(rproc_vfio_unmap(v, 0xa0000000, 0x1000, &err), -ENOENT);
	assert_int_equal(rproc_vfio_mapped(v), 1);
	rproc_vfio_close(v);
	assert_int_equal(fk.n_maps, 0);
}

static void test_type1_setup_errors(void **state)
{
	struct rproc_vfio_config c = cfg(RPROC_VFIO_TYPE1);
	struct rproc_error err = { 0 };
	struct rproc_vfio *v;

	fk.api_version = 1;
	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "VFIO API 1"));
	fk.api_version = 0;

	fk.no_type1v2 = true;
	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), -EOPNOTSUPP);
	assert_non_null(strstr(err.msg, "type1v2"));
	fk.no_type1v2 = false;

	fk_fail(FK_OPEN(FK_GROUP), 1, EACCES);
	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), -EACCES);
	assert_non_null(strstr(err.msg, "permissions"));

	fk_remove("vfio/5"); /* not bound to a VFIO driver: no group node */
	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "driver_override"));
}

static void test_type1_ioctl_errors(void **state)
{
	struct rproc_vfio_config c = cfg(RPROC_VFIO_TYPE1);
	struct rproc_error err = { 0 };
	struct rproc_vfio *v;

	fk_fail(VFIO_GROUP_GET_STATUS, 1, EIO);
	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), -EIO);
	fk_fail(VFIO_GROUP_SET_CONTAINER, 1, EINVAL);
	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "SET_CONTAINER"));
	fk_fail(VFIO_IOMMU_GET_INFO, 1, EINVAL);
	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), -EINVAL);
	/* The second, full-size call fails. */
	fk_fail(VFIO_IOMMU_GET_INFO, 3, ENOMEM);
	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), -ENOMEM);
	assert_int_equal(fk_count(VFIO_GROUP_UNSET_CONTAINER), 2);
}

static void test_type1_bad_caps(void **state)
{
	struct rproc_vfio_config c = cfg(RPROC_VFIO_TYPE1);
	struct rproc_error err = { 0 };
	struct rproc_vfio *v;

	/* A chain that points back at itself. */
	fk.type1_cap_next = sizeof(struct vfio_iommu_type1_info);
	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "loops"));
	/* A chain that points outside the buffer. */
	fk.type1_cap_next = 4096;
	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), -EPROTO);
	/* More ranges claimed than the buffer holds. */
	fk.type1_cap_next = -1;
	fk.type1_cap_nr = 1000;
	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "does not fit"));
}

/* ---- iommufd ------------------------------------------------------------------------------ */

static void test_iommufd_sequence(void **state)
{
	struct rproc_vfio_config c = cfg(RPROC_VFIO_IOMMUFD);
	struct rproc_error err = { 0 };
	struct rproc_vfio *v;
	static char buf[8192];
	size_t n;

	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), 0);
	assert_int_equal(rproc_vfio_kind(v), RPROC_VFIO_IOMMUFD);
	rproc_vfio_iova_ranges(v, &n);
	assert_int_equal(n, 2);
	assert_int_equal(rproc_vfio_map_va(v, 0x90000000, buf, 0x2000, RPROC_IOMMU_READ, &err), 0);
	assert_int_equal(rproc_vfio_unmap(v, 0x90000000, 0x2000, &err), 0);
	rproc_vfio_close(v);

	{
		const unsigned long want[] = {
			FK_OPEN(FK_IOMMUFD), FK_OPEN(FK_DEVICE), VFIO_DEVICE_BIND_IOMMUFD,
			IOMMU_IOAS_ALLOC, VFIO_DEVICE_ATTACH_IOMMUFD_PT, IOMMU_IOAS_IOVA_RANGES,
			IOMMU_IOAS_MAP, IOMMU_IOAS_UNMAP,
			/* teardown */
			IOMMU_IOAS_UNMAP, VFIO_DEVICE_DETACH_IOMMUFD_PT, IOMMU_DESTROY,
		};
		assert_seq(want, ARRAY_SIZE(want));
	}
	{
		struct vfio_device_bind_iommufd b;
		struct iommu_ioas_alloc a;
		struct vfio_device_attach_iommufd_pt at;
		struct iommu_ioas_iova_ranges q;
		struct iommu_ioas_map m;
		struct iommu_ioas_unmap u;
		struct vfio_device_detach_iommufd_pt d;
		struct iommu_destroy ds;

		memcpy(&b, fk_find(VFIO_DEVICE_BIND_IOMMUFD, 0)->arg, sizeof(b));
		assert_int_equal(b.argsz, 16);
		assert_int_equal(b.flags, 0);
		assert_true(b.iommufd >= 0);
		memcpy(&a, fk_find(IOMMU_IOAS_ALLOC, 0)->arg, sizeof(a));
		assert_int_equal(a.size, sizeof(a));
		assert_int_equal(a.flags, 0);
		memcpy(&at, fk_find(VFIO_DEVICE_ATTACH_IOMMUFD_PT, 0)->arg, 12);
		assert_int_equal(at.argsz, 12);
		assert_int_equal(at.flags, 0);
		assert_int_equal(at.pt_id, 7);
		memcpy(&q, fk_find(IOMMU_IOAS_IOVA_RANGES, 0)->arg, sizeof(q));
		assert_int_equal(q.size, sizeof(q));
		assert_int_equal(q.ioas_id, 7);
		assert_int_equal(q.num_iovas, 4);
		memcpy(&m, fk_find(IOMMU_IOAS_MAP, 0)->arg, sizeof(m));
		assert_int_equal(m.size, 40);
		assert_int_equal(m.flags, IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE);
		assert_int_equal(m.ioas_id, 7);
		assert_int_equal(m.user_va, (uintptr_t)buf);
		assert_int_equal(m.length, 0x2000);
		assert_int_equal(m.iova, 0x90000000);
		memcpy(&u, fk_find(IOMMU_IOAS_UNMAP, 0)->arg, sizeof(u));
		assert_int_equal(u.size, 24);
		assert_int_equal(u.ioas_id, 7);
		assert_int_equal(u.iova, 0x90000000);
		assert_int_equal(u.length, 0x2000);
		memcpy(&u, fk_find(IOMMU_IOAS_UNMAP, 1)->arg, sizeof(u));
		assert_int_equal(u.iova, 0);
		assert_int_equal(u.length, UINT64_MAX);
		memcpy(&d, fk_find(VFIO_DEVICE_DETACH_IOMMUFD_PT, 0)->arg, sizeof(d));
		assert_int_equal(d.argsz, 8);
		memcpy(&ds, fk_find(IOMMU_DESTROY, 0)->arg, sizeof(ds));
		assert_int_equal(ds.size, 8);
		assert_int_equal(ds.id, 7);
	}
	assert_int_equal(fk.ioas_allocs, fk.ioas_destroys);
}

static void test_iommufd_emsgsize(void **state)
{
	struct rproc_vfio_config c = cfg(RPROC_VFIO_IOMMUFD);
	struct rproc_error err = { 0 };
	struct rproc_vfio *v;
	const struct rproc_iova_range *r;
	size_t n;

	fk.n_ranges = 6;
	for (unsigned int i = 0; i < 6; i++) {
		fk.ranges[i][0] = 0x10000000ULL * (i + 1);
		fk.ranges[i][1] = 0x10000000ULL * (i + 1) + 0xfffffff;
	}
	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), 0);
	r = rproc_vfio_iova_ranges(v, &n);
	assert_int_equal(n, 6);
	assert_int_equal(r[5].start, 0x60000000);
	assert_int_equal(fk_count(IOMMU_IOAS_IOVA_RANGES), 2);
	assert_int_equal(fk_find(IOMMU_IOAS_IOVA_RANGES, 0)->ret, -EMSGSIZE);
	assert_int_equal(((const struct iommu_ioas_iova_ranges *)fk_find(IOMMU_IOAS_IOVA_RANGES, 1)
				  ->arg)->num_iovas, 6);
	rproc_vfio_close(v);
}

static void test_iommufd_bind_eperm(void **state)
{
	struct rproc_vfio_config c = cfg(RPROC_VFIO_IOMMUFD);
	struct rproc_error err = { 0 };
	struct rproc_vfio *v;

	fk_fail(VFIO_DEVICE_BIND_IOMMUFD, 1, EPERM);
	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), -EPERM);
	assert_non_null(strstr(err.msg, "iommufd.allow_unsafe_interrupts=1"));
	assert_int_equal(fk_count(IOMMU_IOAS_ALLOC), 0);
}

static void test_iommufd_attach_fails(void **state)
{
	struct rproc_vfio_config c = cfg(RPROC_VFIO_IOMMUFD);
	struct rproc_error err = { 0 };
	struct rproc_vfio *v;

	fk_fail(VFIO_DEVICE_ATTACH_IOMMUFD_PT, 1, EINVAL);
	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), -EINVAL);
	/* The IOAS is destroyed even though it was never attached; no detach. */
	assert_int_equal(fk.ioas_destroys, 1);
	assert_int_equal(fk_count(VFIO_DEVICE_DETACH_IOMMUFD_PT), 0);
	fk_fail(VFIO_DEVICE_ATTACH_IOMMUFD_PT, 2, EPERM);
	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), -EPERM);
	assert_non_null(strstr(err.msg, "not permitted: the platform has no MSI isolation"));
	assert_int_equal(fk.ioas_destroys, 2);
}

static void test_iommufd_ranges_fail(void **state)
{
	struct rproc_vfio_config c = cfg(RPROC_VFIO_IOMMUFD);
	struct rproc_error err = { 0 };
	struct rproc_vfio *v;

	fk_fail(IOMMU_IOAS_IOVA_RANGES, 1, ENOMEM);
	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), -ENOMEM);
	assert_int_equal(fk_count(VFIO_DEVICE_DETACH_IOMMUFD_PT), 1);
	assert_int_equal(fk.ioas_destroys, 1);
}

static void test_iommufd_setup_errors(void **state)
{
	struct rproc_vfio_config c = cfg(RPROC_VFIO_IOMMUFD);
	struct rproc_error err = { 0 };
	struct rproc_vfio *v;

	fk_fail(FK_OPEN(FK_DEVICE), 1, EACCES);
	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), -EACCES);
	assert_non_null(strstr(err.msg, "permissions"));
	fk_fail(VFIO_DEVICE_BIND_IOMMUFD, 1, EBUSY);
	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), -EBUSY);
	assert_non_null(strstr(err.msg, "legacy container"));
	fk_fail(IOMMU_IOAS_ALLOC, 1, ENOMEM);
	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), -ENOMEM);
	assert_int_equal(fk.ioas_destroys, 0); /* nothing allocated, nothing destroyed */
	fk_remove("vfio-dev");
	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "CONFIG_VFIO_DEVICE_CDEV"));
}

static void test_iommufd_map_errors(void **state)
{
	struct rproc_vfio_config c = cfg(RPROC_VFIO_IOMMUFD);
	struct rproc_error err = { 0 };
	struct rproc_vfio *v;
	static char buf[4096];

	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), 0);
	fk_fail(IOMMU_IOAS_MAP, 1, ENOMEM);
	assert_int_equal(rproc_vfio_map_va(v, 0x90000000, buf, 0x1000, 3, &err), -ENOMEM);
	assert_non_null(strstr(err.msg, "RLIMIT_MEMLOCK"));
	fk_fail(IOMMU_IOAS_MAP, 2, ENOSPC);
	assert_int_equal(rproc_vfio_map_va(v, 0x90000000, buf, 0x1000, 3, &err), -ENOSPC);
	assert_int_equal(rproc_vfio_map_va(v, 0x90000000, buf, 0x1000, 3, &err), 0);
	assert_int_equal(rproc_vfio_map_va(v, 0x90000000, buf, 0x1000, 3, &err), -EEXIST);
	assert_int_equal(rproc_vfio_unmap(v, 0x90001000, 0x1000, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "not mapped"));
	assert_int_equal(rproc_vfio_mapped(v), 1);
	/* Outside, and a zero-sized or wrapping range. */
	assert_int_equal(rproc_vfio_map_va(v, 0x8080000, buf, 0x1000, 3, &err), -ERANGE);
	assert_int_equal(rproc_vfio_map_va(v, 0x90000000, buf, 0, 3, &err), -EINVAL);
	assert_int_equal(rproc_vfio_map_va(v, UINT64_MAX - 0xfff, buf, 0x2000, 3, &err), -EINVAL);
	rproc_vfio_close(v);
	assert_int_equal(fk.n_maps, 0);
}

static void test_iommufd_pfnmap_efault(void **state)
{
	struct rproc_vfio_config c = cfg(RPROC_VFIO_IOMMUFD);
	struct rproc_error err = { 0 };
	struct rproc_vfio *v;
	void *va;
	int fd;

	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), 0);
	/* A /dev/mem view: the fake kernel, like the real one, cannot pin it. */
	{
		char p[512];

		snprintf(p, sizeof(p), "%s/mem", fk.dev_root);
		fd = open(p, O_RDWR);
	}
	assert_true(fd >= 0);
	va = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0x90000000);
	assert_true(va != MAP_FAILED);
	close(fd);
	assert_int_equal(rproc_vfio_map_va(v, 0x90000000, va, 0x1000, 3, &err), -EFAULT);
	assert_non_null(strstr(err.msg, "VM_PFNMAP"));
	assert_int_equal(rproc_vfio_mapped(v), 0);
	munmap(va, 0x1000);
	rproc_vfio_close(v);
}

static void test_iommufd_map_file(void **state)
{
	struct rproc_vfio_config c = cfg(RPROC_VFIO_IOMMUFD);
	struct rproc_error err = { 0 };
	struct rproc_vfio *v;
	struct iommu_ioas_map_file m;

	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), 0);
	assert_int_equal(rproc_vfio_map_file(v, 0x90000000, 42, 0x1000, 0x4000, 3, &err), 0);
	memcpy(&m, fk_find(IOMMU_IOAS_MAP_FILE, 0)->arg, sizeof(m));
	assert_int_equal(m.size, 40);
	assert_int_equal(m.flags, 7);
	assert_int_equal(m.ioas_id, 7);
	assert_int_equal(m.fd, 42);
	assert_int_equal(m.start, 0x1000);
	assert_int_equal(m.length, 0x4000);
	assert_int_equal(m.iova, 0x90000000);
	fk_fail(IOMMU_IOAS_MAP_FILE, 2, ENOTTY);
	assert_int_equal(rproc_vfio_map_file(v, 0xa0000000, 42, 0, 0x1000, 3, &err), -EOPNOTSUPP);
	assert_non_null(strstr(err.msg, "6.13"));
	rproc_vfio_close(v);
	assert_int_equal(fk.n_maps, 0);
}

static void test_type1_has_no_map_file(void **state)
{
	struct rproc_vfio_config c = cfg(RPROC_VFIO_TYPE1);
	struct rproc_error err = { 0 };
	struct rproc_vfio *v;

	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), 0);
	assert_int_equal(rproc_vfio_map_file(v, 0x90000000, 3, 0, 0x1000, 3, &err), -EOPNOTSUPP);
	rproc_vfio_close(v);
}

/* ---- choice ------------------------------------------------------------------------------- */

static void test_auto_choice(void **state)
{
	struct rproc_vfio_config c = cfg(RPROC_VFIO_AUTO);
	struct rproc_error err = { 0 };
	struct rproc_vfio *v;

	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), 0);
	assert_int_equal(rproc_vfio_kind(v), RPROC_VFIO_IOMMUFD);
	rproc_vfio_close(v);

	fk_remove("vfio-dev"); /* kernel without the device cdev */
	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), 0);
	assert_int_equal(rproc_vfio_kind(v), RPROC_VFIO_TYPE1);
	rproc_vfio_close(v);
}

static void test_auto_iommufd_refused(void **state)
{
	struct rproc_vfio_config c = cfg(RPROC_VFIO_AUTO);
	struct rproc_error err = { 0 };
	struct rproc_vfio *v;

	/* iommufd refuses the device: auto tries type1, which takes it. */
	fk_fail(VFIO_DEVICE_BIND_IOMMUFD, 1, EPERM);
	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), 0);
	assert_int_equal(rproc_vfio_kind(v), RPROC_VFIO_TYPE1);
	assert_int_equal(fk_count(FK_OPEN(FK_CONTAINER)), 1);
	rproc_vfio_close(v);
	/* Both refuse: both reasons are in the message. */
	fk_fail(VFIO_DEVICE_BIND_IOMMUFD, 2, EPERM);
	fk_fail(VFIO_SET_IOMMU, 2, EPERM);
	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), -EPERM);
	assert_non_null(strstr(err.msg, "iommufd.allow_unsafe_interrupts"));
	assert_non_null(strstr(err.msg, "vfio_iommu_type1.allow_unsafe_interrupts"));
}

static void test_auto_no_iommu(void **state)
{
	struct rproc_vfio_config c = cfg(RPROC_VFIO_AUTO);
	struct rproc_error err = { 0 };
	struct rproc_vfio *v;

	fk_remove("iommu");
	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), 0);
	assert_int_equal(rproc_vfio_kind(v), RPROC_VFIO_TYPE1);
	rproc_vfio_close(v);
	/* Forcing iommufd now names the missing kernel option. */
	c.kind = RPROC_VFIO_IOMMUFD;
	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "CONFIG_IOMMUFD"));
}

static void test_no_group(void **state)
{
	struct rproc_vfio_config c = cfg(RPROC_VFIO_TYPE1);
	struct rproc_error err = { 0 };
	struct rproc_vfio *v;
	char p[1024];

	snprintf(p, sizeof(p), "%s/iommu_group", sys);
	unlink(p);
	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "iommus"));
	assert_int_equal(fk_count(FK_OPEN(FK_GROUP)), 0);
}

/* ---- fd store ----------------------------------------------------------------------------- */

static void test_export_adopt_type1(void **state)
{
	struct rproc_vfio_config c = cfg(RPROC_VFIO_TYPE1);
	struct rproc_error err = { 0 };
	struct rproc_vfio *v, *w;
	struct rproc_fd_entry e[RPROC_VFIO_MAX_FDS];
	static char buf[4096];
	size_t n = 0;
	unsigned int before;

	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), 0);
	assert_int_equal(rproc_vfio_map_va(v, 0x90000000, buf, 0x1000, 3, &err), 0);
	assert_int_equal(rproc_vfio_export_fds(v, "30000000.remoteproc", e, ARRAY_SIZE(e), &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(e[0].name, "30000000.remoteproc.container");
	assert_string_equal(e[1].name, "30000000.remoteproc.group5");
	assert_string_equal(e[2].name, "30000000.remoteproc.device");
	/* The fd store holds copies; the old daemon exits without undoing anything. */
	for (size_t i = 0; i < n; i++)
		e[i].fd = fk_dup(e[i].fd);
	before = fk.n_calls;
	rproc_vfio_release(v);
	assert_int_equal(fk.n_calls, before); /* no teardown ioctl */
	assert_int_equal(fk.n_maps, 1);       /* the store's copies keep the domain alive */

	before = fk.n_calls;
	assert_int_equal(rproc_vfio_adopt(sys, &c, "30000000.remoteproc", e, n, &w, &err), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(e[i].fd, -1); /* taken */
	/* No setup is repeated: only the ranges are read again. */
	for (unsigned int i = before; i < fk.n_calls; i++)
		assert_int_equal(fk.calls[i].req, VFIO_IOMMU_GET_INFO);
	assert_int_equal(fk.n_maps, 1);
	assert_int_equal(rproc_vfio_unmap(w, 0x90000000, 0x1000, &err), 0);
	rproc_vfio_close(w);
}

static void test_export_adopt_iommufd(void **state)
{
	struct rproc_vfio_config c = cfg(RPROC_VFIO_IOMMUFD);
	struct rproc_error err = { 0 };
	struct rproc_vfio *v, *w;
	struct rproc_fd_entry e[RPROC_VFIO_MAX_FDS];
	size_t n = 0;

	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), 0);
	assert_int_equal(rproc_vfio_export_fds(v, "adsp", e, ARRAY_SIZE(e), &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(e[0].name, "adsp.iommufd.ioas7");
	assert_string_equal(e[1].name, "adsp.device.hwpt11");
	for (size_t i = 0; i < n; i++)
		e[i].fd = fk_dup(e[i].fd);
	rproc_vfio_release(v);
	assert_int_equal(fk.ioas_destroys, 0);
	assert_int_equal(rproc_vfio_adopt(sys, &c, "adsp", e, n, &w, &err), 0);
	assert_int_equal(rproc_vfio_kind(w), RPROC_VFIO_IOMMUFD);
	rproc_vfio_close(w);
	/* Nothing to adopt: a clear error and the caller keeps its (empty) list. */
	assert_int_equal(rproc_vfio_adopt(sys, &c, "adsp", e, n, &w, &err), -ENOENT);
}

/* ---- interrupts ----------------------------------------------------------------------------- */

static void test_irq_structs(void **state)
{
	struct rproc_vfio_config c = cfg(RPROC_VFIO_TYPE1);
	struct rproc_error err = { 0 };
	struct rproc_vfio_irq_info info;
	struct rproc_vfio *v;
	int dev;

	assert_int_equal(rproc_vfio_open(sys, &c, &v, &err), 0);
	dev = rproc_vfio_device_fd(v);
	assert_int_equal(rproc_vfio_irq_info(dev, 0, &info), 0);
	assert_int_equal(info.flags, VFIO_IRQ_INFO_EVENTFD);
	assert_int_equal(rproc_vfio_irq_info(dev, 9, &info), -EINVAL);
	assert_int_equal(rproc_vfio_irq_set_eventfd(dev, 0, 77), 0);
	assert_int_equal(rproc_vfio_irq_unmask(dev, 0), 0);
	assert_int_equal(rproc_vfio_irq_set_eventfd(dev, 0, -1), 0);
	{
		const struct vfio_irq_set *s = (const void *)fk_find(VFIO_DEVICE_SET_IRQS, 0)->arg;
		int32_t fd;

		assert_int_equal(s->argsz, sizeof(*s) + 4);
		assert_int_equal(s->flags, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER);
		assert_int_equal(s->index, 0);
		assert_int_equal(s->start, 0);
		assert_int_equal(s->count, 1);
		memcpy(&fd, s->data, sizeof(fd));
		assert_int_equal(fd, 77);
		s = (const void *)fk_find(VFIO_DEVICE_SET_IRQS, 1)->arg;
		assert_int_equal(s->flags, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK);
		assert_int_equal(s->count, 1);
		s = (const void *)fk_find(VFIO_DEVICE_SET_IRQS, 2)->arg;
		assert_int_equal(s->flags, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER);
		assert_int_equal(s->count, 0);
	}
	rproc_vfio_close(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_type1_sequence),
		T(test_type1_set_iommu_eperm),
		T(test_type1_group_busy),
		T(test_type1_group_not_viable),
		T(test_type1_missing_container),
		T(test_type1_get_device_busy),
		T(test_type1_no_iova_cap),
		T(test_type1_map_errors),
		T(test_type1_setup_errors),
		T(test_type1_ioctl_errors),
		T(test_type1_bad_caps),
		T(test_iommufd_sequence),
		T(test_iommufd_emsgsize),
		T(test_iommufd_bind_eperm),
		T(test_iommufd_attach_fails),
		T(test_iommufd_ranges_fail),
		T(test_iommufd_setup_errors),
		T(test_iommufd_map_errors),
		T(test_iommufd_pfnmap_efault),
		T(test_iommufd_map_file),
		T(test_type1_has_no_map_file),
		T(test_auto_choice),
		T(test_auto_iommufd_refused),
		T(test_auto_no_iommu),
		T(test_no_group),
		T(test_export_adopt_type1),
		T(test_export_adopt_iommufd),
		T(test_irq_structs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
