// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the streaming KTAP/TAP parser (src/runner/ktap.c), on
 * samples modeled on what KUnit and kselftest print on a guest console,
 * plus a deterministic fuzz loop over ktap_fuzz_one() so ASan/UBSan check
 * the parser on garbage without libFuzzer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "minivmm/runner/ktap.h"

struct fixture {
	struct ktap_parser *p;
	unsigned int ncb;		/* on_case calls */
	struct ktap_case last;		/* copy of the last case (diag not kept) */
};

static void on_case(void *opaque, const struct ktap_case *c)
{
	struct fixture *f = opaque;

	f->ncb++;
	f->last = *c;
	f->last.diag = NULL;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->p = ktap_new(on_case, f);
	if (!f->p)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ktap_free(f->p);
	free(f);
	return 0;
}

/* Feed @text line by line (split at '\n'). */
static void feed(struct fixture *f, const char *text)
{
	char line[16384];
	const char *nl;
	size_t n;

	while (*text) {
		nl = strchr(text, '\n');
		n = nl ? (size_t)(nl - text) : strlen(text);
		assert_true(n < sizeof(line));
		memcpy(line, text, n);
		line[n] = '\0';
		ktap_feed(f->p, line);
		text += n + (nl ? 1 : 0);
	}
}

static const struct ktap_case *at(struct fixture *f, size_t i)
{
	const struct ktap_case *c = ktap_case_at(f->p, i);

	assert_non_null(c);
	return c;
}

static void check(struct fixture *f, size_t i, const char *suite, const char *name,
		  enum ktap_status st, unsigned int depth, bool has_subtests)
{
	const struct ktap_case *c = at(f, i);

	assert_string_equal(c->suite, suite);
	assert_string_equal(c->name, name);
	assert_int_equal(c->status, st);
	assert_int_equal(c->depth, depth);
	assert_int_equal(c->has_subtests, has_subtests);
}

static void check_sum(struct fixture *f, unsigned int pass, unsigned int fail,
		      unsigned int skip, unsigned int todo, unsigned int err)
{
	const struct ktap_summary *s = ktap_summary(f->p);

	assert_int_equal(s->passed, pass);
	assert_int_equal(s->failed, fail);
	assert_int_equal(s->skipped, skip);
	assert_int_equal(s->todo, todo);
	assert_int_equal(s->errors, err);
}

/* KUnit (6.x format) through printk, as on a serial console. */
static const char kunit_sample[] =
	"[    0.512345] KTAP version 1\n"
	"[    0.512350] 1..2\n"
	"[    0.512400]     KTAP version 1\n"
	"[    0.512401]     # Subtest: example\n"
	"[    0.512402]     # module: kunit_example_test\n"
	"[    0.512403]     1..4\n"
	"[    0.512500]     # example_simple_test: initializing\n"
	"[    0.512600]     ok 1 example_simple_test\n"
	"[    0.512800]     ok 2 example_skip_test # SKIP this test should be skipped\n"
	"[    0.512900]     # example_fail_test: EXPECTATION FAILED at lib/kunit/kunit-example-test.c:42\n"
	"[    0.512901]     Expected 1 + 1 == 3, but\n"
	"[    0.512902]         1 + 1 == 2 (0x2)\n"
	"[    0.512903]     not ok 3 example_fail_test\n"
	"[    0.513000]         KTAP version 1\n"
	"[    0.513001]         # Subtest: example_params_test\n"
	"[    0.513100]         ok 1 example value 3 # SKIP unsupported param value 3\n"
	"[    0.513200]         ok 2 example value 2\n"
	"[    0.513300]         ok 3 example value 1\n"
	"[    0.513400]     # example_params_test: pass:2 fail:0 skip:1 total:3\n"
	"[    0.513500]     ok 4 example_params_test\n"
	"[    0.513600] # example: pass:2 fail:1 skip:2 total:5\n"
	"[    0.513700] not ok 1 example\n"
	"[    0.514000]     KTAP version 1\n"
	"[    0.514001]     # Subtest: list-kunit-test\n"
	"[    0.514002]     1..2\n"
	"[    0.514100]     ok 1 list_test_list_init\n"
	"[    0.514200]     ok 2 list_test_list_add\n"
	"[    0.514300] # list-kunit-test: pass:2 fail:0 skip:0 total:2\n"
	"[    0.514400] ok 2 list-kunit-test\n"
	"[    0.514500] # Totals: pass:4 fail:1 skip:2 total:7\n";

static void test_kunit_sample(void **state)
{
	struct fixture *f = *state;
	const struct ktap_case *c;

	feed(f, kunit_sample);
	ktap_finish(f->p);
	assert_int_equal(ktap_ncases(f->p), 11);
	check(f, 0, "example", "example_simple_test", KTAP_PASS, 1, false);
	check(f, 1, "example", "example_skip_test", KTAP_SKIP, 1, false);
	assert_string_equal(at(f, 1)->reason, "this test should be skipped");
	check(f, 2, "example", "example_fail_test", KTAP_FAIL, 1, false);
	check(f, 3, "example.example_params_test", "example value 3", KTAP_SKIP, 2, false);
	assert_string_equal(at(f, 3)->reason, "unsupported param value 3");
	check(f, 4, "example.example_params_test", "example value 2", KTAP_PASS, 2, false);
	check(f, 5, "example.example_params_test", "example value 1", KTAP_PASS, 2, false);
	check(f, 6, "example", "example_params_test", KTAP_PASS, 1, true);
	check(f, 7, "", "example", KTAP_FAIL, 0, true);
	check(f, 8, "list-kunit-test", "list_test_list_init", KTAP_PASS, 1, false);
	check(f, 9, "list-kunit-test", "list_test_list_add", KTAP_PASS, 1, false);
	check(f, 10, "", "list-kunit-test", KTAP_PASS, 0, true);
	assert_int_equal(at(f, 2)->number, 3);
	assert_int_equal(at(f, 10)->number, 2);

	/* diagnostics: the header "# module:" is dropped, the rest attached */
	assert_string_equal(at(f, 0)->diag, "example_simple_test: initializing");
	assert_null(at(f, 1)->diag);
	c = at(f, 2);
	assert_string_equal(c->diag,
			    "example_fail_test: EXPECTATION FAILED at lib/kunit/kunit-example-test.c:42");
	assert_string_equal(at(f, 6)->diag,
			    "example_params_test: pass:2 fail:0 skip:1 total:3");
	assert_string_equal(at(f, 7)->diag, "example: pass:2 fail:1 skip:2 total:5");

	check_sum(f, 5, 1, 2, 0, 0);
	assert_true(ktap_summary(f->p)->seen);
	assert_false(ktap_summary(f->p)->bail_out);
}

/* Older KUnit: TAP 14, "# Subtest:" opens the block, " - " before names. */
static void test_kunit_old_format(void **state)
{
	struct fixture *f = *state;

	feed(f, "TAP version 14\n"
		"1..1\n"
		"    # Subtest: example\n"
		"    1..2\n"
		"    # example_simple_test: initializing\n"
		"    ok 1 - example_simple_test\n"
		"    ok 2 - example_skip_test # SKIP this test should be skipped\n"
		"ok 1 - example\n");
	ktap_finish(f->p);
	assert_int_equal(ktap_ncases(f->p), 3);
	check(f, 0, "example", "example_simple_test", KTAP_PASS, 1, false);
	check(f, 1, "example", "example_skip_test", KTAP_SKIP, 1, false);
	check(f, 2, "", "example", KTAP_PASS, 0, true);
	check_sum(f, 1, 0, 1, 0, 0);
}

/* node-tap / TAP 14 spec: "# Subtest:" on the parent's indentation. */
static void test_tap14_subtest_on_parent(void **state)
{
	struct fixture *f = *state;

	feed(f, "TAP version 14\n"
		"1..2\n"
		"# Subtest: foo.tap\n"
		"    1..2\n"
		"    ok 1\n"
		"    ok 2 - this passed\n"
		"ok 1 - foo.tap\n"
		"    ok 1 - unnamed block\n"
		"ok 2 - bar\n");
	ktap_finish(f->p);
	assert_int_equal(ktap_ncases(f->p), 5);
	check(f, 0, "foo.tap", "", KTAP_PASS, 1, false);
	assert_int_equal(at(f, 0)->number, 1);
	check(f, 1, "foo.tap", "this passed", KTAP_PASS, 1, false);
	check(f, 2, "", "foo.tap", KTAP_PASS, 0, true);
	/* no "# Subtest:": named after the result it awaits */
	check(f, 3, "subtest-2", "unnamed block", KTAP_PASS, 1, false);
	check(f, 4, "", "bar", KTAP_PASS, 0, true);
	check_sum(f, 3, 0, 0, 0, 0);
}

/* run_kselftest.sh: TAP 13, each test's own output as "# " lines. */
static void test_kselftest_sample(void **state)
{
	struct fixture *f = *state;
	const struct ktap_case *c;

	feed(f, "TAP version 13\n"
		"1..4\n"
		"# selftests: timers: posix_timers\n"
		"# TAP version 13\n"
		"# 1..2\n"
		"# ok 1 Passed\n"
		"# ok 2 # SKIP no CAP_SYS_TIME\n"
		"ok 1 selftests: timers: posix_timers\n"
		"# selftests: timers: rtcpie\n"
		"# Could not open /dev/rtc: No such file or directory\n"
		"ok 2 selftests: timers: rtcpie # SKIP\n"
		"# selftests: timers: nanosleep\n"
		"# not ok 1 nanosleep CLOCK_REALTIME\n"
		"not ok 3 selftests: timers: nanosleep # exit=1\n"
		"ok 4 selftests: timers: raw_skew # skip Not supported here\n");
	ktap_finish(f->p);
	assert_int_equal(ktap_ncases(f->p), 4);
	check(f, 0, "", "selftests: timers: posix_timers", KTAP_PASS, 0, false);
	check(f, 1, "", "selftests: timers: rtcpie", KTAP_SKIP, 0, false);
	assert_string_equal(at(f, 1)->reason, "");
	check(f, 2, "", "selftests: timers: nanosleep", KTAP_FAIL, 0, false);
	check(f, 3, "", "selftests: timers: raw_skew", KTAP_SKIP, 0, false);
	assert_string_equal(at(f, 3)->reason, "Not supported here");
	c = at(f, 0);
	assert_string_equal(c->diag, "selftests: timers: posix_timers\nTAP version 13\n"
			    "1..2\nok 1 Passed\nok 2 # SKIP no CAP_SYS_TIME");
	assert_string_equal(at(f, 2)->diag,
			    "selftests: timers: nanosleep\nnot ok 1 nanosleep CLOCK_REALTIME");
	check_sum(f, 1, 1, 2, 0, 0);
}

static void test_fail_and_skip_counts(void **state)
{
	struct fixture *f = *state;

	feed(f, "KTAP version 1\n1..4\nok 1 a\nnot ok 2 b\nok 3 c # SKIP nope\n"
		"not ok 4 d # SKIP not here either\n");
	ktap_finish(f->p);
	assert_int_equal(ktap_ncases(f->p), 4);
	check(f, 1, "", "b", KTAP_FAIL, 0, false);
	check(f, 3, "", "d", KTAP_SKIP, 0, false);
	check_sum(f, 1, 1, 2, 0, 0);
}

static void test_nested_three_levels(void **state)
{
	struct fixture *f = *state;

	feed(f, "KTAP version 1\n"
		"1..1\n"
		"    KTAP version 1\n"
		"    # Subtest: a\n"
		"    1..2\n"
		"        KTAP version 1\n"
		"        # Subtest: b\n"
		"        1..1\n"
		"            KTAP version 1\n"
		"            # Subtest: c\n"
		"            1..2\n"
		"            ok 1 leaf1\n"
		"            not ok 2 leaf2\n"
		"        not ok 1 c\n"
		"    not ok 1 b\n"
		"    ok 2 sibling\n"
		"not ok 1 a\n");
	ktap_finish(f->p);
	assert_int_equal(ktap_ncases(f->p), 6);
	check(f, 0, "a.b.c", "leaf1", KTAP_PASS, 3, false);
	check(f, 1, "a.b.c", "leaf2", KTAP_FAIL, 3, false);
	check(f, 2, "a.b", "c", KTAP_FAIL, 2, true);
	check(f, 3, "a", "b", KTAP_FAIL, 1, true);
	check(f, 4, "a", "sibling", KTAP_PASS, 1, false);
	check(f, 5, "", "a", KTAP_FAIL, 0, true);
	check_sum(f, 2, 1, 0, 0, 0);
}

static void test_missing_from_plan(void **state)
{
	struct fixture *f = *state;

	feed(f, "KTAP version 1\n"
		"1..3\n"
		"    KTAP version 1\n"
		"    # Subtest: s\n"
		"    1..3\n"
		"    ok 1 one\n");
	assert_int_equal(f->ncb, 1);
	/* the parent line closes the block: 2 and 3 are missing first */
	feed(f, "not ok 1 s\nok 2 t\n");
	assert_int_equal(ktap_ncases(f->p), 5);
	check(f, 1, "s", "missing test 2", KTAP_ERROR, 1, false);
	assert_int_equal(at(f, 1)->number, 2);
	check(f, 2, "s", "missing test 3", KTAP_ERROR, 1, false);
	check(f, 3, "", "s", KTAP_FAIL, 0, true);
	check(f, 4, "", "t", KTAP_PASS, 0, false);
	/* the top level loses test 3 only at the end */
	ktap_finish(f->p);
	assert_int_equal(ktap_ncases(f->p), 6);
	check(f, 5, "", "missing test 3", KTAP_ERROR, 0, false);
	check_sum(f, 2, 0, 0, 0, 3);
	/* idempotent */
	ktap_finish(f->p);
	assert_int_equal(ktap_ncases(f->p), 6);
}

static void test_missing_huge_plan_bounded(void **state)
{
	struct fixture *f = *state;

	feed(f, "1..4000000000\nok 1 only\n");
	ktap_finish(f->p);
	/* 1 result, 100 individual errors, one for the rest */
	assert_int_equal(ktap_ncases(f->p), 102);
	check(f, 101, "", "missing tests 102..4000000000", KTAP_ERROR, 0, false);
	check_sum(f, 1, 0, 0, 0, 101);
}

static void test_too_many_results(void **state)
{
	struct fixture *f = *state;

	feed(f, "1..1\nok 1 a\nok 2 b\n");
	ktap_finish(f->p);
	assert_int_equal(ktap_ncases(f->p), 3);
	check(f, 2, "", "plan", KTAP_ERROR, 0, false);
	assert_string_equal(at(f, 2)->reason, "planned 1 tests, got 2");
}

static void test_bail_out(void **state)
{
	struct fixture *f = *state;

	feed(f, "TAP version 13\n1..5\nok 1 a\n# cannot continue\n"
		"Bail out! no /dev/vfio\n");
	ktap_finish(f->p);
	assert_true(ktap_summary(f->p)->bail_out);
	assert_int_equal(ktap_ncases(f->p), 2);	/* no "missing" after bail out */
	check(f, 1, "", "Bail out!", KTAP_ERROR, 0, false);
	assert_string_equal(at(f, 1)->reason, "no /dev/vfio");
	assert_string_equal(at(f, 1)->diag, "cannot continue");
	check_sum(f, 1, 0, 0, 0, 1);

	/* parsing goes on with whatever comes next */
	feed(f, "TAP version 13\n1..1\nok 1 later\n");
	ktap_finish(f->p);
	check(f, 2, "", "later", KTAP_PASS, 0, false);
}

static void test_noise_interleaved(void **state)
{
	struct fixture *f = *state;

	feed(f, "[    4.261205] workingset: timestamp_bits=36 max_order=17\n"
		"minivmm-guest: init\n"
		"[    5.100000] KTAP version 1\n"
		"[    5.100001] 1..2\n"
		"[    5.100002]     KTAP version 1\n"
		"[    5.100003]     # Subtest: drv\n"
		"[    5.100004] e1000e 0000:00:01.0 eth0: NIC Link is Up 1000 Mbps\n"
		" 26:          0          2   PCI-MSI 16384-edge      eth0-rx-0\n"
		"[    5.100005]     1..2\n"
		"--- 169.254.0.1 ping statistics ---\n"
		"5 packets transmitted, 0 packets received, 100% packet loss\n"
		"okay, let's go\n"
		"not okay\n"
		"1..x\n"
		"[    5.100006]     ok 1 probe\n"
		"[    5.100007]  random indented kernel line\n"
		"{\"exits\": 3}\n"
		"[    5.100008]     ok 2 remove\n"
		"$ echo done\n"
		"[    5.100009] ok 1 drv\n"
		"ok 2 plain - with no timestamp\n"
		"[    5.200000] reboot: Power down\n");
	ktap_finish(f->p);
	assert_int_equal(ktap_ncases(f->p), 4);
	check(f, 0, "drv", "probe", KTAP_PASS, 1, false);
	check(f, 1, "drv", "remove", KTAP_PASS, 1, false);
	check(f, 2, "", "drv", KTAP_PASS, 0, true);
	check(f, 3, "", "plain - with no timestamp", KTAP_PASS, 0, false);
	check_sum(f, 3, 0, 0, 0, 0);
}

static void test_noise_only(void **state)
{
	struct fixture *f = *state;

	feed(f, "[    0.000000] Linux version 6.1.0\nhello\n\n   \n--- x ---\n");
	ktap_finish(f->p);
	assert_int_equal(ktap_ncases(f->p), 0);
	assert_false(ktap_summary(f->p)->seen);
}

static void test_yaml_block_skipped(void **state)
{
	struct fixture *f = *state;

	feed(f, "TAP version 13\n"
		"1..3\n"
		"not ok 1 - first\n"
		"  ---\n"
		"  message: 'ok 7 not a test'\n"
		"  data:\n"
		"    - not ok 8 nor this\n"
		"ok 9 - nor this at column 0? it is, YAML is indented\n");
	/* a TAP line indented less than "---" ends an unterminated block */
	assert_int_equal(f->ncb, 2);
	feed(f, "  ---\n"
		"  1..9\n"
		"  # not a diagnostic\n"
		"    ok 10 deeper\n"
		"  ...\n"
		"ok 3 - third\n");
	ktap_finish(f->p);
	assert_int_equal(ktap_ncases(f->p), 3);
	check(f, 0, "", "first", KTAP_FAIL, 0, false);
	check(f, 1, "", "nor this at column 0? it is, YAML is indented", KTAP_PASS, 0, false);
	check(f, 2, "", "third", KTAP_PASS, 0, false);
	assert_null(at(f, 2)->diag);
	check_sum(f, 2, 1, 0, 0, 0);
}

static void test_yaml_marker_needs_result(void **state)
{
	struct fixture *f = *state;

	/* "---" not right after a result is noise, not a YAML start */
	feed(f, "1..2\n  ---\nok 1 a\n# x\n  ---\nok 2 b\n");
	ktap_finish(f->p);
	assert_int_equal(ktap_ncases(f->p), 2);
	check_sum(f, 2, 0, 0, 0, 0);
}

static void test_todo_semantics(void **state)
{
	struct fixture *f = *state;

	feed(f, "1..3\nnot ok 1 a # TODO not implemented\nok 2 b # todo fixed?\n"
		"not ok 3 c # TODO\n");
	ktap_finish(f->p);
	check(f, 0, "", "a", KTAP_TODO, 0, false);
	assert_string_equal(at(f, 0)->reason, "not implemented");
	check(f, 1, "", "b", KTAP_TODO, 0, false);
	check(f, 2, "", "c", KTAP_TODO, 0, false);
	check_sum(f, 0, 0, 0, 3, 0);
}

static void test_diag_attached(void **state)
{
	struct fixture *f = *state;

	feed(f, "KTAP version 1\n1..2\n# first line\n#second\n#\nok 1 a\n"
		"    # deeper, still level 0\nok 2 b\n# trailing, dropped\n");
	ktap_finish(f->p);
	assert_string_equal(at(f, 0)->diag, "first line\nsecond\n");
	assert_string_equal(at(f, 1)->diag, "deeper, still level 0");
}

/* Diagnostics left at the end of a block belong to its summary line. */
static void test_diag_moves_to_parent(void **state)
{
	struct fixture *f = *state;

	feed(f, "1..1\n"
		"    # Subtest: s\n"
		"    1..1\n"
		"    ok 1 a\n"
		"    # s: oops after the last case\n"
		"# parent level\n"
		"not ok 1 s\n");
	ktap_finish(f->p);
	assert_null(at(f, 0)->diag);
	check(f, 1, "", "s", KTAP_ERROR, 0, true);
	assert_string_equal(at(f, 1)->diag, "s: oops after the last case\nparent level");
}

static void test_diag_capped(void **state)
{
	struct fixture *f = *state;
	char *line = malloc(3000);
	unsigned int i;
	const char *d;

	assert_non_null(line);
	memset(line, 'x', 2999);
	line[0] = '#';
	line[1] = ' ';
	line[2999] = '\0';
	for (i = 0; i < 10; i++)
		ktap_feed(f->p, line);
	ktap_feed(f->p, "not ok 1 big");
	free(line);
	d = at(f, 0)->diag;
	assert_non_null(d);
	assert_true(strlen(d) < 8192);
	assert_true(strlen(d) > 8000);
	assert_non_null(strstr(d, "[diagnostics truncated]"));
	/* the next case starts fresh */
	ktap_feed(f->p, "# small");
	ktap_feed(f->p, "ok 2 next");
	assert_string_equal(at(f, 1)->diag, "small");
}

static void test_names_and_directives(void **state)
{
	struct fixture *f = *state;

	feed(f, "ok 1 name with \\# hash # SKIP why not\n"
		"ok 2 - dash name\n"
		"ok\n"
		"not ok - \n"
		"ok 5 - vfio # 22.3s\n"
		"ok 6 back\\\\slash\n"
		"ok 7a starts with digits\n"
		"ok 8 x # SKIPPED: no hardware\n");
	check(f, 0, "", "name with # hash", KTAP_SKIP, 0, false);
	assert_string_equal(at(f, 0)->reason, "why not");
	check(f, 1, "", "dash name", KTAP_PASS, 0, false);
	check(f, 2, "", "", KTAP_PASS, 0, false);
	assert_int_equal(at(f, 2)->number, 3);		/* numbered by position */
	check(f, 3, "", "", KTAP_FAIL, 0, false);
	check(f, 4, "", "vfio", KTAP_PASS, 0, false);	/* comment, not a directive */
	assert_string_equal(at(f, 4)->reason, "");
	check(f, 5, "", "back\\slash", KTAP_PASS, 0, false);
	check(f, 6, "", "7a starts with digits", KTAP_PASS, 0, false);
	assert_int_equal(at(f, 6)->number, 7);
	check(f, 7, "", "x", KTAP_SKIP, 0, false);
	assert_string_equal(at(f, 7)->reason, "no hardware");
}

static void test_parent_fail_children_pass(void **state)
{
	struct fixture *f = *state;

	feed(f, "1..2\n"
		"    # Subtest: crashy\n"
		"    1..2\n"
		"    ok 1 a\n"
		"    ok 2 b # SKIP\n"
		"not ok 1 crashy\n"
		"    # Subtest: honest\n"
		"    1..1\n"
		"    not ok 1 c\n"
		"not ok 2 honest\n");
	ktap_finish(f->p);
	check(f, 2, "", "crashy", KTAP_ERROR, 0, true);
	assert_string_equal(at(f, 2)->reason, "not ok although all its subtests passed");
	check(f, 4, "", "honest", KTAP_FAIL, 0, true);
	/* a, b(skip), c(fail) + the crashy parent as an error */
	check_sum(f, 1, 1, 1, 0, 1);
}

static void test_skip_all_plan(void **state)
{
	struct fixture *f = *state;

	feed(f, "TAP version 13\n1..0 # SKIP no IOMMU\n");
	ktap_finish(f->p);
	assert_int_equal(ktap_ncases(f->p), 1);
	check(f, 0, "", "all", KTAP_SKIP, 0, false);
	assert_string_equal(at(f, 0)->reason, "no IOMMU");
	check_sum(f, 0, 0, 1, 0, 0);
}

static void test_nested_skip_all(void **state)
{
	struct fixture *f = *state;

	/* an empty block does not hide its parent: it counts as a leaf */
	feed(f, "1..1\n    KTAP version 1\n    # Subtest: s\n    1..0 # SKIP off\n"
		"ok 1 s # SKIP off\n");
	ktap_finish(f->p);
	assert_int_equal(ktap_ncases(f->p), 1);
	check(f, 0, "", "s", KTAP_SKIP, 0, false);
	check_sum(f, 0, 0, 1, 0, 0);
}

static void test_streaming(void **state)
{
	struct fixture *f = *state;

	ktap_feed(f->p, "KTAP version 1");
	ktap_feed(f->p, "1..3");
	assert_int_equal(f->ncb, 0);
	ktap_feed(f->p, "ok 1 a");
	assert_int_equal(f->ncb, 1);
	assert_string_equal(f->last.name, "a");
	ktap_feed(f->p, "not ok 2 b");
	assert_int_equal(f->ncb, 2);
	assert_int_equal(f->last.status, KTAP_FAIL);
	ktap_feed(f->p, "[   12.000000] ok 3 c");
	assert_int_equal(f->ncb, 3);
	ktap_finish(f->p);
	assert_int_equal(f->ncb, 3);
}

static void test_printk_prefixes(void **state)
{
	struct fixture *f = *state;

	feed(f, "[    1.000000][    T1] KTAP version 1\n"
		"[    1.000001][    T1] 1..1\n"
		"[    1.000002][  C0]     # Subtest: s\n"
		"[  123.456789] \tok 1 tabbed\n"
		"[1.5] ok 1 s\n");
	ktap_finish(f->p);
	assert_int_equal(ktap_ncases(f->p), 2);
	check(f, 0, "s", "tabbed", KTAP_PASS, 1, false);
	check(f, 1, "", "s", KTAP_PASS, 0, true);
}

static void test_second_run(void **state)
{
	struct fixture *f = *state;

	/* KUnit at boot, then a kselftest run later on the same console */
	feed(f, "KTAP version 1\n1..2\nok 1 a\n"
		"TAP version 13\n1..1\nok 1 b\n");
	ktap_finish(f->p);
	assert_int_equal(ktap_ncases(f->p), 3);
	check(f, 1, "", "missing test 2", KTAP_ERROR, 0, false);
	check(f, 2, "", "b", KTAP_PASS, 0, false);
	check_sum(f, 2, 0, 0, 0, 1);
}

static void test_deep_nesting(void **state)
{
	struct fixture *f = *state;
	char line[256];
	int d;

	ktap_feed(f->p, "1..1");
	for (d = 1; d <= 12; d++) {
		snprintf(line, sizeof(line), "%*s# Subtest: l%d", 4 * d, "", d);
		ktap_feed(f->p, line);
		snprintf(line, sizeof(line), "%*s1..1", 4 * d, "");
		ktap_feed(f->p, line);
	}
	for (d = 12; d >= 0; d--) {
		snprintf(line, sizeof(line), "%*sok 1 r%d", 4 * d, "", d);
		ktap_feed(f->p, line);
	}
	ktap_finish(f->p);
	/* levels 0..7 are tracked, deeper lines ignored */
	assert_int_equal(ktap_ncases(f->p), KTAP_MAX_DEPTH);
	check(f, 0, "l1.l2.l3.l4.l5.l6.l7", "r7", KTAP_PASS, 7, false);
	check(f, 7, "", "r0", KTAP_PASS, 0, true);
	check_sum(f, 1, 0, 0, 0, 0);
}

static void test_long_lines_truncated(void **state)
{
	struct fixture *f = *state;
	size_t n = 100000, i;
	char *line = malloc(n + 1);
	const struct ktap_case *c;

	assert_non_null(line);
	strcpy(line, "ok 1 ");
	for (i = 5; i < n; i++)
		line[i] = 'a' + (char)(i % 26);
	line[n] = '\0';
	ktap_feed(f->p, line);
	/* a name of 2-byte UTF-8 characters is cut between characters */
	strcpy(line, "ok 2 ");
	for (i = 5; i + 2 <= 1000; i += 2)
		memcpy(line + i, "\xc3\xa9", 2);
	line[i] = '\0';
	ktap_feed(f->p, line);
	snprintf(line, n, "    # Subtest: %0300d", 7);
	ktap_feed(f->p, line);
	ktap_feed(f->p, "    ok 1 in a long suite");
	free(line);
	c = at(f, 0);
	assert_int_equal(strlen(c->name), KTAP_NAME_MAX - 1);
	c = at(f, 1);
	assert_int_equal(strlen(c->name), KTAP_NAME_MAX - 2);	/* 127 x 2 bytes */
	assert_int_equal((unsigned char)c->name[KTAP_NAME_MAX - 3], 0xa9);
	c = at(f, 2);
	assert_int_equal(strlen(c->suite), KTAP_NAME_MAX - 1);
}

static void test_null_safety(void **state)
{
	struct fixture *f = *state;
	struct ktap_parser *p = ktap_new(NULL, NULL);

	(void)f;
	assert_non_null(p);
	ktap_feed(NULL, "ok 1");
	ktap_feed(p, NULL);
	ktap_feed(p, "ok 1 no callback");
	ktap_finish(NULL);
	ktap_finish(p);
	assert_int_equal(ktap_ncases(p), 1);
	assert_null(ktap_case_at(p, 1));
	assert_int_equal(ktap_ncases(NULL), 0);
	ktap_free(p);
	ktap_free(NULL);
}

/* ---- deterministic fuzzing through ktap_fuzz_one() ---- */

static uint64_t rnd(uint64_t *s)
{
	/* xorshift64* */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static const char *const fuzz_tokens[] = {
	"ok ", "not ok ", "1..", "# SKIP ", "# TODO ", "# ", "# Subtest: ",
	"KTAP version 1", "TAP version 13", "Bail out!", "    ", "  ---", "  ...",
	"\\#", "\\", "#", " - ", "[   1.234567] ", "\n", "\n", "\n", "0", "7",
	"4294967295", "99999999999", "\xc3\xa9", "\xff", "\xed\xa0\x80", "\x01",
	"\t", "\r", "<&>\"'",
};

static void test_fuzz_random(void **state)
{
	uint64_t seed = 0x6b746170u;	/* "ktap" */
	unsigned char buf[2048];
	unsigned int iter;
	size_t len, i;

	(void)state;
	for (iter = 0; iter < 2000; iter++) {
		len = rnd(&seed) % sizeof(buf);
		if (iter % 2) {
			/* raw bytes, newline-heavy */
			for (i = 0; i < len; i++) {
				uint64_t r = rnd(&seed);

				buf[i] = (r & 7) == 0 ? '\n' : (unsigned char)(r >> 8);
			}
		} else {
			/* a soup of TAP tokens */
			i = 0;
			while (i < len) {
				const char *t = fuzz_tokens[rnd(&seed) %
					(sizeof(fuzz_tokens) / sizeof(fuzz_tokens[0]))];
				size_t tl = strlen(t);

				if (i + tl > len)
					break;
				memcpy(buf + i, t, tl);
				i += tl;
			}
			len = i;
		}
		assert_int_equal(ktap_fuzz_one(buf, len), 0);
	}
}

static void test_fuzz_mutated_samples(void **state)
{
	static const char *const samples[] = {
		kunit_sample,
		"TAP version 13\n1..3\n# selftests: x\nok 1 a\nnot ok 2 b\n  ---\n  m: 1\n"
		"  ...\nok 3 c # SKIP\nBail out! stop\nok 4 d\n",
		"1..2\n# Subtest: t\n    1..2\n    ok 1\n        ok 1 deep\n    ok 2\nok 1 t\n",
	};
	uint64_t seed = 42;
	unsigned char buf[4096];
	unsigned int iter, m, nmut;
	size_t len, pos, n;

	(void)state;
	for (iter = 0; iter < 3000; iter++) {
		const char *s = samples[iter % 3];

		len = strlen(s);
		memcpy(buf, s, len);
		nmut = 1 + rnd(&seed) % 8;
		for (m = 0; m < nmut && len; m++) {
			pos = rnd(&seed) % len;
			switch (rnd(&seed) % 5) {
			case 0:		/* flip a byte */
				buf[pos] = (unsigned char)rnd(&seed);
				break;
			case 1:		/* delete a span */
				n = rnd(&seed) % 16;
				if (pos + n > len)
					n = len - pos;
				memmove(buf + pos, buf + pos + n, len - pos - n);
				len -= n;
				break;
			case 2:		/* duplicate a span */
				n = rnd(&seed) % 64;
				if (pos + n > len)
					n = len - pos;
				if (len + n <= sizeof(buf)) {
					memmove(buf + pos + n, buf + pos, len - pos);
					len += n;
				}
				break;
			case 3:		/* indent or dedent */
				buf[pos] = rnd(&seed) % 2 ? ' ' : '\n';
				break;
			default:	/* cut */
				len = pos;
				break;
			}
		}
		assert_int_equal(ktap_fuzz_one(buf, len), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_kunit_sample, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kunit_old_format, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tap14_subtest_on_parent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kselftest_sample, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fail_and_skip_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nested_three_levels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_from_plan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_huge_plan_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_many_results, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bail_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_noise_interleaved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_noise_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_yaml_block_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_yaml_marker_needs_result, setup, teardown),
		cmocka_unit_test_setup_teardown(test_todo_semantics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_diag_attached, setup, teardown),
		cmocka_unit_test_setup_teardown(test_diag_moves_to_parent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_diag_capped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_and_directives, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parent_fail_children_pass, setup, teardown),
		cmocka_unit_test_setup_teardown(test_skip_all_plan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nested_skip_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_streaming, setup, teardown),
		cmocka_unit_test_setup_teardown(test_printk_prefixes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deep_nesting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_lines_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_null_safety, setup, teardown),
		cmocka_unit_test(test_fuzz_random),
		cmocka_unit_test(test_fuzz_mutated_samples),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
