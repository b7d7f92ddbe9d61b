/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Rate limits for messages a guest can trigger at will (a BAR moved onto
 * another, vectors the host would not grant): the log stays bounded
 * whatever the guest does. Owned by the object that logs; thread-safe.
 */
#ifndef MINIVMM_RATELIMIT_H
#define MINIVMM_RATELIMIT_H

#include <pthread.h>
#include <stdbool.h>

#define RATELIMIT_BURST 5            /* messages per window */
#define RATELIMIT_WINDOW_MS 10000

struct ratelimit {
	pthread_mutex_t lock;
	long window_start_ms;
	unsigned int printed;        /* in this window */
	unsigned long suppressed;    /* since the last message that said so */
};

#define RATELIMIT_INIT { .lock = PTHREAD_MUTEX_INITIALIZER }

/*
 * May a message be printed at @now_ms? When a window opens after some were
 * suppressed, *@suppressed (if given) says how many, for the message to tell.
 */
bool ratelimit_allow(struct ratelimit *rl, long now_ms, unsigned long *suppressed);

#endif
