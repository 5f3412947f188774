// SPDX-License-Identifier: GPL-2.0-or-later
/* Resource-table parser on hand-built tables (doc/trustzone-pas.md#resource-tables), including
 * every malformed class. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rproc/rsc.h"

struct tb {
	uint8_t b[1024];
	size_t len;
	uint32_t num;
};

static void w32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* header with room for @num offsets */
static void tb_init(struct tb *t, uint32_t num)
{
	memset(t, 0, sizeof(*t));
	w32(t->b, 1);
	w32(t->b + 4, num);
	t->len = 16 + 4 * (size_t)num;
}

/* append an entry of @type with a @body_len body; returns the body */
static uint8_t *tb_add(struct tb *t, uint32_t type, size_t body_len)
{
	uint8_t *e = t->b + t->len;

	w32(t->b + 16 + 4 * t->num, (uint32_t)t->len);
	t->num++;
	w32(e, type);
	t->len += 4 + body_len;
	assert_true(t->len <= sizeof(t->b));
	return e + 4;
}

static void devmem(uint8_t *body, uint32_t da, uint32_t pa, uint32_t len, uint32_t flags,
		   const char *name)
{
	w32(body, da);
	w32(body + 4, pa);
	w32(body + 8, len);
	w32(body + 12, flags);
	w32(body + 16, 0);
	strncpy((char *)body + 20, name, 32);
}

static int parse(const struct tb *t, size_t len, struct rproc_devmem **dm, size_t *n,
		 struct rproc_rsc_skipped *skipped, struct rproc_error *err)
{
	memset(err, 0, sizeof(*err));
	return rproc_rsc_parse(t->b, len, dm, n, skipped, err);
}

static void test_good(void **state)
{
	struct rproc_devmem *dm = NULL;
	struct rproc_error err;
	struct rproc_rsc_skipped skipped = { 99, 99, 99, 99, 99 };
	struct tb t;
	size_t n = 0;
	uint8_t *b;

	tb_init(&t, 8);
	devmem(tb_add(&t, RSC_DEVMEM, 52), 0x10000000, 0x0b000000, 0x1000, 0x3, "lpass_tcsr");
	tb_add(&t, RSC_CARVEOUT, 52);
	tb_add(&t, RSC_VENDOR_START, 8);
	tb_add(&t, RSC_TRACE, 44);
	b = tb_add(&t, RSC_DEVMEM, 52);
	devmem(b, 0x20000000, 0x1c000000, 0x20000, 0x13, "");
	memset(b + 20, 'x', 32); /* a name using all 32 bytes, no NUL */
	tb_add(&t, RSC_VDEV, 24);
	tb_add(&t, RSC_VENDOR_END, 0);
	tb_add(&t, 77, 0); /* unknown, not vendor */
	assert_int_equal(parse(&t, t.len, &dm, &n, &skipped, &err), 0);
	assert_int_equal(n, 2);
	/* counted by type, for the caller to say once what it ignores */
	assert_int_equal(skipped.carveout, 1);
	assert_int_equal(skipped.trace, 1);
	assert_int_equal(skipped.vdev, 1);
	assert_int_equal(skipped.vendor, 2);
	assert_int_equal(skipped.other, 1); /* 77 */
	assert_int_equal(dm[0].da, 0x10000000);
	assert_int_equal(dm[0].pa, 0x0b000000);
	assert_int_equal(dm[0].len, 0x1000);
	assert_int_equal(dm[0].flags, 0x3);
	assert_string_equal(dm[0].name, "lpass_tcsr");
	assert_int_equal(dm[1].flags, 0x13);
	assert_int_equal(strlen(dm[1].name), 31);
	free(dm);

	/* no entries at all */
	tb_init(&t, 0);
	assert_int_equal(parse(&t, t.len, &dm, &n, NULL, &err), 0);
	assert_null(dm);
	assert_int_equal(n, 0);

	/* trailing bytes after the last entry are allowed */
	tb_init(&t, 1);
	tb_add(&t, RSC_VENDOR_START + 1, 4);
	assert_int_equal(parse(&t, t.len + 100, &dm, &n, &skipped, &err), 0);
	assert_null(dm);
	assert_int_equal(skipped.vendor, 1);
	assert_int_equal(skipped.carveout + skipped.trace + skipped.vdev + skipped.other, 0);
}

static void expect_einval(const struct tb *t, size_t len, const char *what)
{
	struct rproc_devmem *dm = (void *)1;
	struct rproc_error err;
	size_t n = 5;
	struct rproc_rsc_skipped skipped;
	int r = parse(t, len, &dm, &n, &skipped, &err);

	if (r != -EINVAL)
		fail_msg("%s: got %d", what, r);
	assert_null(dm);
	assert_int_equal(n, 0);
	assert_int_equal(err.code, -EINVAL);
	assert_true(strlen(err.msg) > 0);
}

static void test_malformed(void **state)
{
	struct tb t;
	uint8_t *b;
	uint8_t empty[RPROC_RSC_HDR_SIZE];

	tb_init(&t, 1);
	devmem(tb_add(&t, RSC_DEVMEM, 52), 1, 2, 3, 4, "x");

	expect_einval(&t, 0, "empty");
	expect_einval(&t, 15, "short header");
	w32(t.b, 0);
	expect_einval(&t, t.len, "version 0");
	w32(t.b, 2);
	expect_einval(&t, t.len, "version 2");
	w32(t.b, 1);
	w32(t.b + 8, 1);
	expect_einval(&t, t.len, "reserved[0]");
	w32(t.b + 8, 0);
	w32(t.b + 12, 0x80000000);
	expect_einval(&t, t.len, "reserved[1]");
	w32(t.b + 12, 0);
	w32(t.b + 4, 0x40000000);
	expect_einval(&t, t.len, "num overflows");
	w32(t.b + 4, 0xffffffff);
	expect_einval(&t, t.len, "num ~0");
	w32(t.b + 4, 200);
	expect_einval(&t, t.len, "offsets past the end");
	w32(t.b + 4, 1);

	w32(t.b + 16, 8);
	expect_einval(&t, t.len, "offset into the header");
	w32(t.b + 16, 16);
	expect_einval(&t, t.len, "offset onto the offset array");
	w32(t.b + 16, (uint32_t)t.len);
	expect_einval(&t, t.len, "offset at the end");
	w32(t.b + 16, (uint32_t)t.len - 2);
	expect_einval(&t, t.len, "type word straddles the end");
	w32(t.b + 16, 0xfffffffe);
	expect_einval(&t, t.len, "offset near 4 GiB");
	w32(t.b + 16, 20);

	expect_einval(&t, t.len - 1, "devmem body truncated");
	b = t.b + 20 + 4;
	w32(b + 16, 1);
	expect_einval(&t, t.len, "devmem reserved");
	w32(b + 16, 0);
	{
		struct rproc_devmem *dm = NULL;
		struct rproc_error err;
		size_t n;

		assert_int_equal(parse(&t, t.len, &dm, &n, NULL, &err), 0);
		assert_int_equal(n, 1);
		free(dm);
	}

	/* the empty table sent when the firmware has none is ver 0: not a table to parse */
	memset(empty, 0x55, sizeof(empty));
	rproc_rsc_empty(empty);
	for (size_t i = 0; i < sizeof(empty); i++)
		assert_int_equal(empty[i], 0);
	{
		struct rproc_devmem *dm = NULL;
		size_t n;

		assert_int_equal(rproc_rsc_parse(empty, sizeof(empty), &dm, &n, NULL, NULL),
				 -EINVAL);
		assert_int_equal(rproc_rsc_parse(NULL, 0, &dm, &n, NULL, NULL), -EINVAL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
