/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The arm64 guest's device tree, built with libfdt at boot. Pure: it
 * describes the map of layout.h (memory, cpus with PSCI, the GICv3 and its
 * ITS, the timer, the UART, pvpanic, the status register and the PCIe host
 * bridge with its windows, INTx map and MSI map) for the given vCPUs,
 * RAM, command line and initrd.
 */
#ifndef MINIVMM_ARM64_FDT_H
#define MINIVMM_ARM64_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Phandles of the interrupt controllers. */
#define FDT_PHANDLE_GIC 1
#define FDT_PHANDLE_ITS 2
/* PCI slots and pins the interrupt-map covers: every one of bus 0. */
#define FDT_PCI_SLOTS 32
#define FDT_PCI_PINS 4
/* Node paths the guest (and the tests) look up. */
#define FDT_PATH_UART "/serial@9000000"
#define FDT_PATH_PCIE "/pcie@30000000"
#define FDT_PATH_GIC "/intc@8000000"
#define FDT_PATH_ITS "/intc@8000000/msi-controller@8080000"

struct arm64_fdt_config {
	uint64_t ram_base, ram_size;
	unsigned int ncpus;
	const uint64_t *mpidr;       /* each vCPU's MPIDR_EL1 (cpu node reg) */
	const char *bootargs;
	uint64_t initrd_start, initrd_end; /* equal: no initrd */
	bool kaslr;                  /* give the kernel @kaslr_seed (else it runs unrandomized) */
	uint64_t kaslr_seed;
};

/* Build the tree into @buf; its size, or -ENOSPC / -EINVAL. */
long arm64_fdt_build(const struct arm64_fdt_config *c, void *buf, size_t len);
/*
 * Set /chosen's bootargs and initrd (@initrd_end == @initrd_start: none)
 * in the built tree at @fdt, which may grow up to @len bytes; its new
 * size, or -ENOSPC / -EINVAL.
 */
long arm64_fdt_set_chosen(void *fdt, size_t len, const char *bootargs, uint64_t initrd_start, uint64_t initrd_end);

#endif
