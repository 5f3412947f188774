/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Backend modules: a backend rprocd loads at start-up with dlopen() instead of one built into
 * librproc (rprocd.conf: Backend=module, BackendModule=, BackendModuleArgs=).  The use is a
 * vendor PAS transport (for example a TEE's PAS service instead of the qcom-scm shim,
 * doc/trustzone-pas.md#other-transports) without rebuilding
 * rprocd; the test suites use it to give the daemon a
 * stand-in TrustZone next to real IOMMU and memory ops.
 *
 * A module is a shared object that exports two symbols:
 *
 *   const int rproc_backend_module_abi = RPROC_BACKEND_MODULE_ABI;
 *   int rproc_backend_module_new(const struct rproc_dt *dt, const char *args,
 *                                struct rproc_backend **out, struct rproc_error *err);
 *
 * rprocd refuses a module whose rproc_backend_module_abi differs from its own.  The entry
 * point is called once, after the device tree is parsed; @args is BackendModuleArgs= ("" when
 * unset).  On success *out is a backend (backend.h) that stays valid until its destroy() is
 * called; rprocd unloads the module only after that.  On failure it returns a negative errno
 * and fills @err.  Modules link against librproc.so (the same copy rprocd uses).
 */
#ifndef RPROC_BACKEND_MODULE_H
#define RPROC_BACKEND_MODULE_H

#include <rproc/backend.h>
#include <rproc/dt.h>
#include <rproc/error.h>

/* Bumped on any incompatible change of backend.h's ops tables or of the entry point. */
#define RPROC_BACKEND_MODULE_ABI 3

#define RPROC_BACKEND_MODULE_ABI_SYMBOL "rproc_backend_module_abi"
#define RPROC_BACKEND_MODULE_NEW_SYMBOL "rproc_backend_module_new"

typedef int (*rproc_backend_module_new_fn)(const struct rproc_dt *dt, const char *args,
					   struct rproc_backend **out, struct rproc_error *err);

/* Declarations for modules, so the compiler checks the exported symbols' types. */
extern const int rproc_backend_module_abi;
int rproc_backend_module_new(const struct rproc_dt *dt, const char *args,
			     struct rproc_backend **out, struct rproc_error *err);

#endif
