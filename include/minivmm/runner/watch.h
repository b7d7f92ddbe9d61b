/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the runner reads on the guest console, line by line: a kernel
 * panic (the VM is told: status 126 after a grace period for its last
 * words), KTAP/TAP test results and the guest kernel's bug reports
 * (klog.h), which fail a run that would pass.
 */
#ifndef MINIVMM_RUNNER_WATCH_H
#define MINIVMM_RUNNER_WATCH_H

#include <stdbool.h>
#include <stdio.h>

struct config;
struct junit_extra;
struct klog_parser;
struct ktap_parser;
struct runstate;

#define CONSOLE_WATCH_VERDICT_MAX 1024

struct console_watch {
	struct runstate *run;
	struct ktap_parser *ktap;
	struct klog_parser *klog;
	/* The guest init's churn report (--cpu-churn, --irq-churn). */
	bool churn_seen;
	unsigned long cpu_offline, cpu_online, irq_moves;
	/* The kernel log's verdict line (console_watch_klog_verdict), "" if none. */
	char klog_verdict[CONSOLE_WATCH_VERDICT_MAX];
};

/* @cfg: its --klog-ignore patterns. */
int console_watch_init(struct console_watch *w, struct runstate *run, const struct config *cfg);
/* Also of a half-built watch. */
void console_watch_destroy(struct console_watch *w);
/* The console's on_line hook (@opaque is the watch); vCPU threads, console lock held. */
void console_watch_line(void *opaque, const char *line);
/* `, "guest_churn": {...}` for --stats, when the guest reported one; `, "kernel_log": {...}`. */
void console_watch_print_stats(void *opaque, FILE *f);
/*
 * The console ended: the kernel log's verdict on @status. When the guest
 * kernel reported a bug no --klog-ignore accepts, one line on stderr names
 * the first report and its console line, its lines follow ("  | "), and
 * a status of 0 becomes 1. The line is kept in @w->klog_verdict.
 */
int console_watch_klog_verdict(struct console_watch *w, int status);
/*
 * The kernel log's reports, one per title, as JUnit cases of the suite
 * "kernel log": failed (the report's lines as text), or skipped when a
 * --klog-ignore accepted it. *@cases is NULL when there are none; free it
 * with console_watch_junit_cases_free. 0 or -ENOMEM.
 */
int console_watch_junit_cases(const struct console_watch *w, struct junit_extra **cases, size_t *n);
void console_watch_junit_cases_free(struct junit_extra *cases, size_t n);

#endif
