/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Devices and the narrow interface they see of their VM. A device gets a
 * struct devctx (memory slots, the port-I/O and MMIO buses, interrupts,
 * PCI, counters, stop requests), never the VM itself, and registers a
 * struct device that the VM keeps in its list: the VM destroys devices
 * newest first, after the vCPUs stopped and before its memory goes.
 */
#ifndef MINIVMM_DEVICE_H
#define MINIVMM_DEVICE_H

#include <stdint.h>
#include <stdio.h>

struct bus;
struct console;
struct event_log;
struct guest_mem;
struct hotplug;
struct irq_router;
struct loop;
struct memslots;
struct pci_bus;
struct runstate;
struct stats;
struct trace_log;

struct device;

struct devctx {
	struct bus *pio, *mmio;
	struct memslots *slots;
	struct irq_router *irq;
	struct pci_bus *pci;
	struct stats *stats;
	struct runstate *run;
	struct console *console;     /* the guest console (the UART writes it) */
	const struct guest_mem *mem; /* guest RAM (DMA mapping) */
	struct loop *loop;           /* fds the main thread watches for a device */
	struct hotplug *hotplug;     /* bus 0's hotplug controller, NULL: none */
	struct event_log *events;    /* what was done to the guest, and when */
	struct trace_log *trace;     /* --trace output */
	unsigned int ncpus;
	uint64_t page_size;          /* the host's, from sysconf */
	struct device **devices;     /* the VM's list */
};

struct device {
	const char *name;
	/* Undo everything the device did; it may be half-built. Frees it. */
	void (*destroy)(struct device *dev);
	/* Optional: more --stats JSON members, each printed as `, "key": value`. */
	void (*print_stats)(struct device *dev, FILE *f);
	struct device *next;
};

/* Register @dev with the VM of @ctx (newest first). */
void device_add(const struct devctx *ctx, struct device *dev);
/* Destroy every device of @list, newest first, and empty it. */
void device_destroy_all(struct device **list);

#endif
