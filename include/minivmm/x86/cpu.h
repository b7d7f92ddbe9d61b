/* SPDX-License-Identifier: GPL-2.0-only */
/* x86 vCPU set-up: CPUID with a topology matching the vCPU count, MSRs,
 * LAPIC LINT pins, FPU, and long-mode registers for the boot CPU. */
#ifndef MINIVMM_X86_CPU_H
#define MINIVMM_X86_CPU_H

#include <linux/kvm.h>
#include <stdint.h>

struct vcpu;
struct vm;

/*
 * Pure: rewrite the topology leaves of @cpuid (a copy of KVM's supported
 * list) for vCPU @apic_id of @ncpus, one thread per core, one package.
 */
void cpu_cpuid_fixup(struct kvm_cpuid2 *cpuid, unsigned int apic_id, unsigned int ncpus);
/* Pure: find an entry, NULL when absent. */
struct kvm_cpuid_entry2 *cpu_cpuid_find(struct kvm_cpuid2 *cpuid, uint32_t function, uint32_t index);
/* Bits needed to number @n cores (ceil(log2(n))). */
unsigned int cpu_order(unsigned int n);

/* KVM_GET_SUPPORTED_CPUID into vm->arch->cpuid. */
int cpu_get_supported(struct vm *vm);
/* The boot CPU in 64-bit long mode at @entry, %rsi = @boot_params (after the boot GDT is written). */
int cpu_set_long_mode(struct vcpu *vcpu, uint64_t entry, uint64_t boot_params);

#endif
