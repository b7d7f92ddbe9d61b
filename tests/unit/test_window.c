// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for pci_window_init()/pci_window_alloc() (src/pci/pci.c): the
 * bump allocator BARs are carved from. Every block is naturally aligned
 * (to max(size, min_align)), blocks never overlap, stay inside the window,
 * and no arithmetic wraps near the top of the 64-bit address space.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "minivmm/x86/layout.h"
#include "minivmm/pci.h"


#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define POISON 0xdeadbeefcafef00dULL

static void test_init_fields(void **state)
{
	struct pci_window w;

	(void)state;
	pci_window_init(&w, LAYOUT_PCI_MMIO32_START, LAYOUT_PCI_MMIO32_SIZE);
	assert_int_equal(w.base, LAYOUT_PCI_MMIO32_START);
	assert_int_equal(w.size, LAYOUT_PCI_MMIO32_SIZE);
	assert_int_equal(w.next, LAYOUT_PCI_MMIO32_START);
}

static void test_natural_alignment(void **state)
{
	struct pci_window w;
	uint64_t a;

	(void)state;
	pci_window_init(&w, LAYOUT_PCI_MMIO32_START, LAYOUT_PCI_MMIO32_SIZE);
	assert_int_equal(pci_window_alloc(&w, 0x1000, 0, &a), 0);
	assert_int_equal(a, LAYOUT_PCI_MMIO32_START);
	/* 1 MiB block: skips to the next 1 MiB boundary. */
	assert_int_equal(pci_window_alloc(&w, 0x100000, 0, &a), 0);
	assert_int_equal(a, LAYOUT_PCI_MMIO32_START + 0x100000);
	/* A small one goes right after it. */
	assert_int_equal(pci_window_alloc(&w, 0x10, 0, &a), 0);
	assert_int_equal(a, LAYOUT_PCI_MMIO32_START + 0x200000);
	assert_int_equal(pci_window_alloc(&w, 0x20, 0, &a), 0);
	assert_int_equal(a, LAYOUT_PCI_MMIO32_START + 0x200020);
	/* 16 MiB: next 16 MiB boundary. */
	assert_int_equal(pci_window_alloc(&w, 16 * MiB, 0, &a), 0);
	assert_int_equal(a, LAYOUT_PCI_MMIO32_START + 16 * MiB);
	assert_int_equal(a % (16 * MiB), 0);
}

static void test_unaligned_window_base(void **state)
{
	struct pci_window w;
	uint64_t a;

	(void)state;
	/* The window itself need not be aligned: blocks still are. */
	pci_window_init(&w, 0x1234, 0x100000);
	assert_int_equal(pci_window_alloc(&w, 0x10000, 0, &a), 0);
	assert_int_equal(a, 0x10000);
	assert_int_equal(pci_window_alloc(&w, 0x4, 0, &a), 0);
	assert_int_equal(a, 0x20000);
}

static void test_min_align(void **state)
{
	struct pci_window w;
	uint64_t a;

	(void)state;
	pci_window_init(&w, 0x10000, 0x10000);
	assert_int_equal(pci_window_alloc(&w, 0x10, 0, &a), 0);
	assert_int_equal(a, 0x10000);
	/* Small BAR forced onto its own page. */
	assert_int_equal(pci_window_alloc(&w, 0x10, 0x1000, &a), 0);
	assert_int_equal(a, 0x11000);
	/* Without min_align the next one packs right after. */
	assert_int_equal(pci_window_alloc(&w, 0x10, 0, &a), 0);
	assert_int_equal(a, 0x11010);
	/* min_align smaller than the size: the size wins. */
	assert_int_equal(pci_window_alloc(&w, 0x800, 0x10, &a), 0);
	assert_int_equal(a, 0x11800);
	/* min_align must be a power of two too. */
	a = POISON;
	assert_int_equal(pci_window_alloc(&w, 0x10, 0x3000, &a), -EINVAL);
	assert_int_equal(a, POISON);
	assert_int_equal(w.next, 0x12000);
}

static void test_sequential_no_overlap(void **state)
{
	static const uint64_t sizes[] = { 0x100, 0x4000, 0x10, 0x100000, 0x1000, 0x80, 0x200000, 0x8,
					  0x1000, 0x40000, 0x20, 0x800000, 0x4,  0x2000 };
	const uint64_t mins[] = { 0, 0x1000 };
	uint64_t start[ARRAY_SIZE(sizes)], base = LAYOUT_PCI_MMIO32_START, size = 64 * MiB;

	(void)state;
	for (unsigned int m = 0; m < ARRAY_SIZE(mins); m++) {
		struct pci_window w;

		pci_window_init(&w, base, size);
		for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
			uint64_t align = sizes[i] > mins[m] ? sizes[i] : mins[m];

			assert_int_equal(pci_window_alloc(&w, sizes[i], mins[m], &start[i]), 0);
			assert_int_equal(start[i] % align, 0);
			assert_true(start[i] >= base);
			assert_true(start[i] + sizes[i] <= base + size);
			for (unsigned int j = 0; j < i; j++) {
				uint64_t ej = start[j] + (sizes[j] > mins[m] ? sizes[j] : mins[m]);

				/* Disjoint, including the min_align padding of earlier blocks. */
				assert_true(start[i] >= ej || start[i] + sizes[i] <= start[j]);
			}
		}
	}
}

static void test_exact_fit_then_full(void **state)
{
	struct pci_window w;
	uint64_t a;

	(void)state;
	pci_window_init(&w, 0x4000, 0x4000);
	assert_int_equal(pci_window_alloc(&w, 0x4000, 0, &a), 0);
	assert_int_equal(a, 0x4000);
	a = POISON;
	assert_int_equal(pci_window_alloc(&w, 1, 0, &a), -ENOSPC);
	assert_int_equal(a, POISON);

	/* Fill the window with two halves: both fit, then nothing does. */
	pci_window_init(&w, 0x4000, 0x4000);
	assert_int_equal(pci_window_alloc(&w, 0x2000, 0, &a), 0);
	assert_int_equal(pci_window_alloc(&w, 0x2000, 0, &a), 0);
	assert_int_equal(a, 0x6000);
	assert_int_equal(pci_window_alloc(&w, 4, 0, &a), -ENOSPC);
}

static void test_enospc_does_not_consume(void **state)
{
	struct pci_window w;
	uint64_t a;

	(void)state;
	pci_window_init(&w, 0, 0x3000);
	assert_int_equal(pci_window_alloc(&w, 0x1000, 0, &a), 0);
	assert_int_equal(a, 0);
	/* 0x2000 would need 0x2000-0x3fff: past the end. */
	a = POISON;
	assert_int_equal(pci_window_alloc(&w, 0x2000, 0, &a), -ENOSPC);
	assert_int_equal(a, POISON);
	assert_int_equal(w.next, 0x1000);
	/* The failed attempt left room for what does fit. */
	assert_int_equal(pci_window_alloc(&w, 0x1000, 0, &a), 0);
	assert_int_equal(a, 0x1000);
	assert_int_equal(pci_window_alloc(&w, 0x1000, 0, &a), 0);
	assert_int_equal(a, 0x2000);
	assert_int_equal(pci_window_alloc(&w, 0x1000, 0, &a), -ENOSPC);
	/* Larger than the whole window. */
	pci_window_init(&w, 0, 0x3000);
	assert_int_equal(pci_window_alloc(&w, 0x4000, 0, &a), -ENOSPC);
	/* min_align pushes past the end. */
	assert_int_equal(pci_window_alloc(&w, 0x1000, 0x4000, &a), 0);
	assert_int_equal(a, 0);
	assert_int_equal(pci_window_alloc(&w, 0x1000, 0x4000, &a), -ENOSPC);
}

static void test_bad_sizes(void **state)
{
	static const uint64_t bad[] = { 0, 3, 0x3000, 0x1001, 0xffffffffffffffffULL, (1ULL << 63) + 1 };
	struct pci_window w;
	uint64_t a;

	(void)state;
	pci_window_init(&w, 0x10000, 0x100000);
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		a = POISON;
		assert_int_equal(pci_window_alloc(&w, bad[i], 0, &a), -EINVAL);
		assert_int_equal(pci_window_alloc(&w, bad[i], 0x1000, &a), -EINVAL);
		assert_int_equal(a, POISON);
		assert_int_equal(w.next, 0x10000);
	}
}

static void test_huge_sizes_no_overflow(void **state)
{
	struct pci_window w;
	uint64_t a;

	(void)state;
	pci_window_init(&w, LAYOUT_PCI_MMIO64_START, LAYOUT_PCI_MMIO64_SIZE);
	assert_int_equal(pci_window_alloc(&w, 1ULL << 63, 0, &a), -ENOSPC);
	assert_int_equal(pci_window_alloc(&w, 1, 1ULL << 63, &a), -ENOSPC);
	assert_int_equal(pci_window_alloc(&w, 2 * LAYOUT_PCI_MMIO64_SIZE, 0, &a), -ENOSPC);
	/* The whole 256 GiB window as one BAR. */
	assert_int_equal(pci_window_alloc(&w, LAYOUT_PCI_MMIO64_SIZE, 0, &a), 0);
	assert_int_equal(a, LAYOUT_PCI_MMIO64_START);
	assert_int_equal(pci_window_alloc(&w, 1, 0, &a), -ENOSPC);

	/* A window just below 2^64: aligning up must not wrap to a low address. */
	pci_window_init(&w, 0xffffffff00000000ULL, 0xfffff000ULL);
	assert_int_equal(pci_window_alloc(&w, 0x1000, 0, &a), 0);
	assert_int_equal(a, 0xffffffff00000000ULL);
	assert_int_equal(pci_window_alloc(&w, 1ULL << 62, 0, &a), -ENOSPC);
	assert_int_equal(pci_window_alloc(&w, 0x1000, 1ULL << 63, &a), -ENOSPC);
	/* 0xffffffff80000000 + 2 GiB would end past the window (0x1000 short). */
	assert_int_equal(pci_window_alloc(&w, 0x80000000ULL, 0, &a), -ENOSPC);
	assert_int_equal(pci_window_alloc(&w, 0x40000000ULL, 0, &a), 0);
	assert_int_equal(a, 0xffffffff40000000ULL);

	/*
	 * A window from 0 covering (almost) everything: once next is past
	 * 2^63, aligning up to 2^63 wraps to 0, which is inside the window
	 * and must still not be handed out again.
	 */
	pci_window_init(&w, 0, UINT64_MAX);
	assert_int_equal(pci_window_alloc(&w, 1ULL << 62, 0, &a), 0);
	assert_int_equal(a, 0);
	assert_int_equal(pci_window_alloc(&w, 1ULL << 62, 0, &a), 0);
	assert_int_equal(pci_window_alloc(&w, 1ULL << 62, 0, &a), 0);
	assert_int_equal(a, 1ULL << 63);
	assert_int_equal(pci_window_alloc(&w, 1, 0, &a), 0);
	assert_int_equal(a, 3ULL << 62);
	a = POISON;
	assert_int_equal(pci_window_alloc(&w, 1ULL << 63, 0, &a), -ENOSPC);
	assert_int_equal(pci_window_alloc(&w, 0x1000, 1ULL << 63, &a), -ENOSPC);
	assert_int_equal(a, POISON);
	/* Blocks ending at 2^64 do not fit (the window ends at 2^64 - 1). */
	assert_int_equal(pci_window_alloc(&w, 1ULL << 62, 0, &a), -ENOSPC);
	assert_int_equal(pci_window_alloc(&w, 1ULL << 61, 0, &a), -ENOSPC);
	assert_int_equal(pci_window_alloc(&w, 1ULL << 60, 0, &a), 0);
	assert_int_equal(a, 13ULL << 60);

	/* A window ending exactly at 2^64: filling it wraps next to 0. */
	pci_window_init(&w, 0xffffffff00000000ULL, 0x100000000ULL);
	assert_int_equal(pci_window_alloc(&w, 0x100000000ULL, 0, &a), 0);
	assert_int_equal(a, 0xffffffff00000000ULL);
	a = POISON;
	assert_int_equal(pci_window_alloc(&w, 0x1000, 0, &a), -ENOSPC);
	assert_int_equal(pci_window_alloc(&w, 1, 0, &a), -ENOSPC);
	assert_int_equal(a, POISON);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_fields),
		cmocka_unit_test(test_natural_alignment),
		cmocka_unit_test(test_unaligned_window_base),
		cmocka_unit_test(test_min_align),
		cmocka_unit_test(test_sequential_no_overlap),
		cmocka_unit_test(test_exact_fit_then_full),
		cmocka_unit_test(test_enospc_does_not_consume),
		cmocka_unit_test(test_bad_sizes),
		cmocka_unit_test(test_huge_sizes_no_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
