// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/parse/dt.c on the fixture trees (tests/fixtures) and on malformed variants of them made with
 * libfdt's read-write API: every field on every fixture, every class of malformed property.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <libfdt.h>

#include "rproc/dt.h"
#include "util.h"
#include "fixture.h"

/* ---- helpers ------------------------------------------------------------------------------- */

static void *load(const char *name, size_t *len)
{
	char path[4096];
	struct rproc_error err = { 0 };
	void *blob = NULL;

	assert_non_null(fixture_path(name, path, sizeof(path)));
	if (rproc_dt_read_file(path, &blob, len, &err) < 0)
		fail_msg("%s: %s", path, err.msg);
	return blob;
}

static struct rproc_dt *parse_fixture(const char *name)
{
	struct rproc_error err = { 0 };
	struct rproc_dt *dt = NULL;
	size_t len;
	void *blob = load(name, &len);
	int ret = rproc_dt_parse(blob, len, &dt, &err);

	free(blob);
	if (ret < 0)
		fail_msg("%s: %d %s", name, ret, err.msg);
	assert_non_null(dt);
	return dt;
}

/* A writable copy of a fixture with room to grow. */
static void *load_rw(const char *name, size_t *len)
{
	size_t l;
	void *blob = load(name, &l);
	size_t cap = l + 16384;
	void *rw = malloc(cap);

	assert_non_null(rw);
	assert_int_equal(fdt_open_into(blob, rw, (int)cap), 0);
	free(blob);
	*len = cap;
	return rw;
}

static int node(void *fdt, const char *path)
{
	int off = fdt_path_offset(fdt, path);

	if (off < 0)
		fail_msg("no node %s", path);
	return off;
}

static uint32_t phandle_of(void *fdt, const char *path)
{
	int off = node(fdt, path);
	uint32_t ph = fdt_get_phandle(fdt, off);

	if (!ph) {
		ph = 0x7000 + (uint32_t)off;
		assert_int_equal(fdt_setprop_u32(fdt, off, "phandle", ph), 0);
	}
	return ph;
}

static void set_cells(void *fdt, const char *path, const char *prop, int n, ...)
{
	fdt32_t cells[64];
	va_list ap;

	assert_true(n <= 64);
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		cells[i] = cpu_to_fdt32(va_arg(ap, uint32_t));
	va_end(ap);
	assert_int_equal(fdt_setprop(fdt, node(fdt, path), prop, cells, n * 4), 0);
}

static void set_raw(void *fdt, const char *path, const char *prop, const void *v, int len)
{
	assert_int_equal(fdt_setprop(fdt, node(fdt, path), prop, v, len), 0);
}

static void del_prop(void *fdt, const char *path, const char *prop)
{
	assert_int_equal(fdt_delprop(fdt, node(fdt, path), prop), 0);
}

/* Parse and expect failure @code with every @needles substring in the message. */
static void expect_fail(const void *fdt, size_t len, int code, const char *const *needles)
{
	struct rproc_error err = { 0 };
	struct rproc_dt *dt = (void *)0x1;
	int ret = rproc_dt_parse(fdt, len, &dt, &err);

	if (ret != code)
		fail_msg("expected %d, got %d (%s)", code, ret, err.msg);
	assert_null(dt);
	assert_int_equal(err.code, code);
	for (; *needles; needles++)
		if (!strstr(err.msg, *needles))
			fail_msg("message \"%s\" lacks \"%s\"", err.msg, *needles);
}

#define EXPECT_FAIL(fdt, len, code, ...)                                                           \
	expect_fail(fdt, len, code, (const char *const[]){ __VA_ARGS__, NULL })

/*
 * A problem of one node: the tree still parses, that node's entry carries @code and a message
 * with every @needles substring, and no other entry has an error (one bad node never takes
 * the others down).
 */
static void expect_node_fail(const void *fdt, size_t len, const char *path, int code,
			     const char *const *needles)
{
	struct rproc_error err = { 0 };
	struct rproc_dt *dt = NULL;
	bool found = false;

	if (rproc_dt_parse(fdt, len, &dt, &err) < 0)
		fail_msg("the tree failed as a whole: %s", err.msg);
	for (size_t i = 0; i < dt->n; i++) {
		const struct rproc_dt_rproc *r = &dt->rprocs[i];

		if (strcmp(r->node, path)) {
			if (r->error)
				fail_msg("%s has an error too: %s", r->node, r->error_msg);
			continue;
		}
		found = true;
		if (r->error != code)
			fail_msg("%s: expected %d, got %d (%s)", path, code, r->error, r->error_msg);
		for (const char *const *n = needles; *n; n++)
			if (!strstr(r->error_msg, *n))
				fail_msg("message \"%s\" lacks \"%s\"", r->error_msg, *n);
	}
	if (!found)
		fail_msg("no entry for %s", path);
	rproc_dt_free(dt);
}

#define EXPECT_NODE_FAIL(fdt, len, path, code, ...)                                                \
	expect_node_fail(fdt, len, path, code, (const char *const[]){ __VA_ARGS__, NULL })

static struct rproc_dt *parse_ok(const void *fdt, size_t len)
{
	struct rproc_error err = { 0 };
	struct rproc_dt *dt = NULL;

	if (rproc_dt_parse(fdt, len, &dt, &err) < 0)
		fail_msg("%s", err.msg);
	return dt;
}

#define ADSP "/soc@0/remoteproc@30000000"
#define CDSP0 "/soc@0/remoteproc@26300000"
#define CDSP1 "/soc@0/remoteproc@2a300000"
#define GPDSP0 "/soc@0/remoteproc@20c00000"
#define GPDSP1 "/soc@0/remoteproc@21c00000"
#define SMMU "/soc@0/iommu@15000000"
#define ADSP_MEM "/reserved-memory/pil-adsp@95900000"

/* ---- fixtures: every field ----------------------------------------------------------------- */

struct lemans_row {
	const char *name, *compatible, *node, *device, *fw, *region;
	uint64_t base;
	uint32_t sid, mask;
	int pas_id;
};

/* doc/devicetree.md#sa8775p: nodes, IoT carveouts, lemans-el2 overlay streams; device names
 * doc/devicetree.md#device-names. */
static const struct lemans_row lemans_rows[] = {
	{ "gpdsp0", "qcom,sa8775p-gpdsp0-pas", GPDSP0, "20c00000.remoteproc",
	  "qcom/sa8775p/gpdsp0.mbn", "/reserved-memory/pil-gdsp0@97800000", 0x97800000, 0x38a0, 0,
	  39 },
	{ "gpdsp1", "qcom,sa8775p-gpdsp1-pas", GPDSP1, "21c00000.remoteproc",
	  "qcom/sa8775p/gpdsp1.mbn", "/reserved-memory/pil-gdsp1@99600000", 0x99600000, 0x38c0, 0,
	  40 },
	{ "cdsp0", "qcom,sa8775p-cdsp0-pas", CDSP0, "26300000.remoteproc", "qcom/sa8775p/cdsp0.mbn",
	  "/reserved-memory/pil-cdsp0@9b500000", 0x9b500000, 0x21c0, 0x400, 18 },
	{ "cdsp1", "qcom,sa8775p-cdsp1-pas", CDSP1, "2a300000.remoteproc", "qcom/sa8775p/cdsp1.mbn",
	  "/reserved-memory/pil-cdsp1@9d400000", 0x9d400000, 0x29c0, 0x400, 30 },
	{ "adsp", "qcom,sa8775p-adsp-pas", ADSP, "30000000.remoteproc", "qcom/sa8775p/adsp.mbn",
	  ADSP_MEM, 0x95900000, 0x3000, 0, 1 },
};

static void test_lemans(void **state)
{
	static const char *const irqs[] = { "wdog", "fatal", "ready", "handover", "stop-ack" };
	struct rproc_dt *dt = parse_fixture("lemans-el2");

	assert_string_equal(dt->model, "rprocd test board: SA8775p (lemans) EL2");
	assert_string_equal(dt->soc_compatible, "rprocd,lemans-el2-test");
	assert_int_equal(dt->n, ARRAY_SIZE(lemans_rows));
	for (size_t i = 0; i < dt->n; i++) {
		const struct rproc_dt_rproc *r = &dt->rprocs[i];
		const struct lemans_row *e = &lemans_rows[i];

		assert_string_equal(r->name, e->name);
		assert_string_equal(r->compatible, e->compatible);
		assert_string_equal(r->node, e->node);
		assert_string_equal(r->device, e->device);
		assert_string_equal(r->status, "okay");
		assert_true(r->enabled);
		assert_non_null(r->soc);
		assert_string_equal(r->soc->compatible, e->compatible);
		assert_int_equal(r->soc->pas_id, e->pas_id);
		assert_int_equal(r->n_firmware, 1);
		assert_string_equal(r->firmware[0], e->fw);
		assert_int_equal(r->n_carveouts, 1);
		assert_string_equal(r->carveouts[0].node, e->region);
		assert_int_equal(r->carveouts[0].base, e->base);
		assert_int_equal(r->carveouts[0].size, 0x1e00000);
		assert_true(r->carveouts[0].no_map);
		assert_int_equal(r->n_iommus, 1);
		assert_string_equal(r->iommus[0].smmu, SMMU);
		assert_int_equal(r->iommus[0].ncells, 2);
		assert_int_equal(r->iommus[0].cells[0], e->sid);
		assert_int_equal(r->iommus[0].cells[1], e->mask);
		assert_int_equal(r->iommus[0].sid, e->sid);
		assert_int_equal(r->iommus[0].mask, e->mask);
		assert_int_equal(r->n_irqs, 5);
		for (size_t k = 0; k < 5; k++)
			assert_string_equal(r->irq_names[k], irqs[k]);
		assert_int_equal(r->n_smem_states, 1);
		assert_string_equal(r->smem_state_names[0], "stop");
		assert_int_equal(r->n_devmem, 0);
		assert_null(r->devmem);
		assert_ptr_equal(rproc_dt_find(dt, e->name), r);
	}
	assert_null(rproc_dt_find(dt, "mpss"));
	assert_null(rproc_dt_find(dt, NULL));
	assert_null(rproc_dt_find(NULL, "adsp"));
	rproc_dt_free(dt);
}

/* doc/devicetree.md#device-memory: the SA8775p ADSP table of the seed binding. */
static const struct {
	uint32_t a, size, flags;
} adsp_devmem[] = {
	{ 0x110000, 0x4000, 1 }, { 0x123000, 0x1000, 3 }, { 0x124000, 0x3000, 3 },
	{ 0x127000, 0x2000, 3 }, { 0x12a000, 0x3000, 3 }, { 0x12e000, 0x1000, 3 },
	{ 0x12f000, 0x1000, 1 }, { 0x144000, 0x1000, 1 }, { 0x148000, 0x1000, 1 },
	{ 0x149000, 0xe000, 3 }, { 0x157000, 0x1000, 3 }, { 0x158000, 0xd000, 3 },
	{ 0x165000, 0x1000, 3 }, { 0x172000, 0x1000, 3 }, { 0x173000, 0x8000, 3 },
	{ 0x17b000, 0x2000, 3 }, { 0x17f000, 0x1000, 3 }, { 0x184000, 0x1000, 1 },
};

static void test_devmem(void **state)
{
	struct rproc_dt *dt = parse_fixture("devmem");
	const struct rproc_dt_rproc *adsp, *cdsp;

	assert_int_equal(dt->n, 2);
	adsp = rproc_dt_find(dt, "adsp");
	cdsp = rproc_dt_find(dt, "cdsp0");
	assert_non_null(adsp);
	assert_non_null(cdsp);
	assert_int_equal(adsp->carveouts[0].base, 0x95c00000);
	assert_int_equal(adsp->iommus[0].sid, 0x3000);
	assert_int_equal(adsp->n_devmem, ARRAY_SIZE(adsp_devmem));
	for (size_t i = 0; i < adsp->n_devmem; i++) {
		char name[32];

		assert_int_equal(adsp->devmem[i].da, adsp_devmem[i].a);
		assert_int_equal(adsp->devmem[i].pa, adsp_devmem[i].a);
		assert_int_equal(adsp->devmem[i].len, adsp_devmem[i].size);
		assert_int_equal(adsp->devmem[i].flags, adsp_devmem[i].flags);
		snprintf(name, sizeof(name), "devmem%zu", i);
		assert_string_equal(adsp->devmem[i].name, name);
	}
	assert_int_equal(cdsp->n_devmem, 2);
	assert_int_equal(cdsp->devmem[0].da, 0x82000);
	assert_int_equal(cdsp->devmem[0].len, 0x2000);
	assert_int_equal(cdsp->devmem[0].flags, 3);
	assert_int_equal(cdsp->devmem[1].pa, 0x92000);
	assert_int_equal(cdsp->devmem[1].flags, 1);
	assert_int_equal(cdsp->iommus[0].mask, 0x400);
	rproc_dt_free(dt);
}

static void test_x1e(void **state)
{
	struct rproc_dt *dt = parse_fixture("x1e80100");
	const struct rproc_dt_rproc *a, *c;

	assert_string_equal(dt->soc_compatible, "rprocd,x1e80100-test");
	assert_int_equal(dt->n, 2);
	a = &dt->rprocs[0];
	c = &dt->rprocs[1];
	assert_string_equal(a->name, "adsp");
	assert_string_equal(a->device, "6800000.remoteproc");
	assert_int_equal(a->n_firmware, 2);
	assert_string_equal(a->firmware[0], "qcom/x1e80100/adsp.mbn");
	assert_string_equal(a->firmware[1], "qcom/x1e80100/adsp_dtb.mbn");
	assert_int_equal(a->n_carveouts, 2);
	assert_int_equal(a->carveouts[0].base, 0x87e00000);
	assert_int_equal(a->carveouts[0].size, 0x3a00000);
	assert_int_equal(a->carveouts[1].base, 0x8b800000);
	assert_int_equal(a->carveouts[1].size, 0x80000);
	assert_string_equal(a->carveouts[1].node, "/reserved-memory/q6-adsp-dtb@8b800000");
	assert_int_equal(a->n_iommus, 0);
	assert_non_null(a->soc);
	assert_int_equal(a->soc->dtb_pas_id, 0x24);
	assert_int_equal(a->soc->lite_pas_id, 0x1f);

	assert_string_equal(c->name, "cdsp");
	assert_string_equal(c->device, "32300000.remoteproc");
	assert_int_equal(c->n_firmware, 2);
	assert_string_equal(c->firmware[1], "qcom/x1e80100/cdsp_dtb.mbn");
	assert_int_equal(c->n_carveouts, 2);
	assert_int_equal(c->carveouts[0].base, 0x8b900000);
	assert_int_equal(c->carveouts[0].size, 0x2000000);
	assert_int_equal(c->carveouts[1].base, 0x8d900000);
	assert_int_equal(c->soc->dtb_pas_id, 0x25);
	rproc_dt_free(dt);
}

static void test_odd(void **state)
{
	struct rproc_dt *dt = parse_fixture("odd");
	const struct rproc_dt_rproc *r;

	assert_string_equal(dt->model, "rprocd test board: odd");
	assert_int_equal(dt->n, 4);

	/* Unknown compatible: listed, no SoC data; 1-cell IOMMU; 1/1 reserved-memory cells. */
	r = &dt->rprocs[0];
	assert_string_equal(r->name, "dsp");
	assert_string_equal(r->compatible, "acme,widget9-dsp-pas");
	assert_null(r->soc);
	assert_string_equal(r->node, "/dsp@4000000");
	assert_string_equal(r->device, "4000000.dsp");
	assert_true(r->enabled);
	assert_string_equal(r->status, "okay");
	assert_int_equal(r->n_carveouts, 1);
	assert_int_equal(r->carveouts[0].base, 0x8c000000);
	assert_int_equal(r->carveouts[0].size, 0x1000000);
	assert_true(r->carveouts[0].no_map);
	assert_int_equal(r->n_iommus, 1);
	assert_string_equal(r->iommus[0].smmu, "/iommu@1500000");
	assert_int_equal(r->iommus[0].ncells, 1);
	assert_int_equal(r->iommus[0].sid, 0x40);
	assert_int_equal(r->iommus[0].mask, 0);
	assert_int_equal(r->n_irqs, 0);
	assert_int_equal(r->n_smem_states, 0);

	/* Same derived name: suffixed; "mask" gives the kernel's extra component. */
	r = &dt->rprocs[1];
	assert_string_equal(r->name, "dsp-2");
	assert_string_equal(r->device, "5000000.8.pas");
	assert_int_equal(r->n_iommus, 2);
	assert_int_equal(r->iommus[1].sid, 0x42);
	assert_string_equal(r->firmware[0], "acme/widget9-dsp2.mbn");

	/* Disabled, reg translated through the bus's ranges. */
	r = &dt->rprocs[2];
	assert_string_equal(r->name, "cdsp");
	assert_false(r->enabled);
	assert_string_equal(r->status, "disabled");
	assert_string_equal(r->device, "10200000.remoteproc");
	assert_non_null(r->soc);
	assert_int_equal(r->soc->pas_id, 18);

	/* Fallback compatible; bus without ranges; a region the kernel maps. */
	r = &dt->rprocs[3];
	assert_string_equal(r->name, "slpi");
	assert_string_equal(r->compatible, "qcom,sc8280xp-slpi-pas");
	assert_non_null(r->soc);
	assert_string_equal(r->soc->compatible, "qcom,sm8350-slpi-pas");
	assert_string_equal(r->device, "nobus:remoteproc@3");
	assert_false(r->carveouts[0].no_map);
	assert_int_equal(r->carveouts[0].size, 0x200000);
	assert_int_equal(r->n_firmware, 0);
	assert_int_equal(r->n_irqs, 6);
	assert_string_equal(r->irq_names[5], "shutdown-ack");
	rproc_dt_free(dt);
}

static void test_no_pas_nodes(void **state)
{
	char buf[4096];
	struct rproc_dt *dt;

	assert_int_equal(fdt_create_empty_tree(buf, sizeof(buf)), 0);
	dt = parse_ok(buf, sizeof(buf));
	assert_int_equal(dt->n, 0);
	assert_string_equal(dt->model, "");
	assert_string_equal(dt->soc_compatible, "");
	rproc_dt_free(dt);
	rproc_dt_free(NULL);
}

/* ---- names --------------------------------------------------------------------------------- */

/* A derived name that collides with an alias: the alias keeps it, whatever the node order. */
static void test_name_alias_wins(void **state)
{
	size_t len;
	void *fdt = load_rw("lemans-el2", &len);
	struct rproc_dt *dt;

	assert_int_equal(fdt_setprop_string(fdt, node(fdt, GPDSP1), "compatible",
					    "qcom,sa8775p-adsp-pas"), 0);
	dt = parse_ok(fdt, len);
	assert_string_equal(rproc_dt_find(dt, "adsp")->node, ADSP);
	assert_string_equal(rproc_dt_find(dt, "adsp-2")->node, GPDSP1);
	rproc_dt_free(dt);
	free(fdt);
}

/* Alias values that are not usable names, or point elsewhere, are ignored. */
static void test_name_bad_alias(void **state)
{
	size_t len;
	void *fdt = load_rw("lemans-el2", &len);
	int al = node(fdt, "/aliases");
	struct rproc_dt *dt;

	assert_int_equal(fdt_setprop_string(fdt, al, "remoteproc_bad.name", GPDSP1), 0);
	assert_int_equal(fdt_setprop_string(fdt, al, "remoteproc_thisnameiswaytoolongtobeanamereally",
					    GPDSP1), 0);
	assert_int_equal(fdt_setprop_string(fdt, al, "remoteproc_", GPDSP1), 0);
	assert_int_equal(fdt_setprop(fdt, al, "remoteproc_notastring", "ab", 2), 0);
	assert_int_equal(fdt_setprop_string(fdt, al, "remoteproc_nowhere", "/no/such/node"), 0);
	dt = parse_ok(fdt, len);
	assert_non_null(rproc_dt_find(dt, "gpdsp1"));
	assert_null(rproc_dt_find(dt, "nowhere"));
	rproc_dt_free(dt);

	/* A good alias overrides the label and the compatible. */
	assert_int_equal(fdt_setprop_string(fdt, al, "remoteproc_gp1", GPDSP1), 0);
	assert_int_equal(fdt_setprop_string(fdt, al, "remoteproc_gp0", GPDSP0), 0);
	dt = parse_ok(fdt, len);
	assert_string_equal(rproc_dt_find(dt, "gp1")->node, GPDSP1);
	assert_string_equal(rproc_dt_find(dt, "gp0")->node, GPDSP0);
	assert_null(rproc_dt_find(dt, "gpdsp0"));
	rproc_dt_free(dt);
	free(fdt);
}

/* Long derived names that collide keep within the name buffer with their suffix. */
static void test_name_long_duplicates(void **state)
{
	static const char compat[] = "qcom,soc-abcdefghijklmnopqrstuvwxyz0123456789-pas";
	size_t len;
	void *fdt = load_rw("lemans-el2", &len);
	struct rproc_dt *dt;

	assert_int_equal(fdt_setprop_string(fdt, node(fdt, GPDSP1), "compatible", compat), 0);
	assert_int_equal(fdt_delprop(fdt, node(fdt, "/__symbols__"), "remoteproc_cdsp1"), 0);
	assert_int_equal(fdt_setprop_string(fdt, node(fdt, CDSP1), "compatible", compat), 0);
	dt = parse_ok(fdt, len);
	assert_null(dt->rprocs[1].soc);
	assert_string_equal(dt->rprocs[1].name, "abcdefghijklmnopqrstuvwxyz01234");
	assert_string_equal(dt->rprocs[3].name, "abcdefghijklmnopqrstuvwxyz012-2");
	rproc_dt_free(dt);
	free(fdt);
}

static void test_name_odd_compatibles(void **state)
{
	size_t len;
	void *fdt = load_rw("lemans-el2", &len);
	struct rproc_dt *dt;

	/* No vendor prefix, no SoC part; characters a name cannot hold. */
	assert_int_equal(fdt_setprop_string(fdt, node(fdt, GPDSP1), "compatible", "dsp-pas"), 0);
	assert_int_equal(fdt_delprop(fdt, node(fdt, "/__symbols__"), "remoteproc_cdsp1"), 0);
	assert_int_equal(fdt_setprop_string(fdt, node(fdt, CDSP1), "compatible", "v,s-a.b+c-pas"),
			 0);
	assert_int_equal(fdt_delprop(fdt, node(fdt, "/__symbols__"), "remoteproc_gpdsp0"), 0);
	assert_int_equal(fdt_setprop_string(fdt, node(fdt, GPDSP0), "compatible", "-pas"), 0);
	dt = parse_ok(fdt, len);
	assert_string_equal(dt->rprocs[0].name, "rproc");
	assert_string_equal(dt->rprocs[1].name, "dsp");
	assert_string_equal(dt->rprocs[3].name, "a_b_c");
	rproc_dt_free(dt);
	free(fdt);
}

/* ---- platform device names ----------------------------------------------------------------- */

static void test_device_ranges(void **state)
{
	size_t len;
	void *fdt = load_rw("lemans-el2", &len);
	struct rproc_dt *dt;

	/* soc@0 maps child 0x0..0x40000000 to 0x80000000: 0x30000000 -> 0xb0000000. */
	set_cells(fdt, "/soc@0", "ranges", 6, 0, 0, 0, 0x80000000, 0, 0x40000000);
	dt = parse_ok(fdt, len);
	assert_string_equal(rproc_dt_find(dt, "adsp")->device, "b0000000.remoteproc");
	rproc_dt_free(dt);

	/* Not covered by any range: the kernel falls back to the node names. */
	set_cells(fdt, "/soc@0", "ranges", 6, 0, 0, 0, 0x80000000, 0, 0x1000);
	dt = parse_ok(fdt, len);
	assert_string_equal(rproc_dt_find(dt, "adsp")->device, "soc@0:remoteproc@30000000");
	rproc_dt_free(dt);

	/* No ranges: not memory-mapped, same fallback. */
	del_prop(fdt, "/soc@0", "ranges");
	dt = parse_ok(fdt, len);
	assert_string_equal(rproc_dt_find(dt, "cdsp1")->device, "soc@0:remoteproc@2a300000");
	rproc_dt_free(dt);

	/* Two ranges entries, the second one matches; 64-bit result. */
	set_cells(fdt, "/soc@0", "ranges", 12, 0, 0, 0, 0, 0, 0x1000, 0, 0x20000000, 0x1, 0x0, 0,
		  0x20000000);
	dt = parse_ok(fdt, len);
	assert_string_equal(rproc_dt_find(dt, "adsp")->device, "110000000.remoteproc");
	rproc_dt_free(dt);
	free(fdt);
}

static void test_device_no_reg(void **state)
{
	size_t len;
	void *fdt = load_rw("lemans-el2", &len);
	struct rproc_dt *dt;

	del_prop(fdt, ADSP, "reg");
	dt = parse_ok(fdt, len);
	assert_string_equal(rproc_dt_find(dt, "adsp")->device, "soc@0:remoteproc@30000000");
	rproc_dt_free(dt);
	free(fdt);
}

/* ---- malformed properties ------------------------------------------------------------------ */

static void test_bad_reg(void **state)
{
	size_t len;
	void *fdt = load_rw("lemans-el2", &len);

	set_cells(fdt, ADSP, "reg", 1, 0x30000000); /* one cell of a two-cell address */
	EXPECT_NODE_FAIL(fdt, len, ADSP, -EINVAL, "reg", "shorter");
	set_raw(fdt, ADSP, "reg", "", 0);
	EXPECT_NODE_FAIL(fdt, len, ADSP, -EINVAL, "reg", "empty");
	free(fdt);
}

static void test_bad_status(void **state)
{
	size_t len;
	void *fdt = load_rw("lemans-el2", &len);

	set_raw(fdt, CDSP1, "status", "okay", 4); /* no NUL */
	EXPECT_NODE_FAIL(fdt, len, CDSP1, -EINVAL, "status");
	free(fdt);
}

static void test_bad_compatible(void **state)
{
	size_t len;
	void *fdt = load_rw("lemans-el2", &len);
	struct rproc_dt *dt;

	set_raw(fdt, CDSP1, "compatible", "qcom,sa8775p-cdsp1-pas", 22); /* no NUL */
	EXPECT_NODE_FAIL(fdt, len, CDSP1, -EINVAL, "compatible");

	/* An unterminated compatible with no "-pas" is not a PAS node: ignored. */
	set_raw(fdt, CDSP1, "compatible", "vendor,thing", 12);
	dt = parse_ok(fdt, len);
	assert_int_equal(dt->n, 4);
	rproc_dt_free(dt);

	char longc[200];
	memset(longc, 'x', sizeof(longc));
	memcpy(longc, "qcom,", 5);
	memcpy(longc + sizeof(longc) - 5, "-pas", 5);
	set_raw(fdt, CDSP1, "compatible", longc, sizeof(longc));
	EXPECT_NODE_FAIL(fdt, len, CDSP1, -EINVAL, "compatible", "longer");
	free(fdt);
}

static void test_bad_root(void **state)
{
	size_t len;
	void *fdt = load_rw("lemans-el2", &len);

	set_raw(fdt, "/", "model", "abc", 3);
	EXPECT_FAIL(fdt, len, -EINVAL, "model");
	assert_int_equal(fdt_setprop_string(fdt, 0, "model", "m"), 0);
	set_raw(fdt, "/", "compatible", "abc", 3);
	EXPECT_FAIL(fdt, len, -EINVAL, "compatible");
	free(fdt);
}

static void test_bad_firmware_name(void **state)
{
	size_t len;
	void *fdt = load_rw("lemans-el2", &len);
	char big[300];

	set_raw(fdt, ADSP, "firmware-name", "adsp.mbn", 8);
	EXPECT_NODE_FAIL(fdt, len, ADSP, -EINVAL, "firmware-name", "NUL");
	set_raw(fdt, ADSP, "firmware-name", "a\0\0", 3);
	EXPECT_NODE_FAIL(fdt, len, ADSP, -EINVAL, "firmware-name", "empty");
	set_raw(fdt, ADSP, "firmware-name", "a\0b\0c\0d\0e", 10);
	EXPECT_NODE_FAIL(fdt, len, ADSP, -EINVAL, "firmware-name", "more than 4");
	memset(big, 'a', sizeof(big));
	big[sizeof(big) - 1] = '\0';
	set_raw(fdt, ADSP, "firmware-name", big, sizeof(big));
	EXPECT_NODE_FAIL(fdt, len, ADSP, -EINVAL, "firmware-name", "at most 255");
	free(fdt);
}

static void test_bad_string_lists(void **state)
{
	size_t len;
	void *fdt = load_rw("lemans-el2", &len);

	set_raw(fdt, CDSP0, "interrupt-names", "wdog\0this-name-is-too-long", 27);
	EXPECT_NODE_FAIL(fdt, len, CDSP0, -EINVAL, "interrupt-names", "entry 1");
	set_raw(fdt, CDSP0, "interrupt-names", "a\0b\0c\0d\0e\0f\0g\0h\0i", 18);
	EXPECT_NODE_FAIL(fdt, len, CDSP0, -EINVAL, "interrupt-names", "more than 8");
	del_prop(fdt, CDSP0, "interrupt-names");
	set_raw(fdt, CDSP0, "qcom,smem-state-names", "stop", 4);
	EXPECT_NODE_FAIL(fdt, len, CDSP0, -EINVAL, "qcom,smem-state-names");
	set_raw(fdt, CDSP0, "qcom,smem-state-names", "a\0b\0c\0d\0e", 10);
	EXPECT_NODE_FAIL(fdt, len, CDSP0, -EINVAL, "qcom,smem-state-names", "more than 4");
	free(fdt);
}

static void test_bad_memory_region(void **state)
{
	size_t len;
	void *fdt = load_rw("lemans-el2", &len);
	uint32_t adsp_mem = phandle_of(fdt, ADSP_MEM);
	uint32_t smmu = phandle_of(fdt, SMMU);

	/* Only the ADSP keeps a carveout, so the errors below are its own. */
	del_prop(fdt, GPDSP0, "memory-region");
	del_prop(fdt, GPDSP1, "memory-region");
	del_prop(fdt, CDSP0, "memory-region");
	del_prop(fdt, CDSP1, "memory-region");
	set_cells(fdt, ADSP, "memory-region", 1, 0xdead);
	EXPECT_NODE_FAIL(fdt, len, ADSP, -EINVAL, "memory-region", "phandle 0xdead");
	set_raw(fdt, ADSP, "memory-region", "\0\0\0\1\0\0", 6);
	EXPECT_NODE_FAIL(fdt, len, ADSP, -EINVAL, "memory-region", "6 bytes");
	set_raw(fdt, ADSP, "memory-region", "", 0);
	EXPECT_NODE_FAIL(fdt, len, ADSP, -EINVAL, "memory-region");
	set_cells(fdt, ADSP, "memory-region", 9, adsp_mem, adsp_mem, adsp_mem, adsp_mem, adsp_mem,
		  adsp_mem, adsp_mem, adsp_mem, adsp_mem);
	EXPECT_NODE_FAIL(fdt, len, ADSP, -EINVAL, "memory-region", "9 entries, at most 8");
	set_cells(fdt, ADSP, "memory-region", 1, smmu);
	EXPECT_NODE_FAIL(fdt, len, ADSP, -EINVAL, "memory-region", SMMU, "not a child");

	set_cells(fdt, ADSP, "memory-region", 1, adsp_mem);
	set_cells(fdt, ADSP_MEM, "reg", 3, 0, 0x95900000, 0);
	EXPECT_NODE_FAIL(fdt, len, ADSP, -EINVAL, "memory-region", ADSP_MEM, "12 bytes");
	set_cells(fdt, ADSP_MEM, "reg", 4, 0, 0x95900000, 0, 0);
	EXPECT_NODE_FAIL(fdt, len, ADSP, -EINVAL, "memory-region", "size 0");
	set_cells(fdt, ADSP_MEM, "reg", 4, 0xffffffff, 0xfff00000, 0, 0x200000);
	EXPECT_NODE_FAIL(fdt, len, ADSP, -EINVAL, "memory-region", "overflows");
	del_prop(fdt, ADSP_MEM, "reg");
	EXPECT_NODE_FAIL(fdt, len, ADSP, -EINVAL, "memory-region", ADSP_MEM, "no reg");

	/* A second reg entry is fine (the kernel uses the first). */
	set_cells(fdt, ADSP_MEM, "reg", 8, 0, 0x95900000, 0, 0x100000, 0, 0xa0000000, 0, 0x1000);
	struct rproc_dt *dt = parse_ok(fdt, len);
	assert_int_equal(rproc_dt_find(dt, "adsp")->carveouts[0].size, 0x100000);
	rproc_dt_free(dt);

	/* reserved-memory with 3 address cells: the high one must be 0 to fit 64 bits. */
	set_cells(fdt, "/reserved-memory", "#address-cells", 1, 3);
	set_cells(fdt, ADSP_MEM, "reg", 5, 1, 0, 0x95900000, 0, 0x100000);
	EXPECT_NODE_FAIL(fdt, len, ADSP, -EINVAL, "memory-region", "64 bits");
	set_cells(fdt, "/reserved-memory", "#address-cells", 1, 7);
	EXPECT_NODE_FAIL(fdt, len, ADSP, -EINVAL, "memory-region", "#address-cells");
	free(fdt);
}

/* Carveouts no SoC has: refused by the parser for their own core, not left to later layers. */
static void test_carveout_sanity(void **state)
{
	size_t len;
	void *fdt = load_rw("lemans-el2", &len);

	set_cells(fdt, ADSP_MEM, "reg", 4, 0, 0x95900800, 0, 0x1e00000);
	EXPECT_NODE_FAIL(fdt, len, ADSP, -EINVAL, "memory-region", ADSP_MEM, "not 4 KiB aligned");
	set_cells(fdt, ADSP_MEM, "reg", 4, 0, 0x95900000, 0, 0x1e00800);
	EXPECT_NODE_FAIL(fdt, len, ADSP, -EINVAL, "not 4 KiB aligned");
	set_cells(fdt, ADSP_MEM, "reg", 4, 1, 0, 1, 0); /* 4 GiB, above everything else */
	EXPECT_NODE_FAIL(fdt, len, ADSP, -EINVAL, "[0x100000000, +0x100000000) is absurd");
	set_cells(fdt, ADSP_MEM, "reg", 4, 0x000fffff, 0xfff00000, 0, 0x200000); /* past 2^52 */
	EXPECT_NODE_FAIL(fdt, len, ADSP, -EINVAL, "is absurd");
	set_cells(fdt, ADSP_MEM, "reg", 4, 0x80000000, 0, 0, 0x200000); /* at 2^63 */
	EXPECT_NODE_FAIL(fdt, len, ADSP, -EINVAL, "is absurd");
	/* 2 GiB, the most, aligned, below 2^52: fine */
	set_cells(fdt, ADSP_MEM, "reg", 4, 0x100, 0, 0, 0x80000000);
	struct rproc_dt *dt = parse_ok(fdt, len);
	assert_int_equal(rproc_dt_find(dt, "adsp")->error, 0);
	rproc_dt_free(dt);
	free(fdt);
}

/* Every node with an error, as "name:substring" pairs; the others must have none. */
static void expect_errors(const void *fdt, size_t len, const char *const *want)
{
	struct rproc_dt *dt = parse_ok(fdt, len);

	for (size_t i = 0; i < dt->n; i++) {
		const struct rproc_dt_rproc *r = &dt->rprocs[i];
		const char *needle = NULL;

		for (const char *const *w = want; *w; w++) {
			size_t l = strcspn(*w, ":");

			if (strlen(r->name) == l && !strncmp(*w, r->name, l))
				needle = *w + l + 1;
		}
		if (!needle && r->error)
			fail_msg("%s: unexpected error: %s", r->name, r->error_msg);
		if (needle && (r->error != -EADDRINUSE || !strstr(r->error_msg, needle)))
			fail_msg("%s: expected -EADDRINUSE \"%s\", got %d \"%s\"", r->name, needle,
				 r->error, r->error_msg);
	}
	rproc_dt_free(dt);
}

#define EXPECT_ERRORS(fdt, len, ...) expect_errors(fdt, len, (const char *const[]){ __VA_ARGS__, NULL })

#define CDSP0_MEM "/reserved-memory/pil-cdsp0@9b500000"
#define CDSP1_MEM "/reserved-memory/pil-cdsp1@9d400000"
#define SMEM "/reserved-memory/smem@90900000"

/*
 * Two cores in one carveout, a carveout over SMEM or another reserved region: both cores
 * involved are refused, each message naming the other node.
 */
static void test_carveout_overlaps(void **state)
{
	size_t len;
	void *fdt = load_rw("lemans-el2", &len);
	uint32_t cdsp0_mem = phandle_of(fdt, CDSP0_MEM), adsp_mem = phandle_of(fdt, ADSP_MEM);

	/* the fixture itself is clean */
	EXPECT_ERRORS(fdt, len, "none:");

	/* cdsp1 names cdsp0's carveout */
	set_cells(fdt, CDSP1, "memory-region", 1, cdsp0_mem);
	EXPECT_ERRORS(fdt, len, "cdsp0:is also the carveout of " CDSP1 " (cdsp1)",
		      "cdsp1:is also the carveout of " CDSP0 " (cdsp0)");
	/* ... which is fine while cdsp1 is disabled: it claims nothing */
	assert_int_equal(fdt_setprop_string(fdt, node(fdt, CDSP1), "status", "disabled"), 0);
	EXPECT_ERRORS(fdt, len, "none:");
	assert_int_equal(fdt_setprop_string(fdt, node(fdt, CDSP1), "status", "okay"), 0);
	set_cells(fdt, CDSP1, "memory-region", 1, phandle_of(fdt, CDSP1_MEM));

	/* two regions of their own, overlapping by one page */
	set_cells(fdt, CDSP1_MEM, "reg", 4, 0, 0x9d2ff000, 0, 0x1e00000);
	EXPECT_ERRORS(fdt, len, "cdsp0:overlaps carveout " CDSP1_MEM " [0x9d2ff000, +0x1e00000) of "
		      CDSP1 " (cdsp1)", "cdsp1:of " CDSP0 " (cdsp0)");
	/* the same with cdsp1 disabled: its region is still reserved memory */
	assert_int_equal(fdt_setprop_string(fdt, node(fdt, CDSP1), "status", "disabled"), 0);
	EXPECT_ERRORS(fdt, len, "cdsp0:overlaps the reserved-memory region " CDSP1_MEM);
	assert_int_equal(fdt_setprop_string(fdt, node(fdt, CDSP1), "status", "okay"), 0);
	set_cells(fdt, CDSP1_MEM, "reg", 4, 0, 0x9d400000, 0, 0x1e00000);

	/* the ADSP's carveout over SMEM; a disabled region is not reserved */
	set_cells(fdt, ADSP_MEM, "reg", 4, 0, 0x90800000, 0, 0x200000);
	EXPECT_ERRORS(fdt, len, "adsp:[0x90800000, +0x200000) overlaps the reserved-memory region "
		      SMEM " [0x90900000, +0x200000)");
	assert_int_equal(fdt_setprop_string(fdt, node(fdt, SMEM), "status", "disabled"), 0);
	EXPECT_ERRORS(fdt, len, "none:");
	assert_int_equal(fdt_setprop_string(fdt, node(fdt, SMEM), "status", "okay"), 0);
	/* a second reg entry of another region counts too */
	set_cells(fdt, ADSP_MEM, "reg", 4, 0, 0x95900000, 0, 0x1e00000);
	set_cells(fdt, SMEM, "reg", 8, 0, 0x90900000, 0, 0x200000, 0, 0x96000000, 0, 0x1000);
	EXPECT_ERRORS(fdt, len, "adsp:overlaps the reserved-memory region " SMEM
		      " [0x96000000, +0x1000)");
	set_cells(fdt, SMEM, "reg", 4, 0, 0x90900000, 0, 0x200000);

	/* one core naming one region twice */
	set_cells(fdt, ADSP, "memory-region", 2, adsp_mem, adsp_mem);
	EXPECT_ERRORS(fdt, len, "adsp:memory-region entries 0 (" ADSP_MEM ") and 1 (" ADSP_MEM
		      ") overlap");
	free(fdt);
}

static void test_no_reserved_memory(void **state)
{
	size_t len;
	void *fdt = load_rw("lemans-el2", &len);

	/* Rename /reserved-memory: the regions still exist but are not reserved memory. */
	assert_int_equal(fdt_set_name(fdt, node(fdt, "/reserved-memory"), "carveouts"), 0);
	/* every node refers to a region that is not reserved memory: each is refused */
	for (size_t i = 0; i < ARRAY_SIZE(lemans_rows); i++) {
		struct rproc_dt *dt = parse_ok(fdt, len);
		const struct rproc_dt_rproc *r = rproc_dt_find(dt, lemans_rows[i].name);

		assert_non_null(r);
		assert_int_equal(r->error, -EINVAL);
		assert_non_null(strstr(r->error_msg, "not a child of /reserved-memory"));
		rproc_dt_free(dt);
	}
	free(fdt);
}

static void test_bad_iommus(void **state)
{
	size_t len;
	void *fdt = load_rw("lemans-el2", &len);
	uint32_t smmu = phandle_of(fdt, SMMU);

	/* Only the ADSP keeps its stream, so the errors below are its own. */
	del_prop(fdt, CDSP0, "iommus");
	del_prop(fdt, CDSP1, "iommus");
	del_prop(fdt, GPDSP0, "iommus");
	del_prop(fdt, GPDSP1, "iommus");
	set_cells(fdt, ADSP, "iommus", 2, smmu, 0x3000); /* #iommu-cells = 2 */
	EXPECT_NODE_FAIL(fdt, len, ADSP, -EINVAL, "iommus", "truncated");
	set_cells(fdt, ADSP, "iommus", 3, 0xbeef, 0x3000, 0);
	EXPECT_NODE_FAIL(fdt, len, ADSP, -EINVAL, "iommus", "phandle 0xbeef");
	set_raw(fdt, ADSP, "iommus", "\0\0\0\1\0", 5);
	EXPECT_NODE_FAIL(fdt, len, ADSP, -EINVAL, "iommus", "5 bytes");
	set_cells(fdt, ADSP, "iommus", 15, smmu, 1, 0, smmu, 2, 0, smmu, 3, 0, smmu, 4, 0, smmu, 5,
		  0);
	EXPECT_NODE_FAIL(fdt, len, ADSP, -EINVAL, "iommus", "more than 4");

	set_cells(fdt, ADSP, "iommus", 3, smmu, 0x3000, 0);
	del_prop(fdt, SMMU, "#iommu-cells");
	EXPECT_NODE_FAIL(fdt, len, ADSP, -EINVAL, "iommus", SMMU, "no #iommu-cells");
	set_raw(fdt, SMMU, "#iommu-cells", "\0\0", 2);
	EXPECT_NODE_FAIL(fdt, len, ADSP, -EINVAL, "iommus", "#iommu-cells");
	set_cells(fdt, SMMU, "#iommu-cells", 1, 5);
	EXPECT_NODE_FAIL(fdt, len, ADSP, -EINVAL, "iommus", "at most 4");

	/* #iommu-cells = 0 and 4 are legal. */
	set_cells(fdt, SMMU, "#iommu-cells", 1, 0);
	set_cells(fdt, ADSP, "iommus", 2, smmu, smmu);
	struct rproc_dt *dt = parse_ok(fdt, len);
	const struct rproc_dt_rproc *a = rproc_dt_find(dt, "adsp");
	assert_int_equal(a->n_iommus, 2);
	assert_int_equal(a->iommus[1].ncells, 0);
	assert_int_equal(a->iommus[1].sid, 0);
	rproc_dt_free(dt);
	set_cells(fdt, SMMU, "#iommu-cells", 1, 4);
	set_cells(fdt, ADSP, "iommus", 5, smmu, 1, 2, 3, 4);
	dt = parse_ok(fdt, len);
	a = rproc_dt_find(dt, "adsp");
	assert_int_equal(a->iommus[0].cells[3], 4);
	assert_int_equal(a->iommus[0].sid, 1);
	assert_int_equal(a->iommus[0].mask, 2);
	rproc_dt_free(dt);
	free(fdt);
}

static void test_bad_devmem(void **state)
{
	size_t len;
	void *fdt = load_rw("lemans-el2", &len);

	set_cells(fdt, ADSP, "qcom,devmem", 3, 0x1000, 0x1000, 0x1000);
	EXPECT_NODE_FAIL(fdt, len, ADSP, -EINVAL, "qcom,devmem", "12 bytes");
	set_cells(fdt, ADSP, "qcom,devmem", 6, 0x1000, 0x1000, 0x1000, 1, 0x2000, 0x2000);
	EXPECT_NODE_FAIL(fdt, len, ADSP, -EINVAL, "qcom,devmem", "24 bytes");
	set_raw(fdt, ADSP, "qcom,devmem", "", 0);
	EXPECT_NODE_FAIL(fdt, len, ADSP, -EINVAL, "qcom,devmem");
	set_cells(fdt, ADSP, "qcom,devmem", 8, 0x1000, 0x1000, 0x1000, 1, 0x2000, 0x2000, 0x1000,
		  0);
	EXPECT_NODE_FAIL(fdt, len, ADSP, -EINVAL, "qcom,devmem", "row 1", "flags 0x0");
	set_cells(fdt, ADSP, "qcom,devmem", 4, 0x1000, 0x1000, 0x1000, 32);
	EXPECT_NODE_FAIL(fdt, len, ADSP, -EINVAL, "qcom,devmem", "row 0", "flags 0x20");
	set_cells(fdt, ADSP, "qcom,devmem", 4, 0x1000, 0x1000, 0, 1);
	EXPECT_NODE_FAIL(fdt, len, ADSP, -EINVAL, "qcom,devmem", "size 0");

	/* Boundaries 1 and 31 are allowed. */
	set_cells(fdt, ADSP, "qcom,devmem", 8, 0x1000, 0x2000, 0x1000, 1, 0xfffff000, 0xfffff000,
		  0x1000, 31);
	struct rproc_dt *dt = parse_ok(fdt, len);
	const struct rproc_dt_rproc *a = rproc_dt_find(dt, "adsp");
	assert_int_equal(a->n_devmem, 2);
	assert_int_equal(a->devmem[0].pa, 0x2000);
	assert_int_equal(a->devmem[1].da, 0xfffff000);
	assert_int_equal(a->devmem[1].flags, 31);
	rproc_dt_free(dt);
	free(fdt);
}

/* ---- corrupted blobs ----------------------------------------------------------------------- */

static void test_bad_blob(void **state)
{
	size_t len;
	uint8_t *blob = load("lemans-el2", &len);
	uint8_t *copy = malloc(len);
	struct fdt_header *h = (struct fdt_header *)copy;

	assert_non_null(copy);
	EXPECT_FAIL(NULL, 0, -EINVAL, "too short");
	EXPECT_FAIL(blob, 20, -EINVAL, "too short");

	memcpy(copy, blob, len);
	copy[0] ^= 0xff;
	EXPECT_FAIL(copy, len, -EINVAL, "magic");

	/* Truncated: the header's totalsize exceeds what we were given. */
	EXPECT_FAIL(blob, len - 1, -EINVAL, "truncated");
	EXPECT_FAIL(blob, sizeof(struct fdt_header), -EINVAL, "truncated");

	memcpy(copy, blob, len);
	h->totalsize = cpu_to_fdt32((uint32_t)len + 4096);
	EXPECT_FAIL(copy, len, -EINVAL, "truncated");

	memcpy(copy, blob, len);
	h->version = cpu_to_fdt32(1);
	EXPECT_FAIL(copy, len, -EINVAL, "header");

	/* Pre-16 layouts are refused before libfdt walks them. */
	memcpy(copy, blob, len);
	h->version = cpu_to_fdt32(4);
	h->last_comp_version = cpu_to_fdt32(2);
	EXPECT_FAIL(copy, len, -EINVAL, "version 4");

	memcpy(copy, blob, len);
	h->off_dt_struct = cpu_to_fdt32((uint32_t)len + 16);
	EXPECT_FAIL(copy, len, -EINVAL, "header");

	/* Garbage in the structure block (the first node's name region). */
	memcpy(copy, blob, len);
	memset(copy + fdt_off_dt_struct(copy) + 4, 0xff, 32);
	EXPECT_FAIL(copy, len, -EINVAL, "structure");

	/* A property name offset outside the strings block. */
	memcpy(copy, blob, len);
	h->size_dt_strings = cpu_to_fdt32(4);
	EXPECT_FAIL(copy, len, -EINVAL, "structure");
	free(copy);
	free(blob);
}

/* Every single-byte change and every truncation: an answer, never a crash (ASan/valgrind). */
static void test_mutations(void **state)
{
	size_t len;
	uint8_t *blob = load("odd", &len);
	uint8_t *copy = malloc(len);
	unsigned int ok = 0, bad = 0;

	assert_non_null(copy);
	for (size_t i = 0; i < len; i++) {
		static const uint8_t flips[] = { 0x01, 0x80, 0xff };

		for (size_t f = 0; f < ARRAY_SIZE(flips); f++) {
			struct rproc_error err = { 0 };
			struct rproc_dt *dt = NULL;
			int ret;

			memcpy(copy, blob, len);
			copy[i] ^= flips[f];
			ret = rproc_dt_parse(copy, len, &dt, &err);
			if (ret == 0) {
				ok++;
				assert_non_null(dt);
				rproc_dt_free(dt);
			} else {
				bad++;
				assert_null(dt);
				assert_true(err.msg[0] != '\0');
			}
		}
	}
	for (size_t l = 0; l < len; l += 7) {
		struct rproc_dt *dt = NULL;

		assert_int_equal(rproc_dt_parse(blob, l, &dt, NULL), -EINVAL);
		assert_null(dt);
	}
	/* Both outcomes must occur: most flips hit names and values, some break the structure. */
	assert_true(ok > 0);
	assert_true(bad > 0);
	free(copy);
	free(blob);
}

/* ---- file input ---------------------------------------------------------------------------- */

static void test_read_file(void **state)
{
	char dir[] = "/tmp/test-dt-XXXXXX", path[256];
	struct rproc_error err = { 0 };
	size_t len, flen;
	void *blob = NULL;
	uint8_t *good = load("x1e80100", &flen);
	FILE *f;

	assert_non_null(mkdtemp(dir));

	snprintf(path, sizeof(path), "%s/none.dtb", dir);
	assert_int_equal(rproc_dt_read_file(path, &blob, &len, &err), -ENOENT);
	assert_non_null(strstr(err.msg, path));
	assert_null(blob);

	assert_int_equal(rproc_dt_read_file(dir, &blob, &len, &err), -EISDIR);
	assert_non_null(strstr(err.msg, "directory"));

	snprintf(path, sizeof(path), "%s/half.dtb", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(good, 1, flen / 2, f), flen / 2);
	fclose(f);
	memset(&err, 0, sizeof(err));
	assert_int_equal(rproc_dt_read_file(path, &blob, &len, &err), -EINVAL);
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, "truncated"));
	unlink(path);

	snprintf(path, sizeof(path), "%s/text.dtb", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("/dts-v1/; / { };\n this is a source file, not a blob\n", f);
	fclose(f);
	assert_int_equal(rproc_dt_read_file(path, &blob, &len, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "magic"));
	unlink(path);

	snprintf(path, sizeof(path), "%s/empty.dtb", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(rproc_dt_read_file(path, &blob, &len, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "too short"));
	unlink(path);

	/* A FIFO (no writer: open() used to block for ever) and a device are refused. */
	snprintf(path, sizeof(path), "%s/fifo.dtb", dir);
	assert_int_equal(mkfifo(path, 0644), 0);
	assert_int_equal(rproc_dt_read_file(path, &blob, &len, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "is a FIFO, not a DTB file"));
	assert_null(blob);
	unlink(path);
	assert_int_equal(rproc_dt_read_file("/dev/zero", &blob, &len, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "is a character device"));

	/* Trailing bytes after totalsize are allowed, and not read: the header says how much. */
	snprintf(path, sizeof(path), "%s/padded.dtb", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(good, 1, flen, f), flen);
	assert_int_equal(fwrite("\0\0\0\0\0\0\0\0", 1, 8, f), 8);
	fclose(f);
	assert_int_equal(rproc_dt_read_file(path, &blob, &len, &err), 0);
	assert_int_equal(len, flen);
	assert_memory_equal(blob, good, flen);
	free(blob);
	unlink(path);

	assert_int_equal(rmdir(dir), 0);
	free(good);
}

/* The live tree: present and parseable, or absent with a message that says what to do. */
static void test_read_live(void **state)
{
	struct rproc_error err = { 0 };
	size_t len;
	void *blob = NULL;
	int ret = rproc_dt_read_file(NULL, &blob, &len, &err);

	if (ret == 0) {
		struct rproc_dt *dt = parse_ok(blob, len);

		rproc_dt_free(dt);
		free(blob);
		return;
	}
	assert_null(blob);
	assert_non_null(strstr(err.msg, RPROC_DT_LIVE));
	if (ret == -EACCES)
		assert_non_null(strstr(err.msg, "run as root"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lemans),
		cmocka_unit_test(test_devmem),
		cmocka_unit_test(test_x1e),
		cmocka_unit_test(test_odd),
		cmocka_unit_test(test_no_pas_nodes),
		cmocka_unit_test(test_name_alias_wins),
		cmocka_unit_test(test_name_bad_alias),
		cmocka_unit_test(test_name_long_duplicates),
		cmocka_unit_test(test_name_odd_compatibles),
		cmocka_unit_test(test_device_ranges),
		cmocka_unit_test(test_device_no_reg),
		cmocka_unit_test(test_bad_reg),
		cmocka_unit_test(test_bad_status),
		cmocka_unit_test(test_bad_compatible),
		cmocka_unit_test(test_bad_root),
		cmocka_unit_test(test_bad_firmware_name),
		cmocka_unit_test(test_bad_string_lists),
		cmocka_unit_test(test_bad_memory_region),
		cmocka_unit_test(test_carveout_sanity),
		cmocka_unit_test(test_carveout_overlaps),
		cmocka_unit_test(test_no_reserved_memory),
		cmocka_unit_test(test_bad_iommus),
		cmocka_unit_test(test_bad_devmem),
		cmocka_unit_test(test_bad_blob),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_read_file),
		cmocka_unit_test(test_read_live),
	};

	if (!getenv("RPROC_FIXTURE_DIR")) {
		fprintf(stderr, "RPROC_FIXTURE_DIR is not set (run through meson test)\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
