/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The D-Bus face of rprocd: org.rprocd1.Manager (bus-manager.c) and one
 * org.rprocd1.RemoteProc object per core (bus-rproc.c).  They sit on top: they call the
 * manager and the cores, which report back through the hooks these register.
 */
#ifndef RPROCD_BUS_H
#define RPROCD_BUS_H

#include <systemd/sd-bus.h>

#include "bus-names.h"
#include "manager.h"

/* Connect to the bus, register the objects, take the name, attach to the event loop. */
int bus_manager_connect(struct manager *m);
int bus_rproc_register(struct manager *m);
/* PropertiesChanged for what differs between @old and c->props. */
void bus_rproc_emit_changes(struct core *c, const struct core_props *old);
/*
 * bus-auth.c: control is for root, ControlGroup= and whom polkit authorizes.  1: go on; 0:
 * polkit is asked, the method handler returns 1 and runs again with the call when polkit has
 * answered (so check before reading the call's arguments); < 0: refused, @error set.
 */
int bus_check_control(sd_bus_message *msg, struct manager *m, sd_bus_error *error);
/* Forget the calls waiting for polkit (at exit). */
void bus_auth_free(struct manager *m);

#endif
