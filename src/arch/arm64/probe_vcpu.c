// SPDX-License-Identifier: GPL-2.0-only
/*
 * The arm64 KVM probe guest's ioctls and arch_probe.h entry points: the
 * vCPU's preferred target with PSCI 0.2, its PC, and a vGICv3 (made after
 * the vCPU, as KVM wants, so that the runner's irqfd is accepted).
 */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include "minivmm/arch_probe.h"
#include "minivmm/arm64/gic.h"
#include "minivmm/arm64/probe_guest.h"
#include "minivmm/kvm.h"

#define REG_PC (KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | KVM_REG_ARM_CORE_REG(regs.pc))

/* One ioctl; on failure *@call names it. */
#define probe_ioctl(fd, req, arg, call)                                                           \
	({                                                                                        \
		int ret_ = quiet_ioctl(fd, req, (void *)(arg));                                   \
		if (ret_ < 0)                                                                     \
			*(call) = #req;                                                           \
		ret_;                                                                             \
	})

size_t arch_probe_ram_size(void)
{
	return arm64_probe_ram_size();
}

int arch_probe_build(void *ram, size_t len)
{
	return arm64_probe_build(ram, len);
}

unsigned int arch_probe_steps(void)
{
	return arm64_probe_steps();
}

const char *arch_probe_step_name(unsigned int step)
{
	return arm64_probe_step_name(step);
}

void arch_probe_irq_route(struct kvm_irq_routing_entry *e, unsigned int gsi)
{
	arm64_probe_irq_route(e, gsi);
}

enum probe_next arch_probe_exit(struct arch_probe_state *s, struct kvm_run *run, struct probe_result *r)
{
	return arm64_probe_exit(s, run, r);
}

int arch_probe_vm_setup(int vm_fd, const char **call)
{
	(void)vm_fd; /* the GIC comes after the vCPU (arch_probe_vcpu_setup) */
	(void)call;
	return 0;
}

int arch_probe_vcpu_setup(int kvm_fd, int vm_fd, int vcpu_fd, const char **call)
{
	struct kvm_vcpu_init init = { 0 };
	uint64_t pc = PROBE_CODE;
	struct kvm_one_reg reg = { .id = REG_PC, .addr = (uint64_t)(uintptr_t)&pc };
	struct arm64_gic gic;
	int ret;

	(void)kvm_fd;
	ret = probe_ioctl(vm_fd, KVM_ARM_PREFERRED_TARGET, &init, call);
	if (ret < 0)
		return ret;
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	ret = probe_ioctl(vcpu_fd, KVM_ARM_VCPU_INIT, &init, call);
	if (ret < 0)
		return ret;
	ret = probe_ioctl(vcpu_fd, KVM_SET_ONE_REG, &reg, call);
	if (ret < 0)
		return ret;
	/* minivmm's GIC, as a boot has it; the VM keeps it after its fds close. */
	ret = arm64_gic_create(&gic, vm_fd, 1);
	if (!ret)
		ret = arm64_gic_init(&gic);
	arm64_gic_destroy(&gic);
	if (ret < 0)
		*call = "KVM_CREATE_DEVICE (vGICv3 + ITS) / KVM_SET_DEVICE_ATTR";
	return ret < 0 ? ret : 0;
}

int arch_probe_vcpu_pc(int vcpu_fd, uint64_t *pc)
{
	struct kvm_one_reg reg = { .id = REG_PC, .addr = (uint64_t)(uintptr_t)pc };
	int ret = quiet_ioctl(vcpu_fd, KVM_GET_ONE_REG, &reg);

	return ret < 0 ? ret : 0;
}
