// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests for src/loop.c: watches, dispatch, callbacks that unwatch. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "minivmm/loop.h"

static struct loop L;
static int calls[8];

static void cb(void *opaque, int fd, short revents)
{
	(void)opaque;
	assert_true(revents & POLLIN);
	calls[fd]++;
}

/* fd 3's callback unwatches fd 4: fd 4's later event is not dispatched. */
static void cb_unwatch(void *opaque, int fd, short revents)
{
	(void)revents;
	calls[fd]++;
	loop_unwatch(opaque, 4);
}

static void test_watch_dispatch_unwatch(void **state)
{
	struct pollfd p[8];
	unsigned int n;

	(void)state;
	memset(&L, 0, sizeof(L));
	memset(calls, 0, sizeof(calls));
	assert_int_equal(loop_watch(&L, 1, POLLIN, cb, NULL), 0);
	assert_int_equal(loop_watch(&L, 2, POLLIN, cb, NULL), 0);
	assert_int_equal(loop_watch(&L, 2, POLLIN, cb, NULL), -EEXIST);
	n = loop_pollfds(&L, p, 8);
	assert_int_equal(n, 2);
	p[0].revents = POLLIN;
	p[1].revents = 0;
	loop_dispatch(&L, p, n);
	assert_int_equal(calls[p[0].fd], 1);
	assert_int_equal(calls[p[1].fd], 0);
	loop_unwatch(&L, 1);
	loop_unwatch(&L, 7); /* not watched: nothing */
	assert_int_equal(loop_pollfds(&L, p, 8), 1);
	assert_int_equal(p[0].fd, 2);
	/* Only as many as asked for. */
	assert_int_equal(loop_watch(&L, 5, POLLIN, cb, NULL), 0);
	assert_int_equal(loop_pollfds(&L, p, 1), 1);
}

static void test_callback_unwatches_another(void **state)
{
	struct pollfd p[8];
	unsigned int n;

	(void)state;
	memset(&L, 0, sizeof(L));
	memset(calls, 0, sizeof(calls));
	loop_watch(&L, 3, POLLIN, cb_unwatch, &L);
	loop_watch(&L, 4, POLLIN, cb, NULL);
	n = loop_pollfds(&L, p, 8);
	p[0].revents = p[1].revents = POLLIN;
	loop_dispatch(&L, p, n);
	assert_int_equal(calls[3], 1);
	assert_int_equal(calls[4], 0);
}

static void test_full(void **state)
{
	(void)state;
	memset(&L, 0, sizeof(L));
	for (int i = 0; i < LOOP_MAX_WATCHES; i++)
		assert_int_equal(loop_watch(&L, 100 + i, POLLIN, cb, NULL), 0);
	assert_int_equal(loop_watch(&L, 99, POLLIN, cb, NULL), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_watch_dispatch_unwatch),
		cmocka_unit_test(test_callback_unwatches_another),
		cmocka_unit_test(test_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
