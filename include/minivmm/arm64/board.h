/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Pure facts of the arm64 machine derived from its map (layout.h): where
 * RAM goes, the IPA size the map needs, the GIC redistributor region for a
 * vCPU count, how PCI INTx reaches the GIC, the granules a CPU supports.
 * Compiled on every build host (the unit tests run on x86 too).
 */
#ifndef MINIVMM_ARM64_BOARD_H
#define MINIVMM_ARM64_BOARD_H

#include <stdint.h>

struct irq_routes;
struct mem_region;

/* Where @size bytes of guest RAM go: one region at LAYOUT_RAM_START. */
unsigned int arm64_ram_regions(uint64_t size, struct mem_region *r, unsigned int max);
/* Guest-physical address bits the map needs (its top, LAYOUT_IPA_TOP). */
unsigned int arm64_ipa_bits(void);

/* The redistributor region of @ncpus vCPUs: one 128 KiB frame each, from LAYOUT_GICR_START. */
uint64_t arm64_gicr_size(unsigned int ncpus);
/* The redistributor frame of vCPU @id (its RD_base). */
uint64_t arm64_gicr_frame(unsigned int id);
/* Whether @ncpus redistributors fit their region and the GIC (0 and above LAYOUT_GICR_MAX_CPUS do not). */
int arm64_gic_cpus_ok(unsigned int ncpus);

/* The SPI (INTID - 32) of PCI @slot's INTx @pin (0 = INTA): the x86 swizzle over 8 lines. */
unsigned int arm64_intx_spi(unsigned int slot, unsigned int pin);
/* GSI n -> the GIC's SPI n (KVM_IRQ_ROUTING_IRQCHIP, irqchip 0, pin = SPI), for every SPI. */
int arm64_irq_default_routes(struct irq_routes *r);

/*
 * Whether the CPU's ID_AA64MMFR0_EL1 (@mmfr0) supports a translation
 * granule of @page_size bytes (4, 16 or 64 KiB) for the guest's stage 1.
 */
int arm64_granule_supported(uint64_t mmfr0, uint64_t page_size);

/*
 * Where the boot files go in RAM [@ram_gpa, +@ram_size): the Image at
 * @text_offset (@image_size bytes with its BSS), the DTB in the last 2 MiB
 * block (*@dtb), the initrd of @initrd_size bytes (0: none) just below it
 * (*@initrd). 0, or -ENOSPC when RAM does not hold them all.
 */
int arm64_boot_place(uint64_t ram_gpa, uint64_t ram_size, uint64_t text_offset, uint64_t image_size,
		     uint64_t initrd_size, uint64_t *dtb, uint64_t *initrd);

#endif
