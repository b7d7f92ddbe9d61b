/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the runner reads on the guest console, line by line: a kernel
 * panic (the VM is told: status 126 after a grace period for its last
 * words) and KTAP/TAP test results.
 */
#ifndef MINIVMM_RUNNER_WATCH_H
#define MINIVMM_RUNNER_WATCH_H

#include <stdbool.h>
#include <stdio.h>

struct ktap_parser;
struct runstate;

struct console_watch {
	struct runstate *run;
	struct ktap_parser *ktap;
	/* The guest init's churn report (--cpu-churn, --irq-churn). */
	bool churn_seen;
	unsigned long cpu_offline, cpu_online, irq_moves;
};

int console_watch_init(struct console_watch *w, struct runstate *run);
void console_watch_destroy(struct console_watch *w);
/* The console's on_line hook (@opaque is the watch); vCPU threads, console lock held. */
void console_watch_line(void *opaque, const char *line);
/* `, "guest_churn": {...}` for --stats, when the guest reported one. */
void console_watch_print_stats(void *opaque, FILE *f);

#endif
