// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the control commands' generic code: the registry's
 * schema checks and replies (src/ctl/cmd.c), the word -> JSON builder
 * (words.c), --at parsing (at.c) and line framing (line.c).
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

#include "minivmm/ctl/at.h"
#include "minivmm/ctl/cmd.h"
#include "minivmm/ctl/line.h"
#include "minivmm/ctl/words.h"

struct ctx {
	int runs;
	const char *source;
};

/* Echoes the validated arguments. */
static int run_echo(struct ctl_call *c)
{
	const struct ctl_value *list = ctl_arg(c, "list");
	const struct pci_bdf *bdf = ctl_arg_bdf(c, "bdf");
	struct ctx *x = c->ctx;

	x->runs++;
	x->source = c->source;
	json_kv_int(c->reply, "n", ctl_arg_int(c, "n", -1));
	json_kv_string(c->reply, "name", ctl_arg_string(c, "name", "dflt"));
	json_kv_bool(c->reply, "flag", ctl_arg_bool(c, "flag", false));
	json_key(c->reply, "ratio");
	json_double(c->reply, ctl_arg_number(c, "ratio", -1));
	if (bdf)
		json_kv_int(c->reply, "dev", bdf->dev);
	json_kv_int(c->reply, "nlist", list->nlist);
	if (list->nlist)
		json_kv_string(c->reply, "last", list->list[list->nlist - 1]);
	/* An argument name the command does not have reads as absent. */
	json_kv_bool(c->reply, "bogus_given", ctl_arg(c, "bogus")->given);
	return 0;
}

static int run_fail(struct ctl_call *c)
{
	json_kv_int(c->reply, "partial", 1);
	json_begin_array(c->reply); /* left open: the error reply must not show it */
	return ctl_fail(c, "the device is gone: plug it first");
}

static int run_errno(struct ctl_call *c)
{
	(void)c;
	return -EBUSY;
}

static int run_big(struct ctl_call *c)
{
	json_key(c->reply, "junk");
	json_begin_array(c->reply);
	for (int i = 0; i < 100000; i++)
		json_string(c->reply, "0123456789");
	json_end_array(c->reply);
	return 0;
}

static const struct ctl_cmd table[] = {
	{ "echo", "echo the arguments", run_echo,
	  .args = { { "n", CTL_ARG_INT, .min = 0, .max = 10, .help = "a small number" },
		    { "name", CTL_ARG_STRING, .max = 8 },
		    { "flag", CTL_ARG_BOOL },
		    { "ratio", CTL_ARG_NUMBER, .min = 0, .max = 1 },
		    { "bdf", CTL_ARG_BDF },
		    { "list", CTL_ARG_STRINGS, .min = 1, .max = 3 } } },
	{ "unplug", "take a device away", run_echo, .record = true,
	  .args = { { "bdf", CTL_ARG_BDF, .required = true, .help = "the function" } } },
	{ "fail", "always fails", run_fail },
	{ "errno", "returns -EBUSY", run_errno },
	{ "big", "a reply too large", run_big },
	CTL_HELP_ENTRY,
	{ NULL },
};

static struct ctx ctx;
static struct json_out out;
static struct ctl_result res;

/* Reply to @req (the whole reply text). */
static const char *dispatch(const char *req)
{
	json_out_reset(&out);
	ctl_dispatch(table, &ctx, "test", req, strlen(req), &out, &res);
	assert_false(out.failed);
	assert_null(strchr(json_out_text(&out), '\n'));
	return json_out_text(&out);
}

/* An error reply mentioning @needle, with no half-written members. */
static void assert_error(const char *req, const char *needle)
{
	const char *r = dispatch(req);

	if (res.ok || !strstr(r, "\"ok\": false") || !strstr(res.error, needle) || strstr(r, "partial"))
		fail_msg("%s -> %s (want an error with '%s')", req, r, needle);
}

static int setup(void **state)
{
	(void)state;
	json_out_init(&out, 64 << 10);
	memset(&ctx, 0, sizeof(ctx));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	json_out_free(&out);
	return 0;
}

static void test_dispatch_ok(void **state)
{
	(void)state;
	assert_string_equal(dispatch("{\"cmd\": \"echo\", \"n\": 3, \"name\": \"ab\", \"flag\": true, \"ratio\": 0.5,"
				     " \"bdf\": \"00:1f.7\", \"list\": [\"x\", \"y\"], \"id\": 7}"),
			    "{\"id\": 7, \"ok\": true, \"n\": 3, \"name\": \"ab\", \"flag\": true, \"ratio\": 0.5,"
			    " \"dev\": 31, \"nlist\": 2, \"last\": \"y\", \"bogus_given\": false}");
	assert_true(res.ok);
	assert_string_equal(res.cmd->name, "echo");
	assert_int_equal(ctx.runs, 1);
	assert_string_equal(ctx.source, "test");
	/* Defaults for what is not given; a string id is echoed as a string. */
	assert_string_equal(dispatch("{\"id\": \"a\\u0000b\"}"), "{\"ok\": false, \"error\": \"the request is not valid JSON: "
				     "\\\\u0000 (NUL) is not allowed in strings at byte 9: send one JSON object per line, "
				     "e.g. {\\\"cmd\\\": \\\"status\\\"}\"}");
	assert_string_equal(dispatch("{\"id\": \"r1\", \"cmd\": \"echo\"}"),
			    "{\"id\": \"r1\", \"ok\": true, \"n\": -1, \"name\": \"dflt\", \"flag\": false, \"ratio\": -1,"
			    " \"nlist\": 0, \"bogus_given\": false}");
	/* Integral floats are integers; 1.0 and 1e0 fit "n". */
	dispatch("{\"cmd\": \"echo\", \"n\": 1e1}");
	assert_true(res.ok);
	assert_non_null(strstr(json_out_text(&out), "\"n\": 10"));
}

static void test_dispatch_errors(void **state)
{
	(void)state;
	assert_error("", "not valid JSON: empty input");
	assert_error("garbage", "not valid JSON");
	assert_error("{\"cmd\": \"echo\"", "at byte 14");
	assert_error("[\"echo\"]", "is an array, not an object");
	assert_error("{}", "has no \"cmd\"");
	assert_error("{\"cmd\": 3}", "\"cmd\" is a number (at byte 8)");
	assert_error("{\"cmd\": \"nope\"}", "unknown command \"nope\": the commands are echo, unplug, fail, errno, big, help");
	assert_error("{\"cmd\": \"echo\", \"id\": {}}", "\"id\" is an object");
	assert_error("{\"cmd\": \"echo\", \"id\": [1]}", "\"id\" is an array");
	assert_error("{\"cmd\": \"echo\", \"x\": 1}", "echo has no argument \"x\" (at byte 16): its arguments are n, name, flag, ratio, bdf, list");
	assert_error("{\"cmd\": \"fail\", \"x\": 1}", "fail takes no arguments: drop \"x\"");
	assert_error("{\"cmd\": \"echo\", \"n\": \"3\"}", "argument \"n\" of echo is a string (at byte 21): give an integer from 0 to 10, e.g. \"n\": 0");
	assert_error("{\"cmd\": \"echo\", \"n\": 11}", "is 11 (at byte 21): give an integer from 0 to 10");
	assert_error("{\"cmd\": \"echo\", \"n\": -1}", "is -1");
	assert_error("{\"cmd\": \"echo\", \"n\": 1.5}", "not an integer");
	assert_error("{\"cmd\": \"echo\", \"n\": 1e30}", "not an integer");
	assert_error("{\"cmd\": \"echo\", \"name\": \"123456789\"}", "is 9 bytes long");
	assert_error("{\"cmd\": \"echo\", \"name\": null}", "is null");
	assert_error("{\"cmd\": \"echo\", \"flag\": 1}", "give true or false");
	assert_error("{\"cmd\": \"echo\", \"ratio\": 1.5}", "give a number from 0 to 1");
	assert_error("{\"cmd\": \"echo\", \"bdf\": \"00:20.0\"}", "not a PCI address");
	assert_error("{\"cmd\": \"echo\", \"bdf\": 3}", "e.g. \"bdf\": \"0000:00:03.0\"");
	assert_error("{\"cmd\": \"echo\", \"list\": []}", "has 0 elements");
	assert_error("{\"cmd\": \"echo\", \"list\": [\"a\", \"b\", \"c\", \"d\"]}", "has 4 elements");
	assert_error("{\"cmd\": \"echo\", \"list\": [\"a\", 2]}", "holds a number (at byte 30)");
	assert_error("{\"cmd\": \"unplug\"}", "unplug needs argument \"bdf\" (a PCI address DDDD:BB:DD.F or BB:DD.F as a string): "
		     "e.g. {\"cmd\": \"unplug\", \"bdf\": \"0000:00:03.0\"}");
	assert_error("{\"cmd\": \"echo\", \"cmd\": \"echo\"}", "appears twice");
	assert_int_equal(ctx.runs, 0); /* no handler ran for any of them */
	/* The id is echoed in error replies once it is valid. */
	dispatch("{\"id\": 5, \"cmd\": \"nope\"}");
	{
		static const char want[] = "{\"id\": 5, \"ok\": false, \"error\": \"unknown command";

		assert_memory_equal(json_out_text(&out), want, sizeof(want) - 1);
	}
	assert_string_equal(res.cmd ? res.cmd->name : "", "");
}

static void test_handler_failures(void **state)
{
	(void)state;
	assert_string_equal(dispatch("{\"cmd\": \"fail\", \"id\": 1}"),
			    "{\"id\": 1, \"ok\": false, \"error\": \"the device is gone: plug it first\"}");
	assert_string_equal(res.cmd->name, "fail");
	assert_error("{\"cmd\": \"errno\"}", "errno failed: Device or resource busy");
	assert_error("{\"cmd\": \"big\"}", "the reply to big is larger than");
	assert_true(out.len < 200);
}

static void test_help(void **state)
{
	const char *r;

	(void)state;
	r = dispatch("{\"cmd\": \"help\"}");
	assert_true(res.ok);
	assert_non_null(strstr(r, "{\"name\": \"unplug\", \"help\": \"take a device away\", \"args\": [{\"name\": \"bdf\", "
				  "\"type\": \"bdf\", \"required\": true, \"accepts\": \"a PCI address DDDD:BB:DD.F or BB:DD.F "
				  "as a string\", \"help\": \"the function\"}]}"));
	assert_non_null(strstr(r, "\"name\": \"n\", \"type\": \"integer\", \"required\": false, \"accepts\": \"an integer from 0 to 10\""));
	r = dispatch("{\"cmd\": \"help\", \"command\": \"fail\"}");
	assert_string_equal(r, "{\"ok\": true, \"commands\": [{\"name\": \"fail\", \"help\": \"always fails\", \"args\": []}]}");
	assert_error("{\"cmd\": \"help\", \"command\": \"x\"}", "no command \"x\" to describe");
}

static void test_validate(void **state)
{
	char err[CTL_ERROR_MAX];

	(void)state;
	assert_int_equal(ctl_validate(table, "{\"cmd\": \"unplug\", \"bdf\": \"0000:00:03.0\"}", 40, true, err, sizeof(err)), 0);
	assert_int_equal(ctl_validate(table, "{\"cmd\": \"echo\", \"n\": 99}", 24, true, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "is 99 (at byte 21)"));
	assert_int_equal(ctl_validate(table, "{\"cmd\": \"echo\", \"n\": 99}", 24, false, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "is 99: give"));
	assert_int_equal(ctx.runs, 0);
}

/* ---- words ---- */

static const char *words(const char *line, char *err, size_t errlen)
{
	char copy[512], *argv[CTL_MAX_WORDS];
	int n;

	snprintf(copy, sizeof(copy), "%s", line);
	n = ctl_words_split(copy, argv, CTL_MAX_WORDS);
	assert_true(n >= 0);
	json_out_reset(&out);
	err[0] = 0;
	if (ctl_words_request(table, n, argv, &out, err, errlen))
		return NULL;
	return json_out_text(&out);
}

static void assert_words(const char *line, const char *json)
{
	char err[CTL_ERROR_MAX];
	const char *r = words(line, err, sizeof(err));

	if (!r || strcmp(r, json))
		fail_msg("'%s' -> %s (error '%s'), want %s", line, r ? r : "NULL", err, json);
}

static void assert_words_error(const char *line, const char *needle)
{
	char err[CTL_ERROR_MAX];

	if (words(line, err, sizeof(err)) || !strstr(err, needle))
		fail_msg("'%s' -> '%s', want an error with '%s'", line, err, needle);
}

static void test_words(void **state)
{
	(void)state;
	assert_words("help", "{\"cmd\": \"help\"}");
	assert_words("unplug 0000:00:03.0", "{\"cmd\": \"unplug\", \"bdf\": \"0000:00:03.0\"}");
	assert_words("unplug bdf=00:03.0", "{\"cmd\": \"unplug\", \"bdf\": \"00:03.0\"}");
	assert_words("echo 3 abc", "{\"cmd\": \"echo\", \"n\": 3, \"name\": \"abc\"}");
	assert_words("echo 0x0a", "{\"cmd\": \"echo\", \"n\": 10}");
	assert_words("echo -5", "{\"cmd\": \"echo\", \"n\": -5}"); /* the server checks the range */
	/* Named words first; the rest fill the arguments not named, in order. */
	assert_words("echo name=x 4", "{\"cmd\": \"echo\", \"name\": \"x\", \"n\": 4}");
	assert_words("echo n=1 a=b", "{\"cmd\": \"echo\", \"n\": 1, \"name\": \"a=b\"}");
	assert_words("echo flag=yes ratio=0.25", "{\"cmd\": \"echo\", \"flag\": true, \"ratio\": 0.25}");
	assert_words("echo flag=off", "{\"cmd\": \"echo\", \"flag\": false}");
	assert_words("echo 1 n2 true 1 00:01.0 a b c",
		     "{\"cmd\": \"echo\", \"n\": 1, \"name\": \"n2\", \"flag\": true, \"ratio\": 1, \"bdf\": \"00:01.0\", "
		     "\"list\": [\"a\", \"b\", \"c\"]}");
	assert_words("echo list=a n=2 list=b", "{\"cmd\": \"echo\", \"list\": [\"a\", \"b\"], \"n\": 2}");
	assert_words("echo id=9 n=1", "{\"cmd\": \"echo\", \"id\": 9, \"n\": 1}");
	assert_words("echo id=x", "{\"cmd\": \"echo\", \"id\": \"x\"}");
	assert_words("echo name=\"q\\", "{\"cmd\": \"echo\", \"name\": \"\\\"q\\\\\"}");
	/* A command this binary does not know: NAME=VALUE with guessed types. */
	assert_words("future a=1 b=true c=x d=0x10", "{\"cmd\": \"future\", \"a\": 1, \"b\": true, \"c\": \"x\", \"d\": 16}");

	assert_words_error("", "no command given");
	assert_words_error("echo x", "n 'x' is not an integer: give an integer from 0 to 10");
	assert_words("echo 1 n=2", "{\"cmd\": \"echo\", \"n\": 2, \"name\": \"1\"}");
	assert_words_error("echo n=1 n=2", "n given twice");
	assert_words_error("echo flag=maybe", "not a boolean");
	assert_words_error("echo ratio=1x", "not a number");
	assert_words_error("echo ratio=nan", "not a number");
	assert_words_error("echo id=1 id=2", "id given twice");
	assert_words_error("fail x", "fail takes no arguments: drop 'x'");
	assert_words_error("unplug 00:03.0 extra", "one word too many, 'extra': its arguments are bdf");
	assert_words_error("future 3", "a command minivmm does not know");
	assert_words_error("future a=1 a=2", "a given twice");
	assert_words_error("future cmd=x", "the command is the first word");
}

static void test_words_split(void **state)
{
	char s[] = "  a\tbb  c\n", many[] = "1 2 3 4", *argv[3];

	(void)state;
	assert_int_equal(ctl_words_split(s, argv, 3), 3);
	assert_string_equal(argv[0], "a");
	assert_string_equal(argv[1], "bb");
	assert_string_equal(argv[2], "c");
	assert_int_equal(ctl_words_split(many, argv, 3), -E2BIG);
}

/* ---- --at ---- */

static void assert_at(const char *spec, long want_ms, const char *want_cmd)
{
	char err[256];
	const char *cmd;
	long ms;

	if (ctl_at_parse(spec, &ms, &cmd, err, sizeof(err)))
		fail_msg("%s: %s", spec, err);
	assert_int_equal(ms, want_ms);
	assert_string_equal(cmd, want_cmd);
}

static void assert_at_error(const char *spec, const char *needle)
{
	char err[256];
	const char *cmd;
	long ms;

	if (!ctl_at_parse(spec, &ms, &cmd, err, sizeof(err)) || !strstr(err, needle))
		fail_msg("%s -> '%s', want an error with '%s'", spec, err, needle);
	assert_null(strchr(err, '\n'));
}

static void test_at_parse(void **state)
{
	(void)state;
	assert_at("5s:stop", 5000, "stop");
	assert_at("1500ms:stop 3", 1500, "stop 3");
	assert_at("2m:unplug 0000:00:03.0", 120000, "unplug 0000:00:03.0");
	assert_at("7: stop", 7000, "stop");
	assert_at("0ms:status", 0, "status");
	assert_at("10080m:stop", 604800000, "stop");
	assert_at_error("stop", "has no ':'");
	assert_at_error(":stop", "'' is not a time");
	assert_at_error("5x:stop", "'5x' is not a time");
	assert_at_error("5 s:stop", "'5 s' is not a time");
	assert_at_error("-5s:stop", "not a time");
	assert_at_error("1.5s:stop", "not a time");
	assert_at_error("5h:stop", "not a time");
	assert_at_error("10081m:stop", "within a week");
	assert_at_error("99999999999999999999s:stop", "not a time");
	assert_at_error("5s:", "has no command after ':': e.g. --at 5s:stop");
	assert_at_error("5s:  ", "has no command");
}

static void test_at_request(void **state)
{
	struct json_out o;
	char err[CTL_ERROR_MAX];
	long ms;

	(void)state;
	json_out_init(&o, 4096);
	assert_int_equal(ctl_at_request(table, "3s:unplug 00:03.0", &ms, &o, err, sizeof(err)), 0);
	assert_int_equal(ms, 3000);
	assert_string_equal(json_out_text(&o), "{\"cmd\": \"unplug\", \"bdf\": \"00:03.0\"}");
	assert_int_equal(ctl_at_request(table, "1ms:{\"cmd\":\"echo\",  \"n\":2}", &ms, &o, err, sizeof(err)), 0);
	assert_string_equal(json_out_text(&o), "{\"cmd\": \"echo\", \"n\": 2}");
	/* Refused before the guest starts, with the reason. */
	assert_int_equal(ctl_at_request(table, "3s:unplug", &ms, &o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--at '3s:unplug': unplug needs argument \"bdf\""));
	assert_int_equal(ctl_at_request(table, "3s:echo 11", &ms, &o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "is 11: give an integer from 0 to 10")); /* no byte offsets of a JSON the user did not write */
	assert_int_equal(ctl_at_request(table, "3s:nope", &ms, &o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "unknown command \"nope\""));
	assert_int_equal(ctl_at_request(table, "3s:{\"cmd\": \"echo\"", &ms, &o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not valid JSON"));
	assert_int_equal(ctl_at_request(table, "3:echo x", &ms, &o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not an integer"));
	assert_int_equal(ctx.runs, 0);
	json_out_free(&o);
}

/* ---- line framing ---- */

struct lines {
	char text[8][64];
	bool too_long[8];
	int n;
};

static void on_line(void *opaque, const char *line, size_t len, bool too_long)
{
	struct lines *l = opaque;

	assert_true(l->n < 8);
	snprintf(l->text[l->n], sizeof(l->text[0]), "%.*s", (int)len, line);
	l->too_long[l->n++] = too_long;
}

static void test_linebuf(void **state)
{
	struct ctl_linebuf lb;
	struct lines l = { .n = 0 };

	(void)state;
	ctl_linebuf_init(&lb, 8);
	/* Pieces of lines, CRLF, an empty line. */
	assert_int_equal(ctl_linebuf_feed(&lb, "ab", 2, on_line, &l), 0);
	assert_int_equal(l.n, 0);
	ctl_linebuf_feed(&lb, "c\r\n\nde", 6, on_line, &l);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.text[0], "abc");
	assert_string_equal(l.text[1], "");
	/* Too long: reported once as it passes the limit, the rest of it dropped. */
	ctl_linebuf_feed(&lb, "fghij", 5, on_line, &l);
	assert_int_equal(l.n, 2);
	ctl_linebuf_feed(&lb, "kl", 2, on_line, &l);
	assert_int_equal(l.n, 3);
	assert_true(l.too_long[2]);
	assert_string_equal(l.text[2], "defghijk");
	ctl_linebuf_feed(&lb, "klmnopqrstuvwxyz", 16, on_line, &l);
	assert_int_equal(l.n, 3);
	ctl_linebuf_feed(&lb, "xyz\nok\n", 7, on_line, &l);
	assert_int_equal(l.n, 4);
	assert_false(l.too_long[3]);
	assert_string_equal(l.text[3], "ok");
	/* Exactly the limit is fine; NUL bytes are passed on. */
	ctl_linebuf_feed(&lb, "12345678\na\0b\n", 13, on_line, &l);
	assert_int_equal(l.n, 6);
	assert_string_equal(l.text[4], "12345678");
	assert_false(l.too_long[4]);
	assert_string_equal(l.text[5], "a");
	/* End of stream: the last line without its newline. */
	ctl_linebuf_feed(&lb, "tail", 4, on_line, &l);
	ctl_linebuf_finish(&lb, on_line, &l);
	assert_int_equal(l.n, 7);
	assert_string_equal(l.text[6], "tail");
	ctl_linebuf_finish(&lb, on_line, &l);
	assert_int_equal(l.n, 7);
	ctl_linebuf_free(&lb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dispatch_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dispatch_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handler_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_help, setup, teardown),
		cmocka_unit_test_setup_teardown(test_validate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_words, setup, teardown),
		cmocka_unit_test_setup_teardown(test_words_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_at_parse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_at_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_linebuf, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
