// SPDX-License-Identifier: GPL-2.0-only
/*
 * arm64 vCPUs: KVM's preferred target with PSCI 0.2+ (secondaries powered
 * off until the guest's PSCI CPU_ON), the boot CPU's entry registers,
 * arm64-only exits and register dumps.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "minivmm/arch.h"
#include "minivmm/arm64/machine.h"
#include "minivmm/kvm.h"
#include "minivmm/log.h"
#include "minivmm/vcpu.h"
#include "minivmm/vm.h"

#define CORE_REG(name) (KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | KVM_REG_ARM_CORE_REG(name))
#define REG_PC CORE_REG(regs.pc)
#define REG_X0 CORE_REG(regs.regs[0])
#define REG_SP_EL0 CORE_REG(regs.sp)
#define REG_SP_EL1 CORE_REG(sp_el1)
#define REG_PSTATE CORE_REG(regs.pstate)
/* MPIDR_EL1 and ID_AA64MMFR0_EL1 (op0, op1, CRn, CRm, op2). */
#define REG_MPIDR ARM64_SYS_REG(3, 0, 0, 0, 5)
#define REG_MMFR0 ARM64_SYS_REG(3, 0, 0, 7, 0)
/* MPIDR_EL1's affinity fields: Aff3 [39:32], Aff2..Aff0 [23:0]. */
#define MPIDR_AFF_MASK 0xff00ffffffULL
/* PSTATE: the mode field and the IRQ mask. */
#define PSTATE_MODE_MASK 0xfULL
#define PSTATE_I (1ULL << 7)

static int get_reg(struct vcpu *vcpu, uint64_t id, uint64_t *val)
{
	struct kvm_one_reg r = { .id = id, .addr = (uint64_t)(uintptr_t)val };

	return vcpu_ioctl(vcpu, KVM_GET_ONE_REG, &r);
}

static int set_reg(struct vcpu *vcpu, uint64_t id, uint64_t val)
{
	struct kvm_one_reg r = { .id = id, .addr = (uint64_t)(uintptr_t)&val };

	return vcpu_ioctl(vcpu, KVM_SET_ONE_REG, &r);
}

int arch_vcpu_init(struct vcpu *vcpu)
{
	struct arch_vm *a = vcpu->vm->arch;
	struct kvm_vcpu_init init = { 0 };
	uint64_t mpidr;
	int ret;

	ret = vm_ioctl(vcpu->vm, KVM_ARM_PREFERRED_TARGET, &init);
	if (ret < 0)
		return ret;
	/* PSCI 0.2+ (KVM answers the guest's HVCs, SYSTEM_OFF/RESET come as
	 * system events); every CPU but the first waits for CPU_ON. */
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	if (vcpu->id)
		init.features[0] |= 1u << KVM_ARM_VCPU_POWER_OFF;
	ret = vcpu_ioctl(vcpu, KVM_ARM_VCPU_INIT, &init);
	if (ret < 0)
		return ret;
	ret = get_reg(vcpu, REG_MPIDR, &mpidr);
	if (ret < 0)
		return ret;
	/* The device tree's cpu nodes name the affinity KVM gave (arch_firmware runs after this). */
	a->mpidr[vcpu->id] = mpidr & MPIDR_AFF_MASK;
	if (!vcpu->id) {
		ret = get_reg(vcpu, REG_MMFR0, &a->mmfr0);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int arm64_vcpu_boot(struct vcpu *vcpu, uint64_t entry, uint64_t dtb)
{
	/* KVM_ARM_VCPU_INIT reset the vCPU to EL1h, DAIF masked, MMU off, x1-x3 zero. */
	int ret = set_reg(vcpu, REG_X0, dtb);

	if (!ret)
		ret = set_reg(vcpu, REG_PC, entry);
	return ret < 0 ? ret : 0;
}

bool arch_vcpu_exit(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct runstate *rs = &vcpu->vm->run;

	switch (run->exit_reason) {
	case KVM_EXIT_ARM_NISV:
		/* A load/store pair, writeback or similar to MMIO: no syndrome to emulate it from. */
		runstate_stop(rs, EXIT_GUEST_CRASH,
			      "vCPU %u accessed MMIO at %#llx with an instruction KVM cannot decode (ESR ISS %#llx)",
			      vcpu->id, (unsigned long long)run->arm_nisv.fault_ipa,
			      (unsigned long long)run->arm_nisv.esr_iss);
		return false;
	default:
		runstate_stop(rs, EXIT_GUEST_CRASH, "unexpected exit %s (%u) on vCPU %u",
			      vcpu_exit_name(run->exit_reason) ?: "?", run->exit_reason, vcpu->id);
		return false;
	}
}

static const char *el_name(uint64_t pstate)
{
	static const char *const modes[16] = {
		[0x0] = "EL0t", [0x4] = "EL1t", [0x5] = "EL1h", [0x8] = "EL2t", [0x9] = "EL2h",
	};

	if (pstate & (1ULL << 4))
		return "AArch32";
	return modes[pstate & PSTATE_MODE_MASK] ?: "?";
}

int arch_vcpu_describe(struct vcpu *vcpu, char *buf, size_t len)
{
	struct kvm_mp_state mp = { 0 };
	uint64_t pc, pstate, sp;
	const char *state;
	int ret;

	ret = get_reg(vcpu, REG_PC, &pc);
	if (!ret)
		ret = get_reg(vcpu, REG_PSTATE, &pstate);
	/* The stack pointer of the mode it was in: SP_EL1 in EL1h, else SP_EL0. */
	if (!ret)
		ret = get_reg(vcpu, (pstate & PSTATE_MODE_MASK) == 0x5 ? REG_SP_EL1 : REG_SP_EL0, &sp);
	if (!ret)
		ret = vcpu_ioctl(vcpu, KVM_GET_MP_STATE, &mp);
	if (ret < 0)
		return ret;
	state = mp.mp_state == KVM_MP_STATE_RUNNABLE ? "running" :
		mp.mp_state == KVM_MP_STATE_STOPPED ? "powered off (PSCI)" :
		mp.mp_state == KVM_MP_STATE_SUSPENDED ? "suspended (PSCI)" : "in an unknown state";
	snprintf(buf, len, "vCPU %u: %s, pc %#llx sp %#llx pstate %#llx (%s, interrupts %s)", vcpu->id, state,
		 (unsigned long long)pc, (unsigned long long)sp, (unsigned long long)pstate, el_name(pstate),
		 pstate & PSTATE_I ? "off" : "on");
	return 0;
}
