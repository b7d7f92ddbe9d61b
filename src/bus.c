// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "minivmm/bus.h"

int bus_init(struct bus *bus, const char *name)
{
	memset(bus, 0, sizeof(*bus));
	bus->name = name;
	if (pthread_rwlock_init(&bus->lock, NULL))
		return -ENOMEM;
	bus->lock_ready = true;
	return 0;
}

void bus_destroy(struct bus *bus)
{
	free(bus->ranges);
	bus->ranges = NULL;
	bus->nranges = bus->cap = 0;
	if (bus->lock_ready)
		pthread_rwlock_destroy(&bus->lock);
	bus->lock_ready = false;
}

/* Index of the first range whose end is above @addr. Caller holds the lock. */
static unsigned int bus_find(const struct bus *bus, uint64_t addr)
{
	unsigned int lo = 0, hi = bus->nranges;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		const struct bus_range *r = &bus->ranges[mid];

		if (r->base + r->len <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int bus_register(struct bus *bus, uint64_t base, uint64_t len, bus_handler_t handler,
		 void *opaque, struct stat_counter *counter)
{
	unsigned int i;
	int ret = 0;

	if (!len || base + len < base || !handler)
		return -EINVAL;
	pthread_rwlock_wrlock(&bus->lock);
	i = bus_find(bus, base);
	if (i < bus->nranges && bus->ranges[i].base < base + len) {
		ret = -EEXIST;
		goto out_unlock;
	}
	if (bus->nranges == bus->cap) {
		unsigned int cap = bus->cap ? bus->cap * 2 : 16;
		struct bus_range *r = realloc(bus->ranges, cap * sizeof(*r));

		if (!r) {
			ret = -ENOMEM;
			goto out_unlock;
		}
		bus->ranges = r;
		bus->cap = cap;
	}
	memmove(&bus->ranges[i + 1], &bus->ranges[i], (bus->nranges - i) * sizeof(*bus->ranges));
	bus->ranges[i] = (struct bus_range){ base, len, handler, opaque, counter };
	bus->nranges++;
out_unlock:
	pthread_rwlock_unlock(&bus->lock);
	return ret;
}

int bus_unregister(struct bus *bus, uint64_t base, void *opaque)
{
	unsigned int i;
	int ret = -ENOENT;

	pthread_rwlock_wrlock(&bus->lock);
	i = bus_find(bus, base);
	if (i < bus->nranges && bus->ranges[i].base == base && bus->ranges[i].opaque == opaque) {
		memmove(&bus->ranges[i], &bus->ranges[i + 1],
			(bus->nranges - i - 1) * sizeof(*bus->ranges));
		bus->nranges--;
		ret = 0;
	}
	pthread_rwlock_unlock(&bus->lock);
	return ret;
}

bool bus_access(struct bus *bus, uint64_t addr, void *data, unsigned int len, bool is_write)
{
	struct bus_range r;
	unsigned int i;
	bool found = false;

	pthread_rwlock_rdlock(&bus->lock);
	i = bus_find(bus, addr);
	if (i < bus->nranges && bus->ranges[i].base <= addr) {
		r = bus->ranges[i];
		found = true;
	}
	pthread_rwlock_unlock(&bus->lock);

	/*
	 * The handler runs unlocked so that it may move claims itself (a BAR
	 * write relocating the BAR). Devices outlive their claims, so a claim
	 * dropped meanwhile still points at a live device.
	 */
	if (!found) {
		atomic_fetch_add_explicit(&bus->unclaimed, 1, memory_order_relaxed);
		if (!is_write)
			memset(data, 0xff, len);
		return false;
	}
	if (r.counter)
		atomic_fetch_add_explicit(&r.counter->count, 1, memory_order_relaxed);
	r.handler(r.opaque, addr - r.base, data, len, is_write);
	return true;
}
