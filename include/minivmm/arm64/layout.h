/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one guest-physical map of an arm64 minivmm VM, and its interrupt
 * numbers. Every address the VMM hands to the guest is named here, with
 * the reason for its value. The device tree (fdt.c) describes all of it.
 */
#ifndef MINIVMM_ARM64_LAYOUT_H
#define MINIVMM_ARM64_LAYOUT_H

#include <stdint.h>

#include "minivmm/units.h"

/* ---- Devices below 1 GiB: everything the guest finds through the DT ---- */

/* The first 128 MiB stay empty: a guest that follows a NULL pointer
 * faults (KVM reports an MMIO exit nobody claims) instead of hitting a
 * device. */

/* GICv3 distributor (GICD): one 64 KiB frame (KVM_VGIC_V3_DIST_SIZE). */
#define LAYOUT_GICD_START 0x08000000ULL
#define LAYOUT_GICD_SIZE (64ULL * KiB)
/* GICv3 ITS: control frame + translation frame, 2 x 64 KiB
 * (KVM_VGIC_V3_ITS_SIZE); MSIs are writes to GITS_TRANSLATER in the second. */
#define LAYOUT_GITS_START 0x08080000ULL
#define LAYOUT_GITS_SIZE (128ULL * KiB)
#define LAYOUT_GITS_TRANSLATER (LAYOUT_GITS_START + 0x10040ULL)
/* The console UART, a 16550A with byte registers (DT "ns16550a",
 * Linux's 8250 driver: console=ttyS0). One page so that the guest maps it
 * alone. */
#define LAYOUT_UART_START 0x09000000ULL
#define LAYOUT_UART_SIZE (4ULL * KiB)
/* The guest status register: guest init writes a command's status here
 * as one byte (busybox devmem), found through minivmm.status_mmio=. */
#define LAYOUT_STATUS_START 0x09010000ULL
#define LAYOUT_STATUS_SIZE 1ULL
/* pvpanic (DT "qemu,pvpanic-mmio"); the binding's register is 2 bytes. */
#define LAYOUT_PVPANIC_START 0x09020000ULL
#define LAYOUT_PVPANIC_SIZE 2ULL
/* GICv3 redistributors: 128 KiB per vCPU (RD_base + SGI_base frames),
 * one contiguous region. 64 MiB hold 512 vCPUs, KVM's GICv3 limit
 * (VGIC_V3_MAX_CPUS); only ncpus frames are announced and claimed. */
#define LAYOUT_GICR_START 0x0c000000ULL
#define LAYOUT_GICR_FRAME (128ULL * KiB)
#define LAYOUT_GICR_MAX_CPUS 512
#define LAYOUT_GICR_SIZE_MAX (LAYOUT_GICR_MAX_CPUS * LAYOUT_GICR_FRAME)
/* 32-bit PCI memory window for non-64-bit BARs: after the redistributors. */
#define LAYOUT_PCI_MMIO32_START 0x10000000ULL
#define LAYOUT_PCI_MMIO32_SIZE (512ULL * MiB)
/* PCIe ECAM: 1 MiB per bus, bus 0 only (bus-range <0 0>). */
#define LAYOUT_PCI_ECAM_START 0x30000000ULL
#define LAYOUT_PCI_ECAM_BUSES 1
#define LAYOUT_PCI_ECAM_SIZE (LAYOUT_PCI_ECAM_BUSES * MiB)
/* PCI I/O space has no instructions on arm64: the host bridge maps port
 * addresses 0-0xffff to this MMIO window (the DT's I/O range); an access
 * at window + port reaches the port-I/O bus. */
#define LAYOUT_PCI_PIO_WINDOW 0x3eff0000ULL
#define LAYOUT_PCI_PIO_WINDOW_SIZE (64ULL * KiB)
/* I/O BARs are assigned from port 0x1000 up (Linux's PCIBIOS_MIN_IO on
 * arm64: ports below stay unused, as legacy ISA ports are on a PC). */
#define LAYOUT_PCI_IO_START 0x1000ULL
#define LAYOUT_PCI_IO_SIZE (LAYOUT_PCI_PIO_WINDOW_SIZE - LAYOUT_PCI_IO_START)

/* ---- RAM: one region from 1 GiB up ---- */

/* RAM starts at 1 GiB, where QEMU's virt machine has it: every device
 * above sits below, and kernels and tools built for virt expect it. */
#define LAYOUT_RAM_START (1ULL * GiB)
/* 64-bit PCI window for large 64-bit BARs: 256 GiB up, 256 GiB long, as
 * on x86. Its end (512 GiB) is the top of the map: 39 bits of IPA, inside
 * KVM's default 40 (KVM_CAP_ARM_VM_IPA_SIZE is asked for when present). */
#define LAYOUT_PCI_MMIO64_START (256ULL * GiB)
#define LAYOUT_PCI_MMIO64_SIZE (256ULL * GiB)
#define LAYOUT_IPA_TOP (LAYOUT_PCI_MMIO64_START + LAYOUT_PCI_MMIO64_SIZE)
/* Largest guest RAM: RAM must end below the 64-bit PCI window. */
#define LAYOUT_RAM_MAX (LAYOUT_PCI_MMIO64_START - LAYOUT_RAM_START)

/* ---- Boot: where the loader puts things in RAM (Documentation/arch/arm64/booting.rst) ---- */

/* The Image goes text_offset bytes above a 2 MiB aligned base: the start of RAM. */
#define LAYOUT_IMAGE_ALIGN (2ULL * MiB)
/* The DTB: at most 2 MiB, 8-byte aligned, not sharing a 2 MiB block with
 * anything mapped differently: the last 2 MiB block of RAM. */
#define LAYOUT_DTB_MAX (2ULL * MiB)
/* Where the DTB goes in RAM [@ram_gpa, +@ram_size). */
static inline uint64_t layout_dtb_addr(uint64_t ram_gpa, uint64_t ram_size)
{
	return (ram_gpa + ram_size - LAYOUT_DTB_MAX) & ~(LAYOUT_DTB_MAX - 1);
}
/* The initrd ends page-aligned just below the DTB. */
#define LAYOUT_INITRD_ALIGN (64ULL * KiB) /* the largest arm64 page size */
/* Kernel command line: /chosen/bootargs, Linux's COMMAND_LINE_SIZE on arm64. */
#define LAYOUT_CMDLINE_MAX 2048ULL

/* ---- Interrupts (GICv3 INTIDs: 0-15 SGI, 16-31 PPI, 32+ SPI) ---- */

#define LAYOUT_GIC_SPI_BASE 32
/* SPIs minivmm's GIC has; GSI n routes to SPI n, so MSI GSIs start above. */
#define LAYOUT_GIC_NR_SPIS 96
#define LAYOUT_GIC_NR_IRQS (LAYOUT_GIC_SPI_BASE + LAYOUT_GIC_NR_SPIS)
#define LAYOUT_GSI_MSI_FIRST LAYOUT_GIC_NR_SPIS
/* The UART's SPI (level, active high). */
#define LAYOUT_SPI_UART 1
/* PCI INTx: 8 SPIs, the slot's pin swizzled over them as on x86
 * ((slot + pin) % 8), so that 8 neighbouring slots share no line. */
#define LAYOUT_SPI_PCI_INTX_FIRST 8
#define LAYOUT_SPI_PCI_INTX_COUNT 8
/* Architected timer PPIs (the numbers KVM uses by default, as on QEMU's
 * virt): secure physical, non-secure physical, virtual, hypervisor. */
#define LAYOUT_PPI_TIMER_SEC 13
#define LAYOUT_PPI_TIMER_PHYS 14
#define LAYOUT_PPI_TIMER_VIRT 11
#define LAYOUT_PPI_TIMER_HYP 10

/* KVM_IRQ_LINE's irq field on arm64 (Documentation/virt/kvm/api.rst):
 * type in bits 27:24 (1 = SPI), INTID in bits 15:0. */
#define LAYOUT_IRQ_LINE_TYPE_SHIFT 24
#define LAYOUT_IRQ_LINE_TYPE_SPI 1
#define LAYOUT_IRQ_LINE_SPI(spi) \
	(((unsigned int)LAYOUT_IRQ_LINE_TYPE_SPI << LAYOUT_IRQ_LINE_TYPE_SHIFT) | (LAYOUT_GIC_SPI_BASE + (spi)))

#endif
