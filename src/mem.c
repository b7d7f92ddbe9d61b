// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "minivmm/layout.h"
#include "minivmm/log.h"
#include "minivmm/mem.h"

void mem_layout(struct guest_mem *mem, uint64_t size)
{
	uint64_t low = size < LAYOUT_LOWMEM_END ? size : LAYOUT_LOWMEM_END;

	mem->size = size;
	mem->nregions = 0;
	mem->region[mem->nregions++] = (struct mem_region){ .gpa = 0, .size = low };
	if (size > low)
		mem->region[mem->nregions++] =
			(struct mem_region){ .gpa = LAYOUT_HIGHMEM_START, .size = size - low };
}

int mem_alloc(struct guest_mem *mem, uint64_t size)
{
	uint64_t off = 0;
	void *p;

	mem_layout(mem, size);
	/* Lazily backed: the guest's untouched pages cost no host memory. */
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		pr_err("cannot map %llu MiB of guest RAM: %s; use a smaller --mem",
		       (unsigned long long)(size >> 20), strerror(errno));
		mem->base = NULL;
		return -ENOMEM;
	}
	/* Transparent huge pages cut EPT/NPT walks; a hint, failure is fine. */
	madvise(p, size, MADV_HUGEPAGE);
	mem->base = p;
	for (unsigned int i = 0; i < mem->nregions; i++) {
		mem->region[i].hva = mem->base + off;
		off += mem->region[i].size;
	}
	return 0;
}

void mem_free(struct guest_mem *mem)
{
	if (mem->base)
		munmap(mem->base, mem->size);
	mem->base = NULL;
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
