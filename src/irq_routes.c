// SPDX-License-Identifier: GPL-2.0-only
/* The GSI routing table as data (pure; irq.c commits it to KVM). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "minivmm/irq.h"

static bool msi_gsi_used(const struct irq_routes *r, unsigned int gsi)
{
	return gsi >= r->msi_first && gsi < IRQ_MAX_ROUTES && (r->msi_used[gsi / 64] & (1ULL << (gsi % 64)));
}

static int routes_push(struct irq_routes *r, const struct kvm_irq_routing_entry *e)
{
	if (r->table->nr == IRQ_MAX_ROUTES)
		return -ENOSPC;
	if (r->table->nr == r->cap) {
		unsigned int cap = r->cap * 2 > IRQ_MAX_ROUTES ? IRQ_MAX_ROUTES : r->cap * 2;
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

int irq_routes_init(struct irq_routes *r, unsigned int msi_first, bool msi_devid)
{
	memset(r, 0, sizeof(*r));
	if (msi_first >= IRQ_MAX_ROUTES)
		return -EINVAL;
	r->msi_first = msi_first;
	r->msi_devid = msi_devid;
	r->cap = 64;
	r->table = calloc(1, sizeof(*r->table) + r->cap * sizeof(r->table->entries[0]));
	return r->table ? 0 : -ENOMEM;
}

void irq_routes_destroy(struct irq_routes *r)
{
	free(r->table);
	r->table = NULL;
}

int irq_routes_add_irqchip(struct irq_routes *r, unsigned int gsi, unsigned int chip, unsigned int pin)
{
	struct kvm_irq_routing_entry e = {
		.gsi = gsi, .type = KVM_IRQ_ROUTING_IRQCHIP, .u.irqchip = { .irqchip = chip, .pin = pin },
	};
	int ret;

	if (gsi >= r->msi_first || r->nmsi)
		return -EINVAL; /* the irqchip's inputs come first, below the MSI GSIs */
	ret = routes_push(r, &e);
	if (!ret)
		r->nfixed++;
	return ret;
}

int irq_routes_alloc_msi(struct irq_routes *r)
{
	/* Every allocated GSI may get a route: the table must hold them all. */
	if (r->nfixed + r->nmsi >= IRQ_MAX_ROUTES)
		return -ENOSPC;
	for (unsigned int gsi = r->msi_first; gsi < IRQ_MAX_ROUTES; gsi++) {
		if (!msi_gsi_used(r, gsi)) {
			r->msi_used[gsi / 64] |= 1ULL << (gsi % 64);
			r->nmsi++;
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

int irq_routes_set_msi(struct irq_routes *r, unsigned int gsi, const struct msi_msg *m)
{
	struct kvm_irq_routing_entry e = {
		.gsi = gsi,
		.type = KVM_IRQ_ROUTING_MSI,
		.u.msi = { .address_lo = (uint32_t)m->addr, .address_hi = (uint32_t)(m->addr >> 32), .data = m->data },
	};
	struct kvm_irq_routing_entry *old;
	int ret;

	if (!msi_gsi_used(r, gsi))
		return -EINVAL;
	if (r->msi_devid) {
		e.flags = KVM_MSI_VALID_DEVID;
		e.u.msi.devid = m->devid;
	}
	old = (struct kvm_irq_routing_entry *)irq_routes_find(r, gsi, KVM_IRQ_ROUTING_MSI);
	if (old) {
		if (!memcmp(old, &e, sizeof(e)))
			return 0;
		*old = e;
		return 1;
	}
	ret = routes_push(r, &e);
	return ret ? ret : 1;
}

int irq_routes_free_msi(struct irq_routes *r, unsigned int gsi)
{
	const struct kvm_irq_routing_entry *e;

	if (!msi_gsi_used(r, gsi))
		return 0; /* not an MSI GSI we handed out: never an irqchip route */
	r->msi_used[gsi / 64] &= ~(1ULL << (gsi % 64));
	r->nmsi--;
	e = irq_routes_find(r, gsi, KVM_IRQ_ROUTING_MSI);
	if (!e)
		return 0;
	memmove((void *)e, e + 1, (r->table->nr - (e - r->table->entries) - 1) * sizeof(*e));
	r->table->nr--;
	return 1;
}
