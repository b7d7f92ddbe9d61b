// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <asm/kvm_para.h>
#include <stdlib.h>
#include <string.h>

#include "minivmm/arch.h"
#include "minivmm/kvm.h"
#include "minivmm/log.h"
#include "minivmm/vcpu.h"
#include "minivmm/vm.h"
#include "minivmm/x86/boot.h"
#include "minivmm/x86/cpu.h"
#include "minivmm/x86/layout.h"
#include "minivmm/x86/machine.h"

#define CPUID_MAX_ENTRIES 256

/* MSR numbers (Intel SDM vol. 4); the UAPI headers do not carry them. */
#define MSR_IA32_SYSENTER_CS 0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define MSR_IA32_MISC_ENABLE 0x1a0
#define MSR_IA32_MISC_ENABLE_FAST_STRING 1
#define MSR_MTRR_PHYS_BASE0 0x200
#define MSR_MTRR_PHYS_MASK0 0x201
#define MSR_MTRR_DEF_TYPE 0x2ff
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SYSCALL_MASK 0xc0000084
#define MSR_KERNEL_GS_BASE 0xc0000102

/* MTRR encodings the stock kernel expects sane. */
#define MTRR_DEF_TYPE_ENABLE (1u << 11)
#define MTRR_TYPE_WB 6
#define MTRR_TYPE_UC 0
#define MTRR_PHYS_MASK_VALID (1u << 11)

int cpu_get_supported(struct vm *vm)
{
	struct kvm_cpuid2 *c;
	int ret;

	c = calloc(1, sizeof(*c) + CPUID_MAX_ENTRIES * sizeof(c->entries[0]));
	if (!c)
		return -ENOMEM;
	c->nent = CPUID_MAX_ENTRIES;
	ret = kvm_ioctl(vm, KVM_GET_SUPPORTED_CPUID, c);
	if (ret < 0) {
		free(c);
		return ret;
	}
	vm->arch->cpuid = c;
	return 0;
}

static int cpu_set_cpuid(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	const struct kvm_cpuid2 *sup = vm->arch->cpuid;
	size_t sz = sizeof(*sup) + sup->nent * sizeof(sup->entries[0]);
	struct kvm_cpuid2 *c = malloc(sz);
	int ret;

	if (!c)
		return -ENOMEM;
	memcpy(c, sup, sz);
	cpu_cpuid_fixup(c, vcpu->id, vm->ncpus);
	/* Extended MSI destinations only where KVM decodes them (machine.c). */
	if (!vm->arch->x2apic_api) {
		struct kvm_cpuid_entry2 *e = cpu_cpuid_find(c, KVM_CPUID_FEATURES, 0);

		if (e)
			e->eax &= ~(1u << KVM_FEATURE_MSI_EXT_DEST_ID);
	}
	ret = vcpu_ioctl(vcpu, KVM_SET_CPUID2, c);
	free(c);
	return ret < 0 ? ret : 0;
}

static unsigned int cpu_phys_bits(struct vm *vm)
{
	struct kvm_cpuid_entry2 *e = cpu_cpuid_find(vm->arch->cpuid, 0x80000008, 0);

	return e && (e->eax & 0xff) ? e->eax & 0xff : 36;
}

static int cpu_set_msrs(struct vcpu *vcpu)
{
	uint64_t phys_mask = (1ULL << cpu_phys_bits(vcpu->vm)) - 1;
	/* MTRR 0 makes the 32-bit device hole uncached; the rest is WB. */
	uint64_t hole_size = 4 * GiB - LAYOUT_LOWMEM_END;
	const struct kvm_msr_entry entries[] = {
		{ .index = MSR_IA32_SYSENTER_CS },
		{ .index = MSR_IA32_SYSENTER_ESP },
		{ .index = MSR_IA32_SYSENTER_EIP },
		{ .index = MSR_STAR },
		{ .index = MSR_CSTAR },
		{ .index = MSR_LSTAR },
		{ .index = MSR_KERNEL_GS_BASE },
		{ .index = MSR_SYSCALL_MASK },
		{ .index = MSR_IA32_MISC_ENABLE, .data = MSR_IA32_MISC_ENABLE_FAST_STRING },
		{ .index = MSR_MTRR_DEF_TYPE, .data = MTRR_DEF_TYPE_ENABLE | MTRR_TYPE_WB },
		{ .index = MSR_MTRR_PHYS_BASE0, .data = LAYOUT_LOWMEM_END | MTRR_TYPE_UC },
		{ .index = MSR_MTRR_PHYS_MASK0,
		  .data = (~(hole_size - 1) & phys_mask) | MTRR_PHYS_MASK_VALID },
	};
	const unsigned int n = sizeof(entries) / sizeof(entries[0]);
	/* kvm_msrs ends in a flexible array: the entries follow it in one block. */
	struct kvm_msrs *msrs = malloc(sizeof(*msrs) + sizeof(entries));
	int ret;

	if (!msrs)
		return -ENOMEM;
	msrs->nmsrs = n;
	msrs->pad = 0;
	memcpy(msrs->entries, entries, sizeof(entries));
	ret = vcpu_ioctl(vcpu, KVM_SET_MSRS, msrs);
	if (ret >= 0 && (unsigned int)ret != n) {
		pr_err("KVM_SET_MSRS set %d of %u MSRs (stopped at %#x)", ret, n, entries[ret].index);
		ret = -EIO;
	}
	free(msrs);
	return ret < 0 ? ret : 0;
}

/* LINT0 delivers the PIC's ExtINT, LINT1 NMIs: what firmware would set. */
static int cpu_set_lapic(struct vcpu *vcpu)
{
	enum { APIC_LVT0 = 0x350, APIC_LVT1 = 0x360, APIC_MODE_EXTINT = 7, APIC_MODE_NMI = 4 };
	struct kvm_lapic_state lapic;
	uint32_t *lvt0 = (uint32_t *)&lapic.regs[APIC_LVT0];
	uint32_t *lvt1 = (uint32_t *)&lapic.regs[APIC_LVT1];
	int ret;

	ret = vcpu_ioctl(vcpu, KVM_GET_LAPIC, &lapic);
	if (ret < 0)
		return ret;
	*lvt0 = (*lvt0 & ~0x700u) | (APIC_MODE_EXTINT << 8);
	*lvt1 = (*lvt1 & ~0x700u) | (APIC_MODE_NMI << 8);
	ret = vcpu_ioctl(vcpu, KVM_SET_LAPIC, &lapic);
	return ret < 0 ? ret : 0;
}

static int cpu_set_fpu(struct vcpu *vcpu)
{
	struct kvm_fpu fpu = { .fcw = 0x37f, .mxcsr = 0x1f80 };
	int ret = vcpu_ioctl(vcpu, KVM_SET_FPU, &fpu);

	return ret < 0 ? ret : 0;
}

static void seg_from_gdt(struct kvm_segment *s, unsigned int index, uint64_t desc)
{
	*s = (struct kvm_segment){
		.base = ((desc >> 16) & 0xffffff) | (((desc >> 56) & 0xff) << 24),
		.limit = (uint32_t)((desc & 0xffff) | (((desc >> 48) & 0xf) << 16)),
		.selector = index * 8,
		.type = (desc >> 40) & 0xf,
		.present = (desc >> 47) & 1,
		.dpl = (desc >> 45) & 3,
		.db = (desc >> 54) & 1,
		.s = (desc >> 44) & 1,
		.l = (desc >> 53) & 1,
		.g = (desc >> 55) & 1,
	};
	if (s->g)
		s->limit = (s->limit << 12) | 0xfff;
}

/* Long mode with paging on the identity tables, as the 64-bit boot protocol wants. */
int cpu_set_long_mode(struct vcpu *vcpu, uint64_t entry, uint64_t boot_params)
{
	const uint64_t *gdt = mem_gpa_to_hva(&vcpu->vm->mem, LAYOUT_BOOT_GDT, 8 * BOOT_GDT_ENTRIES);
	struct kvm_sregs sregs;
	struct kvm_regs regs = {
		.rflags = 0x2,
		.rip = entry,
		.rsi = boot_params,
		.rsp = LAYOUT_BOOT_STACK,
		.rbp = LAYOUT_BOOT_STACK,
	};
	int ret;

	if (!gdt)
		return -EFAULT;
	ret = vcpu_ioctl(vcpu, KVM_GET_SREGS, &sregs);
	if (ret < 0)
		return ret;
	seg_from_gdt(&sregs.cs, BOOT_GDT_CODE, gdt[BOOT_GDT_CODE]);
	seg_from_gdt(&sregs.ds, BOOT_GDT_DATA, gdt[BOOT_GDT_DATA]);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	seg_from_gdt(&sregs.tr, BOOT_GDT_TSS, gdt[BOOT_GDT_TSS]);
	sregs.gdt.base = LAYOUT_BOOT_GDT;
	sregs.gdt.limit = 8 * BOOT_GDT_ENTRIES - 1;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	sregs.cr3 = LAYOUT_BOOT_PML4;
	sregs.cr4 |= 1u << 5;                       /* PAE */
	sregs.cr0 |= (1u << 0) | (1u << 31);        /* PE, PG */
	sregs.efer |= (1u << 8) | (1u << 10);       /* LME, LMA */
	ret = vcpu_ioctl(vcpu, KVM_SET_SREGS, &sregs);
	if (ret < 0)
		return ret;
	ret = vcpu_ioctl(vcpu, KVM_SET_REGS, &regs);
	return ret < 0 ? ret : 0;
}

int arch_vcpu_init(struct vcpu *vcpu)
{
	int ret;

	ret = cpu_set_cpuid(vcpu);
	if (!ret)
		ret = cpu_set_msrs(vcpu);
	if (!ret)
		ret = cpu_set_lapic(vcpu);
	if (!ret)
		ret = cpu_set_fpu(vcpu);
	/* The boot CPU's registers come with the kernel (arch_kernel_load);
	 * application processors wait for INIT/SIPI in the in-kernel LAPIC. */
	return ret;
}

bool arch_vcpu_exit(struct vcpu *vcpu)
{
	struct runstate *run = &vcpu->vm->run;

	switch (vcpu->run->exit_reason) {
	case KVM_EXIT_SHUTDOWN:
		/* A triple fault; after a panic it is how the kernel resets. */
		vcpu->shut_down = true;
		if (atomic_load(&run->panic_seen))
			runstate_stop(run, EXIT_GUEST_CRASH, "%s", run->panic_msg);
		else
			runstate_stop(run, EXIT_GUEST_CRASH, "guest triple fault on vCPU %u", vcpu->id);
		return false;
	default:
		runstate_stop(run, EXIT_GUEST_CRASH, "unexpected exit %s (%u) on vCPU %u",
			      vcpu_exit_name(vcpu->run->exit_reason) ?: "?", vcpu->run->exit_reason, vcpu->id);
		return false;
	}
}

/* Up to STACK_WORDS 64-bit words from guest-virtual @rsp up to the end of
 * its page, as ", stack W0 W1 ..."; nothing where the guest's page tables
 * do not map @rsp to RAM (KVM_TRANSLATE, whose failure is no error here). */
#define STACK_WORDS 8
static void describe_stack(struct vcpu *vcpu, uint64_t rsp, char *buf, size_t len)
{
	struct kvm_translation tr = { .linear_address = rsp };
	unsigned int nwords = (4096 - (rsp & 4095)) / 8;
	const uint64_t *w;
	size_t n;

	if (rsp & 7 || quiet_ioctl(vcpu->fd, KVM_TRANSLATE, &tr) < 0 || !tr.valid)
		return;
	if (nwords > STACK_WORDS)
		nwords = STACK_WORDS;
	w = mem_gpa_to_hva(&vcpu->vm->mem, tr.physical_address, nwords * 8);
	if (!w)
		return;
	n = snprintf(buf, len, ", stack");
	for (unsigned int i = 0; i < nwords && n < len; i++)
		n += snprintf(buf + n, len - n, " %#llx", (unsigned long long)w[i]);
}

int arch_vcpu_describe(struct vcpu *vcpu, char *buf, size_t len)
{
	static const char *const mp_names[] = {
		[KVM_MP_STATE_RUNNABLE] = "running", [KVM_MP_STATE_UNINITIALIZED] = "not started",
		[KVM_MP_STATE_INIT_RECEIVED] = "in INIT", [KVM_MP_STATE_HALTED] = "halted",
		[KVM_MP_STATE_SIPI_RECEIVED] = "SIPI received",
	};
	struct kvm_mp_state mp = { 0 };
	struct kvm_regs regs;
	int ret, n;

	ret = vcpu_ioctl(vcpu, KVM_GET_REGS, &regs);
	if (ret < 0)
		return ret;
	ret = vcpu_ioctl(vcpu, KVM_GET_MP_STATE, &mp);
	if (ret < 0)
		return ret;
	n = snprintf(buf, len, "vCPU %u: %s, rip %#llx rsp %#llx rflags %#llx (interrupts %s)", vcpu->id,
		 /* AMD's KVM resets a vCPU that triple-faulted: its registers say nothing. */
		 vcpu->shut_down ? "triple-faulted (registers as after reset)" :
		 mp.mp_state < sizeof(mp_names) / sizeof(mp_names[0]) && mp_names[mp.mp_state] ?
			 mp_names[mp.mp_state] : "in an unknown state",
		 (unsigned long long)regs.rip, (unsigned long long)regs.rsp, (unsigned long long)regs.rflags,
		 regs.rflags & (1u << 9) ? "on" : "off");
	/* A halted or stuck vCPU: the words on top of its stack hold the return
	 * addresses that say who halted it (the guest's System.map names them). */
	if (!vcpu->shut_down && (mp.mp_state == KVM_MP_STATE_RUNNABLE || mp.mp_state == KVM_MP_STATE_HALTED) &&
	    n > 0 && (size_t)n < len)
		describe_stack(vcpu, regs.rsp, buf + n, len - n);
	return 0;
}
