// SPDX-License-Identifier: GPL-2.0-or-later
/* QEMU edu DMA engine through a VFIO device fd (see edu.h). */
#include <errno.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "edu.h"

#define EDU_REG_IDENT 0x00
#define EDU_REG_LIVE 0x04
#define EDU_REG_DMA_SRC 0x80
#define EDU_REG_DMA_DST 0x88
#define EDU_REG_DMA_CNT 0x90
#define EDU_REG_DMA_CMD 0x98
#define EDU_CMD_RUN 0x1
#define EDU_CMD_TO_RAM 0x2
#define PCI_COMMAND_OFF 0x4
#define PCI_COMMAND_MEMORY 0x2
#define PCI_COMMAND_MASTER 0x4 /* VFIO leaves it off: without it QEMU drops the DMA */

static uint32_t rd32(struct edu *e, unsigned int off)
{
	return *(volatile uint32_t *)(e->bar + off);
}

static void wr32(struct edu *e, unsigned int off, uint32_t v)
{
	*(volatile uint32_t *)(e->bar + off) = v;
}

static uint64_t rd64(struct edu *e, unsigned int off)
{
	return *(volatile uint64_t *)(e->bar + off);
}

static void wr64(struct edu *e, unsigned int off, uint64_t v)
{
	*(volatile uint64_t *)(e->bar + off) = v;
}

int edu_open(struct edu *e, int devfd, char *why, size_t why_len)
{
	struct vfio_region_info bar = {.argsz = sizeof(bar), .index = VFIO_PCI_BAR0_REGION_INDEX};
	struct vfio_region_info cfg = {.argsz = sizeof(cfg), .index = VFIO_PCI_CONFIG_REGION_INDEX};
	uint16_t cmd = 0;
	void *p;

	e->devfd = devfd;
	e->bar = NULL;
	if (ioctl(devfd, VFIO_DEVICE_GET_REGION_INFO, &bar) < 0 ||
	    ioctl(devfd, VFIO_DEVICE_GET_REGION_INFO, &cfg) < 0) {
		snprintf(why, why_len, "VFIO_DEVICE_GET_REGION_INFO: %s", strerror(errno));
		return -errno;
	}
	if (!(bar.flags & VFIO_REGION_INFO_FLAG_MMAP)) {
		snprintf(why, why_len, "BAR0 is not mmap-able (flags 0x%x)", bar.flags);
		return -ENOTSUP;
	}
	p = mmap(NULL, bar.size, PROT_READ | PROT_WRITE, MAP_SHARED, devfd, (off_t)bar.offset);
	if (p == MAP_FAILED) {
		snprintf(why, why_len, "mmap BAR0: %s", strerror(errno));
		return -errno;
	}
	e->bar = p;
	e->bar_size = bar.size;
	if (pread(devfd, &cmd, 2, (off_t)cfg.offset + PCI_COMMAND_OFF) != 2) {
		snprintf(why, why_len, "read PCI_COMMAND: %s", strerror(errno));
		edu_close(e);
		return -EIO;
	}
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	if (pwrite(devfd, &cmd, 2, (off_t)cfg.offset + PCI_COMMAND_OFF) != 2) {
		snprintf(why, why_len, "write PCI_COMMAND: %s", strerror(errno));
		edu_close(e);
		return -EIO;
	}
	return 0;
}

void edu_close(struct edu *e)
{
	if (e->bar)
		munmap((void *)e->bar, e->bar_size);
	e->bar = NULL;
}

uint32_t edu_ident(struct edu *e)
{
	return rd32(e, EDU_REG_IDENT);
}

uint32_t edu_liveness(struct edu *e, uint32_t v)
{
	wr32(e, EDU_REG_LIVE, v);
	return rd32(e, EDU_REG_LIVE);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int dma(struct edu *e, uint64_t src, uint64_t dst, uint32_t len, int to_ram)
{
	double t0 = now();

	if (len > EDU_MAX_XFER)
		return -EINVAL;
	wr64(e, EDU_REG_DMA_SRC, src);
	wr64(e, EDU_REG_DMA_DST, dst);
	wr64(e, EDU_REG_DMA_CNT, len);
	wr64(e, EDU_REG_DMA_CMD, EDU_CMD_RUN | (to_ram ? EDU_CMD_TO_RAM : 0));
	while (rd64(e, EDU_REG_DMA_CMD) & EDU_CMD_RUN) {
		if (now() - t0 > 10.0)
			return -ETIMEDOUT;
		usleep(1000);
	}
	return 0;
}

int edu_read_bus(struct edu *e, uint64_t src, uint32_t len)
{
	return dma(e, src, EDU_DEVBUF, len, 0);
}

int edu_write_bus(struct edu *e, uint64_t dst, uint32_t len)
{
	return dma(e, EDU_DEVBUF, dst, len, 1);
}
