// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the kernel-log parser (src/runner/klog*.c): the
 * input is a console capture. Its first byte says how many --klog-ignore
 * patterns (0-3) follow, each ended by a newline or NUL; the rest is fed
 * line by line (split at '\n' and NUL), finished half-way and at the end.
 * klog_fuzz_one() aborts when an invariant breaks:
 *
 *   - every string a report holds is NUL-terminated within its bounds;
 *     title and header are one line, the text is nlines lines of less than
 *     KLOG_LINE_MAX bytes each, within KLOG_KEEP_LINES/KLOG_KEEP_BYTES;
 *   - reports are in console order, with distinct titles, at lines that
 *     were fed; every report started is in the list or counted unlisted
 *     once the console ended; a pattern marks reports that match it;
 *   - the verdict line exists exactly when a report fails, and is one line;
 *   - --stats JSON parses back (src/ctl/json.c), and the JUnit document
 *     of the reports is XML text without raw control characters.
 *
 * Build and run: tests/fuzz/run.sh 60 klog (seeds: tests/fuzz/corpus/klog,
 * guest consoles of the rig's klog scenario).
 * tests/unit/test_klog_fuzz.c runs klog_fuzz_one() over seeded inputs in CI.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "minivmm/ctl/json.h"
#include "minivmm/runner/klog.h"
#include "minivmm/runner/ktap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int klog_fuzz_one(const uint8_t *data, size_t size);

#define KLOG_FUZZ_PATTERNS 3
#define KLOG_FUZZ_JSON_NODES 4096

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "klog_fuzz: invariant broken: %s\n", what);
		abort();
	}
}

static void check_report(const struct klog_report *r, unsigned long lines_fed)
{
	const char *s;
	unsigned int n = 0;

	check(r->title && memchr(r->title, 0, KLOG_TITLE_MAX), "title within its bound");
	check(!strchr(r->title, '\n'), "title is one line");
	check(r->header && memchr(r->header, 0, KLOG_LINE_MAX), "header within its bound");
	check(!strchr(r->header, '\n') && !strchr(r->header, '\r'), "header is one line");
	check(r->text && memchr(r->text, 0, KLOG_KEEP_BYTES), "text within its bound");
	check(r->line >= 1 && r->line <= lines_fed, "report at a line that was fed");
	check(r->count >= 1, "a listed title was seen");
	check(r->nlines >= 1 && r->nlines <= KLOG_KEEP_LINES, "lines within their bound");
	check((unsigned int)r->cls < KLOG_NCLASSES && klog_class_name(r->cls), "a known class");
	for (s = r->text; *s; n++) {
		const char *nl = strchr(s, '\n');

		check(nl != NULL, "every text line ends in a newline");
		check((size_t)(nl - s) < KLOG_LINE_MAX, "text lines within their bound");
		check(!memchr(s, '\r', nl - s), "no CR kept");
		s = nl + 1;
	}
	check(n == r->nlines, "nlines counts the text's lines");
}

static void check_parser(const struct klog_parser *p, unsigned long lines_fed, char *const *pats, unsigned int npats)
{
	unsigned int total = 0, listed = 0;
	size_t n = klog_nreports(p);
	char verdict[1024];

	check(n <= KLOG_REPORTS_MAX, "the list within its bound");
	for (unsigned int c = 0; c < KLOG_NCLASSES; c++)
		total += klog_count(p, c);
	for (size_t i = 0; i < n; i++) {
		const struct klog_report *r = klog_report_at(p, i);

		check_report(r, lines_fed);
		listed += r->count;
		if (i)
			check(klog_report_at(p, i - 1)->line <= r->line, "reports in console order");
		for (size_t j = 0; j < i; j++)
			check(strcmp(klog_report_at(p, j)->title, r->title), "one entry per title");
		if (r->ignored_by) {
			char first[KLOG_LINE_MAX];
			bool known = false;

			for (unsigned int k = 0; k < npats; k++)
				known |= !strcmp(r->ignored_by, pats[k]);
			check(known, "accepted by a pattern that was given");
			snprintf(first, sizeof(first), "%.*s", (int)strcspn(r->text, "\n"), r->text);
			check(!fnmatch(r->ignored_by, r->title, 0) || !fnmatch(r->ignored_by, first, 0),
			      "the pattern matches the title or the first line");
		}
		for (unsigned int k = 0; k < npats; k++)
			if (!fnmatch(pats[k], r->title, 0))
				check(r->ignored_by != NULL, "a report whose title matches a pattern is accepted");
	}
	check(!klog_report_at(p, n), "nothing past the list");
	check(listed + klog_unlisted(p) == total, "every report is listed or counted unlisted");
	check(klog_failing(p) <= total, "failing reports were seen");
	check(!klog_first(p) || klog_failing(p), "a first failing report means some fail");
	check(klog_verdict_line(p, verdict, sizeof(verdict)) == (klog_failing(p) > 0), "a verdict exactly on failure");
	if (klog_failing(p))
		check(!strchr(verdict, '\n') && strlen(verdict) < sizeof(verdict), "the verdict is one line");
}

static void check_json(const struct klog_parser *p)
{
	static struct json_val nodes[KLOG_FUZZ_JSON_NODES];
	const struct json_val *root;
	struct json_error err;
	struct json_doc doc;
	char *buf = NULL, *strs;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	check(f != NULL, "memory stream");
	klog_print_json(p, f);
	check(!fclose(f), "stats written");
	strs = malloc(len + 1);
	check(strs != NULL, "memory");
	json_doc_init(&doc, nodes, KLOG_FUZZ_JSON_NODES, strs, len + 1, 8);
	check(!json_parse(&doc, buf, len, &root, &err), "the stats are JSON");
	check(root->type == JSON_OBJECT && json_member(root, "reports") && json_member(root, "titles"),
	      "the stats object has its members");
	free(strs);
	free(buf);
}

static void check_junit(const struct klog_parser *p)
{
	struct ktap_parser *kt = ktap_new(NULL, NULL);
	struct junit_extra *x;
	char *buf = NULL;
	size_t n, len = 0;
	FILE *f;

	check(kt != NULL, "memory");
	check(!klog_junit_cases(p, "kernel log", &x, &n), "JUnit cases built");
	check(n == klog_nreports(p), "one case per title");
	f = open_memstream(&buf, &len);
	check(f != NULL, "memory stream");
	check(!junit_write_with(f, kt, x, n, "fuzz", 1, NULL), "JUnit written");
	check(!fclose(f), "JUnit closed");
	for (size_t i = 0; i < len; i++)
		check((unsigned char)buf[i] >= 0x20 || buf[i] == '\n' || buf[i] == '\t' || buf[i] == '\r',
		      "no raw control characters in the XML");
	check(strlen(buf) == len, "no NUL in the XML");
	free(buf);
	klog_junit_cases_free(x, n);
	ktap_free(kt);
}

/* Feed @data[*pos..end) line by line up to @end; returns the lines fed. */
static unsigned long feed(struct klog_parser *p, const uint8_t *data, size_t *pos, size_t end, char *line)
{
	unsigned long lines = 0;
	size_t start = *pos;

	for (size_t i = *pos; i <= end; i++) {
		if (i < end && data[i] != '\n' && data[i] != '\0')
			continue;
		if (i == end && i == start)
			break;
		memcpy(line, data + start, i - start);
		line[i - start] = 0;
		klog_feed(p, line);
		lines++;
		start = i + 1;
	}
	*pos = end;
	return lines;
}

int klog_fuzz_one(const uint8_t *data, size_t size)
{
	char *pats[KLOG_FUZZ_PATTERNS] = { NULL };
	unsigned int npats = 0, want;
	struct klog_parser *p = klog_new();
	unsigned long lines = 0;
	size_t pos = 0, half;
	char *line = malloc(size + 1);

	check(p && line, "memory");
	want = size ? data[pos++] % (KLOG_FUZZ_PATTERNS + 1) : 0;
	while (npats < want && pos < size) {
		size_t e = pos;

		while (e < size && data[e] != '\n' && data[e] != '\0')
			e++;
		pats[npats] = malloc(e - pos + 1);
		check(pats[npats] != NULL, "memory");
		memcpy(pats[npats], data + pos, e - pos);
		pats[npats][e - pos] = 0;
		/* an empty pattern is refused, anything else kept */
		if (!pats[npats][0]) {
			check(klog_ignore(p, pats[npats]) == -EINVAL, "an empty pattern refused");
			free(pats[npats]);
			pats[npats] = NULL;
			want--;
		} else {
			check(!klog_ignore(p, pats[npats]), "a pattern taken");
			npats++;
		}
		pos = e < size ? e + 1 : e;
	}
	half = pos + (size - pos) / 2;
	while (half < size && data[half] != '\n')
		half++;
	lines += feed(p, data, &pos, half, line);
	klog_finish(p);
	check_parser(p, lines, pats, npats);
	if (pos < size)
		pos++; /* the newline at the half */
	lines += feed(p, data, &pos, size, line);
	klog_finish(p);
	check_parser(p, lines, pats, npats);
	check_json(p);
	check_junit(p);
	klog_free(p);
	for (unsigned int i = 0; i < npats; i++)
		free(pats[i]);
	free(line);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return klog_fuzz_one(data, size);
}
