// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target for the daemon's configuration parser (daemon/shared/conf.c, through its pure entry
 * point conf_parse_text()): any text in, a configuration whose every field is in range out,
 * warnings that name the file and a line that exists, never a crash, an over-read or a leak.
 * Seeds: corpus-conf/ and conf/rprocd.conf.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "fuzz-replay.h"

const struct fuzz_seed fuzz_seeds[1];
const size_t fuzz_n_seeds = 0;

#define FUZZ_FILE "fuzz.conf"

#define CHECK(x)                                                                                   \
	do {                                                                                       \
		if (!(x))                                                                          \
			__builtin_trap();                                                          \
	} while (0)

struct warn_ctx {
	unsigned int lines; /* lines in the text (a last line without '\n' counts) */
	unsigned int n;
};

static void on_warn(const char *file, unsigned int line, const char *msg, void *ud)
{
	struct warn_ctx *w = ud;

	CHECK(!strcmp(file, FUZZ_FILE));
	/* every warning points at a line of the text */
	CHECK(line >= 1 && line <= w->lines);
	CHECK(msg && msg[0]);
	w->n++;
}

/* The same rule conf.c applies to core names: what a D-Bus path and a journal field can hold. */
static bool name_ok(const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	if (n == 0 || n == max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-' && s[i] != '.')
			return false;
	return true;
}

static void check_conf(const struct conf *c, const struct warn_ctx *w)
{
	CHECK(c->n_warnings == w->n);
	CHECK(c->backend <= CONF_BACKEND_MODULE);
	CHECK(c->iommu <= CONF_IOMMU_VFIO_TYPE1);
	CHECK(c->n_firmware_path <= 16);
	CHECK(!c->n_firmware_path == !c->firmware_path);
	for (size_t i = 0; i < c->n_firmware_path; i++)
		CHECK(c->firmware_path[i][0] == '/');
	CHECK(!c->coredump_dir || c->coredump_dir[0] == '/');
	CHECK(!c->backend_module || c->backend_module[0] == '/');
	CHECK(!c->control_group || name_ok(c->control_group, 64));
	/* an empty value is stored as NULL, never as "" */
	CHECK(!c->sim_config || c->sim_config[0]);
	CHECK(!c->backend_module_args || c->backend_module_args[0]);
	CHECK(c->ready_timeout_ms > 0 && c->stop_timeout_ms > 0);
	CHECK(c->n_rprocs <= 256);
	for (size_t i = 0; i < c->n_rprocs; i++) {
		const struct conf_rproc *r = &c->rprocs[i];

		CHECK(name_ok(r->name, sizeof(r->name)));
		CHECK(conf_rproc_find(c, r->name) == r); /* one section per name */
		CHECK(r->auto_start >= CONF_UNSET && r->auto_start <= 1);
		CHECK(r->recovery >= CONF_UNSET && r->recovery <= 1);
		CHECK(r->stop_on_exit >= CONF_UNSET && r->stop_on_exit <= 1);
		CHECK(r->restart_limit >= CONF_UNSET && r->restart_limit <= 1000);
		CHECK(r->restart_window_s == CONF_UNSET || r->restart_window_s >= 1);
		CHECK(r->pas_id >= CONF_UNSET);
		CHECK(!r->firmware || (r->firmware[0] && r->firmware[0] != '/'));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct warn_ctx w = { .lines = 1 };
	struct conf c;
	char *text;

	/* conf_parse_text() takes a string; the daemon refuses files with NUL bytes */
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (const char *p = text; (p = strchr(p, '\n')); p++)
		w.lines++;

	conf_init(&c);
	conf_parse_text(&c, text, FUZZ_FILE, on_warn, &w);
	check_conf(&c, &w);
	/* a second file on top (as drop-ins are): what it sets replaces, nothing leaks */
	conf_parse_text(&c, text, FUZZ_FILE, on_warn, &w);
	check_conf(&c, &w);
	conf_done(&c);
	free(text);
	return 0;
}
