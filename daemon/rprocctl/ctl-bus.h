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

/* Connect as the options say (--user, --host, --no-ask-password); an exit status. */
int ctl_bus_open(const struct ctl_opts *o, sd_bus **bus);
/* Before a call that may need authorization: a polkit agent on the terminal, if wanted. */
void ctl_polkit_agent_open(const struct ctl_opts *o);
/*
 * Map a D-Bus error to an exit status and print it, prefixed with @what (or not, if NULL).
 * rprocd not on the bus is said as such, with how to start it.
 */
int ctl_error_exit(const struct ctl_opts *o, const sd_bus_error *e, int r, const char *what);
/* Connect, call Manager.Describe() and parse it; caller json_object_put()s *@out. */
int ctl_fetch_describe(const struct ctl_opts *o, json_object **out);
/* The entry named @name in the "rprocs" array, or NULL. */
json_object *ctl_find_rproc(json_object *root, const char *name);
/*
 * "no remote processor 'x'; known: a, b" (with a guess when one is close), from Describe()'s
 * @root.  Returns @exit.
 */
int ctl_no_such_rproc(json_object *root, const char *name, int exit);
/* Every one of @names exists in @root, or the line above for the first that does not. */
int ctl_check_names(json_object *root, char **names, int n, int exit);

/* One processor of Describe() in rprocctl's JSON schema (rprocctl(1), JSON OUTPUT). */
json_object *ctl_rproc_json(json_object *d);

/* "" and missing keys read as NULL. */
const char *ctl_json_str(json_object *o, const char *key);
uint64_t ctl_json_u64(json_object *o, const char *key);
void ctl_format_bytes(uint64_t n, char *buf, size_t len);
void ctl_format_usec(uint64_t us, char *buf, size_t len);
void ctl_format_timestamp(uint64_t usec, char *buf, size_t len);

#endif
