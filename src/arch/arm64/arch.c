// SPDX-License-Identifier: GPL-2.0-only
/*
 * The arm64 map as the core sees it (include/minivmm/arm64/layout.h has
 * the reasons), and the arch.h entry points that are the pure facts of
 * board.c: RAM, interrupt routes, INTx lines, MSI addresses.
 */
#include "minivmm/arch.h"
#include "minivmm/arm64/board.h"
#include "minivmm/arm64/layout.h"
#include "minivmm/mem.h"

const struct arch_layout arch_layout = {
	.ram_max = LAYOUT_RAM_MAX,
	.pci_mmio32_base = LAYOUT_PCI_MMIO32_START,
	.pci_mmio32_size = LAYOUT_PCI_MMIO32_SIZE,
	.pci_mmio64_base = LAYOUT_PCI_MMIO64_START,
	.pci_mmio64_size = LAYOUT_PCI_MMIO64_SIZE,
	.pci_io_base = LAYOUT_PCI_IO_START,
	.pci_io_size = LAYOUT_PCI_IO_SIZE,
	.ecam_base = LAYOUT_PCI_ECAM_START,
	.ecam_buses = LAYOUT_PCI_ECAM_BUSES,
	.gsi_msi_first = LAYOUT_GSI_MSI_FIRST,
	.msi_devid = true, /* the ITS translates (device ID, event ID) */
	.cmdline_max = LAYOUT_CMDLINE_MAX,
	.status_cmdline = "minivmm.status_mmio=0x09010000",
};

_Static_assert(LAYOUT_STATUS_START == 0x09010000, "status_cmdline names the guest status register");

unsigned int arch_ram_regions(uint64_t size, struct mem_region *r, unsigned int max)
{
	return arm64_ram_regions(size, r, max);
}

int arch_irq_default_routes(struct irq_routes *r)
{
	return arm64_irq_default_routes(r);
}

unsigned int arch_pci_intx_gsi(unsigned int slot, unsigned int pin)
{
	return arm64_intx_spi(slot, pin); /* GSI n is SPI n */
}

uint64_t arch_msi_route_address(uint64_t addr)
{
	return addr; /* KVM takes the doorbell the guest wrote (GITS_TRANSLATER) */
}

int arch_msi_dest_cpu(uint64_t addr, uint32_t data)
{
	/* The ITS's tables in guest memory pick the CPU, not the message. */
	(void)addr;
	(void)data;
	return -1;
}
