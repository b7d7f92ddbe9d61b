// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests for src/mem.c: RAM layout around the 32-bit hole, gpa -> hva. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "minivmm/x86/layout.h"
#include "minivmm/mem.h"


/* Layout of @size with made-up host addresses (nothing is dereferenced). */
static void fake_mem(struct guest_mem *m, uint64_t size)
{
	memset(m, 0, sizeof(*m));
	mem_layout(m, size);
	/* Pretend the mapping is contiguous; use uintptr_t so no pointer overflows. */
	for (unsigned int i = 0; i < m->nregions; i++)
		m->region[i].hva = (uint8_t *)(uintptr_t)(0x100000000000ULL + (i ? m->region[0].size : 0));
}

static void test_layout_small_is_one_region(void **state)
{
	struct guest_mem m;

	(void)state;
	mem_layout(&m, 512 * MiB);
	assert_int_equal(m.size, 512 * MiB);
	assert_int_equal(m.nregions, 1);
	assert_int_equal(m.region[0].gpa, 0);
	assert_int_equal(m.region[0].size, 512 * MiB);
	assert_int_equal(mem_low_end(&m), 512 * MiB);
}

static void test_layout_exactly_3g_is_one_region(void **state)
{
	struct guest_mem m;

	(void)state;
	mem_layout(&m, LAYOUT_LOWMEM_END);
	assert_int_equal(m.nregions, 1);
	assert_int_equal(m.region[0].size, 3 * GiB);
	assert_int_equal(mem_low_end(&m), 3 * GiB);
}

static void test_layout_splits_above_3g(void **state)
{
	struct guest_mem m;

	(void)state;
	mem_layout(&m, 3 * GiB + 4096);
	assert_int_equal(m.nregions, 2);
	assert_int_equal(m.region[0].gpa, 0);
	assert_int_equal(m.region[0].size, LAYOUT_LOWMEM_END);
	assert_int_equal(m.region[1].gpa, LAYOUT_HIGHMEM_START);
	assert_int_equal(m.region[1].size, 4096);

	mem_layout(&m, 8 * GiB);
	assert_int_equal(m.nregions, 2);
	assert_int_equal(m.size, 8 * GiB);
	assert_int_equal(m.region[0].size, 3 * GiB);
	assert_int_equal(m.region[1].gpa, 4 * GiB);
	assert_int_equal(m.region[1].size, 5 * GiB);
	assert_int_equal(mem_low_end(&m), 3 * GiB);
	/* RAM ends below the 64-bit PCI window at the largest size. */
	mem_layout(&m, LAYOUT_RAM_MAX);
	assert_int_equal(m.region[1].gpa + m.region[1].size, LAYOUT_PCI_MMIO64_START);
}

static void test_layout_relayout_resets_regions(void **state)
{
	struct guest_mem m;

	(void)state;
	mem_layout(&m, 8 * GiB);
	mem_layout(&m, 64 * MiB);
	assert_int_equal(m.nregions, 1);
	assert_int_equal(m.region[0].size, 64 * MiB);
}

static void test_gpa_inside_regions(void **state)
{
	struct guest_mem m;
	uint8_t *lo, *hi;

	(void)state;
	fake_mem(&m, 8 * GiB);
	lo = m.region[0].hva;
	hi = m.region[1].hva;
	assert_ptr_equal(mem_gpa_to_hva(&m, 0, 1), lo);
	assert_ptr_equal(mem_gpa_to_hva(&m, 0x7000, 4096), lo + 0x7000);
	assert_ptr_equal(mem_gpa_to_hva(&m, 3 * GiB - 8, 8), lo + 3 * GiB - 8);
	assert_ptr_equal(mem_gpa_to_hva(&m, 3 * GiB - 1, 1), lo + 3 * GiB - 1);
	assert_ptr_equal(mem_gpa_to_hva(&m, 4 * GiB, 8), hi);
	assert_ptr_equal(mem_gpa_to_hva(&m, 5 * GiB + 12, 100), hi + GiB + 12);
	assert_ptr_equal(mem_gpa_to_hva(&m, 9 * GiB - 4096, 4096), hi + 5 * GiB - 4096);
	/* The whole of each region at once. */
	assert_ptr_equal(mem_gpa_to_hva(&m, 0, 3 * GiB), lo);
	assert_ptr_equal(mem_gpa_to_hva(&m, 4 * GiB, 5 * GiB), hi);
}

static void test_gpa_crossing_region_end(void **state)
{
	struct guest_mem m;

	(void)state;
	fake_mem(&m, 8 * GiB);
	assert_null(mem_gpa_to_hva(&m, 3 * GiB - 4, 8));
	assert_null(mem_gpa_to_hva(&m, 3 * GiB - 1, 2));
	assert_null(mem_gpa_to_hva(&m, 0, 3 * GiB + 1));
	assert_null(mem_gpa_to_hva(&m, 9 * GiB - 4, 5));
	assert_null(mem_gpa_to_hva(&m, 4 * GiB, 5 * GiB + 1));
	/* Spanning the hole from low to high RAM is not one region. */
	assert_null(mem_gpa_to_hva(&m, 3 * GiB - 4096, 1 * GiB + 8192));

	fake_mem(&m, 512 * MiB);
	assert_null(mem_gpa_to_hva(&m, 512 * MiB - 4096, 4097));
	assert_non_null(mem_gpa_to_hva(&m, 512 * MiB - 4096, 4096));
}

static void test_gpa_in_hole_or_beyond(void **state)
{
	struct guest_mem m;

	(void)state;
	fake_mem(&m, 8 * GiB);
	assert_null(mem_gpa_to_hva(&m, 3 * GiB, 1));
	assert_null(mem_gpa_to_hva(&m, LAYOUT_PCI_ECAM_START, 4));
	assert_null(mem_gpa_to_hva(&m, LAYOUT_LAPIC_START, 4));
	assert_null(mem_gpa_to_hva(&m, 4 * GiB - 1, 1));
	assert_null(mem_gpa_to_hva(&m, 9 * GiB, 1));
	assert_null(mem_gpa_to_hva(&m, LAYOUT_PCI_MMIO64_START, 1));
	assert_null(mem_gpa_to_hva(&m, UINT64_MAX, 1));

	/* Small guest: nothing above its RAM, not even at 4 GiB. */
	fake_mem(&m, 512 * MiB);
	assert_null(mem_gpa_to_hva(&m, 512 * MiB, 1));
	assert_null(mem_gpa_to_hva(&m, 4 * GiB, 1));
}

static void test_gpa_len_overflow(void **state)
{
	struct guest_mem m;

	(void)state;
	fake_mem(&m, 8 * GiB);
	/* gpa + len wraps around to a small number inside low RAM. */
	assert_null(mem_gpa_to_hva(&m, 4096, UINT64_MAX));
	assert_null(mem_gpa_to_hva(&m, 4096, UINT64_MAX - 4096 + 2));
	assert_null(mem_gpa_to_hva(&m, 5 * GiB, UINT64_MAX - 5 * GiB + 16));
	assert_null(mem_gpa_to_hva(&m, UINT64_MAX - 1, 4));
	assert_null(mem_gpa_to_hva(&m, 0, UINT64_MAX));
}

static void test_gpa_unmapped_is_null(void **state)
{
	struct guest_mem m;

	(void)state;
	memset(&m, 0, sizeof(m));
	mem_layout(&m, 512 * MiB); /* layout only: no host memory yet */
	assert_null(mem_gpa_to_hva(&m, 0x1000, 8));
}

static void test_alloc_backs_both_regions(void **state)
{
	struct guest_mem m;
	uint8_t *lo, *hi;

	(void)state;
	/* MAP_NORESERVE: 3 GiB + 8 MiB of address space, a few pages touched. */
	if (mem_alloc(&m, 3 * GiB + 8 * MiB, false))
		skip();
	assert_non_null(m.region[0].hva);
	assert_non_null(m.region[1].hva);
	/* Large-page friendly: 1 GiB aligned for the 3 GiB region, 2 MiB for 8 MiB. */
	assert_int_equal((uintptr_t)m.region[0].hva % GiB, 0);
	assert_int_equal((uintptr_t)m.region[1].hva % (2 * MiB), 0);
	lo = mem_gpa_to_hva(&m, 3 * GiB - 1, 1);
	hi = mem_gpa_to_hva(&m, 4 * GiB, 1);
	assert_non_null(lo);
	assert_non_null(hi);
	*lo = 0x11;
	*hi = 0x22;
	assert_int_equal(m.region[0].hva[3 * GiB - 1], 0x11);
	assert_int_equal(m.region[1].hva[0], 0x22);
	mem_free(&m);
	assert_null(m.region[0].hva);
	assert_null(m.region[1].hva);
	mem_free(&m); /* idempotent */
}

static void test_host_align(void **state)
{
	(void)state;
	assert_int_equal(mem_host_align(4096), 2 * MiB);
	assert_int_equal(mem_host_align(GiB - 1), 2 * MiB);
	assert_int_equal(mem_host_align(GiB), GiB);
	assert_int_equal(mem_host_align(3 * GiB), GiB);
}

static void test_hugetlb_needs_whole_pages(void **state)
{
	struct guest_mem m;

	(void)state;
	assert_int_equal(mem_alloc(&m, 64 * MiB + 4096, true), -EINVAL);
	assert_null(m.region[0].hva);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_small_is_one_region),
		cmocka_unit_test(test_layout_exactly_3g_is_one_region),
		cmocka_unit_test(test_layout_splits_above_3g),
		cmocka_unit_test(test_layout_relayout_resets_regions),
		cmocka_unit_test(test_gpa_inside_regions),
		cmocka_unit_test(test_gpa_crossing_region_end),
		cmocka_unit_test(test_gpa_in_hole_or_beyond),
		cmocka_unit_test(test_gpa_len_overflow),
		cmocka_unit_test(test_gpa_unmapped_is_null),
		cmocka_unit_test(test_alloc_backs_both_regions),
		cmocka_unit_test(test_host_align),
		cmocka_unit_test(test_hugetlb_needs_whole_pages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
