// SPDX-License-Identifier: GPL-2.0-only
/* --at TIME:COMMAND parsing (see at.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "minivmm/ctl/at.h"
#include "minivmm/ctl/words.h"

static int aerr(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int aerr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int ctl_at_parse(const char *spec, long *ms, const char **command, char *err, size_t errlen)
{
	const char *colon = strchr(spec, ':'), *p = spec;
	unsigned long long v = 0, unit;
	size_t ulen;

	for (const char *c = spec; *c; c++)
		if ((unsigned char)*c < 0x20 && *c != '\t')
			return aerr(err, errlen, "--at holds a control character (byte %zu): write TIME:COMMAND on one line, e.g. --at 5s:stop",
				    (size_t)(c - spec));
	if (!colon)
		return aerr(err, errlen, "--at '%s' has no ':': write TIME:COMMAND, e.g. --at 5s:stop", spec);
	if (p == colon || *p < '0' || *p > '9')
		goto bad_time;
	for (; p < colon && *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (*p - '0');
		if (v > (unsigned long long)CTL_AT_MAX_MS)
			goto bad_time;
	}
	ulen = colon - p;
	if (ulen == 0 || (ulen == 1 && *p == 's'))
		unit = 1000;
	else if (ulen == 2 && !memcmp(p, "ms", 2))
		unit = 1;
	else if (ulen == 1 && *p == 'm')
		unit = 60000;
	else
		goto bad_time;
	if (v * unit > (unsigned long long)CTL_AT_MAX_MS)
		return aerr(err, errlen, "--at '%s': %.*s is later than %ld s: give a time within a week",
			    spec, (int)(colon - spec), spec, CTL_AT_MAX_MS / 1000);
	p = colon + 1;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return aerr(err, errlen, "--at '%s' has no command after ':': e.g. --at %.*s:stop", spec,
			    (int)(colon - spec), spec);
	*ms = (long)(v * unit);
	*command = p;
	return 0;
bad_time:
	return aerr(err, errlen, "--at '%s': '%.*s' is not a time: write a whole number with ms, s or m, "
		    "e.g. --at 1500ms:stop, --at 5s:stop or --at 2m:stop (from the start of the guest)",
		    spec, (int)(colon - spec), spec);
}

/* COMMAND given as JSON: the same checks as a socket request, then written again compactly. */
static int at_raw_json(const struct ctl_cmd *table, const char *spec, const char *command,
		       struct json_out *o, char *err, size_t errlen)
{
	size_t len = strlen(command);
	struct json_val *nodes = malloc(CTL_MAX_NODES * sizeof(*nodes));
	char *strs = malloc(len + 1), why[CTL_ERROR_MAX];
	const struct json_val *root;
	struct json_error jerr;
	struct json_doc doc;
	int ret = -ENOMEM;

	if (!nodes || !strs) {
		aerr(err, errlen, "out of memory");
		goto free_storage;
	}
	ret = ctl_validate(table, command, len, true, why, sizeof(why));
	if (ret) {
		aerr(err, errlen, "--at '%s': %s", spec, why);
		goto free_storage;
	}
	json_doc_init(&doc, nodes, CTL_MAX_NODES, strs, len + 1, CTL_MAX_DEPTH);
	ret = json_parse(&doc, command, len, &root, &jerr); /* it validated: cannot fail */
	if (!ret) {
		json_out_reset(o);
		json_value(o, root);
		if (o->failed)
			ret = aerr(err, errlen, "--at '%s': the request is too long: shorten it", spec);
	}
free_storage:
	free(nodes);
	free(strs);
	return ret;
}

int ctl_at_request(const struct ctl_cmd *table, const char *spec, long *ms, struct json_out *o,
		   char *err, size_t errlen)
{
	char *words[CTL_MAX_WORDS], *copy, why[CTL_ERROR_MAX];
	const char *command;
	int n, ret;

	ret = ctl_at_parse(spec, ms, &command, err, errlen);
	if (ret)
		return ret;
	if (command[0] == '{')
		return at_raw_json(table, spec, command, o, err, errlen);
	copy = strdup(command);
	if (!copy)
		return aerr(err, errlen, "out of memory");
	n = ctl_words_split(copy, words, CTL_MAX_WORDS);
	if (n < 0) {
		free(copy);
		return aerr(err, errlen, "--at '%s': more than %d words: shorten the command", spec, CTL_MAX_WORDS);
	}
	json_out_reset(o);
	ret = ctl_words_request(table, n, words, o, why, sizeof(why));
	free(copy);
	if (ret)
		return aerr(err, errlen, "--at '%s': %s", spec, why);
	if (ctl_validate(table, json_out_text(o), o->len, false, why, sizeof(why)))
		return aerr(err, errlen, "--at '%s': %s", spec, why);
	return 0;
}
