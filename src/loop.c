// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "minivmm/loop.h"

int loop_watch(struct loop *l, int fd, short events, loop_cb_t cb, void *opaque)
{
	for (unsigned int i = 0; i < l->n; i++)
		if (l->w[i].fd == fd)
			return -EEXIST;
	if (l->n == LOOP_MAX_WATCHES)
		return -ENOSPC;
	l->w[l->n++] = (struct loop_watch){ .fd = fd, .events = events, .cb = cb, .opaque = opaque };
	return 0;
}

void loop_unwatch(struct loop *l, int fd)
{
	for (unsigned int i = 0; i < l->n; i++) {
		if (l->w[i].fd == fd) {
			l->w[i] = l->w[--l->n];
			return;
		}
	}
}

unsigned int loop_pollfds(const struct loop *l, struct pollfd *out, unsigned int max)
{
	unsigned int n = l->n < max ? l->n : max;

	for (unsigned int i = 0; i < n; i++)
		out[i] = (struct pollfd){ .fd = l->w[i].fd, .events = l->w[i].events };
	return n;
}

void loop_dispatch(struct loop *l, const struct pollfd *pfd, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		struct loop_watch w;
		bool found = false;

		if (!pfd[i].revents)
			continue;
		/* A callback may have unwatched this fd, or another: look it up again. */
		for (unsigned int j = 0; j < l->n; j++) {
			if (l->w[j].fd == pfd[i].fd) {
				w = l->w[j];
				found = true;
				break;
			}
		}
		if (found)
			w.cb(w.opaque, w.fd, pfd[i].revents);
	}
}
