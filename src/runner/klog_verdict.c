// SPDX-License-Identifier: GPL-2.0-only
/*
 * What minivmm says about the guest kernel's log at the end of a run: the
 * one line naming the first report that fails it, and the JUnit cases of
 * all reports (one per title). Pure: parser in, text out.
 */
#define _GNU_SOURCE /* asprintf */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "minivmm/runner/klog.h"
#include "minivmm/runner/ktap.h"

/* @s as a --klog-ignore argument for sh: glob characters escaped, in single quotes (added by the caller). */
static void ignore_arg(const char *s, char *out, size_t outlen)
{
	size_t n = 0;

	if (!outlen)
		return;
	for (const char *c = s; *c && n + 6 < outlen; c++) {
		if (*c == '\'') {
			memcpy(out + n, "'\\''", 4);
			n += 4;
			continue;
		}
		if (strchr("*?[\\", *c))
			out[n++] = '\\';
		out[n++] = *c;
	}
	out[n] = 0;
}

bool klog_verdict_line(const struct klog_parser *p, char *out, size_t outlen)
{
	const struct klog_report *r = klog_first(p);
	unsigned int failing = klog_failing(p);
	char arg[2 * KLOG_TITLE_MAX + 8], more[48] = "";

	if (!failing)
		return false;
	if (!r) {
		/* only reports beyond the list's room fail */
		snprintf(out, outlen, "guest kernel reported %u bugs of more than %d kinds (counted in --stats)",
			 failing, KLOG_REPORTS_MAX);
		return true;
	}
	ignore_arg(r->title, arg, sizeof(arg));
	if (failing > 1)
		snprintf(more, sizeof(more), "; %u more report%s", failing - 1, failing == 2 ? "" : "s");
	snprintf(out, outlen, "guest kernel reported %s at console line %lu: %s (--klog-ignore '%s' accepts it%s)",
		 r->title, r->line, r->header, arg, more);
	return true;
}

void klog_print_report(const struct klog_report *r, const char *indent, FILE *f)
{
	for (const char *s = r->text; *s;) {
		size_t n = strcspn(s, "\n");

		fprintf(f, "%s%.*s\n", indent, (int)n, s);
		s += n + (s[n] == '\n');
	}
	if (r->truncated)
		fprintf(f, "%s(more lines than the %u kept; the console has them all)\n", indent, r->nlines);
}

void klog_junit_cases_free(struct junit_extra *cases, size_t n)
{
	for (size_t i = 0; cases && i < n; i++)
		free((char *)cases[i].message);
	free(cases);
}

int klog_junit_cases(const struct klog_parser *p, const char *suite, struct junit_extra **cases, size_t *n)
{
	size_t nr = klog_nreports(p);
	struct junit_extra *x;

	*cases = NULL;
	*n = 0;
	if (!nr)
		return 0;
	x = calloc(nr, sizeof(*x));
	if (!x)
		return -ENOMEM;
	for (size_t i = 0; i < nr; i++) {
		const struct klog_report *r = klog_report_at(p, i);
		char times[48] = "", *msg;
		int len;

		if (r->count > 1)
			snprintf(times, sizeof(times), "%u times, the first at ", r->count);
		if (r->ignored_by)
			len = asprintf(&msg, "accepted by --klog-ignore '%s'; %sconsole line %lu: %s", r->ignored_by,
				       times, r->line, r->header);
		else
			len = asprintf(&msg, "%sconsole line %lu: %s", times, r->line, r->header);
		if (len < 0) {
			klog_junit_cases_free(x, i);
			return -ENOMEM;
		}
		x[i].suite = suite;
		x[i].name = r->title;
		x[i].skipped = r->ignored_by != NULL;
		x[i].message = msg;
		x[i].text = r->ignored_by ? NULL : r->text;
	}
	*cases = x;
	*n = nr;
	return 0;
}
