/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small json-c helpers shared by rprocctl and rprocd: numbers that stay exact (u64 as a JSON
 * number, "unknown" ids as null) and printing one document to a stream.
 *
 * The ju_add_*() helpers take ownership rules from json-c: the new value belongs to @o.  They
 * return 0, or -ENOMEM when json-c could not allocate (then @o is unchanged).
 */
#ifndef RPROCD_JSON_UTIL_H
#define RPROCD_JSON_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

#include "util.h"

/* Print @o followed by a newline; pretty (two-space indent) or compact.  0 or -errno. */
int ju_print(FILE *f, json_object *o, bool pretty);

/* @o[key] = value.  @key is copied. */
int ju_add(json_object *o, const char *key, json_object *value);
int ju_add_u64(json_object *o, const char *key, uint64_t v);
int ju_add_int(json_object *o, const char *key, int64_t v);
/* A number, or null when @v < 0 (the RPROC_NO_ID convention). */
int ju_add_id(json_object *o, const char *key, int v);
int ju_add_bool(json_object *o, const char *key, bool v);
/* A string, or null when @s is NULL. */
int ju_add_str(json_object *o, const char *key, const char *s);

/* Append to an array.  Takes ownership of @value (also on failure). */
int ju_append(json_object *array, json_object *value);

/* _cleanup_(json_object_putp) json_object *o = NULL; */
DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put)

#endif
