/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Streaming KTAP / TAP parser for what a guest prints on its console
 * (kselftest, KUnit, a driver's own test), and a JUnit XML writer.
 * Pure: lines in, results out.
 */
#ifndef MINIVMM_RUNNER_KTAP_H
#define MINIVMM_RUNNER_KTAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define KTAP_NAME_MAX 256
#define KTAP_MAX_DEPTH 8

enum ktap_status { KTAP_PASS, KTAP_FAIL, KTAP_SKIP, KTAP_TODO, KTAP_ERROR };

/* One finished test case (leaf or subtest summary line). */
struct ktap_case {
	char suite[KTAP_NAME_MAX];   /* enclosing test names joined with '.', "" at top */
	char name[KTAP_NAME_MAX];
	unsigned int number;
	unsigned int depth;          /* 0: top level */
	enum ktap_status status;
	char reason[KTAP_NAME_MAX];  /* SKIP/TODO directive text, or why it is an error */
	char *diag;                  /* "# ..." lines seen since the previous result, may be NULL */
	bool has_subtests;           /* this line closed a block of subtests */
};

struct ktap_summary {
	unsigned int passed, failed, skipped, todo, errors;
	bool bail_out;
	bool seen;                   /* any KTAP/TAP at all */
};

struct ktap_parser;

/* @on_case is called for every result as soon as its line arrives. */
struct ktap_parser *ktap_new(void (*on_case)(void *opaque, const struct ktap_case *c), void *opaque);
void ktap_free(struct ktap_parser *p);
/* One console line, without its newline; kernel "[  1.234] " prefixes are fine. */
void ktap_feed(struct ktap_parser *p, const char *line);
/* End of output: tests announced by a plan but never reported become errors. */
void ktap_finish(struct ktap_parser *p);
const struct ktap_summary *ktap_summary(const struct ktap_parser *p);
/* Every case seen so far, in order (for the JUnit writer). */
size_t ktap_ncases(const struct ktap_parser *p);
const struct ktap_case *ktap_case_at(const struct ktap_parser *p, size_t i);

/* JUnit XML of every case in @p; @name is the testsuites name. 0 or -errno. */
int junit_write(FILE *f, const struct ktap_parser *p, const char *name, double seconds);
/*
 * The same with <properties> in every suite (@props: NULL-terminated name,
 * value pairs, e.g. the seed and the faults injected); with no case, one
 * empty suite @name carries them.
 */
int junit_write_props(FILE *f, const struct ktap_parser *p, const char *name, double seconds,
		      const char *const *props);

/* A case from outside KTAP (a bug report in the guest kernel's log). */
struct junit_extra {
	const char *suite;           /* its <testsuite> (one per run of equal suites), or RUN.SUITE */
	const char *name;
	bool skipped;                /* accepted (e.g. --klog-ignore); else failed */
	const char *message;         /* one line */
	const char *text;            /* the failure's body, may be NULL */
};

/* junit_write_props, and the @nx cases of @x after the KTAP ones (@props in their suites too). */
int junit_write_with(FILE *f, const struct ktap_parser *p, const struct junit_extra *x, size_t nx,
		     const char *name, double seconds, const char *const *props);
/* JUnit counts of one <testsuite> or a whole document. */
struct junit_counts {
	unsigned int tests, failures, errors, skipped;
};

/* How a guest run ended, as a JUnit case "run". */
enum junit_outcome { JUNIT_PASS, JUNIT_FAILURE, JUNIT_ERROR };

/*
 * A document of several runs (one per kernel): junit_write_begin() with
 * the totals, one junit_write_run_suite() per run, junit_write_end().
 * A run's suite is named @name (the kernel version); it holds a case
 * "run" for the run itself (@outcome, with @message unless it passed)
 * and then every case of @p (NULL: none) with classname @name, or
 * @name.SUITE for nested KTAP suites, and the @nx cases of @x. @props: NULL-terminated key,
 * value, ... pairs written as <properties>. Its counts are added to
 * @total (may be NULL). 0 or -errno.
 */
int junit_write_begin(FILE *f, const char *name, const struct junit_counts *c, double seconds);
int junit_write_run_suite(FILE *f, const struct ktap_parser *p, const struct junit_extra *x, size_t nx,
			  const char *name, const char *const *props, double seconds, enum junit_outcome outcome,
			  const char *message, struct junit_counts *total);
int junit_write_end(FILE *f);
/* XML-escape @s into @out (always NUL-terminated); returns the length needed. */
size_t xml_escape(const char *s, char *out, size_t outlen);

/* Fuzzing entry point: feed arbitrary bytes split at newlines. Always returns 0. */
int ktap_fuzz_one(const unsigned char *data, size_t size);

#endif
