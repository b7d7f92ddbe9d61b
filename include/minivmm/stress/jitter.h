/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vCPU jitter: at random moments a vCPU thread is kicked out of KVM_RUN
 * and held (asleep, or spinning on its host CPU) for a random time, as a
 * preempted host CPU would hold it. The schedule of (when, which vCPU,
 * how long) comes from the run's seed alone (pure, jitter_next), so the
 * same seed replays the same decisions; jitter_start runs it against the
 * vCPUs.
 */
#ifndef MINIVMM_STRESS_JITTER_H
#define MINIVMM_STRESS_JITTER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "minivmm/stress/rng.h"

#define JITTER_FIRST 20              /* decisions kept for the report */

struct jitter_params {
	unsigned int rate;           /* kicks per second; 0: off */
	unsigned int max_us;         /* holds are 1..max_us */
	bool spin;                   /* hold by spinning, not sleeping */
};

struct jitter_event {
	uint64_t at_us;              /* since the vCPUs started */
	unsigned int vcpu;
	unsigned int hold_us;
};

struct jitter_sched {
	struct rng rng;
	struct jitter_params p;
	unsigned int ncpus;
	uint64_t now_us;
};

/* Pure: the schedule of @seed for @ncpus vCPUs. */
void jitter_sched_init(struct jitter_sched *s, uint64_t seed, const struct jitter_params *p, unsigned int ncpus);
void jitter_next(struct jitter_sched *s, struct jitter_event *ev);

struct vcpu;

/* The running stressor: a thread that follows the schedule. */
struct jitter {
	struct jitter_sched sched;
	struct vcpu *vcpus;
	pthread_t thread;
	bool started;
	int stop_fd;                 /* eventfd: wakes the thread to stop */
	uint64_t events, held_us;    /* kicks done, hold time asked for */
	struct jitter_event first[JITTER_FIRST];
	unsigned int nfirst;
};

/* Start kicking @vcpus (running) as the schedule of @seed says. */
int jitter_start(struct jitter *j, uint64_t seed, const struct jitter_params *p, struct vcpu *vcpus,
		 unsigned int ncpus);
/* Stop the thread; the counts stay for the report. Idempotent. */
void jitter_stop(struct jitter *j);
/* `"jitter": {...}` for --stats. */
void jitter_print_stats(const struct jitter *j, FILE *f);

#endif
