// SPDX-License-Identifier: GPL-2.0-only
/* The vGICv3 and its ITS as KVM devices (include/minivmm/arm64/gic.h). */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "minivmm/arm64/board.h"
#include "minivmm/arm64/gic.h"
#include "minivmm/arm64/layout.h"
#include "minivmm/kvm.h"
#include "minivmm/log.h"

/* KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION's value: count [63:52], base [51:16], flags [15:12], index [11:0]. */
#define REDIST_REGION_COUNT_SHIFT 52
#define REDIST_REGION_BASE_MASK 0x000fffffffff0000ULL

/* The uapi sizes below are in SZ_64K, which only the kernel defines. */
#ifndef SZ_64K
#define SZ_64K 0x10000
#endif
_Static_assert(LAYOUT_GICR_FRAME == KVM_VGIC_V3_REDIST_SIZE, "a redistributor is KVM's two frames");
_Static_assert(LAYOUT_GICD_SIZE == KVM_VGIC_V3_DIST_SIZE, "the distributor is KVM's size");
_Static_assert(LAYOUT_GITS_SIZE == KVM_VGIC_V3_ITS_SIZE, "the ITS is KVM's size");
_Static_assert(LAYOUT_IRQ_LINE_TYPE_SHIFT == KVM_ARM_IRQ_TYPE_SHIFT && LAYOUT_IRQ_LINE_TYPE_SPI == KVM_ARM_IRQ_TYPE_SPI,
	       "layout.h encodes KVM_IRQ_LINE as KVM does");

static int create_device(int vm_fd, unsigned int type, const char *name, int *fd)
{
	struct kvm_create_device cd = { .type = type };
	int ret = quiet_ioctl(vm_fd, KVM_CREATE_DEVICE, &cd);

	if (ret < 0) {
		pr_err("KVM cannot create the %s (KVM_CREATE_DEVICE: %s): minivmm needs a host with a GICv3 and a kernel with KVM's vGICv3",
		       name, strerror(-ret));
		return ret;
	}
	*fd = (int)cd.fd;
	return 0;
}

static int set_attr(int fd, unsigned int group, uint64_t attr, const void *val, const char *what)
{
	struct kvm_device_attr a = { .group = group, .attr = attr, .addr = (uint64_t)(uintptr_t)val };
	int ret = quiet_ioctl(fd, KVM_SET_DEVICE_ATTR, &a);

	if (ret < 0)
		pr_err("KVM refused the GIC's %s (KVM_SET_DEVICE_ATTR: %s)", what, strerror(-ret));
	return ret;
}

int arm64_gic_create(struct arm64_gic *g, int vm_fd, unsigned int ncpus)
{
	const uint64_t dist = LAYOUT_GICD_START, its = LAYOUT_GITS_START;
	const uint64_t redist = ((uint64_t)ncpus << REDIST_REGION_COUNT_SHIFT) |
				(LAYOUT_GICR_START & REDIST_REGION_BASE_MASK);
	const uint32_t nr_irqs = LAYOUT_GIC_NR_IRQS;
	int ret;

	g->gic_fd = g->its_fd = -1;
	if (!arm64_gic_cpus_ok(ncpus)) {
		pr_err("a GICv3 holds at most %d vCPUs here: use --cpus %d or fewer", LAYOUT_GICR_MAX_CPUS,
		       LAYOUT_GICR_MAX_CPUS);
		return -EINVAL;
	}
	ret = create_device(vm_fd, KVM_DEV_TYPE_ARM_VGIC_V3, "vGICv3 (KVM_DEV_TYPE_ARM_VGIC_V3)", &g->gic_fd);
	if (!ret)
		ret = set_attr(g->gic_fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST, &dist,
			       "distributor address");
	if (!ret)
		ret = set_attr(g->gic_fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION, &redist,
			       "redistributor region");
	if (!ret)
		ret = set_attr(g->gic_fd, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr_irqs, "interrupt count");
	if (!ret)
		ret = create_device(vm_fd, KVM_DEV_TYPE_ARM_VGIC_ITS, "GIC ITS (KVM_DEV_TYPE_ARM_VGIC_ITS)", &g->its_fd);
	if (!ret)
		ret = set_attr(g->its_fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_ITS_ADDR_TYPE, &its, "ITS address");
	return ret;
}

int arm64_gic_init(struct arm64_gic *g)
{
	int ret = set_attr(g->gic_fd, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL, "initialization");

	if (!ret)
		ret = set_attr(g->its_fd, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL,
			       "ITS initialization");
	return ret;
}

void arm64_gic_destroy(struct arm64_gic *g)
{
	if (g->its_fd >= 0)
		close(g->its_fd);
	if (g->gic_fd >= 0)
		close(g->gic_fd);
	g->gic_fd = g->its_fd = -1;
}
