// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the config-space virtualization (src/vfio/vconfig.c, vconfig_layout.c):
 * a guest's reads and writes over a real device's config space, one of the
 * dumps captured in tests/unit/data, with a fake device behind it that
 * takes the forwarded bits (as the device code's read-modify-write does).
 *
 * Input: byte 0 picks the dump (low 4 bits); bits 4-5 are the capabilities
 * to hide (VCONFIG_HIDE_MSI, VCONFIG_HIDE_MSIX, as irq=intx/msi asks);
 * bit 7 adds up to 16 byte patches to the dump before vconfig_init
 * (malformed capability chains, odd flags), bit 6 replaces the BAR/ROM
 * facts VFIO would report. Then operations until the input ends: op byte
 * (kind, length code), register (13 bits: past the config space too),
 * value. Besides guest reads and writes, minivmm's own calls: seeding a
 * BAR address, a function-level reset (vconfig_reset) and the number of
 * MSI vectors VFIO enabled (vconfig_msi_set_enabled_vectors).
 *
 * Checked after every step: bad lengths/offsets read all-ones, ignore
 * writes and need no device; reads combine vcfg and the device value as
 * the masks say; writes change only writable bits, never the masks, and
 * forward only writable non-virtualized bits; the event bits match what
 * changed; BAR and ROM addresses stay aligned to their sizes with their
 * type flags intact; the capability chains the guest walks (standard and
 * extended) stay loop-free, dword-aligned, inside config space and made
 * of capabilities minivmm shows (never a hidden one), with the chain
 * bytes read-only; Status Capabilities List matches the chain; the header
 * type has no multi-function bit; MSI's multiple message enable never
 * exceeds its capable count; a power state change raises the PM event and
 * nothing else does; a write of Initiate FLR raises the FLR event and the
 * bit reads 0 again; after a reset decoding, bus mastering, MSI, MSI-X and
 * the power state are off and the BAR addresses kept.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "minivmm/vfio/msix.h"
#include "minivmm/vfio/vconfig.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define MEM32(sz) { .size = (sz) }
#define MEM64(sz) { .size = (sz), .is_64 = true }
#define MEM64P(sz) { .size = (sz), .is_64 = true, .prefetch = true }
#define IO(sz) { .size = (sz), .is_io = true }

/* The dumps and what VFIO reports for them (as tests/unit/test_vconfig.c). */
static const struct dump_info {
	const char *file;
	unsigned int size;
	struct vconfig_bar bar[VCONFIG_BARS];
	uint64_t rom;
} dump_info[] = {
	{ "e1000e.bin", 4096, { MEM32(0x20000), MEM32(0x20000), IO(32), MEM32(0x4000) }, 0x40000 },
	{ "e1000e-ep.bin", 4096, { MEM32(0x20000), MEM32(0x20000), IO(32), MEM32(0x4000) }, 0x40000 },
	{ "nvme.bin", 4096, { MEM64(0x4000) }, 0 },
	{ "e1000.bin", 256, { MEM32(0x20000), IO(64) }, 0x40000 },
	{ "ne2k_pci.bin", 256, { IO(256) }, 0 },
	{ "pcnet.bin", 256, { IO(32), MEM32(32) }, 0 },
	{ "edu.bin", 256, { MEM32(1 << 20) }, 0 },
	{ "virtio-net.bin", 256, { IO(32), MEM32(0x1000), {}, {}, MEM64P(0x4000) }, 0x40000 },
	{ "virtio-net-ep.bin", 4096, { {}, MEM32(0x1000), {}, {}, MEM64P(0x4000) }, 0x40000 },
};

static uint8_t dumps[ARRAY_SIZE(dump_info)][VCONFIG_SIZE];

/* Capability IDs a guest may find (vconfig_layout.c's std_rules and ext_rules). */
static const uint8_t shown_std[] = { 0x01, 0x05, 0x09, 0x10, 0x11, 0x0d };
static const uint16_t shown_ext[] = { 0x0001, 0x0003, 0x000b };

/* The state of one run: the view and the "device" behind it. */
static struct {
	struct vconfig vc, before;
	uint8_t dev[VCONFIG_SIZE];
	unsigned int size;
	struct vconfig_bar bar[VCONFIG_BARS];
	uint64_t rom;
	unsigned int hide;
} s;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	for (size_t i = 0; i < ARRAY_SIZE(dump_info); i++) {
		char path[4096];
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", FUZZ_DATA_DIR, dump_info[i].file);
		f = fopen(path, "rb");
		if (!f || fread(dumps[i], 1, dump_info[i].size, f) != dump_info[i].size) {
			fprintf(stdout, "vconfig_fuzz: cannot read %s\n", path);
			exit(1);
		}
		fclose(f);
	}
	return 0;
}

FUZZ_NOCOV static bool access_ok(unsigned int reg, unsigned int len)
{
	return (len == 1 || len == 2 || len == 4) && !(reg & (len - 1)) && reg < s.size && len <= s.size - reg;
}

FUZZ_NOCOV static uint32_t devval(unsigned int reg, unsigned int len)
{
	uint32_t v = 0;

	for (unsigned int i = 0; i < len && reg + i < VCONFIG_SIZE; i++)
		v |= (uint32_t)s.dev[reg + i] << (8 * i);
	return v;
}

FUZZ_NOCOV static uint32_t ones(unsigned int len)
{
	return len >= 4 ? ~0u : (1u << (8 * len)) - 1;
}

/* A guest read, checked byte by byte against the masks. */
FUZZ_NOCOV static uint32_t gread(unsigned int reg, unsigned int len)
{
	bool need = vconfig_needs_device(&s.vc, reg, len);
	uint32_t dv = need ? devval(reg, len) : 0x5a5a5a5a;
	uint32_t v = vconfig_read(&s.vc, reg, len, dv);
	bool any = false;

	if (!access_ok(reg, len)) {
		FUZZ_CHECK(!need);
		FUZZ_CHECK((v & ones(len)) == ones(len));
		return v;
	}
	for (unsigned int i = 0; i < len; i++) {
		uint8_t m = s.vc.virt[reg + i], b = v >> (8 * i);

		FUZZ_CHECK((b & m) == (s.vc.vcfg[reg + i] & m));
		FUZZ_CHECK((b & ~m) == (s.dev[reg + i] & ~m));
		any = any || m != 0xff;
	}
	FUZZ_CHECK(any == need);
	FUZZ_CHECK(len == 4 || !(v >> (8 * len)));
	return v;
}

/* A guest write; the forwarded bits land in the device. */
FUZZ_NOCOV static void gwrite(unsigned int reg, unsigned int len, uint32_t val)
{
	uint32_t mask = 0x12345678;
	unsigned int ev;
	uint64_t old_bar[VCONFIG_BARS];
	bool rom_en, new_en;
	uint64_t old_rom = vconfig_rom_addr(&s.vc, &rom_en);

	for (unsigned int i = 0; i < VCONFIG_BARS; i++)
		old_bar[i] = vconfig_bar_addr(&s.vc, i);
	memcpy(&s.before, &s.vc, sizeof(s.vc));
	ev = vconfig_write(&s.vc, reg, len, val, &mask);
	if (!access_ok(reg, len)) {
		FUZZ_CHECK(ev == 0 && mask == 0);
		FUZZ_CHECK(!memcmp(&s.before, &s.vc, sizeof(s.vc)));
		return;
	}
	/* The masks never change on a write, nor do the recorded facts. */
	FUZZ_CHECK(!memcmp(s.before.virt, s.vc.virt, sizeof(s.vc.virt)));
	FUZZ_CHECK(!memcmp(s.before.wmask, s.vc.wmask, sizeof(s.vc.wmask)));
	FUZZ_CHECK(!memcmp(s.before.bar, s.vc.bar, sizeof(s.vc.bar)));
	FUZZ_CHECK(s.before.rom_size == s.vc.rom_size && s.before.size == s.vc.size);
	FUZZ_CHECK(s.before.msi_cap == s.vc.msi_cap && s.before.msix_cap == s.vc.msix_cap);
	FUZZ_CHECK(s.before.pcie_cap == s.vc.pcie_cap && s.before.pm_cap == s.vc.pm_cap);
	/* Outside the access nothing moves, except MSI's clamped multiple
	 * message enable (in the flags word). */
	if (s.vc.msi_cap) {
		uint8_t *b = &s.before.vcfg[s.vc.msi_cap + 2];

		*b = (*b & ~0x70) | (s.vc.vcfg[s.vc.msi_cap + 2] & 0x70);
	}
	FUZZ_CHECK(!memcmp(s.before.vcfg, s.vc.vcfg, reg));
	FUZZ_CHECK(!memcmp(s.before.vcfg + reg + len, s.vc.vcfg + reg + len, VCONFIG_SIZE - reg - len));
	for (unsigned int b = reg; b < reg + len; b++) {
		uint8_t w = s.vc.wmask[b], fwd = mask >> (8 * (b - reg));

		/* Read-only bits never change; only writable device bits are forwarded. */
		FUZZ_CHECK((s.vc.vcfg[b] & ~w) == (s.before.vcfg[b] & ~w));
		FUZZ_CHECK(fwd == (w & ~s.vc.virt[b]));
	}
	FUZZ_CHECK(len == 4 || !(mask >> (8 * len)));
	/* The device's read-modify-write. */
	for (unsigned int i = 0; i < len; i++) {
		uint8_t m = mask >> (8 * i);

		s.dev[reg + i] = (s.dev[reg + i] & ~m) | ((val >> (8 * i)) & m);
	}
	for (unsigned int i = 0; i < VCONFIG_BARS; i++)
		FUZZ_CHECK(!!(ev & VCONFIG_EV_BAR(i)) == (vconfig_bar_addr(&s.vc, i) != old_bar[i]));
	if (vconfig_rom_addr(&s.vc, &new_en) != old_rom || new_en != rom_en)
		FUZZ_CHECK(ev & VCONFIG_EV_ROM);
	if ((vconfig_get16(&s.vc, 0x04) ^ vconfig_get16(&s.before, 0x04)) & 0x0403)
		FUZZ_CHECK(ev & VCONFIG_EV_COMMAND);
	if (s.vc.msix_cap &&
	    ((vconfig_get16(&s.vc, s.vc.msix_cap + 2) ^ vconfig_get16(&s.before, s.vc.msix_cap + 2)) & 0xc000))
		FUZZ_CHECK(ev & VCONFIG_EV_MSIX);
	/* The PM event exactly when the power state changed. */
	FUZZ_CHECK(!!(ev & VCONFIG_EV_PM) == (vconfig_power_state(&s.vc) != vconfig_power_state(&s.before)));
	/* The FLR event exactly when the guest set Initiate FLR (bit 15 of
	 * Device Control, bit 7 of its high byte); it reads 0 again. */
	if (s.vc.pcie_cap) {
		unsigned int hi = s.vc.pcie_cap + 9;
		bool flr = reg <= hi && hi < reg + len && ((val >> (8 * (hi - reg))) & s.vc.wmask[hi] & 0x80);

		FUZZ_CHECK(!!(ev & VCONFIG_EV_FLR) == flr);
	} else {
		FUZZ_CHECK(!(ev & VCONFIG_EV_FLR));
	}
	FUZZ_CHECK(!(ev & ~0xfffu));
}

/* A function-level reset: what a guest reads is as after reset, the
 * BAR addresses and the masks stay. */
FUZZ_NOCOV static void greset(void)
{
	uint64_t old_bar[VCONFIG_BARS];

	for (unsigned int i = 0; i < VCONFIG_BARS; i++)
		old_bar[i] = vconfig_bar_addr(&s.vc, i);
	memcpy(&s.before, &s.vc, sizeof(s.vc));
	vconfig_reset(&s.vc);
	FUZZ_CHECK(!memcmp(s.before.virt, s.vc.virt, sizeof(s.vc.virt)));
	FUZZ_CHECK(!memcmp(s.before.wmask, s.vc.wmask, sizeof(s.vc.wmask)));
	for (unsigned int i = 0; i < VCONFIG_BARS; i++)
		FUZZ_CHECK(vconfig_bar_addr(&s.vc, i) == old_bar[i]);
	FUZZ_CHECK(!(vconfig_get16(&s.vc, 0x04) & 0x0547));
	if (s.vc.msi_cap)
		FUZZ_CHECK(!(vconfig_get16(&s.vc, s.vc.msi_cap + 2) & 0x0071));
	if (s.vc.msix_cap)
		FUZZ_CHECK(!(vconfig_get16(&s.vc, s.vc.msix_cap + 2) & 0xc000));
	FUZZ_CHECK(vconfig_power_state(&s.vc) == 0);
}

/* VFIO enabled @n of the vectors the guest asked for (n <= what it asked). */
FUZZ_NOCOV static void gmsi_enabled(uint8_t r)
{
	unsigned int asked, n;

	if (!s.vc.msi_cap) {
		memcpy(&s.before, &s.vc, sizeof(s.vc));
		vconfig_msi_set_enabled_vectors(&s.vc, r);
		FUZZ_CHECK(!memcmp(&s.before, &s.vc, sizeof(s.vc)));
		return;
	}
	asked = 1u << ((vconfig_get16(&s.vc, s.vc.msi_cap + 2) >> 4) & 7);
	n = 1 + r % asked;
	vconfig_msi_set_enabled_vectors(&s.vc, n);
	/* Multiple Message Enable: the largest power of two not above n. */
	asked = 1u << ((vconfig_get16(&s.vc, s.vc.msi_cap + 2) >> 4) & 7);
	FUZZ_CHECK(asked <= n && 2 * asked > n);
}

FUZZ_NOCOV static bool in_list8(const uint8_t *l, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (l[i] == v)
			return true;
	return false;
}

/* The chain bytes at @reg: read-only and served by minivmm. */
FUZZ_NOCOV static void check_fixed(unsigned int reg, unsigned int len)
{
	for (unsigned int i = 0; i < len; i++)
		FUZZ_CHECK(s.vc.wmask[reg + i] == 0);
}

/* The guest's walk of the standard list, as Linux's pci_find_capability. */
FUZZ_NOCOV static void check_std_chain(void)
{
	uint8_t seen[256] = { 0 };
	unsigned int pos, n = 0;
	bool listed = gread(0x06, 2) & 0x10;

	check_fixed(0x34, 1);
	pos = gread(0x34, 1);
	FUZZ_CHECK(listed == (pos != 0));
	while (pos) {
		uint8_t id;

		FUZZ_CHECK(!(pos & 3) && pos >= 0x40 && pos <= 0xfc);
		FUZZ_CHECK(!seen[pos]);
		seen[pos] = 1;
		FUZZ_CHECK(++n <= 48);
		check_fixed(pos, 2);
		id = gread(pos, 1);
		FUZZ_CHECK(in_list8(shown_std, sizeof(shown_std), id));
		FUZZ_CHECK(!(id == 0x05 && (s.hide & VCONFIG_HIDE_MSI)));
		FUZZ_CHECK(!(id == 0x11 && (s.hide & VCONFIG_HIDE_MSIX)));
		pos = gread(pos + 1, 1);
	}
	/* The offsets minivmm's device code uses hold what they claim. */
	if (s.vc.msi_cap)
		FUZZ_CHECK(seen[s.vc.msi_cap] && gread(s.vc.msi_cap, 1) == 0x05);
	if (s.vc.msix_cap)
		FUZZ_CHECK(seen[s.vc.msix_cap] && gread(s.vc.msix_cap, 1) == 0x11);
	if (s.vc.pcie_cap)
		FUZZ_CHECK(seen[s.vc.pcie_cap] && gread(s.vc.pcie_cap, 1) == 0x10);
	if (s.vc.pm_cap)
		FUZZ_CHECK(seen[s.vc.pm_cap] && gread(s.vc.pm_cap, 1) == 0x01);
}

FUZZ_NOCOV static void check_ext_chain(void)
{
	uint8_t seen[VCONFIG_SIZE / 4] = { 0 };
	unsigned int pos = 0x100, n = 0;

	if (s.size < VCONFIG_SIZE) {
		FUZZ_CHECK(gread(0x100, 4) == ~0u);
		return;
	}
	for (;;) {
		uint32_t hdr;
		uint16_t id;
		bool shown = false;

		FUZZ_CHECK(!(pos & 3) && pos >= 0x100 && pos <= 0xffc);
		FUZZ_CHECK(!seen[pos / 4]);
		seen[pos / 4] = 1;
		FUZZ_CHECK(++n <= (VCONFIG_SIZE - 0x100) / 8);
		check_fixed(pos, 4);
		hdr = gread(pos, 4);
		if (!hdr)
			break;
		id = hdr & 0xffff;
		for (size_t i = 0; i < ARRAY_SIZE(shown_ext); i++)
			shown = shown || id == shown_ext[i];
		/* ID 0 only as the placeholder at 0x100. */
		FUZZ_CHECK(shown || (id == 0 && pos == 0x100 && !((hdr >> 16) & 0xf)));
		pos = hdr >> 20;
		if (!pos)
			break;
	}
}

FUZZ_NOCOV static void check_header(void)
{
	FUZZ_CHECK(!(gread(0x0e, 1) & 0x80));
	check_fixed(0x00, 4);
	check_fixed(0x08, 4);
	check_fixed(0x2c, 4);
	check_fixed(0x3d, 1);
	for (unsigned int i = 0; i < VCONFIG_BARS; i++) {
		const struct vconfig_bar *b = &s.vc.bar[i];
		uint32_t raw = vconfig_get32(&s.vc, 0x10 + 4 * i);
		uint64_t addr = vconfig_bar_addr(&s.vc, i);

		FUZZ_CHECK(!vconfig_needs_device(&s.vc, 0x10 + 4 * i, 4));
		if (!b->size) {
			FUZZ_CHECK(addr == 0);
			if (!(i && s.vc.bar[i - 1].size && s.vc.bar[i - 1].is_64))
				FUZZ_CHECK(raw == 0 && s.vc.wmask[0x10 + 4 * i] == 0);
			continue;
		}
		FUZZ_CHECK(!(b->size & (b->size - 1)));
		FUZZ_CHECK(!(addr & (b->size - 1)));
		if (b->is_io)
			FUZZ_CHECK((raw & 3) == 1);
		else
			FUZZ_CHECK((raw & 0xf) == ((b->is_64 ? 4u : 0u) | (b->prefetch ? 8u : 0u)));
		FUZZ_CHECK(!b->is_64 || (i + 1 < VCONFIG_BARS && !s.vc.bar[i + 1].size));
	}
	if (s.vc.rom_size) {
		bool en;
		uint64_t a = vconfig_rom_addr(&s.vc, &en);

		FUZZ_CHECK(!(s.vc.rom_size & (s.vc.rom_size - 1)));
		FUZZ_CHECK(!(a & (s.vc.rom_size - 1)));
	} else {
		FUZZ_CHECK(gread(0x30, 4) == 0);
	}
	if (s.vc.msi_cap) {
		uint16_t f = vconfig_get16(&s.vc, s.vc.msi_cap + 2);
		struct msi_state st;

		FUZZ_CHECK(((f >> 4) & 7) <= ((f >> 1) & 7));
		msi_decode(s.vc.vcfg, s.vc.msi_cap, &st);
		FUZZ_CHECK(st.nvec >= 1 && st.nvec <= 32 && !(st.nvec & (st.nvec - 1)));
		FUZZ_CHECK(msi_mask_offset(s.vc.vcfg, s.vc.msi_cap) + 4 <= VCONFIG_SIZE);
	}
	if (s.vc.pcie_cap)
		FUZZ_CHECK(!(gread(s.vc.pcie_cap + 8, 2) & 0x8000));
	if (s.hide & VCONFIG_HIDE_MSI)
		FUZZ_CHECK(!s.vc.msi_cap);
	if (s.hide & VCONFIG_HIDE_MSIX)
		FUZZ_CHECK(!s.vc.msix_cap);
	FUZZ_CHECK(!s.vc.msi_cap || s.vc.dev_has_msi);
	FUZZ_CHECK(!s.vc.msix_cap || s.vc.dev_has_msix);
}

FUZZ_NOCOV static void check_all(void)
{
	check_header();
	check_std_chain();
	check_ext_chain();
}

/* 0, a power of two up to 2^39, or (bit 6) one that is not. */
static uint64_t bar_size(uint8_t l)
{
	uint64_t size = l & 0x3f ? 1ull << ((l & 0x3f) % 40) : 0;

	return l & 0x40 ? size + (size >> 1) + 1 : size;
}

static unsigned int len_code(unsigned int c)
{
	static const unsigned int lens[8] = { 1, 2, 4, 4, 1, 2, 3, 8 };

	return lens[c & 7];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz in = { data, size };
	uint8_t sel = fz_u8(&in);
	const struct dump_info *d = &dump_info[(sel & 0xf) % ARRAY_SIZE(dump_info)];
	int ret;

	memset(&s, 0, sizeof(s));
	s.size = d->size;
	memcpy(s.dev, dumps[d - dump_info], d->size);
	memcpy(s.bar, d->bar, sizeof(s.bar));
	s.rom = d->rom;
	s.hide = (sel >> 4) & 3;
	if (sel & 0x80) {
		unsigned int n = fz_u8(&in) % 17;

		for (unsigned int i = 0; i < n; i++) {
			unsigned int off = fz_u16(&in) & (s.size - 1);

			s.dev[off] ^= fz_u8(&in);
		}
	}
	if (sel & 0x40) {
		for (unsigned int i = 0; i < VCONFIG_BARS; i++) {
			uint8_t l = fz_u8(&in), fl = fz_u8(&in);

			s.bar[i] = (struct vconfig_bar){ .size = bar_size(l), .is_io = fl & 1, .is_64 = fl & 2,
							 .prefetch = fl & 4 };
		}
		s.rom = bar_size(fz_u8(&in));
	}
	ret = vconfig_init(&s.vc, s.dev, s.size, s.bar, s.rom, s.hide);
	if (ret) {
		/* Only a header type other than 0 is refused. */
		FUZZ_CHECK(ret == -EINVAL && (s.dev[0x0e] & 0x7f));
		return 0;
	}
	FUZZ_CHECK(s.vc.size == s.size);
	/* vcfg starts as the device's snapshot where not virtualized. */
	for (unsigned int b = 0; b < s.size; b++)
		FUZZ_CHECK((s.vc.vcfg[b] & ~s.vc.virt[b]) == (s.dev[b] & ~s.vc.virt[b]));
	check_all();

	while (fz_more(&in)) {
		uint8_t op = fz_u8(&in);
		unsigned int reg = fz_u16(&in) & 0x1fff, len = len_code(op >> 2);

		/* Mostly aligned, in-range registers: where the logic is. */
		if (!(op & 0x20)) {
			reg &= s.size - 1;
			if (len <= 4)
				reg &= ~(len - 1);
		}
		switch (op & 3) {
		case 0:
			gread(reg, len);
			break;
		case 1:
		case 2:
			gwrite(reg, len, fz_u32(&in));
			break;
		case 3: {
			/* minivmm's own calls (op bits 6-7): seeding a BAR or
			 * ROM address (vfio device set-up), a function-level
			 * reset, the MSI vectors VFIO enabled. */
			unsigned int r = 0x10 + 4 * (reg % 7);
			uint32_t val = fz_u32(&in);

			if ((op >> 6) == 1) {
				greset();
				break;
			}
			if ((op >> 6) == 2) {
				gmsi_enabled(val);
				break;
			}
			if (r == 0x28)
				r = 0x30;
			vconfig_set32(&s.vc, r, val);
			break;
		}
		}
		check_all();
	}
	return 0;
}
