// SPDX-License-Identifier: GPL-2.0-only
/*
 * ACPI PCI hotplug on a hardware-reduced platform: the registers behind
 * the DSDT's slot objects (acpi.c) and the Generic Event Device's line.
 * A slot event sets its bit in UP (insert) or DOWN (remove request) and
 * raises the line; the guest's GED handler reads both, notifies the slots
 * and acknowledges what it read; the line stays up while anything is
 * pending. The guest's _EJ0 writes EJECT, which the slot's owner acts on.
 */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "minivmm/bus.h"
#include "minivmm/device.h"
#include "minivmm/hotplug.h"
#include "minivmm/irq.h"
#include "minivmm/x86/acpi.h"
#include "minivmm/x86/layout.h"
#include "minivmm/x86/platform.h"

struct acpi_hotplug {
	struct device dev;
	struct hotplug hp;
	struct irq_router *irq;
	struct stats *stats;
	struct bus *pio;
	bool registered;
	pthread_mutex_t lock;
	uint32_t up, down;           /* pending events, bit N: slot N */
	struct stat_counter counter;
};

/* Caller holds the lock. */
static void hotplug_update_line(struct acpi_hotplug *h)
{
	irq_set_line(h->irq, LAYOUT_GSI_HOTPLUG, (h->up | h->down) != 0);
}

static int hotplug_notify(struct hotplug *hp, unsigned int slot, enum hotplug_event ev)
{
	struct acpi_hotplug *h = (struct acpi_hotplug *)((char *)hp - offsetof(struct acpi_hotplug, hp));

	if (slot >= 32 || !(hp->slots & (1u << slot)))
		return -EINVAL;
	pthread_mutex_lock(&h->lock);
	/*
	 * An insert: the guest checks the slot. A vanished function is an eject
	 * request too: Linux's acpiphp rescans a checked slot for new functions
	 * only and keeps a dead one, while on an eject request it removes what
	 * is there (its driver finds the function gone) and ejects the slot.
	 */
	if (ev == HOTPLUG_INSERTED)
		h->up |= 1u << slot;
	else
		h->down |= 1u << slot;
	hotplug_update_line(h);
	pthread_mutex_unlock(&h->lock);
	return 0;
}

static void hotplug_io(void *opaque, uint64_t off, void *data, unsigned int len, bool is_write)
{
	struct acpi_hotplug *h = opaque;
	uint32_t v = 0, eject = 0;

	if (len != 4 || (off & 3)) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	memcpy(&v, data, 4);
	pthread_mutex_lock(&h->lock);
	if (!is_write) {
		v = off == ACPI_HOTPLUG_UP ? h->up : off == ACPI_HOTPLUG_DOWN ? h->down : 0;
		memcpy(data, &v, 4);
	} else if (off == ACPI_HOTPLUG_ACK) {
		h->up &= ~v;
		h->down &= ~v;
		hotplug_update_line(h);
	} else if (off == ACPI_HOTPLUG_EJECT) {
		eject = v & h->hp.slots;
	}
	pthread_mutex_unlock(&h->lock);
	/* The owner resets the function: outside the lock, on this vCPU. */
	for (unsigned int s = 0; eject && s < 32; s++)
		if ((eject & (1u << s)) && h->hp.ejected)
			h->hp.ejected(h->hp.owner, s);
}

static void hotplug_destroy(struct device *dev)
{
	struct acpi_hotplug *h = (struct acpi_hotplug *)dev;

	if (h->registered)
		bus_unregister(h->pio, LAYOUT_PORT_HOTPLUG, h);
	stats_remove(h->stats, &h->counter);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

int acpi_hotplug_create(const struct devctx *ctx, uint32_t slots, struct hotplug **out)
{
	struct acpi_hotplug *h = calloc(1, sizeof(*h));
	int ret;

	if (!h)
		return -ENOMEM;
	h->dev = (struct device){ .name = "acpi-hotplug", .destroy = hotplug_destroy };
	h->hp = (struct hotplug){ .notify = hotplug_notify, .slots = slots };
	h->irq = ctx->irq;
	h->stats = ctx->stats;
	h->pio = ctx->pio;
	pthread_mutex_init(&h->lock, NULL);
	device_add(ctx, &h->dev);
	stats_add(ctx->stats, &h->counter, "acpi-hotplug");
	ret = bus_register(ctx->pio, LAYOUT_PORT_HOTPLUG, ACPI_HOTPLUG_LEN, hotplug_io, h, &h->counter);
	h->registered = !ret;
	*out = &h->hp;
	return ret;
}
