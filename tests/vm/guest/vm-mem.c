// SPDX-License-Identifier: GPL-2.0-or-later
/* CPU view of reserved physical memory for the guest test (see vm-mem.h). */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "devmem.h"
#include "vm-mem.h"

/* The carveout provider the real backend falls back to when there is no shim mmap. */
int vm_mem_map(struct vm_mem *m, uint64_t phys, uint64_t size, bool writable,
	       struct rproc_error *err)
{
	int r;

	memset(m, 0, sizeof(*m));
	r = rproc_devmem_map(NULL, phys, size, writable, &m->va, err);
	if (r < 0)
		return r;
	m->phys = phys;
	m->size = size;
	return 0;
}

void vm_mem_unmap(struct vm_mem *m)
{
	if (m->va)
		munmap(m->va, m->size);
	m->va = NULL;
}

void vm_mem_read(const struct vm_mem *m, uint64_t off, void *dst, size_t len)
{
	const volatile uint64_t *w = (const volatile uint64_t *)((uint8_t *)m->va + (off & ~7ull));
	uint8_t *d = dst;
	size_t skip = off & 7;

	while (len) {
		uint64_t v = *w++;
		size_t n = 8 - skip < len ? 8 - skip : len;

		memcpy(d, (uint8_t *)&v + skip, n);
		d += n;
		len -= n;
		skip = 0;
	}
}

void vm_mem_write(struct vm_mem *m, uint64_t off, const void *src, size_t len)
{
	volatile uint8_t *p = (volatile uint8_t *)m->va + off;
	const uint8_t *s = src;

	for (size_t i = 0; i < len; i++)
		p[i] = s[i];
}
