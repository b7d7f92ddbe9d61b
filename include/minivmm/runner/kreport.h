/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The report of a run under several kernels (--kernel-package): one row
 * per kernel, the table on stderr, the JUnit document (one <testsuite>
 * per kernel) and the overall exit status. Pure: rows in, text out.
 */
#ifndef MINIVMM_RUNNER_KREPORT_H
#define MINIVMM_RUNNER_KREPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "minivmm/runner/kpkg.h"
#include "minivmm/runner/ktap.h"

/* What a guest run reports back (from the child process that ran it). */
struct kernel_result {
	int status;                  /* minivmm's exit status for this kernel */
	bool klog_verdict;           /* status 1 came from the guest kernel's bug reports */
	struct ktap_summary tests;
	struct junit_counts junit;   /* of the <testsuite> it wrote */
	char msg[1024];              /* why it ended so, when status is not 0 */
};

struct kernel_row {
	char kernel[KPKG_NAME_MAX];  /* the kernel version, or the file that never got one */
	char files[512];             /* its packages, comma-separated base names */
	bool ran;                    /* booted (result valid), else refused or not reached */
	long ms;                     /* wall time of the run */
	struct kernel_result res;    /* res.status 125 and res.msg for a refused package */
	char *suite;                 /* the <testsuite> the run wrote (malloc'd), or NULL */
};

/* "passed", "crashed", "timeout", "exit 3", ... for @status; @buf holds the longer ones. */
const char *kreport_status_word(int status, const struct ktap_summary *tests, char *buf, size_t len);

/* A run's JUnit "run" case: passed; failure (the command's status); error (anything else), with a text. */
enum junit_outcome kreport_outcome(int status, const struct ktap_summary *tests, const char *msg, char *text,
				   size_t len);

/*
 * Write the <testsuite> of one kernel's run (inside the child): the
 * outcome, the KTAP cases of @p (may be NULL), the @nx cases of @x (the
 * kernel log's), properties kernel, packages, status. Fills @res->junit
 * and @res->tests. 0 or -errno.
 */
int kreport_write_suite(FILE *f, const struct ktap_parser *p, const struct junit_extra *x, size_t nx,
			const char *kernel, const char *files, double seconds, struct kernel_result *res);

/* The table: kernel, status, time, tests passed, failed, skipped; one line per kernel. */
void kreport_table(FILE *f, const struct kernel_row *rows, unsigned int n);

/* The whole JUnit document: rows that did not run get a suite with an error case. 0 or -errno. */
int kreport_junit(FILE *f, const struct kernel_row *rows, unsigned int n, double seconds);

/*
 * The overall status: @stopped (128+N) when a signal stopped the run,
 * else the first kernel's in command-line order that is not 0, else 0.
 */
int kreport_status(const struct kernel_row *rows, unsigned int n, int stopped);

#endif
