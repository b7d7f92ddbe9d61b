/* SPDX-License-Identifier: GPL-2.0-only */
/* Guest RAM: one anonymous mapping split around the 32-bit PCI hole. */
#ifndef MINIVMM_MEM_H
#define MINIVMM_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mem_region {
	uint64_t gpa;
	uint64_t size;
	uint8_t *hva;
};

#define MEM_MAX_REGIONS 2

struct guest_mem {
	uint8_t *base;               /* the whole mapping, NULL when unmapped */
	uint64_t size;
	struct mem_region region[MEM_MAX_REGIONS];
	unsigned int nregions;
};

/* Pure: where @size bytes of RAM go (below the hole, then above 4 GiB). */
void mem_layout(struct guest_mem *mem, uint64_t size);
int mem_alloc(struct guest_mem *mem, uint64_t size);
void mem_free(struct guest_mem *mem);
/* Host pointer for [gpa, gpa+len) when it lies inside one region, else NULL. */
void *mem_gpa_to_hva(const struct guest_mem *mem, uint64_t gpa, uint64_t len);
/* End of RAM below 4 GiB (exclusive). */
uint64_t mem_low_end(const struct guest_mem *mem);

#endif
