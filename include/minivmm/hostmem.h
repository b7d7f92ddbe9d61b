/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host's memory against the guest RAM asked for (--mem): more than
 * the host has (RAM + swap) is refused, and with assigned devices, whose
 * DMA pins every guest page, more than it has available (MemAvailable).
 */
#ifndef MINIVMM_HOSTMEM_H
#define MINIVMM_HOSTMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct host_meminfo {
	uint64_t total, available, swap; /* bytes: MemTotal, MemAvailable, SwapTotal */
};

/* Pure: the fields of a /proc/meminfo text; -EINVAL without MemTotal and MemAvailable. */
int hostmem_parse(const char *text, struct host_meminfo *mi);
/*
 * Pure: 0 if @mem bytes of guest RAM (@pinned: all of it locked for DMA)
 * fit @mi, else -ENOMEM with one line naming the problem and the fix in @err.
 */
int hostmem_verdict(uint64_t mem, bool pinned, const struct host_meminfo *mi, char *err, size_t errlen);
/* hostmem_verdict() against /proc/meminfo; 0 when /proc does not tell. */
int hostmem_check(uint64_t mem, bool pinned, char *err, size_t errlen);

#endif
