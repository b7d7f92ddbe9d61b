/* SPDX-License-Identifier: GPL-2.0-only */
/* Counters devices keep for --stats: each owned by its device, listed by the VM. */
#ifndef MINIVMM_STATS_H
#define MINIVMM_STATS_H

#include <stdatomic.h>

struct stat_counter {
	char name[48];
	atomic_ullong count;
	struct stat_counter *next;
};

struct stats {
	struct stat_counter *head;   /* newest first */
};

/* Make @c (zeroed, named @name unless it already is) appear in --stats. */
void stats_add(struct stats *s, struct stat_counter *c, const char *name);
/* Take @c out again (its device went away); absent: nothing happens. */
void stats_remove(struct stats *s, struct stat_counter *c);

#endif
