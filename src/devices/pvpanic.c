// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "minivmm/bus.h"
#include "minivmm/device.h"
#include "minivmm/pvpanic.h"
#include "minivmm/runstate.h"

struct pvpanic {
	struct device dev;
	struct runstate *run;
	struct stats *stats;
	struct bus *bus;
	uint64_t base;
	bool registered;
	struct stat_counter counter;
};

static void pvpanic_io(void *opaque, uint64_t offset, void *data, unsigned int len, bool is_write)
{
	struct pvpanic *p = opaque;
	uint8_t v = *(uint8_t *)data;

	(void)offset;
	if (!is_write) {
		/* Only "panicked": a crash kernel (kdump) would be stopped anyway. */
		memset(data, 0, len);
		*(uint8_t *)data = PVPANIC_PANICKED;
		return;
	}
	if (v & PVPANIC_PANICKED)
		runstate_panicked(p->run, "guest kernel panic (reported through pvpanic)");
}

static void pvpanic_destroy(struct device *dev)
{
	struct pvpanic *p = (struct pvpanic *)dev;

	if (p->registered)
		bus_unregister(p->bus, p->base, p);
	stats_remove(p->stats, &p->counter);
	free(p);
}

int pvpanic_create(const struct devctx *ctx, struct bus *bus, uint64_t base)
{
	struct pvpanic *p = calloc(1, sizeof(*p));
	int ret;

	if (!p)
		return -ENOMEM;
	*p = (struct pvpanic){
		.dev = { .name = "pvpanic", .destroy = pvpanic_destroy },
		.run = ctx->run, .stats = ctx->stats, .bus = bus, .base = base,
	};
	device_add(ctx, &p->dev);
	stats_add(ctx->stats, &p->counter, "pvpanic");
	ret = bus_register(bus, base, 1, pvpanic_io, p, &p->counter);
	p->registered = !ret;
	return ret;
}
