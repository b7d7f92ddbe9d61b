// SPDX-License-Identifier: GPL-2.0-only
/* The x86 memory map as the core sees it (include/minivmm/x86/layout.h has the reasons). */
#include "minivmm/arch.h"
#include "minivmm/mem.h"
#include "minivmm/x86/layout.h"

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
	.msi_devid = false, /* the LAPIC takes address/data only */
	.cmdline_max = LAYOUT_CMDLINE_MAX,
	.status_cmdline = "minivmm.status_port=0xf4",
};

_Static_assert(LAYOUT_PORT_GUEST_STATUS == 0xf4, "status_cmdline names the guest status port");

unsigned int arch_ram_regions(uint64_t size, struct mem_region *r, unsigned int max)
{
	uint64_t low = size < LAYOUT_LOWMEM_END ? size : LAYOUT_LOWMEM_END;
	unsigned int n = 0;

	/* Below the 32-bit device hole, then the rest above 4 GiB. */
	if (max > n)
		r[n++] = (struct mem_region){ .gpa = 0, .size = low };
	if (size > low && max > n)
		r[n++] = (struct mem_region){ .gpa = LAYOUT_HIGHMEM_START, .size = size - low };
	return n;
}
