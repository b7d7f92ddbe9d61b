/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Emulated MSI-X table and PBA, and the MSI capability's per-vector state.
 * Pure: decides which vectors should be live and with which message; the
 * device code wires live vectors to KVM (irqfd + MSI route).
 */
#ifndef MINIVMM_VFIO_MSIX_H
#define MINIVMM_VFIO_MSIX_H

#include <stdbool.h>
#include <stdint.h>

#define MSIX_ENTRY_SIZE 16
#define MSIX_MAX_VECTORS 2048
#define MSIX_CTRL_MASKBIT 1u

struct msix_entry {
	uint32_t addr_lo, addr_hi, data, ctrl;
};

/*
 * Called whenever a vector's effective state may have changed: @live is
 * true when MSI-X is enabled, the function is not masked and the vector
 * is not masked. When a vector becomes live with its pending bit set, the
 * pending bit is cleared and @deliver_pending is true: inject it once.
 */
typedef void (*msix_update_t)(void *opaque, unsigned int vec, bool live, uint64_t addr, uint32_t data,
			      bool deliver_pending);

struct msix_table {
	unsigned int nvec;
	struct msix_entry *entry;    /* nvec entries; all masked at reset */
	uint64_t *pba;               /* pending bits, (nvec + 63) / 64 words */
	bool *live;                  /* last state reported to @update */
	bool enabled, fmask;
	msix_update_t update;
	void *opaque;
};

int msix_table_init(struct msix_table *t, unsigned int nvec, msix_update_t update, void *opaque);
void msix_table_destroy(struct msix_table *t);
/* The function was reset: every vector masked, nothing pending, disabled. */
void msix_reset(struct msix_table *t);
/* Guest access to the table (offset from the table start); 4- or 8-byte. */
void msix_table_access(struct msix_table *t, uint64_t offset, void *data, unsigned int len, bool is_write);
/* Guest access to the PBA (read-only; writes ignored). */
void msix_pba_access(struct msix_table *t, uint64_t offset, void *data, unsigned int len, bool is_write);
/* MSI-X message control changed (enable, function mask). */
void msix_set_control(struct msix_table *t, bool enabled, bool fmask);
/*
 * A vector fired while not live: remember it in the PBA. Returns true when
 * the vector is live after all (deliver it now).
 */
bool msix_vector_fired(struct msix_table *t, unsigned int vec);
bool msix_is_live(const struct msix_table *t, unsigned int vec);

/* ---- MSI capability (PCI 3.0 6.8.1), fully virtualized ---- */

struct msi_state {
	bool enabled;
	unsigned int nvec;           /* enabled vectors: 1 << multiple message enable */
	uint64_t addr;
	uint16_t data;               /* vector i sends data | i */
	uint32_t mask;               /* per-vector mask bits (when capable) */
	bool has_mask, is_64;
};

/* MSI enables vectors in powers of two: the largest block (at most 32) of @n granted; 0 for 0. */
unsigned int msi_block(unsigned int n);
/* Decode the MSI capability at @cap from a virtualized config image. */
void msi_decode(const uint8_t *cfg, unsigned int cap, struct msi_state *out);
/* Offset of the mask bits register and size of the capability. */
unsigned int msi_mask_offset(const uint8_t *cfg, unsigned int cap);
unsigned int msi_cap_size(const uint8_t *cfg, unsigned int cap);

#endif
