// SPDX-License-Identifier: GPL-2.0-only
/*
 * JUnit XML for the cases a KTAP parser collected, and the fuzzing entry
 * point that drives parser and writer together.
 *
 * The document holds exactly the cases the summary counts: leaves, plus
 * parents turned into errors. Summary lines of blocks are left out, they
 * would count their subtests twice. One <testsuite> per distinct suite, in
 * order of first appearance; top-level cases go in a suite named after the
 * run. FAIL -> <failure>, ERROR -> <error>, SKIP -> <skipped>, TODO passes
 * with a <system-out> note. Diagnostics go in the element's text.
 *
 * A document of several guest runs (--kernel-package: one per kernel) has
 * one <testsuite> per run instead, named after it, with a case "run" for
 * the run itself and the KTAP cases classed RUN or RUN.SUITE.
 *
 * Cases from outside KTAP (struct junit_extra: the guest kernel's bug
 * reports) follow the KTAP ones: failed, or skipped when accepted; in a
 * <testsuite> of their own named after their suite, or classed RUN.SUITE
 * in a run's suite.
 *
 * Text is escaped for XML 1.0: & < > " ' as entities, tab/LF/CR as
 * character references in attributes, other C0 controls, invalid UTF-8,
 * surrogates and U+FFFE/U+FFFF replaced by '?'. Valid UTF-8 passes through.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "minivmm/runner/ktap.h"

#define JUNIT_MSG_MAX 200

/* Bytes of the valid XML 1.0 UTF-8 character at @s, 0 if invalid. */
static size_t utf8_char(const unsigned char *s)
{
	unsigned char c = s[0];
	size_t len, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	/* Stops at the first non-continuation byte, so at the NUL too. */
	for (i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if (c == 0xe0 && s[1] < 0xa0)
		return 0;		/* overlong */
	if (c == 0xed && s[1] >= 0xa0)
		return 0;		/* surrogate */
	if (c == 0xef && s[1] == 0xbf && (s[2] == 0xbe || s[2] == 0xbf))
		return 0;		/* U+FFFE, U+FFFF */
	if (c == 0xf0 && s[1] < 0x90)
		return 0;		/* overlong */
	if (c == 0xf4 && s[1] >= 0x90)
		return 0;		/* > U+10FFFF */
	return len;
}

/*
 * Escape the character at @s into @buf (>= 8 bytes). Returns the output
 * length; *@used is the input consumed. @attr: for an attribute value,
 * where tab/LF/CR must be references to survive normalisation.
 */
static size_t xml_unit(const unsigned char *s, bool attr, char *buf, size_t *used)
{
	const char *e = NULL;
	size_t n;

	*used = 1;
	switch (s[0]) {
	case '&':
		e = "&amp;";
		break;
	case '<':
		e = "&lt;";
		break;
	case '>':
		e = "&gt;";
		break;
	case '"':
		e = "&quot;";
		break;
	case '\'':
		e = "&apos;";
		break;
	case '\t':
		e = attr ? "&#9;" : "\t";
		break;
	case '\n':
		e = attr ? "&#10;" : "\n";
		break;
	case '\r':
		e = attr ? "&#13;" : "\r";
		break;
	}
	if (e) {
		n = strlen(e);
		memcpy(buf, e, n);
		return n;
	}
	if (s[0] < 0x20) {
		buf[0] = '?';
		return 1;
	}
	n = utf8_char(s);
	if (!n) {
		buf[0] = '?';
		return 1;
	}
	memcpy(buf, s, n);
	*used = n;
	return n;
}

size_t xml_escape(const char *s, char *out, size_t outlen)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t need = 0, pos = 0, n, used;
	bool full = false;
	char buf[8];

	if (out && outlen)
		out[0] = '\0';
	if (!s)
		return 0;
	while (*u) {
		n = xml_unit(u, true, buf, &used);
		/* Whole units only: never half an entity or a character. */
		if (!full && out && pos + n < outlen) {
			memcpy(out + pos, buf, n);
			pos += n;
		} else {
			full = true;
		}
		need += n;
		u += used;
	}
	if (out && outlen)
		out[pos] = '\0';
	return need;
}

/* Write at most @max bytes of @s (stopping at NUL), escaped. */
static void xml_put(FILE *f, const char *s, size_t max, bool attr)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n, used;
	char buf[8];

	while (max && *u) {
		n = xml_unit(u, attr, buf, &used);
		if (used > max)
			break;		/* do not split a character */
		fwrite(buf, 1, n, f);
		u += used;
		max -= used;
	}
}

static void put_attr(FILE *f, const char *key, const char *val, size_t max)
{
	fprintf(f, " %s=\"", key);
	xml_put(f, val, max, true);
	fputc('"', f);
}

static bool counted(const struct ktap_case *c)
{
	return !c->has_subtests || c->status == KTAP_ERROR;
}

struct junit_suite {
	const char *name;
	size_t head, tail;		/* case indices, chained through next[] */
	unsigned int tests, failures, errors, skipped;
};

static void count(unsigned int *tests, unsigned int *failures,
		  unsigned int *errors, unsigned int *skipped,
		  const struct ktap_case *c)
{
	(*tests)++;
	if (c->status == KTAP_FAIL)
		(*failures)++;
	else if (c->status == KTAP_ERROR)
		(*errors)++;
	else if (c->status == KTAP_SKIP)
		(*skipped)++;
}

static void write_case(FILE *f, const char *suite, const struct ktap_case *c)
{
	char name[64];
	const char *msg;
	size_t msg_len;

	fputs("    <testcase", f);
	put_attr(f, "classname", suite, SIZE_MAX);
	if (c->name[0]) {
		put_attr(f, "name", c->name, SIZE_MAX);
	} else {
		snprintf(name, sizeof(name), "test %u", c->number);
		put_attr(f, "name", name, SIZE_MAX);
	}

	switch (c->status) {
	case KTAP_PASS:
		fputs("/>\n", f);
		return;
	case KTAP_SKIP:
		fputs(">\n      <skipped", f);
		put_attr(f, "message", c->reason, SIZE_MAX);
		fputs("/>\n", f);
		break;
	case KTAP_TODO:
		fputs(">\n      <system-out>TODO", f);
		if (c->reason[0]) {
			fputs(": ", f);
			xml_put(f, c->reason, SIZE_MAX, false);
		}
		fputs("</system-out>\n", f);
		break;
	case KTAP_FAIL:
	case KTAP_ERROR:
		/* message: the reason, else the first diagnostic line */
		if (c->reason[0]) {
			msg = c->reason;
			msg_len = SIZE_MAX;
		} else if (c->diag && c->diag[0]) {
			msg = c->diag;
			msg_len = strcspn(c->diag, "\n");
			if (msg_len > JUNIT_MSG_MAX)
				msg_len = JUNIT_MSG_MAX;
		} else {
			msg = c->status == KTAP_FAIL ? "not ok" : "error";
			msg_len = SIZE_MAX;
		}
		fprintf(f, ">\n      <%s", c->status == KTAP_FAIL ? "failure" : "error");
		put_attr(f, "message", msg, msg_len);
		if (c->diag && c->diag[0]) {
			fputc('>', f);
			xml_put(f, c->diag, SIZE_MAX, false);
			fprintf(f, "</%s>\n", c->status == KTAP_FAIL ? "failure" : "error");
		} else {
			fputs("/>\n", f);
		}
		break;
	}
	fputs("    </testcase>\n", f);
}

/* <properties> of a suite: @props are NULL-terminated name, value pairs. */
static void put_props(FILE *f, const char *const *props)
{
	if (!props || !props[0])
		return;
	fputs("    <properties>\n", f);
	for (size_t i = 0; props[i] && props[i + 1]; i += 2) {
		fputs("      <property", f);
		put_attr(f, "name", props[i], SIZE_MAX);
		put_attr(f, "value", props[i + 1], SIZE_MAX);
		fputs("/>\n", f);
	}
	fputs("    </properties>\n", f);
}

static void count_extra(struct junit_counts *c, const struct junit_extra *x)
{
	c->tests++;
	if (x->skipped)
		c->skipped++;
	else
		c->failures++;
}

static void write_extra(FILE *f, const char *cls, const struct junit_extra *x)
{
	fputs("    <testcase", f);
	put_attr(f, "classname", cls, SIZE_MAX);
	put_attr(f, "name", x->name ? x->name : "", SIZE_MAX);
	fprintf(f, ">\n      <%s", x->skipped ? "skipped" : "failure");
	put_attr(f, "message", x->message ? x->message : "", SIZE_MAX);
	if (!x->skipped && x->text && x->text[0]) {
		fputc('>', f);
		xml_put(f, x->text, SIZE_MAX, false);
		fputs("</failure>\n", f);
	} else {
		fputs("/>\n", f);
	}
	fputs("    </testcase>\n", f);
}

/* The extras from @i on that share x[i]'s suite, each suite a <testsuite>. */
static void write_extra_suites(FILE *f, const struct junit_extra *x, size_t nx, const char *const *props)
{
	for (size_t i = 0, j; i < nx; i = j) {
		struct junit_counts c = { 0 };
		const char *suite = x[i].suite ? x[i].suite : "";

		for (j = i; j < nx && !strcmp(x[j].suite ? x[j].suite : "", suite); j++)
			count_extra(&c, &x[j]);
		fputs("  <testsuite", f);
		put_attr(f, "name", suite, SIZE_MAX);
		fprintf(f, " tests=\"%u\" failures=\"%u\" errors=\"0\" skipped=\"%u\">\n", c.tests, c.failures,
			c.skipped);
		put_props(f, props);
		for (size_t k = i; k < j; k++)
			write_extra(f, suite, &x[k]);
		fputs("  </testsuite>\n", f);
	}
}

int junit_write(FILE *f, const struct ktap_parser *p, const char *name, double seconds)
{
	return junit_write_with(f, p, NULL, 0, name, seconds, NULL);
}

int junit_write_props(FILE *f, const struct ktap_parser *p, const char *name, double seconds,
		      const char *const *props)
{
	return junit_write_with(f, p, NULL, 0, name, seconds, props);
}

int junit_write_with(FILE *f, const struct ktap_parser *p, const struct junit_extra *x, size_t nx,
		     const char *name, double seconds, const char *const *props)
{
	size_t n = ktap_ncases(p), nsuites = 0, i, j, last = 0, *next = NULL;
	struct junit_counts ext = { 0 };
	struct junit_suite *suites = NULL;
	unsigned int tests = 0, failures = 0, errors = 0, skipped = 0;
	const struct ktap_case *c;
	const char *sname;

	if (!f || !p || (nx && !x))
		return -EINVAL;
	if (!name)
		name = "minivmm";
	if (!(seconds >= 0) || isinf(seconds))
		seconds = 0;
	if (n) {
		next = calloc(n, sizeof(*next));
		suites = calloc(n, sizeof(*suites));
		if (!next || !suites) {
			free(next);
			free(suites);
			return -ENOMEM;
		}
	}

	/* Group the counted cases by suite, keeping first-seen order. */
	for (i = 0; i < n; i++) {
		c = ktap_case_at(p, i);
		if (!counted(c))
			continue;
		sname = c->suite[0] ? c->suite : name;
		if (!nsuites || strcmp(suites[last].name, sname)) {
			for (j = 0; j < nsuites; j++)
				if (!strcmp(suites[j].name, sname))
					break;
			if (j == nsuites) {
				suites[j].name = sname;
				suites[j].head = i;
				nsuites++;
			} else {
				next[suites[j].tail] = i + 1;
			}
			last = j;
		} else {
			next[suites[last].tail] = i + 1;
		}
		suites[last].tail = i;
		count(&suites[last].tests, &suites[last].failures,
		      &suites[last].errors, &suites[last].skipped, c);
		count(&tests, &failures, &errors, &skipped, c);
	}

	for (i = 0; i < nx; i++)
		count_extra(&ext, &x[i]);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", f);
	put_attr(f, "name", name, SIZE_MAX);
	fprintf(f, " tests=\"%u\" failures=\"%u\" errors=\"%u\" skipped=\"%u\" time=\"%.3f\">\n",
		tests + ext.tests, failures + ext.failures, errors, skipped + ext.skipped, seconds);
	for (j = 0; j < nsuites; j++) {
		struct junit_suite *s = &suites[j];

		fputs("  <testsuite", f);
		put_attr(f, "name", s->name, SIZE_MAX);
		fprintf(f, " tests=\"%u\" failures=\"%u\" errors=\"%u\" skipped=\"%u\">\n",
			s->tests, s->failures, s->errors, s->skipped);
		put_props(f, props);
		/* next[] holds index + 1, 0 ends the chain */
		for (i = s->head + 1; i; i = next[i - 1])
			write_case(f, s->name, ktap_case_at(p, i - 1));
		fputs("  </testsuite>\n", f);
	}
	/* No case, but what was done to the run (seed, faults) still says something. */
	if (!nsuites && !nx && props && props[0]) {
		fputs("  <testsuite", f);
		put_attr(f, "name", name, SIZE_MAX);
		fputs(" tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\">\n", f);
		put_props(f, props);
		fputs("  </testsuite>\n", f);
	}
	write_extra_suites(f, x, nx, props);
	fputs("</testsuites>\n", f);

	free(next);
	free(suites);
	if (fflush(f) || ferror(f))
		return -EIO;
	return 0;
}

/* ---- one suite per guest run (several kernels in one document) ---- */

int junit_write_begin(FILE *f, const char *name, const struct junit_counts *c, double seconds)
{
	if (!(seconds >= 0) || isinf(seconds))
		seconds = 0;
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", f);
	put_attr(f, "name", name ? name : "minivmm", SIZE_MAX);
	fprintf(f, " tests=\"%u\" failures=\"%u\" errors=\"%u\" skipped=\"%u\" time=\"%.3f\">\n", c->tests,
		c->failures, c->errors, c->skipped, seconds);
	return ferror(f) ? -EIO : 0;
}

int junit_write_end(FILE *f)
{
	fputs("</testsuites>\n", f);
	if (fflush(f) || ferror(f))
		return -EIO;
	return 0;
}

int junit_write_run_suite(FILE *f, const struct ktap_parser *p, const struct junit_extra *x, size_t nx,
			  const char *name, const char *const *props, double seconds, enum junit_outcome outcome,
			  const char *message, struct junit_counts *total)
{
	struct junit_counts c = { 0 };
	size_t n = p ? ktap_ncases(p) : 0;
	char cls[2 * KTAP_NAME_MAX + 2];

	if (!f || !name || (nx && !x))
		return -EINVAL;
	if (!(seconds >= 0) || isinf(seconds))
		seconds = 0;
	for (size_t i = 0; i < n; i++) {
		const struct ktap_case *k = ktap_case_at(p, i);

		if (counted(k))
			count(&c.tests, &c.failures, &c.errors, &c.skipped, k);
	}
	for (size_t i = 0; i < nx; i++)
		count_extra(&c, &x[i]);
	c.tests++;
	if (outcome == JUNIT_FAILURE)
		c.failures++;
	else if (outcome == JUNIT_ERROR)
		c.errors++;
	fputs("  <testsuite", f);
	put_attr(f, "name", name, SIZE_MAX);
	fprintf(f, " tests=\"%u\" failures=\"%u\" errors=\"%u\" skipped=\"%u\" time=\"%.3f\">\n", c.tests,
		c.failures, c.errors, c.skipped, seconds);
	put_props(f, props);
	/* The guest run itself: did the kernel boot and the command end? */
	fputs("    <testcase", f);
	put_attr(f, "classname", name, SIZE_MAX);
	fputs(" name=\"run\"", f);
	fprintf(f, " time=\"%.3f\"", seconds);
	if (outcome == JUNIT_PASS) {
		fputs("/>\n", f);
	} else {
		fprintf(f, ">\n      <%s", outcome == JUNIT_FAILURE ? "failure" : "error");
		put_attr(f, "message", message ? message : "", SIZE_MAX);
		fputs("/>\n    </testcase>\n", f);
	}
	for (size_t i = 0; i < n; i++) {
		const struct ktap_case *k = ktap_case_at(p, i);

		if (!counted(k))
			continue;
		snprintf(cls, sizeof(cls), "%s%s%s", name, k->suite[0] ? "." : "", k->suite);
		write_case(f, cls, k);
	}
	for (size_t i = 0; i < nx; i++) {
		const char *suite = x[i].suite ? x[i].suite : "";

		snprintf(cls, sizeof(cls), "%s%s%s", name, suite[0] ? "." : "", suite);
		write_extra(f, cls, &x[i]);
	}
	fputs("  </testsuite>\n", f);
	if (total) {
		total->tests += c.tests;
		total->failures += c.failures;
		total->errors += c.errors;
		total->skipped += c.skipped;
	}
	if (fflush(f) || ferror(f))
		return -EIO;
	return 0;
}

/* ---- fuzzing ---- */

static void fuzz_check_case(void *opaque, const struct ktap_case *c)
{
	size_t *n = opaque;

	if (!memchr(c->suite, 0, sizeof(c->suite)) ||
	    !memchr(c->name, 0, sizeof(c->name)) ||
	    !memchr(c->reason, 0, sizeof(c->reason)))
		abort();
	if ((unsigned int)c->status > KTAP_ERROR || c->depth >= KTAP_MAX_DEPTH)
		abort();
	if (c->diag && strlen(c->diag) >= 8192)
		abort();
	(*n)++;
}

/* @buf must be what the writer produces: XML 1.0 chars, known entities. */
static void fuzz_check_xml(const char *buf, size_t len)
{
	const unsigned char *u = (const unsigned char *)buf;
	size_t i = 0, n;

	if (strlen(buf) != len)
		abort();
	while (i < len) {
		if (u[i] < 0x20 && u[i] != '\t' && u[i] != '\n' && u[i] != '\r')
			abort();
		if (u[i] == '&') {
			const char *ents[] = { "&amp;", "&lt;", "&gt;", "&quot;",
					       "&apos;", "&#9;", "&#10;", "&#13;" };
			size_t k;

			for (k = 0; k < sizeof(ents) / sizeof(ents[0]); k++)
				if (!strncmp(buf + i, ents[k], strlen(ents[k])))
					break;
			if (k == sizeof(ents) / sizeof(ents[0]))
				abort();
		}
		n = utf8_char(u + i);
		if (!n)
			abort();
		i += n;
	}
}

static void fuzz_check_escape(const char *s)
{
	size_t need = xml_escape(s, NULL, 0), outlen, got;
	char out[64];

	for (outlen = 1; outlen <= sizeof(out); outlen += 7) {
		memset(out, 'x', sizeof(out));
		if (xml_escape(s, out, outlen) != need)
			abort();
		got = strnlen(out, outlen);
		if (got >= outlen || got > need)
			abort();
		fuzz_check_xml(out, got);
	}
}

int ktap_fuzz_one(const unsigned char *data, size_t size)
{
	const struct ktap_summary *s;
	struct ktap_parser *p;
	size_t ncb = 0, i, start = 0, total = 0;
	char *line, *xml = NULL;
	size_t xml_len = 0;
	FILE *f;

	line = malloc(size + 1);
	p = ktap_new(fuzz_check_case, &ncb);
	if (!line || !p)
		goto out;
	for (i = 0; i <= size; i++) {
		if (i < size && data[i] != '\n' && data[i] != '\0')
			continue;
		memcpy(line, data + start, i - start);
		line[i - start] = '\0';
		ktap_feed(p, line);
		if (i - start < 200)
			fuzz_check_escape(line);
		start = i + 1;
	}
	ktap_finish(p);
	ktap_finish(p);

	s = ktap_summary(p);
	for (i = 0; i < ktap_ncases(p); i++)
		if (counted(ktap_case_at(p, i)))
			total++;
	/* Every stored case was reported; all of them unless over the cap. */
	if (ktap_ncases(p) > ncb)
		abort();
	if (ncb == ktap_ncases(p) &&
	    total != (size_t)s->passed + s->failed + s->skipped + s->todo + s->errors)
		abort();

	f = open_memstream(&xml, &xml_len);
	if (f) {
		if (junit_write(f, p, "fuzz", 1.5))
			abort();
		fclose(f);
		fuzz_check_xml(xml, xml_len);
		free(xml);
	}
out:
	ktap_free(p);
	free(line);
	return 0;
}
