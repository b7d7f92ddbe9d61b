/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one guest-physical (and guest port-I/O) map of an x86_64 minivmm VM.
 * Every address the VMM hands to the guest is named here, with the reason
 * for its value.
 */
#ifndef MINIVMM_X86_LAYOUT_H
#define MINIVMM_X86_LAYOUT_H

#include "minivmm/units.h"

/* ---- Low memory: boot structures the VMM writes before the first vCPU runs ---- */

/* GDT for the 64-bit boot entry; above the real-mode IVT/BDA (0-0x4ff). */
#define LAYOUT_BOOT_GDT 0x500ULL
/* Identity page tables covering the first 4 GiB with 2 MiB pages:
 * one PML4 page, one PDPT page, four PD pages. Below the zero page, in
 * memory Linux reclaims once it runs on its own tables. */
#define LAYOUT_BOOT_PML4 0x1000ULL
#define LAYOUT_BOOT_PDPT 0x2000ULL
#define LAYOUT_BOOT_PD 0x3000ULL /* 4 pages: 0x3000-0x6fff */
/* Stack for the first instructions of the 64-bit entry (Linux switches
 * to its own at once); between the zero page and the command line. */
#define LAYOUT_BOOT_STACK 0x8ff0ULL
/* struct boot_params ("zero page"); %rsi at the 64-bit entry points here. */
#define LAYOUT_ZERO_PAGE 0x7000ULL
/* Kernel command line, up to the boot protocol's cmdline_size. */
#define LAYOUT_CMDLINE 0x20000ULL
#define LAYOUT_CMDLINE_MAX 0x10000ULL
/* End of conventional low RAM in the e820 map; 0xa0000-0xfffff is the
 * legacy ISA hole (VGA/option ROM/BIOS area) that Linux expects. */
#define LAYOUT_EBDA_START 0x9fc00ULL
#define LAYOUT_ISA_HOLE_START 0xa0000ULL
/* ACPI tables: the RSDP must sit 16-byte aligned in 0xe0000-0xfffff for
 * the legacy scan (boot_params.acpi_rsdp_addr also points at it). */
#define LAYOUT_ACPI_START 0xe0000ULL
#define LAYOUT_ACPI_SIZE 0x20000ULL
/* The x86 reset vector (F000:FFF0). With a hardware-reduced FADT Linux
 * reboots through the "BIOS" (a real-mode jump here) before it tries the
 * ACPI reset register; a 9-byte stub here writes that register for it. */
#define LAYOUT_RESET_VECTOR 0xffff0ULL
/* Protected-mode kernel is loaded at 1 MiB (the bzImage code32_start);
 * its 64-bit entry point is 0x200 bytes in. It relocates itself. */
#define LAYOUT_KERNEL_START 0x100000ULL
#define LAYOUT_HIGH_RAM_START 0x100000ULL

/* ---- The 32-bit hole: RAM stops here, devices live above ---- */

/* Low RAM ends at 3 GiB so the top gigabyte below 4 GiB holds 32-bit BARs,
 * ECAM, the IOAPIC/LAPIC windows and KVM's private pages. */
#define LAYOUT_LOWMEM_END (3ULL * GiB)
/* 32-bit PCI memory window for non-64-bit BARs. */
#define LAYOUT_PCI_MMIO32_START (3ULL * GiB)
#define LAYOUT_PCI_MMIO32_SIZE (512ULL * MiB)
/* PCIe ECAM (MMCONFIG): 1 MiB per bus; bus 0 only, announced by MCFG and
 * reserved in e820 so Linux trusts it and reads 4 KiB config space. */
#define LAYOUT_PCI_ECAM_START 0xe0000000ULL
#define LAYOUT_PCI_ECAM_BUSES 1
#define LAYOUT_PCI_ECAM_SIZE (LAYOUT_PCI_ECAM_BUSES * MiB)
/* In-kernel IOAPIC and LAPIC at their architectural defaults. */
#define LAYOUT_IOAPIC_START 0xfec00000ULL
#define LAYOUT_IOAPIC_SIZE 0x1000ULL
#define LAYOUT_LAPIC_START 0xfee00000ULL
#define LAYOUT_LAPIC_SIZE 0x100000ULL /* also the x86 MSI address window */
/* KVM on Intel needs a 3-page TSS and a 1-page identity map for real mode
 * emulation; just below the BIOS area at the top of 4 GiB, as QEMU/kvmtool. */
#define LAYOUT_KVM_IDENTITY_MAP 0xfffbc000ULL
#define LAYOUT_KVM_TSS 0xfffbd000ULL

/* ---- Above 4 GiB ---- */

/* RAM beyond LAYOUT_LOWMEM_END continues here. */
#define LAYOUT_HIGHMEM_START (4ULL * GiB)
/* 64-bit PCI window for large 64-bit BARs. 256 GiB keeps it clear of any
 * sensible guest RAM and inside 39 physical address bits (some hosts'
 * MAXPHYADDR and the emulated intel-iommu's default aw-bits). */
#define LAYOUT_PCI_MMIO64_START (256ULL * GiB)
#define LAYOUT_PCI_MMIO64_SIZE (256ULL * GiB)
/* Largest guest RAM: RAM must end below the 64-bit PCI window. */
#define LAYOUT_RAM_MAX (LAYOUT_PCI_MMIO64_START - (LAYOUT_HIGHMEM_START - LAYOUT_LOWMEM_END))

/* ---- Port I/O ---- */

#define LAYOUT_PORT_COM1 0x3f8
#define LAYOUT_IRQ_COM1 4
#define LAYOUT_PORT_PCI_CONFIG_ADDR 0xcf8 /* 4 bytes */
#define LAYOUT_PORT_PCI_CONFIG_DATA 0xcfc /* 4 bytes */
/* ACPI hardware-reduced sleep control/status and reset register
 * (FADT SLEEP_CONTROL_REG, SLEEP_STATUS_REG, RESET_REG): free legacy ports. */
#define LAYOUT_PORT_ACPI_SLEEP_CTL 0x600
#define LAYOUT_PORT_ACPI_SLEEP_STS 0x601
#define LAYOUT_PORT_ACPI_RESET 0x602
#define LAYOUT_ACPI_RESET_VALUE 0x1
/* Guest status port: the guest's minivmm-exit tool writes its status here
 * (same port and convention as QEMU's isa-debug-exit default iobase). */
#define LAYOUT_PORT_GUEST_STATUS 0xf4
/* pvpanic: the guest kernel reports its panic here (QEMU's default port
 * for the same device, so guests configured for QEMU find it too). */
#define LAYOUT_PORT_PVPANIC 0x505
/* PCI hotplug registers (ACPI_HOTPLUG_*: up, down, eject, ack), next to the
 * ACPI power ports. */
#define LAYOUT_PORT_HOTPLUG 0x610
/* 16-bit PCI I/O window for I/O BARs, above legacy ISA ports. */
#define LAYOUT_PCI_IO_START 0xc000
#define LAYOUT_PCI_IO_SIZE 0x4000

/* ---- Interrupts ---- */

/* vCPUs with xAPIC ids (0..254; 255 is broadcast); above them x2APIC only. */
#define LAYOUT_MAX_XAPIC_CPUS 255

/* IOAPIC inputs 16-23 carry PCI INTx (level, active low), 0-15 are ISA. */
#define LAYOUT_IOAPIC_PINS 24
#define LAYOUT_GSI_PCI_INTX_FIRST 16
#define LAYOUT_GSI_PCI_INTX_COUNT 8
/* The Generic Event Device's line (hotplug events): ISA IRQ 10, free on a
 * PC without its ISA cards; level-triggered, active-high as its _CRS says. */
#define LAYOUT_GSI_HOTPLUG 10
/* GSIs from here up are MSI routes allocated at run time. */
#define LAYOUT_GSI_MSI_FIRST 24

#endif
