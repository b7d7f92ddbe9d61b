/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest RAM: one host mapping per guest-physical region (the arch decides
 * the regions: arch_ram_regions). Each mapping starts at a host address
 * congruent to its guest address modulo 1 GiB (regions of 1 GiB and more)
 * or 2 MiB, so KVM and the IOMMU can map it with large pages.
 */
#ifndef MINIVMM_MEM_H
#define MINIVMM_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mem_region {
	uint64_t gpa;
	uint64_t size;
	uint8_t *hva;                /* NULL until mapped */
};

#define MEM_MAX_REGIONS 2
/* hugetlbfs pages (--hugepages): the size every region is a multiple of. */
#define MEM_HUGE_PAGE (2ULL << 20)

struct guest_mem {
	uint64_t size;
	struct mem_region region[MEM_MAX_REGIONS];
	unsigned int nregions;
	bool hugetlb;                /* backed by hugetlbfs pages */
};

/* Pure: where @size bytes of RAM go (the arch's regions); nothing mapped. */
void mem_layout(struct guest_mem *mem, uint64_t size);
/* Pure: host alignment of a region of @size bytes (1 GiB or 2 MiB). */
uint64_t mem_host_align(uint64_t size);
/*
 * Lay out and map @size bytes; @hugetlb backs them with hugetlbfs pages
 * (reserved up front: fails with a message naming the fix when the host
 * has too few). Lazily backed otherwise.
 */
int mem_alloc(struct guest_mem *mem, uint64_t size, bool hugetlb);
void mem_free(struct guest_mem *mem);
/* Host pointer for [gpa, gpa+len) when it lies inside one region, else NULL. */
void *mem_gpa_to_hva(const struct guest_mem *mem, uint64_t gpa, uint64_t len);
/* End of the first region (RAM below the arch's 32-bit hole), exclusive. */
uint64_t mem_low_end(const struct guest_mem *mem);

#endif
