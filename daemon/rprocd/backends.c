// SPDX-License-Identifier: GPL-2.0-or-later
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rproc/backend-module.h"
#include "backends.h"
#include "fd-util.h"
#include "log.h"
#include "manager.h"
#include "rproc/qcom-scm-shim.h"
#include "rproc/real.h"
#include "rproc/sim.h"
#include "safe-path.h"

static int backend_create_real(struct manager *m, struct rproc_error *err)
{
	_cleanup_free_ struct rproc_real_vfio_device *vfio = NULL;
	struct rproc_real_config cfg;

	rproc_real_config_defaults(&cfg);
	switch (m->conf.iommu) {
	case CONF_IOMMU_IOMMUFD:
		cfg.iommu = RPROC_REAL_IOMMU_IOMMUFD;
		break;
	case CONF_IOMMU_VFIO_TYPE1:
		cfg.iommu = RPROC_REAL_IOMMU_TYPE1;
		break;
	default:
		cfg.iommu = RPROC_REAL_IOMMU_AUTO;
		break;
	}
	/* VfioDevice= (bring-up and tests): copied by the backend, read at start-up only. */
	vfio = calloc(m->conf.n_rprocs ? m->conf.n_rprocs : 1, sizeof(*vfio));
	if (!vfio)
		return rproc_err(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < m->conf.n_rprocs; i++)
		if (m->conf.rprocs[i].vfio_device[0])
			vfio[cfg.n_vfio_devices++] = (struct rproc_real_vfio_device){
				.core = m->conf.rprocs[i].name,
				.device = m->conf.rprocs[i].vfio_device,
			};
	cfg.vfio_devices = vfio;
	return rproc_real_backend_new(&cfg, &m->backend, err);
}

/*
 * Backend=module: the module's backend is used as it is (so that the library recognises its
 * own backends, such as the simulated SoC, behind it); its destroy() is chained so that the
 * module is unloaded after the backend's own destroy() ran, since that code lives in the
 * module.  One daemon has one backend, hence one loaded module.
 */
static struct {
	void *handle;
	void (*destroy)(struct rproc_backend *b);
} loaded_module;

DEFINE_TRIVIAL_CLEANUP_FUNC(void *, dlclose)

static void module_destroy(struct rproc_backend *b)
{
	if (loaded_module.destroy)
		loaded_module.destroy(b);
	dlclose(loaded_module.handle);
	loaded_module.handle = NULL;
	loaded_module.destroy = NULL;
}

/*
 * The module is code rprocd runs as root: refuse one that anyone else can change, or that is
 * not a regular file (a FIFO would block dlopen() for ever).
 */
static int module_check(const char *path, struct rproc_error *err)
{
	static const char fix[] = "make the file and every directory above it owned by root and "
				  "not writable by group or others";
	_cleanup_close_ int fd = -1;
	char why[PATH_MAX + 128];
	struct stat st;
	int r;

	fd = open_regular(path, 0, &st);
	if (fd == -EISDIR || fd == -EBADFD)
		return rproc_err(err, -EINVAL, "BackendModule=%s is %s, not a regular file", path,
				 file_type_name(st.st_mode));
	if (fd < 0)
		return rproc_err(err, fd, "BackendModule=%s: cannot load: %s", path, strerror(-fd));
	r = stat_root_only(path, &st, why, sizeof(why));
	if (r == 0)
		r = path_root_only(path, why, sizeof(why));
	if (r == -EPERM)
		return rproc_err(err, r, "BackendModule=%s refused: %s, so someone other than root "
				 "chooses the code rprocd runs; %s", path, why, fix);
	if (r < 0)
		return rproc_err(err, r, "BackendModule=%s: %s", path, why);
	return 0;
}

static int backend_create_module(struct manager *m, struct rproc_error *err)
{
	const char *path = m->conf.backend_module;
	struct rproc_backend *inner = NULL;
	rproc_backend_module_new_fn fn;
	_cleanup_(dlclosep) void *h = NULL;
	const int *abi;
	int r;

	if (!path || !*path)
		return rproc_err(err, -EINVAL,
				 "Backend=module needs BackendModule=/path/to/backend.so in [Daemon]");
	r = module_check(path, err);
	if (r < 0)
		return r;
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return rproc_err(err, -ENOENT, "BackendModule=%s: cannot load: %s", path, dlerror());
	abi = dlsym(h, RPROC_BACKEND_MODULE_ABI_SYMBOL);
	if (!abi)
		return rproc_err(err, -ENOEXEC,
				 "BackendModule=%s: no symbol %s: not an rprocd backend module",
				 path, RPROC_BACKEND_MODULE_ABI_SYMBOL);
	if (*abi != RPROC_BACKEND_MODULE_ABI)
		return rproc_err(err, -EPROTO,
				 "BackendModule=%s: built for module ABI %d, this rprocd has ABI "
				 "%d: rebuild the module against this librproc",
				 path, *abi, RPROC_BACKEND_MODULE_ABI);
	*(void **)&fn = dlsym(h, RPROC_BACKEND_MODULE_NEW_SYMBOL);
	if (!fn)
		return rproc_err(err, -ENOEXEC, "BackendModule=%s: no symbol %s", path,
				 RPROC_BACKEND_MODULE_NEW_SYMBOL);
	r = fn(m->dt, m->conf.backend_module_args ? m->conf.backend_module_args : "", &inner,
	       err);
	if (r < 0)
		return r;
	if (r > 0 || !inner || !inner->pas || !inner->iommu || !inner->mem || !inner->irq) {
		rproc_backend_destroy(inner);
		return rproc_err(err, -EPROTO,
				 "BackendModule=%s: %s() returned %d without a complete backend "
				 "(pas, iommu, mem and irq ops are all required)",
				 path, RPROC_BACKEND_MODULE_NEW_SYMBOL, r);
	}
	loaded_module.handle = TAKE_PTR(h);
	loaded_module.destroy = inner->destroy;
	inner->destroy = module_destroy;
	m->backend = inner;
	return 0;
}

int backend_create(struct manager *m, struct rproc_error *err)
{
	switch (m->conf.backend) {
	case CONF_BACKEND_SIMULATED:
		return rproc_sim_new(m->dt, m->conf.sim_config, &m->backend, err);
	case CONF_BACKEND_REAL:
		return backend_create_real(m, err);
	case CONF_BACKEND_MODULE:
		return backend_create_module(m, err);
	default:
		/* auto: the real backend needs the shim; without it there is nothing to drive. */
		if (access(QCOM_SCM_SHIM_DEVICE, F_OK) < 0)
			return rproc_err(err, -ENODEV,
					 "Backend=auto: %s not found (is the qcom-scm shim loaded?); "
					 "use --simulate or Backend=simulated for the simulated SoC",
					 QCOM_SCM_SHIM_DEVICE);
		return backend_create_real(m, err);
	}
}
