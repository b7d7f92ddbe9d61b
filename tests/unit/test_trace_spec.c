// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests for src/trace_spec.c: the --trace value and its matching. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>

#include <cmocka.h>

#include "minivmm/trace.h"

static int parse(const char *s, struct trace_spec *sp)
{
	char err[512] = "";
	int ret = trace_spec_parse(s, sp, err, sizeof(err));

	if (ret)
		assert_non_null(strstr(err, "e.g. --trace 0000:03:00.0:bar0:0x0+0x100"));
	return ret;
}

static void test_forms(void **state)
{
	struct trace_spec sp;

	(void)state;
	assert_int_equal(parse("0000:03:00.0:bar0:0x0+0x100", &sp), 0);
	assert_int_equal(sp.bdf.bus, 3);
	assert_int_equal(sp.region, 0);
	assert_int_equal(sp.off, 0);
	assert_int_equal(sp.len, 0x100);
	assert_int_equal(parse("00:1f.7:config", &sp), 0);
	assert_int_equal(sp.bdf.dev, 0x1f);
	assert_int_equal(sp.bdf.fn, 7);
	assert_int_equal(sp.region, TRACE_CONFIG);
	assert_int_equal(parse("0000:00:02.0:bar5:4096", &sp), 0);
	assert_int_equal(sp.region, 5);
	assert_int_equal(sp.off, 4096);
	assert_int_equal(sp.len, 0);
	assert_int_equal(parse("0000:00:02.0:bar6", &sp), -EINVAL);
	assert_int_equal(parse("0000:00:02.0:bar1:0x10+0", &sp), -EINVAL);
	assert_int_equal(parse("0000:00:02.0:bar1:0xffffffffffffffff+2", &sp), -EINVAL);
	assert_int_equal(parse("0000:00:02.0", &sp), -EINVAL);
}

/*
 * OFFSET and LEN are decimal or 0x-hex: "010" is ten, not eight, and
 * "08" is eight, not refused; blanks and signs are refused, not read as
 * a negative (wrapped) offset that never matches, and a second 0x prefix
 * is no number (found by fuzzing).
 */
static void test_numbers_decimal_or_hex_only(void **state)
{
	struct trace_spec sp;

	(void)state;
	assert_int_equal(parse("0000:30:02.0:bar4:08", &sp), 0);
	assert_int_equal(sp.off, 8);
	assert_int_equal(parse("0000:30:02.0:bar4:010+010", &sp), 0);
	assert_int_equal(sp.off, 10);
	assert_int_equal(sp.len, 10);
	assert_int_equal(parse("0000:30:02.0:bar4:0X1f", &sp), 0);
	assert_int_equal(sp.off, 0x1f);
	assert_int_equal(parse("0000:30:02.0:bar4: -16", &sp), -EINVAL);
	assert_int_equal(parse("0000:30:02.0:bar4: 16", &sp), -EINVAL);
	assert_int_equal(parse("0000:30:02.0:bar4:16+ 4", &sp), -EINVAL);
	assert_int_equal(parse("0000:30:02.0:bar4:16+-4", &sp), -EINVAL);
	assert_int_equal(parse("0000:30:02.0:bar4:0x-4", &sp), -EINVAL);
	assert_int_equal(parse("0000:30:02.0:bar4:0x", &sp), -EINVAL);
	assert_int_equal(parse("0000:30:02.0:bar4:1a", &sp), -EINVAL);
	assert_int_equal(parse("0000:30:02.0:bar4:0+0x0x100", &sp), -EINVAL);
	assert_int_equal(parse("0000:30:02.0:bar4:0x0x100", &sp), -EINVAL);
	assert_int_equal(parse("0000:30:02.0:bar4:18446744073709551615", &sp), 0);
	assert_int_equal(parse("0000:30:02.0:bar4:18446744073709551616", &sp), -EINVAL);
	assert_int_equal(parse("0000:30:02.0:bar4:0x1ffffffffffffffff", &sp), -EINVAL);
}

static void test_hits(void **state)
{
	struct trace_spec sp;

	(void)state;
	assert_int_equal(parse("0000:00:02.0:bar2:0x10+8", &sp), 0);
	assert_false(trace_spec_hits(&sp, 2, 0x0c, 4));
	assert_true(trace_spec_hits(&sp, 2, 0x0d, 4));
	assert_true(trace_spec_hits(&sp, 2, 0x17, 1));
	assert_false(trace_spec_hits(&sp, 2, 0x18, 4));
	assert_false(trace_spec_hits(&sp, 1, 0x10, 4));
	assert_int_equal(parse("0000:00:02.0:bar2:0x10", &sp), 0);
	assert_true(trace_spec_hits(&sp, 2, 1ULL << 40, 4));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_numbers_decimal_or_hex_only),
		cmocka_unit_test(test_hits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
