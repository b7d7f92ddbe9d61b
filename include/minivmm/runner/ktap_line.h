/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One console line as KTAP/TAP sees it (runner/ktap.c's lexer): what kind
 * of line it is and its parts, pointing into the line. Pure.
 */
#ifndef MINIVMM_RUNNER_KTAP_LINE_H
#define MINIVMM_RUNNER_KTAP_LINE_H

#include <stdbool.h>
#include <stddef.h>

#include "minivmm/runner/ktap.h"

enum line_kind {
	L_NONE, L_VERSION, L_PLAN, L_RESULT, L_BAIL, L_SUBTEST, L_DIAG,
	L_YAML_START, L_YAML_END,
};

struct tap_line {
	enum line_kind kind;
	bool ok;
	bool has_num;
	unsigned int num;
	unsigned int plan;
	enum ktap_status directive;	/* KTAP_PASS: none */
	const char *name;		/* raw, "\#" escapes intact */
	size_t name_len;
	const char *text;		/* directive reason, diag, subtest name */
	size_t text_len;
};

/* @line past a printk timestamp ("[   12.345678] ", "[    T1] "). */
const char *ktap_strip_timestamp(const char *line);
/* Classify the @n bytes at @s (indentation and trailing blanks removed). */
void ktap_line_classify(const char *s, size_t n, struct tap_line *t);

bool ktap_is_ws(char c);
/* Length of @s cut to at most @max bytes without splitting a UTF-8 char. */
size_t ktap_utf8_cut(const char *s, size_t n, size_t max);
/* Append @n bytes of @src to the string in @dst (size @cap), truncating. */
void ktap_str_append(char *dst, size_t cap, const char *src, size_t n);
void ktap_str_set(char *dst, size_t cap, const char *src, size_t n);
/* Copy a KTAP name, undoing "\#" and "\\" escapes. */
void ktap_name_set(char *dst, size_t cap, const char *src, size_t n);

#endif
