// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The `--check` self-test.  Reads sysfs and /dev (under configurable roots, for tests),
 * opens the shim, asks libudev about each device; changes nothing unless open_contexts is set
 * (then it attaches each device to an IOMMU domain and detaches it again).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices.h"
#include "shim.h"
#include "string-table.h"
#include "vfio.h"
#include "rproc/check.h"
#include "rproc/qcom-scm-shim.h"

/* arm-smmu software MSI window, reserved in every domain (doc/iommu.md#msi-window). */
#define MSI_IOVA_BASE 0x08000000ull
#define MSI_IOVA_LENGTH 0x00100000ull

static const char *const check_level_table[] = {
	[RPROC_CHECK_OK] = "ok",
	[RPROC_CHECK_WARN] = "warn",
	[RPROC_CHECK_FAIL] = "fail",
};
DEFINE_STRING_TABLE_LOOKUP_TO_STRING_STATIC(check_level, enum rproc_check_level);

const char *rproc_check_level_name(enum rproc_check_level l)
{
	return check_level_to_string(l) ?: "fail";
}

struct ctx {
	const struct rproc_check_config *cfg;
	struct rproc_check_report *rep;
	int oom;
	char sysfs[PATH_MAX], dev[PATH_MAX];
	bool have_type1, have_iommufd, have_cdev;
	struct rproc_shim *shim;
};

static void line(struct ctx *c, enum rproc_check_level lvl, const char *subject, const char *fix,
		 const char *fmt, ...) _printf_(5, 6);

static void line(struct ctx *c, enum rproc_check_level lvl, const char *subject, const char *fix,
		 const char *fmt, ...)
{
	struct rproc_check_report *r = c->rep;
	struct rproc_check_line *n, *l;
	va_list ap;

	n = reallocarray(r->lines, r->n_lines + 1, sizeof(*n));
	if (!n) {
		c->oom = 1;
		return;
	}
	r->lines = n;
	l = &n[r->n_lines++];
	memset(l, 0, sizeof(*l));
	l->level = lvl;
	snprintf(l->subject, sizeof(l->subject), "%s", subject);
	snprintf(l->fix, sizeof(l->fix), "%s", fix ? fix : "");
	va_start(ap, fmt);
	vsnprintf(l->message, sizeof(l->message), fmt, ap);
	va_end(ap);
	if (lvl == RPROC_CHECK_FAIL)
		r->n_fail++;
	else if (lvl == RPROC_CHECK_WARN)
		r->n_warn++;
}

static bool exists(const char *root, const char *rel)
{
	char p[PATH_MAX];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	return stat(p, &st) == 0;
}

static int read_param(const char *root, const char *rel, char *buf, size_t len)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	return rproc_sysfs_read_line(p, buf, len);
}

static void check_kernel(struct ctx *c)
{
	char val[16];

	c->have_type1 = exists(c->dev, "vfio/vfio") && exists(c->sysfs, "module/vfio_iommu_type1");
	c->have_iommufd = exists(c->dev, "iommu");
	c->have_cdev = exists(c->sysfs, "class/vfio-dev");

	if (exists(c->dev, "vfio/vfio"))
		line(c, RPROC_CHECK_OK, "kernel", NULL, "VFIO is available (%s/vfio/vfio)", c->dev);
	else
		line(c, c->have_iommufd ? RPROC_CHECK_WARN : RPROC_CHECK_FAIL, "kernel",
		     "modprobe vfio vfio_iommu_type1 (CONFIG_VFIO, CONFIG_VFIO_IOMMU_TYPE1)",
		     "%s/vfio/vfio is missing: no legacy VFIO container", c->dev);

	if (!exists(c->sysfs, "module/vfio_platform")) {
		line(c, RPROC_CHECK_FAIL, "kernel", "modprobe vfio-platform reset_required=0",
		     "vfio-platform is not loaded: no remoteproc device can be handed to rprocd");
	} else if (read_param(c->sysfs, "module/vfio_platform/parameters/reset_required", val,
			      sizeof(val)) == 0 && (val[0] == 'Y' || val[0] == '1')) {
		line(
		    c, RPROC_CHECK_FAIL, "kernel",
		    "modprobe -r vfio_platform && modprobe vfio-platform reset_required=0, or boot "
		    "with vfio_platform.reset_required=0",
		    "vfio-platform is loaded with reset_required=Y: it cannot bind Qualcomm "
		    "remoteprocs (no reset handler)");
	} else {
		line(c, RPROC_CHECK_OK, "kernel", NULL, "vfio-platform is loaded with "
		     "reset_required=N");
	}

	if (c->have_type1) {
		read_param(c->sysfs, "module/vfio_iommu_type1/parameters/allow_unsafe_interrupts",
			   val, sizeof(val));
		line(c, RPROC_CHECK_OK, "kernel", NULL,
		     "VFIO type1 IOMMU is available (allow_unsafe_interrupts=%s)",
		     val[0] ? val : "?");
		if (val[0] == 'N')
			line(c, RPROC_CHECK_WARN, "kernel",
			     "boot with vfio_iommu_type1.allow_unsafe_interrupts=1 (or echo 1 > "
			     "/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts)",
			     "type1 refuses platforms without MSI isolation (VFIO_SET_IOMMU: "
			     "EPERM), "
			     "which SA8775p is expected to be");
	} else {
		line(c, c->have_iommufd ? RPROC_CHECK_WARN : RPROC_CHECK_FAIL, "kernel",
		     "modprobe vfio_iommu_type1",
		     "VFIO type1 IOMMU is not available: it is the only backend that can map a "
		     "no-map carveout view");
	}
	if (c->have_iommufd)
		line(c, RPROC_CHECK_OK, "kernel", NULL, "iommufd is available (%s/iommu)", c->dev);
	else
		line(c, RPROC_CHECK_WARN, "kernel", "optional: a kernel with CONFIG_IOMMUFD (6.2+)",
		     "iommufd is not available: using VFIO type1");
	if (c->have_cdev)
		line(c, RPROC_CHECK_OK, "kernel", NULL, "VFIO device cdevs are available");
	else
		line(c, RPROC_CHECK_WARN, "kernel",
		     "optional: a kernel with CONFIG_VFIO_DEVICE_CDEV (6.6+)",
		     "no VFIO device cdevs (%s/class/vfio-dev): iommufd cannot be used", c->sysfs);
}

static void check_shim(struct ctx *c)
{
	struct rproc_error err = { 0 };
	char path[PATH_MAX], caps[256];
	/* What each absent capability costs, and the fix (kernel/README.md in the source). */
	static const struct {
		uint64_t cap;
		const char *what;
		const char *fix;
	} optional[] = {
		{ QCOM_SCM_SHIM_CAP_SHM_BRIDGE, "no SHM bridges: AUTH_AND_RESET fails if "
		  "TrustZone is in bridge mode", "a kernel exporting qcom_tzmem_shm_bridge_create "
		  "(Debian's 7.2+), then rebuild the module" },
		{ QCOM_SCM_SHIM_CAP_RSCTABLE, "no GET_RSCTABLE: device memory only from "
		  "qcom,devmem", "a kernel exporting qcom_scm_pas_get_rsc_table (Debian's 7.2+), "
		  "then rebuild the module" },
		{ QCOM_SCM_SHIM_CAP_MMAP, "no carveout mmap: loading goes through /dev/mem "
		  "(slower, needs CONFIG_DEVMEM)", "update the qcom-scm shim module" },
		{ QCOM_SCM_SHIM_CAP_SMP2P_IN, "no SMP2P interrupts: ready/fatal/handover/stop-ack "
		  "cannot be seen, starts time out", "update the qcom-scm shim module" },
		{ QCOM_SCM_SHIM_CAP_STOP_BIT, "no stop bit: stops skip the SMP2P handshake",
		  "a kernel with CONFIG_QCOM_SMEM_STATE and CONFIG_QCOM_SMP2P, then rebuild the "
		  "module" },
		{ QCOM_SCM_SHIM_CAP_SMEM, "no SMEM: no crash reasons or minidumps",
		  "a kernel with CONFIG_QCOM_SMEM, then rebuild the module" },
		{ QCOM_SCM_SHIM_CAP_PROXY_VOTE, "no proxy votes: DSPs boot only if their rails and "
		  "clocks stay on", "update the qcom-scm shim module" },
		{ QCOM_SCM_SHIM_CAP_LOAD_STATE, "no load_state vote: DSPs boot only if AOSS keeps "
		  "their power on", "a kernel with CONFIG_QCOM_AOSS_QMP, then rebuild the module" },
		{ QCOM_SCM_SHIM_CAP_GLINK, "no glink edge: fastrpc, audio and qrtr do not see "
		  "the DSPs rprocd boots", "a kernel with CONFIG_RPMSG_QCOM_GLINK_SMEM, then rebuild "
		  "the module" },
	};

	if (c->cfg->shim_path)
		snprintf(path, sizeof(path), "%s", c->cfg->shim_path);
	else
		snprintf(path, sizeof(path), "%s/qcom_scm_shim", c->dev);
	if (rproc_shim_open(path, &c->shim, &err) < 0) {
		line(c, RPROC_CHECK_FAIL, "shim",
		     "modprobe qcom_scm_shim (built from rprocd's kernel/ with make or DKMS, "
		     "ABI major 1)", "%s", err.msg);
		return;
	}
	rproc_shim_caps_string(c->shim->caps, caps, sizeof(caps));
	line(c, RPROC_CHECK_OK, "shim", NULL, "%s: ABI %u.%u, capabilities %s", path,
	     c->shim->major, c->shim->minor, caps);
	if (c->shim->flags & QCOM_SCM_SHIM_VERSION_TEST_BUILD)
		line(c, RPROC_CHECK_WARN, "shim", "load qcom_scm_shim instead of qcom_scm_shim_test",
		     "test build of the module: TrustZone is whatever provider a test module "
		     "registered");
	for (size_t i = 0; i < ARRAY_SIZE(optional); i++)
		if (!rproc_shim_has(c->shim, optional[i].cap))
			line(c, optional[i].cap == QCOM_SCM_SHIM_CAP_SMP2P_IN ? RPROC_CHECK_FAIL
									     : RPROC_CHECK_WARN,
			     "shim", optional[i].fix, "%s", optional[i].what);
}

static bool check_ranges(struct ctx *c, const struct rproc_dt_rproc *rp,
			 const struct rproc_dev_info *info, char *kind, size_t kind_len)
{
	struct rproc_vfio_config vc = {
	    .kind = c->cfg->iommu == RPROC_REAL_IOMMU_IOMMUFD ? RPROC_VFIO_IOMMUFD
		    : c->cfg->iommu == RPROC_REAL_IOMMU_TYPE1 ? RPROC_VFIO_TYPE1
							      : RPROC_VFIO_AUTO,
	    .dev_root = c->dev,
	    .log_name = rp->name,
	};
	struct rproc_error err = { 0 };
	struct rproc_vfio *v = NULL;
	bool ok = true;

	if (!c->cfg->open_contexts) {
		/* Without a context only the one window every arm-smmu domain reserves is known. */
		for (unsigned int i = 0; i < rp->n_carveouts; i++) {
			const struct rproc_dt_carveout *co = &rp->carveouts[i];

			if (co->size && ranges_overlap(co->base, co->size, MSI_IOVA_BASE,
						       MSI_IOVA_LENGTH)) {
				line(c, RPROC_CHECK_FAIL, rp->name,
				     "move the carveout: IOVA == PA must avoid the MSI window",
				     "carveout %s [0x%" PRIx64 "+0x%" PRIx64
				     "] overlaps the SMMU MSI "
				     "window [0x8000000-0x80fffff]",
				     co->node, co->base, co->size);
				ok = false;
			}
		}
		if (vc.kind == RPROC_VFIO_AUTO)
			vc.kind = c->have_iommufd && info->cdev[0] ? RPROC_VFIO_IOMMUFD
								   : RPROC_VFIO_TYPE1;
		snprintf(kind, kind_len, "%s", rproc_vfio_kind_name(vc.kind));
		return ok;
	}
	if (rproc_vfio_open(info->syspath, &vc, &v, &err) < 0) {
		line(c, RPROC_CHECK_FAIL, rp->name, NULL, "IOMMU context: %s", err.msg);
		return false;
	}
	snprintf(kind, kind_len, "%s", rproc_vfio_kind_name(rproc_vfio_kind(v)));
	for (unsigned int i = 0; i < rp->n_carveouts; i++) {
		const struct rproc_dt_carveout *co = &rp->carveouts[i];

		memset(&err, 0, sizeof(err));
		if (rproc_vfio_check_range(v, co->base, co->size, &err) < 0) {
			line(c, RPROC_CHECK_FAIL, rp->name, "move the carveout into a usable range",
			     "%s", err.msg);
			ok = false;
		} else {
			line(c, RPROC_CHECK_OK, rp->name, NULL, "carveout %s is inside the usable "
			     "IOVA ranges (%s)", co->node, kind);
		}
	}
	rproc_vfio_close(v);
	return ok;
}

/*
 * VFIO type1 and iommufd map every range with IOMMU_CACHE plus R/W, whatever the table asks:
 * device memory that asks for MMIO (Device-nGnRE for the kernel) is mapped normal write-back
 * cacheable instead (doc/iommu.md#attributes).  Only qcom,devmem is known before a start;
 * entries of TrustZone's resource table are warned about when they are mapped.
 */
static void check_devmem(struct ctx *c, const struct rproc_dt_rproc *rp, const char *kind)
{
	for (size_t i = 0; i < rp->n_devmem; i++) {
		const struct rproc_devmem *m = &rp->devmem[i];

		if (!(m->flags & RPROC_IOMMU_MMIO))
			continue;
		line(c, RPROC_CHECK_WARN, rp->name,
		     "let the kernel's qcom_q6v5_pas boot this core (it maps device memory with "
		     "the table's flags), or confirm on the hardware that the DSP works with it "
		     "(rprocd(8), Memory attributes)",
		     "device memory %s [0x%" PRIx64 "+0x%" PRIx64 "] asks for MMIO (flags 0x%x): "
		     "%s maps it as normal write-back cacheable memory%s",
		     m->name[0] ? m->name : "(qcom,devmem)", m->pa, m->len, m->flags,
		     kind[0] ? kind : "VFIO type1 and iommufd",
		     m->flags & RPROC_IOMMU_NOEXEC ? ", and executable" : "");
	}
}

static void check_core(struct ctx *c, const struct rproc_dt_rproc *rp)
{
	struct rproc_dev_env env = {
		.sysfs_root = c->cfg->sysfs_root,
		.dev_root = c->dev,
	};
	struct rproc_check_report *rep = c->rep;
	struct rproc_check_core *core = &rep->cores[rep->n_cores++];
	struct rproc_dev_info info;
	struct rproc_error err = { 0 };
	char kind[32] = "", bus[32], *path = NULL;
	const char *fw = NULL, *vfio = NULL, *slash, *device = rp->device;
	bool ok = true;
	int r;

	snprintf(core->name, sizeof(core->name), "%s", rp->name);
	core->enabled = rp->enabled;
	snprintf(core->backend, sizeof(core->backend), "none");
	if (!rp->enabled && rp->error) {
		line(c, RPROC_CHECK_WARN, rp->name, "fix the node before enabling it",
		     "%s is disabled in the device tree, and its node is broken too: %s; skipped",
		     rp->node, rp->error_msg);
		return;
	}
	if (!rp->enabled) {
		line(c, RPROC_CHECK_OK, rp->name, NULL,
		     "%s is disabled in the device tree: skipped", rp->node);
		return;
	}
	if (rp->error) {
		/* the other checks would only repeat it: the node is what must change */
		line(c, RPROC_CHECK_FAIL, rp->name,
		     "correct the device tree (rprocctl describe shows every node)", "%s",
		     rp->error_msg);
		line(c, RPROC_CHECK_FAIL, rp->name, NULL, "cannot be started: backend none");
		return;
	}
	if (!rp->soc && c->cfg->pas_id_override &&
	    c->cfg->pas_id_override(c->cfg->userdata, rp->name) >= 0) {
		line(c, RPROC_CHECK_OK, rp->name, NULL,
		     "compatible %s is not in the SoC table; its PAS id comes from the configuration",
		     rp->compatible);
	} else if (!rp->soc) {
		line(c, RPROC_CHECK_FAIL, rp->name, "give its PAS id in rprocd.conf (PasId=)",
		     "compatible %s is not in the SoC table: its PAS id is unknown",
		     rp->compatible);
		ok = false;
	}
	if (rp->n_iommus)
		line(c, RPROC_CHECK_OK, rp->name, NULL, "%s has iommus (stream 0x%x): EL2 mode",
		     rp->node, rp->iommus[0].sid);
	else {
		line(c, RPROC_CHECK_FAIL, rp->name,
		     "boot Linux at EL2 with the EL2 DT overlay (adds `iommus` to the PAS nodes)",
		     "%s has no iommus: the DT is not the EL2 one", rp->node);
		ok = false;
	}
	for (unsigned int i = 0; i < rp->n_carveouts; i++) {
		const struct rproc_dt_carveout *co = &rp->carveouts[i];

		if (co->no_map)
			line(c, RPROC_CHECK_OK, rp->name, NULL,
			     "carveout %s [0x%" PRIx64 "+0x%" PRIx64 "] is no-map", co->node,
			     co->base, co->size);
		else {
			line(c, RPROC_CHECK_FAIL, rp->name,
			     "add no-map to the reserved-memory node",
			     "carveout %s is not no-map: the kernel may use or map it", co->node);
			ok = false;
		}
	}
	if (!rp->n_carveouts) {
		line(c, RPROC_CHECK_FAIL, rp->name, "add memory-region to the node",
		     "%s has no memory-region", rp->node);
		ok = false;
	}

	if (c->cfg->vfio_device_override)
		vfio = c->cfg->vfio_device_override(c->cfg->userdata, rp->name);
	slash = vfio ? strchr(vfio, '/') : NULL;
	if (slash) {
		snprintf(bus, sizeof(bus), "%.*s", (int)(slash - vfio), vfio);
		env.subsystem = bus;
		device = slash + 1;
		line(c, RPROC_CHECK_WARN, rp->name, "remove VfioDevice= on a board",
		     "VfioDevice=%s: the IOMMU context is %s's, not %s's (bring-up and tests only)",
		     vfio, device, rp->device);
	}
	r = rproc_dev_probe(&env, device, &info);
	if (r < 0) {
		line(c, RPROC_CHECK_FAIL, rp->name, NULL, "%s: probing the device: %s", device,
		     strerror(-r));
		ok = false;
	} else if (info.state == RPROC_DEV_KERNEL_MANAGED) {
		line(c, RPROC_CHECK_WARN, rp->name, info.fix, "%s", info.message);
		snprintf(core->backend, sizeof(core->backend), "kernel-managed");
		ok = false;
	} else if (info.state != RPROC_DEV_READY) {
		line(c, RPROC_CHECK_FAIL, rp->name, info.fix, "%s", info.message);
		ok = false;
	} else {
		line(c, RPROC_CHECK_OK, rp->name, NULL, "%s is bound to %s, IOMMU group %d%s%s",
		     device, info.driver, info.group, info.cdev[0] ? ", cdev " : "", info.cdev);
		if (!check_ranges(c, rp, &info, kind, sizeof(kind)))
			ok = false;
	}

	check_devmem(c, rp, kind);

	if (c->cfg->firmware_override)
		fw = c->cfg->firmware_override(c->cfg->userdata, rp->name);
	if (!fw)
		fw = rp->n_firmware ? rp->firmware[0] : rp->soc ? rp->soc->firmware : NULL;
	if (!fw) {
		line(c, RPROC_CHECK_FAIL, rp->name, "add firmware-name to the node or Firmware= "
		     "to rprocd.conf", "no firmware name for %s", rp->node);
		ok = false;
	} else if (!c->cfg->search) {
		line(c, RPROC_CHECK_WARN, rp->name, NULL, "firmware %s: not looked up (no search "
		     "path given)", fw);
	} else if (rproc_fw_locate(c->cfg->search, fw, &path, &err) < 0) {
		line(c, RPROC_CHECK_FAIL, rp->name, "install the firmware (linux-firmware or the "
		     "board vendor's package) or add its directory to FirmwarePath= in "
		     "rprocd.conf", "%s", err.msg);
		ok = false;
	} else {
		line(c, RPROC_CHECK_OK, rp->name, NULL, "firmware %s found at %s", fw, path);
		free(path);
	}

	if (!c->shim || (!c->have_type1 && !c->have_iommufd))
		ok = false;
	if (ok) {
		snprintf(core->backend, sizeof(core->backend), "shim+%s", kind);
		if (!strcmp(kind, "iommufd") &&
		    !rproc_shim_has(c->shim, QCOM_SCM_SHIM_CAP_CARVEOUT_FD)) {
			if (c->have_type1 && c->cfg->iommu != RPROC_REAL_IOMMU_IOMMUFD) {
				line(c, RPROC_CHECK_WARN, rp->name,
				     "IOMMU=vfio-type1 avoids the detour",
				     "iommufd cannot pin the carveout view (VM_PFNMAP): the "
				     "first "
				     "map will fall back to vfio-type1");
			} else {
				/* Also the case of iommufd's VFIO compatibility container
				 * (doc/iommu.md#what-can-be-mapped).
				 */
				line(
				    c, RPROC_CHECK_FAIL, rp->name,
				    "a kernel with the real vfio_iommu_type1 (not "
				    "CONFIG_IOMMUFD_VFIO_CONTAINER), or a shim offering the "
				    "carveout "
				    "as a dma-buf",
				    "iommufd cannot pin the carveout view (VM_PFNMAP) and no "
				    "type1 fallback is available");
				ok = false;
				snprintf(core->backend, sizeof(core->backend), "none");
			}
		}
	}
	core->startable = ok;
	line(c, ok ? RPROC_CHECK_OK : RPROC_CHECK_FAIL, rp->name, NULL, "%s: backend %s",
	     ok ? "can be started" : "cannot be started", core->backend);
}

int rproc_check_run(const struct rproc_check_config *cfg, const struct rproc_dt *dt,
		    struct rproc_check_report **out)
{
	struct rproc_check_report *rep;
	struct ctx c = { .cfg = cfg };
	size_t enabled = 0, el2 = 0;

	*out = NULL;
	rep = calloc(1, sizeof(*rep));
	if (!rep)
		return -ENOMEM;
	c.rep = rep;
	snprintf(c.sysfs, sizeof(c.sysfs), "%s",
		 cfg->sysfs_root && cfg->sysfs_root[0] ? cfg->sysfs_root : "/sys");
	snprintf(c.dev, sizeof(c.dev), "%s", cfg->dev_root && cfg->dev_root[0] ? cfg->dev_root :
											    "/dev");
	check_kernel(&c);
	check_shim(&c);
	if (dt && dt->n) {
		rep->cores = calloc(dt->n, sizeof(*rep->cores));
		if (!rep->cores)
			c.oom = 1;
		for (size_t i = 0; rep->cores && i < dt->n; i++) {
			if (dt->rprocs[i].enabled) {
				enabled++;
				el2 += dt->rprocs[i].n_iommus > 0;
			}
			check_core(&c, &dt->rprocs[i]);
		}
	}
	if (!enabled)
		line(&c, RPROC_CHECK_WARN, "el2", "check the device tree (/sys/firmware/fdt)",
		     "no enabled PAS remote processor in the device tree");
	else if (el2 == enabled)
		line(&c, RPROC_CHECK_OK, "el2", NULL, "every enabled PAS node has iommus (EL2)");
	else
		line(&c, RPROC_CHECK_FAIL, "el2", "apply the EL2 overlay",
		     "%zu of %zu enabled PAS nodes lack iommus", enabled - el2, enabled);
	rep->all_startable = true;
	for (size_t i = 0; i < rep->n_cores; i++)
		if (rep->cores[i].enabled && !rep->cores[i].startable)
			rep->all_startable = false;
	rproc_shim_close(c.shim);
	if (c.oom) {
		rproc_check_report_free(rep);
		return -ENOMEM;
	}
	*out = rep;
	return 0;
}

void rproc_check_report_free(struct rproc_check_report *r)
{
	if (!r)
		return;
	free(r->lines);
	free(r->cores);
	free(r);
}
