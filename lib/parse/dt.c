// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Device-tree discovery of PAS remote processors (doc/devicetree.md).
 *
 * Everything here reads the flattened tree through libfdt after fdt_check_full() has
 * validated its structure, and checks every property length before using it: the tree may
 * come from a user's file.  A malformed property of a PAS node fails the whole parse with a
 * message naming the node and the property, so that a broken tree is noticed instead of a
 * remote processor silently booting with half its description.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <libfdt.h>

#include "fd-util.h"
#include "rproc/dt.h"
#include "util.h"

/* A DTB larger than this is not a device tree (real ones are < 1 MiB). */
#define DT_MAX_FILE_SIZE (64u << 20)

/*
 * Carveouts: whole 4 KiB pages, at most 2 GiB (the largest in Debian's Qualcomm trees is 306
 * MiB, a modem's), and inside the 52-bit physical address space of arm64.
 */
#define DT_PAGE 4096u
#define DT_MAX_CARVEOUT (2ull << 30)
#define DT_MAX_PHYS (1ull << 52)

#define RPROC_NAME_MAX (sizeof(((struct rproc_dt_rproc *)0)->name))

/* "<node>: <property>: <detail>" with -EINVAL. */
static int _printf_(4, 5)
	dt_bad(struct rproc_error *err, const char *node, const char *prop, const char *fmt, ...)
{
	char detail[RPROC_ERROR_MAX / 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	return rproc_err(err, -EINVAL, "device tree node %s: property %s: %s", node, prop, detail);
}

/*
 * Number from @n big-endian cells.  Like the kernel's of_read_number(), more than two cells
 * keep only the low 64 bits; callers that must not lose bits check the high cells first.
 */
static uint64_t dt_read_number(const fdt32_t *cells, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = (v << 32) | fdt32_to_cpu(cells[i]);
	return v;
}

/* True if a number of @n cells fits 64 bits (the cells above the low two are zero). */
static bool dt_number_fits(const fdt32_t *cells, int n)
{
	for (int i = 0; i < n - 2; i++)
		if (cells[i])
			return false;
	return true;
}

/* A property that must be a list of NUL-terminated strings. */
static bool dt_strlist_ok(const char *p, int len)
{
	return p && len > 0 && p[len - 1] == '\0';
}

/*
 * Read a string-list property into @out (@max entries of @width bytes).  Absent = 0 entries.
 */
static int dt_read_strlist(const void *fdt, int node, const char *path, const char *prop,
			   char *out, size_t width, unsigned int max, unsigned int *n,
			   struct rproc_error *err)
{
	const char *p;
	int len, pos = 0;

	*n = 0;
	p = fdt_getprop(fdt, node, prop, &len);
	if (!p)
		return 0;
	if (!dt_strlist_ok(p, len))
		return dt_bad(err, path, prop, "not a NUL-terminated string list (%d bytes)", len);
	while (pos < len) {
		size_t l = strlen(p + pos);

		if (l == 0)
			return dt_bad(err, path, prop, "entry %u is an empty string", *n);
		if (l >= width)
			return dt_bad(err, path, prop, "entry %u is %zu bytes long, at most %zu supported",
				      *n, l, width - 1);
		if (*n >= max)
			return dt_bad(err, path, prop, "more than %u entries", max);
		memcpy(out + *n * width, p + pos, l + 1);
		(*n)++;
		pos += (int)l + 1;
	}
	return 0;
}

/* ---- platform device name (doc/devicetree.md#device-names) ----------------------------------- */

/*
 * Translate the first address of @reg (a property of @node) to a CPU physical address the way
 * of_translate_address() does for nodes on a simple bus: through every ancestor's "ranges";
 * an ancestor bus without "ranges" makes the address untranslatable, an empty "ranges" maps
 * 1:1.  Returns 0 and *@out, 1 if not translatable, -EINVAL if @reg is too short.
 *
 * Cell counts come from the parent's #address-cells/#size-cells with the devicetree
 * specification's defaults (2/1, as libfdt gives them).  The kernel instead inherits them
 * from further ancestors and defaults to 1/1; trees that omit them are non-conforming and
 * dtc warns about them.
 */
static int dt_translate(const void *fdt, int node, const char *path, const fdt32_t *reg,
			int reglen, uint64_t *out, struct rproc_error *err)
{
	int bus, na, ns;
	uint64_t a;

	bus = fdt_parent_offset(fdt, node);
	if (bus < 0)
		return 1;
	na = fdt_address_cells(fdt, bus);
	ns = fdt_size_cells(fdt, bus);
	if (na <= 0 || ns < 0)
		return 1; /* kernel: "Bad cell count" */
	if (reglen < na * 4)
		return dt_bad(err, path, "reg", "%d bytes, shorter than one address of %d cells",
			      reglen, na);
	a = dt_read_number(reg, na);

	/* Walk up: @bus is the node whose "ranges" maps its children's addresses. */
	while (bus != 0) {
		const fdt32_t *r;
		int parent, pna, rlen, rone;
		bool found = false;

		parent = fdt_parent_offset(fdt, bus);
		if (parent < 0)
			return 1;
		pna = fdt_address_cells(fdt, parent);
		if (pna <= 0)
			return 1;
		r = fdt_getprop(fdt, bus, "ranges", &rlen);
		if (!r)
			return 1; /* no ranges: the bus is not memory-mapped */
		if (rlen > 0) {
			rone = na + pna + ns;
			for (int left = rlen / 4; left >= rone; left -= rone, r += rone) {
				uint64_t cp = dt_read_number(r, na);
				uint64_t s = dt_read_number(r + na + pna, ns);

				if (a >= cp && a - cp < s) {
					a = dt_read_number(r + na, pna) + (a - cp);
					found = true;
					break;
				}
			}
			if (!found)
				return 1;
		}
		na = pna;
		ns = fdt_size_cells(fdt, parent);
		if (ns < 0)
			return 1;
		bus = parent;
	}
	*out = a;
	return 0;
}

/* Node name without the unit address (the kernel's %pOFn). */
static void dt_node_short_name(const char *name, char *out, size_t len)
{
	size_t l = strcspn(name, "@");

	snprintf(out, len, "%.*s", (int)l, name);
}

/*
 * The platform device name of_device_make_bus_id() gives @node: "<addr>.<name>" from the first
 * node upwards whose reg translates ("<addr>.<ffs(mask)-1>.<name>" with a "mask" property),
 * prefixed by the full names of the untranslatable nodes below it, ':'-separated.
 */
static int dt_device_name(const void *fdt, int node, const char *path, char *out, size_t outlen,
			  struct rproc_error *err)
{
	char acc[256] = "", tmp[256], shortname[128];
	int cur = node;

	while (cur != 0) {
		const fdt32_t *reg;
		const char *name;
		int len, r, n;
		uint64_t addr = 0;

		name = fdt_get_name(fdt, cur, NULL);
		if (!name)
			return rproc_err(err, -EINVAL, "device tree node %s: unreadable name", path);
		reg = fdt_getprop(fdt, cur, "reg", &len);
		if (reg) {
			r = dt_translate(fdt, cur, path, reg, len, &addr, err);
			if (r < 0)
				return r;
			if (r == 0) {
				const fdt32_t *mask = fdt_getprop(fdt, cur, "mask", &len);

				dt_node_short_name(name, shortname, sizeof(shortname));
				if (mask && len >= 4)
					n = snprintf(out, outlen, "%llx.%x.%s%s%s",
						     (unsigned long long)addr,
						     (unsigned int)(__builtin_ffs((int)fdt32_to_cpu(*mask)) - 1),
						     shortname, acc[0] ? ":" : "", acc);
				else
					n = snprintf(out, outlen, "%llx.%s%s%s",
						     (unsigned long long)addr, shortname,
						     acc[0] ? ":" : "", acc);
				if (n < 0 || (size_t)n >= outlen)
					return rproc_err(err, -ENAMETOOLONG,
							 "device tree node %s: platform device name "
							 "longer than %zu bytes", path, outlen - 1);
				return 0;
			}
		}
		n = snprintf(tmp, sizeof(tmp), "%s%s%s", name, acc[0] ? ":" : "", acc);
		if (n < 0 || (size_t)n >= sizeof(tmp))
			return rproc_err(err, -ENAMETOOLONG,
					 "device tree node %s: platform device name too long", path);
		memcpy(acc, tmp, (size_t)n + 1);
		cur = fdt_parent_offset(fdt, cur);
		if (cur < 0)
			return rproc_err(err, -EINVAL, "device tree node %s: cannot find its parent",
					 path);
	}
	if (strlen(acc) >= outlen)
		return rproc_err(err, -ENAMETOOLONG,
				 "device tree node %s: platform device name too long", path);
	strcpy(out, acc);
	return 0;
}

/* ---- memory-region ------------------------------------------------------------------------- */

static int dt_resolve_region(const void *fdt, const char *path, unsigned int idx, uint32_t ph,
			     int resmem, struct rproc_dt_carveout *c, struct rproc_error *err)
{
	const fdt32_t *reg;
	int off, parent, ac, sc, len, entry;
	uint64_t end;

	off = fdt_node_offset_by_phandle(fdt, ph);
	if (off < 0)
		return dt_bad(err, path, "memory-region", "entry %u: phandle 0x%x refers to no node",
			      idx, ph);
	if (fdt_get_path(fdt, off, c->node, sizeof(c->node)) < 0)
		return dt_bad(err, path, "memory-region", "entry %u: path of the target too long",
			      idx);
	parent = fdt_parent_offset(fdt, off);
	if (resmem < 0 || parent != resmem)
		return dt_bad(err, path, "memory-region",
			      "entry %u: %s is not a child of /reserved-memory", idx, c->node);

	/* The region's reg is in its parent's (reserved-memory's) address space
	 * (doc/devicetree.md#memory-region). */
	ac = fdt_address_cells(fdt, parent);
	sc = fdt_size_cells(fdt, parent);
	if (ac <= 0 || sc <= 0)
		return dt_bad(err, path, "memory-region",
			      "entry %u: /reserved-memory has invalid #address-cells/#size-cells "
			      "(%d/%d)", idx, ac, sc);
	reg = fdt_getprop(fdt, off, "reg", &len);
	if (!reg)
		return dt_bad(err, path, "memory-region",
			      "entry %u: %s has no reg (dynamically allocated regions are not "
			      "supported: give the carveout a fixed address)", idx, c->node);
	entry = (ac + sc) * 4;
	if (len < entry || len % entry)
		return dt_bad(err, path, "memory-region",
			      "entry %u: reg of %s is %d bytes, not a whole number of <%d address "
			      "+ %d size> cells", idx, c->node, len, ac, sc);
	if (!dt_number_fits(reg, ac) || !dt_number_fits(reg + ac, sc))
		return dt_bad(err, path, "memory-region",
			      "entry %u: reg of %s does not fit 64 bits", idx, c->node);
	c->base = dt_read_number(reg, ac);
	c->size = dt_read_number(reg + ac, sc);
	if (c->size == 0)
		return dt_bad(err, path, "memory-region", "entry %u: %s has size 0", idx, c->node);
	if (add_overflows(c->base, c->size, &end))
		return dt_bad(err, path, "memory-region",
			      "entry %u: %s: base 0x%llx + size 0x%llx overflows", idx, c->node,
			      (unsigned long long)c->base, (unsigned long long)c->size);
	/* The SMMU, TrustZone's SHM bridge and the CPU mapping all work in whole pages. */
	if (!IS_ALIGNED(c->base, (uint64_t)DT_PAGE) || !IS_ALIGNED(c->size, (uint64_t)DT_PAGE))
		return dt_bad(err, path, "memory-region",
			      "entry %u: %s [0x%llx, +0x%llx) is not 4 KiB aligned (base and size "
			      "must be whole pages)", idx, c->node, (unsigned long long)c->base,
			      (unsigned long long)c->size);
	if (c->size > DT_MAX_CARVEOUT || end > DT_MAX_PHYS)
		return dt_bad(err, path, "memory-region",
			      "entry %u: %s [0x%llx, +0x%llx) is absurd (carveouts are at most "
			      "0x%llx bytes and end below 0x%llx)", idx, c->node,
			      (unsigned long long)c->base, (unsigned long long)c->size,
			      (unsigned long long)DT_MAX_CARVEOUT, (unsigned long long)DT_MAX_PHYS);
	c->no_map = fdt_getprop(fdt, off, "no-map", NULL) != NULL;
	return 0;
}

static int dt_read_regions(const void *fdt, int node, int resmem, struct rproc_dt_rproc *r,
			   struct rproc_error *err)
{
	const fdt32_t *p;
	int len;

	p = fdt_getprop(fdt, node, "memory-region", &len);
	if (!p)
		return 0;
	if (len == 0 || len % 4)
		return dt_bad(err, r->node, "memory-region",
			      "%d bytes, not a list of 4-byte phandles", len);
	if ((unsigned int)len / 4 > RPROC_DT_MAX_REGIONS)
		return dt_bad(err, r->node, "memory-region", "%d entries, at most %d supported",
			      len / 4, RPROC_DT_MAX_REGIONS);
	for (unsigned int i = 0; i < (unsigned int)len / 4; i++) {
		int ret = dt_resolve_region(fdt, r->node, i, fdt32_to_cpu(p[i]), resmem,
					    &r->carveouts[i], err);
		if (ret < 0)
			return ret;
		r->n_carveouts = i + 1;
	}
	return 0;
}

/* ---- iommus -------------------------------------------------------------------------------- */

static int dt_read_iommus(const void *fdt, int node, struct rproc_dt_rproc *r,
			  struct rproc_error *err)
{
	const fdt32_t *p;
	int len, total, i = 0;

	p = fdt_getprop(fdt, node, "iommus", &len);
	if (!p)
		return 0;
	if (len == 0 || len % 4)
		return dt_bad(err, r->node, "iommus", "%d bytes, not a list of cells", len);
	total = len / 4;
	while (i < total) {
		struct rproc_dt_iommu *io;
		const fdt32_t *cellsp;
		uint32_t ph = fdt32_to_cpu(p[i++]), ncells;
		int off, clen;

		if (r->n_iommus >= RPROC_DT_MAX_IOMMUS)
			return dt_bad(err, r->node, "iommus", "more than %d entries",
				      RPROC_DT_MAX_IOMMUS);
		io = &r->iommus[r->n_iommus];
		off = fdt_node_offset_by_phandle(fdt, ph);
		if (off < 0)
			return dt_bad(err, r->node, "iommus",
				      "entry %u: phandle 0x%x refers to no node", r->n_iommus, ph);
		if (fdt_get_path(fdt, off, io->smmu, sizeof(io->smmu)) < 0)
			return dt_bad(err, r->node, "iommus", "entry %u: IOMMU path too long",
				      r->n_iommus);
		cellsp = fdt_getprop(fdt, off, "#iommu-cells", &clen);
		if (!cellsp)
			return dt_bad(err, r->node, "iommus", "entry %u: %s has no #iommu-cells",
				      r->n_iommus, io->smmu);
		if (clen != 4)
			return dt_bad(err, r->node, "iommus",
				      "entry %u: #iommu-cells of %s is %d bytes, not one cell",
				      r->n_iommus, io->smmu, clen);
		ncells = fdt32_to_cpu(*cellsp);
		if (ncells > RPROC_DT_IOMMU_CELLS)
			return dt_bad(err, r->node, "iommus",
				      "entry %u: #iommu-cells of %s is %u, at most %d supported",
				      r->n_iommus, io->smmu, ncells, RPROC_DT_IOMMU_CELLS);
		if (ncells > (uint32_t)(total - i))
			return dt_bad(err, r->node, "iommus",
				      "entry %u: truncated: %s needs %u cells, %d left", r->n_iommus,
				      io->smmu, ncells, total - i);
		io->ncells = ncells;
		for (uint32_t c = 0; c < ncells; c++)
			io->cells[c] = fdt32_to_cpu(p[i + (int)c]);
		io->sid = ncells >= 1 ? io->cells[0] : 0;
		io->mask = ncells >= 2 ? io->cells[1] : 0;
		i += (int)ncells;
		r->n_iommus++;
	}
	return 0;
}

/* ---- qcom,devmem (doc/devicetree.md#device-memory) ------------------------------------------- */

static int dt_read_devmem(const void *fdt, int node, struct rproc_dt_rproc *r,
			  struct rproc_error *err)
{
	const fdt32_t *p;
	int len;
	size_t rows;

	p = fdt_getprop(fdt, node, "qcom,devmem", &len);
	if (!p)
		return 0;
	if (len == 0 || len % 16)
		return dt_bad(err, r->node, "qcom,devmem",
			      "%d bytes, not a whole number of <da pa size flags> rows", len);
	rows = (size_t)len / 16;
	r->devmem = calloc(rows, sizeof(*r->devmem));
	if (!r->devmem)
		return rproc_err(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < rows; i++) {
		struct rproc_devmem *m = &r->devmem[i];

		m->da = fdt32_to_cpu(p[i * 4]);
		m->pa = fdt32_to_cpu(p[i * 4 + 1]);
		m->len = fdt32_to_cpu(p[i * 4 + 2]);
		m->flags = fdt32_to_cpu(p[i * 4 + 3]);
		snprintf(m->name, sizeof(m->name), "devmem%zu", i);
		if (m->len == 0)
			return dt_bad(err, r->node, "qcom,devmem", "row %zu has size 0", i);
		/* The seed binding allows the IOMMU_* prot bits READ..MMIO only: 1..31. */
		if (m->flags < 1 || m->flags > 31)
			return dt_bad(err, r->node, "qcom,devmem",
				      "row %zu: flags 0x%x outside 1..31 (IOMMU_READ 1, WRITE 2, "
				      "CACHE 4, NOEXEC 8, MMIO 16)", i, m->flags);
		r->n_devmem = i + 1; /* what a node with an error keeps was checked */
	}
	return 0;
}

/* ---- names --------------------------------------------------------------------------------- */

static bool dt_name_ok(const char *s, size_t len)
{
	if (len == 0 || len >= RPROC_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return false;
	}
	return true;
}

struct dt_label {
	int target; /* node offset the path resolves to */
	char name[RPROC_NAME_MAX];
};

/*
 * Every valid "remoteproc_<name>" property of @list ("/aliases" or "/__symbols__"), in property
 * order, its path resolved once: resolving every label for every node made parsing a tree with
 * many processors quadratic (128 nodes took 0.6 s).  NULL with *@n = 0 when there is none.
 */
static int dt_labels(const void *fdt, const char *list, struct dt_label **out, size_t *n)
{
	static const char prefix[] = "remoteproc_";
	struct dt_label *v = NULL;
	size_t cap = 0;
	int off, prop;

	*out = NULL;
	*n = 0;
	off = fdt_path_offset(fdt, list);
	if (off < 0)
		return 0;
	fdt_for_each_property_offset(prop, fdt, off) {
		const char *val, *pname;
		int len, target;

		val = fdt_getprop_by_offset(fdt, prop, &pname, &len);
		if (!val || !pname || strncmp(pname, prefix, sizeof(prefix) - 1))
			continue;
		if (!dt_strlist_ok(val, len) || val[0] != '/')
			continue;
		pname += sizeof(prefix) - 1;
		if (!dt_name_ok(pname, strlen(pname)))
			continue;
		target = fdt_path_offset(fdt, val);
		if (target < 0)
			continue;
		if (*n == cap) {
			struct dt_label *nv = realloc(v, (cap = cap ? 2 * cap : 8) * sizeof(*v));

			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
		}
		v[*n].target = target;
		strcpy(v[(*n)++].name, pname);
	}
	*out = v;
	return 0;
}

/* The first label of @v whose path is @target: true and its name in @out. */
static bool dt_find_label(const struct dt_label *v, size_t n, int target, char *out)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].target == target) {
			strcpy(out, v[i].name);
			return true;
		}
	return false;
}

/* "qcom,<soc>-<name>-pas" -> "<name>"; anything else -> the best similar short name. */
static void dt_name_from_compatible(const char *compat, char *out)
{
	const char *s = strchr(compat, ',');
	size_t len, o = 0;
	const char *dash;

	s = s ? s + 1 : compat;
	len = strlen(s);
	if (len >= 4 && !strcmp(s + len - 4, "-pas"))
		len -= 4;
	dash = memchr(s, '-', len);
	if (dash) {
		len -= (size_t)(dash + 1 - s);
		s = dash + 1;
	}
	for (size_t i = 0; i < len && o < RPROC_NAME_MAX - 1; i++) {
		char c = s[i];

		out[o++] = dt_name_ok(&c, 1) ? c : '_';
	}
	out[o] = '\0';
	if (!o)
		strcpy(out, "rproc");
}

static bool dt_name_taken(const struct rproc_dt *dt, const bool *assigned, const char *name)
{
	for (size_t i = 0; i < dt->n; i++)
		if (assigned[i] && !strcmp(dt->rprocs[i].name, name))
			return true;
	return false;
}

/* Give rprocs[i] @base, or "<base>-<k>" (k = 2, 3, ...) if another entry already has it. */
static void dt_assign_name(struct rproc_dt *dt, bool *assigned, size_t i, const char *base)
{
	char *name = dt->rprocs[i].name;

	if (!dt_name_taken(dt, assigned, base)) {
		snprintf(name, RPROC_NAME_MAX, "%s", base);
	} else {
		for (unsigned int k = 2;; k++) {
			char suffix[16];
			int sl = snprintf(suffix, sizeof(suffix), "-%u", k);
			int keep = (int)RPROC_NAME_MAX - 1 - sl;

			snprintf(name, RPROC_NAME_MAX, "%.*s%s", keep, base, suffix);
			if (!dt_name_taken(dt, assigned, name))
				break;
		}
	}
	assigned[i] = true;
}

/*
 * Names in order of preference (§ issue 2): /aliases remoteproc_<name>, then a
 * remoteproc_<name> label in /__symbols__, then the compatible.  Explicit names are handed out
 * first so a derived name never takes one an alias asked for.
 */
static int dt_assign_names(const void *fdt, struct rproc_dt *dt, const int *offsets,
			   struct rproc_error *err)
{
	_cleanup_free_ bool *assigned = NULL;
	_cleanup_free_ bool *explicit_name = NULL;
	_cleanup_free_ char (*cand)[RPROC_NAME_MAX] = NULL;
	_cleanup_free_ struct dt_label *aliases = NULL, *symbols = NULL;
	size_t n_aliases, n_symbols;

	if (!dt->n)
		return 0;
	assigned = calloc(dt->n, sizeof(*assigned));
	explicit_name = calloc(dt->n, sizeof(*explicit_name));
	cand = calloc(dt->n, sizeof(*cand));
	if (!assigned || !explicit_name || !cand ||
	    dt_labels(fdt, "/aliases", &aliases, &n_aliases) < 0 ||
	    dt_labels(fdt, "/__symbols__", &symbols, &n_symbols) < 0)
		return rproc_err(err, -ENOMEM, "out of memory");

	for (size_t i = 0; i < dt->n; i++) {
		explicit_name[i] = dt_find_label(aliases, n_aliases, offsets[i], cand[i]) ||
				   dt_find_label(symbols, n_symbols, offsets[i], cand[i]);
		if (!explicit_name[i])
			dt_name_from_compatible(dt->rprocs[i].compatible, cand[i]);
	}
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < dt->n; i++)
			if (explicit_name[i] == (pass == 0))
				dt_assign_name(dt, assigned, i, cand[i]);
	return 0;
}

/* ---- one PAS node -------------------------------------------------------------------------- */

/*
 * If @node is a PAS remote processor, return 1 with the most specific "*-pas" entry in
 * @compat and the SoC data of the first compatible entry the table knows (the entry
 * of_match_device() would pick).  0 if not a PAS node.
 */
static int dt_match_pas(const void *fdt, int node, char *compat, size_t clen,
			const struct rproc_soc_data **soc, struct rproc_error *err)
{
	const char *list;
	int len, pos = 0;
	bool found = false;

	*soc = NULL;
	list = fdt_getprop(fdt, node, "compatible", &len);
	if (!list || len <= 0)
		return 0;
	if (list[len - 1] != '\0') {
		char path[256] = "?";

		if (!memmem(list, (size_t)len, "-pas", 4))
			return 0; /* not ours to judge */
		fdt_get_path(fdt, node, path, sizeof(path));
		return dt_bad(err, path, "compatible", "not a NUL-terminated string list");
	}
	while (pos < len) {
		const char *s = list + pos;
		size_t l = strlen(s);

		if (!*soc)
			*soc = rproc_soc_lookup(s);
		if (!found && l >= 4 && !strcmp(s + l - 4, "-pas")) {
			if (l >= clen) {
				char path[256] = "?";

				fdt_get_path(fdt, node, path, sizeof(path));
				return dt_bad(err, path, "compatible",
					      "entry \"%.40s...\" longer than %zu bytes", s, clen - 1);
			}
			memcpy(compat, s, l + 1);
			found = true;
		}
		pos += (int)l + 1;
	}
	if (!found)
		*soc = NULL;
	return found;
}

static int dt_read_rproc(const void *fdt, int node, int resmem, struct rproc_dt_rproc *r,
			 struct rproc_error *err)
{
	const char *status;
	const fdt32_t *reg;
	int len, ret;

	/* status first: whether the node is enabled says how loud its other problems are */
	status = fdt_getprop(fdt, node, "status", &len);
	if (status && dt_strlist_ok(status, len)) {
		snprintf(r->status, sizeof(r->status), "%s", status);
		r->enabled = !strcmp(status, "okay") || !strcmp(status, "ok");
	} else if (!status) {
		strcpy(r->status, "okay");
		r->enabled = true;
	}
	ret = fdt_get_path(fdt, node, r->node, sizeof(r->node));
	if (ret < 0) {
		const char *name = fdt_get_name(fdt, node, NULL);

		snprintf(r->node, sizeof(r->node), ".../%s", name ? name : "?");
		return rproc_err(err, -ENAMETOOLONG, "device tree node path longer than %zu bytes",
				 sizeof(r->node) - 1);
	}
	if (status && !dt_strlist_ok(status, len))
		return dt_bad(err, r->node, "status", "not a string");

	reg = fdt_getprop(fdt, node, "reg", &len);
	if (reg && len == 0)
		return dt_bad(err, r->node, "reg", "empty");
	ret = dt_device_name(fdt, node, r->node, r->device, sizeof(r->device), err);
	if (ret < 0)
		return ret;

	ret = dt_read_strlist(fdt, node, r->node, "firmware-name", &r->firmware[0][0],
			      sizeof(r->firmware[0]), RPROC_DT_MAX_FW, &r->n_firmware, err);
	if (ret < 0)
		return ret;
	ret = dt_read_regions(fdt, node, resmem, r, err);
	if (ret < 0)
		return ret;
	ret = dt_read_iommus(fdt, node, r, err);
	if (ret < 0)
		return ret;
	ret = dt_read_strlist(fdt, node, r->node, "interrupt-names", &r->irq_names[0][0],
			      sizeof(r->irq_names[0]), RPROC_DT_MAX_IRQS, &r->n_irqs, err);
	if (ret < 0)
		return ret;
	ret = dt_read_strlist(fdt, node, r->node, "qcom,smem-state-names",
			      &r->smem_state_names[0][0], sizeof(r->smem_state_names[0]),
			      RPROC_DT_MAX_STATES, &r->n_smem_states, err);
	if (ret < 0)
		return ret;
	return dt_read_devmem(fdt, node, r, err);
}

/*
 * A problem of one node (a property it cannot be used with, a carveout that overlaps another):
 * the entry stays, so that the core is listed with the reason, and rproc_desc_from_dt()
 * refuses it.  The first problem found is the one kept.
 */
static void dt_node_failed(const void *fdt, int node, struct rproc_dt_rproc *r,
			   const struct rproc_error *e)
{
	if (r->error)
		return;
	if (!r->node[0] && fdt_get_path(fdt, node, r->node, sizeof(r->node)) < 0)
		snprintf(r->node, sizeof(r->node), "?");
	r->error = e->code < 0 ? e->code : -EINVAL;
	snprintf(r->error_msg, sizeof(r->error_msg), "%s", e->msg[0] ? e->msg : "invalid node");
}

/* ---- carveouts against everything else reserved ------------------------------------------ */

struct dt_region {
	char node[256];
	uint64_t base, size;
};

/*
 * Every fixed region of /reserved-memory that the kernel reserves (status okay): what no
 * carveout may overlap but its own.  Entries this parser cannot read (no reg, odd cells) are
 * left out: only carveouts are held to the strict rules.
 */
static int dt_reserved_regions(const void *fdt, int resmem, struct dt_region **out, size_t *n)
{
	_cleanup_free_ struct dt_region *v = NULL;
	size_t cap = 0;
	int ac, sc, child;

	*n = 0;
	if (resmem < 0)
		goto done;
	ac = fdt_address_cells(fdt, resmem);
	sc = fdt_size_cells(fdt, resmem);
	if (ac <= 0 || sc <= 0)
		goto done;
	fdt_for_each_subnode(child, fdt, resmem) {
		int len, slen, entry = (ac + sc) * 4;
		const char *status = fdt_getprop(fdt, child, "status", &slen);
		const fdt32_t *reg;

		if (status && (!dt_strlist_ok(status, slen) ||
			       (strcmp(status, "okay") && strcmp(status, "ok"))))
			continue;
		reg = fdt_getprop(fdt, child, "reg", &len);
		if (!reg || len < entry)
			continue;
		for (int o = 0; o + entry <= len; o += entry, reg += ac + sc) {
			uint64_t base, size, end;

			if (!dt_number_fits(reg, ac) || !dt_number_fits(reg + ac, sc))
				continue;
			base = dt_read_number(reg, ac);
			size = dt_read_number(reg + ac, sc);
			if (!size || add_overflows(base, size, &end))
				continue;
			if (*n == cap) {
				size_t ncap = cap ? cap * 2 : 32;
				struct dt_region *nv = reallocarray(v, ncap, sizeof(*nv));

				if (!nv)
					return -ENOMEM;
				v = nv;
				cap = ncap;
			}
			if (fdt_get_path(fdt, child, v[*n].node, sizeof(v[*n].node)) < 0)
				continue;
			v[*n].base = base;
			v[*n].size = size;
			(*n)++;
		}
	}
done:
	*out = TAKE_PTR(v);
	return 0;
}

static void dt_conflict(struct rproc_dt_rproc *r, const char *fmt, ...) _printf_(2, 3);
static void dt_conflict(struct rproc_dt_rproc *r, const char *fmt, ...)
{
	va_list ap;

	if (r->error)
		return;
	r->error = -EADDRINUSE;
	va_start(ap, fmt);
	vsnprintf(r->error_msg, sizeof(r->error_msg), fmt, ap);
	va_end(ap);
}

#define RANGE_FMT "[0x%llx, +0x%llx)"
#define RANGE(c) (unsigned long long)(c)->base, (unsigned long long)(c)->size

/*
 * Two cores booted into one carveout, or a carveout over SMEM or another reserved region,
 * overwrite each other's memory (and TrustZone locks the carveout while a core runs): every
 * carveout of an enabled core is checked against every other reserved-memory region and
 * every other enabled core's carveouts, and each core involved is refused with a message
 * naming both nodes.  Disabled cores claim nothing, but their regions stay reserved.
 */
static int dt_check_carveouts(const void *fdt, struct rproc_dt *dt, int resmem,
			      struct rproc_error *err)
{
	_cleanup_free_ struct dt_region *res = NULL;
	_cleanup_free_ bool *usable = NULL;
	size_t n_res = 0;

	usable = calloc(dt->n ? dt->n : 1, sizeof(*usable));
	if (!usable || dt_reserved_regions(fdt, resmem, &res, &n_res) < 0)
		return rproc_err(err, -ENOMEM, "out of memory");
	/* before any conflict is recorded: a conflict refuses both cores, not only the first */
	for (size_t i = 0; i < dt->n; i++)
		usable[i] = dt->rprocs[i].enabled && !dt->rprocs[i].error;
	for (size_t i = 0; i < dt->n; i++) {
		struct rproc_dt_rproc *a = &dt->rprocs[i];

		for (unsigned int k = 0; usable[i] && k < a->n_carveouts; k++) {
			const struct rproc_dt_carveout *ca = &a->carveouts[k];

			for (size_t j = 0; j < dt->n; j++) {
				const struct rproc_dt_rproc *b = &dt->rprocs[j];

				for (unsigned int l = 0; j != i && usable[j] && l < b->n_carveouts;
				     l++) {
					const struct rproc_dt_carveout *cb = &b->carveouts[l];

					if (!strcmp(ca->node, cb->node))
						dt_conflict(a, "carveout %s is also the carveout of %s "
							    "(%s): both cores would boot into the same "
							    "memory", ca->node, b->node, b->name);
					else if (ranges_overlap(ca->base, ca->size, cb->base, cb->size))
						dt_conflict(a, "carveout %s " RANGE_FMT " overlaps "
							    "carveout %s " RANGE_FMT " of %s (%s): both "
							    "cores would boot into the same memory",
							    ca->node, RANGE(ca), cb->node, RANGE(cb),
							    b->node, b->name);
				}
			}
			for (unsigned int l = k + 1; l < a->n_carveouts; l++) {
				const struct rproc_dt_carveout *cb = &a->carveouts[l];

				if (!strcmp(ca->node, cb->node) ||
				    ranges_overlap(ca->base, ca->size, cb->base, cb->size))
					dt_conflict(a, "memory-region entries %u (%s) and %u (%s) "
						    "overlap: the two images would overwrite each "
						    "other", k, ca->node, l, cb->node);
			}
			for (size_t j = 0; j < n_res; j++)
				if (strcmp(res[j].node, ca->node) &&
				    ranges_overlap(ca->base, ca->size, res[j].base, res[j].size))
					dt_conflict(a, "carveout %s " RANGE_FMT " overlaps the "
						    "reserved-memory region %s " RANGE_FMT ": the "
						    "core would overwrite it", ca->node, RANGE(ca),
						    res[j].node, RANGE(&res[j]));
		}
	}
	return 0;
}

/* ---- the whole tree ------------------------------------------------------------------------ */

static int dt_check_blob(const void *blob, size_t len, struct rproc_error *err)
{
	int ret;

	if (!blob || len < sizeof(struct fdt_header))
		return rproc_err(err, -EINVAL,
				 "device tree blob too short (%zu bytes): not a flattened device tree",
				 blob ? len : 0);
	if (fdt_magic(blob) != FDT_MAGIC)
		return rproc_err(err, -EINVAL,
				 "not a flattened device tree (magic 0x%08x, expected 0x%08x)",
				 fdt_magic(blob), FDT_MAGIC);
	ret = fdt_check_header(blob);
	if (ret)
		return rproc_err(err, -EINVAL, "device tree header invalid: %s", fdt_strerror(ret));
	/*
	 * Versions before 16 (full paths as node names, no size_dt_struct) are pre-2005 and not
	 * what any kernel or dtc emits today; libfdt 1.6.1's fdt_check_full() dereferences NULL
	 * on some of them (found by tests/fuzz/fuzz-dt), so they are refused up front.
	 */
	if (fdt_version(blob) < 16)
		return rproc_err(err, -EINVAL,
				 "device tree version %u is not supported (16 or later needed)",
				 fdt_version(blob));
	if (fdt_totalsize(blob) > len)
		return rproc_err(err, -EINVAL,
				 "device tree truncated: its header says %u bytes, only %zu present",
				 fdt_totalsize(blob), len);
	return 0;
}

static int dt_copy_root_string(const void *fdt, const char *prop, char *out, size_t outlen,
			       struct rproc_error *err)
{
	const char *p;
	int len;

	p = fdt_getprop(fdt, 0, prop, &len);
	if (!p)
		return 0;
	if (!dt_strlist_ok(p, len))
		return dt_bad(err, "/", prop, "not a NUL-terminated string");
	snprintf(out, outlen, "%s", p);
	return 0;
}

void rproc_dt_free(struct rproc_dt *dt)
{
	if (!dt)
		return;
	for (size_t i = 0; i < dt->n; i++)
		free(dt->rprocs[i].devmem);
	free(dt->rprocs);
	free(dt);
}

static inline void rproc_dt_freep(struct rproc_dt **dt)
{
	rproc_dt_free(*dt);
}

int rproc_dt_parse(const void *blob, size_t len, struct rproc_dt **out, struct rproc_error *err)
{
	_cleanup_(rproc_dt_freep) struct rproc_dt *dt = NULL;
	_cleanup_free_ int *offsets = NULL;
	size_t cap = 0;
	int ret, node, depth = 0, resmem;

	*out = NULL;
	ret = dt_check_blob(blob, len, err);
	if (ret < 0)
		return ret;
	ret = fdt_check_full(blob, len);
	if (ret)
		return rproc_err(err, -EINVAL, "device tree structure invalid: %s",
				 fdt_strerror(ret));

	dt = calloc(1, sizeof(*dt));
	if (!dt)
		return rproc_err(err, -ENOMEM, "out of memory");
	ret = dt_copy_root_string(blob, "model", dt->model, sizeof(dt->model), err);
	if (ret < 0)
		return ret;
	ret = dt_copy_root_string(blob, "compatible", dt->soc_compatible,
				  sizeof(dt->soc_compatible), err);
	if (ret < 0)
		return ret;
	resmem = fdt_path_offset(blob, "/reserved-memory");

	for (node = fdt_next_node(blob, -1, &depth); node >= 0;
	     node = fdt_next_node(blob, node, &depth)) {
		char compat[sizeof(dt->rprocs[0].compatible)];
		const struct rproc_soc_data *soc;
		struct rproc_dt_rproc *r;

		struct rproc_error node_err = { 0 };

		ret = dt_match_pas(blob, node, compat, sizeof(compat), &soc, &node_err);
		if (!ret)
			continue;
		if (ret < 0)
			compat[0] = 0; /* a node of its own, unusable (dt_node_failed() below) */
		if (dt->n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct rproc_dt_rproc *nr;
			int *no;

			nr = reallocarray(dt->rprocs, ncap, sizeof(*nr));
			if (!nr)
				return rproc_err(err, -ENOMEM, "out of memory");
			dt->rprocs = nr;
			no = reallocarray(offsets, ncap, sizeof(*no));
			if (!no)
				return rproc_err(err, -ENOMEM, "out of memory");
			offsets = no;
			cap = ncap;
		}
		r = &dt->rprocs[dt->n];
		memset(r, 0, sizeof(*r));
		offsets[dt->n] = node;
		dt->n++;
		memcpy(r->compatible, compat, sizeof(r->compatible));
		r->soc = soc;
		if (!node_err.code && dt_read_rproc(blob, node, resmem, r, &node_err) == -ENOMEM)
			return rproc_err(err, -ENOMEM, "out of memory");
		if (node_err.code)
			dt_node_failed(blob, node, r, &node_err);
	}
	if (node != -FDT_ERR_NOTFOUND)
		return rproc_err(err, -EINVAL, "device tree structure invalid: %s",
				 fdt_strerror(node));

	ret = dt_assign_names(blob, dt, offsets, err);
	if (ret < 0)
		return ret;
	ret = dt_check_carveouts(blob, dt, resmem, err);
	if (ret < 0)
		return ret;
	*out = TAKE_PTR(dt);
	return 0;
}

const struct rproc_dt_rproc *rproc_dt_find(const struct rproc_dt *dt, const char *name)
{
	if (!dt || !name)
		return NULL;
	for (size_t i = 0; i < dt->n; i++)
		if (!strcmp(dt->rprocs[i].name, name))
			return &dt->rprocs[i];
	return NULL;
}

/* ---- file input ---------------------------------------------------------------------------- */

/* read() until @n bytes or the end of the file; the count read, or -errno. */
static ssize_t dt_read_upto(int fd, uint8_t *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = read(fd, buf + done, n - done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		done += (size_t)r;
	}
	return (ssize_t)done;
}

/*
 * The header says how long the tree is: read that much and no more, whatever the file's size
 * (sysfs reports 0 or 4096 for /sys/firmware/fdt, a hostile file may be endless).
 */
int rproc_dt_read_file(const char *path, void **blob, size_t *len, struct rproc_error *err)
{
	const char *p = path ? path : RPROC_DT_LIVE;
	_cleanup_close_ int fd = -1;
	_cleanup_free_ uint8_t *buf = NULL;
	struct fdt_header hdr;
	struct stat st;
	uint32_t total;
	ssize_t n;
	int ret;

	*blob = NULL;
	*len = 0;
	fd = open_regular(p, 0, &st);
	if (fd == -EISDIR)
		return rproc_err(err, -EISDIR, "%s is a directory, not a DTB file", p);
	if (fd == -EBADFD)
		return rproc_err(err, -EINVAL, "%s is %s, not a DTB file", p,
				 file_type_name(st.st_mode));
	if (fd < 0) {
		int e = -fd;

		if (e == ENOENT && !path)
			return rproc_err(err, -ENOENT,
					 "%s does not exist: this kernel does not expose the device "
					 "tree it booted with (not a device-tree system?); use a DTB "
					 "file instead", p);
		if (e == ENOENT)
			return rproc_err(err, -ENOENT, "%s: no such file", p);
		if (e == EACCES || e == EPERM)
			return rproc_err(err, -e, "%s: permission denied (%s)", p,
					 path ? "check the file's permissions, or run as root"
					      : "the live device tree is readable by root only: "
						"run as root");
		return rproc_err(err, -e, "%s: cannot open: %s", p, strerror(e));
	}

	n = dt_read_upto(fd, (uint8_t *)&hdr, sizeof(hdr));
	if (n < 0)
		return rproc_err(err, (int)n, "%s: read failed: %s", p, strerror((int)-n));
	if ((size_t)n < sizeof(hdr) || fdt_magic(&hdr) != FDT_MAGIC)
		/* the whole-blob check says why, in the words it uses for a buffer */
		return rproc_err_prefix(err, dt_check_blob(&hdr, (size_t)n, err), "%s", p);
	total = fdt_totalsize(&hdr);
	if (total > DT_MAX_FILE_SIZE)
		return rproc_err(err, -EFBIG, "%s: the header says %u bytes, too large for a device "
				 "tree (at most %u)", p, total, DT_MAX_FILE_SIZE);
	if (total < sizeof(hdr))
		return rproc_err(err, -EINVAL, "%s: the header says %u bytes, less than the header "
				 "itself", p, total);

	buf = malloc(total);
	if (!buf)
		return rproc_err(err, -ENOMEM, "out of memory");
	memcpy(buf, &hdr, sizeof(hdr));
	n = dt_read_upto(fd, buf + sizeof(hdr), total - sizeof(hdr));
	if (n < 0)
		return rproc_err(err, (int)n, "%s: read failed: %s", p, strerror((int)-n));

	ret = dt_check_blob(buf, sizeof(hdr) + (size_t)n, err);
	if (ret < 0)
		return rproc_err_prefix(err, ret, "%s", p);
	*blob = TAKE_PTR(buf);
	*len = total;
	return 0;
}
