// SPDX-License-Identifier: GPL-2.0-only
/* Pure CPUID editing: the topology a guest of N vCPUs should see. */
#include <stddef.h>

#include "minivmm/x86/cpu.h"

/* CPUID bits used below (Intel SDM vol. 2, AMD APM vol. 3). */
#define CPUID_1_EDX_HTT (1u << 28)
#define CPUID_1_ECX_HYPERVISOR (1u << 31)
#define CPUID_80000001_ECX_CMP_LEGACY (1u << 1)
#define CPUID_0B_TYPE_SMT 1
#define CPUID_0B_TYPE_CORE 2

struct kvm_cpuid_entry2 *cpu_cpuid_find(struct kvm_cpuid2 *cpuid, uint32_t function, uint32_t index)
{
	for (uint32_t i = 0; i < cpuid->nent; i++) {
		struct kvm_cpuid_entry2 *e = &cpuid->entries[i];

		if (e->function != function)
			continue;
		if ((e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) && e->index != index)
			continue;
		return e;
	}
	return NULL;
}

unsigned int cpu_order(unsigned int n)
{
	unsigned int bits = 0;

	while ((1u << bits) < n)
		bits++;
	return bits;
}

void cpu_cpuid_fixup(struct kvm_cpuid2 *cpuid, unsigned int apic_id, unsigned int ncpus)
{
	unsigned int core_bits = cpu_order(ncpus);

	for (uint32_t i = 0; i < cpuid->nent; i++) {
		struct kvm_cpuid_entry2 *e = &cpuid->entries[i];

		switch (e->function) {
		case 0x1:
			/* Initial APIC id, logical processors per package. */
			/* Initial APIC id: its low 8 bits (leaf 0xb has all 32). */
			e->ebx = (e->ebx & 0xffff) | ((apic_id & 0xff) << 24) | ((ncpus > 0xff ? 0xff : ncpus) << 16);
			if (ncpus > 1)
				e->edx |= CPUID_1_EDX_HTT;
			else
				e->edx &= ~CPUID_1_EDX_HTT;
			e->ecx |= CPUID_1_ECX_HYPERVISOR;
			break;
		case 0x4: {
			/* Deterministic cache parameters: cores per package, and
			 * which caches are shared (the last level by every core). */
			unsigned int level = (e->eax >> 5) & 7;
			unsigned int sharing = level >= 3 ? ncpus - 1 : 0;

			if (!(e->eax & 0x1f))
				break; /* no more caches */
			e->eax &= 0x3fff;
			e->eax |= ((ncpus - 1 > 63 ? 63 : ncpus - 1) << 26) | ((sharing & 0xfff) << 14);
			break;
		}
		case 0xb:
		case 0x1f:
			/* Extended topology: level 0 SMT (1 thread), level 1 cores. */
			e->edx = apic_id;
			if (e->index == 0) {
				e->eax = 0;
				e->ebx = 1;
				e->ecx = (CPUID_0B_TYPE_SMT << 8) | 0;
			} else if (e->index == 1) {
				e->eax = core_bits;
				e->ebx = ncpus;
				e->ecx = (CPUID_0B_TYPE_CORE << 8) | 1;
			} else {
				e->eax = e->ebx = 0;
				e->ecx = e->index;
			}
			break;
		case 0x80000001:
			if (ncpus > 1)
				e->ecx |= CPUID_80000001_ECX_CMP_LEGACY;
			else
				e->ecx &= ~CPUID_80000001_ECX_CMP_LEGACY;
			break;
		case 0x80000008:
			/* AMD: NC = cores - 1, ApicIdCoreIdSize. */
			e->ecx = (e->ecx & ~0xf0ffu) | (core_bits << 12) | ((ncpus - 1) & 0xff);
			break;
		case 0x8000001d: {
			unsigned int level = (e->eax >> 5) & 7;

			if (!(e->eax & 0x1f))
				break;
			e->eax &= ~(0xfffu << 14);
			e->eax |= ((level >= 3 ? ncpus - 1 : 0) & 0xfff) << 14;
			break;
		}
		case 0x8000001e:
			/* Extended APIC id; core id; one thread per core; node 0. */
			e->eax = apic_id;
			e->ebx = apic_id & 0xff;
			e->ecx = 0;
			break;
		}
	}
}

