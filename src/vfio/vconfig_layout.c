// SPDX-License-Identifier: GPL-2.0-only
/*
 * The permission map of an assigned function's virtualized configuration
 * space, in the style of Linux's drivers/vfio/pci/vfio_pci_config.c: from
 * the device's snapshot, every byte gets a `virt` mask (bits served from
 * vc->vcfg) and a `wmask` (guest-writable bits). Permissions are static
 * tables per capability ID applied by one generic loop; the capability
 * lists are walked and filtered (hidden capabilities unlinked, their bytes
 * and the gaps between capabilities read as 0); only BARs, the ROM BAR, the
 * command register and the MSI and MSI-X capabilities get code of their
 * own. Guest accesses through the map are vconfig.c's.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "minivmm/vfio/vconfig.h"
#include "minivmm/vfio/vconfig_priv.h"

/*
 * One register's permissions within a capability: @virt bits come from
 * vcfg, @write bits are guest-writable (forwarded to the device where
 * not virtualized).
 */
struct vc_perm {
	uint16_t off;
	uint8_t len;
	uint8_t flags;
	uint32_t virt;
	uint32_t write;
};

#define VP_ZERO 0x1 /* virtualized bits start as 0, not as the device's value */

#define PERM(o, l, v, w) { .off = (o), .len = (l), .virt = (v), .write = (w) }
#define PERM_ZERO(o, l, v, w) { .off = (o), .len = (l), .flags = VP_ZERO, .virt = (v), .write = (w) }

/*
 * Type 0 header. Vendor/device/class/revision/subsystem/BIST/interrupt
 * pin come from the device, read-only (no entry). BARs and the ROM BAR are
 * set up by code.
 */
static const struct vc_perm header_perms[] = {
	/* Decode, bus mastering, error reporting and INTx disable are the
	 * guest's to control: forwarded, and shadowed to raise events. The
	 * rest (special cycles, MWI, VGA snoop, fast back-to-back) is dropped. */
	PERM(PCI_COMMAND, 2, 0,
	     PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_PARITY |
		     PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE),
	/* Status from the device except Capabilities List, which follows the
	 * filtered chain; the W1C error bits may be cleared by the guest. */
	PERM(PCI_STATUS, 2, PCI_STATUS_CAP_LIST, PCI_STATUS_ERRORS),
	/* Cache line size and latency timer: the guest's values, like QEMU;
	 * the host already programmed the device's. */
	PERM(PCI_CACHE_LINE_SIZE, 1, 0xff, 0xff),
	PERM(PCI_LATENCY_TIMER, 1, 0xff, 0xff),
	/* The function is presented alone in its slot: no multi-function bit,
	 * or the guest would probe functions 1-7 for nothing. */
	PERM_ZERO(PCI_HEADER_TYPE, 1, PCI_HEADER_TYPE_MFD, 0),
	/* The pointer to the filtered chain; set by the capability walk. */
	PERM(PCI_CAPABILITY_LIST, 1, 0xff, 0),
	/* Interrupt line: a scratch register for the guest's routing; the
	 * host's routing means nothing here, so it starts as 0. */
	PERM_ZERO(PCI_INTERRUPT_LINE, 1, 0xff, 0xff),
};

/* Power management: the guest driver moves the device between D-states,
 * enables PME and clears PME status, data select: forwarded. */
static const struct vc_perm pm_perms[] = {
	PERM(0x04, 2, 0, 0x9f03), /* PMCSR: PME status (W1C), data select, PME_En, PowerState */
};

/*
 * PCI Express capability, common part. Device control (except phantom
 * functions, which would make the device use requester IDs the IOMMU does
 * not know) and control 2 are forwarded, device status W1C error bits too.
 * Capabilities, link/slot/root registers: from the device, read-only.
 */
static const struct vc_perm exp_perms[] = {
	/* Device Control; Initiate FLR is minivmm's to carry out (VCONFIG_EV_FLR), reads 0. */
	PERM_ZERO(PCI_EXP_DEVCTL, 2, PCI_EXP_DEVCTL_BCR_FLR, 0xffff & ~PCI_EXP_DEVCTL_PHANTOM),
	PERM(0x0a, 2, 0, 0x000f),                          /* Device Status: W1C errors */
	PERM(0x28, 2, 0, 0xffff),                          /* Device Control 2 */
};

/* An RC integrated endpoint has no link: link registers read 0 (QEMU). */
static const struct vc_perm exp_rc_end_link_perms[] = {
	PERM_ZERO(0x0c, 4, ~0u, 0),    /* Link Capabilities */
	PERM_ZERO(0x10, 2, 0xffff, 0), /* Link Control */
	PERM_ZERO(0x12, 2, 0xffff, 0), /* Link Status */
	PERM_ZERO(0x2c, 4, ~0u, 0),    /* Link Capabilities 2 (v2) */
	PERM_ZERO(0x30, 2, 0xffff, 0), /* Link Control 2 (v2) */
	PERM_ZERO(0x32, 2, 0xffff, 0), /* Link Status 2 (v2) */
};

/* MSI-X: enable and function mask are the guest's (minivmm programs the
 * host vectors itself), starting disabled; table size, table and PBA
 * locations from the device, read-only. */
static const struct vc_perm msix_perms[] = {
	PERM_ZERO(PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL,
		  PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL),
};

/* AER: the driver masks, sets severities, clears status (W1C) and enables
 * ECRC / multiple header recording; logs and root registers read-only. */
static const struct vc_perm aer_perms[] = {
	PERM(0x04, 4, 0, ~0u),   /* Uncorrectable Error Status (W1C) */
	PERM(0x08, 4, 0, ~0u),   /* Uncorrectable Error Mask */
	PERM(0x0c, 4, 0, ~0u),   /* Uncorrectable Error Severity */
	PERM(0x10, 4, 0, ~0u),   /* Correctable Error Status (W1C) */
	PERM(0x14, 4, 0, ~0u),   /* Correctable Error Mask */
	PERM(0x18, 4, 0, 0x540), /* Capabilities and Control: ECRC gen/check, multi-header enable */
};

struct cap_rule {
	uint16_t id;
	const struct vc_perm *perms;
	unsigned int nperms;
};

#define RULE(i, p) { .id = (i), .perms = (p), .nperms = ARRAY_SIZE(p) }
#define RULE_RO(i) { .id = (i) }

/*
 * The standard capabilities the guest sees; every other ID is hidden:
 *  AGP/AGP3: no AGP on our root bus.
 *  VPD: needs an address/flag handshake with the device we don't emulate.
 *  Slot ID, CompactPCI hot swap, SHPC, bridge subsystem-like IDs: bridge
 *   or chassis features, meaningless for a function on our root bus.
 *  PCI-X: bus mode/split transaction settings belong to the host's bus.
 *  HyperTransport: host fabric configuration.
 *  Debug port, CCRC, secure device: host-side/platform features.
 *  SATA: index/data pair access to ABAR we don't emulate.
 *  Advanced Features (AF): its FLR is the host's (vfio resets through
 *   the kernel), the guest has no business triggering it directly.
 *  Enhanced Allocation: fixed BAR addresses contradict minivmm's layout.
 * MSI and vendor-specific are handled by code (variable layouts).
 */
static const struct cap_rule std_rules[] = {
	RULE(PCI_CAP_ID_PM, pm_perms),
	RULE_RO(PCI_CAP_ID_MSI),
	RULE_RO(PCI_CAP_ID_VNDR),
	RULE(PCI_CAP_ID_EXP, exp_perms),
	RULE(PCI_CAP_ID_MSIX, msix_perms),
	RULE_RO(PCI_CAP_ID_SSVID), /* subsystem IDs, read-only */
};

/*
 * The extended capabilities the guest sees: AER (the guest handles its own
 * errors), DSN (read-only) and vendor-specific (handled by code). Hidden:
 *  SR-IOV/MR-IOV/ARI: the host owns virtual functions and routing IDs.
 *  ATS/PRI/PASID: IOMMU features configured by the host.
 *  ACS: the host's isolation (IOMMU groups) depends on it.
 *  Resizable BAR/VF resizable BAR: BAR sizes are fixed by minivmm's layout.
 *  LTR/L1 PM substates/PTM/power budgeting/DPC: host power management
 *   and error containment.
 *  Virtual channels/multicast/TPH/DPA/others: platform configuration we
 *   don't model; DVSEC: vendor protocols (e.g. CXL) needing host support.
 */
static const struct cap_rule ext_rules[] = {
	RULE(PCI_EXT_CAP_ID_ERR, aer_perms),
	RULE_RO(PCI_EXT_CAP_ID_DSN),
	RULE_RO(PCI_EXT_CAP_ID_VNDR),
};

static const struct cap_rule *find_rule(const struct cap_rule *rules, unsigned int n, unsigned int id)
{
	for (unsigned int i = 0; i < n; i++)
		if (rules[i].id == id)
			return &rules[i];
	return NULL;
}

/* The rule for standard capability @id; NULL: hidden (unsupported, or @hide says so). */
static const struct cap_rule *std_rule(unsigned int id, unsigned int hide)
{
	if ((id == PCI_CAP_ID_MSI && (hide & VCONFIG_HIDE_MSI)) || (id == PCI_CAP_ID_MSIX && (hide & VCONFIG_HIDE_MSIX)))
		return NULL;
	return find_rule(std_rules, ARRAY_SIZE(std_rules), id);
}


/* Set the permissions of [reg, reg+len) within [0, limit); bytes beyond are ignored. */
static void set_perm(struct vconfig *vc, unsigned int reg, unsigned int len, uint32_t virt, uint32_t write,
		     bool zero, unsigned int limit)
{
	for (unsigned int i = 0; i < len; i++) {
		unsigned int b = reg + i;

		if (b >= limit)
			break;
		vc->virt[b] = virt >> (8 * i);
		vc->wmask[b] = write >> (8 * i);
		if (zero)
			vc->vcfg[b] &= ~vc->virt[b];
	}
}

/* Every byte of [start, end): the same @virt and @write masks. */
static void set_range(struct vconfig *vc, unsigned int start, unsigned int end, uint8_t virt, uint8_t write)
{
	for (unsigned int b = start; b < end; b++) {
		vc->virt[b] = virt;
		vc->wmask[b] = write;
	}
}

/* The generic apply loop: one capability's table at @pos. */
static void apply_perms(struct vconfig *vc, unsigned int pos, const struct vc_perm *p, unsigned int n,
			unsigned int limit)
{
	for (unsigned int i = 0; i < n; i++)
		set_perm(vc, pos + p[i].off, p[i].len, p[i].virt, p[i].write, p[i].flags & VP_ZERO, limit);
}

/* Make [start, end) read 0, read-only. */
static void hide_range(struct vconfig *vc, unsigned int start, unsigned int end)
{
	for (unsigned int b = start; b < end; b++) {
		vc->vcfg[b] = 0;
		vc->virt[b] = 0xff;
		vc->wmask[b] = 0;
	}
}


/* MSI capability length, with the extended message data word after the data. */
unsigned int vconfig_msi_len(uint16_t flags)
{
	unsigned int len = 12; /* header, flags, address, data, extended data */

	if (flags & PCI_MSI_FLAGS_64BIT)
		len += 4;
	if (flags & PCI_MSI_FLAGS_MASKBIT)
		len += 8; /* mask, pending */
	return len;
}

/* Length of a standard capability, 0 when unknown or variable. */
static unsigned int std_cap_len(const uint8_t *cfg, unsigned int pos, unsigned int id)
{
	switch (id) {
	case PCI_CAP_ID_PM:
	case PCI_CAP_ID_VPD:
	case PCI_CAP_ID_SSVID:
		return 8;
	case PCI_CAP_ID_AGP:
	case PCI_CAP_ID_MSIX:
		return 12;
	case PCI_CAP_ID_SLOTID:
	case PCI_CAP_ID_CHSWP:
		return 4;
	case PCI_CAP_ID_AF:
		return 6;
	case PCI_CAP_ID_MSI:
		return vconfig_msi_len(le(cfg + pos + PCI_MSI_FLAGS, 2));
	case PCI_CAP_ID_VNDR:
		/* Never shorter than its own header (ID, next, length): a
		 * smaller length would leave the next pointer a raw gap. */
		return cfg[pos + 2] < 3 ? 3 : cfg[pos + 2];
	case PCI_CAP_ID_EXP:
		return (le(cfg + pos + PCI_EXP_FLAGS, 2) & PCI_EXP_FLAGS_VERS) >= 2 ? PCI_EXP_SIZEOF_V2 :
										     PCI_EXP_SIZEOF_V1;
	default:
		return 0;
	}
}

/* Length of an extended capability, 0 when unknown or variable. */
static unsigned int ext_cap_len(const uint8_t *cfg, unsigned int size, unsigned int pos, unsigned int id)
{
	switch (id) {
	case PCI_EXT_CAP_ID_DSN:
	case PCI_EXT_CAP_ID_PTM:
		return 12;
	case PCI_EXT_CAP_ID_PWR:
	case PCI_EXT_CAP_ID_PRI:
	case PCI_EXT_CAP_ID_L1SS:
		return 16;
	case PCI_EXT_CAP_ID_ARI:
	case PCI_EXT_CAP_ID_ATS:
	case PCI_EXT_CAP_ID_LTR:
	case PCI_EXT_CAP_ID_PASID:
		return 8;
	case PCI_EXT_CAP_ID_ERR:
		return 0x38;
	case PCI_EXT_CAP_ID_SRIOV:
		return 0x40;
	case PCI_EXT_CAP_ID_MCAST:
		return 0x30;
	case PCI_EXT_CAP_ID_VNDR:
	case PCI_EXT_CAP_ID_DVSEC:
		/* Length in bits 31:20 of the second dword; never shorter
		 * than the two header dwords (the first holds the next pointer). */
		if (pos + 8 > size)
			return 0;
		return le(cfg + pos + 4, 4) >> 20 < 8 ? 8 : le(cfg + pos + 4, 4) >> 20;
	default:
		return 0;
	}
}

struct cap_ent {
	uint16_t pos, id, len;
	bool keep;
};

/*
 * End of a capability: its known length, else up to the next capability
 * (by address) or the end of the region, so nothing of a hidden capability
 * leaks; never into another capability, nor past the region.
 */
static unsigned int cap_end(const struct cap_ent *caps, unsigned int n, unsigned int i, unsigned int limit)
{
	unsigned int end = limit;

	for (unsigned int j = 0; j < n; j++)
		if (caps[j].pos > caps[i].pos && caps[j].pos < end)
			end = caps[j].pos;
	if (caps[i].len && caps[i].pos + caps[i].len < end)
		end = caps[i].pos + caps[i].len;
	return end;
}

/*
 * Bytes of [start, limit) that no capability covers, kept or hidden, are
 * the device's: read and written raw (vfio-pci's "unassigned" bytes; some
 * devices keep registers there).
 */
static void mark_gaps(struct vconfig *vc, const struct cap_ent *caps, unsigned int n, unsigned int start,
		      unsigned int limit, unsigned int covered_to)
{
	uint8_t covered[VCONFIG_SIZE] = { 0 };

	memset(covered, 1, covered_to);
	for (unsigned int i = 0; i < n; i++)
		memset(covered + caps[i].pos, 1, cap_end(caps, n, i, limit) - caps[i].pos);
	for (unsigned int b = start; b < limit; b++) {
		if (!covered[b]) {
			vc->virt[b] = 0;
			vc->wmask[b] = 0xff;
		}
	}
}

/*
 * MSI: fully virtualized (minivmm routes the messages itself), layout
 * depends on the flags. Values start from the snapshot, disabled with one
 * vector; the guest writes enable, multiple message enable, address, data
 * and the mask bits of implemented vectors. Reserved and pending read 0.
 */
static void init_msi(struct vconfig *vc, unsigned int pos)
{
	uint16_t flags = le(vc->vcfg + pos + PCI_MSI_FLAGS, 2);
	unsigned int nvec, len = vconfig_msi_len(flags), off = 4;
	unsigned int lim = pos + len < PCI_CFG_SPACE_SIZE ? pos + len : PCI_CFG_SPACE_SIZE;

	set_range(vc, pos + 2, lim, 0xff, 0);
	/* Multiple Message Capable codes past 32 vectors are reserved: shown as 32. */
	if ((flags & PCI_MSI_FLAGS_QMASK) >> 1 > 5)
		flags = (flags & ~PCI_MSI_FLAGS_QMASK) | 5 << 1;
	nvec = 1u << ((flags & PCI_MSI_FLAGS_QMASK) >> 1);
	flags &= ~(PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
	put_le(vc->vcfg + pos + PCI_MSI_FLAGS, 2, flags);
	set_perm(vc, pos + PCI_MSI_FLAGS, 2, 0xffff, PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE, false, lim);
	set_perm(vc, pos + off, 4, ~0u, 0xfffffffc, false, lim); /* address, dword aligned */
	off += 4;
	if (flags & PCI_MSI_FLAGS_64BIT) {
		set_perm(vc, pos + off, 4, ~0u, ~0u, false, lim); /* upper address */
		off += 4;
	}
	set_perm(vc, pos + off, 2, 0xffff, 0xffff, false, lim); /* data */
	set_perm(vc, pos + off + 2, 2, 0xffff, 0, true, lim);   /* extended data: unsupported */
	off += 4;
	if (flags & PCI_MSI_FLAGS_MASKBIT) {
		set_perm(vc, pos + off, 4, ~0u, nvec >= 32 ? ~0u : (1u << nvec) - 1, false, lim);
		set_perm(vc, pos + off + 4, 4, ~0u, 0, true, lim); /* pending */
	}
	vc->msi_cap = pos;
}

/* Vendor-specific capability: the body after its header is the driver's
 * protocol with the device, forwarded. */
static void init_vndr(struct vconfig *vc, unsigned int body, unsigned int end)
{
	if (body < end)
		set_range(vc, body, end, 0, 0xff);
}

static void init_exp(struct vconfig *vc, unsigned int pos, unsigned int len)
{
	unsigned int lim = pos + len < PCI_CFG_SPACE_SIZE ? pos + len : PCI_CFG_SPACE_SIZE;
	uint16_t flags = le(vc->vcfg + pos + PCI_EXP_FLAGS, 2);
	unsigned int type = (flags & PCI_EXP_FLAGS_TYPE) >> 4;

	/* On minivmm's root bus there is no root port above the function: an
	 * endpoint is presented as a root-complex integrated endpoint. */
	if (type == PCI_EXP_TYPE_ENDPOINT || type == PCI_EXP_TYPE_LEG_END) {
		set_perm(vc, pos + PCI_EXP_FLAGS, 2, PCI_EXP_FLAGS_TYPE, 0, false, lim);
		flags = (flags & ~PCI_EXP_FLAGS_TYPE) | PCI_EXP_TYPE_RC_END << 4;
		put_le(vc->vcfg + pos + PCI_EXP_FLAGS, 2, flags);
		type = PCI_EXP_TYPE_RC_END;
	}
	if (type == PCI_EXP_TYPE_RC_END)
		apply_perms(vc, pos, exp_rc_end_link_perms, ARRAY_SIZE(exp_rc_end_link_perms), lim);
	vc->pcie_cap = pos;
}

/* Make the "next" byte at @at (a capability's, or 0x34) point to @next, read-only. */
static void set_std_next(struct vconfig *vc, unsigned int at, unsigned int next)
{
	vc->vcfg[at] = next;
	vc->virt[at] = 0xff;
	vc->wmask[at] = 0;
}

static void init_std_caps(struct vconfig *vc, const uint8_t *cfg, unsigned int hide)
{
	struct cap_ent caps[STD_TTL];
	uint8_t seen[PCI_CFG_SPACE_SIZE / 4] = { 0 };
	unsigned int n = 0, prev, kept = 0;
	unsigned int pos, lim;

	/*
	 * Walk the device's chain. A loop or a pointer into the header ends
	 * the chain there (the previous kept "next" reads 0): real devices
	 * with a buggy chain still work, with what precedes the bad link.
	 */
	if (le(cfg + PCI_STATUS, 2) & PCI_STATUS_CAP_LIST)
		pos = cfg[PCI_CAPABILITY_LIST] & 0xfc;
	else
		pos = 0;
	while (pos && n < STD_TTL) {
		if (pos < PCI_STD_HEADER_SIZEOF || seen[pos / 4])
			break;
		seen[pos / 4] = 1;
		caps[n].pos = pos;
		caps[n].id = cfg[pos];
		caps[n].len = std_cap_len(cfg, pos, cfg[pos]);
		caps[n].keep = std_rule(cfg[pos], hide) != NULL;
		vc->dev_has_msi |= cfg[pos] == PCI_CAP_ID_MSI;
		vc->dev_has_msix |= cfg[pos] == PCI_CAP_ID_MSIX;
		n++;
		pos = cfg[pos + 1] & 0xfc;
	}

	/* Hidden capabilities first, so a kept one overlapping wins. */
	for (unsigned int i = 0; i < n; i++)
		if (!caps[i].keep)
			hide_range(vc, caps[i].pos, cap_end(caps, n, i, PCI_CFG_SPACE_SIZE));

	for (unsigned int i = 0; i < n; i++) {
		const struct cap_rule *r = std_rule(caps[i].id, hide);
		unsigned int p = caps[i].pos;

		if (!r)
			continue;
		/* Tables stop at the capability's end when its length is known. */
		lim = caps[i].len && p + caps[i].len < PCI_CFG_SPACE_SIZE ? p + caps[i].len :
									    PCI_CFG_SPACE_SIZE;
		apply_perms(vc, p, r->perms, r->nperms, lim);
		switch (caps[i].id) {
		case PCI_CAP_ID_MSI:
			init_msi(vc, p);
			break;
		case PCI_CAP_ID_MSIX:
			vc->msix_cap = p;
			break;
		case PCI_CAP_ID_PM:
			vc->pm_cap = p;
			break;
		case PCI_CAP_ID_EXP:
			init_exp(vc, p, caps[i].len);
			break;
		case PCI_CAP_ID_VNDR:
			init_vndr(vc, p + 3, cap_end(caps, n, i, PCI_CFG_SPACE_SIZE));
			break;
		}
	}
	/*
	 * The chain last: a malformed device may overlap a capability's body
	 * with another's header; the headers win, or the guest could rewrite
	 * the chain (a loop) through the other capability's registers.
	 */
	prev = PCI_CAPABILITY_LIST;
	set_std_next(vc, prev, 0);
	for (unsigned int i = 0; i < n; i++) {
		unsigned int p = caps[i].pos;

		if (!caps[i].keep)
			continue;
		/* ID from the device, read-only; next: the filtered chain. */
		vc->virt[p] = 0;
		vc->wmask[p] = 0;
		set_std_next(vc, prev, p);
		prev = p + 1;
		set_std_next(vc, prev, 0);
		kept++;
	}
	mark_gaps(vc, caps, n, PCI_STD_HEADER_SIZEOF, PCI_CFG_SPACE_SIZE, PCI_STD_HEADER_SIZEOF);
	/* Capabilities List follows what the guest can see. */
	if (kept)
		vc->vcfg[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
	else
		vc->vcfg[PCI_STATUS] &= ~PCI_STATUS_CAP_LIST;
}

/* Point the extended header at @at to @next (bits 31:20, virtualized). */
static void set_ext_next(struct vconfig *vc, unsigned int at, unsigned int next)
{
	uint32_t v = le(vc->vcfg + at, 4);

	put_le(vc->vcfg + at, 4, (v & 0x000fffff) | (uint32_t)next << 20);
	vc->virt[at + 2] |= 0xf0;
	vc->virt[at + 3] = 0xff;
}

static void init_ext_caps(struct vconfig *vc, const uint8_t *cfg, unsigned int size)
{
	struct cap_ent caps[EXT_TTL];
	uint8_t seen[VCONFIG_SIZE / 4] = { 0 };
	unsigned int n = 0, pos = PCI_CFG_SPACE_SIZE, prev = 0;
	bool first_hidden;

	/* Same truncation rule as the standard chain. */
	while (n < EXT_TTL) {
		uint32_t hdr = le(cfg + pos, 4);

		if (hdr == 0 || hdr == ~0u || seen[pos / 4])
			break;
		seen[pos / 4] = 1;
		caps[n].pos = pos;
		caps[n].id = hdr & 0xffff;
		caps[n].len = ext_cap_len(cfg, size, pos, caps[n].id);
		caps[n].keep = find_rule(ext_rules, ARRAY_SIZE(ext_rules), caps[n].id) != NULL;
		n++;
		pos = (hdr >> 20) & 0xffc;
		if (pos < PCI_CFG_SPACE_SIZE)
			break; /* 0 ends the chain; below 0x100 is malformed */
	}

	for (unsigned int i = 0; i < n; i++)
		if (!caps[i].keep)
			hide_range(vc, caps[i].pos, cap_end(caps, n, i, size));

	/*
	 * 0x100 must hold a header. If the first capability is hidden (or
	 * there is none), it presents ID 0, version 0 and next = the first
	 * kept capability, as QEMU does; Linux skips ID 0. None kept: 0.
	 */
	first_hidden = !n || !caps[0].keep;
	/* 0x100's header is never a gap. */
	mark_gaps(vc, caps, n, PCI_CFG_SPACE_SIZE, size, PCI_CFG_SPACE_SIZE + 4);
	if (first_hidden) {
		hide_range(vc, PCI_CFG_SPACE_SIZE, PCI_CFG_SPACE_SIZE + 4);
		prev = PCI_CFG_SPACE_SIZE;
	}
	for (unsigned int i = 0; i < n; i++) {
		const struct cap_rule *r = find_rule(ext_rules, ARRAY_SIZE(ext_rules), caps[i].id);
		unsigned int p = caps[i].pos;

		if (!r)
			continue;
		apply_perms(vc, p, r->perms, r->nperms, size);
		if (caps[i].id == PCI_EXT_CAP_ID_VNDR)
			init_vndr(vc, p + 8, cap_end(caps, n, i, size));
	}
	/* The chain last, as for the standard one: headers win over bodies. */
	for (unsigned int i = 0; i < n; i++) {
		unsigned int p = caps[i].pos;

		if (!caps[i].keep)
			continue;
		if (prev)
			set_ext_next(vc, prev, p);
		/* ID and version from the device, read-only. */
		vc->virt[p] = vc->virt[p + 1] = 0;
		vc->virt[p + 2] &= 0xf0;
		vc->wmask[p] = vc->wmask[p + 1] = vc->wmask[p + 2] = vc->wmask[p + 3] = 0;
		set_ext_next(vc, p, 0);
		prev = p;
	}
}

static uint64_t pow2_roundup(uint64_t v)
{
	uint64_t p = 1;

	while (p < v && p)
		p <<= 1;
	return p ? p : v;
}

/*
 * BARs are fully virtualized: flags read-only, address bits writable
 * above the size, so writing all-ones reads back the sizing mask, as with
 * hardware. Addresses start at 0: the host's addresses mean nothing in the
 * guest; minivmm seeds its own with vconfig_set32().
 */
static void init_bars(struct vconfig *vc, const struct vconfig_bar bar[VCONFIG_BARS])
{
	memset(vc->bar, 0, sizeof(vc->bar));
	for (unsigned int i = 0; i < VCONFIG_BARS; i++) {
		unsigned int reg = PCI_BASE_ADDRESS_0 + 4 * i;
		struct vconfig_bar b = bar[i];
		uint64_t mask;
		uint32_t flags;

		hide_range(vc, reg, reg + 4);
		/* A 64-bit BAR in the last slot has no upper half: not implemented. */
		if (!b.size || (b.is_64 && (b.is_io || i + 1 >= VCONFIG_BARS)))
			continue;
		b.size = pow2_roundup(b.size);
		if (b.is_io) {
			b.prefetch = false;
			flags = PCI_BAR_IO;
			mask = ~(b.size - 1) & 0xfffffffcu; /* bit 1 reserved */
		} else {
			flags = (b.is_64 ? PCI_BAR_MEM_64 : 0) | (b.prefetch ? PCI_BAR_MEM_PREFETCH : 0);
			mask = ~(b.size - 1) & ~0xfull;
		}
		vc->bar[i] = b;
		put_le(vc->vcfg + reg, 4, flags);
		put_le(vc->wmask + reg, 4, (uint32_t)mask);
		if (b.is_64) {
			/* The upper half: this slot's facts are superseded. */
			i++;
			reg += 4;
			hide_range(vc, reg, reg + 4);
			put_le(vc->wmask + reg, 4, (uint32_t)(mask >> 32));
		}
	}
}

/* ROM BAR: virtualized, address above the size and enable writable. Without
 * a ROM it reads 0, read-only: not implemented. */
static void init_rom(struct vconfig *vc, uint64_t rom_size)
{
	hide_range(vc, PCI_ROM_ADDRESS, PCI_ROM_ADDRESS + 4);
	vc->rom_size = 0;
	if (!rom_size || rom_size > (1ull << 31))
		return;
	vc->rom_size = pow2_roundup(rom_size);
	put_le(vc->wmask + PCI_ROM_ADDRESS, 4,
	       ((uint32_t)~(vc->rom_size - 1) & PCI_ROM_ADDR_MASK) | PCI_ROM_ENABLE);
}

int vconfig_init(struct vconfig *vc, const uint8_t *devcfg, unsigned int size,
		 const struct vconfig_bar bar[VCONFIG_BARS], uint64_t rom_size, unsigned int hide)
{
	if (!vc || !devcfg || !bar || (size != PCI_CFG_SPACE_SIZE && size != VCONFIG_SIZE))
		return -EINVAL;
	/* Like vfio-pci, which refuses bridges and CardBus: type 0 only. */
	if ((devcfg[PCI_HEADER_TYPE] & 0x7f) != 0)
		return -EINVAL;

	memset(vc, 0, sizeof(*vc));
	vc->size = size;
	memcpy(vc->vcfg, devcfg, size);
	apply_perms(vc, 0, header_perms, ARRAY_SIZE(header_perms), size);
	init_bars(vc, bar);
	init_rom(vc, rom_size);
	init_std_caps(vc, devcfg, hide);
	if (size == VCONFIG_SIZE)
		init_ext_caps(vc, devcfg, size);
	/* Bits a later rule stopped virtualizing (overlapping capabilities)
	 * shadow the snapshot again, not what an earlier rule put there. */
	for (unsigned int b = 0; b < size; b++)
		vc->vcfg[b] = (vc->vcfg[b] & vc->virt[b]) | (devcfg[b] & ~vc->virt[b]);
	return 0;
}
