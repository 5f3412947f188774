/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * How rprocctl writes: colours (a terminal only; NO_COLOR and SYSTEMD_COLORS honoured), the
 * pager, JSON documents (--json=pretty|short), and tables through libsmartcols, sized to their
 * content and the terminal with long values shortened in the middle.
 */
#ifndef RPROCCTL_CTL_OUTPUT_H
#define RPROCCTL_CTL_OUTPUT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ctl.h"

/* Decide colours and the width once, from the real stdout (before a pager replaces it). */
void ctl_output_init(void);
bool ctl_colors(void);
/* The escape sequence, or "" without colours. */
const char *ctl_ansi_green(void);
const char *ctl_ansi_red(void);
const char *ctl_ansi_yellow(void);
const char *ctl_ansi_bold(void);
const char *ctl_ansi_normal(void);
/* Columns to fit in: COLUMNS=, else the terminal's; 0 when neither (a pipe: never shorten). */
unsigned int ctl_columns(void);
/* "…" in a UTF-8 locale, else "...". */
const char *ctl_ellipsis(void);

/* Page the rest of the output through $SYSTEMD_PAGER, $PAGER or less, on a terminal only. */
void ctl_pager_open(const struct ctl_opts *o);
void ctl_pager_close(void);

/* Print @v as the options say (pretty or one line), then a newline.  0 or -errno. */
int ctl_json_print(const struct ctl_opts *o, json_object *v);

/* Shorten @s to at most @width columns by cutting its middle; a new string. */
char *ctl_ellipsize_middle(const char *s, size_t width);

#define CTL_COL_RIGHT (1u << 0)    /* numbers */
#define CTL_COL_SHORTEN (1u << 1)  /* may be shortened in the middle to fit the width */
#define CTL_COL_COLOR (1u << 2)    /* takes the row's colour (else the first column does) */

struct ctl_column {
	const char *header;
	unsigned int flags;
};

struct ctl_table;
struct ctl_table *ctl_table_new(const struct ctl_opts *o, const struct ctl_column *cols,
				size_t n_cols);
/* One row of n_cols strings (NULL: "-"); @color (or NULL) colours one cell (CTL_COL_COLOR). */
int ctl_table_add(struct ctl_table *t, const char *const *cells, const char *color);
size_t ctl_table_rows(const struct ctl_table *t);
/* Print and free. 0 or -errno. */
int ctl_table_print(struct ctl_table *t);
void ctl_table_free(struct ctl_table *t);

#endif
