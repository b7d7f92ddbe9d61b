/* SPDX-License-Identifier: GPL-2.0-only */
/* The x86 machine's private state, reachable from struct vm (vm->arch). */
#ifndef MINIVMM_X86_MACHINE_H
#define MINIVMM_X86_MACHINE_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>

#include "minivmm/x86/boot.h"

struct arch_vm {
	struct kvm_cpuid2 *cpuid;    /* KVM_GET_SUPPORTED_CPUID; per-vCPU copies derive */
	uint64_t entry;              /* the boot CPU's first instruction */
	uint64_t rsdp;               /* where the ACPI tables start */
	bool x2apic_api;             /* KVM_CAP_X2APIC_API on: 32-bit APIC ids, extended MSI destinations */
};

/* A kernel x86 boots: a bzImage, or a vmlinux (direct boot). */
struct arch_kernel {
	struct boot_image img;
};

#endif
