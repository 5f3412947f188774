// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A backend module (<rproc/backend-module.h>) for the integration tests: the simulated SoC behind
 * Backend=module.  BackendModuleArgs= is the simulator's configuration, except "fail", which
 * makes the entry point fail the way a module whose transport is missing does.
 * TEST_MODULE_ABI builds a module for another ABI (the version check's test).
 */
#include <errno.h>
#include <string.h>

#include "rproc/backend-module.h"
#include "rproc/sim.h"

#ifndef TEST_MODULE_ABI
#define TEST_MODULE_ABI RPROC_BACKEND_MODULE_ABI
#endif

__attribute__((visibility("default"))) const int rproc_backend_module_abi = TEST_MODULE_ABI;

__attribute__((visibility("default"))) int
rproc_backend_module_new(const struct rproc_dt *dt, const char *args, struct rproc_backend **out,
			 struct rproc_error *err)
{
	if (!strcmp(args, "fail"))
		return rproc_err(err, -ENODEV, "test module: asked to fail (BackendModuleArgs=fail)");
	return rproc_sim_new(dt, *args ? args : NULL, out, err);
}
