// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "minivmm/bus.h"
#include "minivmm/device.h"
#include "minivmm/log.h"
#include "minivmm/runstate.h"
#include "minivmm/status.h"

struct status_reg {
	struct device dev;
	struct runstate *run;
	struct stats *stats;
	struct bus *bus;
	uint64_t base;
	bool registered;
	struct stat_counter counter;
};

static void status_io(void *opaque, uint64_t offset, void *data, unsigned int len, bool is_write)
{
	struct status_reg *s = opaque;
	uint32_t v = 0;

	(void)offset;
	if (!is_write) {
		memset(data, 0, len);
		return;
	}
	memcpy(&v, data, len > sizeof(v) ? sizeof(v) : len);
	if (v > GUEST_STATUS_MAX) {
		pr_warn("guest reported status %u, above %d: reporting %d", v, GUEST_STATUS_MAX,
			GUEST_STATUS_MAX);
		v = GUEST_STATUS_MAX;
	}
	runstate_stop(s->run, v, "guest command exited with status %u", v);
}

static void status_destroy(struct device *dev)
{
	struct status_reg *s = (struct status_reg *)dev;

	if (s->registered)
		bus_unregister(s->bus, s->base, s);
	stats_remove(s->stats, &s->counter);
	free(s);
}

int status_reg_create(const struct devctx *ctx, struct bus *bus, uint64_t base, unsigned int len)
{
	struct status_reg *s = calloc(1, sizeof(*s));
	int ret;

	if (!s)
		return -ENOMEM;
	*s = (struct status_reg){
		.dev = { .name = "status", .destroy = status_destroy },
		.run = ctx->run, .stats = ctx->stats, .bus = bus, .base = base,
	};
	device_add(ctx, &s->dev);
	stats_add(ctx->stats, &s->counter, "status");
	ret = bus_register(bus, base, len, status_io, s, &s->counter);
	s->registered = !ret;
	return ret;
}
