/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QEMU's "edu" PCI device as a stand-in DSP: a 4 KiB device buffer and a DMA engine that
 * copies between it and bus addresses (IOVAs behind the emulated IOMMU).
 *
 * Register map (QEMU hw/misc/edu.c, docs/specs/edu.rst): 0x00 ident (0x010000ed),
 * 0x04 liveness (reads back ~value), 0x80 DMA source, 0x88 DMA destination, 0x90 count,
 * 0x98 command (bit 0 start/busy, bit 1 direction: 1 = device buffer -> RAM).  The device
 * buffer sits at bus address 0x40000 in the DMA registers.  Each transfer completes on a
 * 100 ms device timer.  QEMU 7.2 aborts the whole VM on a transfer that reaches the last byte
 * of the device buffer (off-by-one range check), so transfers stay below EDU_MAX_XFER.
 *
 * Only BAR0 and the PCI command register are touched here, through the VFIO device fd that
 * librproc's VFIO layer opened (its mapping code is what the test proves; it has no reason to
 * know about BARs).
 */
#ifndef RPROC_VM_EDU_H
#define RPROC_VM_EDU_H

#include <stddef.h>
#include <stdint.h>

#define EDU_DEVBUF 0x40000ull
#define EDU_MAX_XFER 0xf00u

struct edu {
	int devfd;
	volatile uint8_t *bar;
	size_t bar_size;
};

/* Map BAR0 of the VFIO device @devfd and enable bus mastering.  0 or negative errno. */
int edu_open(struct edu *e, int devfd, char *why, size_t why_len);
void edu_close(struct edu *e);

uint32_t edu_ident(struct edu *e);
/* Write @v to the liveness register and return what it reads back (~v when alive). */
uint32_t edu_liveness(struct edu *e, uint32_t v);

/*
 * One DMA transfer of @len bytes (<= EDU_MAX_XFER).  to_ram = 0: bus address @src -> device
 * buffer + @off; 1: device buffer + @off -> bus address @dst.  0 when the engine finished
 * (whether or not the IOMMU let the bytes through), -ETIMEDOUT if it did not.
 */
int edu_read_bus(struct edu *e, uint64_t src, uint32_t len);
int edu_write_bus(struct edu *e, uint64_t dst, uint32_t len);

#endif
