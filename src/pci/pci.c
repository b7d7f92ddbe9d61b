// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <string.h>

#include "minivmm/arch.h"
#include "minivmm/pci.h"

#define CF8_ENABLE (1u << 31)

bool pci_cf8_decode(uint32_t cf8, unsigned int port_offset, struct pci_cfg_addr *out)
{
	if (!(cf8 & CF8_ENABLE) || port_offset > 3)
		return false;
	out->bus = (cf8 >> 16) & 0xff;
	out->devfn = (cf8 >> 8) & 0xff;
	out->reg = (cf8 & 0xfc) | port_offset;
	return true;
}

void pci_ecam_decode(uint64_t offset, struct pci_cfg_addr *out)
{
	out->bus = (offset >> 20) & 0xff;
	out->devfn = (offset >> 12) & 0xff;
	out->reg = offset & 0xfff;
}

void pci_cfg_access(struct pci_bus *pci, const struct pci_cfg_addr *a, void *data, unsigned int len,
		    bool is_write)
{
	struct pci_dev *dev = a->bus == 0 ? pci->devs[a->devfn] : NULL;
	bool ok = dev && (len == 1 || len == 2 || len == 4) && !(a->reg & (len - 1)) &&
		  a->reg + len <= PCI_CFG_SPACE_EXP_SIZE;

	if (!ok) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	pthread_mutex_lock(&pci->lock);
	if (is_write)
		dev->cfg_write(dev, a->reg, data, len);
	else
		dev->cfg_read(dev, a->reg, data, len);
	pthread_mutex_unlock(&pci->lock);
}

static void pci_cf8_io(void *opaque, uint64_t offset, void *data, unsigned int len, bool is_write)
{
	struct pci_bus *pci = opaque;

	/* Only whole-dword accesses reach CONFIG_ADDRESS (0xcfb bytes are
	 * the legacy mechanism-2 probe, which must not disturb the latch). */
	if (offset != 0 || len != 4) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	if (is_write)
		memcpy(&pci->cf8, data, 4);
	else
		memcpy(data, &pci->cf8, 4);
}

static void pci_cfc_io(void *opaque, uint64_t offset, void *data, unsigned int len, bool is_write)
{
	struct pci_bus *pci = opaque;
	struct pci_cfg_addr a;

	if (!pci_cf8_decode(pci->cf8, offset, &a)) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	pci_cfg_access(pci, &a, data, len, is_write);
}

static void pci_ecam_io(void *opaque, uint64_t offset, void *data, unsigned int len, bool is_write)
{
	struct pci_cfg_addr a;

	pci_ecam_decode(offset, &a);
	pci_cfg_access(opaque, &a, data, len, is_write);
}

int pci_bus_init(struct pci_bus *pci, struct bus *mmio, struct stats *stats)
{
	memset(pci, 0, sizeof(*pci));
	if (pthread_mutex_init(&pci->lock, NULL))
		return -ENOMEM;
	pci->lock_ready = true;
	pci->stats = stats;
	pci_window_init(&pci->mmio32, arch_layout.pci_mmio32_base, arch_layout.pci_mmio32_size);
	pci_window_init(&pci->mmio64, arch_layout.pci_mmio64_base, arch_layout.pci_mmio64_size);
	pci_window_init(&pci->io, arch_layout.pci_io_base, arch_layout.pci_io_size);
	stats_add(stats, &pci->ecam_counter, "pci-ecam");
	return bus_register(mmio, arch_layout.ecam_base, (uint64_t)arch_layout.ecam_buses << 20, pci_ecam_io, pci,
			    &pci->ecam_counter);
}

int pci_cf8_register(struct pci_bus *pci, struct bus *pio, uint16_t addr_port, uint16_t data_port)
{
	int ret;

	stats_add(pci->stats, &pci->cf8_counter, "pci-cf8");
	ret = bus_register(pio, addr_port, 4, pci_cf8_io, pci, &pci->cf8_counter);
	if (!ret)
		ret = bus_register(pio, data_port, 4, pci_cfc_io, pci, &pci->cf8_counter);
	return ret;
}

void pci_bus_destroy(struct pci_bus *pci)
{
	if (pci->lock_ready)
		pthread_mutex_destroy(&pci->lock);
	pci->lock_ready = false;
}

int pci_bus_add(struct pci_bus *pci, struct pci_dev *dev, uint8_t devfn)
{
	int ret = 0;

	if (pci->lock_ready)
		pthread_mutex_lock(&pci->lock);
	if (pci->devs[devfn]) {
		ret = -EBUSY;
	} else {
		dev->devfn = devfn;
		pci->devs[devfn] = dev;
	}
	if (pci->lock_ready)
		pthread_mutex_unlock(&pci->lock);
	return ret;
}

void pci_bus_remove(struct pci_bus *pci, struct pci_dev *dev)
{
	if (pci->lock_ready)
		pthread_mutex_lock(&pci->lock);
	if (pci->devs[dev->devfn] == dev)
		pci->devs[dev->devfn] = NULL;
	if (pci->lock_ready)
		pthread_mutex_unlock(&pci->lock);
}

int pci_bus_free_slot(const struct pci_bus *pci, unsigned int first_slot)
{
	for (unsigned int slot = first_slot; slot < 32; slot++)
		if (!pci->devs[PCI_DEVFN(slot, 0)])
			return slot;
	return -ENOSPC;
}

void pci_window_init(struct pci_window *w, uint64_t base, uint64_t size)
{
	w->base = w->next = base;
	w->size = size;
}

int pci_window_alloc(struct pci_window *w, uint64_t size, uint64_t min_align, uint64_t *addr)
{
	uint64_t align = size > min_align ? size : min_align;
	uint64_t a;

	/* BAR sizes are powers of two; so must the alignment be. */
	if (!size || (size & (size - 1)) || (align & (align - 1)))
		return -EINVAL;
	a = (w->next + align - 1) & ~(align - 1);
	if (a < w->next || a - w->base > w->size || size > w->size - (a - w->base))
		return -ENOSPC;
	w->next = a + size;
	*addr = a;
	return 0;
}
