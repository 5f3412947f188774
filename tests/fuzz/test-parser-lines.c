// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Regressions the configuration fuzzers found: line numbers in the messages of both parsers,
 * and rprocd.conf lines longer than inih's line buffer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "sim-priv.h"

struct warns {
	unsigned int n;
	unsigned int line[8];
	char msg[8][512];
};

static void collect(const char *file, unsigned int line, const char *msg, void *ud)
{
	struct warns *w = ud;

	if (w->n < 8) {
		w->line[w->n] = line;
		snprintf(w->msg[w->n], sizeof(w->msg[0]), "%s", msg);
	}
	w->n++;
}

/*
 * A line longer than inih's buffer (200 bytes) used to reach inih in pieces: the piece after
 * the 199th character was read as a line of its own, so the tail of a comment set a key.
 */
static void test_conf_long_comment_tail(void **state)
{
	char text[512], pad[200];
	struct warns w = { 0 };
	struct conf c;

	memset(pad, 'x', 197);
	pad[197] = '\0';
	/* "# " + 197 characters: "Backend=real" starts at the 200th character */
	snprintf(text, sizeof(text), "[Daemon]\n# %sBackend=real\nControlGroup=ok\n", pad);
	conf_init(&c);
	conf_parse_text(&c, text, "t.conf", collect, &w);
	assert_int_equal(c.backend, CONF_BACKEND_AUTO);
	assert_string_equal(c.control_group, "ok"); /* the next line still applies */
	assert_int_equal(w.n, 1);
	assert_int_equal(w.line[0], 2);
	assert_non_null(strstr(w.msg[0], "longer than 199 characters"));
	conf_done(&c);
}

/* 199 characters fit (the '\n' need not); 200 do not; later lines keep their numbers. */
static void test_conf_line_limit(void **state)
{
	char text[512], val[200];
	struct warns w = { 0 };
	struct conf c;

	memset(val, 'a', 182);
	val[182] = '\0';
	snprintf(text, sizeof(text), "[Daemon]\nSimulationConfig=%s\nnot ini\n", val);
	conf_init(&c);
	conf_parse_text(&c, text, "t.conf", collect, &w);
	assert_non_null(c.sim_config);
	assert_int_equal(strlen(c.sim_config), 182);
	assert_int_equal(w.n, 1);
	assert_int_equal(w.line[0], 3);
	assert_non_null(strstr(w.msg[0], "syntax error"));
	conf_done(&c);

	w = (struct warns){ 0 };
	val[182] = 'a';
	val[183] = '\0';
	snprintf(text, sizeof(text), "[Daemon]\nSimulationConfig=%s\nnot ini\n", val);
	conf_init(&c);
	conf_parse_text(&c, text, "t.conf", collect, &w);
	assert_null(c.sim_config);
	assert_int_equal(w.n, 2);
	assert_int_equal(w.line[0], 2);
	assert_non_null(strstr(w.msg[0], "longer than"));
	assert_int_equal(w.line[1], 3); /* inih's count, now one per line */
	conf_done(&c);
}

static struct sim_shared sh = { .n_cores = 1, .cores = { { .name = "adsp" } } };

static void expect_sim_line(const char *text, const char *want)
{
	struct sim s = { .sh = &sh };
	struct rproc_error err = { 0 };
	struct sim_config c;

	sim_config_defaults(&c);
	assert_int_equal(sim_config_parse(&s, &c, text, false, &err), -EINVAL);
	if (!strstr(err.msg, want))
		fail_msg("\"%s\": got \"%s\", expected \"%s\"", text, err.msg, want);
}

/* A setting before a ';' was reported one line too early ("line 0" on the first line). */
static void test_sim_semicolon_lines(void **state)
{
	expect_sim_line("colour=blue;ready_delay_ms=5", "line 1: unknown key \"colour\"");
	expect_sim_line("ready_delay_ms=5;colour=blue", "line 1: unknown key \"colour\"");
	expect_sim_line("bridges=1\ncrash=nosuch:fatal:1;stop_ack=1", "line 2: crash: no such core");
	expect_sim_line("a=1;\nready_delay_ms=1", "line 1: unknown key \"a\"");
	expect_sim_line("ready_delay_ms=1;\n# x\nbad", "line 3: expected key=value");
	expect_sim_line("fail=nop:1;x=1\nready_delay_ms=1", "line 1: fail: unknown operation");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conf_long_comment_tail),
		cmocka_unit_test(test_conf_line_limit),
		cmocka_unit_test(test_sim_semicolon_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
