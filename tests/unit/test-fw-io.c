// SPDX-License-Identifier: GPL-2.0-or-later
/* rproc_io_copy / rproc_io_zero / rproc_io_zero_wc: every head/tail alignment, exact bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rproc/fw.h"

#define BUF 256
#define GUARD 0xee

static void test_copy(void **state)
{
	uint8_t src[BUF], dst[BUF + 32] __attribute__((aligned(16))), want[BUF + 32];

	for (size_t i = 0; i < BUF; i++)
		src[i] = (uint8_t)(i * 7 + 3);
	for (size_t doff = 0; doff < 16; doff++)
		for (size_t soff = 0; soff < 8; soff++)
			for (size_t n = 0; n <= 80; n++) {
				memset(dst, GUARD, sizeof(dst));
				memset(want, GUARD, sizeof(want));
				memcpy(want + doff, src + soff, n);
				rproc_io_copy(dst + doff, src + soff, n);
				assert_memory_equal(dst, want, sizeof(dst));
			}
}

static void test_zero(void **state)
{
	uint8_t dst[BUF + 32] __attribute__((aligned(16))), want[BUF + 32];

	for (size_t doff = 0; doff < 16; doff++)
		for (size_t n = 0; n <= 200; n++) {
			memset(dst, GUARD, sizeof(dst));
			memset(want, GUARD, sizeof(want));
			memset(want + doff, 0, n);
			rproc_io_zero(dst + doff, n);
			assert_memory_equal(dst, want, sizeof(dst));
		}
}

/* Whole 64-byte lines in the middle, narrow stores around them: every line phase. */
static void test_zero_wc(void **state)
{
	uint8_t dst[BUF + 128] __attribute__((aligned(64))), want[BUF + 128];

	for (size_t doff = 0; doff < 72; doff++)
		for (size_t n = 0; n <= BUF; n++) {
			memset(dst, GUARD, sizeof(dst));
			memset(want, GUARD, sizeof(want));
			memset(want + doff, 0, n);
			rproc_io_zero_wc(dst + doff, n);
			assert_memory_equal(dst, want, sizeof(dst));
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_zero),
		cmocka_unit_test(test_zero_wc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
