// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "minivmm/config.h"
#include "minivmm/console.h"
#include "minivmm/runner/ktap.h"
#include "minivmm/runner/watch.h"
#include "minivmm/runstate.h"

int console_watch_init(struct console_watch *w, struct runstate *run)
{
	w->run = run;
	w->ktap = ktap_new(NULL, NULL);
	return w->ktap ? 0 : -ENOMEM;
}

void console_watch_destroy(struct console_watch *w)
{
	ktap_free(w->ktap);
	w->ktap = NULL;
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
}

void console_watch_print_stats(void *opaque, FILE *f)
{
	struct console_watch *w = opaque;

	if (w->churn_seen)
		fprintf(f, ", \"guest_churn\": {\"cpu_offline\": %lu, \"cpu_online\": %lu, \"irq_moves\": %lu}",
			w->cpu_offline, w->cpu_online, w->irq_moves);
}
