// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>

#include "backends.h"
#include "log.h"
#include "manager.h"
#include "sim.h"

static int backend_create_real(struct manager *m, struct rproc_error *err)
{
	return rproc_err(err, -EOPNOTSUPP, "the real backend is not available in this build");
}

int backend_create(struct manager *m, struct rproc_error *err)
{
	switch (m->conf.backend) {
	case CONF_BACKEND_SIMULATED:
		return rproc_sim_new(m->dt, m->conf.sim_config, &m->backend, err);
	case CONF_BACKEND_REAL:
		return backend_create_real(m, err);
	default:
		return backend_create_real(m, err);
	}
}
