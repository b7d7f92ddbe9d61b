// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests for src/stress: the seeded generator and the jitter schedule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "minivmm/stress/jitter.h"
#include "minivmm/stress/rng.h"

static void test_rng_same_seed_same_stream(void **state)
{
	struct rng a, b, c;

	(void)state;
	rng_seed(&a, 42, 1);
	rng_seed(&b, 42, 1);
	rng_seed(&c, 42, 2);
	for (int i = 0; i < 1000; i++) {
		uint64_t x = rng_next(&a);

		assert_int_equal(x, rng_next(&b));
		(void)rng_next(&c);
	}
	/* Another stream of the same seed is another sequence. */
	rng_seed(&a, 42, 1);
	rng_seed(&c, 42, 2);
	assert_int_not_equal(rng_next(&a), rng_next(&c));
	/* Seed 0 is a seed like any other. */
	rng_seed(&a, 0, 0);
	assert_int_not_equal(rng_next(&a), 0);
}

static void test_rng_below_range_and_spread(void **state)
{
	struct rng r;
	unsigned int hist[7] = { 0 };

	(void)state;
	rng_seed(&r, 7, 0);
	assert_int_equal(rng_below(&r, 0), 0);
	assert_int_equal(rng_below(&r, 1), 0);
	for (int i = 0; i < 70000; i++) {
		uint64_t v = rng_below(&r, 7);

		assert_true(v < 7);
		hist[v]++;
	}
	/* Roughly uniform: each bucket within 10% of 10000. */
	for (int i = 0; i < 7; i++)
		assert_true(hist[i] > 9000 && hist[i] < 11000);
	assert_true(rng_below(&r, UINT64_MAX) < UINT64_MAX);
}

static void first_events(uint64_t seed, unsigned int ncpus, struct jitter_event *ev, unsigned int n)
{
	struct jitter_params p = { .rate = 200, .max_us = 5000 };
	struct jitter_sched s;

	jitter_sched_init(&s, seed, &p, ncpus);
	for (unsigned int i = 0; i < n; i++)
		jitter_next(&s, &ev[i]);
}

static void test_jitter_replays_with_the_same_seed(void **state)
{
	struct jitter_event a[20], b[20], c[20];
	unsigned int same = 0;

	(void)state;
	first_events(1234, 4, a, 20);
	first_events(1234, 4, b, 20);
	first_events(1235, 4, c, 20);
	assert_memory_equal(a, b, sizeof(a));
	for (int i = 0; i < 20; i++)
		same += a[i].vcpu == c[i].vcpu && a[i].hold_us == c[i].hold_us;
	assert_true(same < 5);
}

static void test_jitter_bounds_and_rate(void **state)
{
	struct jitter_params p = { .rate = 100, .max_us = 3000 };
	struct jitter_sched s;
	struct jitter_event ev;
	unsigned int per_cpu[3] = { 0 };
	uint64_t last = 0;

	(void)state;
	jitter_sched_init(&s, 99, &p, 3);
	for (int i = 0; i < 10000; i++) {
		jitter_next(&s, &ev);
		assert_true(ev.at_us >= last);
		last = ev.at_us;
		assert_true(ev.vcpu < 3);
		per_cpu[ev.vcpu]++;
		assert_true(ev.hold_us >= 1 && ev.hold_us <= 3000);
	}
	/* 10000 kicks at 100/s: about 100 s of schedule. */
	assert_true(last > 90000000 && last < 110000000);
	for (int i = 0; i < 3; i++)
		assert_true(per_cpu[i] > 3000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rng_same_seed_same_stream),
		cmocka_unit_test(test_rng_below_range_and_spread),
		cmocka_unit_test(test_jitter_replays_with_the_same_seed),
		cmocka_unit_test(test_jitter_bounds_and_rate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
