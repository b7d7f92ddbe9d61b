// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests for the JUnit XML writer and xml_escape (src/runner/junit.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "minivmm/runner/ktap.h"

static void feed(struct ktap_parser *p, const char *text)
{
	char line[4096];
	const char *nl;
	size_t n;

	while (*text) {
		nl = strchr(text, '\n');
		n = nl ? (size_t)(nl - text) : strlen(text);
		assert_true(n < sizeof(line));
		memcpy(line, text, n);
		line[n] = '\0';
		ktap_feed(p, line);
		text += n + (nl ? 1 : 0);
	}
}

/* JUnit of @tap with properties @props (may be NULL), as a malloc'd string. */
static char *junit_doc(const char *tap, const char *name, double seconds, const char *const *props)
{
	struct ktap_parser *p = ktap_new(NULL, NULL);
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	assert_non_null(p);
	feed(p, tap);
	ktap_finish(p);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	if (props)
		assert_int_equal(junit_write_props(f, p, name, seconds, props), 0);
	else
		assert_int_equal(junit_write(f, p, name, seconds), 0);
	fclose(f);
	ktap_free(p);
	return buf;
}

static char *junit_of(const char *tap, const char *name, double seconds)
{
	return junit_doc(tap, name, seconds, NULL);
}

static char *junit_props_of(const char *tap, const char *const *props)
{
	static const char *const none[] = { NULL };

	return junit_doc(tap, "minivmm", 1, props ? props : none);
}

/* The seed and the faults go into every suite; with no case, into one empty suite. */
static void test_junit_properties(void **state)
{
	const char *const props[] = { "seed", "42", "event.1", "at 1.500 s: drop-msi <x> & \"y\"", NULL };
	const char *prop_xml = "    <properties>\n"
			       "      <property name=\"seed\" value=\"42\"/>\n"
			       "      <property name=\"event.1\" value=\"at 1.500 s: drop-msi &lt;x&gt; &amp; &quot;y&quot;\"/>\n"
			       "    </properties>\n";
	char *xml, *at;

	(void)state;
	xml = junit_props_of("TAP version 13\n1..1\nok 1 - a\n", props);
	at = strstr(xml, "  <testsuite name=\"minivmm\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\">\n");
	assert_non_null(at);
	assert_ptr_equal(strstr(at, "\n") + 1, strstr(xml, prop_xml));
	free(xml);

	xml = junit_props_of("KTAP version 1\n1..2\n    KTAP version 1\n    # Subtest: s1\n    1..1\n    ok 1 x\n"
			     "ok 1 s1\n    KTAP version 1\n    # Subtest: s2\n    1..1\n    ok 1 y\nok 2 s2\n",
			     props);
	at = strstr(xml, prop_xml);
	assert_non_null(at);
	assert_non_null(strstr(at + 1, prop_xml));
	free(xml);

	xml = junit_props_of("no tests at all\n", props);
	assert_non_null(strstr(xml, "<testsuites name=\"minivmm\" tests=\"0\""));
	assert_non_null(strstr(xml, "  <testsuite name=\"minivmm\" tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\">\n"));
	assert_non_null(strstr(xml, prop_xml));
	free(xml);

	/* No properties, no cases: no suite either (as junit_write). */
	xml = junit_props_of("no tests at all\n", NULL);
	assert_null(strstr(xml, "<testsuite "));
	free(xml);
}

static void test_junit_small_run_exact(void **state)
{
	char *xml;

	(void)state;
	xml = junit_of("KTAP version 1\n"
		       "1..2\n"
		       "    KTAP version 1\n"
		       "    # Subtest: suite_a\n"
		       "    1..3\n"
		       "    ok 1 a1\n"
		       "    # a2 failed: x < y\n"
		       "    # at a2.c:7\n"
		       "    not ok 2 a2\n"
		       "    ok 3 a3 # SKIP no hw\n"
		       "not ok 1 suite_a\n"
		       "ok 2 top_case # TODO later\n", "run", 1.25);
	assert_string_equal(xml,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites name=\"run\" tests=\"4\" failures=\"1\" errors=\"0\" skipped=\"1\" time=\"1.250\">\n"
		"  <testsuite name=\"suite_a\" tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\">\n"
		"    <testcase classname=\"suite_a\" name=\"a1\"/>\n"
		"    <testcase classname=\"suite_a\" name=\"a2\">\n"
		"      <failure message=\"a2 failed: x &lt; y\">a2 failed: x &lt; y\n"
		"at a2.c:7</failure>\n"
		"    </testcase>\n"
		"    <testcase classname=\"suite_a\" name=\"a3\">\n"
		"      <skipped message=\"no hw\"/>\n"
		"    </testcase>\n"
		"  </testsuite>\n"
		"  <testsuite name=\"run\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\">\n"
		"    <testcase classname=\"run\" name=\"top_case\">\n"
		"      <system-out>TODO: later</system-out>\n"
		"    </testcase>\n"
		"  </testsuite>\n"
		"</testsuites>\n");
	free(xml);
}

static void test_junit_errors_and_grouping(void **state)
{
	char *xml;

	(void)state;
	/* suites come back together even when interleaved; plan errors,
	 * bail out and a failed parent of passing subtests are <error>s */
	xml = junit_of("1..4\n"
		       "ok 1 top1\n"
		       "    # Subtest: s\n"
		       "    1..1\n"
		       "    ok 1 s1\n"
		       "not ok 2 s\n"
		       "ok 3\n"
		       "Bail out! disk full\n", NULL, -1);
	assert_string_equal(xml,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites name=\"minivmm\" tests=\"5\" failures=\"0\" errors=\"2\" skipped=\"0\" time=\"0.000\">\n"
		"  <testsuite name=\"minivmm\" tests=\"4\" failures=\"0\" errors=\"2\" skipped=\"0\">\n"
		"    <testcase classname=\"minivmm\" name=\"top1\"/>\n"
		"    <testcase classname=\"minivmm\" name=\"s\">\n"
		"      <error message=\"not ok although all its subtests passed\"/>\n"
		"    </testcase>\n"
		"    <testcase classname=\"minivmm\" name=\"test 3\"/>\n"
		"    <testcase classname=\"minivmm\" name=\"Bail out!\">\n"
		"      <error message=\"disk full\"/>\n"
		"    </testcase>\n"
		"  </testsuite>\n"
		"  <testsuite name=\"s\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\">\n"
		"    <testcase classname=\"s\" name=\"s1\"/>\n"
		"  </testsuite>\n"
		"</testsuites>\n");
	free(xml);

	xml = junit_of("1..2\nnot ok 1 plain\n", "r", 0);
	assert_non_null(strstr(xml, "<failure message=\"not ok\"/>"));
	assert_non_null(strstr(xml, "name=\"missing test 2\">\n"
			       "      <error message=\"announced by the plan but never reported\"/>"));
	assert_non_null(strstr(xml, "tests=\"2\" failures=\"1\" errors=\"1\""));
	free(xml);
}

static void test_junit_empty(void **state)
{
	char *xml;

	(void)state;
	xml = junit_of("nothing here\n", "empty", 3);
	assert_string_equal(xml,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites name=\"empty\" tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\" time=\"3.000\">\n"
		"</testsuites>\n");
	free(xml);
}

static void test_junit_escaping_in_document(void **state)
{
	char *xml;

	(void)state;
	xml = junit_of("# bad \x01 \"<b>\" & 'q'\tend\n"
		       "not ok 1 a<b>&\"c'\x1b[0m\n"
		       "ok 2 caf\xc3\xa9 \xff # SKIP r&d\n", "n&<", 0);
	assert_non_null(strstr(xml, "<testsuites name=\"n&amp;&lt;\""));
	assert_non_null(strstr(xml, "name=\"a&lt;b&gt;&amp;&quot;c&apos;?[0m\""));
	/* attribute: tab as a reference; text: tab kept */
	assert_non_null(strstr(xml, "<failure message=\"bad ? &quot;&lt;b&gt;&quot; &amp; "
			       "&apos;q&apos;&#9;end\">bad ? &quot;&lt;b&gt;&quot; &amp; "
			       "&apos;q&apos;\tend</failure>"));
	assert_non_null(strstr(xml, "name=\"caf\xc3\xa9 ?\""));
	assert_non_null(strstr(xml, "<skipped message=\"r&amp;d\"/>"));
	free(xml);
}

static void test_junit_bad_args(void **state)
{
	struct ktap_parser *p = ktap_new(NULL, NULL);
	FILE *f;

	(void)state;
	assert_non_null(p);
	assert_int_equal(junit_write(NULL, p, "x", 0), -EINVAL);
	f = fopen("/dev/null", "w");
	assert_non_null(f);
	assert_int_equal(junit_write(f, NULL, "x", 0), -EINVAL);
	fclose(f);
	/* a full disk is an error, not a silently truncated report */
	f = fopen("/dev/full", "w");
	if (f) {
		ktap_feed(p, "ok 1 a");
		assert_int_equal(junit_write(f, p, "x", 0), -EIO);
		fclose(f);
	}
	ktap_free(p);
}

static void test_xml_escape_specials(void **state)
{
	char out[128];
	size_t n;

	(void)state;
	n = xml_escape("&<>\"'", out, sizeof(out));
	assert_string_equal(out, "&amp;&lt;&gt;&quot;&apos;");
	assert_int_equal(n, strlen(out));
	n = xml_escape("a\tb\nc\rd", out, sizeof(out));
	assert_string_equal(out, "a&#9;b&#10;c&#13;d");
	assert_int_equal(n, strlen(out));
	n = xml_escape("plain text 123", out, sizeof(out));
	assert_string_equal(out, "plain text 123");
	assert_int_equal(n, 14);
	n = xml_escape("", out, sizeof(out));
	assert_string_equal(out, "");
	assert_int_equal(n, 0);
	assert_int_equal(xml_escape(NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

static void test_xml_escape_controls(void **state)
{
	char in[40], out[64];
	unsigned int c;

	(void)state;
	/* every C0 control but tab/LF/CR is invalid in XML 1.0 */
	for (c = 1; c < 0x20; c++) {
		in[c - 1] = (char)c;
	}
	in[0x1f] = '\x7f';		/* DEL is a valid XML 1.0 char */
	in[0x20] = '\0';
	xml_escape(in, out, sizeof(out));
	assert_string_equal(out, "????????&#9;&#10;??&#13;??????????????????\x7f");
}

static void test_xml_escape_utf8(void **state)
{
	char out[128];

	(void)state;
	/* valid UTF-8 passes: 2, 3 and 4 byte forms, U+FFFD itself */
	xml_escape("\xc3\xa9\xe2\x82\xac\xf0\x9f\x90\xa7\xef\xbf\xbd", out, sizeof(out));
	assert_string_equal(out, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x90\xa7\xef\xbf\xbd");
	/* stray continuation, bad lead, truncated sequence */
	xml_escape("a\x80" "b\xff" "c\xe2\x82", out, sizeof(out));
	assert_string_equal(out, "a?b?c??");
	/* overlong '/', surrogate U+D800, U+FFFE, beyond U+10FFFF */
	xml_escape("\xc0\xaf|\xed\xa0\x80|\xef\xbf\xbe|\xf4\x90\x80\x80", out, sizeof(out));
	assert_string_equal(out, "??|???|???|????");
}

/* Cases from outside KTAP (the kernel log's): their own suites after the KTAP ones, counted in the totals. */
static void test_junit_extra_cases(void **state)
{
	const struct junit_extra kx[] = {
		{ "kernel log", "WARNING in foo_probe", false, "console line 12: [ 1.0] WARNING: CPU: 1 PID: 123 at a.c:1 f",
		  "WARNING: CPU: 1 PID: 123 at drivers/net/foo.c:42 foo_probe+0x12/0x40 [foo]\n <TASK>\n" },
		{ "kernel log", "BUG: soft lockup in f", true, "accepted by --klog-ignore 'BUG*'", "ignored text" },
		{ "other", "x & y", false, NULL, NULL },
	};
	struct ktap_parser *p = ktap_new(NULL, NULL);
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	feed(p, "TAP version 13\n1..1\nok 1 - a\n");
	ktap_finish(p);
	f = open_memstream(&buf, &len);
	assert_int_equal(junit_write_with(f, p, kx, 3, "minivmm", 2, NULL), 0);
	fclose(f);
	assert_non_null(strstr(buf, "<testsuites name=\"minivmm\" tests=\"4\" failures=\"2\" errors=\"0\" skipped=\"1\" time=\"2.000\">\n"));
	assert_non_null(strstr(buf,
		"  <testsuite name=\"kernel log\" tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"1\">\n"
		"    <testcase classname=\"kernel log\" name=\"WARNING in foo_probe\">\n"
		"      <failure message=\"console line 12: [ 1.0] WARNING: CPU: 1 PID: 123 at a.c:1 f\">"
		"WARNING: CPU: 1 PID: 123 at drivers/net/foo.c:42 foo_probe+0x12/0x40 [foo]\n &lt;TASK&gt;\n"
		"</failure>\n    </testcase>\n"
		"    <testcase classname=\"kernel log\" name=\"BUG: soft lockup in f\">\n"
		"      <skipped message=\"accepted by --klog-ignore &apos;BUG*&apos;\"/>\n    </testcase>\n"
		"  </testsuite>\n"
		"  <testsuite name=\"other\" tests=\"1\" failures=\"1\" errors=\"0\" skipped=\"0\">\n"
		"    <testcase classname=\"other\" name=\"x &amp; y\">\n"
		"      <failure message=\"\"/>\n    </testcase>\n  </testsuite>\n</testsuites>\n"));
	/* after the KTAP suite; a skipped case has no text */
	assert_true(strstr(buf, "name=\"a\"") < strstr(buf, "kernel log"));
	assert_null(strstr(buf, "ignored text"));
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_int_equal(junit_write_with(f, p, NULL, 1, "minivmm", 2, NULL), -EINVAL);
	/* no extras: the plain document */
	assert_int_equal(junit_write_with(f, p, NULL, 0, "minivmm", 2, NULL), 0);
	fclose(f);
	assert_null(strstr(buf, "kernel log"));
	assert_non_null(strstr(buf, "tests=\"1\" failures=\"0\""));
	free(buf);
	ktap_free(p);
}

static void test_xml_escape_truncation(void **state)
{
	char out[16];
	size_t n;

	(void)state;
	/* returns what is needed; writes whole units only, NUL-terminated */
	n = xml_escape("ab&cd", out, 4);
	assert_int_equal(n, 9);
	assert_string_equal(out, "ab");
	n = xml_escape("ab&cd", out, 8);
	assert_string_equal(out, "ab&amp;");
	n = xml_escape("\xe2\x82\xac\xe2\x82\xac", out, 6);
	assert_int_equal(n, 6);
	assert_string_equal(out, "\xe2\x82\xac");
	memset(out, 'x', sizeof(out));
	assert_int_equal(xml_escape("abc", out, 1), 3);
	assert_int_equal(out[0], '\0');
	assert_int_equal(xml_escape("a<", NULL, 0), 5);
	n = xml_escape("a<", out, n + 1);
	assert_string_equal(out, "a&lt;");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_junit_small_run_exact),
		cmocka_unit_test(test_junit_errors_and_grouping),
		cmocka_unit_test(test_junit_empty),
		cmocka_unit_test(test_junit_escaping_in_document),
		cmocka_unit_test(test_junit_bad_args),
		cmocka_unit_test(test_junit_extra_cases),
		cmocka_unit_test(test_xml_escape_specials),
		cmocka_unit_test(test_junit_properties),
		cmocka_unit_test(test_xml_escape_controls),
		cmocka_unit_test(test_xml_escape_utf8),
		cmocka_unit_test(test_xml_escape_truncation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
