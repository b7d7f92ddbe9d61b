// SPDX-License-Identifier: GPL-2.0-only
/*
 * MSI-X table/PBA emulation and MSI capability decoding (PCI Local Bus 3.0
 * section 6.8). Pure: reports vector state changes through a callback.
 */
#include <errno.h>
#include <linux/pci_regs.h>
#include <stdlib.h>
#include <string.h>

#include "minivmm/vfio/msix.h"

int msix_table_init(struct msix_table *t, unsigned int nvec, msix_update_t update, void *opaque)
{
	memset(t, 0, sizeof(*t));
	if (!nvec || nvec > MSIX_MAX_VECTORS)
		return -EINVAL;
	t->entry = calloc(nvec, sizeof(*t->entry));
	t->pba = calloc((nvec + 63) / 64, sizeof(*t->pba));
	t->live = calloc(nvec, sizeof(*t->live));
	if (!t->entry || !t->pba || !t->live) {
		msix_table_destroy(t);
		return -ENOMEM;
	}
	t->nvec = nvec;
	/* After reset every vector is masked. */
	for (unsigned int i = 0; i < nvec; i++)
		t->entry[i].ctrl = MSIX_CTRL_MASKBIT;
	t->update = update;
	t->opaque = opaque;
	return 0;
}

void msix_table_destroy(struct msix_table *t)
{
	free(t->entry);
	free(t->pba);
	free(t->live);
	t->entry = NULL;
	t->pba = NULL;
	t->live = NULL;
	t->nvec = 0;
}

void msix_reset(struct msix_table *t)
{
	t->enabled = t->fmask = false;
	for (unsigned int i = 0; i < t->nvec; i++) {
		t->entry[i] = (struct msix_entry){ .ctrl = MSIX_CTRL_MASKBIT };
		t->live[i] = false;
	}
	memset(t->pba, 0, (t->nvec + 63) / 64 * sizeof(*t->pba));
}

static bool pending(const struct msix_table *t, unsigned int vec)
{
	return t->pba[vec / 64] & (1ULL << (vec % 64));
}

bool msix_is_live(const struct msix_table *t, unsigned int vec)
{
	return vec < t->nvec && t->enabled && !t->fmask && !(t->entry[vec].ctrl & MSIX_CTRL_MASKBIT);
}

/* Tell the device code about @vec when its state or message changed. */
static void msix_refresh(struct msix_table *t, unsigned int vec, bool message_changed)
{
	const struct msix_entry *e = &t->entry[vec];
	bool live = msix_is_live(t, vec);
	bool deliver = false;

	if (live == t->live[vec] && !(live && message_changed))
		return;
	if (live && pending(t, vec)) {
		t->pba[vec / 64] &= ~(1ULL << (vec % 64));
		deliver = true;
	}
	t->live[vec] = live;
	t->update(t->opaque, vec, live, ((uint64_t)e->addr_hi << 32) | e->addr_lo, e->data, deliver);
}

void msix_table_access(struct msix_table *t, uint64_t offset, void *data, unsigned int len, bool is_write)
{
	uint64_t vec = offset / MSIX_ENTRY_SIZE;
	unsigned int off = offset % MSIX_ENTRY_SIZE;
	struct msix_entry old;
	uint8_t *raw;

	/* Spec: aligned dword or qword accesses inside one entry. */
	if (vec >= t->nvec || (len != 4 && len != 8) || (off & (len - 1))) {
		if (!is_write)
			memset(data, 0, len);
		return;
	}
	raw = (uint8_t *)&t->entry[vec];
	if (!is_write) {
		memcpy(data, raw + off, len);
		return;
	}
	old = t->entry[vec];
	memcpy(raw + off, data, len);
	/* Only the mask bit of vector control is writable; the rest reads 0. */
	t->entry[vec].ctrl &= MSIX_CTRL_MASKBIT;
	msix_refresh(t, vec, old.addr_lo != t->entry[vec].addr_lo || old.addr_hi != t->entry[vec].addr_hi ||
				     old.data != t->entry[vec].data);
}

void msix_pba_access(struct msix_table *t, uint64_t offset, void *data, unsigned int len, bool is_write)
{
	uint64_t words = (t->nvec + 63) / 64;

	if (is_write)
		return;
	memset(data, 0, len);
	for (unsigned int i = 0; i < len; i++) {
		uint64_t byte = offset + i;

		if (byte / 8 < words)
			((uint8_t *)data)[i] = t->pba[byte / 8] >> (8 * (byte % 8));
	}
}

void msix_set_control(struct msix_table *t, bool enabled, bool fmask)
{
	t->enabled = enabled;
	t->fmask = fmask;
	for (unsigned int i = 0; i < t->nvec; i++)
		msix_refresh(t, i, false);
}

bool msix_vector_fired(struct msix_table *t, unsigned int vec)
{
	if (vec >= t->nvec)
		return false;
	if (msix_is_live(t, vec))
		return true;
	t->pba[vec / 64] |= 1ULL << (vec % 64);
	return false;
}

/* ---- MSI ---- */

unsigned int msi_block(unsigned int n)
{
	unsigned int p = 1;

	while (p * 2 <= n && p < 32)
		p *= 2;
	return n ? p : 0;
}

static uint16_t get16(const uint8_t *cfg, unsigned int off)
{
	return cfg[off] | (cfg[off + 1] << 8);
}

static uint32_t get32(const uint8_t *cfg, unsigned int off)
{
	return get16(cfg, off) | ((uint32_t)get16(cfg, off + 2) << 16);
}

unsigned int msi_mask_offset(const uint8_t *cfg, unsigned int cap)
{
	uint16_t ctrl = get16(cfg, cap + PCI_MSI_FLAGS);

	return cap + ((ctrl & PCI_MSI_FLAGS_64BIT) ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32);
}

unsigned int msi_cap_size(const uint8_t *cfg, unsigned int cap)
{
	uint16_t ctrl = get16(cfg, cap + PCI_MSI_FLAGS);
	unsigned int size = (ctrl & PCI_MSI_FLAGS_64BIT) ? 14 : 10;

	if (ctrl & PCI_MSI_FLAGS_MASKBIT)
		size = (ctrl & PCI_MSI_FLAGS_64BIT) ? 24 : 20;
	return size;
}

void msi_decode(const uint8_t *cfg, unsigned int cap, struct msi_state *out)
{
	uint16_t ctrl = get16(cfg, cap + PCI_MSI_FLAGS);
	unsigned int mmc = (ctrl & PCI_MSI_FLAGS_QMASK) >> 1, mme = (ctrl & PCI_MSI_FLAGS_QSIZE) >> 4;

	memset(out, 0, sizeof(*out));
	out->enabled = ctrl & PCI_MSI_FLAGS_ENABLE;
	out->is_64 = ctrl & PCI_MSI_FLAGS_64BIT;
	out->has_mask = ctrl & PCI_MSI_FLAGS_MASKBIT;
	/* MME above what the device can (MMC) or above 32 vectors is clamped. */
	if (mme > mmc)
		mme = mmc;
	if (mme > 5)
		mme = 5;
	out->nvec = 1u << mme;
	out->addr = get32(cfg, cap + PCI_MSI_ADDRESS_LO);
	if (out->is_64) {
		out->addr |= (uint64_t)get32(cfg, cap + PCI_MSI_ADDRESS_HI) << 32;
		out->data = get16(cfg, cap + PCI_MSI_DATA_64);
	} else {
		out->data = get16(cfg, cap + PCI_MSI_DATA_32);
	}
	if (out->has_mask)
		out->mask = get32(cfg, msi_mask_offset(cfg, cap));
}
