/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one interface an architecture implements (src/arch/x86/, and
 * src/arch/arm64/ as it comes), called by the core. The core includes no
 * arch header; arch code may use the core's. Each arch owns its memory
 * map, machine creation (irqchip, required KVM capabilities), the kernel
 * boot protocol, vCPU set-up and register dumps, firmware tables (ACPI or
 * a device tree), platform devices, and how PCI INTx and MSI reach its
 * interrupt controller.
 */
#ifndef MINIVMM_ARCH_H
#define MINIVMM_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;
struct irq_routes;
struct mem_region;
struct vcpu;
struct vm;

/* ---- Facts of the arch's guest-physical map the core needs ---- */

struct arch_layout {
	uint64_t ram_max;                    /* largest --mem */
	uint64_t pci_mmio32_base, pci_mmio32_size;
	uint64_t pci_mmio64_base, pci_mmio64_size;
	uint64_t pci_io_base, pci_io_size;   /* guest port (or PIO window) space for I/O BARs */
	uint64_t ecam_base;
	unsigned int ecam_buses;
	unsigned int gsi_msi_first;          /* GSIs below are the irqchip's own inputs */
	bool msi_devid;                      /* MSI routes carry a device ID (GICv3 ITS) */
	size_t cmdline_max;                  /* kernel command line, with its NUL */
	const char *status_cmdline;          /* tells guest init where the status register is */
};

extern const struct arch_layout arch_layout;

/* Pure: where @size bytes of guest RAM go; returns the number of regions. */
unsigned int arch_ram_regions(uint64_t size, struct mem_region *r, unsigned int max);

/* ---- The machine ---- */

/* Capabilities this arch cannot run without; logs the missing one. */
int arch_kvm_check(int kvm_fd);
/*
 * KVM_CREATE_VM's machine type (x86: 0; arm64: the guest-physical address
 * size its map needs). Logs why when this KVM cannot give it.
 */
int arch_vm_type(int kvm_fd, unsigned long *type);
/* After KVM_CREATE_VM: interrupt controller, timers, private pages. */
int arch_vm_create(struct vm *vm);
/*
 * Every vCPU exists (arch_vcpu_init done), no device yet: arm64 initializes
 * its GIC here (KVM wants every vCPU first, and irqfds need it initialized).
 */
int arch_vcpus_created(struct vm *vm);
void arch_vm_destroy(struct vm *vm);
/* Pure: the routes of the irqchip's own inputs (kept in every table). */
int arch_irq_default_routes(struct irq_routes *r);
/* The GSI a PCI function in @slot raises for INTx @pin (0 = INTA). */
unsigned int arch_pci_intx_gsi(unsigned int slot, unsigned int pin);
/* The address KVM's MSI route takes for one the guest wrote (x86: the extended destination ID moved to the x2APIC format). Pure. */
uint64_t arch_msi_route_address(uint64_t addr);
/* The vCPU an MSI message goes to (the lowest of several), -1 if unknown. Pure. */
int arch_msi_dest_cpu(uint64_t addr, uint32_t data);
/* Console UART, power and status registers, pvpanic, PCI config access. */
int arch_platform_devices(struct vm *vm);
/* Firmware tables for the guest, once every device exists. */
int arch_firmware(struct vm *vm);

/* ---- The kernel ---- */

struct arch_kernel;

/*
 * Open and check @path as a kernel this arch boots (before any VM exists);
 * on error a one-line message naming the problem and the fix is in @err.
 */
int arch_kernel_open(struct arch_kernel **k, const struct config *cfg, const char *path, char *err,
		     size_t errlen);
/*
 * Would the kernel, @cmdline and @initrd fit this VM's RAM? Checked before
 * any device is touched. 0 or -errno (logged).
 */
int arch_kernel_check(struct vm *vm, struct arch_kernel *k, const char *cmdline, const char *initrd);
/*
 * Put the kernel, @cmdline and @initrd (NULL: none) into guest RAM and point
 * the boot vCPU at it (the vCPUs and the firmware exist by then).
 */
int arch_kernel_load(struct vm *vm, struct arch_kernel *k, const char *cmdline, const char *initrd);
void arch_kernel_close(struct arch_kernel *k);

/* ---- vCPUs ---- */

/* After KVM_CREATE_VCPU, before any device: CPUID/MSRs or target and features. */
int arch_vcpu_init(struct vcpu *vcpu);
/* An exit the core does not handle. Returns false when the vCPU must stop. */
bool arch_vcpu_exit(struct vcpu *vcpu);
/* One line on where a stopped vCPU was (program counter, stack, interrupts). */
int arch_vcpu_describe(struct vcpu *vcpu, char *buf, size_t len);

#endif
