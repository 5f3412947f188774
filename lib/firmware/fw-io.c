// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Stores into carveout memory.  The CPU view of a carveout may be write-combined or Device
 * memory (a /dev/mem or VFIO mapping), where unaligned accesses fault and reads are slow or
 * have side effects.  So: naturally aligned stores only, 8 bytes wide where possible, and the
 * destination is never read.  volatile keeps the compiler from turning the loops back into a
 * memcpy()/memset() call that would do neither.
 */
#include <stdint.h>
#include <string.h>

#include "rproc/fw.h"

static inline void st8(uintptr_t d, uint8_t v)
{
	*(volatile uint8_t *)d = v;
}

static inline void st16(uintptr_t d, uint16_t v)
{
	*(volatile uint16_t *)d = v;
}

static inline void st32(uintptr_t d, uint32_t v)
{
	*(volatile uint32_t *)d = v;
}

static inline void st64(uintptr_t d, uint64_t v)
{
	*(volatile uint64_t *)d = v;
}

/*
 * The widest aligned store that fits at @d with @n bytes left, limited to 4 (heads and
 * tails only; the bulk loop does the 8-byte stores).
 */
static inline size_t small_width(uintptr_t d, size_t n)
{
	if ((d & 1) || n < 2)
		return 1;
	if ((d & 2) || n < 4)
		return 2;
	return 4;
}

/* One aligned 1-, 2- or 4-byte store at @d of the bytes at @s (zeros if @s is NULL). */
static size_t store_small(uintptr_t d, const uint8_t *s, size_t n)
{
	size_t w = small_width(d, n);
	uint16_t v16 = 0;
	uint32_t v32 = 0;

	if (w == 1) {
		st8(d, s ? *s : 0);
	} else if (w == 2) {
		if (s)
			memcpy(&v16, s, 2);
		st16(d, v16);
	} else {
		if (s)
			memcpy(&v32, s, 4);
		st32(d, v32);
	}
	return w;
}

void rproc_io_copy(void *dst, const void *src, size_t n)
{
	uintptr_t d = (uintptr_t)dst;
	const uint8_t *s = src;
	size_t w;

	for (; n && (d & 7); d += w, s += w, n -= w)
		w = store_small(d, s, n);
	for (; n >= 8; d += 8, s += 8, n -= 8) {
		uint64_t v;

		memcpy(&v, s, 8); /* the source is ordinary memory: any alignment */
		st64(d, v);
	}
	for (; n; d += w, s += w, n -= w)
		w = store_small(d, s, n);
}

void rproc_io_zero(void *dst, size_t n)
{
	uintptr_t d = (uintptr_t)dst;
	size_t w;

	for (; n && (d & 7); d += w, n -= w)
		w = store_small(d, NULL, n);
	for (; n >= 8; d += 8, n -= 8)
		st64(d, 0);
	for (; n; d += w, n -= w)
		w = store_small(d, NULL, n);
}

/*
 * Write-combined memory merges stores into line-sized buffers; a buffer written whole goes out
 * as one burst, a partial one as several.  So the bulk is whole 64-byte lines, four 16-byte
 * vector stores each (SSE2 / NEON registers everywhere this builds), and only the unaligned
 * head and tail take the narrow stores above.
 */
typedef uint64_t io_v16 __attribute__((vector_size(16)));

void rproc_io_zero_wc(void *dst, size_t n)
{
	uintptr_t d = (uintptr_t)dst;
	size_t head = (size_t)(-d & 63);
	const io_v16 zero = { 0, 0 };

	if (n < head + 64) {
		rproc_io_zero(dst, n);
		return;
	}
	rproc_io_zero(dst, head);
	d += head;
	n -= head;
	for (; n >= 64; d += 64, n -= 64) {
		volatile io_v16 *line = (volatile io_v16 *)d;

		line[0] = zero;
		line[1] = zero;
		line[2] = zero;
		line[3] = zero;
	}
	rproc_io_zero((void *)d, n);
}
