/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel-log verdicts: a streaming parser for what the guest kernel prints
 * on its console. It finds the kernel's bug reports (RCU stalls, soft and
 * hard lockups, hung tasks, WARNING, BUG, oopses, KASAN/KCSAN/KMSAN/KFENCE/
 * UBSAN, NETDEV WATCHDOG, "irq N: nobody cared"), counts them per class and
 * keeps the lines of the first one, with a one-line title in the style of
 * syzkaller's pkg/report ("WARNING in foo_probe"). Kernel panics are not its
 * business (minivmm stops the guest on them); a report before one is kept.
 * Pure: lines in, results out; memory is bounded.
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
	KLOG_KASAN,
	KLOG_KCSAN,
	KLOG_KMSAN,
	KLOG_KFENCE,
	KLOG_UBSAN,
	KLOG_NETDEV_WATCHDOG,
	KLOG_IRQ_NOBODY_CARED,
	KLOG_NCLASSES
};

#define KLOG_ALL_CLASSES ((1u << KLOG_NCLASSES) - 1)

/* What is kept of the first report. */
#define KLOG_KEEP_LINES 80
#define KLOG_KEEP_BYTES 8192
#define KLOG_LINE_MAX 256     /* longer lines are cut */
#define KLOG_TITLE_MAX 160

struct klog_report {
	enum klog_class cls;
	const char *title;           /* one line, e.g. "WARNING in foo_probe" */
	const char *text;            /* its lines without console prefixes, each ending in '\n' */
	unsigned int nlines;
	bool truncated;              /* it had more lines than were kept */
};

struct klog_parser;

/* Reports of the classes in @ignore_mask (1 << class) are counted, never kept. */
struct klog_parser *klog_new(unsigned int ignore_mask);
void klog_free(struct klog_parser *p);
/* One console line, without its newline; CRs are dropped. */
void klog_feed(struct klog_parser *p, const char *line);
/* The first report of a class not ignored, or NULL. */
const struct klog_report *klog_first(struct klog_parser *p);
/* Reports seen of @cls (ignored classes included). */
unsigned int klog_count(const struct klog_parser *p, enum klog_class cls);
/* {"class": N, ...} for the classes seen, "{}" if none. */
void klog_print_json(const struct klog_parser *p, FILE *f);

/* "rcu-stall", "soft-lockup", ...; NULL when out of range. */
const char *klog_class_name(enum klog_class cls);
/*
 * A comma-separated list of class names, or "all" -> mask. On error
 * returns -EINVAL and writes a message naming the bad word and the
 * valid names into @err.
 */
int klog_class_parse(const char *list, unsigned int *mask, char *err, size_t errlen);

#endif
