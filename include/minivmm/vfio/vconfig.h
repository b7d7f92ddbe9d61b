/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Virtualized configuration space of an assigned PCI function. Pure: it
 * never touches the device; callers pass in what the device returned and
 * get back what to forward to it.
 *
 * In the style of Linux's vfio_pci_config.c, access rules are data: for
 * every byte, which bits are virtualized (served from vc->vcfg instead of
 * the device) and which bits the guest may write. Generic read/write apply
 * the masks; only BARs, the ROM BAR, the command register and the MSI and
 * MSI-X capabilities raise events for the device code to act on.
 */
#ifndef MINIVMM_VFIO_VCONFIG_H
#define MINIVMM_VFIO_VCONFIG_H

#include <stdbool.h>
#include <stdint.h>

#define VCONFIG_SIZE 4096
#define VCONFIG_BARS 6

/* What VFIO says about one BAR (VFIO_DEVICE_GET_REGION_INFO + config). */
struct vconfig_bar {
	uint64_t size;               /* 0: not implemented (or upper half of a 64-bit BAR) */
	bool is_io;
	bool is_64;                  /* occupies this slot and the next */
	bool prefetch;
};

/* Event bits returned by vconfig_write(). */
#define VCONFIG_EV_BAR(i) (1u << (i))    /* BAR i's guest address changed */
#define VCONFIG_EV_ROM (1u << 6)         /* ROM BAR address or enable changed */
#define VCONFIG_EV_COMMAND (1u << 7)     /* memory/IO decode or INTx-disable changed */
#define VCONFIG_EV_MSI (1u << 8)         /* MSI capability written */
#define VCONFIG_EV_MSIX (1u << 9)        /* MSI-X enable/function mask changed */
#define VCONFIG_EV_PM (1u << 10)         /* PM power state (D0..D3hot) written */
#define VCONFIG_EV_FLR (1u << 11)        /* PCIe Initiate Function Level Reset written */

/* Capabilities to hide on top of the unsupported ones (vconfig_init @hide). */
#define VCONFIG_HIDE_MSI (1u << 0)       /* the guest sees no MSI capability */
#define VCONFIG_HIDE_MSIX (1u << 1)      /* the guest sees no MSI-X capability */
struct vconfig {
	unsigned int size;           /* 256 or 4096: how much the guest can reach */
	uint8_t vcfg[VCONFIG_SIZE];  /* values of virtualized bits */
	uint8_t virt[VCONFIG_SIZE];  /* 1: bit served from vcfg */
	uint8_t wmask[VCONFIG_SIZE]; /* 1: guest-writable bit */
	struct vconfig_bar bar[VCONFIG_BARS];
	uint64_t rom_size;           /* 0: no ROM (BAR reads as not implemented) */
	/* Offsets of the capabilities the device code cares about; 0: absent
	 * (or hidden). */
	uint8_t msi_cap, msix_cap, pcie_cap, pm_cap;
	/* What the device has, hidden or not (for --assign BDF,irq=MODE checks). */
	bool dev_has_msi, dev_has_msix;
};

/*
 * Build the virtualized view from @devcfg, a snapshot of the device's real
 * config space (@size bytes: 256 or 4096), and the BAR/ROM facts from VFIO.
 * Hides unsupported capabilities by rewriting next pointers (virtualized),
 * makes BARs/ROM BAR fully virtualized with sizing semantics, makes the
 * MSI capability fully virtualized, the MSI-X message control's enable and
 * function-mask bits virtualized, presents a PCIe endpoint as a root-complex
 * integrated endpoint, and virtualizes the interrupt line register.
 * A malformed capability chain (a loop, a pointer below 0x40 or, for
 * extended capabilities, below 0x100) is cut at the bad link: the guest
 * sees what precedes it. Bytes no capability covers (gaps) are the
 * device's, read and written raw, as vfio-pci does. @hide (VCONFIG_HIDE_*)
 * hides MSI and/or MSI-X as well, so that a driver takes its fallback
 * path. The PM control/status power state and the PCIe FLR bit raise
 * events. BAR addresses start at 0 (seed them with vconfig_set32()).
 * Returns 0, or -EINVAL for a bad @size (not 256 or 4096) or a header
 * type other than 0 (bridges; vfio-pci refuses them too).
 */
int vconfig_init(struct vconfig *vc, const uint8_t *devcfg, unsigned int size,
		 const struct vconfig_bar bar[VCONFIG_BARS], uint64_t rom_size, unsigned int hide);

/* True when [reg, reg+len) has any bit not virtualized (the device must be read). */
bool vconfig_needs_device(const struct vconfig *vc, unsigned int reg, unsigned int len);
/* What the guest reads: virtualized bits from vcfg, the rest from @devval. */
uint32_t vconfig_read(const struct vconfig *vc, unsigned int reg, unsigned int len, uint32_t devval);
/*
 * Apply a guest write of @len bytes at @reg. Writable virtualized bits land
 * in vcfg. *@dev_mask gets the writable non-virtualized bits (the part of
 * @val to forward to the device with a read-modify-write; 0: nothing to
 * forward). Returns VCONFIG_EV_* bits.
 */
unsigned int vconfig_write(struct vconfig *vc, unsigned int reg, unsigned int len, uint32_t val,
			   uint32_t *dev_mask);

/* The PM power state the guest last set: 0 (D0) to 3 (D3hot); 0 without PM. */
unsigned int vconfig_power_state(const struct vconfig *vc);
/* MSI: only @n vectors (a power of two) are enabled: Multiple Message Enable says so. */
void vconfig_msi_set_enabled_vectors(struct vconfig *vc, unsigned int n);
/*
 * After a function-level reset: what the guest reads is as after reset
 * (decoding and bus mastering off, MSI/MSI-X disabled, D0, FLR bit clear);
 * BAR addresses stay (the guest restores its own).
 */
void vconfig_reset(struct vconfig *vc);

/* Current guest address of BAR @i (both halves of a 64-bit BAR). */
uint64_t vconfig_bar_addr(const struct vconfig *vc, unsigned int i);
/* ROM BAR address and whether its enable bit is set. */
uint64_t vconfig_rom_addr(const struct vconfig *vc, bool *enabled);
/*
 * Little-endian accessors of the virtualized values. For guest-writable
 * bits that are not virtualized (forwarded), vcfg holds the guest's last
 * written value: vconfig_get16(vc, 0x04) is the command register as the
 * guest last set it (memory/IO decode, INTx disable).
 */
uint16_t vconfig_get16(const struct vconfig *vc, unsigned int reg);
uint32_t vconfig_get32(const struct vconfig *vc, unsigned int reg);
/* Set a value the guest will read (e.g. a BAR address chosen by minivmm);
 * the bytes become virtualized. For BAR and ROM BAR registers only the
 * address bits are set: type flags stay, unimplemented BARs stay 0. */
void vconfig_set32(struct vconfig *vc, unsigned int reg, uint32_t val);

#endif
