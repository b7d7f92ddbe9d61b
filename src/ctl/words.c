// SPDX-License-Identifier: GPL-2.0-only
/* Command words -> JSON request (see words.h for the rules). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "minivmm/ctl/words.h"

static int werr(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int werr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Decimal, or hex with 0x; the whole word. */
static bool word_int(const char *s, long long *out)
{
	const char *digits = s;
	char *end;
	int base = 10;

	if (*digits == '-')
		digits++;
	if (digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
		base = 16;
		digits += 2;
	}
	if (!*digits || !((*digits >= '0' && *digits <= '9') ||
			  (base == 16 && ((*digits | 0x20) >= 'a' && (*digits | 0x20) <= 'f'))))
		return false;
	errno = 0;
	*out = strtoll(digits, &end, base);
	if (errno || *end)
		return false;
	if (*s == '-')
		*out = -*out;
	return true;
}

static bool word_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" }, *const no[] = { "false", "no", "off", "0" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcmp(s, yes[i]))
			return *out = true, true;
		if (!strcmp(s, no[i]))
			return *out = false, true;
	}
	return false;
}

static bool word_number(const char *s, double *out)
{
	char *end;

	if (!*s || *s == ' ' || *s == '+')
		return false;
	errno = 0;
	*out = strtod(s, &end);
	return !errno && !*end && isfinite(*out);
}

/* @word as a value of argument @a (NULL: the type guessed). */
static int put_value(struct json_out *o, const struct ctl_cmd *cmd, const struct ctl_arg *a,
		     const char *word, char *err, size_t errlen)
{
	char want[96];
	long long i;
	double d;
	bool b;

	if (!a) {
		if (word_int(word, &i))
			json_int(o, i);
		else if (!strcmp(word, "true") || !strcmp(word, "false"))
			json_bool(o, word[0] == 't');
		else
			json_string(o, word);
		return 0;
	}
	ctl_arg_describe(a, want, sizeof(want));
	switch (a->type) {
	case CTL_ARG_INT:
		if (!word_int(word, &i))
			return werr(err, errlen, "%s: %s '%s' is not an integer: give %s", cmd->name, a->name, word, want);
		json_int(o, i);
		return 0;
	case CTL_ARG_NUMBER:
		if (!word_number(word, &d))
			return werr(err, errlen, "%s: %s '%s' is not a number: give %s", cmd->name, a->name, word, want);
		json_double(o, d);
		return 0;
	case CTL_ARG_BOOL:
		if (!word_bool(word, &b))
			return werr(err, errlen, "%s: %s '%s' is not a boolean: give true or false (yes/no, on/off, 1/0)",
				    cmd->name, a->name, word);
		json_bool(o, b);
		return 0;
	default:
		json_string(o, word);
		return 0;
	}
}

/* "status=3" names argument "status" of @cmd (or any identifier for an unknown command). */
static int named_arg(const struct ctl_cmd *cmd, const char *word, size_t *keylen)
{
	const char *eq = strchr(word, '=');

	if (!eq || eq == word)
		return -1;
	*keylen = eq - word;
	if (*keylen == 2 && !memcmp(word, "id", 2))
		return CTL_MAX_ARGS; /* the request id */
	if (!cmd) {
		for (const char *p = word; p < eq; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			      *p == '_' || *p == '-'))
				return -1;
		return CTL_MAX_ARGS + 1; /* some argument of a command we do not know */
	}
	for (int i = 0; i < CTL_MAX_ARGS && cmd->args[i].name; i++)
		if (strlen(cmd->args[i].name) == *keylen && !memcmp(cmd->args[i].name, word, *keylen))
			return i;
	return -1;
}

int ctl_words_request(const struct ctl_cmd *table, int argc, char *const argv[], struct json_out *o,
		      char *err, size_t errlen)
{
	const struct ctl_cmd *cmd;
	const char *pos[CTL_MAX_WORDS];
	bool named[CTL_MAX_ARGS] = { false }, id_given = false;
	int npos = 0, next = 0, ret;
	size_t keylen;

	if (argc < 1 || !argv[0][0])
		return werr(err, errlen, "no command given: name one, e.g. status (help lists them)");
	if (argc > CTL_MAX_WORDS)
		return werr(err, errlen, "%d words: at most %d fit in one command", argc, CTL_MAX_WORDS);
	cmd = ctl_find(table, argv[0]);
	json_begin_object(o);
	json_kv_string(o, "cmd", argv[0]);
	/* Named arguments first, in the order given. */
	for (int w = 1; w < argc; w++) {
		int i = named_arg(cmd, argv[w], &keylen);
		const char *val;

		if (i < 0) {
			pos[npos++] = argv[w];
			continue;
		}
		val = argv[w] + keylen + 1;
		if (i == CTL_MAX_ARGS) {
			if (id_given)
				return werr(err, errlen, "id given twice: give it once");
			id_given = true;
			json_key(o, "id");
			put_value(o, cmd, NULL, val, err, errlen);
			continue;
		}
		if (i == CTL_MAX_ARGS + 1) {
			char key[64];

			snprintf(key, sizeof(key), "%.*s", (int)keylen, argv[w]);
			if (!strcmp(key, "cmd"))
				return werr(err, errlen, "cmd=%s: the command is the first word, not an argument", val);
			for (int w2 = 1; w2 < w; w2++)
				if (!strncmp(argv[w2], argv[w], keylen + 1))
					return werr(err, errlen, "%s given twice: give it once", key);
			json_key(o, key);
			put_value(o, cmd, NULL, val, err, errlen);
			continue;
		}
		if (named[i] && cmd->args[i].type != CTL_ARG_STRINGS)
			return werr(err, errlen, "%s: %s given twice: give it once", cmd->name, cmd->args[i].name);
		if (named[i])
			continue; /* further elements are collected below */
		named[i] = true;
		json_key(o, cmd->args[i].name);
		if (cmd->args[i].type == CTL_ARG_STRINGS) {
			json_begin_array(o);
			for (int w2 = w; w2 < argc; w2++) {
				size_t k2;

				if (named_arg(cmd, argv[w2], &k2) == i)
					json_string(o, argv[w2] + k2 + 1);
			}
			json_end_array(o);
			continue;
		}
		ret = put_value(o, cmd, &cmd->args[i], val, err, errlen);
		if (ret)
			return ret;
	}
	/* Then the other words fill the arguments not named, in order. */
	for (int p = 0; p < npos; p++) {
		const struct ctl_arg *a;

		if (!cmd)
			return werr(err, errlen, "'%s' for %s, a command minivmm does not know: write NAME=VALUE, "
				    "or send JSON with --json (help lists the commands)", pos[p], argv[0]);
		while (next < CTL_MAX_ARGS && cmd->args[next].name && named[next])
			next++;
		if (next >= CTL_MAX_ARGS || !cmd->args[next].name) {
			char names[200];
			size_t n = 0;

			names[0] = 0;
			for (int i = 0; i < CTL_MAX_ARGS && cmd->args[i].name && n < sizeof(names); i++)
				n += snprintf(names + n, sizeof(names) - n, "%s%s", i ? ", " : "", cmd->args[i].name);
			if (!names[0])
				return werr(err, errlen, "%s takes no arguments: drop '%s'", cmd->name, pos[p]);
			return werr(err, errlen, "%s: one word too many, '%s': its arguments are %s (NAME=VALUE names one)",
				    cmd->name, pos[p], names);
		}
		a = &cmd->args[next];
		named[next] = true;
		json_key(o, a->name);
		if (a->type == CTL_ARG_STRINGS) {
			json_begin_array(o);
			for (; p < npos; p++)
				json_string(o, pos[p]);
			json_end_array(o);
			break;
		}
		ret = put_value(o, cmd, a, pos[p], err, errlen);
		if (ret)
			return ret;
	}
	json_end_object(o);
	if (o && o->failed)
		return werr(err, errlen, "the command is too long: shorten it");
	return 0;
}

int ctl_words_split(char *s, char *argv[], int max)
{
	int n = 0;

	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\n')
			*s++ = 0;
		if (!*s)
			return n;
		if (n == max)
			return -E2BIG;
		argv[n++] = s;
		while (*s && *s != ' ' && *s != '\t' && *s != '\n')
			s++;
	}
}
