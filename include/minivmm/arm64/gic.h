/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The in-kernel vGICv3 and its ITS (Documentation/virt/kvm/devices/
 * arm-vgic-v3.rst, arm-vgic-its.rst), at the addresses of layout.h.
 * KVM's rules: the GIC exists before any vCPU runs; its addresses and
 * interrupt count are set before KVM_DEV_ARM_VGIC_CTRL_INIT, which comes
 * once every vCPU exists; irqfds are accepted only after it. arm64 builds only.
 */
#ifndef MINIVMM_ARM64_GIC_H
#define MINIVMM_ARM64_GIC_H

struct arm64_gic {
	int gic_fd, its_fd;          /* -1 when not created */
};

/*
 * Create the vGICv3 (distributor, one redistributor region of @ncpus
 * frames, LAYOUT_GIC_NR_IRQS interrupts) and the ITS on @vm_fd. Errors are
 * logged with the fix; the GIC may be half-built (arm64_gic_destroy).
 */
int arm64_gic_create(struct arm64_gic *g, int vm_fd, unsigned int ncpus);
/* KVM_DEV_ARM_VGIC_CTRL_INIT of the GIC, then the ITS: after the last vCPU exists. */
int arm64_gic_init(struct arm64_gic *g);
void arm64_gic_destroy(struct arm64_gic *g);

#endif
