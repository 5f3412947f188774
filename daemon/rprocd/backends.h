/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Choosing and creating the backend from Backend= / --simulate and the hardware present. */
#ifndef RPROCD_BACKENDS_H
#define RPROCD_BACKENDS_H

#include "rproc/error.h"
#include "util.h"

struct manager;

int backend_create(struct manager *m, struct rproc_error *err);

#endif
