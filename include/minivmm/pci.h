/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PCI bus 0 behind the host bridge: configuration access through the
 * 0xCF8/0xCFC mechanism and through ECAM, dispatched to per-function
 * config-space callbacks. INTx pins are swizzled onto IOAPIC inputs 16-23.
 */
#ifndef MINIVMM_PCI_H
#define MINIVMM_PCI_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "minivmm/bus.h"

#define PCI_CFG_SPACE_SIZE 256
#define PCI_CFG_SPACE_EXP_SIZE 4096
#define PCI_DEVFN(slot, fn) ((((slot) & 0x1f) << 3) | ((fn) & 7))
#define PCI_SLOT_OF(devfn) (((devfn) >> 3) & 0x1f)
#define PCI_FN_OF(devfn) ((devfn) & 7)

/* A decoded configuration access. */
struct pci_cfg_addr {
	uint8_t bus;
	uint8_t devfn;
	uint16_t reg;                /* byte offset in config space */
};

struct pci_dev {
	char name[32];               /* log prefix, e.g. "0000:00:03.0" */
	uint8_t devfn;
	void *opaque;
	/* @reg is naturally aligned for @len (1, 2 or 4) and below 4096. */
	void (*cfg_read)(struct pci_dev *dev, unsigned int reg, void *data, unsigned int len);
	void (*cfg_write)(struct pci_dev *dev, unsigned int reg, const void *data, unsigned int len);
};

/* The host bridge at 00:00.0 (pci/host_bridge.c). */
struct pci_host_bridge {
	struct pci_dev dev;
	uint8_t cfg[64];             /* type 0 header; the rest reads as zeros */
};

/* A guest address window BARs are carved from, lowest address first. */
struct pci_window {
	uint64_t base, size;
	uint64_t next;               /* first free address */
};

struct pci_bus {
	pthread_mutex_t lock;        /* serialises config accesses */
	bool lock_ready;
	uint32_t cf8;                /* CONFIG_ADDRESS latch */
	struct pci_dev *devs[256];   /* by devfn */
	struct stat_counter cf8_counter, ecam_counter;
	struct stats *stats;
	struct pci_host_bridge host_bridge;
	/* Where BARs go (pure bump allocators over the arch's windows). */
	struct pci_window mmio32, mmio64, io;
};

/* Bus 0 with ECAM where the arch puts it, and the arch's BAR windows. */
int pci_bus_init(struct pci_bus *pci, struct bus *mmio, struct stats *stats);
/* Configuration mechanism #1 (CONFIG_ADDRESS/CONFIG_DATA ports), where the arch has one. */
int pci_cf8_register(struct pci_bus *pci, struct bus *pio, uint16_t addr_port, uint16_t data_port);
void pci_bus_destroy(struct pci_bus *pci);
/* -EBUSY when @devfn is taken. */
int pci_bus_add(struct pci_bus *pci, struct pci_dev *dev, uint8_t devfn);
/* Take @dev off the bus (hot-unplug): its config space reads all-ones. */
void pci_bus_remove(struct pci_bus *pci, struct pci_dev *dev);
/* First slot from @first_slot with function 0 free, or -ENOSPC. */
int pci_bus_free_slot(const struct pci_bus *pci, unsigned int first_slot);

/* Pure decoders (unit-tested). */
bool pci_cf8_decode(uint32_t cf8, unsigned int port_offset, struct pci_cfg_addr *out);
void pci_ecam_decode(uint64_t offset, struct pci_cfg_addr *out);
/* One config access on bus 0; absent functions read all-ones. */
void pci_cfg_access(struct pci_bus *pci, const struct pci_cfg_addr *a, void *data, unsigned int len,
		    bool is_write);

void pci_window_init(struct pci_window *w, uint64_t base, uint64_t size);
/* Naturally aligned (to max(size, @min_align)) block; -ENOSPC when full. */
int pci_window_alloc(struct pci_window *w, uint64_t size, uint64_t min_align, uint64_t *addr);

/* The host bridge at 00:00.0. */
int pci_host_bridge_init(struct pci_bus *pci);

#endif
