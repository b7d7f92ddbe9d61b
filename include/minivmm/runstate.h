/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * How the VM stops: the first stop request decides the exit status and
 * its message, from any thread (a vCPU, a device, the main loop). A guest
 * panic starts a grace period for its last words. The main loop waits on
 * @stop_fd to hear of either.
 */
#ifndef MINIVMM_RUNSTATE_H
#define MINIVMM_RUNSTATE_H

#include <stdatomic.h>
#include <stdbool.h>

#define RUNSTATE_MSG_MAX 512 /* room for a KVM failure with its fix */

struct runstate {
	int stop_fd;                 /* eventfd, -1 until created */
	atomic_bool stopping;
	int exit_status;
	char exit_msg[RUNSTATE_MSG_MAX];
	atomic_bool panic_claimed;   /* the first panic report writes panic_msg */
	atomic_bool panic_seen;      /* ... and then sets this */
	long panic_at_ms;            /* CLOCK_MONOTONIC of that report */
	char panic_msg[RUNSTATE_MSG_MAX];
};

int runstate_init(struct runstate *rs);
void runstate_destroy(struct runstate *rs);
/* Stop with @status; the first call wins. @fmt says why. */
void runstate_stop(struct runstate *rs, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The guest kernel panicked (console or pvpanic): the first report's @msg is kept. */
void runstate_panicked(struct runstate *rs, const char *msg);
/* The guest asked for a reset: a clean reboot, or the tail of a panic. */
void runstate_reset(struct runstate *rs, const char *how);
static inline bool runstate_stopping(struct runstate *rs)
{
	return atomic_load(&rs->stopping);
}
/* CLOCK_MONOTONIC in milliseconds. */
long now_ms(void);

#endif
