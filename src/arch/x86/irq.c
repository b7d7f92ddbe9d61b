// SPDX-License-Identifier: GPL-2.0-only
/* How interrupts reach the x86 guest: PIC + IOAPIC inputs, PCI INTx on IOAPIC pins 16-23. */
#include <linux/kvm.h>

#include "minivmm/arch.h"
#include "minivmm/irq.h"
#include "minivmm/x86/layout.h"

/* ISA IRQs 0-15 go to both PICs and the IOAPIC, like KVM's default table. */
#define ISA_IRQS 16
#define PIC_MASTER_IRQS 8
#define ISA_CASCADE_IRQ 2

int arch_irq_default_routes(struct irq_routes *r)
{
	int ret = 0;

	for (unsigned int gsi = 0; !ret && gsi < LAYOUT_IOAPIC_PINS; gsi++) {
		/* IRQ 2 is the cascade: the PIC never delivers it itself. */
		if (gsi < ISA_IRQS && gsi != ISA_CASCADE_IRQ)
			ret = irq_routes_add_irqchip(r, gsi,
						     gsi < PIC_MASTER_IRQS ? KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE,
						     gsi % PIC_MASTER_IRQS);
		if (!ret)
			ret = irq_routes_add_irqchip(r, gsi, KVM_IRQCHIP_IOAPIC, gsi);
	}
	return ret;
}

unsigned int arch_pci_intx_gsi(unsigned int slot, unsigned int pin)
{
	/* The classic swizzle spreads neighbouring slots over the 8 lines;
	 * the _PRT in the DSDT follows the same rule (platform.c). */
	return LAYOUT_GSI_PCI_INTX_FIRST + ((slot + pin) % LAYOUT_GSI_PCI_INTX_COUNT);
}

int arch_msi_dest_cpu(uint64_t addr, uint32_t data)
{
	/* Intel SDM 11.11.1: destination ID in bits 19:12, KVM's extended
	 * destination ID (APIC IDs above 255) in bits 11:5, bit 2 logical mode. */
	unsigned int dest = ((addr >> 12) & 0xff) | (((addr >> 5) & 0x7f) << 8);

	(void)data;
	if ((addr & 0xfff00000) != LAYOUT_LAPIC_START)
		return -1;
	if (addr & (1u << 2)) { /* flat logical: one bit per CPU */
		for (unsigned int i = 0; i < 8; i++)
			if (dest & (1u << i))
				return i;
		return -1;
	}
	return dest; /* physical: APIC ID == vCPU index */
}

uint64_t arch_msi_route_address(uint64_t addr)
{
	/*
	 * A guest told KVM_FEATURE_MSI_EXT_DEST_ID puts destination bits 14:8
	 * in address bits 11:5 (bit 4 would be the remappable format). KVM in
	 * x2APIC format (KVM_CAP_X2APIC_API, enabled by machine.c) takes them
	 * in the upper address word: bits 40:46.
	 */
	uint64_t ext = addr & (0xffULL << 4);

	/*
	 * Above 4 GiB is no interrupt window on x86 (a device write there is
	 * DMA), and KVM in x2APIC format refuses a route whose upper word has
	 * bits 7:0 set: whatever a guest wrote, the route stays one KVM takes.
	 */
	if (addr >> 32)
		return addr & ~(0xffULL << 32);
	if (!ext || (ext & (1u << 4)))
		return addr;
	return (addr & ~ext) | (ext << 35);
}
