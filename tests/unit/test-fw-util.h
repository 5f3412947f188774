/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers for the firmware unit tests: temporary directories and the mkfw generator. */
#ifndef TEST_FW_UTIL_H
#define TEST_FW_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/* mkdtemp() under $TMPDIR (or /tmp); aborts the test on failure. */
char *tfw_tmpdir(void);
/* Remove @dir and everything below it, then free it. */
void tfw_rmtree(char *dir);

/*
 * Run mkfw ($MKFW) with "-o @out --describe" and @args (a shell word list) and return its
 * JSON description, or NULL if mkfw failed.
 */
json_object *tfw_mkfw(const char *out, const char *args);

uint64_t tfw_u64(json_object *o, const char *key);
int64_t tfw_i64(json_object *o, const char *key);
const char *tfw_str(json_object *o, const char *key);
bool tfw_bool(json_object *o, const char *key);
json_object *tfw_obj(json_object *o, const char *key);

/* Read a whole file into a malloc'd buffer; NULL if it cannot be read. */
uint8_t *tfw_read(const char *path, size_t *len);
/* Write @len bytes of @buf to @path. */
void tfw_write(const char *path, const void *buf, size_t len);
/* "ENOENT" -> ENOENT for the errno names mkfw prints. */
int tfw_errno(const char *name);

#endif
