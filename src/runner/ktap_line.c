// SPDX-License-Identifier: GPL-2.0-only
/* KTAP/TAP line classification and the string helpers of the parser. */
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "minivmm/runner/ktap_line.h"

/* ---- small string helpers ---- */

bool ktap_is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
	       c == '\v' || c == '\f';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool has_prefix(const char *s, size_t n, const char *pfx)
{
	size_t l = strlen(pfx);

	return n >= l && !memcmp(s, pfx, l);
}

static void trim(const char **s, size_t *n)
{
	while (*n && ktap_is_ws(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && ktap_is_ws((*s)[*n - 1]))
		(*n)--;
}

/* @n minus an incomplete UTF-8 sequence at the end of @s, if any. */
static size_t utf8_tail(const char *s, size_t n)
{
	size_t i = n, need;
	unsigned char lead;

	while (i > 0 && ((unsigned char)s[i - 1] & 0xc0) == 0x80 && n - i < 3)
		i--;
	if (i == 0)
		return n;
	lead = (unsigned char)s[i - 1];
	if (lead < 0xc0)
		return n;
	need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
	return n - (i - 1) < need ? i - 1 : n;
}

/* Length of @s cut to at most @max bytes without splitting a UTF-8 char. */
size_t ktap_utf8_cut(const char *s, size_t n, size_t max)
{
	return n <= max ? n : utf8_tail(s, max);
}

/* Append @n bytes of @src to the string in @dst (size @cap), truncating. */
void ktap_str_append(char *dst, size_t cap, const char *src, size_t n)
{
	size_t len = strnlen(dst, cap - 1);

	n = ktap_utf8_cut(src, n, cap - 1 - len);
	memcpy(dst + len, src, n);
	dst[len + n] = '\0';
}

void ktap_str_set(char *dst, size_t cap, const char *src, size_t n)
{
	dst[0] = '\0';
	ktap_str_append(dst, cap, src, n);
}

/* Copy a KTAP name, undoing "\#" and "\\" escapes. */
void ktap_name_set(char *dst, size_t cap, const char *src, size_t n)
{
	size_t i, len = 0;
	char c;

	for (i = 0; i < n && len < cap - 1; i++) {
		c = src[i];
		if (c == '\\' && i + 1 < n && (src[i + 1] == '#' || src[i + 1] == '\\'))
			c = src[++i];
		dst[len++] = c;
	}
	if (i < n)
		len = utf8_tail(dst, len);
	dst[len] = '\0';
}

/* Decimal number at @*s, saturated to UINT_MAX. False if no digit. */
static bool parse_uint(const char **s, size_t *n, unsigned int *val)
{
	unsigned long long v = 0;

	if (!*n || !is_digit(**s))
		return false;
	while (*n && is_digit(**s)) {
		v = v * 10 + (unsigned int)(**s - '0');
		if (v > UINT_MAX)
			v = UINT_MAX;
		(*s)++;
		(*n)--;
	}
	*val = (unsigned int)v;
	return true;
}

/* Text after '#' on a result or plan line: SKIP/TODO directive + reason. */
static void parse_directive(const char *s, size_t n, struct tap_line *t)
{
	trim(&s, &n);
	if (n >= 4 && !strncasecmp(s, "skip", 4))
		t->directive = KTAP_SKIP;
	else if (n >= 4 && !strncasecmp(s, "todo", 4))
		t->directive = KTAP_TODO;
	else
		return;
	while (n && !ktap_is_ws(*s)) {
		s++;
		n--;
	}
	trim(&s, &n);
	t->text = s;
	t->text_len = n;
}

/* Strip "[   12.345678] " (and "[    T1] " of CONFIG_PRINTK_CALLER). */
const char *ktap_strip_timestamp(const char *s)
{
	const char *q = s;
	bool digits = false;

	if (*q != '[')
		return s;
	q++;
	while (*q == ' ')
		q++;
	while (is_digit(*q)) {
		q++;
		digits = true;
	}
	if (!digits || *q != '.')
		return s;
	q++;
	while (is_digit(*q))
		q++;
	if (*q != ']')
		return s;
	q++;
	if (q[0] == '[') {
		const char *c = q + 1;

		while (*c == ' ')
			c++;
		if ((*c == 'T' || *c == 'C') && is_digit(c[1])) {
			c++;
			while (is_digit(*c))
				c++;
			if (*c == ']')
				q = c + 1;
		}
	}
	if (*q == ' ')
		q++;
	return q;
}

static bool parse_result(const char *s, size_t n, struct tap_line *t)
{
	size_t i;

	if (has_prefix(s, n, "ok")) {
		t->ok = true;
		s += 2;
		n -= 2;
	} else if (has_prefix(s, n, "not ok")) {
		s += 6;
		n -= 6;
	} else {
		return false;
	}
	if (n && !ktap_is_ws(*s))
		return false;		/* "okay", "not okay" */
	trim(&s, &n);
	if (n && is_digit(*s)) {
		const char *d = s;
		size_t dn = n;
		unsigned int v;

		parse_uint(&d, &dn, &v);
		if (!dn || ktap_is_ws(*d)) {
			t->has_num = true;
			t->num = v;
			s = d;
			n = dn;
			trim(&s, &n);
		}
	}
	if (n && *s == '-' && (n == 1 || ktap_is_ws(s[1]))) {
		s++;
		n--;
		trim(&s, &n);
	}
	/* The name ends at the first unescaped '#'. */
	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n) {
			i++;
			continue;
		}
		if (s[i] == '#')
			break;
	}
	t->name = s;
	t->name_len = i;
	trim(&t->name, &t->name_len);
	if (i < n)
		parse_directive(s + i + 1, n - i - 1, t);
	t->kind = L_RESULT;
	return true;
}

static bool parse_plan(const char *s, size_t n, struct tap_line *t)
{
	if (!has_prefix(s, n, "1.."))
		return false;
	s += 3;
	n -= 3;
	if (!parse_uint(&s, &n, &t->plan))
		return false;
	trim(&s, &n);
	if (n && *s != '#')
		return false;
	if (n)
		parse_directive(s + 1, n - 1, t);
	t->kind = L_PLAN;
	return true;
}

void ktap_line_classify(const char *s, size_t n, struct tap_line *t)
{
	memset(t, 0, sizeof(*t));
	t->kind = L_NONE;
	if (has_prefix(s, n, "KTAP version ") || has_prefix(s, n, "TAP version ")) {
		t->kind = L_VERSION;
	} else if (parse_result(s, n, t) || parse_plan(s, n, t)) {
		/* filled in */
	} else if (has_prefix(s, n, "Bail out!")) {
		t->kind = L_BAIL;
		t->text = s + 9;
		t->text_len = n - 9;
		trim(&t->text, &t->text_len);
	} else if (has_prefix(s, n, "# Subtest:")) {
		t->kind = L_SUBTEST;
		t->text = s + 10;
		t->text_len = n - 10;
		trim(&t->text, &t->text_len);
	} else if (n && *s == '#') {
		t->kind = L_DIAG;
		t->text = s + 1;
		t->text_len = n - 1;
		if (t->text_len && *t->text == ' ') {
			t->text++;
			t->text_len--;
		}
	} else if (n == 3 && !memcmp(s, "---", 3)) {
		t->kind = L_YAML_START;
	} else if (n == 3 && !memcmp(s, "...", 3)) {
		t->kind = L_YAML_END;
	}
}

