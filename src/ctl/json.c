// SPDX-License-Identifier: GPL-2.0-only
/* Strict JSON parser into caller storage, and an escaping writer. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "minivmm/ctl/json.h"

/* ---- UTF-8 ---- */

size_t json_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c;
	size_t len;
	uint32_t cp;

	if (!n)
		return 0;
	c = s[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0; /* continuation byte, overlong 0xc0/0xc1, or beyond U+10FFFF */
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0; /* overlong or out of range */
	if (cp >= 0xd800 && cp <= 0xdfff)
		return 0; /* surrogates are not characters */
	return len;
}

static size_t utf8_put(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = 0xc0 | cp >> 6;
		out[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = 0xe0 | cp >> 12;
		out[1] = 0x80 | ((cp >> 6) & 0x3f);
		out[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	out[0] = 0xf0 | cp >> 18;
	out[1] = 0x80 | ((cp >> 12) & 0x3f);
	out[2] = 0x80 | ((cp >> 6) & 0x3f);
	out[3] = 0x80 | (cp & 0x3f);
	return 4;
}

/* ---- parser ---- */

struct parser {
	struct json_doc *doc;
	const unsigned char *in;
	size_t len, pos;
	struct json_error *err;
};

static int perr(struct parser *p, size_t pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int perr(struct parser *p, size_t pos, const char *fmt, ...)
{
	va_list ap;

	p->err->pos = pos;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* What is at @pos, for "unexpected ..." messages. */
static void describe_at(const struct parser *p, size_t pos, char *buf, size_t len)
{
	unsigned char c;

	if (pos >= p->len) {
		snprintf(buf, len, "end of input");
		return;
	}
	c = p->in[pos];
	if (c >= 0x21 && c < 0x7f)
		snprintf(buf, len, "'%c'", c);
	else
		snprintf(buf, len, "byte 0x%02x", c);
}

/*
 * The member name parsed last, at @keypos, is there already. It is named as
 * written (decoded, a "\n" in it would break the one-line message), up to
 * 40 bytes, without cutting a UTF-8 sequence.
 */
static int duplicate_member(struct parser *p, size_t keypos)
{
	const char *name = (const char *)p->in + keypos + 1;
	size_t shown = p->pos - keypos - 2;

	if (shown > 40)
		for (shown = 40; shown && ((unsigned char)name[shown] & 0xc0) == 0x80; shown--)
			;
	return perr(p, keypos, "member \"%.*s\" appears twice", (int)shown, name);
}

static int unexpected(struct parser *p, const char *wanted)
{
	char what[32];

	describe_at(p, p->pos, what, sizeof(what));
	return perr(p, p->pos, "expected %s, found %s", wanted, what);
}

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len &&
	       (p->in[p->pos] == ' ' || p->in[p->pos] == '\t' || p->in[p->pos] == '\n' || p->in[p->pos] == '\r'))
		p->pos++;
}

static struct json_val *new_node(struct parser *p, enum json_type type)
{
	struct json_val *v;

	if (p->doc->nnodes >= p->doc->max_nodes) {
		perr(p, p->pos, "more than %u values", p->doc->max_nodes);
		return NULL;
	}
	v = &p->doc->nodes[p->doc->nnodes++];
	memset(v, 0, sizeof(*v));
	v->type = type;
	v->pos = p->pos;
	return v;
}

static int hex4(struct parser *p, size_t at, uint32_t *out)
{
	uint32_t v = 0;

	if (p->len - at < 4)
		return perr(p, at, "\\u needs four hex digits");
	for (size_t i = 0; i < 4; i++) {
		unsigned char c = p->in[at + i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return perr(p, at + i, "\\u needs four hex digits");
	}
	*out = v;
	return 0;
}

/* A string at p->pos (the opening quote): decoded into doc->strs. */
static int parse_string(struct parser *p, const char **out, size_t *outlen)
{
	struct json_doc *d = p->doc;
	size_t start = p->pos++;
	char *dst = d->strs + d->strs_used;
	size_t n = 0;
	int ret;

	for (;;) {
		unsigned char c;
		char tmp[4];
		size_t k = 0;

		if (p->pos >= p->len)
			return perr(p, start, "string not terminated (no closing '\"')");
		c = p->in[p->pos];
		if (c == '"') {
			p->pos++;
			break;
		}
		if (c < 0x20)
			return perr(p, p->pos, "control character 0x%02x in a string: escape it (\\n, \\t, \\u00%02x)", c, c);
		if (c == '\\') {
			uint32_t cp;

			if (p->pos + 1 >= p->len)
				return perr(p, p->pos, "string not terminated (no closing '\"')");
			switch (p->in[p->pos + 1]) {
			case '"': tmp[k++] = '"'; break;
			case '\\': tmp[k++] = '\\'; break;
			case '/': tmp[k++] = '/'; break;
			case 'b': tmp[k++] = '\b'; break;
			case 'f': tmp[k++] = '\f'; break;
			case 'n': tmp[k++] = '\n'; break;
			case 'r': tmp[k++] = '\r'; break;
			case 't': tmp[k++] = '\t'; break;
			case 'u':
				ret = hex4(p, p->pos + 2, &cp);
				if (ret)
					return ret;
				if (cp >= 0xdc00 && cp <= 0xdfff)
					return perr(p, p->pos, "\\u%04x is a lone low surrogate", cp);
				if (cp >= 0xd800 && cp <= 0xdbff) {
					uint32_t lo;

					if (p->len - p->pos < 12 || p->in[p->pos + 6] != '\\' || p->in[p->pos + 7] != 'u')
						return perr(p, p->pos, "\\u%04x is a high surrogate without its low half", cp);
					ret = hex4(p, p->pos + 8, &lo);
					if (ret)
						return ret;
					if (lo < 0xdc00 || lo > 0xdfff)
						return perr(p, p->pos + 6, "\\u%04x after a high surrogate is no low surrogate", lo);
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					p->pos += 6;
				}
				if (!cp)
					return perr(p, p->pos, "\\u0000 (NUL) is not allowed in strings");
				k = utf8_put(tmp, cp);
				p->pos += 4;
				break;
			default: {
				char what[32];

				describe_at(p, p->pos + 1, what, sizeof(what));
				return perr(p, p->pos, "invalid escape: \\ followed by %s", what);
			}
			}
			p->pos += 2;
		} else if (c < 0x80) {
			tmp[k++] = c;
			p->pos++;
		} else {
			k = json_utf8_len(p->in + p->pos, p->len - p->pos);
			if (!k)
				return perr(p, p->pos, "invalid UTF-8 (byte 0x%02x) in a string", c);
			memcpy(tmp, p->in + p->pos, k);
			p->pos += k;
		}
		if (d->strs_used + n + k + 1 > d->strs_size)
			return perr(p, start, "strings longer than %zu bytes in all", d->strs_size - 1);
		memcpy(dst + n, tmp, k);
		n += k;
	}
	dst[n] = 0;
	d->strs_used += n + 1;
	*out = dst;
	*outlen = n;
	return 0;
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int parse_number(struct parser *p, struct json_val *v)
{
	size_t start = p->pos, i = p->pos;
	bool integral = true;
	char buf[64], *end;

	if (i < p->len && p->in[i] == '-')
		i++;
	if (i >= p->len || !is_digit(p->in[i])) {
		p->pos = i;
		return unexpected(p, "a digit");
	}
	if (p->in[i] == '0' && i + 1 < p->len && is_digit(p->in[i + 1]))
		return perr(p, i, "a number may not start with 0 (leading zeros are not JSON)");
	while (i < p->len && is_digit(p->in[i]))
		i++;
	if (i < p->len && p->in[i] == '.') {
		integral = false;
		if (++i >= p->len || !is_digit(p->in[i])) {
			p->pos = i;
			return unexpected(p, "a digit after '.'");
		}
		while (i < p->len && is_digit(p->in[i]))
			i++;
	}
	if (i < p->len && (p->in[i] == 'e' || p->in[i] == 'E')) {
		integral = false;
		i++;
		if (i < p->len && (p->in[i] == '+' || p->in[i] == '-'))
			i++;
		if (i >= p->len || !is_digit(p->in[i])) {
			p->pos = i;
			return unexpected(p, "a digit in the exponent");
		}
		while (i < p->len && is_digit(p->in[i]))
			i++;
	}
	if (i - start >= sizeof(buf))
		return perr(p, start, "number longer than %zu characters", sizeof(buf) - 1);
	memcpy(buf, p->in + start, i - start);
	buf[i - start] = 0;
	errno = 0;
	v->num = strtod(buf, &end);
	if (isinf(v->num))
		return perr(p, start, "number %s is out of range", buf);
	if (integral) {
		errno = 0;
		v->i = strtoll(buf, &end, 10);
		v->is_int = errno == 0;
	} else if (v->num == floor(v->num) && v->num >= -9223372036854775808.0 &&
		   v->num < 9223372036854775808.0) {
		v->i = (long long)v->num;
		v->is_int = true;
	}
	p->pos = i;
	return 0;
}

static int parse_literal(struct parser *p, const char *word)
{
	size_t n = strlen(word);

	if (p->len - p->pos < n || memcmp(p->in + p->pos, word, n))
		return unexpected(p, "a value (object, array, string, number, true, false or null)");
	p->pos += n;
	return 0;
}

static int parse_value(struct parser *p, unsigned int depth, struct json_val **out);

static int parse_container(struct parser *p, struct json_val *v, unsigned int depth)
{
	bool object = v->type == JSON_OBJECT;
	char close = object ? '}' : ']';
	struct json_val **tail = &v->child;
	int ret;

	if (depth >= p->doc->max_depth)
		return perr(p, p->pos, "nested deeper than %u levels", p->doc->max_depth);
	p->pos++; /* the opening bracket */
	skip_ws(p);
	if (p->pos < p->len && p->in[p->pos] == close) {
		p->pos++;
		return 0;
	}
	for (;;) {
		const char *key = NULL;
		struct json_val *item;
		size_t keypos = 0;

		if (object) {
			size_t keylen;

			keypos = p->pos;

			if (p->pos >= p->len || p->in[p->pos] != '"')
				return unexpected(p, "a member name in double quotes");
			ret = parse_string(p, &key, &keylen);
			if (ret)
				return ret;
			for (struct json_val *m = v->child; m; m = m->next)
				if (!strcmp(m->key, key))
					return duplicate_member(p, keypos);
			skip_ws(p);
			if (p->pos >= p->len || p->in[p->pos] != ':')
				return unexpected(p, "':' after the member name");
			p->pos++;
			skip_ws(p);
		}
		ret = parse_value(p, depth + 1, &item);
		if (ret)
			return ret;
		item->key = key;
		item->key_pos = keypos;
		*tail = item;
		tail = &item->next;
		v->count++;
		skip_ws(p);
		if (p->pos < p->len && p->in[p->pos] == ',') {
			p->pos++;
			skip_ws(p);
			if (p->pos < p->len && p->in[p->pos] == close)
				return perr(p, p->pos, "trailing ',' before '%c'", close);
			continue;
		}
		if (p->pos < p->len && p->in[p->pos] == close) {
			p->pos++;
			return 0;
		}
		return unexpected(p, object ? "',' or '}'" : "',' or ']'");
	}
}

static int parse_value(struct parser *p, unsigned int depth, struct json_val **out)
{
	struct json_val *v;
	unsigned char c;
	int ret;

	if (p->pos >= p->len)
		return unexpected(p, "a value");
	c = p->in[p->pos];
	switch (c) {
	case '{': v = new_node(p, JSON_OBJECT); break;
	case '[': v = new_node(p, JSON_ARRAY); break;
	case '"': v = new_node(p, JSON_STRING); break;
	case 't': case 'f': v = new_node(p, JSON_BOOL); break;
	case 'n': v = new_node(p, JSON_NULL); break;
	default:
		if (c != '-' && !is_digit(c))
			return unexpected(p, "a value (object, array, string, number, true, false or null)");
		v = new_node(p, JSON_NUMBER);
	}
	if (!v)
		return -EINVAL;
	switch (v->type) {
	case JSON_OBJECT:
	case JSON_ARRAY: ret = parse_container(p, v, depth); break;
	case JSON_STRING: ret = parse_string(p, &v->str, &v->len); break;
	case JSON_BOOL:
		v->b = c == 't';
		ret = parse_literal(p, v->b ? "true" : "false");
		break;
	case JSON_NULL: ret = parse_literal(p, "null"); break;
	default: ret = parse_number(p, v); break;
	}
	*out = v;
	return ret;
}

void json_doc_init(struct json_doc *doc, struct json_val *nodes, unsigned int max_nodes, char *strs,
		   size_t strs_size, unsigned int max_depth)
{
	doc->nodes = nodes;
	doc->max_nodes = max_nodes;
	doc->nnodes = 0;
	doc->strs = strs;
	doc->strs_size = strs_size;
	doc->strs_used = 0;
	doc->max_depth = max_depth;
}

int json_parse(struct json_doc *doc, const char *in, size_t len, const struct json_val **root,
	       struct json_error *err)
{
	struct parser p = { .doc = doc, .in = (const unsigned char *)in, .len = len, .err = err };
	struct json_val *v;
	int ret;

	doc->nnodes = 0;
	doc->strs_used = 0;
	err->pos = 0;
	err->msg[0] = 0;
	if (!doc->strs_size)
		return perr(&p, 0, "no room for strings");
	skip_ws(&p);
	if (p.pos >= len)
		return perr(&p, p.pos, "empty input: expected a JSON value");
	ret = parse_value(&p, 0, &v);
	if (ret)
		return ret;
	skip_ws(&p);
	if (p.pos < len) {
		char what[32];

		describe_at(&p, p.pos, what, sizeof(what));
		return perr(&p, p.pos, "%s after the end of the value (one value per line)", what);
	}
	*root = v;
	return 0;
}

const struct json_val *json_member(const struct json_val *obj, const char *key)
{
	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (const struct json_val *m = obj->child; m; m = m->next)
		if (!strcmp(m->key, key))
			return m;
	return NULL;
}

const char *json_type_name(enum json_type type)
{
	static const char *const names[] = {
		[JSON_NULL] = "null", [JSON_BOOL] = "a boolean", [JSON_NUMBER] = "a number",
		[JSON_STRING] = "a string", [JSON_ARRAY] = "an array", [JSON_OBJECT] = "an object",
	};

	return (unsigned int)type < sizeof(names) / sizeof(names[0]) ? names[type] : "?";
}

/* ---- writer ---- */

void json_out_init(struct json_out *o, size_t max)
{
	memset(o, 0, sizeof(*o));
	o->max = max;
}

void json_out_free(struct json_out *o)
{
	if (!o)
		return;
	free(o->buf);
	o->buf = NULL;
	o->len = o->cap = 0;
}

void json_out_reset(struct json_out *o)
{
	if (!o)
		return;
	o->len = 0;
	if (o->buf)
		o->buf[0] = 0;
	o->failed = false;
	o->depth = 0;
	o->has_items = 0;
	o->after_key = false;
}

const char *json_out_text(const struct json_out *o)
{
	return o && o->buf ? o->buf : "";
}

struct json_mark json_out_mark(const struct json_out *o)
{
	return (struct json_mark){
		.len = o->len, .depth = o->depth, .has_items = o->has_items,
		.after_key = o->after_key, .failed = o->failed,
	};
}

void json_out_rewind(struct json_out *o, const struct json_mark *m)
{
	o->len = m->len;
	if (o->buf)
		o->buf[o->len] = 0;
	o->depth = m->depth;
	o->has_items = m->has_items;
	o->after_key = m->after_key;
	o->failed = m->failed;
}

static void put(struct json_out *o, const char *s, size_t n)
{
	if (o->failed)
		return;
	if (o->len + n + 1 > o->max) {
		o->failed = true;
		return;
	}
	if (o->len + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 256;
		char *b;

		while (cap < o->len + n + 1)
			cap *= 2;
		if (cap > o->max)
			cap = o->max;
		b = realloc(o->buf, cap);
		if (!b) {
			o->failed = true;
			return;
		}
		o->buf = b;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = 0;
}

static void puts_(struct json_out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void newline_indent(struct json_out *o)
{
	put(o, "\n", 1);
	for (unsigned int i = 0; i < o->depth; i++)
		put(o, "  ", 2);
}

/* Separator before an item (a value, or a key) at the current level. */
static void before_item(struct json_out *o)
{
	uint32_t bit = o->depth < 32 ? 1u << o->depth : 0;

	if (o->after_key) {
		o->after_key = false;
		return;
	}
	if (o->has_items & bit)
		put(o, o->pretty ? "," : ", ", o->pretty ? 1 : 2);
	o->has_items |= bit;
	if (o->pretty && o->depth)
		newline_indent(o);
}

static void begin(struct json_out *o, const char *bracket)
{
	if (!o)
		return;
	before_item(o);
	puts_(o, bracket);
	if (o->depth + 1 >= JSON_OUT_MAX_DEPTH) {
		o->failed = true;
		return;
	}
	o->depth++;
	o->has_items &= ~(1u << o->depth);
}

static void end(struct json_out *o, const char *bracket)
{
	bool had;

	if (!o || !o->depth)
		return;
	had = o->has_items & (1u << o->depth);
	o->depth--;
	if (o->pretty && had)
		newline_indent(o);
	puts_(o, bracket);
}

void json_begin_object(struct json_out *o) { begin(o, "{"); }
void json_end_object(struct json_out *o) { end(o, "}"); }
void json_begin_array(struct json_out *o) { begin(o, "["); }
void json_end_array(struct json_out *o) { end(o, "]"); }

static void put_escaped(struct json_out *o, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t run = 0; /* bytes copied as they are, flushed in one piece */

	put(o, "\"", 1);
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		const char *esc = NULL;
		char u[8];
		size_t k = 1;

		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			if (!c) {
				esc = "\xef\xbf\xbd"; /* U+FFFD: the parser takes no NUL either */
			} else if (c < 0x20 || c == 0x7f) {
				snprintf(u, sizeof(u), "\\u%04x", c);
				esc = u;
			} else if (c >= 0x80) {
				k = json_utf8_len(s + i, n - i);
				if (!k) {
					esc = "\xef\xbf\xbd"; /* U+FFFD for a byte that is no UTF-8 */
					k = 1;
				}
			}
		}
		if (esc) {
			put(o, str + i - run, run);
			run = 0;
			puts_(o, esc);
		} else {
			run += k;
		}
		i += k;
	}
	put(o, str + n - run, run);
	put(o, "\"", 1);
}

void json_key(struct json_out *o, const char *key)
{
	if (!o)
		return;
	before_item(o);
	put_escaped(o, key, strlen(key));
	put(o, ": ", 2);
	o->after_key = true;
}

void json_string_n(struct json_out *o, const char *s, size_t n)
{
	if (!o)
		return;
	before_item(o);
	put_escaped(o, s, n);
}

void json_string(struct json_out *o, const char *s)
{
	if (!o)
		return;
	if (!s) {
		json_null(o);
		return;
	}
	json_string_n(o, s, strlen(s));
}

void json_stringf(struct json_out *o, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (!o)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_string(o, buf);
}

void json_int(struct json_out *o, long long v)
{
	char buf[32];

	if (!o)
		return;
	before_item(o);
	snprintf(buf, sizeof(buf), "%lld", v);
	puts_(o, buf);
}

void json_uint(struct json_out *o, unsigned long long v)
{
	char buf[32];

	if (!o)
		return;
	before_item(o);
	snprintf(buf, sizeof(buf), "%llu", v);
	puts_(o, buf);
}

void json_double(struct json_out *o, double v)
{
	char buf[40];

	if (!o)
		return;
	if (!isfinite(v)) {
		json_null(o);
		return;
	}
	before_item(o);
	/* %.17g is exact; integral values print without a fraction. */
	snprintf(buf, sizeof(buf), "%.17g", v);
	puts_(o, buf);
}

void json_bool(struct json_out *o, bool v)
{
	if (!o)
		return;
	before_item(o);
	puts_(o, v ? "true" : "false");
}

void json_null(struct json_out *o)
{
	if (!o)
		return;
	before_item(o);
	puts_(o, "null");
}

void json_value(struct json_out *o, const struct json_val *v)
{
	if (!o)
		return;
	switch (v->type) {
	case JSON_NULL: json_null(o); break;
	case JSON_BOOL: json_bool(o, v->b); break;
	case JSON_NUMBER:
		if (v->is_int)
			json_int(o, v->i);
		else
			json_double(o, v->num);
		break;
	case JSON_STRING: json_string_n(o, v->str, v->len); break;
	case JSON_ARRAY:
		json_begin_array(o);
		for (const struct json_val *c = v->child; c; c = c->next)
			json_value(o, c);
		json_end_array(o);
		break;
	case JSON_OBJECT:
		json_begin_object(o);
		for (const struct json_val *c = v->child; c; c = c->next) {
			json_key(o, c->key);
			json_value(o, c);
		}
		json_end_object(o);
		break;
	}
}

void json_kv_string(struct json_out *o, const char *key, const char *s)
{
	json_key(o, key);
	json_string(o, s);
}

void json_kv_int(struct json_out *o, const char *key, long long v)
{
	json_key(o, key);
	json_int(o, v);
}

void json_kv_uint(struct json_out *o, const char *key, unsigned long long v)
{
	json_key(o, key);
	json_uint(o, v);
}

void json_kv_bool(struct json_out *o, const char *key, bool v)
{
	json_key(o, key);
	json_bool(o, v);
}
