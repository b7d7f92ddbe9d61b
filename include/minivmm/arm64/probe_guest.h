/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The arm64 KVM probe guest (doctor's "KVM runs a guest"): a few
 * instructions at guest-physical 0, run at EL1 with the MMU off, that
 * report each step with a 32-bit store to PROBE_MMIO (no memory slot
 * there, so each is an MMIO exit):
 *   1 a store of 1 at PROBE_MMIO
 *   2 a load at PROBE_MMIO + 4 (the host answers PROBE_MMIO_MAGIC), stored
 *     back at PROBE_MMIO + 8
 *   3 PSCI_VERSION through HVC (KVM's PSCI): the version stored at PROBE_MMIO + 12
 *   4 PSCI SYSTEM_OFF through HVC: KVM_EXIT_SYSTEM_EVENT (shutdown)
 * The VM has a vGICv3 as minivmm's has (created once the vCPU exists) and
 * the runner's irqfd on it. The pure half (image, exits) is arm64_probe_*,
 * compiled everywhere; src/arch/arm64/probe_vcpu.c does the ioctls.
 */
#ifndef MINIVMM_ARM64_PROBE_GUEST_H
#define MINIVMM_ARM64_PROBE_GUEST_H

#include <linux/kvm.h>
#include <stddef.h>

#include "minivmm/arch_probe.h"

#define PROBE_RAM_SIZE 0x10000   /* 64 KiB at guest-physical 0: any host page size maps it */
#define PROBE_CODE 0x0           /* the vCPU's first PC */
#define PROBE_MMIO 0x100000      /* above the RAM: no memory slot */
#define PROBE_MMIO_MAGIC 0x5a17c0deu
#define PROBE_GUEST_STEPS 4
/* PSCI 0.2 is major 0, minor 2: (major << 16) | minor; negative values are errors. */
#define PROBE_PSCI_MIN 0x00000002u
/* The SPI the runner's irqfd is routed to (the guest does not wait for it). */
#define PROBE_SPI 0

size_t arm64_probe_ram_size(void);
int arm64_probe_build(void *ram, size_t len);
unsigned int arm64_probe_steps(void);
const char *arm64_probe_step_name(unsigned int step);
void arm64_probe_irq_route(struct kvm_irq_routing_entry *e, unsigned int gsi);
enum probe_next arm64_probe_exit(struct arch_probe_state *s, struct kvm_run *run, struct probe_result *r);

#endif
