/* SPDX-License-Identifier: GPL-2.0-only */
/* Test fixture: guest RAM of @size bytes in one malloc'd buffer. */
#ifndef MINIVMM_TEST_SMALL_MEM_H
#define MINIVMM_TEST_SMALL_MEM_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "minivmm/mem.h"

struct small_mem {
	struct guest_mem mem;
	uint8_t *buf;
};

/* Every byte starts as @fill (0 like fresh guest RAM, or a marker). */
static inline void small_mem_init_fill(struct small_mem *m, uint64_t size, uint8_t fill)
{
	memset(&m->mem, 0, sizeof(m->mem));
	mem_layout(&m->mem, size);
	m->buf = malloc(size);
	assert_non_null(m->buf);
	memset(m->buf, fill, size);
	m->mem.region[0].hva = m->buf;
}

static inline void small_mem_init(struct small_mem *m, uint64_t size)
{
	small_mem_init_fill(m, size, 0);
}

#endif
