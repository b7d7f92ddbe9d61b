// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "minivmm/config.h"
#include "minivmm/console.h"
#include "minivmm/log.h"
#include "minivmm/runner/klog.h"
#include "minivmm/runner/ktap.h"
#include "minivmm/runner/watch.h"
#include "minivmm/runstate.h"

_Static_assert(CONFIG_MAX_KLOG_IGNORE <= KLOG_IGNORE_MAX, "the parser keeps every --klog-ignore");
_Static_assert(CONSOLE_WATCH_VERDICT_MAX >= 2 * KLOG_LINE_MAX + 3 * KLOG_TITLE_MAX, "the verdict line fits");

#define KLOG_JUNIT_SUITE "kernel log"

int console_watch_init(struct console_watch *w, struct runstate *run, const struct config *cfg)
{
	w->run = run;
	w->ktap = ktap_new(NULL, NULL);
	w->klog = klog_new();
	if (!w->ktap || !w->klog)
		return -ENOMEM;
	for (unsigned int i = 0; i < cfg->nklog_ignore; i++) {
		int ret = klog_ignore(w->klog, cfg->klog_ignore[i]);

		if (ret)
			return ret;
	}
	return 0;
}

void console_watch_destroy(struct console_watch *w)
{
	ktap_free(w->ktap);
	w->ktap = NULL;
	klog_free(w->klog);
	w->klog = NULL;
}

void console_watch_line(void *opaque, const char *line)
{
	struct console_watch *w = opaque;
	const char *p = strstr(line, "Kernel panic - not syncing");

	/*
	 * vCPUs printing at once can split or merge console lines, so either
	 * line alone is enough: the panic line starts a grace period, the end
	 * line stops the guest at once.
	 */
	if (p) {
		char msg[CONSOLE_LINE_MAX + 8];

		snprintf(msg, sizeof(msg), "guest %s", p);
		runstate_panicked(w->run, msg);
	}
	if (strstr(line, "---[ end Kernel panic"))
		runstate_stop(w->run, EXIT_GUEST_CRASH, "%s",
			      atomic_load(&w->run->panic_seen) ? w->run->panic_msg : line);
	p = strstr(line, "minivmm-guest: churn: ");
	if (p && sscanf(p, "minivmm-guest: churn: %lu cpu offline, %lu cpu online, %lu irq moves", &w->cpu_offline,
			&w->cpu_online, &w->irq_moves) == 3)
		w->churn_seen = true;
	ktap_feed(w->ktap, line);
	klog_feed(w->klog, line);
}

void console_watch_print_stats(void *opaque, FILE *f)
{
	struct console_watch *w = opaque;

	if (w->churn_seen)
		fprintf(f, ", \"guest_churn\": {\"cpu_offline\": %lu, \"cpu_online\": %lu, \"irq_moves\": %lu}",
			w->cpu_offline, w->cpu_online, w->irq_moves);
	if (w->klog) {
		fputs(", \"kernel_log\": ", f);
		klog_print_json(w->klog, f);
	}
}

int console_watch_klog_verdict(struct console_watch *w, int status)
{
	w->klog_verdict[0] = 0;
	if (!w->klog)
		return status;
	klog_finish(w->klog);
	if (!klog_verdict_line(w->klog, w->klog_verdict, sizeof(w->klog_verdict)))
		return status;
	/* The guest kernel's verdict, not minivmm's error: said at any --quiet. */
	fprintf(stderr, "minivmm: %s\n", w->klog_verdict);
	/* The report itself, where the user looks (the whole of it is in --junit). */
	if (klog_first(w->klog))
		klog_print_report(klog_first(w->klog), "  | ", stderr);
	return status == EXIT_GUEST_OK ? 1 : status;
}

int console_watch_junit_cases(const struct console_watch *w, struct junit_extra **cases, size_t *n)
{
	return klog_junit_cases(w->klog, KLOG_JUNIT_SUITE, cases, n);
}

void console_watch_junit_cases_free(struct junit_extra *cases, size_t n)
{
	klog_junit_cases_free(cases, n);
}
