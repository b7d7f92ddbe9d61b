// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "minivmm/irq.h"
#include "minivmm/kvm.h"
#include "minivmm/x86/layout.h"
#include "minivmm/log.h"
#include "minivmm/vm.h"

/* Caller holds the lock. */
static int irq_commit(struct vm *vm)
{
	vm->irq.commits++;
	return vm_ioctl(vm, KVM_SET_GSI_ROUTING, vm->irq.routes.table);
}

int irq_router_init(struct vm *vm)
{
	int ret;

	if (pthread_mutex_init(&vm->irq.lock, NULL))
		return -ENOMEM;
	vm->irq.lock_ready = true;
	ret = irq_routes_init(&vm->irq.routes);
	if (!ret)
		ret = irq_commit(vm);
	return ret;
}

void irq_router_destroy(struct vm *vm)
{
	irq_routes_destroy(&vm->irq.routes);
	if (vm->irq.lock_ready)
		pthread_mutex_destroy(&vm->irq.lock);
	vm->irq.lock_ready = false;
}

int irq_msi_alloc(struct vm *vm, unsigned int *gsi)
{
	int ret;

	pthread_mutex_lock(&vm->irq.lock);
	ret = irq_routes_alloc_msi(&vm->irq.routes);
	pthread_mutex_unlock(&vm->irq.lock);
	if (ret < 0) {
		pr_err("out of GSIs for MSI routes");
		return ret;
	}
	*gsi = ret;
	return 0;
}

int irq_msi_update(struct vm *vm, unsigned int gsi, uint64_t addr, uint32_t data)
{
	int ret;

	pthread_mutex_lock(&vm->irq.lock);
	ret = irq_routes_set_msi(&vm->irq.routes, gsi, addr, data);
	if (!ret)
		ret = irq_commit(vm);
	pthread_mutex_unlock(&vm->irq.lock);
	return ret;
}

void irq_msi_free(struct vm *vm, unsigned int gsi)
{
	pthread_mutex_lock(&vm->irq.lock);
	bool had_route = irq_routes_find(&vm->irq.routes, gsi, KVM_IRQ_ROUTING_MSI);
	irq_routes_free_msi(&vm->irq.routes, gsi);
	if (had_route)
		irq_commit(vm);
	pthread_mutex_unlock(&vm->irq.lock);
}

int irq_irqfd_assign(struct vm *vm, int fd, unsigned int gsi, int resample_fd)
{
	struct kvm_irqfd irqfd = { .fd = fd, .gsi = gsi };

	if (resample_fd >= 0) {
		irqfd.flags = KVM_IRQFD_FLAG_RESAMPLE;
		irqfd.resamplefd = resample_fd;
	}
	return vm_ioctl(vm, KVM_IRQFD, &irqfd);
}

int irq_irqfd_deassign(struct vm *vm, int fd, unsigned int gsi)
{
	struct kvm_irqfd irqfd = { .fd = fd, .gsi = gsi, .flags = KVM_IRQFD_FLAG_DEASSIGN };

	return vm_ioctl(vm, KVM_IRQFD, &irqfd);
}

int irq_signal_msi(struct vm *vm, uint64_t addr, uint32_t data)
{
	struct kvm_msi msi = { .address_lo = (uint32_t)addr, .address_hi = (uint32_t)(addr >> 32), .data = data };
	int ret = vm_ioctl(vm, KVM_SIGNAL_MSI, &msi);

	return ret < 0 ? ret : 0;
}
