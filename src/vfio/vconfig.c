// SPDX-License-Identifier: GPL-2.0-only
/*
 * Virtualized configuration space of an assigned PCI function: the guest's
 * reads and writes, applied through the per-byte permission map that
 * vconfig_layout.c builds (`virt`: bits served from vc->vcfg, `wmask`:
 * guest-writable bits), and the accessors the device code reads the
 * virtual state with (BAR and ROM addresses, power state).
 *
 * vcfg starts as a copy of the device snapshot. For bits that are not
 * virtualized it is a shadow: writable ones hold the guest's last written
 * value (how command register changes are detected), the others keep the
 * snapshot. Reads never use it for those bits.
 *
 * The kernel's vfio-pci still filters what reaches the hardware; this
 * layer decides what the guest sees and which events minivmm acts on.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "minivmm/vfio/vconfig.h"
#include "minivmm/vfio/vconfig_priv.h"

static bool access_ok(const struct vconfig *vc, unsigned int reg, unsigned int len)
{
	return (len == 1 || len == 2 || len == 4) && !(reg & (len - 1)) && reg < vc->size &&
	       len <= vc->size - reg;
}

bool vconfig_needs_device(const struct vconfig *vc, unsigned int reg, unsigned int len)
{
	if (!access_ok(vc, reg, len))
		return false; /* reads all-ones without the device */
	for (unsigned int i = 0; i < len; i++)
		if (vc->virt[reg + i] != 0xff)
			return true;
	return false;
}

static uint32_t all_ones(unsigned int len)
{
	return len == 1 ? 0xff : len == 2 ? 0xffff : 0xffffffff;
}

uint32_t vconfig_read(const struct vconfig *vc, unsigned int reg, unsigned int len, uint32_t devval)
{
	uint32_t v = 0;

	if (!access_ok(vc, reg, len))
		return all_ones(len);
	for (unsigned int i = 0; i < len; i++) {
		uint8_t m = vc->virt[reg + i];
		uint8_t d = devval >> (8 * i);

		v |= (uint32_t)((d & ~m) | (vc->vcfg[reg + i] & m)) << (8 * i);
	}
	return v;
}

static bool overlaps(unsigned int reg, unsigned int len, unsigned int start, unsigned int end)
{
	return reg < end && start < reg + len;
}

unsigned int vconfig_write(struct vconfig *vc, unsigned int reg, unsigned int len, uint32_t val,
			   uint32_t *dev_mask)
{
	uint64_t old_bar[VCONFIG_BARS];
	uint32_t old_rom, dm = 0;
	uint16_t old_cmd, old_msix = 0;
	unsigned int old_power = vconfig_power_state(vc), ev = 0;

	if (dev_mask)
		*dev_mask = 0;
	if (!access_ok(vc, reg, len))
		return 0;

	for (unsigned int i = 0; i < VCONFIG_BARS; i++)
		old_bar[i] = vconfig_bar_addr(vc, i);
	old_rom = vconfig_get32(vc, PCI_ROM_ADDRESS);
	old_cmd = vconfig_get16(vc, PCI_COMMAND);
	if (vc->msix_cap)
		old_msix = vconfig_get16(vc, vc->msix_cap + PCI_MSIX_FLAGS);

	/* Writable bits land in vcfg: as values where virtualized, as the
	 * shadow of the guest's value elsewhere; those are forwarded. */
	for (unsigned int i = 0; i < len; i++) {
		uint8_t w = vc->wmask[reg + i];
		uint8_t b = val >> (8 * i);

		vc->vcfg[reg + i] = (vc->vcfg[reg + i] & ~w) | (b & w);
		dm |= (uint32_t)(w & ~vc->virt[reg + i]) << (8 * i);
	}

	if (vc->msi_cap) {
		unsigned int at = vc->msi_cap + PCI_MSI_FLAGS;
		uint16_t f = vconfig_get16(vc, at);
		unsigned int mmc = (f & PCI_MSI_FLAGS_QMASK) >> 1, mme = (f & PCI_MSI_FLAGS_QSIZE) >> 4;

		if (overlaps(reg, len, vc->msi_cap, vc->msi_cap + vconfig_msi_len(f))) {
			/* More vectors than the device has: clamp to what it has. */
			if (mme > mmc)
				put_le(vc->vcfg + at, 2, (f & ~PCI_MSI_FLAGS_QSIZE) | mmc << 4);
			ev |= VCONFIG_EV_MSI;
		}
	}
	for (unsigned int i = 0; i < VCONFIG_BARS; i++)
		if (vconfig_bar_addr(vc, i) != old_bar[i])
			ev |= VCONFIG_EV_BAR(i);
	if (vconfig_get32(vc, PCI_ROM_ADDRESS) != old_rom)
		ev |= VCONFIG_EV_ROM;
	if ((vconfig_get16(vc, PCI_COMMAND) ^ old_cmd) &
	    (PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_INTX_DISABLE))
		ev |= VCONFIG_EV_COMMAND;
	if (vc->msix_cap && ((vconfig_get16(vc, vc->msix_cap + PCI_MSIX_FLAGS) ^ old_msix) &
			     (PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL)))
		ev |= VCONFIG_EV_MSIX;
	if (vc->pm_cap && overlaps(reg, len, vc->pm_cap + PCI_PM_CTRL, vc->pm_cap + PCI_PM_CTRL + 1) &&
	    vconfig_power_state(vc) != old_power)
		ev |= VCONFIG_EV_PM;
	if (vc->pcie_cap && (vconfig_get16(vc, vc->pcie_cap + PCI_EXP_DEVCTL) & PCI_EXP_DEVCTL_BCR_FLR)) {
		/* The bit reads 0: the reset is done by the time the guest looks. */
		vc->vcfg[vc->pcie_cap + PCI_EXP_DEVCTL + 1] &= ~(PCI_EXP_DEVCTL_BCR_FLR >> 8);
		ev |= VCONFIG_EV_FLR;
	}

	if (dev_mask)
		*dev_mask = dm;
	return ev;
}

unsigned int vconfig_power_state(const struct vconfig *vc)
{
	return vc->pm_cap ? vconfig_get16(vc, vc->pm_cap + PCI_PM_CTRL) & PCI_PM_CTRL_STATE_MASK : 0;
}

void vconfig_msi_set_enabled_vectors(struct vconfig *vc, unsigned int n)
{
	unsigned int at = vc->msi_cap + PCI_MSI_FLAGS, mme = 0;
	uint16_t f;

	if (!vc->msi_cap)
		return;
	while ((2u << mme) <= n && mme < 5)
		mme++;
	f = vconfig_get16(vc, at);
	put_le(vc->vcfg + at, 2, (f & ~PCI_MSI_FLAGS_QSIZE) | mme << 4);
}

void vconfig_reset(struct vconfig *vc)
{
	uint16_t v;

	v = vconfig_get16(vc, PCI_COMMAND) & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
					       PCI_COMMAND_PARITY | PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE);
	put_le(vc->vcfg + PCI_COMMAND, 2, v);
	if (vc->msi_cap) {
		v = vconfig_get16(vc, vc->msi_cap + PCI_MSI_FLAGS) & ~(PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
		put_le(vc->vcfg + vc->msi_cap + PCI_MSI_FLAGS, 2, v);
	}
	if (vc->msix_cap) {
		v = vconfig_get16(vc, vc->msix_cap + PCI_MSIX_FLAGS) & ~(PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
		put_le(vc->vcfg + vc->msix_cap + PCI_MSIX_FLAGS, 2, v);
	}
	if (vc->pm_cap) {
		v = vconfig_get16(vc, vc->pm_cap + PCI_PM_CTRL) & ~PCI_PM_CTRL_STATE_MASK;
		put_le(vc->vcfg + vc->pm_cap + PCI_PM_CTRL, 2, v);
	}
	if (vc->pcie_cap) {
		v = vconfig_get16(vc, vc->pcie_cap + PCI_EXP_DEVCTL) & ~PCI_EXP_DEVCTL_BCR_FLR;
		put_le(vc->vcfg + vc->pcie_cap + PCI_EXP_DEVCTL, 2, v);
	}
}

uint64_t vconfig_bar_addr(const struct vconfig *vc, unsigned int i)
{
	uint32_t lo;

	if (i >= VCONFIG_BARS || !vc->bar[i].size)
		return 0;
	lo = vconfig_get32(vc, PCI_BASE_ADDRESS_0 + 4 * i);
	if (vc->bar[i].is_io)
		return lo & ~0x3u;
	if (!vc->bar[i].is_64)
		return lo & ~0xfu;
	return (lo & ~0xfull) | (uint64_t)vconfig_get32(vc, PCI_BASE_ADDRESS_0 + 4 * (i + 1)) << 32;
}

uint64_t vconfig_rom_addr(const struct vconfig *vc, bool *enabled)
{
	uint32_t v = vc->rom_size ? vconfig_get32(vc, PCI_ROM_ADDRESS) : 0;

	if (enabled)
		*enabled = v & PCI_ROM_ENABLE;
	return v & PCI_ROM_ADDR_MASK;
}

uint16_t vconfig_get16(const struct vconfig *vc, unsigned int reg)
{
	return reg < vc->size && vc->size - reg >= 2 ? le(vc->vcfg + reg, 2) : 0;
}

uint32_t vconfig_get32(const struct vconfig *vc, unsigned int reg)
{
	return reg < vc->size && vc->size - reg >= 4 ? le(vc->vcfg + reg, 4) : 0;
}

void vconfig_set32(struct vconfig *vc, unsigned int reg, uint32_t val)
{
	if (!access_ok(vc, reg, 4))
		return;
	/* BAR and ROM registers keep their read-only bits (type flags, and 0
	 * for unimplemented ones): only the address part is set. */
	if ((reg >= PCI_BASE_ADDRESS_0 && reg < PCI_BASE_ADDRESS_0 + 4 * VCONFIG_BARS) ||
	    reg == PCI_ROM_ADDRESS) {
		uint32_t w = le(vc->wmask + reg, 4);

		val = (val & w) | (le(vc->vcfg + reg, 4) & ~w);
	}
	put_le(vc->vcfg + reg, 4, val);
	memset(vc->virt + reg, 0xff, 4);
}
