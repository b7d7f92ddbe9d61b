// SPDX-License-Identifier: GPL-2.0-only
/*
 * The report of a run under several kernels (src/runner/kreport.c and
 * junit.c's run suites): status words, the JUnit outcome of a run, the
 * table, the overall status, and a JUnit document with one <testsuite>
 * per kernel (KTAP cases, the "run" case, a refused package).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "minivmm/runner/kreport.h"
#include "minivmm/runner/ktap.h"

static unsigned int count_of(const char *hay, const char *needle)
{
	unsigned int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void test_status_words(void **state)
{
	struct ktap_summary failed = { .failed = 1, .seen = true }, none = { 0 };
	char buf[32];

	(void)state;
	assert_string_equal(kreport_status_word(0, &none, buf, sizeof(buf)), "passed");
	assert_string_equal(kreport_status_word(1, &failed, buf, sizeof(buf)), "tests failed");
	assert_string_equal(kreport_status_word(1, &none, buf, sizeof(buf)), "exit 1");
	assert_string_equal(kreport_status_word(3, NULL, buf, sizeof(buf)), "exit 3");
	assert_string_equal(kreport_status_word(124, NULL, buf, sizeof(buf)), "timeout");
	assert_string_equal(kreport_status_word(125, NULL, buf, sizeof(buf)), "error");
	assert_string_equal(kreport_status_word(126, NULL, buf, sizeof(buf)), "crashed");
	assert_string_equal(kreport_status_word(143, NULL, buf, sizeof(buf)), "signal 15");
}

static void test_outcome(void **state)
{
	struct ktap_summary failed = { .failed = 2, .seen = true }, bail = { .bail_out = true, .seen = true };
	char text[128];

	(void)state;
	assert_int_equal(kreport_outcome(0, NULL, "powered off", text, sizeof(text)), JUNIT_PASS);
	/* KTAP failures are failed cases of their own: the run went through. */
	assert_int_equal(kreport_outcome(1, &failed, "", text, sizeof(text)), JUNIT_PASS);
	assert_int_equal(kreport_outcome(1, &bail, "", text, sizeof(text)), JUNIT_PASS);
	assert_int_equal(kreport_outcome(7, &failed, "", text, sizeof(text)), JUNIT_FAILURE);
	assert_string_equal(text, "the command exited with status 7");
	assert_int_equal(kreport_outcome(126, NULL, "guest kernel panic: Kernel panic - not syncing: x", text,
					 sizeof(text)), JUNIT_ERROR);
	assert_string_equal(text, "status 126: guest kernel panic: Kernel panic - not syncing: x");
	assert_int_equal(kreport_outcome(124, NULL, "", text, sizeof(text)), JUNIT_ERROR);
	assert_string_equal(text, "status 124: no reason given");
}

static void row(struct kernel_row *r, const char *kernel, bool ran, int status, long ms, unsigned int pass,
		unsigned int fail, unsigned int skip, bool seen)
{
	memset(r, 0, sizeof(*r));
	strcpy(r->kernel, kernel);
	strcpy(r->files, "x.deb");
	r->ran = ran;
	r->ms = ms;
	r->res.status = status;
	r->res.tests = (struct ktap_summary){ .passed = pass, .failed = fail, .skipped = skip, .seen = seen };
}

static void test_table(void **state)
{
	struct kernel_row rows[4];
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	(void)state;
	row(&rows[0], "6.1.0-57-amd64", true, 0, 41234, 3, 0, 1, true);
	row(&rows[1], "6.12.117+deb12-amd64", true, 1, 9050, 2, 1, 0, true);
	row(&rows[2], "6.1.0-57-rt-amd64", true, 126, 500, 0, 0, 0, false);
	row(&rows[3], "hello_2.10_amd64.deb", false, 125, 0, 0, 0, 0, false);
	kreport_table(f, rows, 4);
	fclose(f);
	assert_string_equal(out,
		"minivmm: 4 kernels:\n"
		"  kernel                status                time  passed  failed  skipped\n"
		"  6.1.0-57-amd64        passed (0)           41.2s       3       0        1\n"
		"  6.12.117+deb12-amd64  tests failed (1)      9.0s       2       1        0\n"
		"  6.1.0-57-rt-amd64     crashed (126)         0.5s       -       -        -\n"
		"  hello_2.10_amd64.deb  not booted (125)         -       -       -        -\n");
	free(out);
}

/* A status the kernel log made 1: "kernel bug" in the table (a KTAP failure still says so). */
static void test_table_kernel_bug(void **state)
{
	struct kernel_row rows[2];
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	(void)state;
	row(&rows[0], "6.1.0-57-amd64", true, 1, 1000, 3, 0, 0, true);
	rows[0].res.klog_verdict = true;
	row(&rows[1], "6.12.117+deb12-amd64", true, 1, 1000, 2, 1, 0, true);
	rows[1].res.klog_verdict = true;
	kreport_table(f, rows, 2);
	fclose(f);
	assert_string_equal(out,
		"minivmm: 2 kernels:\n"
		"  kernel                status                time  passed  failed  skipped\n"
		"  6.1.0-57-amd64        kernel bug (1)        1.0s       3       0        0\n"
		"  6.12.117+deb12-amd64  tests failed (1)      1.0s       2       1        0\n");
	free(out);
}

static void test_overall_status(void **state)
{
	struct kernel_row rows[3];

	(void)state;
	row(&rows[0], "a", true, 0, 1, 0, 0, 0, false);
	row(&rows[1], "b", true, 126, 1, 0, 0, 0, false);
	row(&rows[2], "c", false, 125, 0, 0, 0, 0, false);
	assert_int_equal(kreport_status(rows, 1, 0), 0);
	assert_int_equal(kreport_status(rows, 3, 0), 126);   /* the first that was not 0 */
	assert_int_equal(kreport_status(rows + 2, 1, 0), 125);
	assert_int_equal(kreport_status(rows, 3, 130), 130); /* a signal stopped the run */
}

/* One kernel's suite as its child process writes it. */
static char *suite_of(const char *kernel, const char *const *lines, int status, const char *msg,
		      struct kernel_result *res)
{
	struct ktap_parser *p = ktap_new(NULL, NULL);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(p);
	for (size_t i = 0; lines && lines[i]; i++)
		ktap_feed(p, lines[i]);
	ktap_finish(p);
	memset(res, 0, sizeof(*res));
	res->status = status;
	snprintf(res->msg, sizeof(res->msg), "%s", msg);
	assert_int_equal(kreport_write_suite(f, lines ? p : NULL, NULL, 0, kernel, "a.deb,b.deb", 2.5, res), 0);
	fclose(f);
	ktap_free(p);
	return out;
}

static void test_junit_one_suite_per_kernel(void **state)
{
	static const char *const ktap[] = { "KTAP version 1", "1..2", "ok 1 ping", "# link down", "not ok 2 link", NULL };
	static const char *const nested[] = { "KTAP version 1", "1..1", "    KTAP version 1", "    # Subtest: e1000e", "    1..2",
					      "    ok 1 probe", "    ok 2 remove # SKIP no hotplug", "ok 1 e1000e", NULL };
	struct kernel_row rows[3];
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	row(&rows[0], "6.1.0-57-amd64", true, 1, 0, 0, 0, 0, false);
	rows[0].suite = suite_of("6.1.0-57-amd64", ktap, 1, "guest powered off", &rows[0].res);
	assert_int_equal(rows[0].res.tests.passed, 1);
	assert_int_equal(rows[0].res.tests.failed, 1);
	assert_int_equal(rows[0].res.junit.tests, 3); /* run + 2 */
	assert_int_equal(rows[0].res.junit.failures, 1);
	row(&rows[1], "6.12.117+deb12-amd64", true, 126, 0, 0, 0, 0, false);
	rows[1].suite = suite_of("6.12.117+deb12-amd64", nested, 126, "guest kernel panic: <oops> & \"more\"",
				 &rows[1].res);
	assert_int_equal(rows[1].res.junit.tests, 3);
	assert_int_equal(rows[1].res.junit.errors, 1);
	assert_int_equal(rows[1].res.junit.skipped, 1);
	row(&rows[2], "hello.deb", false, 125, 0, 0, 0, 0, false);
	strcpy(rows[2].res.msg, "hello.deb: hello is not a kernel package");

	f = open_memstream(&out, &len);
	assert_int_equal(kreport_junit(f, rows, 3, 12.25), 0);
	fclose(f);
	/* One suite per kernel, totals over them all. */
	assert_int_equal(count_of(out, "<testsuite "), 3);
	assert_non_null(strstr(out, "<testsuites name=\"minivmm\" tests=\"7\" failures=\"1\" errors=\"2\" skipped=\"1\" time=\"12.250\">"));
	assert_non_null(strstr(out, "  <testsuite name=\"6.1.0-57-amd64\" tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"0\" time=\"2.500\">"));
	assert_non_null(strstr(out, "<property name=\"packages\" value=\"a.deb,b.deb\"/>"));
	assert_non_null(strstr(out, "<property name=\"status\" value=\"126\"/>"));
	/* KTAP cases under the kernel; nested suites as KERNEL.SUITE. */
	assert_non_null(strstr(out, "<testcase classname=\"6.1.0-57-amd64\" name=\"ping\"/>"));
	assert_non_null(strstr(out, "<testcase classname=\"6.1.0-57-amd64\" name=\"link\">"));
	assert_non_null(strstr(out, "<testcase classname=\"6.12.117+deb12-amd64.e1000e\" name=\"probe\"/>"));
	/* The run: passed (test failures are theirs), error with the reason escaped. */
	assert_non_null(strstr(out, "<testcase classname=\"6.1.0-57-amd64\" name=\"run\" time=\"2.500\"/>"));
	assert_non_null(strstr(out, "<error message=\"status 126: guest kernel panic: &lt;oops&gt; &amp; &quot;more&quot;\"/>"));
	assert_non_null(strstr(out, "<error message=\"not booted: hello.deb: hello is not a kernel package\"/>"));
	assert_int_equal(count_of(out, "<testsuite "), count_of(out, "</testsuite>"));
	assert_int_equal(count_of(out, "<testcase "), 7);
	assert_true(len > 6 && !strcmp(out + len - 14, "</testsuites>\n"));
	free(out);
	free(rows[0].suite);
	free(rows[1].suite);
}

/* The kernel log's cases in a kernel's suite: classed KERNEL.kernel log; the run itself passed. */
static void test_junit_kernel_log(void **state)
{
	static const struct junit_extra kx[] = {
		{ "kernel log", "WARNING in klogtest_warn", false, "console line 7: [ 1.0] WARNING: CPU: 0 PID: 1 at x.c:1 f+0x1/0x2",
		  "WARNING: CPU: 0 PID: 1 at x.c:1 f+0x1/0x2\n<TASK>\n" },
		{ "kernel log", "BUG: soft lockup in f", true, "accepted by --klog-ignore 'BUG: soft*'", NULL },
	};
	struct kernel_result res = { .status = 1, .klog_verdict = true };
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	(void)state;
	assert_int_equal(kreport_write_suite(f, NULL, kx, 2, "6.1.0-57-amd64", "a.deb", 1, &res), 0);
	fclose(f);
	assert_int_equal(res.junit.tests, 3);
	assert_int_equal(res.junit.failures, 1);
	assert_int_equal(res.junit.skipped, 1);
	assert_int_equal(res.junit.errors, 0);
	assert_non_null(strstr(out, "<testcase classname=\"6.1.0-57-amd64\" name=\"run\" time=\"1.000\"/>"));
	assert_non_null(strstr(out,
		"    <testcase classname=\"6.1.0-57-amd64.kernel log\" name=\"WARNING in klogtest_warn\">\n"
		"      <failure message=\"console line 7: [ 1.0] WARNING: CPU: 0 PID: 1 at x.c:1 f+0x1/0x2\">"
		"WARNING: CPU: 0 PID: 1 at x.c:1 f+0x1/0x2\n&lt;TASK&gt;\n</failure>\n"
		"    </testcase>\n"));
	assert_non_null(strstr(out,
		"    <testcase classname=\"6.1.0-57-amd64.kernel log\" name=\"BUG: soft lockup in f\">\n"
		"      <skipped message=\"accepted by --klog-ignore &apos;BUG: soft*&apos;\"/>\n"));
	free(out);
	/* the command's own status 1 stays a failure of the run */
	res = (struct kernel_result){ .status = 1 };
	out = NULL;
	f = open_memstream(&out, &len);
	assert_int_equal(kreport_write_suite(f, NULL, kx, 1, "k", "a.deb", 1, &res), 0);
	fclose(f);
	assert_int_equal(res.junit.failures, 2);
	assert_non_null(strstr(out, "<failure message=\"the command exited with status 1\"/>"));
	free(out);
	f = open_memstream(&out, &len);
	assert_int_equal(kreport_write_suite(f, NULL, NULL, 1, "k", "a.deb", 1, &res), -EINVAL);
	fclose(f);
	free(out);
}

static void test_junit_run_without_ktap(void **state)
{
	struct kernel_result res;
	char *s = suite_of("k", NULL, 3, "", &res);

	(void)state;
	assert_int_equal(res.junit.tests, 1);
	assert_int_equal(res.junit.failures, 1);
	assert_false(res.tests.seen);
	assert_non_null(strstr(s, "<failure message=\"the command exited with status 3\"/>"));
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_words),
		cmocka_unit_test(test_outcome),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_table_kernel_bug),
		cmocka_unit_test(test_overall_status),
		cmocka_unit_test(test_junit_one_suite_per_kernel),
		cmocka_unit_test(test_junit_run_without_ktap),
		cmocka_unit_test(test_junit_kernel_log),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
