// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "minivmm/arch.h"
#include "minivmm/irq.h"
#include "minivmm/kvm.h"
#include "minivmm/log.h"

/* Caller holds the lock. */
static int irq_commit(struct irq_router *ir)
{
	int ret;

	ir->commits++;
	ret = vmfd_ioctl(ir->vm_fd, KVM_SET_GSI_ROUTING, ir->routes.table);
	if (!ret)
		ir->dirty = false;
	return ret;
}

int irq_router_init(struct irq_router *ir, int vm_fd)
{
	int ret;

	memset(ir, 0, sizeof(*ir));
	ir->vm_fd = vm_fd;
	if (pthread_mutex_init(&ir->lock, NULL))
		return -ENOMEM;
	ir->lock_ready = true;
	ret = irq_routes_init(&ir->routes, arch_layout.gsi_msi_first, arch_layout.msi_devid);
	if (!ret)
		ret = arch_irq_default_routes(&ir->routes);
	if (!ret)
		ret = irq_commit(ir);
	return ret;
}

void irq_router_destroy(struct irq_router *ir)
{
	irq_routes_destroy(&ir->routes);
	if (ir->lock_ready)
		pthread_mutex_destroy(&ir->lock);
	ir->lock_ready = false;
}

int irq_msi_alloc(struct irq_router *ir, unsigned int *gsi)
{
	int ret;

	pthread_mutex_lock(&ir->lock);
	ret = irq_routes_alloc_msi(&ir->routes);
	pthread_mutex_unlock(&ir->lock);
	if (ret < 0) {
		pr_err("out of GSIs for MSI routes (KVM routes at most %d)", IRQ_MAX_ROUTES);
		return ret;
	}
	*gsi = ret;
	return 0;
}

int irq_msi_set(struct irq_router *ir, unsigned int gsi, const struct msi_msg *m)
{
	struct msi_msg route = *m;
	int ret;

	route.addr = arch_msi_route_address(m->addr);
	pthread_mutex_lock(&ir->lock);
	ret = irq_routes_set_msi(&ir->routes, gsi, &route);
	if (ret > 0) {
		ir->dirty = true;
		ir->msi_updates++;
	}
	pthread_mutex_unlock(&ir->lock);
	return ret < 0 ? ret : 0;
}

void irq_msi_free(struct irq_router *ir, unsigned int gsi)
{
	pthread_mutex_lock(&ir->lock);
	if (irq_routes_free_msi(&ir->routes, gsi) > 0)
		ir->dirty = true;
	pthread_mutex_unlock(&ir->lock);
}

int irq_flush(struct irq_router *ir)
{
	int ret = 0;

	pthread_mutex_lock(&ir->lock);
	if (ir->dirty)
		ret = irq_commit(ir);
	pthread_mutex_unlock(&ir->lock);
	return ret;
}

int irq_irqfd_assign(struct irq_router *ir, int fd, unsigned int gsi, int resample_fd)
{
	struct kvm_irqfd irqfd = { .fd = fd, .gsi = gsi };
	int ret = irq_flush(ir); /* KVM resolves the GSI's route now */

	if (ret)
		return ret;
	if (resample_fd >= 0) {
		irqfd.flags = KVM_IRQFD_FLAG_RESAMPLE;
		irqfd.resamplefd = resample_fd;
	}
	return vmfd_ioctl(ir->vm_fd, KVM_IRQFD, &irqfd);
}

int irq_irqfd_deassign(struct irq_router *ir, int fd, unsigned int gsi)
{
	struct kvm_irqfd irqfd = { .fd = fd, .gsi = gsi, .flags = KVM_IRQFD_FLAG_DEASSIGN };

	return vmfd_ioctl(ir->vm_fd, KVM_IRQFD, &irqfd);
}

int irq_set_line(struct irq_router *ir, unsigned int irq, int level)
{
	struct kvm_irq_level l = { .irq = irq, .level = level };

	return vmfd_ioctl(ir->vm_fd, KVM_IRQ_LINE, &l);
}
