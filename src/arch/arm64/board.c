// SPDX-License-Identifier: GPL-2.0-only
/* Pure facts of the arm64 machine (include/minivmm/arm64/board.h). */

#include <errno.h>

#include "minivmm/arm64/board.h"
#include "minivmm/arm64/layout.h"
#include "minivmm/irq.h"
#include "minivmm/mem.h"

/* Routes to the GIC: irqchip 0, pin = SPI (Documentation/virt/kvm/api.rst, KVM_SET_GSI_ROUTING). */
#define GIC_IRQCHIP 0

_Static_assert(LAYOUT_GSI_MSI_FIRST >= LAYOUT_GIC_NR_SPIS, "MSI GSIs must not hide an SPI route");
_Static_assert(LAYOUT_GIC_NR_IRQS % 32 == 0 && LAYOUT_GIC_NR_IRQS <= 1020,
	       "KVM_DEV_ARM_VGIC_GRP_NR_IRQS takes a multiple of 32 up to 1020");
_Static_assert(LAYOUT_SPI_PCI_INTX_FIRST + LAYOUT_SPI_PCI_INTX_COUNT <= LAYOUT_GIC_NR_SPIS, "INTx SPIs exist");
_Static_assert(LAYOUT_SPI_UART < LAYOUT_SPI_PCI_INTX_FIRST, "the UART has its own SPI");
_Static_assert(LAYOUT_GICR_START + LAYOUT_GICR_SIZE_MAX <= LAYOUT_PCI_MMIO32_START,
	       "the largest redistributor region ends below the 32-bit PCI window");
_Static_assert(LAYOUT_PCI_ECAM_START + LAYOUT_PCI_ECAM_SIZE <= LAYOUT_PCI_PIO_WINDOW, "ECAM below the I/O window");
_Static_assert(LAYOUT_PCI_PIO_WINDOW + LAYOUT_PCI_PIO_WINDOW_SIZE <= LAYOUT_RAM_START, "devices below RAM");

unsigned int arm64_ram_regions(uint64_t size, struct mem_region *r, unsigned int max)
{
	if (!max || !size)
		return 0;
	r[0] = (struct mem_region){ .gpa = LAYOUT_RAM_START, .size = size };
	return 1;
}

unsigned int arm64_ipa_bits(void)
{
	unsigned int bits = 0;

	while (bits < 64 && (1ULL << bits) < LAYOUT_IPA_TOP)
		bits++;
	return bits;
}

uint64_t arm64_gicr_size(unsigned int ncpus)
{
	return (uint64_t)ncpus * LAYOUT_GICR_FRAME;
}

uint64_t arm64_gicr_frame(unsigned int id)
{
	return LAYOUT_GICR_START + (uint64_t)id * LAYOUT_GICR_FRAME;
}

int arm64_gic_cpus_ok(unsigned int ncpus)
{
	return ncpus >= 1 && ncpus <= LAYOUT_GICR_MAX_CPUS;
}

unsigned int arm64_intx_spi(unsigned int slot, unsigned int pin)
{
	return LAYOUT_SPI_PCI_INTX_FIRST + (slot + pin) % LAYOUT_SPI_PCI_INTX_COUNT;
}

int arm64_irq_default_routes(struct irq_routes *r)
{
	int ret = 0;

	for (unsigned int spi = 0; !ret && spi < LAYOUT_GIC_NR_SPIS; spi++)
		ret = irq_routes_add_irqchip(r, spi, GIC_IRQCHIP, spi);
	return ret;
}

int arm64_granule_supported(uint64_t mmfr0, uint64_t page_size)
{
	/* Arm ARM D19.2.64: TGran4 [31:28] and TGran64 [27:24] are 0 (or 1: with
	 * 52-bit addresses) when supported, 0xf when not; TGran16 [23:20] is 0
	 * when not supported, 1 or 2 when it is. */
	unsigned int tgran4 = (mmfr0 >> 28) & 0xf, tgran64 = (mmfr0 >> 24) & 0xf, tgran16 = (mmfr0 >> 20) & 0xf;

	switch (page_size) {
	case 4 * KiB:
		return tgran4 == 0 || tgran4 == 1;
	case 16 * KiB:
		return tgran16 == 1 || tgran16 == 2;
	case 64 * KiB:
		return tgran64 == 0;
	default:
		return 0;
	}
}

int arm64_boot_place(uint64_t ram_gpa, uint64_t ram_size, uint64_t text_offset, uint64_t image_size,
		     uint64_t initrd_size, uint64_t *dtb, uint64_t *initrd)
{
	uint64_t kernel_end = ram_gpa + text_offset + image_size;

	*dtb = *initrd = 0;
	if (ram_size < 2 * LAYOUT_DTB_MAX)
		return -ENOSPC;
	*dtb = layout_dtb_addr(ram_gpa, ram_size);
	*initrd = *dtb;
	if (kernel_end > *dtb || kernel_end < ram_gpa)
		return -ENOSPC;
	if (!initrd_size)
		return 0;
	if (initrd_size > *dtb - kernel_end)
		return -ENOSPC;
	*initrd = (*dtb - initrd_size) & ~(LAYOUT_INITRD_ALIGN - 1);
	return *initrd >= kernel_end ? 0 : -ENOSPC;
}
