// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests for src/bus.c: claims, overlap refusal, dispatch, counters. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "minivmm/bus.h"

/* A fake device: records its last access. */
struct fake_dev {
	int id;
	unsigned int calls;
	uint64_t offset;
	unsigned int len;
	bool is_write;
	uint32_t wdata;
	uint32_t rvalue;
};

static void fake_handler(void *opaque, uint64_t offset, void *data, unsigned int len, bool is_write)
{
	struct fake_dev *d = opaque;

	d->calls++;
	d->offset = offset;
	d->len = len;
	d->is_write = is_write;
	if (is_write) {
		d->wdata = 0;
		memcpy(&d->wdata, data, len < 4 ? len : 4);
	} else {
		memcpy(data, &d->rvalue, len < 4 ? len : 4);
	}
}

static int setup(void **state)
{
	struct bus *b = calloc(1, sizeof(*b));

	if (!b || bus_init(b, "test"))
		return -1;
	*state = b;
	return 0;
}

static int teardown(void **state)
{
	bus_destroy(*state);
	free(*state);
	return 0;
}

static void test_init_empty(void **state)
{
	struct bus *b = *state;
	uint32_t v = 0;

	assert_string_equal(b->name, "test");
	assert_int_equal(b->nranges, 0);
	assert_true(b->lock_ready);
	assert_false(bus_access(b, 0x1000, &v, 4, false));
	assert_int_equal(v, 0xffffffff);
}

static void test_register_and_dispatch_with_offset(void **state)
{
	struct bus *b = *state;
	struct fake_dev a = { .id = 1, .rvalue = 0x11223344 }, c = { .id = 2, .rvalue = 0x55667788 };
	uint32_t v = 0;

	assert_int_equal(bus_register(b, 0x3f8, 8, fake_handler, &a, NULL), 0);
	assert_int_equal(bus_register(b, 0xcf8, 8, fake_handler, &c, NULL), 0);
	assert_true(bus_access(b, 0x3fd, &v, 1, false));
	assert_int_equal(a.calls, 1);
	assert_int_equal(a.offset, 5);
	assert_int_equal(a.len, 1);
	assert_false(a.is_write);
	assert_int_equal(v & 0xff, 0x44);
	assert_int_equal(c.calls, 0);

	v = 0xdeadbeef;
	assert_true(bus_access(b, 0xcfc, &v, 4, true));
	assert_int_equal(c.calls, 1);
	assert_int_equal(c.offset, 4);
	assert_int_equal(c.len, 4);
	assert_true(c.is_write);
	assert_int_equal(c.wdata, 0xdeadbeef);
	assert_int_equal(a.calls, 1);

	/* First and last byte belong to the claim, the next byte does not. */
	assert_true(bus_access(b, 0x3f8, &v, 1, false));
	assert_int_equal(a.offset, 0);
	assert_true(bus_access(b, 0x3ff, &v, 1, false));
	assert_int_equal(a.offset, 7);
	assert_false(bus_access(b, 0x400, &v, 1, false));
	assert_false(bus_access(b, 0x3f7, &v, 1, false));
	assert_int_equal(a.calls, 3);
}

static void test_overlap_shapes_refused(void **state)
{
	struct bus *b = *state;
	struct fake_dev a = { 0 }, x = { 0 };
	static const struct {
		uint64_t base, len;
	} shapes[] = {
		{ 0x1000, 0x100 }, /* identical */
		{ 0x1010, 0x10 },  /* inside */
		{ 0x0f00, 0x101 }, /* straddling the start */
		{ 0x10ff, 0x10 },  /* straddling the end */
		{ 0x0f00, 0x400 }, /* covering */
		{ 0x1000, 1 },     /* first byte */
		{ 0x10ff, 1 },     /* last byte */
		{ 0, UINT64_MAX }, /* everything */
	};

	assert_int_equal(bus_register(b, 0x1000, 0x100, fake_handler, &a, NULL), 0);
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		int ret = bus_register(b, shapes[i].base, shapes[i].len, fake_handler, &x, NULL);

		if (ret != -EEXIST)
			fail_msg("[%#llx, +%#llx) over [0x1000, +0x100) returned %d",
				 (unsigned long long)shapes[i].base, (unsigned long long)shapes[i].len, ret);
	}
	assert_int_equal(b->nranges, 1);
}

static void test_overlap_with_second_of_two(void **state)
{
	struct bus *b = *state;
	struct fake_dev a = { 0 }, x = { 0 };

	assert_int_equal(bus_register(b, 0x1000, 0x100, fake_handler, &a, NULL), 0);
	assert_int_equal(bus_register(b, 0x3000, 0x100, fake_handler, &a, NULL), 0);
	/* Starts in the gap, runs into the second claim. */
	assert_int_equal(bus_register(b, 0x2000, 0x1001, fake_handler, &x, NULL), -EEXIST);
	/* Covers both. */
	assert_int_equal(bus_register(b, 0x0800, 0x4000, fake_handler, &x, NULL), -EEXIST);
	/* Fills the gap exactly. */
	assert_int_equal(bus_register(b, 0x1100, 0x1f00, fake_handler, &x, NULL), 0);
	assert_int_equal(b->nranges, 3);
}

static void test_adjacent_ranges_ok(void **state)
{
	struct bus *b = *state;
	struct fake_dev a = { .id = 1 }, l = { .id = 2 }, r = { .id = 3 };
	uint8_t v;

	assert_int_equal(bus_register(b, 0x100, 0x10, fake_handler, &a, NULL), 0);
	assert_int_equal(bus_register(b, 0x0f0, 0x10, fake_handler, &l, NULL), 0);
	assert_int_equal(bus_register(b, 0x110, 0x10, fake_handler, &r, NULL), 0);
	assert_int_equal(b->nranges, 3);
	assert_true(bus_access(b, 0xff, &v, 1, false));
	assert_int_equal(l.calls, 1);
	assert_int_equal(l.offset, 0xf);
	assert_true(bus_access(b, 0x100, &v, 1, false));
	assert_int_equal(a.calls, 1);
	assert_int_equal(a.offset, 0);
	assert_true(bus_access(b, 0x10f, &v, 1, false));
	assert_int_equal(a.calls, 2);
	assert_true(bus_access(b, 0x110, &v, 1, false));
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.offset, 0);
}

static void test_register_invalid(void **state)
{
	struct bus *b = *state;
	struct fake_dev a = { 0 };

	assert_int_equal(bus_register(b, 0x1000, 0, fake_handler, &a, NULL), -EINVAL);
	assert_int_equal(bus_register(b, UINT64_MAX, 2, fake_handler, &a, NULL), -EINVAL);
	assert_int_equal(bus_register(b, UINT64_MAX - 0xfff, 0x2000, fake_handler, &a, NULL), -EINVAL);
	assert_int_equal(bus_register(b, 0x1000, UINT64_MAX, fake_handler, &a, NULL), -EINVAL);
	assert_int_equal(bus_register(b, 0x1000, 4, NULL, &a, NULL), -EINVAL);
	assert_int_equal(b->nranges, 0);
	/* Up to, but not through, the top of the address space. */
	assert_int_equal(bus_register(b, UINT64_MAX - 0xfff, 0xfff, fake_handler, &a, NULL), 0);
	assert_int_equal(b->nranges, 1);
}

static void test_unregister(void **state)
{
	struct bus *b = *state;
	struct fake_dev a = { 0 }, other = { 0 };
	uint32_t v;

	assert_int_equal(bus_register(b, 0x2000, 0x100, fake_handler, &a, NULL), 0);
	assert_int_equal(bus_unregister(b, 0x2000, &other), -ENOENT); /* wrong owner */
	assert_int_equal(bus_unregister(b, 0x2010, &a), -ENOENT);     /* not its base */
	assert_int_equal(bus_unregister(b, 0x3000, &a), -ENOENT);     /* nothing there */
	assert_int_equal(b->nranges, 1);
	assert_true(bus_access(b, 0x2000, &v, 4, false));

	assert_int_equal(bus_unregister(b, 0x2000, &a), 0);
	assert_int_equal(b->nranges, 0);
	assert_false(bus_access(b, 0x2000, &v, 4, false));
	assert_int_equal(a.calls, 1);
	assert_int_equal(bus_unregister(b, 0x2000, &a), -ENOENT);
	/* The space is free again. */
	assert_int_equal(bus_register(b, 0x2080, 0x100, fake_handler, &other, NULL), 0);
}

static void test_unregister_middle_keeps_neighbours(void **state)
{
	struct bus *b = *state;
	struct fake_dev d[3] = { { .id = 0 }, { .id = 1 }, { .id = 2 } };
	uint8_t v;

	for (int i = 0; i < 3; i++)
		assert_int_equal(bus_register(b, 0x100 * (i + 1), 0x10, fake_handler, &d[i], NULL), 0);
	assert_int_equal(bus_unregister(b, 0x200, &d[1]), 0);
	assert_true(bus_access(b, 0x105, &v, 1, false));
	assert_false(bus_access(b, 0x205, &v, 1, false));
	assert_true(bus_access(b, 0x305, &v, 1, false));
	assert_int_equal(d[0].calls, 1);
	assert_int_equal(d[1].calls, 0);
	assert_int_equal(d[2].calls, 1);
}

static void test_counters(void **state)
{
	struct bus *b = *state;
	struct fake_dev a = { 0 }, c = { 0 };
	struct stat_counter ca = { .name = "a" };
	uint32_t v;

	assert_int_equal(bus_register(b, 0x100, 8, fake_handler, &a, &ca), 0);
	assert_int_equal(bus_register(b, 0x200, 8, fake_handler, &c, NULL), 0);
	for (int i = 0; i < 5; i++)
		assert_true(bus_access(b, 0x100 + i, &v, 1, i & 1));
	assert_int_equal(atomic_load(&ca.count), 5);
	assert_true(bus_access(b, 0x200, &v, 1, false)); /* no counter: fine */
	assert_int_equal(atomic_load(&ca.count), 5);
	assert_int_equal(atomic_load(&b->unclaimed), 0);
}

static void test_unclaimed_reads_all_ones_and_counts(void **state)
{
	struct bus *b = *state;
	struct fake_dev a = { 0 };
	uint64_t v8 = 0;
	uint32_t v4 = 0;
	uint16_t v2 = 0;
	uint8_t buf[4] = { 1, 2, 3, 4 };

	assert_int_equal(bus_register(b, 0x100, 8, fake_handler, &a, NULL), 0);
	assert_false(bus_access(b, 0x50, &v8, 8, false));
	assert_int_equal(v8, UINT64_MAX);
	assert_false(bus_access(b, 0x108, &v4, 4, false));
	assert_int_equal(v4, 0xffffffff);
	/* Only @len bytes are filled. */
	assert_false(bus_access(b, 0x1000, buf, 2, false));
	assert_int_equal(buf[0], 0xff);
	assert_int_equal(buf[1], 0xff);
	assert_int_equal(buf[2], 3);
	/* Writes are dropped, data untouched, and counted. */
	v2 = 0x1234;
	assert_false(bus_access(b, 0x1000, &v2, 2, true));
	assert_int_equal(v2, 0x1234);
	assert_int_equal(atomic_load(&b->unclaimed), 4);
	assert_int_equal(a.calls, 0);
}

static void test_many_ranges_random_order(void **state)
{
	enum { N = 100 };
	struct bus *b = *state;
	struct fake_dev d[N];
	unsigned int order[N];
	uint32_t seed = 12345;
	uint32_t v;

	memset(d, 0, sizeof(d));
	for (unsigned int i = 0; i < N; i++) {
		d[i].id = i;
		order[i] = i;
	}
	for (unsigned int i = N - 1; i > 0; i--) { /* Fisher-Yates with an LCG */
		unsigned int j, t;

		seed = seed * 1103515245 + 12345;
		j = (seed >> 16) % (i + 1);
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	/* Range i: [0x1000 * i + 0x100, +0x80 + i) with gaps between. */
	for (unsigned int k = 0; k < N; k++) {
		unsigned int i = order[k];

		assert_int_equal(bus_register(b, 0x1000ULL * i + 0x100, 0x80 + i, fake_handler, &d[i], NULL), 0);
	}
	assert_int_equal(b->nranges, N);
	for (unsigned int i = 1; i < N; i++)
		assert_true(b->ranges[i - 1].base + b->ranges[i - 1].len <= b->ranges[i].base);
	for (unsigned int i = 0; i < N; i++) {
		uint64_t base = 0x1000ULL * i + 0x100;

		assert_true(bus_access(b, base, &v, 1, false));
		assert_int_equal(d[i].offset, 0);
		assert_true(bus_access(b, base + 0x7f + i, &v, 1, false));
		assert_int_equal(d[i].offset, 0x7f + i);
		assert_int_equal(d[i].calls, 2);
		assert_false(bus_access(b, base - 1, &v, 1, false));
		assert_false(bus_access(b, base + 0x80 + i, &v, 1, false));
		/* Overlapping every one of them is refused. */
		assert_int_equal(bus_register(b, base + 0x10, 0x1000, fake_handler, &d[0], NULL), -EEXIST);
	}
	assert_int_equal(atomic_load(&b->unclaimed), 2 * N);
	/* Drop the even ones in shuffled order; the odd ones still answer. */
	for (unsigned int k = 0; k < N; k++)
		if (order[k] % 2 == 0)
			assert_int_equal(bus_unregister(b, 0x1000ULL * order[k] + 0x100, &d[order[k]]), 0);
	assert_int_equal(b->nranges, N / 2);
	for (unsigned int i = 0; i < N; i++)
		assert_int_equal(bus_access(b, 0x1000ULL * i + 0x110, &v, 1, false), i % 2 == 1);
}

/* A handler that moves its own claim, as a BAR write does. */
struct mover {
	struct bus *bus;
	uint64_t base;
	unsigned int calls;
};

static void moving_handler(void *opaque, uint64_t offset, void *data, unsigned int len, bool is_write)
{
	struct mover *m = opaque;

	(void)offset, (void)data, (void)len, (void)is_write;
	m->calls++;
	assert_int_equal(bus_unregister(m->bus, m->base, m), 0);
	m->base += 0x1000;
	assert_int_equal(bus_register(m->bus, m->base, 0x100, moving_handler, m, NULL), 0);
}

static void test_handler_may_move_its_claim(void **state)
{
	struct bus *b = *state;
	struct mover m = { .bus = b, .base = 0x10000 };
	uint32_t v = 0;

	assert_int_equal(bus_register(b, m.base, 0x100, moving_handler, &m, NULL), 0);
	assert_true(bus_access(b, 0x10000, &v, 4, true));
	assert_int_equal(m.base, 0x11000);
	assert_false(bus_access(b, 0x10000, &v, 4, false));
	assert_true(bus_access(b, 0x11004, &v, 4, true));
	assert_int_equal(m.calls, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_and_dispatch_with_offset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlap_shapes_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlap_with_second_of_two, setup, teardown),
		cmocka_unit_test_setup_teardown(test_adjacent_ranges_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_invalid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unregister, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unregister_middle_keeps_neighbours, setup, teardown),
		cmocka_unit_test_setup_teardown(test_counters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unclaimed_reads_all_ones_and_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_ranges_random_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handler_may_move_its_claim, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
