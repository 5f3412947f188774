// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * librproc's lifecycle in the guest: rproc_start()/rproc_stop() drive the edu-backed test
 * backend (edu-backend.h: real VFIO type1 and /dev/mem ops, a stand-in TrustZone whose "DSP"
 * is edu reading its image through the IOMMU).  A devmem row (read-only) goes through the
 * lifecycle's resource-table step.  The daemon runs the same backend through a module
 * (module/edu-module.c, guest/daemon.sh).
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
#include "rproc/rproc.h"
#include "rproc/soc.h"
#include "util.h"
#include "edu-backend.h"
#include "vm-test.h"

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
	struct life l;
	struct rproc_backend b;
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

	edu_backend_init(&l, c, &b);
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
