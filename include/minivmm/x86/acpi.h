/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ACPI tables for an x86_64 guest: RSDP, XSDT, FADT (hardware-reduced,
 * with sleep control/status and reset registers), DSDT (PCI0 host bridge
 * with _CRS and _PRT, \_S5, COM1, pvpanic), MADT (LAPICs + IOAPIC) and MCFG (ECAM).
 * Pure: builds into a caller buffer that will sit at guest-physical @gpa.
 */
#ifndef MINIVMM_X86_ACPI_H
#define MINIVMM_X86_ACPI_H

#include <stddef.h>
#include <stdint.h>

/* One PCI interrupt routing entry: device @slot's INTx @pin (0=INTA..3=INTD)
 * is wired to IOAPIC input @gsi (level-triggered, active low). */
struct acpi_prt_entry {
	uint8_t slot;
	uint8_t pin;
	uint32_t gsi;
};

struct acpi_config {
	unsigned int ncpus;          /* LAPIC ids 0..ncpus-1 */
	uint32_t lapic_addr;
	uint32_t ioapic_addr;
	uint8_t ioapic_id;
	uint64_t ecam_base;          /* MCFG + PNP0C02 reservation */
	uint8_t ecam_bus_end;        /* buses 0..ecam_bus_end */
	uint16_t pci_io_base, pci_io_size;
	uint64_t pci_mmio32_base, pci_mmio32_size;
	uint64_t pci_mmio64_base, pci_mmio64_size;
	uint16_t sleep_ctl_port, sleep_sts_port, reset_port;
	uint8_t reset_value;
	/* COM1 as an ACPI device (PNP0501): with a hardware-reduced FADT Linux
	 * has no legacy PIC and only maps ISA IRQs that ACPI describes. 0: none. */
	uint16_t com1_port;
	uint8_t com1_irq;
	/* pvpanic (_HID QEMU0001, Linux's pvpanic-mmio driver) at this I/O
	 * port: the guest kernel's panic notifier writes to it. 0: none. */
	uint16_t pvpanic_port;
	/*
	 * PCI hotplug through ACPI on a hardware-reduced platform: slots in
	 * @hotplug_slots (bit N: bus 0 slot N) get ejectable slot objects,
	 * the hotplug registers sit at @hotplug_port (ACPI_HOTPLUG_* below),
	 * and a Generic Event Device (ACPI0013) on level-triggered,
	 * active-high @hotplug_gsi runs \_SB.PCI0.PCNT, which notifies the
	 * slots that changed. 0 slots: none.
	 */
	uint32_t hotplug_slots;
	uint16_t hotplug_port;
	uint32_t hotplug_gsi;
	const struct acpi_prt_entry *prt;
	size_t nprt;
};

/* Hotplug registers, 32 bits each, bit N for slot N. */
#define ACPI_HOTPLUG_UP 0x0     /* read: slots with a function to insert */
#define ACPI_HOTPLUG_DOWN 0x4   /* read: slots whose function is asked to go */
#define ACPI_HOTPLUG_EJECT 0x8  /* write: the guest ejects these slots (_EJ0) */
#define ACPI_HOTPLUG_ACK 0xc    /* write: the guest took these events */
#define ACPI_HOTPLUG_LEN 0x10

/* Sleep type value for S5 in \_S5 (written as SLP_TYP to sleep_ctl). */
#define ACPI_S5_SLP_TYP 5
#define ACPI_SLP_EN (1u << 5)
#define ACPI_SLP_TYP_SHIFT 2
#define ACPI_SLP_TYP_MASK (7u << 2)

/*
 * Build all tables into @buf (@size bytes), to be placed at guest-physical
 * @gpa (16-byte aligned). The RSDP is at offset 0. Returns the number of
 * bytes used, or -ENOSPC / -EINVAL.
 */
long acpi_build(const struct acpi_config *cfg, uint8_t *buf, size_t size, uint64_t gpa);

/* Byte sum that makes an ACPI checksum field correct (sum of all bytes 0). */
uint8_t acpi_checksum(const uint8_t *p, size_t len);

#endif
