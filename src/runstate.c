// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "minivmm/config.h"
#include "minivmm/log.h"
#include "minivmm/runstate.h"

long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int runstate_init(struct runstate *rs)
{
	memset(rs, 0, sizeof(*rs));
	rs->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return rs->stop_fd < 0 ? -errno : 0;
}

void runstate_destroy(struct runstate *rs)
{
	if (rs->stop_fd >= 0)
		close(rs->stop_fd);
	rs->stop_fd = -1;
}

static void runstate_wake(struct runstate *rs)
{
	uint64_t one = 1;

	if (rs->stop_fd >= 0 && write(rs->stop_fd, &one, sizeof(one)) < 0)
		pr_warn("cannot wake the main loop: %s", strerror(errno));
}

void runstate_stop(struct runstate *rs, int status, const char *fmt, ...)
{
	va_list ap;

	if (atomic_exchange(&rs->stopping, true))
		return;
	rs->exit_status = status;
	va_start(ap, fmt);
	vsnprintf(rs->exit_msg, sizeof(rs->exit_msg), fmt, ap);
	va_end(ap);
	runstate_wake(rs);
}

void runstate_panicked(struct runstate *rs, const char *msg)
{
	if (atomic_exchange(&rs->panic_claimed, true))
		return;
	snprintf(rs->panic_msg, sizeof(rs->panic_msg), "%s", msg);
	rs->panic_at_ms = now_ms();
	atomic_store(&rs->panic_seen, true);
	/* The main loop times the grace period for the guest's last words. */
	runstate_wake(rs);
}

void runstate_reset(struct runstate *rs, const char *how)
{
	if (atomic_load(&rs->panic_seen))
		runstate_stop(rs, EXIT_GUEST_CRASH, "%s", rs->panic_msg);
	else
		runstate_stop(rs, EXIT_GUEST_OK, "guest rebooted (%s)", how);
}
