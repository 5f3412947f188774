// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/backend/real/vfio.h on a kernel with iommufd and the VFIO cdev: the compat struct layouts
 * and ioctl numbers, EFAULT for a /dev/mem (VM_PFNMAP) view, IOAS_MAP_FILE support, fd-store
 * adoption, then type1 on the same device (the real backend's fallback).  Usage:
 * iommufd-probe <BDF>, with memmap=4M$0x0c000000 on the guest command line.  See
 * run-iommufd.sh.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "devmem.h"
#include "vfio.h"

static int fails;
#define CHECK(c, ...) do { if (c) printf("ok   " __VA_ARGS__); else { fails++; printf("FAIL " __VA_ARGS__); } printf("\n"); } while (0)
static void logcb(void *u, int l, const char *c, const char *s, int e, const char *m) { printf("log: %s\n", m); }

int main(int argc, char **argv)
{
	char sys[256];
	struct rproc_vfio_config cfg = { .kind = RPROC_VFIO_AUTO };
	struct rproc_error err = { 0 };
	struct rproc_vfio *v;
	const struct rproc_iova_range *r;
	size_t n;
	int rc;

	rproc_log_set(logcb, NULL, 7);
	snprintf(sys, sizeof(sys), "/sys/bus/pci/devices/%s", argv[1]);
	rc = rproc_vfio_open(sys, &cfg, &v, &err);
	CHECK(rc == 0, "open (auto): %d %s", rc, err.msg);
	if (rc)
		return 1;
	CHECK(rproc_vfio_kind(v) == RPROC_VFIO_IOMMUFD, "auto picked %s", rproc_vfio_kind_name(rproc_vfio_kind(v)));
	r = rproc_vfio_iova_ranges(v, &n);
	for (size_t i = 0; i < n; i++)
		printf("range %zu: 0x%llx-0x%llx\n", i, (unsigned long long)r[i].start, (unsigned long long)r[i].last);
	void *buf = mmap(NULL, 2 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(buf, 1, 2 << 20);
	rc = rproc_vfio_map_va(v, 0x4000000, buf, 2 << 20, 3, &err);
	CHECK(rc == 0, "IOAS_MAP 2 MiB anonymous at 0x4000000: %d %s", rc, err.msg);
	rc = rproc_vfio_map_va(v, 0x4000000, buf, 4096, 3, &err);
	CHECK(rc == -EEXIST, "overlap: %d %s", rc, err.msg);
	void *cv;
	rc = rproc_devmem_map(NULL, 0x0c000000, 0x400000, true, &cv, &err);
	CHECK(rc == 0, "/dev/mem view of reserved RAM: %d %s", rc, err.msg);
	if (!rc) {
		rc = rproc_vfio_map_va(v, 0x0c000000, cv, 0x400000, 3, &err);
		CHECK(rc == -EFAULT, "IOAS_MAP of the PFNMAP view: %d %s", rc, err.msg);
	}
	int mfd = memfd_create("x", 0);
	ftruncate(mfd, 0x10000);
	rc = rproc_vfio_map_file(v, 0x5000000, mfd, 0, 0x10000, 3, &err);
	printf("info IOAS_MAP_FILE(memfd): %d %s\n", rc, err.msg);
	close(mfd);
	rc = rproc_vfio_unmap(v, 0x4000000, 2 << 20, &err);
	CHECK(rc == 0, "IOAS_UNMAP: %d %s", rc, err.msg);
	rc = rproc_vfio_unmap(v, 0x4000000, 2 << 20, &err);
	CHECK(rc == -ENOENT, "IOAS_UNMAP again: %d %s", rc, err.msg);
	/* fd store round trip */
	{
		struct rproc_fd_entry e[4];
		size_t ne = 0;
		struct rproc_vfio *w;

		rc = rproc_vfio_map_va(v, 0x4000000, buf, 4096, 3, &err);
		rproc_vfio_export_fds(v, "edu", e, 4, &ne);
		printf("exported %zu: %s %s\n", ne, e[0].name, e[1].name);
		for (size_t i = 0; i < ne; i++)
			e[i].fd = fcntl(e[i].fd, F_DUPFD_CLOEXEC, 0);
		rproc_vfio_release(v);
		rc = rproc_vfio_adopt(sys, &cfg, "edu", e, ne, &w, &err);
		CHECK(rc == 0, "adopt: %d %s", rc, err.msg);
		rc = rproc_vfio_map_va(w, 0x4000000, buf, 4096, 3, &err);
		CHECK(rc == -EEXIST, "adopted IOAS still holds the mapping: %d", rc);
		rproc_vfio_close(w);
	}
	/* type1 on the same device, as the real backend's fallback does */
	cfg.kind = RPROC_VFIO_TYPE1;
	rc = rproc_vfio_open(sys, &cfg, &v, &err);
	CHECK(rc == 0, "type1 open after iommufd close: %d %s", rc, err.msg);
	if (!rc) {
		rc = rproc_vfio_map_va(v, 0x0c000000, cv, 0x400000, 3, &err);
		CHECK(rc == 0, "type1 MAP_DMA of the PFNMAP view: %d %s", rc, err.msg);
		rc = rproc_vfio_unmap(v, 0x0c000000, 0x400000, &err);
		CHECK(rc == 0, "type1 UNMAP_DMA: %d %s", rc, err.msg);
		rproc_vfio_close(v);
	}
	printf("IOMMUFD_PROBE: %s (%d failures)\n", fails ? "FAIL" : "PASS", fails);
	return fails ? 1 : 0;
}
