/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Interrupts, one irqchip-neutral API: GSI routing and irqfds. The routing
 * table always holds the irqchip's own inputs (routes the arch adds:
 * arch_irq_default_routes) plus one MSI route per live device vector, on
 * GSIs from the arch's gsi_msi_first up. An MSI message carries the
 * requester's device ID: the GICv3 ITS needs it (KVM_MSI_VALID_DEVID), the
 * x86 LAPIC ignores it. INTx is a level irqfd with a resamplefd on the
 * GSI the arch gives a PCI slot's pin, on every arch.
 *
 * Route changes are batched: irq_msi_set/irq_msi_free edit the table and
 * the next irq_flush (or irqfd assignment) hands it to KVM once.
 * The table logic (irq_routes_*) is pure.
 */
#ifndef MINIVMM_IRQ_H
#define MINIVMM_IRQ_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* KVM_MAX_IRQ_ROUTES: entries one table may hold, and the GSI ceiling. */
#define IRQ_MAX_ROUTES 4096

/* One MSI message as a device sends it. */
struct msi_msg {
	uint64_t addr;
	uint32_t data;
	uint32_t devid;              /* requester ID: bus << 8 | devfn */
};

struct irq_routes {
	struct kvm_irq_routing *table;  /* entries sorted as added */
	unsigned int cap;
	unsigned int msi_first;      /* lowest MSI GSI */
	bool msi_devid;              /* MSI routes carry the device ID */
	unsigned int nfixed;         /* the irqchip's own routes */
	unsigned int nmsi;           /* MSI GSIs allocated */
	uint64_t msi_used[IRQ_MAX_ROUTES / 64];
};

/* Pure table operations. */
int irq_routes_init(struct irq_routes *r, unsigned int msi_first, bool msi_devid);
void irq_routes_destroy(struct irq_routes *r);
/* A route to an irqchip input (the arch's default routes). */
int irq_routes_add_irqchip(struct irq_routes *r, unsigned int gsi, unsigned int chip, unsigned int pin);
/* Lowest free MSI GSI, or -ENOSPC when the table could not route one more. */
int irq_routes_alloc_msi(struct irq_routes *r);
/* Add or replace @gsi's MSI route: 1 if the table changed, 0 if not, -errno. */
int irq_routes_set_msi(struct irq_routes *r, unsigned int gsi, const struct msi_msg *m);
/* Drop @gsi's route and free the GSI: 1 if a route went away, else 0. */
int irq_routes_free_msi(struct irq_routes *r, unsigned int gsi);
const struct kvm_irq_routing_entry *irq_routes_find(const struct irq_routes *r, unsigned int gsi,
						    uint32_t type);

/* Per-VM router: the table under a lock, committed with KVM_SET_GSI_ROUTING. */
struct irq_router {
	int vm_fd;
	pthread_mutex_t lock;
	bool lock_ready;
	bool dirty;                  /* the table differs from KVM's */
	struct irq_routes routes;
	uint64_t commits;            /* KVM_SET_GSI_ROUTING calls (--stats) */
	uint64_t msi_updates;        /* MSI routes set or moved (--stats) */
};

/* The arch's default routes, committed. */
int irq_router_init(struct irq_router *ir, int vm_fd);
void irq_router_destroy(struct irq_router *ir);
int irq_msi_alloc(struct irq_router *ir, unsigned int *gsi);
/* Route @gsi to @m; reaches KVM at the next irq_flush. */
int irq_msi_set(struct irq_router *ir, unsigned int gsi, const struct msi_msg *m);
void irq_msi_free(struct irq_router *ir, unsigned int gsi);
/* Hand pending route changes to KVM: one KVM_SET_GSI_ROUTING. */
int irq_flush(struct irq_router *ir);
/* KVM_IRQFD: @fd raises @gsi (routes flushed first); @resample_fd >= 0 makes it level (INTx). */
int irq_irqfd_assign(struct irq_router *ir, int fd, unsigned int gsi, int resample_fd);
int irq_irqfd_deassign(struct irq_router *ir, int fd, unsigned int gsi);
/* Level of an irqchip input as the arch encodes it (KVM_IRQ_LINE), for emulated devices. */
int irq_set_line(struct irq_router *ir, unsigned int irq, int level);

#endif
