// SPDX-License-Identifier: GPL-2.0-only
/* The run's event log: order, times, bound, quoting, sink, summary and stats. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "minivmm/eventlog.h"

struct sunk {
	unsigned int n;
	char last[EVENTLOG_TEXT + 32];
};

static void sink(void *opaque, long t_ms, const char *kind, const char *what)
{
	struct sunk *s = opaque;

	s->n++;
	snprintf(s->last, sizeof(s->last), "%ld %s %s", t_ms, kind, what);
}

static char *printed(struct event_log *l, void (*fn)(struct event_log *, FILE *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(l, f);
	fclose(f);
	return buf;
}

static void test_order_and_describe(void **state)
{
	struct event_log l;
	char line[256];
	char *out;

	(void)state;
	eventlog_init(&l);
	l.t0_ms -= 1500; /* the run started 1.5 s ago */
	assert_int_equal(eventlog_count(&l), 0);
	assert_int_equal(eventlog_describe(&l, 0, line, sizeof(line)), -ENOENT);
	eventlog_add(&l, "drop-msi", "%s vector %d: next %u interrupts", "0000:00:03.0", 1, 5u);
	eventlog_add(&l, "unplug", "0000:00:04.0: removal requested");
	assert_int_equal(eventlog_count(&l), 2);
	assert_int_equal(eventlog_describe(&l, 0, line, sizeof(line)), 0);
	/* 1.5 s plus however long this took: well under a second more. */
	assert_true(!strncmp(line, "at 1.5", 6) || !strncmp(line, "at 1.6", 6));
	assert_non_null(strstr(line, " s: drop-msi 0000:00:03.0 vector 1: next 5 interrupts"));
	assert_int_equal(eventlog_describe(&l, 1, line, sizeof(line)), 0);
	assert_non_null(strstr(line, " s: unplug 0000:00:04.0: removal requested"));
	assert_int_equal(eventlog_describe(&l, 2, line, sizeof(line)), -ENOENT);

	out = printed(&l, eventlog_print_summary);
	assert_non_null(strstr(out, "minivmm: injected at 1."));
	assert_non_null(strstr(out, "drop-msi 0000:00:03.0 vector 1: next 5 interrupts\nminivmm: injected at "));
	assert_null(strstr(out, "more events"));
	free(out);
	eventlog_destroy(&l);
}

/* Quotes, backslashes and control characters cannot break the JSON of --stats. */
static void test_quoting_and_sink(void **state)
{
	struct event_log l;
	struct sunk s = { 0 };
	char *out;

	(void)state;
	eventlog_init(&l);
	l.sink = sink;
	l.sink_opaque = &s;
	eventlog_add(&l, "trace", "a\"b\\c\nd");
	assert_int_equal(s.n, 1);
	assert_non_null(strstr(s.last, " trace a_b_c_d"));
	out = printed(&l, eventlog_print_stats);
	assert_non_null(strstr(out, ", \"events\": [{\"t_ms\": "));
	assert_non_null(strstr(out, "\"kind\": \"trace\", \"what\": \"a_b_c_d\"}], \"events_dropped\": 0"));
	free(out);
	eventlog_destroy(&l);
}

/* Nothing happened: nothing printed. */
static void test_empty(void **state)
{
	struct event_log l;
	char *out;

	(void)state;
	eventlog_init(&l);
	out = printed(&l, eventlog_print_stats);
	assert_string_equal(out, "");
	free(out);
	out = printed(&l, eventlog_print_summary);
	assert_string_equal(out, "");
	free(out);
	eventlog_destroy(&l);
}

/* Past EVENTLOG_MAX events are counted, not kept; the sink still hears each. */
static void test_bound(void **state)
{
	struct event_log l;
	struct sunk s = { 0 };
	char line[256];
	char *out;

	(void)state;
	eventlog_init(&l);
	l.sink = sink;
	l.sink_opaque = &s;
	for (unsigned int i = 0; i < EVENTLOG_MAX + 3; i++)
		eventlog_add(&l, "spurious-msi", "n %u", i);
	assert_int_equal(s.n, EVENTLOG_MAX + 3);
	assert_int_equal(eventlog_count(&l), EVENTLOG_MAX);
	assert_int_equal(eventlog_describe(&l, EVENTLOG_MAX - 1, line, sizeof(line)), 0);
	assert_non_null(strstr(line, "spurious-msi n 255"));
	out = printed(&l, eventlog_print_summary);
	assert_non_null(strstr(out, "minivmm: ... and 3 more events\n"));
	free(out);
	out = printed(&l, eventlog_print_stats);
	assert_non_null(strstr(out, "\"events_dropped\": 3"));
	free(out);
	eventlog_destroy(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_describe),
		cmocka_unit_test(test_quoting_and_sink),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
