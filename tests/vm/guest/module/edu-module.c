// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The backend module rprocd loads in the VM tier's x86-64 guest (Backend=module,
 * <rproc/backend-module.h>): the edu-backed test backend of edu-backend.h, so that the daemon
 * itself, driven by rprocctl, boots a "DSP" whose image edu's DMA engine must read through
 * the IOMMU mapping the daemon made.  Test code only: it is built by tests/vm, never installed.
 *
 * BackendModuleArgs=dev=SYSPATH fw=IMAGE carveout=PA:SIZE devmem=PA:SIZE
 *   dev:      the edu PCI device (bound to vfio-pci);
 *   fw:       the firmware file the daemon loads (the stand-in DSP compares with it);
 *   carveout: the core's carveout, as the device tree has it; devmem: its qcom,devmem row.
 *
 * Besides the backend it prints VMCHECK lines (vm-dma.c) to rprocd's stdout: when the daemon
 * unmaps the carveout at a stop, edu must no longer reach it through the daemon's domain.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rproc/backend-module.h"
#include "edu-backend.h"
#include "rproc/fw.h"
#include "rproc/rproc.h"
#include "util.h"
#include "vm-test.h"

#define UNMAP_MARK "/run/edu-module.unmap-probed"

struct edu_module {
	struct rproc_backend b; /* first: the daemon's pointer is this struct's */
	struct ctx c;
	struct life l;
	char dev[256], fw[256];
};

__attribute__((visibility("default"))) const int rproc_backend_module_abi =
	RPROC_BACKEND_MODULE_ABI;

/* After the stop's unmap of the carveout: edu reads poison, not the image, and cannot write. */
static void after_unmap(struct life *l, uint64_t iova, uint64_t size)
{
	static uint8_t exp[EDU_MAX_XFER];
	struct ctx *c = l->c;
	struct probe p[64];
	size_t n = plan_probes(c, p, 64);
	bool ok;

	if (iova != c->o.co_pa || !c->v || !n)
		return;
	ok = device_read(c, iova + p[0].off, p[0].len, true) == 0 &&
	     expected_at(c, p[0].off, p[0].len, exp) == 0 && memcmp(c->scratch, exp, p[0].len);
	ok &= device_write(c, iova + p[0].off, 0x3c, p[0].len) == 0 &&
	      carveout_holds_image(c, p, n);
	check(ok, "daemon: after rprocd unmapped the carveout (IOVA 0x%" PRIx64 "+0x%" PRIx64
		  ") edu cannot reach it through the daemon's domain (read gives no image bytes, "
		  "write does not land)",
	      iova, size);
	/* tells guest/daemon.sh that the probe ran (a stop that never unmaps must fail) */
	FILE *f = fopen(UNMAP_MARK, "w");
	if (f)
		fclose(f);
}

static void edu_module_destroy(struct rproc_backend *b)
{
	struct edu_module *m = (struct edu_module *)b;

	if (m->c.v)
		close_vfio(&m->c);
	vm_mem_unmap(&m->c.co);
	rproc_fw_close(m->c.img);
	free(m->c.file);
	free(m->l.meta);
	free(m);
}

static int parse_range(const char *s, uint64_t *pa, uint64_t *size)
{
	char *end;

	errno = 0;
	*pa = strtoull(s, &end, 0);
	if (errno || *end != ':')
		return -EINVAL;
	*size = strtoull(end + 1, &end, 0);
	return errno || *end || !*size ? -EINVAL : 0;
}

static int parse_args(struct edu_module *m, const char *args, struct rproc_error *err)
{
	char *copy = strdup(args), *save = NULL;
	int r = 0;

	if (!copy)
		return rproc_err(err, -ENOMEM, "out of memory");
	for (char *w = strtok_r(copy, " \t", &save); w && !r; w = strtok_r(NULL, " \t", &save)) {
		if (!strncmp(w, "dev=", 4))
			snprintf(m->dev, sizeof(m->dev), "%s", w + 4);
		else if (!strncmp(w, "fw=", 3))
			snprintf(m->fw, sizeof(m->fw), "%s", w + 3);
		else if (!strncmp(w, "carveout=", 9))
			r = parse_range(w + 9, &m->c.o.co_pa, &m->c.o.co_size);
		else if (!strncmp(w, "devmem=", 7))
			r = parse_range(w + 7, &m->c.o.dm_pa, &m->c.o.dm_size);
		else
			r = -EINVAL;
		if (r)
			rproc_err(err, r, "edu module: bad argument '%s'", w);
	}
	free(copy);
	if (!r && (!m->dev[0] || !m->fw[0] || !m->c.o.co_size || !m->c.o.dm_size))
		r = rproc_err(err, -EINVAL,
			      "edu module: BackendModuleArgs= needs dev= fw= carveout= devmem=");
	return r;
}

__attribute__((visibility("default"))) int
rproc_backend_module_new(const struct rproc_dt *dt, const char *args, struct rproc_backend **out,
			 struct rproc_error *err)
{
	struct edu_module *m = calloc(1, sizeof(*m));
	int r;

	if (!m)
		return rproc_err(err, -ENOMEM, "out of memory");
	r = parse_args(m, args, err);
	if (r)
		goto fail;
	m->c.o.dev = m->dev;
	m->c.o.fw = m->fw;
	/* what the stand-in DSP compares with: the file, placed as the daemon's loader places it */
	r = vm_read_file(m->fw, &m->c.file, &m->c.file_len);
	if (r) {
		rproc_err(err, r, "edu module: cannot read %s", m->fw);
		goto fail;
	}
	r = rproc_fw_open(m->fw, &m->c.img, err);
	if (r == 0)
		r = rproc_fw_reloc(m->c.img, m->c.o.co_pa, m->c.o.co_size, &m->c.reloc, err);
	if (r == 0)
		r = vm_mem_map(&m->c.co, m->c.o.co_pa, m->c.o.co_size, false, err);
	if (r)
		goto fail;
	edu_backend_init(&m->l, &m->c, &m->b);
	m->b.name = "vm-edu-module: stand-in TZ + vfio-type1 + devmem";
	m->b.destroy = edu_module_destroy;
	m->l.after_unmap = after_unmap;
	*out = &m->b;
	return 0;
fail:
	edu_module_destroy(&m->b);
	return r;
}
