// SPDX-License-Identifier: GPL-2.0-only
/* The jitter schedule (pure). */
#include <string.h>

#include "minivmm/stress/jitter.h"

/* Stream of the run's seed that jitter draws from (others: guest churn). */
#define JITTER_STREAM 1

void jitter_sched_init(struct jitter_sched *s, uint64_t seed, const struct jitter_params *p, unsigned int ncpus)
{
	memset(s, 0, sizeof(*s));
	rng_seed(&s->rng, seed, JITTER_STREAM);
	s->p = *p;
	s->ncpus = ncpus ? ncpus : 1;
}

void jitter_next(struct jitter_sched *s, struct jitter_event *ev)
{
	/* Gaps uniform in [0, 2/rate): on average @rate kicks a second. */
	uint64_t mean_us = s->p.rate ? 1000000 / s->p.rate : 1000000;

	s->now_us += rng_below(&s->rng, 2 * mean_us + 1);
	ev->at_us = s->now_us;
	ev->vcpu = rng_below(&s->rng, s->ncpus);
	ev->hold_us = 1 + rng_below(&s->rng, s->p.max_us ? s->p.max_us : 1);
}
