// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check-run.h"
#include "rproc/check.h"
#include "util.h"
#include "conf.h"
#include "json-util.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct rproc_check_report *, rproc_check_report_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct rproc_dt *, rproc_dt_free)

static const char *firmware_override(void *userdata, const char *core)
{
	const struct conf_rproc *cr = conf_rproc_find(userdata, core);

	return cr ? cr->firmware : NULL;
}

static const char *vfio_device_override(void *userdata, const char *core)
{
	const struct conf_rproc *cr = conf_rproc_find(userdata, core);

	return cr && cr->vfio_device[0] ? cr->vfio_device : NULL;
}

static void print_line(const struct rproc_check_line *l, bool tty)
{
	static const char *const color[] = { "\033[0;32m", "\033[0;33m", "\033[0;1;31m" };
	const char *on = tty ? color[l->level] : "", *off = tty ? "\033[0m" : "";

	printf("%s%-4s%s %s: %s\n", on, rproc_check_level_name(l->level), off, l->subject,
	       l->message);
	if (l->fix[0])
		printf("     fix: %s\n", l->fix);
}

/* rprocctl check --json: the same report as one document (rprocctl(1), JSON OUTPUT). */
static int print_json(const struct rproc_check_report *rep, bool has_dt, bool pretty)
{
	_cleanup_(json_object_putp) json_object *o = json_object_new_object();
	json_object *a, *c;

	if (!o || ju_add(o, "checks", a = json_object_new_array()) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < rep->n_lines; i++) {
		const struct rproc_check_line *l = &rep->lines[i];

		if (ju_append(a, c = json_object_new_object()) < 0 ||
		    ju_add_str(c, "result", rproc_check_level_name(l->level)) < 0 ||
		    ju_add_str(c, "subject", l->subject) < 0 ||
		    ju_add_str(c, "message", l->message) < 0 ||
		    ju_add_str(c, "fix", l->fix[0] ? l->fix : NULL) < 0)
			return -ENOMEM;
	}
	if (ju_add(o, "rprocs", a = json_object_new_array()) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < rep->n_cores; i++) {
		const struct rproc_check_core *k = &rep->cores[i];

		if (ju_append(a, c = json_object_new_object()) < 0 ||
		    ju_add_str(c, "name", k->name) < 0 || ju_add_bool(c, "enabled", k->enabled) < 0 ||
		    ju_add_bool(c, "startable", k->startable) < 0 ||
		    ju_add_str(c, "backend", k->backend[0] ? k->backend : NULL) < 0)
			return -ENOMEM;
	}
	if (ju_add_u64(o, "failed", rep->n_fail) < 0 || ju_add_u64(o, "warnings", rep->n_warn) < 0 ||
	    ju_add_bool(o, "all_startable", rep->all_startable && has_dt) < 0)
		return -ENOMEM;
	return ju_print(stdout, o, pretty);
}

int check_run(const char *config, const char *dtb, char *const *fw_dirs, size_t n_fw_dirs,
	      int json)
{
	_cleanup_(conf_done) struct conf c;
	_cleanup_(rproc_check_report_freep) struct rproc_check_report *rep = NULL;
	_cleanup_(rproc_dt_freep) struct rproc_dt *dt = NULL;
	_cleanup_free_ void *blob = NULL;
	_cleanup_free_ const char **dirs = NULL;
	struct rproc_error err = { 0 };
	bool tty = isatty(STDOUT_FILENO), conf_failed = false;
	size_t len = 0;
	int r;

	if (conf_load(&c, config, "", NULL, NULL) < 0) {
		/* said as a failed check; the rest is checked with the defaults */
		if (json)
			fprintf(stderr, "check: configuration: %s\n", c.error);
		else
			printf("%-4s %s: cannot read %s\n     fix: %s\n", "fail", "config", c.error,
			       "make it a readable text file of at most 1 MiB, or remove it");
		conf_failed = true;
		conf_done(&c);
		conf_init(&c);
	}
	r = rproc_dt_read_file(dtb, &blob, &len, &err);
	if (r >= 0)
		r = rproc_dt_parse(blob, len, &dt, &err);
	if (r < 0 && json)
		fprintf(stderr, "check: devicetree: %s\n", err.msg);
	else if (r < 0)
		printf("%-4s %s: %s\n     fix: %s\n", "fail", "devicetree", err.msg,
		       "boot with a device tree, or give one with --dtb FILE");

	size_t n = n_fw_dirs + c.n_firmware_path;
	dirs = calloc(n ? n : 1, sizeof(*dirs));
	if (!dirs)
		return 1;
	for (size_t i = 0; i < n_fw_dirs; i++)
		dirs[i] = fw_dirs[i];
	for (size_t i = 0; i < c.n_firmware_path; i++)
		dirs[n_fw_dirs + i] = c.firmware_path[i];
	struct rproc_fw_search search = { .dirs = dirs, .n_dirs = n };
	struct rproc_check_config cc = {
		.iommu = c.iommu == CONF_IOMMU_IOMMUFD     ? RPROC_REAL_IOMMU_IOMMUFD :
			 c.iommu == CONF_IOMMU_VFIO_TYPE1 ? RPROC_REAL_IOMMU_TYPE1 :
							    RPROC_REAL_IOMMU_AUTO,
		.search = &search,
		/* rprocd may be running and own the devices: do not claim them. */
		.open_contexts = false,
		.firmware_override = firmware_override,
		.vfio_device_override = vfio_device_override,
		.userdata = &c,
	};

	r = rproc_check_run(&cc, dt, &rep);
	if (r < 0) {
		fprintf(stderr, "check: %s\n", strerror(-r));
		return 1;
	}
	if (json)
		return print_json(rep, dt && !conf_failed, json > 1) < 0 ||
				       !(rep->all_startable && dt && !conf_failed) ?
			       1 :
			       0;
	for (size_t i = 0; i < rep->n_lines; i++)
		print_line(&rep->lines[i], tty);
	printf("\n");
	for (size_t i = 0; i < rep->n_cores; i++) {
		const struct rproc_check_core *k = &rep->cores[i];
		printf("%-8s %s (%s)\n", k->name,
		       !k->enabled ? "disabled" : k->startable ? "can start" : "cannot start",
		       k->backend);
	}
	printf("\n%zu failed, %zu warnings: %s\n", rep->n_fail, rep->n_warn,
	       rep->all_startable && dt && !conf_failed ? "every enabled core can start" :
					  "some enabled cores cannot start");
	return rep->all_startable && dt && !conf_failed ? 0 : 1;
}
