/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small strict JSON layer for the control socket. Pure: no I/O.
 *
 * The parser (RFC 8259, nothing more: no comments, no trailing commas, no
 * NaN, strings valid UTF-8 without NUL) builds a tree in storage the caller
 * provides, so its memory is bounded by construction; errors carry the
 * byte offset where the input went wrong.
 *
 * The writer appends compact (or indented) JSON to a growing buffer with a
 * size limit, inserting commas itself; strings are escaped so the output
 * is always valid JSON and valid UTF-8 (NUL and invalid bytes become U+FFFD).
 * Every writer function accepts a NULL writer and then does nothing, so
 * code that fills an optional event or reply needs no checks.
 */
#ifndef MINIVMM_CTL_JSON_H
#define MINIVMM_CTL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json_val {
	enum json_type type;
	const char *key;             /* member name when inside an object, else NULL */
	size_t pos;                  /* byte offset of the value in the input */
	size_t key_pos;              /* ... and of its member name */
	bool b;                      /* JSON_BOOL */
	double num;                  /* JSON_NUMBER */
	bool is_int;                 /* ... integral and within int64: @i is exact */
	long long i;
	const char *str;             /* JSON_STRING: decoded, NUL-terminated */
	size_t len;                  /* its length in bytes */
	struct json_val *child;      /* JSON_ARRAY/OBJECT: first element or member */
	struct json_val *next;       /* next sibling */
	unsigned int count;          /* number of elements or members */
};

/* Where a parse keeps its tree: @nodes values, decoded strings in @strs. */
struct json_doc {
	struct json_val *nodes;
	unsigned int max_nodes, nnodes;
	char *strs;                  /* at least input length + 1 bytes never runs out */
	size_t strs_size, strs_used;
	unsigned int max_depth;      /* arrays/objects nested deeper are refused */
};

#define JSON_ERR_MAX 160

struct json_error {
	size_t pos;                  /* byte offset of the problem */
	char msg[JSON_ERR_MAX];      /* e.g. "expected ':' after the member name" */
};

void json_doc_init(struct json_doc *doc, struct json_val *nodes, unsigned int max_nodes, char *strs,
		   size_t strs_size, unsigned int max_depth);
/*
 * Parse exactly one JSON value (whitespace around it allowed) from @in.
 * Returns 0 and sets *@root, or -EINVAL with @err filled.
 */
int json_parse(struct json_doc *doc, const char *in, size_t len, const struct json_val **root,
	       struct json_error *err);
/* Member @key of object @obj, or NULL (also when @obj is no object). */
const struct json_val *json_member(const struct json_val *obj, const char *key);
/* "a string", "a number", ... for messages. */
const char *json_type_name(enum json_type type);

/* Length of the valid UTF-8 sequence at @s (1-4), 0 if invalid or truncated. */
size_t json_utf8_len(const unsigned char *s, size_t n);

#define JSON_OUT_MAX_DEPTH 32

struct json_out {
	char *buf;                   /* NUL-terminated, malloc'd */
	size_t len, cap, max;        /* max: the text never grows beyond this */
	bool failed;                 /* out of memory or past @max: text incomplete */
	bool pretty;                 /* newlines and two-space indentation */
	unsigned int depth;
	uint32_t has_items;          /* bit d: level d already holds an item */
	bool after_key;
};

/* A position to return to, e.g. to replace a half-written reply. */
struct json_mark {
	size_t len;
	unsigned int depth;
	uint32_t has_items;
	bool after_key, failed;
};

void json_out_init(struct json_out *o, size_t max);
void json_out_free(struct json_out *o);
/* Empty the text, keep the buffer. */
void json_out_reset(struct json_out *o);
/* The text so far ("" when nothing was written). */
const char *json_out_text(const struct json_out *o);
struct json_mark json_out_mark(const struct json_out *o);
void json_out_rewind(struct json_out *o, const struct json_mark *m);

void json_begin_object(struct json_out *o);
void json_end_object(struct json_out *o);
void json_begin_array(struct json_out *o);
void json_end_array(struct json_out *o);
/* A member name inside an object; the next value is its value. */
void json_key(struct json_out *o, const char *key);
void json_string(struct json_out *o, const char *s);
void json_string_n(struct json_out *o, const char *s, size_t n);
void json_stringf(struct json_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void json_int(struct json_out *o, long long v);
void json_uint(struct json_out *o, unsigned long long v);
void json_double(struct json_out *o, double v); /* NaN and infinities become null */
void json_bool(struct json_out *o, bool v);
void json_null(struct json_out *o);
/* A parsed value, written again (in this writer's style). */
void json_value(struct json_out *o, const struct json_val *v);

/* Members in one call: key + value. */
void json_kv_string(struct json_out *o, const char *key, const char *s);
void json_kv_int(struct json_out *o, const char *key, long long v);
void json_kv_uint(struct json_out *o, const char *key, unsigned long long v);
void json_kv_bool(struct json_out *o, const char *key, bool v);

#endif
