// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the arm64 machine's pure facts (src/arch/arm64/board.c,
 * include/minivmm/arm64/layout.h): the map's regions do not overlap and
 * sit where the reasons say, RAM, the IPA size, the GIC redistributor
 * layout for 1 to 512 vCPUs, the INTx swizzle, the default GSI routes
 * (GSI n -> SPI n) beside the MSI GSIs, the KVM_IRQ_LINE encoding, and
 * the translation granules of ID_AA64MMFR0_EL1, and where the Image, the
 * initrd and the DTB go in RAM.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "minivmm/arm64/board.h"
#include "minivmm/arm64/layout.h"
#include "minivmm/irq.h"
#include "minivmm/mem.h"

static void test_map_regions_disjoint(void **state)
{
	const struct {
		const char *name;
		uint64_t base, size;
	} r[] = {
		{ "GICD", LAYOUT_GICD_START, LAYOUT_GICD_SIZE },
		{ "ITS", LAYOUT_GITS_START, LAYOUT_GITS_SIZE },
		{ "UART", LAYOUT_UART_START, LAYOUT_UART_SIZE },
		{ "status", LAYOUT_STATUS_START, LAYOUT_STATUS_SIZE },
		{ "pvpanic", LAYOUT_PVPANIC_START, LAYOUT_PVPANIC_SIZE },
		{ "GICR (512 vCPUs)", LAYOUT_GICR_START, LAYOUT_GICR_SIZE_MAX },
		{ "PCI MMIO32", LAYOUT_PCI_MMIO32_START, LAYOUT_PCI_MMIO32_SIZE },
		{ "ECAM", LAYOUT_PCI_ECAM_START, LAYOUT_PCI_ECAM_SIZE },
		{ "PCI I/O", LAYOUT_PCI_PIO_WINDOW, LAYOUT_PCI_PIO_WINDOW_SIZE },
		{ "RAM (largest)", LAYOUT_RAM_START, LAYOUT_RAM_MAX },
		{ "PCI MMIO64", LAYOUT_PCI_MMIO64_START, LAYOUT_PCI_MMIO64_SIZE },
	};
	const size_t n = sizeof(r) / sizeof(r[0]);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		/* Nothing in the first 128 MiB, nothing above the IPA top. */
		assert_true(r[i].base >= 0x08000000);
		assert_true(r[i].base + r[i].size <= LAYOUT_IPA_TOP);
		for (size_t j = i + 1; j < n; j++)
			if (r[i].base < r[j].base + r[j].size && r[j].base < r[i].base + r[i].size)
				fail_msg("%s overlaps %s", r[i].name, r[j].name);
	}
	/* Each device has its own page (the guest maps them apart), 64 KiB pages included. */
	assert_int_equal(LAYOUT_UART_START % 0x10000, 0);
	assert_int_equal(LAYOUT_STATUS_START % 0x10000, 0);
	assert_int_equal(LAYOUT_PVPANIC_START % 0x10000, 0);
	assert_int_equal(LAYOUT_GITS_START % 0x10000, 0);
	assert_int_equal(LAYOUT_GICR_START % 0x10000, 0);
	/* RAM starts 2 MiB aligned: the Image's base. */
	assert_int_equal(LAYOUT_RAM_START % LAYOUT_IMAGE_ALIGN, 0);
}

static void test_ram_ipa(void **state)
{
	struct mem_region r[2];

	(void)state;
	assert_int_equal(arm64_ram_regions(512ULL << 20, r, 2), 1);
	assert_int_equal(r[0].gpa, LAYOUT_RAM_START);
	assert_int_equal(r[0].size, 512ULL << 20);
	/* 8 GiB stays one region: arm64 has no hole below 4 GiB to skip. */
	assert_int_equal(arm64_ram_regions(8ULL << 30, r, 2), 1);
	assert_int_equal(r[0].size, 8ULL << 30);
	assert_int_equal(arm64_ram_regions(1 << 20, r, 0), 0);
	assert_int_equal(arm64_ipa_bits(), 39);
	assert_true((1ULL << arm64_ipa_bits()) >= LAYOUT_IPA_TOP);
	assert_true((1ULL << (arm64_ipa_bits() - 1)) < LAYOUT_IPA_TOP);
}

static void test_gic_redistributors(void **state)
{
	(void)state;
	assert_int_equal(arm64_gicr_size(1), 128 * 1024);
	assert_int_equal(arm64_gicr_size(4), 4 * 128 * 1024);
	assert_int_equal(arm64_gicr_frame(0), LAYOUT_GICR_START);
	assert_int_equal(arm64_gicr_frame(3), LAYOUT_GICR_START + 3 * 0x20000);
	/* Every vCPU's frame, up to the last of 512, inside the region and below the PCI window. */
	for (unsigned int n = 1; n <= LAYOUT_GICR_MAX_CPUS; n++) {
		assert_true(arm64_gic_cpus_ok(n));
		assert_int_equal(arm64_gicr_frame(n - 1) + LAYOUT_GICR_FRAME, LAYOUT_GICR_START + arm64_gicr_size(n));
		assert_true(LAYOUT_GICR_START + arm64_gicr_size(n) <= LAYOUT_PCI_MMIO32_START);
	}
	assert_false(arm64_gic_cpus_ok(0));
	assert_false(arm64_gic_cpus_ok(LAYOUT_GICR_MAX_CPUS + 1));
}

static void test_intx_swizzle(void **state)
{
	(void)state;
	assert_int_equal(arm64_intx_spi(0, 0), LAYOUT_SPI_PCI_INTX_FIRST);
	for (unsigned int slot = 0; slot < 32; slot++) {
		for (unsigned int pin = 0; pin < 4; pin++) {
			unsigned int spi = arm64_intx_spi(slot, pin);

			assert_true(spi >= LAYOUT_SPI_PCI_INTX_FIRST &&
				    spi < LAYOUT_SPI_PCI_INTX_FIRST + LAYOUT_SPI_PCI_INTX_COUNT);
			assert_true(spi != LAYOUT_SPI_UART);
			/* The next slot's same pin is the next line. */
			assert_int_equal(arm64_intx_spi(slot + 1, pin),
					 LAYOUT_SPI_PCI_INTX_FIRST + (spi - LAYOUT_SPI_PCI_INTX_FIRST + 1) % 8);
		}
	}
	/* Eight neighbouring slots' INTA share no line. */
	for (unsigned int a = 0; a < 8; a++)
		for (unsigned int b = a + 1; b < 8; b++)
			assert_int_not_equal(arm64_intx_spi(a, 0), arm64_intx_spi(b, 0));
}

static void test_default_routes(void **state)
{
	struct irq_routes r;
	int gsi;

	(void)state;
	assert_int_equal(irq_routes_init(&r, LAYOUT_GSI_MSI_FIRST, true), 0);
	assert_int_equal(arm64_irq_default_routes(&r), 0);
	assert_int_equal(r.table->nr, LAYOUT_GIC_NR_SPIS);
	for (unsigned int i = 0; i < LAYOUT_GIC_NR_SPIS; i++) {
		const struct kvm_irq_routing_entry *e = irq_routes_find(&r, i, KVM_IRQ_ROUTING_IRQCHIP);

		assert_non_null(e);
		assert_int_equal(e->u.irqchip.irqchip, 0);
		assert_int_equal(e->u.irqchip.pin, i);
	}
	/* The INTx GSIs the arch hands out are routed; MSIs start above every SPI. */
	assert_non_null(irq_routes_find(&r, arm64_intx_spi(31, 3), KVM_IRQ_ROUTING_IRQCHIP));
	gsi = irq_routes_alloc_msi(&r);
	assert_int_equal(gsi, LAYOUT_GIC_NR_SPIS);
	{
		/* An MSI to the ITS doorbell carries the requester ID. */
		const struct msi_msg m = { .addr = LAYOUT_GITS_TRANSLATER, .data = 5, .devid = 0x0018 };
		const struct kvm_irq_routing_entry *e;

		assert_int_equal(irq_routes_set_msi(&r, (unsigned int)gsi, &m), 1);
		e = irq_routes_find(&r, (unsigned int)gsi, KVM_IRQ_ROUTING_MSI);
		assert_non_null(e);
		assert_int_equal(e->flags, KVM_MSI_VALID_DEVID);
		assert_int_equal(e->u.msi.devid, 0x18);
		assert_int_equal(e->u.msi.address_lo, (uint32_t)LAYOUT_GITS_TRANSLATER);
		assert_int_equal(e->u.msi.address_hi, 0);
	}
	irq_routes_destroy(&r);
}

static void test_irq_line_encoding(void **state)
{
	(void)state;
	/* Documentation/virt/kvm/api.rst, KVM_IRQ_LINE on arm64: type 1 (SPI) in 27:24, INTID in 15:0. */
	assert_int_equal(LAYOUT_IRQ_LINE_SPI(0), 0x01000020u);
	assert_int_equal(LAYOUT_IRQ_LINE_SPI(LAYOUT_SPI_UART), 0x01000021u);
	assert_int_equal(LAYOUT_IRQ_LINE_SPI(95), 0x0100007fu);
}

static void test_granules(void **state)
{
	(void)state;
	/* A Cortex-A72 (4K and 64K, no 16K): TGran4 0, TGran64 0, TGran16 0. */
	assert_true(arm64_granule_supported(0x00001124, 4096));
	assert_true(arm64_granule_supported(0x00001124, 65536));
	assert_false(arm64_granule_supported(0x00001124, 16384));
	/* QEMU's max CPU: all three, 52-bit variants (TGran4 1, TGran16 2). */
	assert_true(arm64_granule_supported(0x10201126ULL, 4096));
	assert_true(arm64_granule_supported(0x10201126ULL, 16384));
	assert_true(arm64_granule_supported(0x10201126ULL, 65536));
	/* Apple M1 style: 16K only (TGran4 0xf, TGran64 0xf, TGran16 1). */
	assert_false(arm64_granule_supported(0xff100000ULL, 4096));
	assert_false(arm64_granule_supported(0xff100000ULL, 65536));
	assert_true(arm64_granule_supported(0xff100000ULL, 16384));
	assert_false(arm64_granule_supported(0, 8192));
}

/* The boot files' places: Image at the base, DTB in the last 2 MiB block, initrd just below. */
static void test_boot_place(void **state)
{
	const uint64_t base = LAYOUT_RAM_START, ram = 256 * MiB, text = 0, image = 40 * MiB;
	uint64_t dtb, initrd;

	(void)state;
	/* No initrd: it is empty at the DTB. */
	assert_int_equal(arm64_boot_place(base, ram, text, image, 0, &dtb, &initrd), 0);
	assert_int_equal(dtb, base + ram - LAYOUT_DTB_MAX);
	assert_int_equal(dtb % LAYOUT_DTB_MAX, 0);
	assert_int_equal(initrd, dtb);
	/* An initrd ends at most 64 KiB below the DTB, aligned for every page size. */
	assert_int_equal(arm64_boot_place(base, ram, text, image, 5 * MiB + 123, &dtb, &initrd), 0);
	assert_int_equal(initrd % LAYOUT_INITRD_ALIGN, 0);
	assert_true(initrd + 5 * MiB + 123 <= dtb);
	assert_true(dtb - (initrd + 5 * MiB + 123) < LAYOUT_INITRD_ALIGN);
	/* The largest initrd that fits ends above the kernel; one byte more does not fit. */
	assert_int_equal(arm64_boot_place(base, ram, text, image, dtb - (base + image), &dtb, &initrd), 0);
	assert_int_equal(initrd, base + image);
	assert_int_equal(arm64_boot_place(base, ram, text, image, dtb - (base + image) + 1, &dtb, &initrd), -ENOSPC);
	/* An initrd larger than the DTB's address does not wrap around. */
	assert_int_equal(arm64_boot_place(base, ram, text, image, UINT64_MAX - 5, &dtb, &initrd), -ENOSPC);
	/* A kernel that reaches the DTB, a text_offset that pushes it there, too little RAM. */
	assert_int_equal(arm64_boot_place(base, ram, text, ram - LAYOUT_DTB_MAX + 1, 0, &dtb, &initrd), -ENOSPC);
	assert_int_equal(arm64_boot_place(base, ram, ram, image, 0, &dtb, &initrd), -ENOSPC);
	assert_int_equal(arm64_boot_place(base, ram - LAYOUT_DTB_MAX, 2 * MiB, ram, 0, &dtb, &initrd), -ENOSPC);
	assert_int_equal(arm64_boot_place(base, 2 * LAYOUT_DTB_MAX - 1, text, 1 * MiB, 0, &dtb, &initrd), -ENOSPC);
	/* The smallest RAM: the kernel in the first block, the DTB in the second. */
	assert_int_equal(arm64_boot_place(base, 2 * LAYOUT_DTB_MAX, text, LAYOUT_DTB_MAX, 0, &dtb, &initrd), 0);
	assert_int_equal(dtb, base + LAYOUT_DTB_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_regions_disjoint),
		cmocka_unit_test(test_ram_ipa),
		cmocka_unit_test(test_gic_redistributors),
		cmocka_unit_test(test_intx_swizzle),
		cmocka_unit_test(test_default_routes),
		cmocka_unit_test(test_irq_line_encoding),
		cmocka_unit_test(test_granules),
		cmocka_unit_test(test_boot_place),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
