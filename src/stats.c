// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>

#include "minivmm/stats.h"

void stats_add(struct stats *s, struct stat_counter *c, const char *name)
{
	if (name != c->name)
		snprintf(c->name, sizeof(c->name), "%s", name);
	atomic_init(&c->count, 0);
	c->next = s->head;
	s->head = c;
}

void stats_remove(struct stats *s, struct stat_counter *c)
{
	for (struct stat_counter **p = &s->head; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			c->next = NULL;
			return;
		}
	}
}
