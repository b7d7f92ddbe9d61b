// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the control channel's input side: the JSON parser
 * and writer (src/ctl/json.c), request dispatch against a command table
 * with every argument type (cmd.c), line framing (line.c), the word ->
 * JSON builder (words.c) and --at parsing (at.c). The input is whatever a
 * client could send. ctl_fuzz_one() aborts when an invariant breaks:
 *
 *   - a value that parses writes back to JSON that parses to the same
 *     text again (compact and indented);
 *   - every reply is one line, a JSON object with a boolean "ok", and an
 *     error reply has a one-line string "error";
 *   - any bytes written as a JSON string parse back, and to the same
 *     bytes when they were valid UTF-8 without NUL;
 *   - requests built from words, and accepted --at specs, are JSON objects.
 *
 * Build and run (from the top of the repository):
 *   clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
 *         -Iinclude tests/fuzz/ctl_fuzz.c src/ctl/json.c src/ctl/cmd.c src/ctl/line.c \
 *         src/ctl/words.c src/ctl/at.c src/pci/bdf.c -o /tmp/ctl_fuzz
 *   /tmp/ctl_fuzz -max_total_time=60 -max_len=20000 tests/fuzz/corpus/ctl
 * tests/unit/test_ctl_fuzz.c runs ctl_fuzz_one() over seeded inputs in CI.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "minivmm/ctl/at.h"
#include "minivmm/ctl/cmd.h"
#include "minivmm/ctl/json.h"
#include "minivmm/ctl/line.h"
#include "minivmm/ctl/words.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int ctl_fuzz_one(const uint8_t *data, size_t size);

#define FUZZ_LINE_MAX 4096

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "ctl_fuzz: invariant broken: %s\n", what);
		abort();
	}
}

/* Handlers write back what they were given, through every accessor. */
static int fuzz_echo(struct ctl_call *c)
{
	const struct ctl_value *l = ctl_arg(c, "names");
	const struct pci_bdf *bdf = ctl_arg_bdf(c, "bdf");

	json_kv_int(c->reply, "n", ctl_arg_int(c, "n", 0));
	json_key(c->reply, "x");
	json_double(c->reply, ctl_arg_number(c, "x", 0));
	json_kv_bool(c->reply, "b", ctl_arg_bool(c, "b", false));
	json_kv_string(c->reply, "s", ctl_arg_string(c, "s", NULL));
	if (bdf)
		json_kv_int(c->reply, "fn", bdf->fn);
	json_key(c->reply, "names");
	json_begin_array(c->reply);
	for (unsigned int i = 0; i < l->nlist; i++)
		json_string(c->reply, l->list[i]);
	json_end_array(c->reply);
	if (ctl_arg_int(c, "n", 0) == 13)
		return ctl_fail(c, "thirteen: %s", ctl_arg_string(c, "s", "(none)"));
	return 0;
}

static const struct ctl_cmd fuzz_table[] = {
	{ "echo", "all types", fuzz_echo,
	  .args = { { "n", CTL_ARG_INT, .min = -5, .max = 100 },
		    { "x", CTL_ARG_NUMBER },
		    { "b", CTL_ARG_BOOL },
		    { "s", CTL_ARG_STRING, .max = 64 },
		    { "bdf", CTL_ARG_BDF },
		    { "names", CTL_ARG_STRINGS, .max = 4 } } },
	{ "need", "a required argument", fuzz_echo, .args = { { "bdf", CTL_ARG_BDF, .required = true } } },
	CTL_HELP_ENTRY,
	{ NULL },
};

struct fuzz {
	struct json_val *nodes;
	unsigned int max_nodes;
	char *strs;
	size_t strs_size;
	struct json_out out, out2;
};

static int fuzz_parse(struct fuzz *f, const char *s, size_t len, const struct json_val **root)
{
	struct json_doc doc;
	struct json_error err;
	int ret;

	check(len < f->strs_size, "parse buffer");
	json_doc_init(&doc, f->nodes, f->max_nodes, f->strs, f->strs_size, CTL_MAX_DEPTH);
	ret = json_parse(&doc, s, len, root, &err);
	if (ret) {
		check(err.pos <= len, "error position inside the input");
		check(err.msg[0] && !strchr(err.msg, '\n'), "one-line error message");
	}
	return ret;
}

/* parse -> write -> parse -> write gives the same text; so does the indented form. */
static void fuzz_roundtrip(struct fuzz *f, const uint8_t *data, size_t size)
{
	const struct json_val *root;
	char *first;

	if (fuzz_parse(f, (const char *)data, size, &root))
		return;
	json_out_reset(&f->out);
	json_value(&f->out, root);
	check(!f->out.failed, "writer has room");
	first = strdup(json_out_text(&f->out));
	check(first != NULL, "memory");
	check(!fuzz_parse(f, first, strlen(first), &root), "written JSON parses");
	json_out_reset(&f->out2);
	json_value(&f->out2, root);
	check(!strcmp(first, json_out_text(&f->out2)), "write is stable");
	json_out_reset(&f->out2);
	f->out2.pretty = true;
	json_value(&f->out2, root);
	f->out2.pretty = false;
	check(!fuzz_parse(f, json_out_text(&f->out2), f->out2.len, &root), "pretty JSON parses");
	json_out_reset(&f->out2);
	json_value(&f->out2, root);
	check(!strcmp(first, json_out_text(&f->out2)), "pretty form has the same content");
	free(first);
}

/* A reply is one line holding an object with a boolean "ok" (and an "error" when false). */
static void check_reply(struct fuzz *f, const struct ctl_result *res)
{
	const struct json_val *root, *ok, *err;

	check(!f->out.failed, "reply fits");
	check(!strchr(json_out_text(&f->out), '\n'), "reply is one line");
	check(!fuzz_parse(f, json_out_text(&f->out), f->out.len, &root), "reply parses");
	check(root->type == JSON_OBJECT, "reply is an object");
	ok = json_member(root, "ok");
	check(ok && ok->type == JSON_BOOL && ok->b == res->ok, "reply has ok");
	err = json_member(root, "error");
	check(res->ok ? !err : (err && err->type == JSON_STRING && err->len > 0), "error reply has error");
}

static void fuzz_dispatch(void *opaque, const char *line, size_t len, bool too_long)
{
	struct fuzz *f = opaque;
	struct ctl_result res;

	if (too_long)
		return;
	json_out_reset(&f->out);
	ctl_dispatch(fuzz_table, NULL, "fuzz", line, len, &f->out, &res);
	check_reply(f, &res);
}

/* Any bytes as a JSON string: the text parses, and gives the bytes back when they were valid. */
static void fuzz_string(struct fuzz *f, const uint8_t *data, size_t size)
{
	const struct json_val *root;
	bool clean = true;

	for (size_t i = 0; i < size && clean;) {
		size_t k = json_utf8_len(data + i, size - i);

		clean = k && data[i];
		i += k ? k : 1;
	}
	json_out_reset(&f->out);
	json_string_n(&f->out, (const char *)data, size);
	check(!f->out.failed, "string fits");
	check(!fuzz_parse(f, json_out_text(&f->out), f->out.len, &root), "written string parses");
	check(root->type == JSON_STRING, "a string");
	if (clean)
		check(root->len == size && !memcmp(root->str, data, size), "string round trip");
}

/* The input as words and as an --at spec. */
static void fuzz_words(struct fuzz *f, const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *copy, *argv[CTL_MAX_WORDS], err[CTL_ERROR_MAX];
	const struct json_val *root;
	long ms;
	int n;

	check(text != NULL, "memory");
	memcpy(text, data, size);
	text[size] = 0;
	copy = strdup(text);
	check(copy != NULL, "memory");
	n = ctl_words_split(copy, argv, CTL_MAX_WORDS);
	json_out_reset(&f->out);
	if (n >= 0 && !ctl_words_request(fuzz_table, n, argv, &f->out, err, sizeof(err))) {
		check(!fuzz_parse(f, json_out_text(&f->out), f->out.len, &root), "words give JSON");
		check(root->type == JSON_OBJECT && json_member(root, "cmd"), "words give a request");
	}
	free(copy);
	json_out_reset(&f->out);
	if (!ctl_at_request(fuzz_table, text, &ms, &f->out, err, sizeof(err))) {
		check(ms >= 0 && ms <= CTL_AT_MAX_MS, "--at time in range");
		check(!fuzz_parse(f, json_out_text(&f->out), f->out.len, &root), "--at gives JSON");
		check(root->type == JSON_OBJECT, "--at gives an object");
	} else {
		check(err[0] && !strchr(err, '\n'), "--at error is one line");
	}
	free(text);
}

int ctl_fuzz_one(const uint8_t *data, size_t size)
{
	struct fuzz f = { .max_nodes = CTL_MAX_NODES };
	struct ctl_linebuf lb;
	struct ctl_result res;

	if (size > 1 << 20)
		return 0;
	/* Escaping can make a string six times longer, pretty printing adds indentation. */
	f.strs_size = size * 8 + 64 * CTL_MAX_NODES + 1;
	f.strs = malloc(f.strs_size);
	f.nodes = malloc(sizeof(*f.nodes) * f.max_nodes);
	check(f.strs && f.nodes, "memory");
	json_out_init(&f.out, f.strs_size - 1);
	json_out_init(&f.out2, f.strs_size - 1);

	fuzz_roundtrip(&f, data, size);
	/* The whole input as one request, then as a stream of lines in uneven pieces. */
	json_out_reset(&f.out);
	ctl_dispatch(fuzz_table, NULL, "fuzz", (const char *)data, size, &f.out, &res);
	check_reply(&f, &res);
	ctl_linebuf_init(&lb, FUZZ_LINE_MAX);
	for (size_t off = 0, piece = 1; off < size; off += piece, piece = piece * 3 % 17 + 1)
		ctl_linebuf_feed(&lb, (const char *)data + off, off + piece > size ? size - off : piece,
				 fuzz_dispatch, &f);
	ctl_linebuf_finish(&lb, fuzz_dispatch, &f);
	ctl_linebuf_free(&lb);
	fuzz_string(&f, data, size);
	fuzz_words(&f, data, size);

	json_out_free(&f.out);
	json_out_free(&f.out2);
	free(f.strs);
	free(f.nodes);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return ctl_fuzz_one(data, size);
}
