/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * GSI routing and irqfds. The routing table always holds the in-kernel
 * irqchip's default routes (ISA IRQs to PIC+IOAPIC, IOAPIC pins 16-23)
 * plus one MSI route per live device vector, from LAYOUT_GSI_MSI_FIRST up.
 * The table logic is pure; irq_commit() hands it to KVM.
 */
#ifndef MINIVMM_IRQ_H
#define MINIVMM_IRQ_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define IRQ_MAX_GSI 1024

struct irq_routes {
	struct kvm_irq_routing *table;  /* entries sorted as added */
	unsigned int cap;
	uint64_t msi_used[IRQ_MAX_GSI / 64]; /* allocated MSI GSIs */
};

/* Pure table operations. */
int irq_routes_init(struct irq_routes *r);
void irq_routes_destroy(struct irq_routes *r);
/* Lowest free MSI GSI, or -ENOSPC. */
int irq_routes_alloc_msi(struct irq_routes *r);
/* Add or replace @gsi's MSI route. */
int irq_routes_set_msi(struct irq_routes *r, unsigned int gsi, uint64_t addr, uint32_t data);
/* Drop @gsi's route and free the GSI. */
void irq_routes_free_msi(struct irq_routes *r, unsigned int gsi);
const struct kvm_irq_routing_entry *irq_routes_find(const struct irq_routes *r, unsigned int gsi,
						    uint32_t type);

struct vm;

/* Per-VM router: the table under a lock, committed with KVM_SET_GSI_ROUTING. */
struct irq_router {
	pthread_mutex_t lock;
	bool lock_ready;
	struct irq_routes routes;
	uint64_t commits;            /* --stats */
};

int irq_router_init(struct vm *vm);
void irq_router_destroy(struct vm *vm);
int irq_msi_alloc(struct vm *vm, unsigned int *gsi);
int irq_msi_update(struct vm *vm, unsigned int gsi, uint64_t addr, uint32_t data);
void irq_msi_free(struct vm *vm, unsigned int gsi);
/* KVM_IRQFD: @fd raises @gsi; @resample_fd >= 0 makes it level (INTx). */
int irq_irqfd_assign(struct vm *vm, int fd, unsigned int gsi, int resample_fd);
int irq_irqfd_deassign(struct vm *vm, int fd, unsigned int gsi);
/* Inject one MSI now (a pending MSI-X vector unmasked). */
int irq_signal_msi(struct vm *vm, uint64_t addr, uint32_t data);

#endif
