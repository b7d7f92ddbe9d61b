// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests for src/ctl/json.c: the strict parser and the escaping writer. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "minivmm/ctl/json.h"

#define NODES 64

struct parsed {
	struct json_val nodes[NODES];
	char strs[1024];
	struct json_doc doc;
	struct json_error err;
	const struct json_val *root;
};

static int parse_n(struct parsed *p, const char *s, size_t len)
{
	json_doc_init(&p->doc, p->nodes, NODES, p->strs, sizeof(p->strs), 8);
	p->root = NULL;
	return json_parse(&p->doc, s, len, &p->root, &p->err);
}

static int parse(struct parsed *p, const char *s)
{
	return parse_n(p, s, strlen(s));
}

/* @s is refused at byte @pos with a message mentioning @needle. */
static void assert_rejected(const char *s, size_t pos, const char *needle)
{
	struct parsed p;

	if (parse(&p, s) != -EINVAL)
		fail_msg("accepted: %s", s);
	if (p.err.pos != pos || !strstr(p.err.msg, needle))
		fail_msg("%s: error at %zu '%s', want %zu '%s'", s, p.err.pos, p.err.msg, pos, needle);
	assert_null(strchr(p.err.msg, '\n'));
}

static void test_parse_object(void **state)
{
	struct parsed p;
	const struct json_val *v;

	(void)state;
	assert_int_equal(parse(&p, " {\"cmd\": \"stop\", \"status\": 3, \"on\": true, \"x\": null,"
				  " \"l\": [1, -2.5e1, \"a\"], \"o\": {\"k\": {}}}\r\n"), 0);
	assert_int_equal(p.root->type, JSON_OBJECT);
	assert_int_equal(p.root->count, 6);
	v = json_member(p.root, "cmd");
	assert_non_null(v);
	assert_string_equal(v->str, "stop");
	assert_int_equal(v->len, 4);
	assert_int_equal(v->pos, 9);
	v = json_member(p.root, "status");
	assert_int_equal(v->type, JSON_NUMBER);
	assert_true(v->is_int);
	assert_int_equal(v->i, 3);
	assert_true(json_member(p.root, "on")->b);
	assert_int_equal(json_member(p.root, "x")->type, JSON_NULL);
	v = json_member(p.root, "l");
	assert_int_equal(v->count, 3);
	assert_int_equal(v->child->i, 1);
	assert_true(v->child->next->num == -25.0);
	assert_true(v->child->next->is_int); /* integral, within int64 */
	assert_string_equal(v->child->next->next->str, "a");
	assert_null(v->child->next->next->next);
	v = json_member(json_member(p.root, "o"), "k");
	assert_int_equal(v->type, JSON_OBJECT);
	assert_int_equal(v->count, 0);
	assert_null(json_member(p.root, "missing"));
	assert_null(json_member(json_member(p.root, "cmd"), "x")); /* not an object */
}

static void test_parse_scalars(void **state)
{
	struct parsed p;

	(void)state;
	assert_int_equal(parse(&p, "0"), 0);
	assert_true(p.root->is_int && p.root->i == 0);
	assert_int_equal(parse(&p, "-0"), 0);
	assert_int_equal(parse(&p, "9223372036854775807"), 0);
	assert_true(p.root->is_int);
	assert_true(p.root->i == 9223372036854775807LL);
	assert_int_equal(parse(&p, "9223372036854775808"), 0);
	assert_false(p.root->is_int); /* beyond int64: only a double */
	assert_int_equal(parse(&p, "1.5"), 0);
	assert_false(p.root->is_int);
	assert_int_equal(parse(&p, "1E3"), 0);
	assert_true(p.root->is_int && p.root->i == 1000);
	assert_int_equal(parse(&p, "1e-400"), 0); /* underflow is a tiny number, not an error */
	assert_int_equal(parse(&p, "false"), 0);
	assert_false(p.root->b);
	assert_int_equal(parse(&p, "\"\""), 0);
	assert_int_equal(p.root->len, 0);
}

static void test_parse_strings(void **state)
{
	struct parsed p;

	(void)state;
	assert_int_equal(parse(&p, "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\""), 0);
	assert_string_equal(p.root->str, "a\"b\\c/d\b\f\n\r\t");
	assert_int_equal(parse(&p, "\"\\u00e9\\u20AC\\ud83d\\ude00\""), 0);
	assert_string_equal(p.root->str, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	assert_int_equal(parse(&p, "\"raw \xc3\xa9 \xf0\x9f\x98\x80\""), 0);
	assert_string_equal(p.root->str, "raw \xc3\xa9 \xf0\x9f\x98\x80");
}

static void test_parse_rejects(void **state)
{
	(void)state;
	assert_rejected("", 0, "empty");
	assert_rejected("   ", 3, "empty");
	assert_rejected("{", 1, "member name");
	assert_rejected("{\"a\" 1}", 5, "':'");
	assert_rejected("{\"a\": 1,}", 8, "trailing ','");
	assert_rejected("[1,]", 3, "trailing ','");
	assert_rejected("[1 2]", 3, "',' or ']'");
	assert_rejected("{\"a\": 1 \"b\": 2}", 8, "',' or '}'");
	assert_rejected("{a: 1}", 1, "member name");
	assert_rejected("{'a': 1}", 1, "member name");
	assert_rejected("{\"a\": 1} x", 9, "after the end");
	assert_rejected("{} {}", 3, "after the end");
	assert_rejected("01", 0, "leading zeros");
	assert_rejected("-", 1, "digit");
	assert_rejected("1.", 2, "digit after '.'");
	assert_rejected(".5", 0, "a value");
	assert_rejected("1e", 2, "exponent");
	assert_rejected("+1", 0, "a value");
	assert_rejected("1e999", 0, "out of range");
	assert_rejected("NaN", 0, "a value");
	assert_rejected("tru", 0, "a value");
	assert_rejected("nul", 0, "a value");
	assert_rejected("\"abc", 0, "not terminated");
	assert_rejected("\"a\\", 2, "not terminated");
	assert_rejected("\"a\tb\"", 2, "control character 0x09");
	assert_rejected("\"\\x\"", 1, "invalid escape");
	assert_rejected("\"\\u12\"", 3, "four hex digits");
	assert_rejected("\"\\u12g4\"", 5, "four hex digits");
	assert_rejected("\"\\u0000\"", 1, "NUL");
	assert_rejected("\"\\udc00\"", 1, "lone low surrogate");
	assert_rejected("\"\\ud800\"", 1, "without its low half");
	assert_rejected("\"\\ud800\\u0041\"", 7, "no low surrogate");
	assert_rejected("\"\xff\"", 1, "invalid UTF-8");
	assert_rejected("\"\xc3\"", 1, "invalid UTF-8");           /* truncated */
	assert_rejected("\"\xc0\xaf\"", 1, "invalid UTF-8");       /* overlong '/' */
	assert_rejected("\"\xe0\x80\xaf\"", 1, "invalid UTF-8");   /* overlong, 3 bytes */
	assert_rejected("\"\xed\xa0\x80\"", 1, "invalid UTF-8");   /* a surrogate in UTF-8 */
	assert_rejected("\"\xf4\x90\x80\x80\"", 1, "invalid UTF-8"); /* beyond U+10FFFF */
	assert_rejected("\xef\xbb\xbf{}", 0, "byte 0xef");         /* no BOM */
	assert_rejected("{\"a\": 1, \"a\": 2}", 9, "member \"a\" appears twice");
	/* The name as written, escapes and all (found by fuzzing: a decoded newline). */
	assert_rejected("{\"a\\nb\": 1, \"a\\u000ab\": 2}", 12, "member \"a\\u000ab\" appears twice");
	assert_rejected("{\"\\u00e9\": 1, \"\xc3\xa9\": 2}", 14, "member \"\xc3\xa9\" appears twice");
	/* Long names: 40 bytes at most, never half a UTF-8 sequence (39 'x' then an e-acute). */
	assert_rejected("{\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\xc3\xa9z\": 1, "
			"\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\xc3\xa9z\": 2}",
			50, "member \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\" appears twice");
	assert_rejected("[[[[[[[[[1]]]]]]]]]", 8, "deeper than 8");
}

static void test_parse_nul_and_limits(void **state)
{
	struct parsed p;
	struct json_val few[3];
	char strs[8];
	struct json_doc doc;
	struct json_error err;
	const struct json_val *root;

	(void)state;
	/* A NUL byte inside the given length is no whitespace and no string byte. */
	assert_int_equal(parse_n(&p, "{}\0", 3), -EINVAL);
	assert_int_equal(p.err.pos, 2);
	assert_int_equal(parse_n(&p, "\"a\0b\"", 5), -EINVAL);
	assert_int_equal(p.err.pos, 2);
	/* Input without a terminating NUL: only @len bytes are read. */
	assert_int_equal(parse_n(&p, "123456", 3), 0);
	assert_int_equal(p.root->i, 123);

	json_doc_init(&doc, few, 3, strs, sizeof(strs), 8);
	assert_int_equal(json_parse(&doc, "[1, 2]", 6, &root, &err), 0);
	assert_int_equal(json_parse(&doc, "[1, 2, 3]", 9, &root, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "more than 3 values"));
	assert_int_equal(json_parse(&doc, "\"1234567\"", 9, &root, &err), 0);
	assert_int_equal(json_parse(&doc, "[\"1234\", \"567\"]", 15, &root, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "strings longer"));
}

/* Writer helpers. */
static const char *written(struct json_out *o)
{
	assert_false(o->failed);
	return json_out_text(o);
}

static void test_write_compact(void **state)
{
	struct json_out o;

	(void)state;
	json_out_init(&o, 4096);
	json_begin_object(&o);
	json_kv_bool(&o, "ok", true);
	json_kv_int(&o, "n", -42);
	json_kv_uint(&o, "u", 18446744073709551615ULL);
	json_key(&o, "list");
	json_begin_array(&o);
	json_string(&o, "a");
	json_null(&o);
	json_double(&o, 0.5);
	json_double(&o, 1.0 / 0.0); /* not JSON: null */
	json_begin_object(&o);
	json_end_object(&o);
	json_begin_array(&o);
	json_end_array(&o);
	json_end_array(&o);
	json_key(&o, "s");
	json_stringf(&o, "%d-%s", 7, "x");
	json_kv_string(&o, "none", NULL);
	json_end_object(&o);
	assert_string_equal(written(&o), "{\"ok\": true, \"n\": -42, \"u\": 18446744073709551615, "
					 "\"list\": [\"a\", null, 0.5, null, {}, []], \"s\": \"7-x\", \"none\": null}");
	json_out_free(&o);
}

static void test_write_escapes(void **state)
{
	struct json_out o;

	(void)state;
	json_out_init(&o, 4096);
	json_string_n(&o, "q\"b\\n\n\r\t\b\f\x01\x1f\x7f/\xc3\xa9\xff\xe2\x82|\xf0\x9f\x98\x80\0z", 26);
	assert_string_equal(written(&o), "\"q\\\"b\\\\n\\n\\r\\t\\b\\f\\u0001\\u001f\\u007f/\xc3\xa9"
					 "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|\xf0\x9f\x98\x80\xef\xbf\xbdz\"");
	json_out_reset(&o);
	json_key(&o, "k\"\n");
	assert_string_equal(written(&o), "\"k\\\"\\n\": ");
	json_out_free(&o);
}

static void test_write_pretty(void **state)
{
	struct parsed p;
	struct json_out o;

	(void)state;
	assert_int_equal(parse(&p, "{\"a\": [1, {\"b\": \"c\"}, []], \"d\": {}}"), 0);
	json_out_init(&o, 4096);
	o.pretty = true;
	json_value(&o, p.root);
	assert_string_equal(written(&o), "{\n  \"a\": [\n    1,\n    {\n      \"b\": \"c\"\n    },\n    []\n  ],\n"
					 "  \"d\": {}\n}");
	json_out_free(&o);
}

static void test_write_limits_and_mark(void **state)
{
	struct json_out o;
	struct json_mark m;

	(void)state;
	json_out_init(&o, 16);
	json_begin_object(&o);
	m = json_out_mark(&o);
	json_kv_string(&o, "long", "this does not fit");
	assert_true(o.failed);
	json_out_rewind(&o, &m);
	assert_false(o.failed);
	json_kv_int(&o, "n", 1);
	json_end_object(&o);
	assert_string_equal(written(&o), "{\"n\": 1}");
	assert_true(o.len < o.max);
	/* A rewind after a member keeps the comma state right. */
	json_out_reset(&o);
	json_begin_array(&o);
	json_int(&o, 1);
	m = json_out_mark(&o);
	json_int(&o, 2);
	json_out_rewind(&o, &m);
	json_int(&o, 3);
	json_end_array(&o);
	assert_string_equal(written(&o), "[1, 3]");
	json_out_free(&o);

	/* A NULL writer is a no-op everywhere. */
	json_begin_object(NULL);
	json_kv_string(NULL, "a", "b");
	json_kv_int(NULL, "a", 1);
	json_value(NULL, NULL);
	json_end_object(NULL);
	json_out_reset(NULL);
	json_out_free(NULL);
	assert_string_equal(json_out_text(NULL), "");
}

/* Every value survives write -> parse -> write unchanged. */
static void test_roundtrip(void **state)
{
	static const char *const docs[] = {
		"{\"id\": \"x\\u0001\", \"cmd\": \"st\\\"op\", \"n\": [0, -1, 1.5, 1e+300, true, false, null]}",
		"[\"\\ud83d\\ude00\", \"\xe2\x82\xac\", {\"\": {\"\": []}}]",
		"-1.25e-7",
	};
	struct parsed p, q;
	struct json_out a, b;

	(void)state;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		assert_int_equal(parse(&p, docs[i]), 0);
		json_out_init(&a, 4096);
		json_out_init(&b, 4096);
		json_value(&a, p.root);
		assert_int_equal(parse(&q, written(&a)), 0);
		json_value(&b, q.root);
		assert_string_equal(written(&a), written(&b));
		json_out_free(&a);
		json_out_free(&b);
	}
}

static void test_utf8_len(void **state)
{
	(void)state;
	assert_int_equal(json_utf8_len((const unsigned char *)"a", 1), 1);
	assert_int_equal(json_utf8_len((const unsigned char *)"\xc2\x80", 2), 2);
	assert_int_equal(json_utf8_len((const unsigned char *)"\xef\xbf\xbf", 3), 3);
	assert_int_equal(json_utf8_len((const unsigned char *)"\xf4\x8f\xbf\xbf", 4), 4);
	assert_int_equal(json_utf8_len((const unsigned char *)"\xf4\x8f\xbf", 3), 0);
	assert_int_equal(json_utf8_len((const unsigned char *)"\x80", 1), 0);
	assert_int_equal(json_utf8_len((const unsigned char *)"\xc1\xbf", 2), 0);
	assert_int_equal(json_utf8_len((const unsigned char *)"\xf5\x80\x80\x80", 4), 0);
	assert_int_equal(json_utf8_len((const unsigned char *)"\xc3\x28", 2), 0);
	assert_int_equal(json_utf8_len((const unsigned char *)"", 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_object),
		cmocka_unit_test(test_parse_scalars),
		cmocka_unit_test(test_parse_strings),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_parse_nul_and_limits),
		cmocka_unit_test(test_write_compact),
		cmocka_unit_test(test_write_escapes),
		cmocka_unit_test(test_write_pretty),
		cmocka_unit_test(test_write_limits_and_mark),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_utf8_len),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
