// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The guest test's shared helpers: check/note lines, the edu device's DMA through a VFIO
 * context (scratch buffer at SCRATCH_IOVA), and what the carveout must hold.  Used by vm-test
 * and by the backend module the daemon loads in the guest (module/edu-module.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <unistd.h>

#include "rproc/error.h"
#include "util.h"
#include "vm-test.h"

static int n_pass, n_fail;

void _printf_(2, 3) check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("VMCHECK %s ", ok ? "pass" : "fail");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (ok)
		n_pass++;
	else
		n_fail++;
}

void _printf_(1, 2) note(const char *fmt, ...)
{
	va_list ap;

	printf("note: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

int vm_finish(void)
{
	printf("VMTEST done %d %d\n", n_pass, n_fail);
	fflush(stdout);
	return n_fail ? 1 : 0;
}

/*
 * Fault lines in the kernel log: intel-iommu "DMAR: [DMA Write NO_PASID] ... fault addr",
 * arm-smmu-v3 "event 0x10 received" (ratelimited).  Best effort: QEMU's VT-d model stops
 * recording faults after the first batch in a boot, so only a count is compared.
 */
int count_iommu_faults(void)
{
	int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	char *buf, *line, *save = NULL;
	int n, count = 0;

	if (size <= 0)
		size = 1 << 20;
	buf = malloc((size_t)size + 1);
	if (!buf)
		return -1;
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, size);
	if (n < 0) {
		free(buf);
		return -1;
	}
	buf[n] = 0;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if ((strstr(line, "DMAR") && strstr(line, "fault addr")) ||
		    (strstr(line, "smmu") && strstr(line, "event 0x") && strstr(line, "received")))
			count++;
	free(buf);
	return count;
}

/* ---- device DMA ----------------------------------------------------------------------------- */

/*
 * Device reads @len bytes at bus address @iova; the result lands in scratch[0..len).  For the
 * checks that expect a blocked read, @poison first fills the device buffer so that a blocked
 * read cannot hand back an earlier transfer (each edu transfer costs 100 ms, so the positive
 * reads skip it: a blocked one leaves a different probe's bytes and fails anyway).
 */
int device_read(struct ctx *c, uint64_t iova, uint32_t len, bool poison)
{
	int r = 0;

	if (poison) {
		memset(c->scratch + SCRATCH_SIZE / 2, POISON, len);
		r = edu_read_bus(&c->edu, SCRATCH_IOVA + SCRATCH_SIZE / 2, len);
	}
	if (!r)
		r = edu_read_bus(&c->edu, iova, len);
	memset(c->scratch, 0, len);
	if (!r)
		r = edu_write_bus(&c->edu, SCRATCH_IOVA, len);
	return r;
}

/* Device writes @len bytes of @pattern to bus address @iova. */
int device_write(struct ctx *c, uint64_t iova, uint8_t pattern, uint32_t len)
{
	int r;

	memset(c->scratch + SCRATCH_SIZE / 2, pattern, len);
	r = edu_read_bus(&c->edu, SCRATCH_IOVA + SCRATCH_SIZE / 2, len);
	return r ? r : edu_write_bus(&c->edu, iova, len);
}

int vm_read_file(const char *path, uint8_t **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		return -errno;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return -EIO;
	}
	*buf = malloc((size_t)n + 1);
	if (!*buf || fread(*buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	*len = (size_t)n;
	return 0;
}

/* What the carveout must hold at @off (@len bytes): segment bytes from the file, zeros for
 * the memsz tail, and 0 where no segment lies (the loader leaves gaps alone: -1). */
int expected_at(const struct ctx *c, uint64_t off, uint32_t len, uint8_t *out)
{
	const struct rproc_fw_image *img = c->img;

	for (unsigned int i = 0; i < img->phnum; i++) {
		const struct rproc_fw_segment *s = &img->segs[i];
		uint64_t so = s->paddr - c->reloc;

		if (!s->loadable || off < so || off + len > so + s->memsz)
			continue;
		for (uint32_t k = 0; k < len; k++) {
			uint64_t in = off - so + k;

			out[k] = in < s->filesz ? c->file[s->offset + in] : 0;
		}
		return 0;
	}
	return -1;
}

size_t plan_probes(const struct ctx *c, struct probe *p, size_t max)
{
	size_t n = 0;

	for (unsigned int i = 0; i < c->img->phnum && n + 4 <= max; i++) {
		const struct rproc_fw_segment *s = &c->img->segs[i];
		uint64_t so = s->paddr - c->reloc;
		uint32_t len;

		if (!s->loadable)
			continue;
		len = s->filesz < EDU_MAX_XFER ? (uint32_t)s->filesz : EDU_MAX_XFER;
		if (len) {
			p[n++] = (struct probe){so, len};
			if (s->filesz > 2ull * EDU_MAX_XFER) /* unaligned: spans two IOVA pages */
				p[n++] = (struct probe){so + (s->filesz / 2 | 0x321), len};
			if (s->filesz > EDU_MAX_XFER)
				p[n++] = (struct probe){so + s->filesz - len, len};
		}
		if (s->memsz > s->filesz) {
			uint64_t z = s->memsz - s->filesz;

			p[n++] = (struct probe){so + s->filesz,
						z < EDU_MAX_XFER ? (uint32_t)z : EDU_MAX_XFER};
		}
	}
	return n;
}

bool open_vfio(struct ctx *c, enum rproc_vfio_kind kind)
{
	struct rproc_vfio_config cfg = {.kind = kind, .log_name = "edu"};
	struct rproc_error err = {0};
	const struct rproc_iova_range *rg;
	char why[256];
	size_t n;
	int r;

	r = rproc_vfio_open(c->o.dev, &cfg, &c->v, &err);
	check(r == 0, "rproc_vfio_open(%s) of %s: %s", rproc_vfio_kind_name(kind), c->o.dev,
	      r ? err.msg : rproc_vfio_kind_name(rproc_vfio_kind(c->v)));
	if (r)
		return false;
	rg = rproc_vfio_iova_ranges(c->v, &n);
	for (size_t i = 0; i < n; i++)
		note("usable IOVA range 0x%" PRIx64 "-0x%" PRIx64, rg[i].start, rg[i].last);

	c->scratch = mmap(NULL, SCRATCH_SIZE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (c->scratch == MAP_FAILED) {
		c->scratch = NULL;
		check(false, "scratch buffer: %s", strerror(errno));
		return false;
	}
	r = rproc_vfio_map_va(c->v, SCRATCH_IOVA, c->scratch, SCRATCH_SIZE,
			      RPROC_IOMMU_READ | RPROC_IOMMU_WRITE, &err);
	check(r == 0, "map anonymous scratch buffer RW at IOVA 0x%llx%s%s", SCRATCH_IOVA,
	      r ? ": " : "", r ? err.msg : "");
	if (r)
		return false;
	r = edu_open(&c->edu, rproc_vfio_device_fd(c->v), why, sizeof(why));
	if (r) {
		check(false, "edu BAR0 through the VFIO device fd: %s", why);
		return false;
	}
	return true;
}

void close_vfio(struct ctx *c)
{
	edu_close(&c->edu);
	rproc_vfio_close(c->v);
	c->v = NULL;
	if (c->scratch)
		munmap(c->scratch, SCRATCH_SIZE);
	c->scratch = NULL;
}

/* The CPU view agrees with the file at every probe (aligned reads of Device memory). */
bool carveout_holds_image(struct ctx *c, const struct probe *p, size_t n)
{
	static uint8_t exp[EDU_MAX_XFER], got[EDU_MAX_XFER];

	for (size_t i = 0; i < n; i++) {
		if (expected_at(c, p[i].off, p[i].len, exp))
			return false;
		vm_mem_read(&c->co, p[i].off, got, p[i].len);
		if (memcmp(exp, got, p[i].len))
			return false;
	}
	return true;
}
