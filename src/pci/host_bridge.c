// SPDX-License-Identifier: GPL-2.0-only
/*
 * The host bridge at 00:00.0: identity registers only. Everything past the
 * header, extended configuration space included, reads as zeros, so Linux
 * (which probes host bridges' extended space) finds 4 KiB through ECAM.
 */
#include <linux/pci_regs.h>
#include <string.h>

#include "minivmm/pci.h"

/* Red Hat's generic PCIe host bridge id: no driver binds to it. */
#define HOST_BRIDGE_VENDOR 0x1b36
#define HOST_BRIDGE_DEVICE 0x0008
#define HOST_BRIDGE_CLASS 0x060000 /* bridge: host */

static void host_bridge_cfg_read(struct pci_dev *dev, unsigned int reg, void *data, unsigned int len)
{
	struct pci_host_bridge *hb = dev->opaque;

	if (reg + len > sizeof(hb->cfg))
		memset(data, 0, len);
	else
		memcpy(data, &hb->cfg[reg], len);
}

static void host_bridge_cfg_write(struct pci_dev *dev, unsigned int reg, const void *data,
				  unsigned int len)
{
	/* Nothing is writable: the bridge always decodes and never masters. */
	(void)dev, (void)reg, (void)data, (void)len;
}

static void put16(uint8_t *cfg, unsigned int reg, uint16_t v)
{
	memcpy(&cfg[reg], &v, 2);
}

int pci_host_bridge_init(struct pci_bus *pci)
{
	struct pci_host_bridge *hb = &pci->host_bridge;
	uint32_t class_rev = HOST_BRIDGE_CLASS << 8;

	memset(hb, 0, sizeof(*hb));
	put16(hb->cfg, PCI_VENDOR_ID, HOST_BRIDGE_VENDOR);
	put16(hb->cfg, PCI_DEVICE_ID, HOST_BRIDGE_DEVICE);
	put16(hb->cfg, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
	memcpy(&hb->cfg[PCI_CLASS_REVISION], &class_rev, 4);
	put16(hb->cfg, PCI_SUBSYSTEM_VENDOR_ID, HOST_BRIDGE_VENDOR);
	put16(hb->cfg, PCI_SUBSYSTEM_ID, HOST_BRIDGE_DEVICE);
	strcpy(hb->dev.name, "0000:00:00.0");
	hb->dev.opaque = hb;
	hb->dev.cfg_read = host_bridge_cfg_read;
	hb->dev.cfg_write = host_bridge_cfg_write;
	return pci_bus_add(pci, &hb->dev, PCI_DEVFN(0, 0));
}
