// SPDX-License-Identifier: GPL-2.0-only
/*
 * The x86 KVM probe guest's ioctls: the VM's TSS and identity-map pages
 * (Intel's KVM needs them for real mode), the vCPU's CPUID (KVM refuses
 * EFER.LME without long mode in it) and its real-mode entry at PROBE_CODE.
 */
#include <errno.h>
#include <stdlib.h>

#include "minivmm/kvm.h"
#include "minivmm/x86/layout.h"
#include "minivmm/arch_probe.h"
#include "minivmm/x86/cpu.h"
#include "minivmm/x86/probe_guest.h"

#define PROBE_CPUID_ENTRIES 256

/* One ioctl; on failure *@call names it. */
#define probe_ioctl(fd, req, arg, call)                                                           \
	({                                                                                        \
		int ret_ = quiet_ioctl(fd, req, (void *)(arg));                                   \
		if (ret_ < 0)                                                                     \
			*(call) = #req;                                                           \
		ret_;                                                                             \
	})

int arch_probe_vm_setup(int vm_fd, const char **call)
{
	uint64_t ident = LAYOUT_KVM_IDENTITY_MAP;
	int ret;

	ret = probe_ioctl(vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &ident, call);
	if (ret < 0)
		return ret;
	ret = probe_ioctl(vm_fd, KVM_SET_TSS_ADDR, (unsigned long)LAYOUT_KVM_TSS, call);
	if (ret < 0)
		return ret;
	ret = probe_ioctl(vm_fd, KVM_CREATE_IRQCHIP, 0, call);
	return ret < 0 ? ret : 0;
}

static int probe_set_cpuid(int kvm_fd, int vcpu_fd, const char **call)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + PROBE_CPUID_ENTRIES * sizeof(c->entries[0]));
	int ret;

	if (!c)
		return -ENOMEM;
	c->nent = PROBE_CPUID_ENTRIES;
	ret = probe_ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c, call);
	if (ret >= 0) {
		cpu_cpuid_fixup(c, 0, 1);
		ret = probe_ioctl(vcpu_fd, KVM_SET_CPUID2, c, call);
	}
	free(c);
	return ret < 0 ? ret : 0;
}

int arch_probe_vcpu_setup(int kvm_fd, int vm_fd, int vcpu_fd, const char **call)
{
	struct kvm_regs regs = { .rflags = 0x2, .rip = PROBE_CODE };
	struct kvm_sregs sregs;
	int ret;

	(void)vm_fd; /* the irqchip exists since arch_probe_vm_setup */
	ret = probe_set_cpuid(kvm_fd, vcpu_fd, call);
	if (ret < 0)
		return ret;
	/* The reset state is real mode at f000:fff0; start at 0:PROBE_CODE instead. */
	ret = probe_ioctl(vcpu_fd, KVM_GET_SREGS, &sregs, call);
	if (ret < 0)
		return ret;
	sregs.cs.selector = 0;
	sregs.cs.base = 0;
	ret = probe_ioctl(vcpu_fd, KVM_SET_SREGS, &sregs, call);
	if (ret < 0)
		return ret;
	ret = probe_ioctl(vcpu_fd, KVM_SET_REGS, &regs, call);
	return ret < 0 ? ret : 0;
}

int arch_probe_vcpu_pc(int vcpu_fd, uint64_t *pc)
{
	struct kvm_regs regs;
	int ret = quiet_ioctl(vcpu_fd, KVM_GET_REGS, &regs);

	if (ret < 0)
		return ret;
	*pc = regs.rip;
	return 0;
}
