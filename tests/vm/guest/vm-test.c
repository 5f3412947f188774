// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vm-test: the guest side of the VM tier.  Runs as root inside a QEMU guest whose kernel does
 * not own the carveout (memmap= on x86-64, mem= on arm64), with QEMU's edu device bound to
 * vfio-pci behind an emulated IOMMU (intel-iommu / SMMUv3), and proves librproc's real code:
 *
 *  - the /dev/mem carveout provider gives the CPU view of the carveout;
 *  - the firmware loader (rproc_fw_open + rproc_fw_load) copies a generated image into it;
 *  - the VFIO layer (type1, and iommufd where the kernel has it) maps the carveout at
 *    IOVA == PA when the usable IOVA ranges and the device's DMA reach allow it, else at a
 *    declared fixed IOVA, plus a read-only "devmem" mapping of a second reserved region;
 *  - edu's DMA engine reads the image through the IOMMU and the bytes match the file;
 *  - a device write to the read-only mapping and any access after unmap fail, data unchanged;
 *  - after teardown a fresh domain for the device cannot reach the carveout.
 *
 * Output: one "VMCHECK pass|fail <what>" line per check (the host harness counts them), notes
 * as plain lines, and "VMTEST done <passed> <failed>" last.  Exit status 0 iff nothing failed.
 *
 * usage: vm-test --dev SYSPATH --fw IMAGE --carveout PA:SIZE --devmem PA:SIZE
 *                [--dma-mask MASK] [--iommufd]
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "rproc/error.h"
#include "util.h"
#include "vm-test.h"

static void lib_log(void *ud, int level, const char *core, const char *step, int e, const char *msg)
{
	printf("librproc[%d]%s%s%s%s: %s\n", level, core ? " " : "", core ? core : "",
	       step ? " " : "", step ? step : "", msg);
}

/* ---- options ------------------------------------------------------------------------------ */

static int parse_range(const char *s, uint64_t *pa, uint64_t *size)
{
	char *end;

	errno = 0;
	*pa = strtoull(s, &end, 0);
	if (errno || *end != ':')
		return -EINVAL;
	*size = strtoull(end + 1, &end, 0);
	if (errno || *end || !*size)
		return -EINVAL;
	return 0;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
	    {"dev", required_argument, NULL, 'd'},
	    {"fw", required_argument, NULL, 'f'},
	    {"carveout", required_argument, NULL, 'c'},
	    {"devmem", required_argument, NULL, 'm'},
	    {"dma-mask", required_argument, NULL, 'k'},
	    {"iommufd", no_argument, NULL, 'i'},
	    {},
	};
	int c;

	o->dma_mask = (1ull << 28) - 1; /* edu's default */
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->dev = optarg;
			break;
		case 'f':
			o->fw = optarg;
			break;
		case 'c':
			if (parse_range(optarg, &o->co_pa, &o->co_size))
				return -EINVAL;
			break;
		case 'm':
			if (parse_range(optarg, &o->dm_pa, &o->dm_size))
				return -EINVAL;
			break;
		case 'k':
			o->dma_mask = strtoull(optarg, NULL, 0);
			break;
		case 'i':
			o->iommufd = true;
			break;
		default:
			return -EINVAL;
		}
	}
	return o->dev && o->fw && o->co_size && o->dm_size ? 0 : -EINVAL;
}

/* ---- steps -------------------------------------------------------------------------------- */

/* IOVA == PA when the usable ranges hold it and the device can address it; else fixed. */
static uint64_t choose_iova(struct ctx *c, uint64_t pa, uint64_t size, uint64_t fixed,
			    const char *what)
{
	struct rproc_error err = {0};

	if (pa + size - 1 > c->o.dma_mask) {
		note("%s: PA 0x%" PRIx64 " is beyond the device's DMA mask 0x%" PRIx64
		     ": declared fixed IOVA 0x%" PRIx64,
		     what, pa, c->o.dma_mask, fixed);
		return fixed;
	}
	if (rproc_vfio_check_range(c->v, pa, size, &err)) {
		note("%s: IOVA == PA impossible (%s): declared fixed IOVA 0x%" PRIx64, what,
		     err.msg, fixed);
		return fixed;
	}
	note("%s: IOVA == PA 0x%" PRIx64, what, pa);
	return pa;
}

static bool load_firmware(struct ctx *c)
{
	struct rproc_error err = {0};
	int r;

	r = vm_read_file(c->o.fw, &c->file, &c->file_len);
	if (r) {
		check(false, "read %s: %s", c->o.fw, strerror(-r));
		return false;
	}
	r = rproc_fw_open(c->o.fw, &c->img, &err);
	check(r == 0, "rproc_fw_open(%s): %s", c->o.fw,
	      r ? err.msg : "ELF, metadata and segments valid");
	if (r)
		return false;
	note("image: %u program headers, span 0x%" PRIx64 ", %s", c->img->phnum,
	     rproc_fw_span(c->img), c->img->relocatable ? "relocatable" : "fixed addresses");
	r = rproc_fw_reloc(c->img, c->o.co_pa, c->o.co_size, &c->reloc, &err);
	check(r == 0, "rproc_fw_reloc into carveout 0x%" PRIx64 "+0x%" PRIx64 "%s%s", c->o.co_pa,
	      c->o.co_size, r ? ": " : "", r ? err.msg : "");
	if (r)
		return false;

	r = vm_mem_map(&c->co, c->o.co_pa, c->o.co_size, true, &err);
	check(r == 0, "carveout 0x%" PRIx64 "+0x%" PRIx64 " mapped by the /dev/mem provider%s%s",
	      c->o.co_pa, c->o.co_size, r ? ": " : "", r ? err.msg : "");
	if (r)
		return false;
	rproc_io_zero(c->co.va, c->o.co_size);
	r = rproc_fw_load(c->img, c->co.va, c->o.co_pa, c->o.co_size, NULL, NULL, &err);
	check(r == 0, "rproc_fw_load into the carveout%s%s", r ? ": " : "", r ? err.msg : "");
	return r == 0;
}


static void test_carveout(struct ctx *c)
{
	static uint8_t exp[EDU_MAX_XFER];
	struct rproc_error err = {0};
	struct probe p[64];
	size_t n = plan_probes(c, p, 64), good = 0;
	int r, faults;
	bool ok;

	c->co_iova = choose_iova(c, c->o.co_pa, c->o.co_size, FALLBACK_IOVA, "carveout");
	r = rproc_vfio_map_va(c->v, c->co_iova, c->co.va, c->o.co_size,
			      RPROC_IOMMU_READ | RPROC_IOMMU_WRITE, &err);
	check(r == 0, "type1 maps the /dev/mem carveout (VM_PFNMAP) RW at IOVA 0x%" PRIx64 "%s%s",
	      c->co_iova, r ? ": " : "", r ? err.msg : "");
	if (r)
		return;

	c->dm_iova =
	    choose_iova(c, c->o.dm_pa, c->o.dm_size, FALLBACK_IOVA + c->o.co_size, "devmem");
	r = rproc_vfio_map_va(c->v, c->dm_iova, c->dm.va, c->o.dm_size, RPROC_IOMMU_READ, &err);
	check(r == 0, "devmem-like region mapped READ-only at IOVA 0x%" PRIx64 "%s%s", c->dm_iova,
	      r ? ": " : "", r ? err.msg : "");

	/* the stand-in DSP reads its image through the IOMMU */
	for (size_t i = 0; i < n; i++) {
		if (device_read(c, c->co_iova + p[i].off, p[i].len, false) ||
		    expected_at(c, p[i].off, p[i].len, exp))
			continue;
		if (!memcmp(c->scratch, exp, p[i].len))
			good++;
		else
			note("mismatch at carveout offset 0x%" PRIx64, p[i].off);
	}
	check(n > 0 && good == n,
	      "device DMA reads of the image at IOVA 0x%" PRIx64 " match the file (%zu/%zu "
	      "probes: start, middle, end of each segment, zero fill)",
	      c->co_iova, good, n);

	/* read-only mapping: readable, not writable */
	ok = device_read(c, c->dm_iova + 0x100, 0x200, false) == 0;
	for (uint32_t k = 0; ok && k < 0x200; k++)
		ok = c->scratch[k] == (uint8_t)(0x100 + k);
	check(ok, "device reads the READ-only devmem mapping (pattern matches)");
	/* a page the device has not read: QEMU's VT-d serves cached read-only IOTLB entries
	 * without a fault record */
	ok = device_write(c, c->dm_iova + 0x2000, 0x5c, 0x400) == 0;
	for (uint32_t k = 0; ok && k < 0x2000 + 0x400; k++) {
		uint8_t b;

		vm_mem_read(&c->dm, k, &b, 1);
		ok = b == (uint8_t)k;
	}
	check(ok, "device write to the READ-only devmem mapping blocked (region unchanged)");

	/* stop: unmap the carveout; the device must lose it in both directions */
	r = rproc_vfio_unmap(c->v, c->co_iova, c->o.co_size, &err);
	check(r == 0, "rproc_vfio_unmap of the carveout%s%s", r ? ": " : "", r ? err.msg : "");
	ok = device_read(c, c->co_iova + p[0].off, p[0].len, true) == 0 &&
	     expected_at(c, p[0].off, p[0].len, exp) == 0 && memcmp(c->scratch, exp, p[0].len);
	check(ok, "device read of the carveout after unmap sees no image bytes");
	ok = true;
	for (size_t i = 0; i < n && i < 3; i++)
		ok &= device_write(c, c->co_iova + p[i].off, 0xc3, p[i].len) == 0;
	check(ok && carveout_holds_image(c, p, n),
	      "device writes to the carveout after unmap blocked (carveout still holds the image)");
	usleep(200000); /* let the fault interrupt be handled and logged */
	faults = count_iommu_faults();
	if (c->faults_at_start == 0)
		check(faults > 0, "guest kernel logged IOMMU faults for the blocked DMA (%d lines)",
		      faults);
	else
		note("not checking IOMMU fault lines: %d were logged before the test started "
		     "(QEMU's IOMMU models record faults best effort, VT-d only the first batch)",
		     c->faults_at_start);

	r = rproc_vfio_unmap(c->v, c->dm_iova, c->o.dm_size, &err);
	r |= rproc_vfio_unmap(c->v, SCRATCH_IOVA, SCRATCH_SIZE, &err);
	check(r == 0 && rproc_vfio_mapped(c->v) == 0, "every mapping unmapped (%zu left)%s%s",
	      rproc_vfio_mapped(c->v), r ? ": " : "", r ? err.msg : "");
}

/*
 * The other branch of the IOVA choice, whatever this machine's layout picked: the carveout at
 * the declared fixed IOVA (below every DMA mask, inside the usable ranges) reads back as well.
 */
static void test_fixed_iova(struct ctx *c)
{
	static uint8_t exp[EDU_MAX_XFER];
	struct rproc_error err = {0};
	struct probe p[64];
	size_t n = plan_probes(c, p, 64), good = 0;
	int r;

	if (!open_vfio(c, RPROC_VFIO_TYPE1))
		return;
	r = rproc_vfio_map_va(c->v, FALLBACK_IOVA, c->co.va, c->o.co_size, RPROC_IOMMU_READ, &err);
	check(r == 0, "carveout mapped READ-only at the declared fixed IOVA 0x%llx%s%s",
	      FALLBACK_IOVA, r ? ": " : "", r ? err.msg : "");
	n = n > 4 ? 4 : n; /* the first segment's probes: the path is proven above */
	for (size_t i = 0; r == 0 && i < n; i++)
		if (device_read(c, FALLBACK_IOVA + p[i].off, p[i].len, false) == 0 &&
		    expected_at(c, p[i].off, p[i].len, exp) == 0 &&
		    !memcmp(c->scratch, exp, p[i].len))
			good++;
	check(r == 0 && good == n, "device reads the image at the fixed IOVA (%zu/%zu probes)",
	      good, n);
	close_vfio(c); /* close unmaps what is left */
}

/* After close, a fresh domain for the device holds nothing of the old mappings. */
static void test_teardown(struct ctx *c, enum rproc_vfio_kind kind)
{
	static uint8_t exp[EDU_MAX_XFER];
	struct probe p[64];
	size_t n = plan_probes(c, p, 64);
	bool ok;

	if (!open_vfio(c, kind))
		return;
	ok = n > 0;
	for (int k = 0; ok && k < 2; k++) {
		uint64_t iova = k ? FALLBACK_IOVA : c->co_iova;

		ok = device_read(c, iova + p[0].off, p[0].len, true) == 0 &&
		     expected_at(c, p[0].off, p[0].len, exp) == 0 &&
		     memcmp(c->scratch, exp, p[0].len);
		ok &= device_write(c, iova + p[0].off, 0x3c, p[0].len) == 0 &&
		      carveout_holds_image(c, p, n);
	}
	check(ok, "after teardown the device cannot reach the carveout at either IOVA (fresh "
		  "domain: reads return no image bytes, writes do not land)");
	close_vfio(c);
}

/* iommufd: a memfd buffer maps and the device reads it; the PFNMAP carveout is refused with
 * EFAULT (doc/iommu.md#what-can-be-mapped), which is the daemon's cue to fall back to type1. */
static void test_iommufd(struct ctx *c)
{
	struct rproc_error err = {0};
	uint8_t *buf;
	bool ok;
	int fd, r;

	if (!open_vfio(c, RPROC_VFIO_IOMMUFD))
		return;
	check(rproc_vfio_kind(c->v) == RPROC_VFIO_IOMMUFD, "context kind is iommufd");
	fd = memfd_create("vm-test", 0);
	buf = fd >= 0 && ftruncate(fd, SCRATCH_SIZE) == 0
		  ? mmap(NULL, SCRATCH_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
		  : MAP_FAILED;
	if (buf == MAP_FAILED) {
		check(false, "memfd buffer: %s", strerror(errno));
	} else {
		for (uint32_t k = 0; k < SCRATCH_SIZE; k++)
			buf[k] = (uint8_t)(k * 7 + 3);
		r = rproc_vfio_map_va(c->v, MEMFD_IOVA, buf, SCRATCH_SIZE,
				      RPROC_IOMMU_READ | RPROC_IOMMU_WRITE, &err);
		check(r == 0, "iommufd IOAS_MAP of a memfd buffer at IOVA 0x%llx%s%s", MEMFD_IOVA,
		      r ? ": " : "", r ? err.msg : "");
		ok = r == 0 && device_read(c, MEMFD_IOVA + 0x123, 0x800, false) == 0 &&
		     !memcmp(c->scratch, buf + 0x123, 0x800);
		check(ok, "device DMA read of the memfd buffer through iommufd matches");
		if (r == 0) {
			r = rproc_vfio_unmap(c->v, MEMFD_IOVA, SCRATCH_SIZE, &err);
			check(r == 0, "iommufd IOAS_UNMAP%s%s", r ? ": " : "", r ? err.msg : "");
		}
		/* the same buffer again, read-only: the device must not write it */
		r = rproc_vfio_map_va(c->v, MEMFD_IOVA, buf, SCRATCH_SIZE, RPROC_IOMMU_READ, &err);
		ok = r == 0 && device_write(c, MEMFD_IOVA + 0x3000, 0x5a, 0x400) == 0;
		for (uint32_t k = 0; ok && k < SCRATCH_SIZE; k++)
			ok = buf[k] == (uint8_t)(k * 7 + 3);
		check(ok,
		      "device write to a READ-only iommufd mapping blocked (buffer unchanged)%s%s",
		      r ? ": " : "", r ? err.msg : "");
		if (r == 0)
			rproc_vfio_unmap(c->v, MEMFD_IOVA, SCRATCH_SIZE, &err);
		/* IOMMU_IOAS_MAP_FILE exists from Linux 6.13 on: informational only */
		memset(&err, 0, sizeof(err));
		r = rproc_vfio_map_file(c->v, MEMFD_IOVA, fd, 0, SCRATCH_SIZE, RPROC_IOMMU_READ,
					&err);
		note("IOMMU_IOAS_MAP_FILE of the memfd: %s", r ? err.msg : "mapped");
		if (r == 0)
			rproc_vfio_unmap(c->v, MEMFD_IOVA, SCRATCH_SIZE, &err);
		munmap(buf, SCRATCH_SIZE);
	}
	if (fd >= 0)
		close(fd);

	r = rproc_vfio_map_va(c->v, FALLBACK_IOVA, c->co.va, c->o.co_size,
			      RPROC_IOMMU_READ | RPROC_IOMMU_WRITE, &err);
	check(r == -EFAULT,
	      "iommufd refuses the /dev/mem (PFNMAP) carveout with EFAULT (got %d%s%s)", r,
	      r ? ": " : "", r ? err.msg : "");
	if (r == 0)
		rproc_vfio_unmap(c->v, FALLBACK_IOVA, c->o.co_size, &err);
	close_vfio(c);
	note("falling back to vfio-type1 for the carveout (iommufd cannot pin VM_PFNMAP memory)");
}

int main(int argc, char **argv)
{
	struct ctx c = {0};
	struct rproc_error err = {0};
	enum rproc_vfio_kind kind;
	int r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	rproc_log_set(lib_log, NULL, RPROC_LOG_INFO);
	if (parse_opts(argc, argv, &c.o)) {
		fprintf(stderr, "usage: vm-test --dev SYSPATH --fw IMAGE --carveout PA:SIZE "
				"--devmem PA:SIZE [--dma-mask MASK] [--iommufd]\n");
		return 2;
	}

	c.faults_at_start = count_iommu_faults();
	if (!load_firmware(&c))
		return vm_finish();
	r = vm_mem_map(&c.dm, c.o.dm_pa, c.o.dm_size, true, &err);
	check(r == 0,
	      "devmem region 0x%" PRIx64 "+0x%" PRIx64 " mapped by the /dev/mem provider%s%s",
	      c.o.dm_pa, c.o.dm_size, r ? ": " : "", r ? err.msg : "");
	if (r)
		return vm_finish();
	for (uint64_t k = 0; k < c.o.dm_size; k++) {
		uint8_t b = (uint8_t)k;

		vm_mem_write(&c.dm, k, &b, 1);
	}

	if (c.o.iommufd) {
		test_iommufd(&c);
		kind = RPROC_VFIO_TYPE1;
	} else {
		/* no /dev/iommu in this kernel: AUTO must settle on type1 */
		kind = RPROC_VFIO_AUTO;
	}
	if (open_vfio(&c, kind)) {
		if (kind == RPROC_VFIO_AUTO)
			check(rproc_vfio_kind(c.v) == RPROC_VFIO_TYPE1,
			      "auto selection without iommufd picks vfio-type1 (got %s)",
			      rproc_vfio_kind_name(rproc_vfio_kind(c.v)));
		test_carveout(&c);
		close_vfio(&c);
		test_fixed_iova(&c);
		test_teardown(&c, RPROC_VFIO_TYPE1);
		if (c.o.co_pa + c.o.co_size - 1 <= c.o.dma_mask)
			test_lifecycle(&c);
		else
			note("lifecycle part skipped: it maps IOVA == PA, beyond edu's DMA mask");
	}
	close_vfio(&c);
	vm_mem_unmap(&c.dm);
	vm_mem_unmap(&c.co);
	rproc_fw_close(c.img);
	free(c.file);
	return vm_finish();
}
