/* SPDX-License-Identifier: GPL-2.0-or-later */
/* NULL-terminated string arrays (sd_listen_fds_with_names(), bus node lists, search paths). */
#ifndef RPROCD_STRV_H
#define RPROCD_STRV_H

#include <stdlib.h>

#include "util.h"

/* Frees every string and the array; returns NULL for "v = strv_free(v)". */
static inline char **strv_free(char **v)
{
	for (char **s = v; s && *s; s++)
		free(*s);
	free(v);
	return NULL;
}
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, strv_free)
#define _cleanup_strv_free_ _cleanup_(strv_freep)

#endif
