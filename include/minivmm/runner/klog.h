/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel-log verdicts: a streaming parser for what the guest kernel prints
 * on its console. It finds the kernel's bug reports (RCU stalls, soft and
 * hard lockups, hung tasks, WARNING, BUG, oopses, list corruption,
 * KASAN/KCSAN/KMSAN/KFENCE/UBSAN, lockdep, NETDEV WATCHDOG, "irq N: nobody
 * cared", "unregister_netdevice: waiting for DEV to become free"), counts
 * them per class and keeps, per distinct title, the lines of the first one
 * with a one-line title in the style of syzkaller's pkg/report ("WARNING
 * in foo_probe"). Reports whose title or first line matches a pattern
 * given to klog_ignore() are kept but marked as accepted. Kernel panics
 * are not its business (minivmm stops the guest on them); a report before
 * one is kept. Pure: lines in, results out; memory is bounded.
 */
#ifndef MINIVMM_RUNNER_KLOG_H
#define MINIVMM_RUNNER_KLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum klog_class {
	KLOG_RCU_STALL,
	KLOG_SOFT_LOCKUP,
	KLOG_HARD_LOCKUP,
	KLOG_HUNG_TASK,
	KLOG_WARNING,
	KLOG_LOCKDEP,        /* WARNING: possible circular locking dependency ... */
	KLOG_BUG,
	KLOG_OOPS,           /* general protection fault, kernel BUG at, ... */
	KLOG_LIST_CORRUPTION,
	KLOG_KASAN,
	KLOG_KCSAN,
	KLOG_KMSAN,
	KLOG_KFENCE,
	KLOG_UBSAN,
	KLOG_NETDEV_WATCHDOG,
	KLOG_NETDEV_UNREGISTER, /* unregister_netdevice: waiting for DEV to become free */
	KLOG_IRQ_NOBODY_CARED,
	KLOG_NCLASSES
};

/* What is kept of a report. */
#define KLOG_KEEP_LINES 80
#define KLOG_KEEP_BYTES 8192
#define KLOG_LINE_MAX 256     /* longer lines are cut */
#define KLOG_TITLE_MAX 160
#define KLOG_REPORTS_MAX 32   /* distinct titles; more are only counted */
#define KLOG_IGNORE_MAX 32    /* klog_ignore patterns */

struct klog_report {
	enum klog_class cls;
	const char *title;           /* one line, e.g. "WARNING in foo_probe" */
	const char *header;          /* the console line it started on, as printed */
	unsigned long line;          /* that line's number on the console, from 1 */
	const char *text;            /* its lines without console prefixes, each ending in '\n' */
	unsigned int nlines;
	bool truncated;              /* it had more lines than were kept */
	unsigned int count;          /* reports with this title (the first one's lines are kept) */
	const char *ignored_by;      /* the klog_ignore pattern that accepts it, or NULL */
};

struct klog_parser;

struct klog_parser *klog_new(void);
void klog_free(struct klog_parser *p);
/*
 * Accept reports whose title or first line (without the console prefix)
 * matches the shell glob @pattern (fnmatch(3), no flags); the parser keeps
 * a copy. -EINVAL for an empty pattern, -ENOSPC past KLOG_IGNORE_MAX,
 * -ENOMEM.
 */
int klog_ignore(struct klog_parser *p, const char *pattern);
/* One console line, without its newline; CRs are dropped. */
void klog_feed(struct klog_parser *p, const char *line);
/* The console ended: reports still open are complete. Feeding may go on. */
void klog_finish(struct klog_parser *p);

/* Reports with distinct titles, in the order their first lines came. */
size_t klog_nreports(const struct klog_parser *p);
const struct klog_report *klog_report_at(const struct klog_parser *p, size_t i);
/* The first report no pattern accepts, or NULL. */
const struct klog_report *klog_first(const struct klog_parser *p);
/* Reports not accepted (each one counts, not each title). */
unsigned int klog_failing(const struct klog_parser *p);
/* Reports seen of @cls (accepted ones included). */
unsigned int klog_count(const struct klog_parser *p, enum klog_class cls);
/* Reports that found no room in the list (more than KLOG_REPORTS_MAX titles). */
unsigned int klog_unlisted(const struct klog_parser *p);
/*
 * {"reports": N, "failing": N, "classes": {"warning": N, ...}, "titles":
 * [{"title": ..., "class": ..., "count": N, "line": N, "ignored": bool}]}
 * for --stats.
 */
void klog_print_json(const struct klog_parser *p, FILE *f);
struct json_out;
/*
 * The same object into @o; @with_text (--json) adds to each title its
 * "header" (the console line), "ignored_by" (the pattern, when accepted),
 * "text" (the report's lines) and "truncated".
 */
void klog_write_json(const struct klog_parser *p, struct json_out *o, bool with_text);

/* "rcu-stall", "soft-lockup", ...; NULL when out of range. */
const char *klog_class_name(enum klog_class cls);

/* ---- the end of a run (klog_verdict.c) ---- */

struct junit_extra;

/*
 * When a report fails the run (klog_failing), the line that says so into
 * @out: the first one's title, console line and header, and the
 * --klog-ignore that would accept it. False (nothing written) otherwise.
 */
bool klog_verdict_line(const struct klog_parser *p, char *out, size_t outlen);
/*
 * The lines of @r (the report klog_first gives) to @f, each after
 * @indent, and a last line saying so when more were printed than kept.
 */
void klog_print_report(const struct klog_report *r, const char *indent, FILE *f);
/*
 * One JUnit case per report title, in console order, of the suite @suite
 * (kept as given): failed with the report's lines as text, or skipped
 * when a pattern accepted it; the message says where it was. *@cases
 * (NULL when there are none) points into @p: free it with
 * klog_junit_cases_free before the parser. 0 or -ENOMEM.
 */
int klog_junit_cases(const struct klog_parser *p, const char *suite, struct junit_extra **cases, size_t *n);
void klog_junit_cases_free(struct junit_extra *cases, size_t n);

#endif
