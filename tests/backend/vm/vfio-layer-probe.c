// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The VFIO layer (lib/backend/real/vfio.h) against a real kernel: QEMU edu bound to vfio-pci,
 * type1 (Debian kernels have no iommufd).  Usage: vfio-layer-probe <PCI BDF>.  See run.sh.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <fcntl.h>
#include "vfio.h"

static int fails;
#define CHECK(c, ...) do { if (c) printf("ok   " __VA_ARGS__); else { fails++; printf("FAIL " __VA_ARGS__); } printf("\n"); } while (0)

static void logcb(void *u, int l, const char *c, const char *s, int e, const char *m) { printf("log: %s\n", m); }

int main(int argc, char **argv)
{
	char sys[256];
	struct rproc_vfio_config cfg = { .kind = RPROC_VFIO_AUTO };
	struct rproc_error err = { 0 };
	struct rproc_vfio *v, *w;
	const struct rproc_iova_range *r;
	struct rproc_vfio_irq_info ii;
	struct rproc_fd_entry e[4];
	size_t n, ne = 0;
	int rc;

	rproc_log_set(logcb, NULL, 7);
	snprintf(sys, sizeof(sys), "/sys/bus/pci/devices/%s", argv[1]);
	rc = rproc_vfio_open(sys, &cfg, &v, &err);
	CHECK(rc == 0, "open (auto): %d %s", rc, err.msg);
	if (rc)
		return 1;
	CHECK(rproc_vfio_kind(v) == RPROC_VFIO_TYPE1, "auto picked %s (no iommufd in Debian kernels)", rproc_vfio_kind_name(rproc_vfio_kind(v)));
	r = rproc_vfio_iova_ranges(v, &n);
	for (size_t i = 0; i < n; i++)
		printf("range %zu: 0x%llx-0x%llx\n", i, (unsigned long long)r[i].start, (unsigned long long)r[i].last);
	CHECK(n >= 2, "%zu usable ranges (a reserved hole splits the space)", n);
	void *buf = mmap(NULL, 2 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	rc = rproc_vfio_map_va(v, 0x4000000, buf, 2 << 20, 3, &err);
	CHECK(rc == 0, "map 2 MiB at 0x4000000: %d %s", rc, err.msg);
	rc = rproc_vfio_map_va(v, 0x4000000, buf, 4096, 3, &err);
	CHECK(rc == -EEXIST, "overlapping map: %d %s", rc, err.msg);
#if defined(__aarch64__)
	rc = rproc_vfio_map_va(v, 0x8000000, buf, 4096, 3, &err);
	CHECK(rc == -ERANGE, "map in the SMMU MSI window: %d %s", rc, err.msg);
#else
	rc = rproc_vfio_map_va(v, 0xfee00000, buf, 4096, 3, &err);
	CHECK(rc == -ERANGE, "map in the x86 MSI hole: %d %s", rc, err.msg);
#endif
	rc = rproc_vfio_irq_info(rproc_vfio_device_fd(v), 0, &ii);
	CHECK(rc == 0, "irq info index 0 (INTx): %d flags 0x%x count %u", rc, ii.flags, ii.count);
	/* fd store round trip: copies kept, release, adopt, mapping still there. */
	rc = rproc_vfio_export_fds(v, argv[1], e, 4, &ne);
	CHECK(rc == 0 && ne == 3, "export: %d n=%zu %s %s %s", rc, ne, e[0].name, e[1].name, e[2].name);
	for (size_t i = 0; i < ne; i++)
		e[i].fd = fcntl(e[i].fd, F_DUPFD_CLOEXEC, 0);
	rproc_vfio_release(v);
	rc = rproc_vfio_adopt(sys, &cfg, argv[1], e, ne, &w, &err);
	CHECK(rc == 0, "adopt: %d %s", rc, err.msg);
	rc = rproc_vfio_map_va(w, 0x4000000, buf, 4096, 3, &err);
	CHECK(rc == -EEXIST, "adopted context still holds the mapping: %d", rc);
	rc = rproc_vfio_unmap(w, 0x4000000, 2 << 20, &err);
	CHECK(rc == 0, "unmap: %d %s", rc, err.msg);
	rc = rproc_vfio_unmap(w, 0x4000000, 2 << 20, &err);
	CHECK(rc == -ENOENT, "unmap again: %d %s", rc, err.msg);
	rproc_vfio_close(w);
	rc = rproc_vfio_open(sys, &cfg, &v, &err);
	CHECK(rc == 0, "re-open after close: %d %s", rc, err.msg);
	if (!rc)
		rproc_vfio_close(v);
	cfg.kind = RPROC_VFIO_IOMMUFD;
	rc = rproc_vfio_open(sys, &cfg, &v, &err);
	CHECK(rc < 0, "forced iommufd fails cleanly: %d %s", rc, err.msg);
	printf("VFIO_LAYER_PROBE: %s (%d failures)\n", fails ? "FAIL" : "PASS", fails);
	return fails ? 1 : 0;
}
