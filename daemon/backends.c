// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <unistd.h>

#include "backends.h"
#include "log.h"
#include "manager.h"
#include "qcom-scm-shim.h"
#include "real.h"
#include "sim.h"

static int backend_create_real(struct manager *m, struct rproc_error *err)
{
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
	return rproc_real_backend_new(&cfg, &m->backend, err);
}

int backend_create(struct manager *m, struct rproc_error *err)
{
	switch (m->conf.backend) {
	case CONF_BACKEND_SIMULATED:
		return rproc_sim_new(m->dt, m->conf.sim_config, &m->backend, err);
	case CONF_BACKEND_REAL:
		return backend_create_real(m, err);
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
