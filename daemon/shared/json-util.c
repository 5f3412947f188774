// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>

#include "json-util.h"

int ju_print(FILE *f, json_object *o, bool pretty)
{
	/* Paths are common in our documents: keep "/" unescaped, it is valid JSON. */
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE |
		    (pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
			    : JSON_C_TO_STRING_PLAIN);
	const char *s = json_object_to_json_string_ext(o, flags);

	if (!s)
		return -ENOMEM;
	if (fputs(s, f) == EOF || fputc('\n', f) == EOF || fflush(f) == EOF)
		return errno ? -errno : -EIO;
	return 0;
}

int ju_add(json_object *o, const char *key, json_object *value)
{
	if (!value)
		return -ENOMEM;
	if (json_object_object_add(o, key, value) < 0) {
		json_object_put(value);
		return -ENOMEM;
	}
	return 0;
}

int ju_add_u64(json_object *o, const char *key, uint64_t v)
{
	return ju_add(o, key, json_object_new_uint64(v));
}

int ju_add_int(json_object *o, const char *key, int64_t v)
{
	return ju_add(o, key, json_object_new_int64(v));
}

int ju_add_id(json_object *o, const char *key, int v)
{
	if (v < 0)
		return json_object_object_add(o, key, NULL) < 0 ? -ENOMEM : 0;
	return ju_add(o, key, json_object_new_int(v));
}

int ju_add_bool(json_object *o, const char *key, bool v)
{
	return ju_add(o, key, json_object_new_boolean(v));
}

int ju_add_str(json_object *o, const char *key, const char *s)
{
	if (!s)
		return json_object_object_add(o, key, NULL) < 0 ? -ENOMEM : 0;
	return ju_add(o, key, json_object_new_string(s));
}

int ju_append(json_object *array, json_object *value)
{
	if (!value)
		return -ENOMEM;
	if (json_object_array_add(array, value) < 0) {
		json_object_put(value);
		return -ENOMEM;
	}
	return 0;
}
