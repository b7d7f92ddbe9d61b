// SPDX-License-Identifier: GPL-2.0-only
/* The GSI routing table as data (pure; irq.c commits it to KVM). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "minivmm/irq.h"
#include "minivmm/x86/layout.h"

/* ISA IRQs 0-15 go to both PICs and the IOAPIC, like KVM's default table. */
#define ISA_IRQS 16
#define PIC_MASTER_IRQS 8

static int routes_push(struct irq_routes *r, const struct kvm_irq_routing_entry *e)
{
	if (r->table->nr == r->cap) {
		unsigned int cap = r->cap * 2;
		struct kvm_irq_routing *t =
			realloc(r->table, sizeof(*t) + cap * sizeof(t->entries[0]));

		if (!t)
			return -ENOMEM;
		r->table = t;
		r->cap = cap;
	}
	r->table->entries[r->table->nr++] = *e;
	return 0;
}

int irq_routes_init(struct irq_routes *r)
{
	int ret = 0;

	memset(r, 0, sizeof(*r));
	r->cap = 64;
	r->table = calloc(1, sizeof(*r->table) + r->cap * sizeof(r->table->entries[0]));
	if (!r->table)
		return -ENOMEM;
	for (unsigned int gsi = 0; !ret && gsi < LAYOUT_IOAPIC_PINS; gsi++) {
		struct kvm_irq_routing_entry e = { .gsi = gsi, .type = KVM_IRQ_ROUTING_IRQCHIP };

		if (gsi < ISA_IRQS && gsi != 2) {
			/* IRQ 2 is the cascade: the PIC never delivers it itself. */
			e.u.irqchip.irqchip = gsi < PIC_MASTER_IRQS ? KVM_IRQCHIP_PIC_MASTER
								    : KVM_IRQCHIP_PIC_SLAVE;
			e.u.irqchip.pin = gsi % PIC_MASTER_IRQS;
			ret = routes_push(r, &e);
		}
		e.u.irqchip.irqchip = KVM_IRQCHIP_IOAPIC;
		e.u.irqchip.pin = gsi;
		if (!ret)
			ret = routes_push(r, &e);
	}
	return ret;
}

void irq_routes_destroy(struct irq_routes *r)
{
	free(r->table);
	r->table = NULL;
}

int irq_routes_alloc_msi(struct irq_routes *r)
{
	for (unsigned int gsi = LAYOUT_GSI_MSI_FIRST; gsi < IRQ_MAX_GSI; gsi++) {
		if (!(r->msi_used[gsi / 64] & (1ULL << (gsi % 64)))) {
			r->msi_used[gsi / 64] |= 1ULL << (gsi % 64);
			return gsi;
		}
	}
	return -ENOSPC;
}

const struct kvm_irq_routing_entry *irq_routes_find(const struct irq_routes *r, unsigned int gsi,
						    uint32_t type)
{
	for (unsigned int i = 0; i < r->table->nr; i++)
		if (r->table->entries[i].gsi == gsi && r->table->entries[i].type == type)
			return &r->table->entries[i];
	return NULL;
}

int irq_routes_set_msi(struct irq_routes *r, unsigned int gsi, uint64_t addr, uint32_t data)
{
	struct kvm_irq_routing_entry e = {
		.gsi = gsi,
		.type = KVM_IRQ_ROUTING_MSI,
		.u.msi = { .address_lo = (uint32_t)addr, .address_hi = (uint32_t)(addr >> 32), .data = data },
	};
	struct kvm_irq_routing_entry *old;

	if (gsi < LAYOUT_GSI_MSI_FIRST || gsi >= IRQ_MAX_GSI ||
	    !(r->msi_used[gsi / 64] & (1ULL << (gsi % 64))))
		return -EINVAL;
	old = (struct kvm_irq_routing_entry *)irq_routes_find(r, gsi, KVM_IRQ_ROUTING_MSI);
	if (old) {
		*old = e;
		return 0;
	}
	return routes_push(r, &e);
}

void irq_routes_free_msi(struct irq_routes *r, unsigned int gsi)
{
	const struct kvm_irq_routing_entry *e = irq_routes_find(r, gsi, KVM_IRQ_ROUTING_MSI);

	if (e) {
		unsigned int i = e - r->table->entries;

		memmove(&r->table->entries[i], &r->table->entries[i + 1],
			(r->table->nr - i - 1) * sizeof(*e));
		r->table->nr--;
	}
	if (gsi < IRQ_MAX_GSI)
		r->msi_used[gsi / 64] &= ~(1ULL << (gsi % 64));
}

