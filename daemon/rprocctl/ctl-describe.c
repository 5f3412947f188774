// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rprocctl describe [--dtb FILE] [--json]: every PAS remote processor of a device tree, with
 * what rprocd would do with it (PAS ids from the SoC table, firmware, carveouts, streams).
 * Offline: reads the tree itself (the live one by default), needs no daemon.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rproc/backend.h"
#include "ctl.h"
#include "rproc/dt.h"
#include "util.h"
#include "json-util.h"

struct describe_opts {
	const char *dtb; /* NULL: the live tree */
	enum ctl_json json;
};

static void describe_usage(FILE *f)
{
	fprintf(f,
		"Usage: rprocctl describe [--dtb FILE] [--json]\n"
		"\n"
		"List every PAS remote processor (\"*-pas\" compatible) of a device tree: name,\n"
		"node, platform device, PAS ids, firmware, carveouts, IOMMU streams, interrupts.\n"
		"\n"
		"  -d, --dtb FILE     read FILE instead of the running system's tree\n"
		"                     (%s)\n"
		"  -j, --json[=MODE]  one JSON object {\"source\", \"model\", \"compatible\",\n"
		"                     \"rprocs\": [...]}: pretty, short (one line) or off;\n"
		"                     plain --json: pretty on a terminal, else short\n"
		"  -h, --help         show this help\n",
		RPROC_DT_LIVE);
}

/* The firmware list rprocd would use without configuration: the DT's, else the driver's. */
static unsigned int effective_firmware(const struct rproc_dt_rproc *r, const char *out[],
				       bool *from_dt)
{
	unsigned int n = 0;

	*from_dt = r->n_firmware > 0;
	if (*from_dt) {
		for (unsigned int i = 0; i < r->n_firmware; i++)
			out[n++] = r->firmware[i];
		return n;
	}
	if (r->soc) {
		out[n++] = r->soc->firmware;
		if (r->soc->dtb_firmware)
			out[n++] = r->soc->dtb_firmware;
	}
	return n;
}

static const char *devmem_flags(uint32_t flags, char *buf, size_t len)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} bits[] = {
		{ RPROC_IOMMU_READ, "R" },      { RPROC_IOMMU_WRITE, "W" },
		{ RPROC_IOMMU_CACHE, "cache" }, { RPROC_IOMMU_NOEXEC, "noexec" },
		{ RPROC_IOMMU_MMIO, "mmio" },   { RPROC_IOMMU_PRIV, "priv" },
	};
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		if (!(flags & bits[i].bit))
			continue;
		/* "RW" reads better than "R,W"; everything else is comma-separated. */
		o += (size_t)snprintf(buf + o, len - o, "%s%s",
				      o && !(bits[i].bit == RPROC_IOMMU_WRITE &&
					     (flags & RPROC_IOMMU_READ))
					      ? ","
					      : "",
				      bits[i].name);
		if (o >= len)
			break;
	}
	return buf;
}

static const char *human_size(uint64_t v, char *buf, size_t len)
{
	if (v >= (1ull << 30) && !(v & ((1ull << 30) - 1)))
		snprintf(buf, len, "%llu GiB", (unsigned long long)(v >> 30));
	else if (v >= (1ull << 20) && !(v & ((1ull << 20) - 1)))
		snprintf(buf, len, "%llu MiB", (unsigned long long)(v >> 20));
	else if (v >= (1ull << 10) && !(v & ((1ull << 10) - 1)))
		snprintf(buf, len, "%llu KiB", (unsigned long long)(v >> 10));
	else
		snprintf(buf, len, "%llu bytes", (unsigned long long)v);
	return buf;
}

/*
 * Problems rprocd would hit starting this core (no PAS id, no carveout, ...) as warnings.
 * Disabled nodes are often incomplete on purpose (the board fills them in): for them only an
 * unknown compatible is worth saying.
 */
static void warn_desc(const struct rproc_dt_rproc *r)
{
	struct rproc_error err = { 0 };
	struct rproc_desc d;

	if (r->error) {
		fprintf(stderr, "rprocctl describe: warning: %s: %s: %s\n", r->name,
			r->enabled ? "cannot be used" : "disabled, and its node is broken too",
			r->error_msg);
		return;
	}
	if (!r->enabled) {
		if (!r->soc)
			fprintf(stderr,
				"rprocctl describe: warning: %s: no PAS id known for %s (node is "
				"disabled); set PasId= in the [%s] section of rprocd.conf\n",
				r->name, r->compatible, r->name);
		return;
	}
	if (rproc_desc_from_dt(r, -1, NULL, &d, &err) < 0) {
		fprintf(stderr, "rprocctl describe: warning: %s: %s\n", r->name, err.msg);
		return;
	}
	rproc_desc_clear(&d);
}

/* ---- human output -------------------------------------------------------------------------- */

#define LABEL "  %-16s"

static void print_rproc(const struct rproc_dt_rproc *r)
{
	const char *fw[RPROC_DT_MAX_FW + 1];
	char b1[32], b2[64];
	unsigned int nfw;
	bool fw_dt, show_status;

	printf("%s\n", r->name);
	/* The status string only when it says more than enabled/disabled ("fail", "reserved"). */
	show_status = strcmp(r->status, "okay") && strcmp(r->status, "ok") &&
		      strcmp(r->status, "disabled");
	printf(LABEL "%s%s%s%s\n", "State:", r->enabled ? "enabled" : "disabled",
	       show_status ? " (status \"" : "", show_status ? r->status : "",
	       show_status ? "\")" : "");
	if (r->error)
		printf(LABEL "%s\n", "Error:", r->error_msg);
	printf(LABEL "%s", "Compatible:", r->compatible);
	if (r->soc && strcmp(r->soc->compatible, r->compatible))
		printf(" (SoC data of %s)", r->soc->compatible);
	printf("\n");
	printf(LABEL "%s\n", "Node:", r->node);
	printf(LABEL "%s\n", "Device:", r->device);
	if (r->soc) {
		printf(LABEL "%d\n", "PAS id:", r->soc->pas_id);
		if (r->soc->dtb_pas_id != RPROC_NO_ID)
			printf(LABEL "%d (0x%x)\n", "DTB PAS id:", r->soc->dtb_pas_id,
			       r->soc->dtb_pas_id);
		else
			printf(LABEL "none\n", "DTB PAS id:");
		if (r->soc->lite_pas_id != RPROC_NO_ID)
			printf(LABEL "%d (0x%x), shut down before loading\n", "Lite PAS id:",
			       r->soc->lite_pas_id, r->soc->lite_pas_id);
		printf(LABEL "crash reason SMEM %d", "Driver data:", r->soc->crash_reason_smem);
		if (r->soc->minidump_id != RPROC_NO_ID)
			printf(", minidump %d", r->soc->minidump_id);
		if (r->soc->load_state)
			printf(", load_state \"%s\"", r->soc->load_state);
		printf(", %s%s\n", r->soc->auto_boot ? "auto-boot" : "no auto-boot",
		       r->soc->decrypt_shutdown ? ", decrypt shutdown" : "");
	} else {
		printf(LABEL "unknown \u2014 set PasId= in rprocd.conf\n", "PAS id:");
		printf(LABEL "unknown\n", "DTB PAS id:");
	}

	nfw = effective_firmware(r, fw, &fw_dt);
	if (!nfw)
		printf(LABEL "none \u2014 set Firmware= in rprocd.conf\n", "Firmware:");
	for (unsigned int i = 0; i < nfw; i++)
		printf(LABEL "%s%s%s\n", i ? "" : "Firmware:", fw[i],
		       i == 1 && r->soc && r->soc->dtb_pas_id != RPROC_NO_ID ? " (DTB image)" : "",
		       fw_dt ? "" : " (driver default)");

	if (!r->n_carveouts)
		printf(LABEL "none\n", "Carveouts:");
	for (unsigned int i = 0; i < r->n_carveouts; i++) {
		const struct rproc_dt_carveout *c = &r->carveouts[i];

		printf(LABEL "base 0x%08llx size 0x%llx (%s)%s  %s\n", i ? "" : "Carveouts:",
		       (unsigned long long)c->base, (unsigned long long)c->size,
		       human_size(c->size, b1, sizeof(b1)), c->no_map ? " no-map" : " mapped",
		       c->node);
	}

	if (!r->n_iommus)
		printf(LABEL "none\n", "IOMMU streams:");
	for (unsigned int i = 0; i < r->n_iommus; i++) {
		const struct rproc_dt_iommu *io = &r->iommus[i];

		printf(LABEL "%s", i ? "" : "IOMMU streams:", io->smmu);
		if (io->ncells >= 1)
			printf(" sid 0x%x", io->sid);
		if (io->ncells >= 2)
			printf(" mask 0x%x", io->mask);
		for (uint32_t c = 2; c < io->ncells; c++)
			printf(" 0x%x", io->cells[c]);
		printf("\n");
	}

	printf(LABEL, "Interrupts:");
	if (!r->n_irqs)
		printf("none");
	for (unsigned int i = 0; i < r->n_irqs; i++)
		printf("%s%s", i ? " " : "", r->irq_names[i]);
	printf("\n");
	printf(LABEL, "SMEM states:");
	if (!r->n_smem_states)
		printf("none");
	for (unsigned int i = 0; i < r->n_smem_states; i++)
		printf("%s%s", i ? " " : "", r->smem_state_names[i]);
	printf("\n");

	if (!r->n_devmem) {
		printf(LABEL "none\n", "Devmem:");
		return;
	}
	printf(LABEL "%zu rows (qcom,devmem)\n", "Devmem:", r->n_devmem);
	for (size_t i = 0; i < r->n_devmem; i++) {
		const struct rproc_devmem *m = &r->devmem[i];

		printf(LABEL "da 0x%08llx  pa 0x%08llx  size 0x%06llx  %s\n", "",
		       (unsigned long long)m->da, (unsigned long long)m->pa,
		       (unsigned long long)m->len, devmem_flags(m->flags, b2, sizeof(b2)));
	}
}

static int print_human(const struct rproc_dt *dt, const char *source)
{
	printf("%-18s%s\n", "Device tree:", source);
	if (dt->model[0])
		printf("%-18s%s\n", "Model:", dt->model);
	if (dt->soc_compatible[0])
		printf("%-18s%s\n", "Compatible:", dt->soc_compatible);
	printf("%zu PAS remote processor%s\n", dt->n, dt->n == 1 ? "" : "s");
	for (size_t i = 0; i < dt->n; i++) {
		printf("\n");
		print_rproc(&dt->rprocs[i]);
	}
	return fflush(stdout) == EOF ? -errno : 0;
}

/* ---- JSON ---------------------------------------------------------------------------------- */

static json_object *json_rproc(const struct rproc_dt_rproc *r)
{
	_cleanup_(json_object_putp) json_object *o = json_object_new_object();
	json_object *a;
	const char *fw[RPROC_DT_MAX_FW + 1];
	unsigned int nfw;
	bool fw_dt;
	int ret = 0;

	if (!o)
		return NULL;
	ret |= ju_add_str(o, "name", r->name);
	ret |= ju_add_str(o, "compatible", r->compatible);
	ret |= ju_add_str(o, "soc_data", r->soc ? r->soc->compatible : NULL);
	ret |= ju_add_str(o, "node", r->node);
	ret |= ju_add_str(o, "device", r->device);
	ret |= ju_add_str(o, "status", r->status);
	ret |= ju_add_bool(o, "enabled", r->enabled);
	ret |= ju_add_str(o, "error", r->error ? r->error_msg : NULL);
	ret |= ju_add_id(o, "pas_id", r->soc ? r->soc->pas_id : RPROC_NO_ID);
	ret |= ju_add_id(o, "dtb_pas_id", r->soc ? r->soc->dtb_pas_id : RPROC_NO_ID);
	ret |= ju_add_id(o, "lite_pas_id", r->soc ? r->soc->lite_pas_id : RPROC_NO_ID);
	ret |= ju_add_id(o, "crash_reason_smem", r->soc ? r->soc->crash_reason_smem : RPROC_NO_ID);
	ret |= ju_add_id(o, "minidump_id", r->soc ? r->soc->minidump_id : RPROC_NO_ID);
	if (r->soc)
		ret |= ju_add_bool(o, "auto_boot", r->soc->auto_boot);
	else
		ret |= ju_add_str(o, "auto_boot", NULL); /* null: unknown */
	if (ret)
		return NULL;

	/* as rprocctl list has it: the main image's name; the DTB image's beside it */
	nfw = effective_firmware(r, fw, &fw_dt);
	if (ju_add_str(o, "firmware", nfw ? fw[0] : NULL) < 0 ||
	    ju_add_str(o, "dtb_firmware", nfw > 1 ? fw[1] : NULL) < 0 ||
	    ju_add_bool(o, "firmware_from_dt", fw_dt) < 0)
		return NULL;

	if (ju_add(o, "carveouts", a = json_object_new_array()) < 0)
		return NULL;
	for (unsigned int i = 0; i < r->n_carveouts; i++) {
		json_object *c = json_object_new_object();

		if (ju_append(a, c) < 0 || ju_add_str(c, "node", r->carveouts[i].node) < 0 ||
		    ju_add_u64(c, "base", r->carveouts[i].base) < 0 ||
		    ju_add_u64(c, "size", r->carveouts[i].size) < 0 ||
		    ju_add_bool(c, "no_map", r->carveouts[i].no_map) < 0)
			return NULL;
	}

	if (ju_add(o, "iommu_streams", a = json_object_new_array()) < 0)
		return NULL;
	for (unsigned int i = 0; i < r->n_iommus; i++) {
		const struct rproc_dt_iommu *io = &r->iommus[i];
		json_object *j = json_object_new_object(), *cells;

		if (ju_append(a, j) < 0 || ju_add_str(j, "smmu", io->smmu) < 0 ||
		    ju_add_u64(j, "sid", io->sid) < 0 || ju_add_u64(j, "mask", io->mask) < 0 ||
		    ju_add(j, "cells", cells = json_object_new_array()) < 0)
			return NULL;
		for (uint32_t c = 0; c < io->ncells; c++)
			if (ju_append(cells, json_object_new_uint64(io->cells[c])) < 0)
				return NULL;
	}

	if (ju_add(o, "interrupts", a = json_object_new_array()) < 0)
		return NULL;
	for (unsigned int i = 0; i < r->n_irqs; i++)
		if (ju_append(a, json_object_new_string(r->irq_names[i])) < 0)
			return NULL;
	if (ju_add(o, "smem_states", a = json_object_new_array()) < 0)
		return NULL;
	for (unsigned int i = 0; i < r->n_smem_states; i++)
		if (ju_append(a, json_object_new_string(r->smem_state_names[i])) < 0)
			return NULL;

	if (ju_add(o, "devmem", a = json_object_new_array()) < 0)
		return NULL;
	for (size_t i = 0; i < r->n_devmem; i++) {
		const struct rproc_devmem *m = &r->devmem[i];
		json_object *j = json_object_new_object();

		if (ju_append(a, j) < 0 || ju_add_u64(j, "da", m->da) < 0 ||
		    ju_add_u64(j, "pa", m->pa) < 0 || ju_add_u64(j, "size", m->len) < 0 ||
		    ju_add_u64(j, "flags", m->flags) < 0)
			return NULL;
	}
	return TAKE_PTR(o);
}

static int print_json(const struct rproc_dt *dt, const char *source, bool pretty)
{
	_cleanup_(json_object_putp) json_object *o = json_object_new_object();
	json_object *a;

	if (!o || ju_add_str(o, "source", source) < 0 ||
	    ju_add_str(o, "model", dt->model[0] ? dt->model : NULL) < 0 ||
	    ju_add_str(o, "compatible", dt->soc_compatible[0] ? dt->soc_compatible : NULL) < 0 ||
	    ju_add(o, "rprocs", a = json_object_new_array()) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < dt->n; i++)
		if (ju_append(a, json_rproc(&dt->rprocs[i])) < 0)
			return -ENOMEM;
	return ju_print(stdout, o, pretty);
}

/* ---- command ------------------------------------------------------------------------------- */

static int exit_for(int err)
{
	switch (err) {
	case -ENOENT:
	case -ENOTDIR:
		return CTL_EXIT_NOT_FOUND;
	case -EACCES:
	case -EPERM:
		return CTL_EXIT_PERMISSION;
	default:
		return CTL_EXIT_FAILURE;
	}
}

static int parse_args(int argc, char **argv, struct describe_opts *o)
{
	static const struct option longopts[] = {
		{ "dtb", required_argument, NULL, 'd' },
		{ "json", optional_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c, r;

	optind = 0; /* glibc: full re-initialisation, argv[0] is the subcommand */
	while ((c = getopt_long(argc, argv, "d:jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->dtb = optarg;
			break;
		case 'j':
		case 'J':
			r = ctl_parse_json(c == 'j' ? NULL : optarg, &o->json);
			if (r <= 0)
				return r < 0 ? -EINVAL : 1;
			break;
		case 'h':
			describe_usage(stdout);
			return 1;
		default:
			describe_usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "rprocctl describe: unexpected argument '%s'\n", argv[optind]);
		describe_usage(stderr);
		return -EINVAL;
	}
	return 0;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(struct rproc_dt *, rproc_dt_free)

int ctl_describe(int argc, char **argv)
{
	struct describe_opts o = { 0 };
	struct rproc_error err = { 0 };
	_cleanup_(rproc_dt_freep) struct rproc_dt *dt = NULL;
	_cleanup_free_ void *blob = NULL;
	size_t len;
	int ret;

	ret = parse_args(argc, argv, &o);
	if (ret)
		return ret > 0 ? CTL_EXIT_OK : CTL_EXIT_USAGE;

	ret = rproc_dt_read_file(o.dtb, &blob, &len, &err);
	if (ret < 0) {
		fprintf(stderr, "rprocctl describe: %s\n", err.msg);
		return exit_for(ret);
	}
	ret = rproc_dt_parse(blob, len, &dt, &err);
	if (ret < 0) {
		fprintf(stderr, "rprocctl describe: %s: %s\n", o.dtb ? o.dtb : RPROC_DT_LIVE,
			err.msg);
		return exit_for(ret);
	}

	for (size_t i = 0; i < dt->n; i++)
		warn_desc(&dt->rprocs[i]);
	if (!dt->n)
		fprintf(stderr, "rprocctl describe: warning: no PAS remote processor (no node with a "
				"\"*-pas\" compatible) in %s\n",
			o.dtb ? o.dtb : RPROC_DT_LIVE);

	ret = o.json ? print_json(dt, o.dtb ? o.dtb : RPROC_DT_LIVE, o.json == CTL_JSON_PRETTY)
		     : print_human(dt, o.dtb ? o.dtb : RPROC_DT_LIVE);
	if (ret < 0) {
		fprintf(stderr, "rprocctl describe: writing the output failed: %s\n",
			strerror(-ret));
		return CTL_EXIT_FAILURE;
	}
	return CTL_EXIT_OK;
}
