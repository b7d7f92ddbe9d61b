/* SPDX-License-Identifier: GPL-2.0-only */
/* The arm64 machine's private state, reachable from struct vm (vm->arch). arm64 builds only. */
#ifndef MINIVMM_ARM64_MACHINE_H
#define MINIVMM_ARM64_MACHINE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "minivmm/arm64/gic.h"
#include "minivmm/arm64/image.h"

struct arch_vm {
	struct arm64_gic gic;        /* vGICv3 + ITS */
	uint64_t *mpidr;             /* each vCPU's MPIDR_EL1, read after KVM_ARM_VCPU_INIT */
	uint64_t mmfr0;              /* vCPU 0's ID_AA64MMFR0_EL1: the granules the guest may use */
	uint64_t dtb_addr;           /* the device tree, in the last 2 MiB block of RAM */
	size_t dtb_max;
};

/* A kernel arm64 boots: an Image (decompressed into a file first when it came compressed). */
struct arch_kernel {
	int fd;                      /* the Image; -1 when not open */
	struct arm64_image img;
};

struct vcpu;

/* Pure-ish helpers of cpu.c the machine uses. */
/* Point the boot vCPU at @entry with x0 = @dtb (booting.rst: x1-x3 zero, MMU off, EL1h). */
int arm64_vcpu_boot(struct vcpu *vcpu, uint64_t entry, uint64_t dtb);

#endif
