/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * File descriptors the VM's main loop watches for devices and the control
 * socket (an eventfd minivmm relays, a client connection): each with a
 * callback run on the main thread when it is readable. Main thread only.
 */
#ifndef MINIVMM_LOOP_H
#define MINIVMM_LOOP_H

#include <poll.h>

#define LOOP_MAX_WATCHES 256

typedef void (*loop_cb_t)(void *opaque, int fd, short revents);

struct loop_watch {
	int fd;
	short events;
	loop_cb_t cb;
	void *opaque;
};

struct loop {
	struct loop_watch w[LOOP_MAX_WATCHES];
	unsigned int n;
};

/* Watch @fd for @events (POLLIN, ...); -ENOSPC when full, -EEXIST when watched. */
int loop_watch(struct loop *l, int fd, short events, loop_cb_t cb, void *opaque);
/* Stop watching @fd (nothing if it was not). */
void loop_unwatch(struct loop *l, int fd);
/* The watches as pollfds from @out[0]; returns how many (at most @max). */
unsigned int loop_pollfds(const struct loop *l, struct pollfd *out, unsigned int max);
/* Run the callbacks of the @n pollfds loop_pollfds gave that have events. */
void loop_dispatch(struct loop *l, const struct pollfd *pfd, unsigned int n);

#endif
