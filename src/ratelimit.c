// SPDX-License-Identifier: GPL-2.0-only
#include "minivmm/ratelimit.h"

bool ratelimit_allow(struct ratelimit *rl, long now_ms, unsigned long *suppressed)
{
	bool ok;

	pthread_mutex_lock(&rl->lock);
	if (!rl->window_start_ms || now_ms - rl->window_start_ms >= RATELIMIT_WINDOW_MS) {
		rl->window_start_ms = now_ms ? now_ms : 1;
		rl->printed = 0;
	}
	ok = rl->printed < RATELIMIT_BURST;
	if (ok) {
		rl->printed++;
		if (suppressed)
			*suppressed = rl->suppressed;
		rl->suppressed = 0;
	} else {
		rl->suppressed++;
	}
	pthread_mutex_unlock(&rl->lock);
	return ok;
}
