// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "minivmm/arch.h"
#include "minivmm/log.h"
#include "minivmm/mem.h"
#include "minivmm/units.h"

void mem_layout(struct guest_mem *mem, uint64_t size)
{
	mem->size = size;
	mem->hugetlb = false;
	memset(mem->region, 0, sizeof(mem->region));
	mem->nregions = arch_ram_regions(size, mem->region, MEM_MAX_REGIONS);
}

uint64_t mem_host_align(uint64_t size)
{
	return size >= GiB ? GiB : 2 * MiB;
}

/*
 * Map @size bytes of RAM at a host address aligned to @align: reserve
 * size + align of address space (PROT_NONE, no memory behind it), keep the
 * aligned part, give back head and tail, then map the RAM over it. A
 * hugetlb mapping so takes exactly size / MEM_HUGE_PAGE pages of the pool,
 * not the slack that only served the alignment. errno is mmap's on failure.
 */
static void *map_aligned(uint64_t size, uint64_t align, bool hugetlb)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | (hugetlb ? MAP_HUGETLB : MAP_NORESERVE);
	uint8_t *p, *a;

	if (hugetlb) /* a hugetlb mapping starts on a huge page */
		align = align > MEM_HUGE_PAGE ? align : MEM_HUGE_PAGE;
	p = mmap(NULL, size + align, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	a = (uint8_t *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
	if (a > p)
		munmap(p, a - p);
	if (p + size + align > a + size)
		munmap(a + size, (p + size + align) - (a + size));
	if (mmap(a, size, PROT_READ | PROT_WRITE, flags, -1, 0) == MAP_FAILED) {
		int err = errno;

		munmap(a, size);
		errno = err;
		return NULL;
	}
	return a;
}

int mem_alloc(struct guest_mem *mem, uint64_t size, bool hugetlb)
{
	mem_layout(mem, size);
	if (hugetlb && (size % MEM_HUGE_PAGE))
		return -EINVAL; /* config_parse says so to the user */
	mem->hugetlb = hugetlb;
	for (unsigned int i = 0; i < mem->nregions; i++) {
		struct mem_region *r = &mem->region[i];
		void *p = map_aligned(r->size, mem_host_align(r->size), hugetlb);

		if (!p) {
			int err = errno;

			if (hugetlb)
				pr_err("cannot back %llu MiB of guest RAM with 2 MiB huge pages (%s): reserve them first, e.g. echo %llu > /proc/sys/vm/nr_hugepages, or drop --hugepages",
				       (unsigned long long)(size >> 20), strerror(err),
				       (unsigned long long)(size / MEM_HUGE_PAGE));
			else
				pr_err("cannot map %llu MiB of guest RAM: %s; use a smaller --mem",
				       (unsigned long long)(size >> 20), strerror(err));
			mem_free(mem);
			return -ENOMEM;
		}
		r->hva = p;
		/* Transparent huge pages cut EPT/NPT walks; a hint, failure is fine. */
		if (!hugetlb)
			madvise(p, r->size, MADV_HUGEPAGE);
	}
	return 0;
}

void mem_free(struct guest_mem *mem)
{
	for (unsigned int i = 0; i < mem->nregions; i++) {
		if (mem->region[i].hva)
			munmap(mem->region[i].hva, mem->region[i].size);
		mem->region[i].hva = NULL;
	}
}

void *mem_gpa_to_hva(const struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
	for (unsigned int i = 0; i < mem->nregions; i++) {
		const struct mem_region *r = &mem->region[i];

		/* Written so that no sum can overflow. */
		if (gpa >= r->gpa && gpa - r->gpa <= r->size && len <= r->size - (gpa - r->gpa))
			return r->hva ? r->hva + (gpa - r->gpa) : NULL;
	}
	return NULL;
}

uint64_t mem_low_end(const struct guest_mem *mem)
{
	return mem->region[0].size;
}
