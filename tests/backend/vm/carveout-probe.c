// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Does type1 map a /dev/mem (VM_PFNMAP) view of reserved RAM, and keep it after munmap?
 * (doc/iommu.md#what-can-be-mapped, marked Inferred there.)  The guest kernel reserves 4 MiB
 * at 0x0c000000
 * with memmap=4M$0x0c000000 (below edu's 28-bit DMA mask).  Usage: carveout-probe <BDF>.
 * The real backend's carveout path, checked with DMA by QEMU's edu device.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/vfio.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "devmem.h"
#include "vfio.h"

#define CARVE 0x0c000000ull
#define CSIZE 0x400000ull
static int fails;
#define CHECK(c, ...) do { if (c) printf("ok   " __VA_ARGS__); else { fails++; printf("FAIL " __VA_ARGS__); } printf("\n"); } while (0)

static volatile uint32_t *bar;
static void w64(unsigned off, uint64_t v) { bar[off / 4] = (uint32_t)v; bar[off / 4 + 1] = (uint32_t)(v >> 32); }

static int dma(uint64_t src, uint64_t dst, uint32_t cnt, int to_ram)
{
	w64(0x80, src); w64(0x88, dst); w64(0x90, cnt);
	bar[0x98 / 4] = 1 | (to_ram ? 2 : 0);
	for (int i = 0; i < 300; i++) {
		if (!(bar[0x98 / 4] & 1))
			return 0;
		usleep(10000);
	}
	return -1;
}

int main(int argc, char **argv)
{
	char sys[256];
	struct rproc_vfio_config cfg = { .kind = RPROC_VFIO_TYPE1 };
	struct rproc_error err = { 0 };
	struct rproc_vfio *v;
	void *cv;
	int rc;

	snprintf(sys, sizeof(sys), "/sys/bus/pci/devices/%s", argv[1]);
	rc = rproc_vfio_open(sys, &cfg, &v, &err);
	CHECK(rc == 0, "open: %s", err.msg);
	if (rc)
		return 1;
	rc = rproc_devmem_map(NULL, CARVE, CSIZE, true, &cv, &err);
	CHECK(rc == 0, "/dev/mem mmap of the reserved range 0x%llx: %d %s", CARVE, rc, err.msg);
	if (rc)
		return 1;
	for (unsigned i = 0; i < 0xf00 / 4; i++)
		((volatile uint32_t *)cv)[i] = 0xc0de0000u + i;
	rc = rproc_vfio_map_va(v, CARVE, cv, CSIZE, 3, &err);
	CHECK(rc == 0, "type1 MAP_DMA of the PFNMAP view: %d %s", rc, err.msg);
	munmap(cv, CSIZE);
	printf("CPU view unmapped\n");

	int dev = rproc_vfio_device_fd(v);
	struct vfio_region_info ri = { .argsz = sizeof(ri), .index = VFIO_PCI_BAR0_REGION_INDEX };
	struct vfio_region_info ci = { .argsz = sizeof(ci), .index = VFIO_PCI_CONFIG_REGION_INDEX };
	ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &ri);
	ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &ci);
	bar = mmap(NULL, ri.size, PROT_READ | PROT_WRITE, MAP_SHARED, dev, ri.offset);
	uint16_t cmd;
	pread(dev, &cmd, 2, ci.offset + 4);
	cmd |= 4;
	pwrite(dev, &cmd, 2, ci.offset + 4);
	CHECK(bar[0] == 0x010000ed, "edu ident");

	uint32_t *out = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(out, 0, 0x10000);
	rc = rproc_vfio_map_va(v, 0x4000000, out, 0x10000, 3, &err);
	CHECK(rc == 0, "map a normal buffer at 0x4000000: %s", err.msg);
	/* carveout (IOVA == PA) -> edu buffer -> normal buffer */
	CHECK(dma(CARVE, 0x40000, 0xf00, 0) == 0, "DMA carveout -> device");
	CHECK(dma(0x40000, 0x4000000, 0xf00, 1) == 0, "DMA device -> buffer");
	int same = 1;
	for (unsigned i = 0; i < 0xf00 / 4; i++)
		if (out[i] != 0xc0de0000u + i) {
			printf("word %u: 0x%x\n", i, out[i]);
			same = 0;
			break;
		}
	CHECK(same, "the device read the carveout's bytes through the IOMMU after the CPU view was unmapped");
	rc = rproc_vfio_unmap(v, CARVE, CSIZE, &err);
	CHECK(rc == 0, "UNMAP_DMA of the carveout: %d %s", rc, err.msg);
	rproc_vfio_unmap(v, 0x4000000, 0x10000, &err);
	rproc_vfio_close(v);
	printf("CARVEOUT_PROBE: %s (%d failures)\n", fails ? "FAIL" : "PASS", fails);
	return fails ? 1 : 0;
}
