/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What was done to the guest during the run (faults injected, functions
 * unplugged, plugged, removed by surprise), with its time: printed at the
 * end, in --stats, and handed to a sink (the control socket pushes them as
 * events). Bounded; thread-safe.
 */
#ifndef MINIVMM_EVENTLOG_H
#define MINIVMM_EVENTLOG_H

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>

#define EVENTLOG_MAX 256
#define EVENTLOG_TEXT 160

struct event_log {
	pthread_mutex_t lock;
	long t0_ms;                  /* times are since here (the vCPUs' start) */
	struct {
		long t_ms;
		char kind[24];       /* e.g. "unplug", "drop-msi" */
		char what[EVENTLOG_TEXT];
	} e[EVENTLOG_MAX];
	unsigned int n;
	unsigned long dropped;       /* beyond EVENTLOG_MAX */
	void (*sink)(void *opaque, long t_ms, const char *kind, const char *what);
	void *sink_opaque;
};

void eventlog_init(struct event_log *l);
void eventlog_destroy(struct event_log *l);
/* Record one event of @kind; @fmt describes it (no quotes or backslashes). */
void eventlog_add(struct event_log *l, const char *kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* `, "events": [...]` for --stats (nothing when there were none). */
void eventlog_print_stats(struct event_log *l, FILE *f);
/* How many events are kept (at most EVENTLOG_MAX). */
unsigned int eventlog_count(struct event_log *l);
/* Event @i: its time, kind and text; -ENOENT past the last. */
int eventlog_entry(struct event_log *l, unsigned int i, long *t_ms, char *kind, size_t klen, char *what,
		   size_t wlen);
/* Event @i as "at T s: KIND WHAT" into @buf; -ENOENT past the last. */
int eventlog_describe(struct event_log *l, unsigned int i, char *buf, size_t len);
/* One "minivmm: injected at T s: KIND WHAT" line per event, on @f. */
void eventlog_print_summary(struct event_log *l, FILE *f);

#endif
