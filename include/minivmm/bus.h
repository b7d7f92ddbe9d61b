/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One small registration API for port I/O and MMIO: a device claims
 * [base, base+len) on a bus with a handler; overlapping claims are refused.
 * Lookups may run on every vCPU thread while a claim moves (BAR relocation).
 */
#ifndef MINIVMM_BUS_H
#define MINIVMM_BUS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "minivmm/stats.h"


/* @offset is relative to the claimed base; @data holds @len bytes. */
typedef void (*bus_handler_t)(void *opaque, uint64_t offset, void *data, unsigned int len,
			      bool is_write);

struct bus_range {
	uint64_t base, len;
	bus_handler_t handler;
	void *opaque;
	struct stat_counter *counter; /* may be NULL */
};

struct bus {
	const char *name;            /* "pio" or "mmio", for messages */
	pthread_rwlock_t lock;
	struct bus_range *ranges;    /* sorted by base, non-overlapping */
	unsigned int nranges, cap;
	bool lock_ready;
	atomic_ullong unclaimed;     /* accesses nobody claimed */
};

int bus_init(struct bus *bus, const char *name);
void bus_destroy(struct bus *bus);
/* -EEXIST when the range overlaps a claimed one, -EINVAL for len 0/overflow. */
int bus_register(struct bus *bus, uint64_t base, uint64_t len, bus_handler_t handler,
		 void *opaque, struct stat_counter *counter);
/* Drop the claim that starts at @base and belongs to @opaque; -ENOENT if none. */
int bus_unregister(struct bus *bus, uint64_t base, void *opaque);
/*
 * Dispatch one access. Returns false when nobody claimed @addr: reads then
 * see all-ones, writes are dropped (the caller fills the data).
 */
bool bus_access(struct bus *bus, uint64_t addr, void *data, unsigned int len, bool is_write);

#endif
