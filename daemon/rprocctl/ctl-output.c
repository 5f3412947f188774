// SPDX-License-Identifier: GPL-2.0-or-later
/* rprocctl's output: colours, pager, JSON, tables (see ctl-output.h). */
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <libsmartcols/libsmartcols.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wchar.h>

#include "ctl-output.h"
#include "json-util.h"
#include "util.h"

static struct {
	bool init;
	bool colors;
	unsigned int columns;
	bool utf8;
	pid_t pager;
} out;

/* SYSTEMD_COLORS: a boolean, or a colour mode (16, 256, 24bit: all mean on). */
static int env_colors(void)
{
	static const char *const no[] = { "0", "no", "false", "off" };
	const char *e = getenv("SYSTEMD_COLORS");

	if (!e || !*e)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(no); i++)
		if (!strcasecmp(e, no[i]))
			return 0;
	return 1;
}

void ctl_output_init(void)
{
	const char *e = getenv("COLUMNS"), *term = getenv("TERM");
	bool tty = isatty(STDOUT_FILENO);
	struct winsize ws;
	int c = env_colors();

	if (out.init)
		return;
	out.init = true;
	out.utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
	/* NO_COLOR wins over everything (no-color.org); then SYSTEMD_COLORS, then the tty. */
	if (getenv("NO_COLOR") && *getenv("NO_COLOR"))
		out.colors = false;
	else if (c >= 0)
		out.colors = c;
	else
		out.colors = tty && !(term && !strcmp(term, "dumb"));
	if (e && *e) {
		char *end;
		unsigned long v = strtoul(e, &end, 10);
		if (!*end && v > 0 && v < 100000)
			out.columns = (unsigned int)v;
	}
	if (!out.columns && tty && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col)
		out.columns = ws.ws_col;
}

bool ctl_colors(void)
{
	ctl_output_init();
	return out.colors;
}

#define ANSI(name, seq)                                                                            \
	const char *ctl_ansi_##name(void)                                                          \
	{                                                                                          \
		return ctl_colors() ? seq : "";                                                    \
	}
ANSI(green, "\033[0;1;32m")
ANSI(red, "\033[0;1;31m")
ANSI(yellow, "\033[0;1;33m")
ANSI(bold, "\033[1m")
ANSI(normal, "\033[0m")

unsigned int ctl_columns(void)
{
	ctl_output_init();
	return out.columns;
}

const char *ctl_ellipsis(void)
{
	ctl_output_init();
	return out.utf8 ? "\u2026" : "...";
}

/* ---- pager ------------------------------------------------------------------------------- */

void ctl_pager_open(const struct ctl_opts *o)
{
	const char *pager = getenv("SYSTEMD_PAGER");
	int fds[2];
	pid_t pid;

	ctl_output_init();
	if (o->no_pager || out.pager > 0 || !isatty(STDOUT_FILENO))
		return;
	if (!pager)
		pager = getenv("PAGER");
	if (pager && (!*pager || !strcmp(pager, "cat")))
		return;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return;
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return;
	}
	if (pid == 0) {
		/* less: quit if one screen, raw colours, keep the screen, Ctrl-C quits */
		dup2(fds[0], STDIN_FILENO);
		setenv("LESS", "FRSXMK", 0);
		signal(SIGPIPE, SIG_DFL);
		if (pager)
			execl("/bin/sh", "sh", "-c", pager, (char *)NULL);
		execlp("less", "less", (char *)NULL);
		execlp("more", "more", (char *)NULL);
		/* no pager at all: copy through */
		char buf[4096];
		ssize_t n;
		while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0)
			if (write(STDOUT_FILENO, buf, (size_t)n) != n)
				break;
		_exit(0);
	}
	dup2(fds[1], STDOUT_FILENO);
	close(fds[0]);
	close(fds[1]);
	out.pager = pid;
	/* the pager handles Ctrl-C; we go on until it quits */
	signal(SIGINT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
}

void ctl_pager_close(void)
{
	if (out.pager <= 0)
		return;
	fflush(stdout);
	close(STDOUT_FILENO);
	while (waitpid(out.pager, NULL, 0) < 0 && errno == EINTR)
		;
	out.pager = 0;
}

/* ---- JSON -------------------------------------------------------------------------------- */

int ctl_json_print(const struct ctl_opts *o, json_object *v)
{
	return ju_print(stdout, v, o->json == CTL_JSON_PRETTY);
}

/* ---- tables ------------------------------------------------------------------------------ */

/* Walk @s one character at a time: its byte length and columns (invalid bytes: one each). */
static size_t char_next(const char *s, size_t *cols)
{
	mbstate_t st = { 0 };
	wchar_t wc;
	size_t n = mbrtowc(&wc, s, MB_CUR_MAX, &st);
	int cw;

	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		*cols = 1;
		return 1;
	}
	cw = wcwidth(wc);
	*cols = cw > 0 ? (size_t)cw : 0;
	return n;
}

static size_t str_width(const char *s)
{
	size_t w = 0, cw;

	while (*s) {
		s += char_next(s, &cw);
		w += cw;
	}
	return w;
}

/* Bytes of the longest head (or tail) of @s that fits @width columns. */
static size_t fit_bytes(const char *s, size_t width, bool tail)
{
	size_t len = strlen(s), off = 0, used = 0, best = 0, cw;

	if (!tail) {
		while (off < len) {
			size_t n = char_next(s + off, &cw);
			if (used + cw > width)
				break;
			used += cw;
			off += n;
		}
		return off;
	}
	/* from the end: the shortest suffix starting at a character boundary that still fits */
	for (off = 0; off < len; off += char_next(s + off, &cw))
		if (str_width(s + off) <= width) {
			best = len - off;
			break;
		}
	return best;
}

char *ctl_ellipsize_middle(const char *s, size_t width)
{
	const char *ell = ctl_ellipsis();
	size_t ew = str_width(ell), head, tail, len = strlen(s);
	char *r;

	if (str_width(s) <= width)
		return strdup(s);
	if (width <= ew)
		return strndup(ell, width); /* too narrow for anything else */
	/* the head gets the extra column: "qcom/sa8…/adsp.mbn" */
	head = fit_bytes(s, (width - ew + 1) / 2, false);
	tail = fit_bytes(s, (width - ew) / 2, true);
	if (head + tail > len)
		tail = len - head;
	r = malloc(head + strlen(ell) + tail + 1);
	if (!r)
		return NULL;
	memcpy(r, s, head);
	strcpy(r + head, ell);
	strcat(r, s + len - tail);
	return r;
}

struct ctl_table {
	const struct ctl_opts *o;
	const struct ctl_column *cols;
	size_t n_cols;
	char **cells; /* rows * n_cols */
	const char **colors;
	size_t n_rows;
};

struct ctl_table *ctl_table_new(const struct ctl_opts *o, const struct ctl_column *cols,
				size_t n_cols)
{
	struct ctl_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->o = o;
	t->cols = cols;
	t->n_cols = n_cols;
	return t;
}

void ctl_table_free(struct ctl_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->colors);
	free(t);
}

size_t ctl_table_rows(const struct ctl_table *t)
{
	return t->n_rows;
}

int ctl_table_add(struct ctl_table *t, const char *const *cells, const char *color)
{
	char **v = realloc(t->cells, (t->n_rows + 1) * t->n_cols * sizeof(*v));
	const char **c;

	if (!v)
		return -ENOMEM;
	t->cells = v;
	c = realloc(t->colors, (t->n_rows + 1) * sizeof(*c));
	if (!c)
		return -ENOMEM;
	t->colors = c;
	for (size_t k = 0; k < t->n_cols; k++) {
		v[t->n_rows * t->n_cols + k] = strdup(cells[k] ? cells[k] : "-");
		if (!v[t->n_rows * t->n_cols + k]) {
			for (size_t j = 0; j < k; j++)
				free(v[t->n_rows * t->n_cols + j]);
			return -ENOMEM;
		}
	}
	c[t->n_rows] = color && *color ? color : NULL;
	t->n_rows++;
	return 0;
}

/*
 * libsmartcols lays the table out and prints it; what it cannot do is shorten a value in the
 * middle (it cuts the end), so the widths are decided here first: each column as wide as its
 * widest cell, and when that passes the terminal, the shortenable columns give up columns
 * down to their header's width.
 */
static void fit_width(struct ctl_table *t)
{
	size_t w[16] = { 0 }, total = 0, cols = ctl_columns();

	if (t->o->full || !cols || t->n_cols > ARRAY_SIZE(w))
		return;
	for (size_t k = 0; k < t->n_cols; k++) {
		w[k] = t->o->no_legend ? 1 : str_width(t->cols[k].header);
		for (size_t i = 0; i < t->n_rows; i++) {
			size_t cw = str_width(t->cells[i * t->n_cols + k]);
			w[k] = cw > w[k] ? cw : w[k];
		}
		total += w[k] + (k ? 1 : 0);
	}
	for (size_t k = 0; k < t->n_cols && total > cols; k++) {
		size_t min = str_width(t->cols[k].header), give;

		if (!(t->cols[k].flags & CTL_COL_SHORTEN))
			continue;
		min = min < 8 ? 8 : min;
		if (w[k] <= min)
			continue;
		give = w[k] - min < total - cols ? w[k] - min : total - cols;
		w[k] -= give;
		total -= give;
		for (size_t i = 0; i < t->n_rows; i++) {
			char **cell = &t->cells[i * t->n_cols + k];
			char *s = ctl_ellipsize_middle(*cell, w[k]);

			if (s) {
				free(*cell);
				*cell = s;
			}
		}
	}
}

DEFINE_TRIVIAL_CLEANUP_FUNC(struct libscols_table *, scols_unref_table)

int ctl_table_print(struct ctl_table *t)
{
	_cleanup_(scols_unref_tablep) struct libscols_table *tb = scols_new_table();
	size_t color_col = 0;
	int r = 0;

	if (!tb) {
		ctl_table_free(t);
		return -ENOMEM;
	}
	fit_width(t);
	for (size_t k = 0; k < t->n_cols; k++)
		if (t->cols[k].flags & CTL_COL_COLOR) {
			color_col = k;
			break;
		}
	/* The widths are ours: libsmartcols must not look at the terminal again. */
	scols_table_set_termforce(tb, SCOLS_TERMFORCE_NEVER);
	scols_table_enable_noheadings(tb, t->o->no_legend);
	scols_table_enable_colors(tb, ctl_colors());
	for (size_t k = 0; k < t->n_cols && r == 0; k++)
		if (!scols_table_new_column(tb, t->cols[k].header, 1,
					    t->cols[k].flags & CTL_COL_RIGHT ? SCOLS_FL_RIGHT : 0))
			r = -ENOMEM;
	for (size_t i = 0; i < t->n_rows && r == 0; i++) {
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		if (!ln) {
			r = -ENOMEM;
			break;
		}
		for (size_t k = 0; k < t->n_cols && r == 0; k++)
			r = scols_line_set_data(ln, k, t->cells[i * t->n_cols + k]);
		if (r == 0 && t->colors[i])
			r = scols_cell_set_color(scols_line_get_cell(ln, color_col), t->colors[i]);
	}
	if (r == 0 && t->n_rows)
		r = scols_print_table(tb);
	ctl_table_free(t);
	if (fflush(stdout) == EOF && !r)
		r = -errno;
	return r;
}
