/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by rprocctl's online commands. */
#ifndef RPROCCTL_CTL_BUS_H
#define RPROCCTL_CTL_BUS_H

#include <json-c/json.h>
#include <stdint.h>
#include <stddef.h>
#include <systemd/sd-bus.h>

#include "bus-names.h"
#include "ctl.h"
#include "json-util.h"

int ctl_bus_open(const struct ctl_opts *o, sd_bus **bus);
/* Map a D-Bus error to an exit status (and print it, prefixed with @what). */
int ctl_error_exit(const sd_bus_error *e, int r, const char *what);
/* Connect, call Manager.Describe() and parse it; caller json_object_put()s *@out. */
int ctl_fetch_describe(const struct ctl_opts *o, json_object **out);
/* The entry named @name in the "rprocs" array, or NULL. */
json_object *ctl_find_rproc(json_object *root, const char *name);

const char *ctl_json_str(json_object *o, const char *key);
uint64_t ctl_json_u64(json_object *o, const char *key);
void ctl_format_bytes(uint64_t n, char *buf, size_t len);
void ctl_format_usec(uint64_t us, char *buf, size_t len);

#endif
