// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * librproc's lifecycle in the guest: rproc_start()/rproc_stop() drive a backend whose IOMMU
 * and memory ops are the real ones (librproc's VFIO type1 context on the edu device, its
 * /dev/mem provider) and whose PAS ops are a test-only stand-in for TrustZone: at
 * AUTH_AND_RESET the "DSP" (edu) reads its image through the IOMMU at the address the
 * lifecycle mapped (IOVA == PA, DOMAIN §7.1) and raises ready only if the bytes are right.
 * A devmem row (read-only) goes through the lifecycle's resource-table step.
 *
 * What the daemon adds on top (D-Bus, rprocctl) is not here: its real backend needs the
 * qcom-scm shim and a platform device.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "devmem.h"
#include "rproc.h"
#include "soc.h"
#include "vm-test.h"

struct life {
	struct ctx *c;
	int irq[RPROC_IRQ_COUNT];
	unsigned int auths, shutdowns, maps, unmaps;
	bool dsp_saw_image; /* what the stand-in DSP read at AUTH_AND_RESET */
	void *meta;
};

static void raise_irq(struct life *l, enum rproc_irq i)
{
	uint64_t one = 1;

	if (l->irq[i] >= 0 && write(l->irq[i], &one, sizeof(one)) != sizeof(one))
		note("lifecycle: cannot raise %s", rproc_irq_name(i));
}

/* ---- stand-in TrustZone --------------------------------------------------------------------- */

static int tz_is_supported(void *ctx, uint32_t pas_id)
{
	return 1;
}

static int tz_init_image(void *ctx, uint32_t pas_id, const void *meta, size_t len)
{
	struct life *l = ctx;

	free(l->meta);
	l->meta = malloc(len);
	if (!l->meta)
		return -ENOMEM;
	memcpy(l->meta, meta, len);
	return 0;
}

static int tz_mem_setup(void *ctx, uint32_t pas_id, uint64_t addr, uint64_t size)
{
	struct life *l = ctx;

	return addr == l->c->o.co_pa && size <= l->c->o.co_size ? 0 : -EINVAL;
}

/* The DSP comes out of reset and fetches its image through its SMMU context. */
static int tz_auth_and_reset(void *ctx, uint32_t pas_id)
{
	static uint8_t exp[EDU_MAX_XFER];
	struct life *l = ctx;
	struct ctx *c = l->c;
	struct probe p[64];
	size_t n = plan_probes(c, p, 64), good = 0;

	l->auths++;
	n = n > 4 ? 4 : n;
	for (size_t i = 0; c->v && i < n; i++)
		if (device_read(c, c->o.co_pa + p[i].off, p[i].len, false) == 0 &&
		    expected_at(c, p[i].off, p[i].len, exp) == 0 &&
		    !memcmp(c->scratch, exp, p[i].len))
			good++;
	l->dsp_saw_image = n && good == n;
	raise_irq(l, l->dsp_saw_image ? RPROC_IRQ_READY : RPROC_IRQ_FATAL);
	if (l->dsp_saw_image)
		raise_irq(l, RPROC_IRQ_HANDOVER);
	return 0;
}

static int tz_shutdown(void *ctx, uint32_t pas_id)
{
	struct life *l = ctx;

	l->shutdowns++;
	return 0;
}

static int tz_metadata_release(void *ctx, uint32_t pas_id)
{
	struct life *l = ctx;

	free(l->meta);
	l->meta = NULL;
	return 0;
}

static const struct rproc_pas_ops tz_ops = {
    .is_supported = tz_is_supported,
    .init_image = tz_init_image,
    .mem_setup = tz_mem_setup,
    .auth_and_reset = tz_auth_and_reset,
    .shutdown = tz_shutdown,
    .metadata_release = tz_metadata_release,
};

/* ---- IOMMU: librproc's VFIO context, PA through a transient /dev/mem view ------------------ */

static int io_open(void *ctx, const struct rproc_desc *d, void **dom)
{
	struct life *l = ctx;

	if (!open_vfio(l->c, RPROC_VFIO_TYPE1))
		return -EIO;
	*dom = l;
	return 0;
}

static int io_ranges(void *dom, struct rproc_iova_range *out, size_t max, size_t *n)
{
	struct life *l = dom;
	const struct rproc_iova_range *r = rproc_vfio_iova_ranges(l->c->v, n);

	for (size_t i = 0; i < *n && i < max; i++)
		out[i] = r[i];
	return 0;
}

/* As the real backend does: the IOMMU keeps a PFNMAP mapping after the view is gone (§5.3). */
static int io_map(void *dom, uint64_t iova, uint64_t pa, uint64_t size, uint32_t prot)
{
	struct life *l = dom;
	struct rproc_error err = {0};
	void *va;
	int r;

	r = rproc_devmem_map(NULL, pa, size, prot & RPROC_IOMMU_WRITE, &va, &err);
	if (r == 0) {
		r = rproc_vfio_map_va(l->c->v, iova, va, size, prot, &err);
		munmap(va, size);
	}
	if (r < 0)
		note("lifecycle: map 0x%" PRIx64 " -> 0x%" PRIx64 ": %s", iova, pa, err.msg);
	else
		l->maps++;
	return r;
}

static int io_unmap(void *dom, uint64_t iova, uint64_t size)
{
	struct life *l = dom;
	struct rproc_error err = {0};
	int r = rproc_vfio_unmap(l->c->v, iova, size, &err);

	if (r < 0)
		note("lifecycle: unmap 0x%" PRIx64 ": %s", iova, err.msg);
	else
		l->unmaps++;
	return r;
}

static void io_close(void *dom)
{
	struct life *l = dom;

	close_vfio(l->c);
}

static const struct rproc_iommu_ops io_ops = {
    .open = io_open,
    .iova_ranges = io_ranges,
    .map = io_map,
    .unmap = io_unmap,
    .close = io_close,
};

/* ---- carveout CPU view: the /dev/mem provider ----------------------------------------------- */

static int mem_map(void *ctx, uint64_t phys, uint64_t size, bool writable, struct rproc_mem_map *m)
{
	void *va;
	int r = rproc_devmem_map(NULL, phys, size, writable, &va, NULL);

	if (r < 0)
		return r;
	*m = (struct rproc_mem_map){.va = va, .phys = phys, .size = size};
	return 0;
}

static void mem_unmap(void *ctx, struct rproc_mem_map *m)
{
	if (m->va)
		munmap(m->va, m->size);
	m->va = NULL;
}

static const struct rproc_mem_ops mem_ops = {.map = mem_map, .unmap = mem_unmap};

/* ---- interrupts: eventfds the stand-in TrustZone raises ------------------------------------- */

static int irq_open(void *ctx, const struct rproc_desc *d, int fds[RPROC_IRQ_COUNT])
{
	struct life *l = ctx;

	for (int i = 0; i < RPROC_IRQ_COUNT; i++) {
		l->irq[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		fds[i] = l->irq[i];
	}
	return 0;
}

static void irq_close(void *ctx, const struct rproc_desc *d)
{
	struct life *l = ctx;

	for (int i = 0; i < RPROC_IRQ_COUNT; i++) {
		if (l->irq[i] >= 0)
			close(l->irq[i]);
		l->irq[i] = -1;
	}
}

static const struct rproc_irq_ops irq_ops = {.open = irq_open, .close = irq_close};

/* ---- the test ------------------------------------------------------------------------------- */

static void fill_desc(struct ctx *c, struct rproc_desc *d, struct rproc_devmem *dm)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "edu-dsp");
	snprintf(d->compatible, sizeof(d->compatible), "rprocd,vm-edu-pas");
	snprintf(d->device, sizeof(d->device), "%s", strrchr(c->o.dev, '/') + 1);
	snprintf(d->node, sizeof(d->node), "/remoteproc@edu");
	d->pas_id = 1;
	d->dtb_pas_id = d->lite_pas_id = d->crash_reason_smem = d->minidump_id = RPROC_NO_ID;
	d->n_firmware = 1;
	snprintf(d->firmware[0], sizeof(d->firmware[0]), "%s", strrchr(c->o.fw, '/') + 1);
	d->n_carveouts = 1;
	snprintf(d->carveouts[0].node, sizeof(d->carveouts[0].node),
		 "/reserved-memory/edu-dsp@%" PRIx64, c->o.co_pa);
	d->carveouts[0].base = c->o.co_pa;
	d->carveouts[0].size = c->o.co_size;
	d->carveouts[0].no_map = true;
	d->n_iommus = 1;
	/* a devmem row as the seed's qcom,devmem gives it: read-only, IOVA == PA */
	*dm = (struct rproc_devmem){
	    .da = c->o.dm_pa, .pa = c->o.dm_pa, .len = c->o.dm_size, .flags = RPROC_IOMMU_READ};
	snprintf(dm->name, sizeof(dm->name), "edu-regs");
	d->n_devmem = 1;
	d->devmem = dm;
}

void test_lifecycle(struct ctx *c)
{
	static uint8_t exp[EDU_MAX_XFER];
	struct life l = {.c = c};
	struct rproc_backend b = {
	    .name = "vm: stand-in TZ + vfio-type1 + devmem",
	    .pas = &tz_ops,
	    .pas_ctx = &l,
	    .iommu = &io_ops,
	    .iommu_ctx = &l,
	    .mem = &mem_ops,
	    .mem_ctx = &l,
	    .irq = &irq_ops,
	    .irq_ctx = &l,
	};
	const char *dirs[1];
	struct rproc_config cfg;
	struct rproc_error err = {0};
	struct rproc_devmem dm;
	struct rproc_desc d;
	struct rproc_info info;
	struct rproc *r = NULL;
	struct probe p[64];
	size_t n = plan_probes(c, p, 64), good = 0, tried = 0;
	char fwdir[256];
	int e;
	bool ok;

	for (int i = 0; i < RPROC_IRQ_COUNT; i++)
		l.irq[i] = -1;
	snprintf(fwdir, sizeof(fwdir), "%.*s", (int)(strrchr(c->o.fw, '/') - c->o.fw), c->o.fw);
	dirs[0] = fwdir;
	rproc_config_defaults(&cfg);
	cfg.search.dirs = dirs;
	cfg.search.n_dirs = 1;
	cfg.search.class_path = "";
	fill_desc(c, &d, &dm);
	/* the carveout must hold nothing of the earlier parts: the lifecycle loads it again */
	rproc_io_zero(c->co.va, c->o.co_size);

	e = rproc_new(&d, &b, &cfg, &r, &err);
	check(e == 0, "lifecycle: rproc_new for the edu-backed core%s%s", e ? ": " : "",
	      e ? err.msg : "");
	if (e)
		return;
	e = rproc_start(r);
	if (e == 0)
		e = rproc_wait_idle(r, 60000);
	rproc_get_info(r, &info);
	check(e == 0 && info.state == RPROC_RUNNING && l.dsp_saw_image,
	      "lifecycle: rproc_start reaches running; at AUTH_AND_RESET the device read its image "
	      "through the IOMMU at IOVA == PA 0x%" PRIx64 " (state %s%s%s)",
	      c->o.co_pa, rproc_state_name(info.state), info.last_error[0] ? ": " : "",
	      info.last_error);
	if (info.state != RPROC_RUNNING) {
		rproc_free(r);
		return;
	}

	/* every third probe, so every segment is seen (the full set ran in test_carveout) */
	for (size_t i = 0; c->v && i < n; i += 3, tried++)
		if (device_read(c, c->o.co_pa + p[i].off, p[i].len, false) == 0 &&
		    expected_at(c, p[i].off, p[i].len, exp) == 0 &&
		    !memcmp(c->scratch, exp, p[i].len))
			good++;
	check(tried && good == tried,
	      "lifecycle: while running the device reads the loaded image (%zu/%zu probes over "
	      "every segment match the file)",
	      good, tried);
	ok = c->v && device_read(c, c->o.dm_pa + 0x40, 0x100, false) == 0;
	for (uint32_t k = 0; ok && k < 0x100; k++)
		ok = c->scratch[k] == (uint8_t)(0x40 + k);
	ok &= c->v && device_write(c, c->o.dm_pa + 0x4000, 0x99, 0x200) == 0;
	for (uint32_t k = 0; ok && k < 0x4200; k++) {
		uint8_t v;

		vm_mem_read(&c->dm, k, &v, 1);
		ok = v == (uint8_t)k;
	}
	check(ok, "lifecycle: devmem row mapped read-only by the resource-table step (device "
		  "reads it, its write is blocked)");

	e = rproc_stop(r);
	if (e == 0)
		e = rproc_wait_idle(r, 60000);
	rproc_get_info(r, &info);
	check(e == 0 && info.state == RPROC_OFFLINE && l.shutdowns == 1,
	      "lifecycle: rproc_stop reaches offline with one PAS shutdown (state %s)",
	      rproc_state_name(info.state));
	ok = c->v && device_read(c, c->o.co_pa + p[0].off, p[0].len, true) == 0 &&
	     expected_at(c, p[0].off, p[0].len, exp) == 0 && memcmp(c->scratch, exp, p[0].len);
	ok &= c->v && device_write(c, c->o.co_pa + p[0].off, 0x3c, p[0].len) == 0 &&
	      carveout_holds_image(c, p, n);
	check(ok, "lifecycle: after stop the device cannot reach the carveout (read gives no "
		  "image bytes, write does not land)");

	rproc_free(r);
	check(c->v == NULL && l.maps == l.unmaps && l.irq[RPROC_IRQ_READY] < 0,
	      "lifecycle: rproc_free of the stopped core released its devmem mapping, IOMMU "
	      "context and interrupts (%u maps, %u unmaps)",
	      l.maps, l.unmaps);
	if (c->v)
		close_vfio(c);
	free(l.meta);
}
