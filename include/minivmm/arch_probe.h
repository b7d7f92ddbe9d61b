/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The KVM probe guest, the architecture's part of `minivmm doctor`'s
 * "KVM runs a guest" check: a program of a few hundred bytes that walks
 * through what a stock kernel does first and reports each step to the host,
 * how to build its image, what its exits mean, and the vCPU set-up it needs.
 * x86: src/arch/x86/probe_guest.{S,c} (pure), probe_vcpu.c (ioctls). The
 * generic runner (src/runner/kvm_probe.c) creates the VM, one RAM slot at
 * guest-physical 0, the vCPU and an irqfd, and runs the vCPU.
 */
#ifndef MINIVMM_ARCH_PROBE_H
#define MINIVMM_ARCH_PROBE_H

#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>

#include "minivmm/runner/kvm_probe.h"

/* Where the guest is in its protocol; zeroed before the first KVM_RUN. */
struct arch_probe_state {
	unsigned int done;       /* steps reported done */
	unsigned int phase;      /* the architecture's progress within a step */
};

/* What the runner does after an exit. */
enum probe_next {
	PROBE_NEXT_RUN,          /* KVM_RUN again */
	PROBE_NEXT_IRQ,          /* signal the irqfd, then KVM_RUN again */
	PROBE_NEXT_DONE,         /* every step done */
	PROBE_NEXT_FAIL,         /* the result is filled in */
};

/* Guest RAM the probe needs at guest-physical 0. */
size_t arch_probe_ram_size(void);
/* Pure: write the probe guest into @ram. -EINVAL when @len is too small. */
int arch_probe_build(void *ram, size_t len);
unsigned int arch_probe_steps(void);
/* Pure: step @step (1-based) in words, "?" out of range. */
const char *arch_probe_step_name(unsigned int step);
/* Pure: the route of the irqfd's GSI @gsi to the interrupt the guest waits for. */
void arch_probe_irq_route(struct kvm_irq_routing_entry *e, unsigned int gsi);
/*
 * Pure: one exit of the probe's vCPU. Fills @run's MMIO data when the
 * guest reads; on PROBE_NEXT_FAIL @r says how (r->done is kept by the caller
 * from @s).
 */
enum probe_next arch_probe_exit(struct arch_probe_state *s, struct kvm_run *run,
				 struct probe_result *r);

/* ioctls: -errno, with *@call the ioctl that failed. */
/* VM-wide set-up and the in-kernel irqchip (x86: TSS and identity-map pages, KVM_CREATE_IRQCHIP). */
int arch_probe_vm_setup(int vm_fd, const char **call);
/*
 * The vCPU at the probe's entry (x86: CPUID, real mode at PROBE_CODE;
 * arm64: its target, then the GIC, which wants its vCPUs first).
 */
int arch_probe_vcpu_setup(int kvm_fd, int vm_fd, int vcpu_fd, const char **call);
/* The vCPU's program counter, for a report. */
int arch_probe_vcpu_pc(int vcpu_fd, uint64_t *pc);

#endif
