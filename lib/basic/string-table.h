/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One to/from-string pair per enum, generated from a table indexed by the enum:
 *
 *	static const char *const color_table[_COLOR_MAX] = { [COLOR_RED] = "red", ... };
 *	DEFINE_STRING_TABLE_LOOKUP(color, enum color);
 *
 * gives `const char *color_to_string(enum color)` (NULL when out of range or unnamed) and
 * `int color_from_string(const char *)` (the value, or -EINVAL).  The _STATIC variants make
 * them static; _TO_STRING / _FROM_STRING generate one direction only.
 */
#ifndef RPROC_STRING_TABLE_H
#define RPROC_STRING_TABLE_H

#include <errno.h>
#include <stddef.h>
#include <string.h>

static inline int string_table_lookup(const char *const *table, size_t n, const char *key)
{
	if (!key)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (table[i] && !strcmp(table[i], key))
			return (int)i;
	return -EINVAL;
}

#define _DEFINE_STRING_TABLE_TO_STRING(name, type, scope)                                          \
	scope const char *name##_to_string(type i)                                                 \
	{                                                                                          \
		if ((size_t)i >= sizeof(name##_table) / sizeof(name##_table[0]))                   \
			return NULL;                                                               \
		return name##_table[i];                                                            \
	}

#define _DEFINE_STRING_TABLE_FROM_STRING(name, type, scope)                                        \
	scope int name##_from_string(const char *s)                                                \
	{                                                                                          \
		return string_table_lookup(name##_table,                                           \
					   sizeof(name##_table) / sizeof(name##_table[0]), s);     \
	}

#define DEFINE_STRING_TABLE_LOOKUP(name, type)                                                     \
	_DEFINE_STRING_TABLE_TO_STRING(name, type, )                                               \
	_DEFINE_STRING_TABLE_FROM_STRING(name, type, )
#define DEFINE_STRING_TABLE_LOOKUP_STATIC(name, type)                                              \
	_DEFINE_STRING_TABLE_TO_STRING(name, type, static)                                         \
	_DEFINE_STRING_TABLE_FROM_STRING(name, type, static)
#define DEFINE_STRING_TABLE_LOOKUP_TO_STRING(name, type)                                           \
	_DEFINE_STRING_TABLE_TO_STRING(name, type, )
#define DEFINE_STRING_TABLE_LOOKUP_FROM_STRING(name, type)                                         \
	_DEFINE_STRING_TABLE_FROM_STRING(name, type, )
#define DEFINE_STRING_TABLE_LOOKUP_TO_STRING_STATIC(name, type)                                    \
	_DEFINE_STRING_TABLE_TO_STRING(name, type, static)
#define DEFINE_STRING_TABLE_LOOKUP_FROM_STRING_STATIC(name, type)                                  \
	_DEFINE_STRING_TABLE_FROM_STRING(name, type, static)

#endif
