// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "minivmm/config.h"
#include "minivmm/runner/kreport.h"

static bool tests_failed(const struct ktap_summary *t)
{
	return t && (t->failed || t->errors || t->bail_out);
}

const char *kreport_status_word(int status, const struct ktap_summary *tests, char *buf, size_t len)
{
	switch (status) {
	case EXIT_GUEST_OK: return "passed";
	case EXIT_TIMEOUT: return "timeout";
	case EXIT_VMM_ERROR: return "error";
	case EXIT_GUEST_CRASH: return "crashed";
	}
	if (status == 1 && tests_failed(tests))
		return "tests failed";
	if (status > 0 && status < EXIT_TIMEOUT)
		snprintf(buf, len, "exit %d", status);
	else if (status > 128)
		snprintf(buf, len, "signal %d", status - 128);
	else
		snprintf(buf, len, "status %d", status);
	return buf;
}

enum junit_outcome kreport_outcome(int status, const struct ktap_summary *tests, const char *msg, char *text,
				   size_t len)
{
	text[0] = 0;
	/* Failed tests are failures of their own cases: the run itself went through. */
	if (status == EXIT_GUEST_OK || (status == 1 && tests_failed(tests)))
		return JUNIT_PASS;
	if (status > 0 && status < EXIT_TIMEOUT) {
		snprintf(text, len, "the command exited with status %d", status);
		return JUNIT_FAILURE;
	}
	snprintf(text, len, "status %d: %s", status, msg && msg[0] ? msg : "no reason given");
	return JUNIT_ERROR;
}

int kreport_write_suite(FILE *f, const struct ktap_parser *p, const struct junit_extra *x, size_t nx,
			const char *kernel, const char *files, double seconds, struct kernel_result *res)
{
	char status[16], text[1100];
	const char *props[] = { "kernel", kernel, "packages", files, "status", status, NULL };
	enum junit_outcome o;

	if (p)
		res->tests = *ktap_summary(p);
	/* A status the kernel log made 1: the run went through, its reports are the failures. */
	o = kreport_outcome(res->klog_verdict ? EXIT_GUEST_OK : res->status, &res->tests, res->msg, text,
			    sizeof(text));
	snprintf(status, sizeof(status), "%d", res->status);
	memset(&res->junit, 0, sizeof(res->junit));
	return junit_write_run_suite(f, p, x, nx, kernel, props, seconds, o, text, &res->junit);
}

static void count_col(char *buf, size_t len, const struct kernel_row *r, unsigned int v)
{
	if (r->ran && r->res.tests.seen)
		snprintf(buf, len, "%u", v);
	else
		snprintf(buf, len, "-");
}

void kreport_table(FILE *f, const struct kernel_row *rows, unsigned int n)
{
	int kw = (int)strlen("kernel"), sw = (int)strlen("status");
	char word[32], status[48], t[24], p[16], fl[16], sk[16];

	for (unsigned int i = 0; i < n; i++) {
		int l = (int)strlen(rows[i].kernel);
		const char *w = !rows[i].ran ? "not booted"
				: rows[i].res.klog_verdict && !tests_failed(&rows[i].res.tests) ? "kernel bug"
				: kreport_status_word(rows[i].res.status, &rows[i].res.tests, word, sizeof(word));

		snprintf(status, sizeof(status), "%s (%d)", w, rows[i].res.status);
		if (l > kw)
			kw = l;
		if ((int)strlen(status) > sw)
			sw = (int)strlen(status);
	}
	fprintf(f, "minivmm: %u kernel%s:\n", n, n == 1 ? "" : "s");
	fprintf(f, "  %-*s  %-*s  %8s  %6s  %6s  %7s\n", kw, "kernel", sw, "status", "time", "passed", "failed",
		"skipped");
	for (unsigned int i = 0; i < n; i++) {
		const struct kernel_row *r = &rows[i];
		const char *w = !r->ran ? "not booted"
				: r->res.klog_verdict && !tests_failed(&r->res.tests) ? "kernel bug"
				: kreport_status_word(r->res.status, &r->res.tests, word, sizeof(word));

		snprintf(status, sizeof(status), "%s (%d)", w, r->res.status);
		if (r->ran)
			snprintf(t, sizeof(t), "%ld.%lds", r->ms / 1000, r->ms % 1000 / 100);
		else
			snprintf(t, sizeof(t), "-");
		count_col(p, sizeof(p), r, r->res.tests.passed);
		count_col(fl, sizeof(fl), r, r->res.tests.failed + r->res.tests.errors);
		count_col(sk, sizeof(sk), r, r->res.tests.skipped);
		fprintf(f, "  %-*s  %-*s  %8s  %6s  %6s  %7s\n", kw, r->kernel, sw, status, t, p, fl, sk);
	}
}

int kreport_junit(FILE *f, const struct kernel_row *rows, unsigned int n, double seconds)
{
	struct junit_counts total = { 0 };
	int ret;

	for (unsigned int i = 0; i < n; i++) {
		const struct junit_counts *c = &rows[i].res.junit;

		if (rows[i].suite) {
			total.tests += c->tests;
			total.failures += c->failures;
			total.errors += c->errors;
			total.skipped += c->skipped;
		} else {
			total.tests++;
			total.errors++;
		}
	}
	ret = junit_write_begin(f, "minivmm", &total, seconds);
	for (unsigned int i = 0; !ret && i < n; i++) {
		const struct kernel_row *r = &rows[i];
		char status[16], text[1100];
		const char *props[] = { "kernel", r->kernel, "packages", r->files, "status", status, NULL };

		if (r->suite) {
			fputs(r->suite, f);
			continue;
		}
		snprintf(status, sizeof(status), "%d", r->res.status);
		snprintf(text, sizeof(text), "not booted: %s", r->res.msg[0] ? r->res.msg : "no reason given");
		ret = junit_write_run_suite(f, NULL, NULL, 0, r->kernel, props, 0, JUNIT_ERROR, text, NULL);
	}
	return ret ? ret : junit_write_end(f);
}

int kreport_status(const struct kernel_row *rows, unsigned int n, int stopped)
{
	if (stopped)
		return stopped;
	for (unsigned int i = 0; i < n; i++)
		if (rows[i].res.status)
			return rows[i].res.status;
	return 0;
}
