// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests for src/ratelimit.c: bursts per window, suppressed counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "minivmm/ratelimit.h"

static void test_burst_then_quiet_then_new_window(void **state)
{
	struct ratelimit rl = RATELIMIT_INIT;
	unsigned long sup = 99;

	(void)state;
	for (int i = 0; i < RATELIMIT_BURST; i++) {
		assert_true(ratelimit_allow(&rl, 1000 + i, &sup));
		assert_int_equal(sup, 0);
	}
	/* A guest hammering: nothing more in this window. */
	for (int i = 0; i < 1000; i++)
		assert_false(ratelimit_allow(&rl, 2000 + i, &sup));
	assert_false(ratelimit_allow(&rl, 1000 + RATELIMIT_WINDOW_MS - 1, NULL));
	/* The next window: the first message learns how many were dropped. */
	assert_true(ratelimit_allow(&rl, 1000 + RATELIMIT_WINDOW_MS, &sup));
	assert_int_equal(sup, 1001);
	assert_true(ratelimit_allow(&rl, 1000 + RATELIMIT_WINDOW_MS + 1, &sup));
	assert_int_equal(sup, 0);
}

static void test_time_zero_and_backwards(void **state)
{
	struct ratelimit rl = RATELIMIT_INIT;

	(void)state;
	/* now == 0 still opens a window (0 means "none yet"). */
	for (int i = 0; i < RATELIMIT_BURST; i++)
		assert_true(ratelimit_allow(&rl, 0, NULL));
	assert_false(ratelimit_allow(&rl, 0, NULL));
	/* A clock that goes back does not reopen the window. */
	assert_false(ratelimit_allow(&rl, -5000, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_quiet_then_new_window),
		cmocka_unit_test(test_time_zero_and_backwards),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
