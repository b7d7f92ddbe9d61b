// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "minivmm/eventlog.h"

static long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void eventlog_init(struct event_log *l)
{
	memset(l, 0, sizeof(*l));
	pthread_mutex_init(&l->lock, NULL);
	l->t0_ms = mono_ms();
}

void eventlog_destroy(struct event_log *l)
{
	pthread_mutex_destroy(&l->lock);
}

void eventlog_add(struct event_log *l, const char *kind, const char *fmt, ...)
{
	char what[EVENTLOG_TEXT];
	va_list ap;
	long t;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	/* JSON-safe by construction: the callers' texts have no quotes, but be sure. */
	for (char *p = what; *p; p++)
		if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20)
			*p = '_';
	pthread_mutex_lock(&l->lock);
	t = mono_ms() - l->t0_ms;
	if (l->n < EVENTLOG_MAX) {
		l->e[l->n].t_ms = t;
		snprintf(l->e[l->n].kind, sizeof(l->e[l->n].kind), "%s", kind);
		snprintf(l->e[l->n].what, sizeof(l->e[l->n].what), "%s", what);
		l->n++;
	} else {
		l->dropped++;
	}
	pthread_mutex_unlock(&l->lock);
	if (l->sink)
		l->sink(l->sink_opaque, t, kind, what);
}

void eventlog_print_stats(struct event_log *l, FILE *f)
{
	pthread_mutex_lock(&l->lock);
	if (l->n) {
		fprintf(f, ", \"events\": [");
		for (unsigned int i = 0; i < l->n; i++)
			fprintf(f, "%s{\"t_ms\": %ld, \"kind\": \"%s\", \"what\": \"%s\"}", i ? ", " : "", l->e[i].t_ms,
				l->e[i].kind, l->e[i].what);
		fprintf(f, "], \"events_dropped\": %lu", l->dropped);
	}
	pthread_mutex_unlock(&l->lock);
}

unsigned int eventlog_count(struct event_log *l)
{
	unsigned int n;

	pthread_mutex_lock(&l->lock);
	n = l->n;
	pthread_mutex_unlock(&l->lock);
	return n;
}

int eventlog_entry(struct event_log *l, unsigned int i, long *t_ms, char *kind, size_t klen, char *what,
		   size_t wlen)
{
	int ret = -ENOENT;

	pthread_mutex_lock(&l->lock);
	if (i < l->n) {
		*t_ms = l->e[i].t_ms;
		snprintf(kind, klen, "%s", l->e[i].kind);
		snprintf(what, wlen, "%s", l->e[i].what);
		ret = 0;
	}
	pthread_mutex_unlock(&l->lock);
	return ret;
}

int eventlog_describe(struct event_log *l, unsigned int i, char *buf, size_t len)
{
	char kind[sizeof(l->e[0].kind)], what[EVENTLOG_TEXT];
	long t;

	if (eventlog_entry(l, i, &t, kind, sizeof(kind), what, sizeof(what)))
		return -ENOENT;
	snprintf(buf, len, "at %ld.%03ld s: %s %s", t / 1000, t % 1000, kind, what);
	return 0;
}

void eventlog_print_summary(struct event_log *l, FILE *f)
{
	char line[EVENTLOG_TEXT + 64];
	unsigned long dropped;

	for (unsigned int i = 0; !eventlog_describe(l, i, line, sizeof(line)); i++)
		fprintf(f, "minivmm: injected %s\n", line);
	pthread_mutex_lock(&l->lock);
	dropped = l->dropped;
	pthread_mutex_unlock(&l->lock);
	if (dropped)
		fprintf(f, "minivmm: ... and %lu more events\n", dropped);
}
