/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Selective access trace of assigned functions (--trace): only the pages
 * of the traced ranges trap, every guest access there is written to the
 * trace file as one line:
 *
 *   SECONDS VCPU BDF REGION OFFSET WIDTH R|W VALUE
 *   e.g. "12.345678 1 0000:00:01.0 bar0 0x0008 4 R 0x80080783"
 *
 * SECONDS since the vCPUs started (microseconds), VCPU the vCPU that made
 * the access (- when none did), REGION bar0..bar5 or config, OFFSET in
 * the region, WIDTH in bytes, VALUE what was read or written.
 */
#ifndef MINIVMM_TRACE_H
#define MINIVMM_TRACE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "minivmm/pci_bdf.h"

#define TRACE_CONFIG 6               /* region number of config space (BARs are 0-5) */
#define TRACE_MAX_RANGES 16

struct trace_spec {
	struct pci_bdf bdf;
	unsigned int region;         /* 0-5: BAR, TRACE_CONFIG */
	uint64_t off, len;           /* len 0: to the region's end */
};

/*
 * Pure: "BDF:REGION[:OFFSET[+LEN]]", REGION bar0..bar5 or config, numbers
 * decimal or 0x-hex. -EINVAL with a message naming the fix in @err.
 */
int trace_spec_parse(const char *s, struct trace_spec *out, char *err, size_t errlen);
/* Pure: does the access [off, off+len) of @region touch @sp? */
bool trace_spec_hits(const struct trace_spec *sp, unsigned int region, uint64_t off, unsigned int len);
const char *trace_region_name(unsigned int region);

struct trace_log {
	pthread_mutex_t lock;
	FILE *f;                     /* NULL: not tracing */
	long long t0_us;
	uint64_t lines;
};

int trace_log_open(struct trace_log *t, const char *path);
void trace_log_close(struct trace_log *t);
void trace_log_start(struct trace_log *t);
void trace_log_access(struct trace_log *t, const char *dev, unsigned int region, uint64_t off, unsigned int width,
		      uint64_t value, bool is_write);

#endif
