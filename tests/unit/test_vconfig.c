// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for src/vfio/vconfig.c and vconfig_layout.c: the guest's view of an assigned PCI
 * function's config space. Real layouts come from the .bin files in
 * tests/unit/data: config spaces of QEMU's emulated devices captured in
 * the nested test host (tests/rig/scenarios/capture-config.sh; the *-ep
 * ones behind a pcie-root-port, so they are plain Endpoints). Malformed
 * or unusual layouts are synthesized here.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "minivmm/vfio/vconfig.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A test's state: the virtualized view and the "device" behind it. */
struct fx {
	struct vconfig vc;
	uint8_t dev[VCONFIG_SIZE];
	unsigned int size;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

/* ---- the captured devices ---- */

#define MEM32(sz) { .size = (sz) }
#define MEM64(sz) { .size = (sz), .is_64 = true }
#define MEM64P(sz) { .size = (sz), .is_64 = true, .prefetch = true }
#define IO(sz) { .size = (sz), .is_io = true }

struct dump {
	const char *file;
	unsigned int size;
	uint16_t vendor, device;
	uint32_t class_rev;
	struct vconfig_bar bar[VCONFIG_BARS];
	uint64_t rom;
	uint8_t std[8];  /* capability IDs the guest must find, in order; 0 ends */
	uint16_t ext[4]; /* extended capability IDs; 0 ends */
	uint8_t msi, msix, pcie, pm;
};

static const struct dump dumps[] = {
	{ "e1000e.bin", 4096, 0x8086, 0x10d3, 0x02000000,
	  { MEM32(0x20000), MEM32(0x20000), IO(32), MEM32(0x4000) }, 0x40000,
	  { 0x01, 0x05, 0x10, 0x11 }, { 0x0001, 0x0003 }, 0xd0, 0xa0, 0xe0, 0xc8 },
	{ "e1000e-ep.bin", 4096, 0x8086, 0x10d3, 0x02000000,
	  { MEM32(0x20000), MEM32(0x20000), IO(32), MEM32(0x4000) }, 0x40000,
	  { 0x01, 0x05, 0x10, 0x11 }, { 0x0001, 0x0003 }, 0xd0, 0xa0, 0xe0, 0xc8 },
	{ "nvme.bin", 4096, 0x1b36, 0x0010, 0x01080202,
	  { MEM64(0x4000) }, 0,
	  { 0x11, 0x10, 0x01 }, { 0 }, 0, 0x40, 0x80, 0x60 },
	{ "e1000.bin", 256, 0x8086, 0x100e, 0x02000003,
	  { MEM32(0x20000), IO(64) }, 0x40000,
	  { 0 }, { 0 }, 0, 0, 0, 0 },
	{ "ne2k_pci.bin", 256, 0x10ec, 0x8029, 0x02000000,
	  { IO(256) }, 0,
	  { 0 }, { 0 }, 0, 0, 0, 0 },
	{ "pcnet.bin", 256, 0x1022, 0x2000, 0x02000010,
	  { IO(32), MEM32(32) }, 0,
	  { 0 }, { 0 }, 0, 0, 0, 0 },
	{ "edu.bin", 256, 0x1234, 0x11e8, 0x00ff0010,
	  { MEM32(1 << 20) }, 0,
	  { 0x05 }, { 0 }, 0x40, 0, 0, 0 },
	{ "virtio-net.bin", 256, 0x1af4, 0x1000, 0x02000000,
	  { IO(32), MEM32(0x1000), {}, {}, MEM64P(0x4000) }, 0x40000,
	  { 0x11, 0x09, 0x09, 0x09, 0x09, 0x09 }, { 0 }, 0, 0x98, 0, 0 },
	{ "virtio-net-ep.bin", 4096, 0x1af4, 0x1041, 0x02000001,
	  { {}, MEM32(0x1000), {}, {}, MEM64P(0x4000) }, 0x40000,
	  { 0x11, 0x09, 0x09, 0x09, 0x09, 0x09, 0x01, 0x10 }, { 0x0001 }, 0, 0xdc, 0x40, 0x7c },
};

static const struct dump *find_dump(const char *file)
{
	for (size_t i = 0; i < ARRAY_SIZE(dumps); i++)
		if (!strcmp(dumps[i].file, file))
			return &dumps[i];
	fail_msg("no dump %s", file);
	return NULL;
}

/* Load a dump from tests/unit/data (or from $VCONFIG_DATA_DIR). */
static void load(struct fx *f, const struct dump *d)
{
	char path[4096];
	const char *dir = getenv("VCONFIG_DATA_DIR");
	FILE *fp;
	size_t n;

	/* Not __FILE__: -ffile-prefix-map (dpkg-buildflags) rewrites it. */
	snprintf(path, sizeof(path), "%s/%s", dir ? dir : UNIT_DATA_DIR, d->file);
	fp = fopen(path, "rb");
	if (!fp)
		fail_msg("cannot open %s", path);
	memset(f->dev, 0, sizeof(f->dev));
	n = fread(f->dev, 1, sizeof(f->dev), fp);
	fclose(fp);
	assert_int_equal(n, d->size);
	f->size = d->size;
}

static void init_dump(struct fx *f, const struct dump *d)
{
	load(f, d);
	assert_int_equal(vconfig_init(&f->vc, f->dev, f->size, d->bar, d->rom, 0), 0);
}

/* ---- the guest's side ---- */

static uint32_t devval(const struct fx *f, unsigned int reg, unsigned int len)
{
	uint32_t v = 0;

	for (unsigned int i = 0; i < len && reg + i < VCONFIG_SIZE; i++)
		v |= (uint32_t)f->dev[reg + i] << (8 * i);
	return v;
}

/* What the guest reads: like the device code, it reads the device only when needed. */
static uint32_t gread(const struct fx *f, unsigned int reg, unsigned int len)
{
	uint32_t dv = vconfig_needs_device(&f->vc, reg, len) ? devval(f, reg, len) : 0xdeadbeef;

	return vconfig_read(&f->vc, reg, len, dv);
}

/* A guest write; the forwarded part lands in the device (read-modify-write). */
static unsigned int gwrite(struct fx *f, unsigned int reg, unsigned int len, uint32_t val, uint32_t *mask)
{
	uint32_t m = 0xa5a5a5a5;
	unsigned int ev = vconfig_write(&f->vc, reg, len, val, &m);

	if (m) {
		uint32_t nv = (devval(f, reg, len) & ~m) | (val & m);

		for (unsigned int i = 0; i < len; i++)
			f->dev[reg + i] = nv >> (8 * i);
	}
	if (mask)
		*mask = m;
	return ev;
}

/* The guest's walk of the standard list (like Linux's pci_find_capability). */
static unsigned int walk_std(const struct fx *f, uint8_t *ids, uint8_t *pos_out, unsigned int max)
{
	unsigned int n = 0, ttl = 48, pos;

	if (!(gread(f, 0x06, 2) & 0x10))
		return 0;
	pos = gread(f, 0x34, 1);
	assert_int_equal(pos & 3, 0);
	while (pos) {
		assert_true(ttl-- > 0); /* terminates */
		assert_in_range(pos, 0x40, 0xfc);
		assert_true(n < max);
		ids[n] = gread(f, pos, 1);
		if (pos_out)
			pos_out[n] = pos;
		n++;
		pos = gread(f, pos + 1, 1);
		assert_int_equal(pos & 3, 0);
	}
	return n;
}

/* The guest's walk of the extended list; ID 0 is skipped, as Linux does. */
static unsigned int walk_ext(const struct fx *f, uint16_t *ids, uint16_t *pos_out, unsigned int max)
{
	unsigned int n = 0, ttl = (4096 - 256) / 8, pos = 0x100;

	if (f->size < 4096)
		return 0;
	for (;;) {
		uint32_t hdr = gread(f, pos, 4);

		assert_true(ttl-- > 0);
		if (!hdr)
			break;
		if (hdr & 0xffff) {
			assert_true(n < max);
			ids[n] = hdr & 0xffff;
			if (pos_out)
				pos_out[n] = pos;
			n++;
		}
		pos = hdr >> 20;
		assert_int_equal(pos & 3, 0);
		if (!pos)
			break;
		assert_in_range(pos, 0x100, 0xffc);
	}
	return n;
}

static unsigned int std_ids_len(const struct dump *d)
{
	unsigned int n = 0;

	while (n < ARRAY_SIZE(d->std) && d->std[n])
		n++;
	return n;
}

static unsigned int ext_ids_len(const struct dump *d)
{
	unsigned int n = 0;

	while (n < ARRAY_SIZE(d->ext) && d->ext[n])
		n++;
	return n;
}

/* ---- synthetic config spaces ---- */

static void put16(uint8_t *p, unsigned int reg, uint16_t v)
{
	p[reg] = v;
	p[reg + 1] = v >> 8;
}

static void put32(uint8_t *p, unsigned int reg, uint32_t v)
{
	put16(p, reg, v);
	put16(p, reg + 2, v >> 16);
}

/* An empty type 0 function with @size bytes and a capability list at @first. */
static void synth(struct fx *f, unsigned int size, uint8_t first)
{
	memset(f->dev, 0, sizeof(f->dev));
	f->size = size;
	put16(f->dev, 0x00, 0x1234);
	put16(f->dev, 0x02, 0x5678);
	put16(f->dev, 0x06, first ? 0x0010 : 0);
	f->dev[0x34] = first;
}

static void synth_cap(struct fx *f, unsigned int pos, uint8_t id, uint8_t next)
{
	f->dev[pos] = id;
	f->dev[pos + 1] = next;
}

static void synth_ext(struct fx *f, unsigned int pos, uint16_t id, unsigned int ver, unsigned int next)
{
	put32(f->dev, pos, id | ver << 16 | next << 20);
}

static int synth_init(struct fx *f)
{
	static const struct vconfig_bar nobars[VCONFIG_BARS];

	return vconfig_init(&f->vc, f->dev, f->size, nobars, 0, 0);
}

/* ================= tests ================= */

/* Every dump initializes; IDs, class, subsystem, pin come from the device. */
static void test_dumps_ids(void **state)
{
	struct fx *f = *state;

	for (size_t i = 0; i < ARRAY_SIZE(dumps); i++) {
		const struct dump *d = &dumps[i];

		init_dump(f, d);
		assert_int_equal(f->vc.size, d->size);
		assert_true(vconfig_needs_device(&f->vc, 0x00, 4));
		assert_int_equal(gread(f, 0x00, 2), d->vendor);
		assert_int_equal(gread(f, 0x02, 2), d->device);
		assert_int_equal(gread(f, 0x08, 4), d->class_rev);
		assert_int_equal(gread(f, 0x2c, 4), devval(f, 0x2c, 4));
		assert_int_equal(gread(f, 0x3d, 1), f->dev[0x3d]);
		assert_int_equal(gread(f, 0x0e, 1), 0);
		/* Read-only: writes neither land nor get forwarded. */
		uint32_t m;

		assert_int_equal(gwrite(f, 0x00, 4, 0, &m), 0);
		assert_int_equal(m, 0);
		assert_int_equal(gread(f, 0x00, 2), d->vendor);
		assert_int_equal(gwrite(f, 0x3d, 1, 0x4, &m), 0);
		assert_int_equal(m, 0);
		assert_int_equal(gread(f, 0x3d, 1), f->dev[0x3d]);
		assert_int_equal(vconfig_get16(&f->vc, 0x00), d->vendor);
	}
}

/* The guest-visible BAR type flags agree with the real device's. */
static void test_dumps_bar_flags(void **state)
{
	struct fx *f = *state;

	for (size_t i = 0; i < ARRAY_SIZE(dumps); i++) {
		const struct dump *d = &dumps[i];

		init_dump(f, d);
		for (unsigned int b = 0; b < VCONFIG_BARS; b++) {
			unsigned int reg = 0x10 + 4 * b;
			uint32_t dv = devval(f, reg, 4), gv = gread(f, reg, 4);

			assert_false(vconfig_needs_device(&f->vc, reg, 4));
			if (!d->bar[b].size) {
				if (!(b && d->bar[b - 1].is_64))
					assert_int_equal(gv, 0);
				continue;
			}
			/* Addresses start at 0: only the flags remain. */
			if (d->bar[b].is_io)
				assert_int_equal(gv, dv & 0x3);
			else
				assert_int_equal(gv, dv & 0xf);
			assert_int_equal(vconfig_bar_addr(&f->vc, b), 0);
		}
	}
}

static void check_sizing32(struct fx *f, unsigned int bar, uint32_t expect)
{
	unsigned int reg = 0x10 + 4 * bar;
	uint32_t m;
	unsigned int ev = gwrite(f, reg, 4, 0xffffffff, &m);

	assert_int_equal(m, 0); /* never forwarded */
	assert_int_equal(ev, VCONFIG_EV_BAR(bar));
	assert_int_equal(gread(f, reg, 4), expect);
}

/* Memory BAR sizing: all-ones reads back ~(size-1) | flags. */
static void test_bar_sizing_mem32(void **state)
{
	struct fx *f = *state;

	init_dump(f, find_dump("e1000e.bin"));
	check_sizing32(f, 0, 0xfffe0000);
	check_sizing32(f, 3, 0xffffc000);
	/* Restoring an address: relocation event, addr reported. */
	assert_int_equal(gwrite(f, 0x10, 4, 0xfeb40000, NULL), VCONFIG_EV_BAR(0));
	assert_int_equal(vconfig_bar_addr(&f->vc, 0), 0xfeb40000);
	/* Low address bits below the size are not writable. */
	assert_int_equal(gwrite(f, 0x10, 4, 0xfeb41234, NULL), 0);
	assert_int_equal(gread(f, 0x10, 4), 0xfeb40000);

	/* A 32-byte memory BAR (pcnet). */
	init_dump(f, find_dump("pcnet.bin"));
	check_sizing32(f, 1, 0xffffffe0);
}

/* 64-bit BAR: both halves size, flags say 64-bit (prefetchable). */
static void test_bar_sizing_64(void **state)
{
	struct fx *f = *state;

	init_dump(f, find_dump("nvme.bin"));
	assert_int_equal(gread(f, 0x10, 4), 0x4);
	check_sizing32(f, 0, 0xffffc004);
	assert_int_equal(gwrite(f, 0x14, 4, 0xffffffff, NULL), VCONFIG_EV_BAR(0));
	assert_int_equal(gread(f, 0x14, 4), 0xffffffff);
	assert_int_equal(vconfig_bar_addr(&f->vc, 0), 0xffffffffffffc000ull);
	assert_int_equal(vconfig_bar_addr(&f->vc, 1), 0);

	init_dump(f, find_dump("virtio-net.bin"));
	check_sizing32(f, 4, 0xffffc00c);
	assert_int_equal(gwrite(f, 0x24, 4, 0xffffffff, NULL), VCONFIG_EV_BAR(4));
	assert_int_equal(gread(f, 0x24, 4), 0xffffffff);

	/* A BAR above 4 GiB: the high half has unwritable bits too. */
	struct vconfig_bar big[VCONFIG_BARS] = { MEM64P(1ull << 34) };

	load(f, find_dump("nvme.bin"));
	assert_int_equal(vconfig_init(&f->vc, f->dev, f->size, big, 0, 0), 0);
	/* No address bits in the low dword: nothing changes, no event. */
	assert_int_equal(gwrite(f, 0x10, 4, 0xffffffff, NULL), 0);
	assert_int_equal(gread(f, 0x10, 4), 0x0000000c);
	assert_int_equal(gwrite(f, 0x14, 4, 0xffffffff, NULL), VCONFIG_EV_BAR(0));
	assert_int_equal(gread(f, 0x14, 4), 0xfffffffc);
	assert_int_equal(gwrite(f, 0x14, 4, 0x4, NULL), VCONFIG_EV_BAR(0));
	assert_int_equal(gwrite(f, 0x10, 4, 0, NULL), 0);
	assert_int_equal(vconfig_bar_addr(&f->vc, 0), 0x400000000ull);
}

/* IO BARs: bit 0 set, address bits above the size. */
static void test_bar_sizing_io(void **state)
{
	struct fx *f = *state;

	init_dump(f, find_dump("ne2k_pci.bin"));
	assert_int_equal(gread(f, 0x10, 4), 0x1);
	check_sizing32(f, 0, 0xffffff01);
	init_dump(f, find_dump("e1000e.bin"));
	check_sizing32(f, 2, 0xffffffe1);
	assert_int_equal(gwrite(f, 0x18, 4, 0xc080, NULL), VCONFIG_EV_BAR(2));
	assert_int_equal(vconfig_bar_addr(&f->vc, 2), 0xc080);
	assert_int_equal(gread(f, 0x18, 4), 0xc081);

	/* A 4-byte IO BAR: bit 1 is reserved, not an address bit. */
	struct vconfig_bar tiny[VCONFIG_BARS] = { IO(4) };

	load(f, find_dump("ne2k_pci.bin"));
	assert_int_equal(vconfig_init(&f->vc, f->dev, f->size, tiny, 0, 0), 0);
	check_sizing32(f, 0, 0xfffffffd);
	/* Smaller than the spec allows: still no address bit 1. */
	tiny[0] = (struct vconfig_bar)IO(2);
	assert_int_equal(vconfig_init(&f->vc, f->dev, f->size, tiny, 0, 0), 0);
	check_sizing32(f, 0, 0xfffffffd);
}

/* Unimplemented BARs read 0 whatever the device has, writes are ignored. */
static void test_bar_unimplemented(void **state)
{
	struct fx *f = *state;
	uint32_t m;

	init_dump(f, find_dump("edu.bin"));
	for (unsigned int b = 1; b < VCONFIG_BARS; b++) {
		unsigned int reg = 0x10 + 4 * b;

		f->dev[reg] = 0x55; /* must not show */
		assert_int_equal(gwrite(f, reg, 4, 0xffffffff, &m), 0);
		assert_int_equal(m, 0);
		assert_int_equal(gread(f, reg, 4), 0);
		assert_int_equal(vconfig_bar_addr(&f->vc, b), 0);
	}
	assert_int_equal(vconfig_bar_addr(&f->vc, VCONFIG_BARS), 0);

	/* A 64-bit BAR in the last slot has no upper half: not implemented. */
	struct vconfig_bar last[VCONFIG_BARS] = { [5] = MEM64(0x1000) };

	assert_int_equal(vconfig_init(&f->vc, f->dev, f->size, last, 0, 0), 0);
	assert_int_equal(gwrite(f, 0x24, 4, 0xffffffff, NULL), 0);
	assert_int_equal(gread(f, 0x24, 4), 0);
}

/* Relocation: events only on change, partial writes, vconfig_set32 seeds. */
static void test_bar_relocation(void **state)
{
	struct fx *f = *state;

	init_dump(f, find_dump("virtio-net.bin"));
	vconfig_set32(&f->vc, 0x20, 0xe0000000); /* flags are kept */
	vconfig_set32(&f->vc, 0x24, 0x1);
	assert_int_equal(gread(f, 0x20, 4), 0xe000000c);
	assert_int_equal(vconfig_bar_addr(&f->vc, 4), 0x1e0000000ull);
	assert_int_equal(vconfig_get32(&f->vc, 0x20), 0xe000000c);

	assert_int_equal(gwrite(f, 0x20, 4, 0xe000000c, NULL), 0); /* same value */
	assert_int_equal(gwrite(f, 0x23, 1, 0xd0, NULL), VCONFIG_EV_BAR(4));
	assert_int_equal(vconfig_bar_addr(&f->vc, 4), 0x1d0000000ull);
	assert_int_equal(gwrite(f, 0x26, 2, 0x2, NULL), VCONFIG_EV_BAR(4));
	assert_int_equal(vconfig_bar_addr(&f->vc, 4), 0x00020001d0000000ull);
	assert_int_equal(gwrite(f, 0x14, 4, 0xfe000000, NULL), VCONFIG_EV_BAR(1));
	assert_int_equal(vconfig_bar_addr(&f->vc, 1), 0xfe000000);
	assert_int_equal(vconfig_bar_addr(&f->vc, 4), 0x00020001d0000000ull);

	/* set32 on an unimplemented BAR keeps it 0. */
	vconfig_set32(&f->vc, 0x18, 0xabcd0000);
	assert_int_equal(gread(f, 0x18, 4), 0);
}

/* ROM BAR with a ROM: sizing, enable, address, events. */
static void test_rom_bar(void **state)
{
	struct fx *f = *state;
	bool en = true;
	uint32_t m;

	init_dump(f, find_dump("e1000e.bin"));
	assert_false(vconfig_needs_device(&f->vc, 0x30, 4));
	assert_int_equal(gread(f, 0x30, 4), 0);
	assert_int_equal(vconfig_rom_addr(&f->vc, &en), 0);
	assert_false(en);
	assert_int_equal(gwrite(f, 0x30, 4, 0xfffffffe, &m), VCONFIG_EV_ROM);
	assert_int_equal(m, 0);
	assert_int_equal(gread(f, 0x30, 4), 0xfffc0000);
	assert_int_equal(gwrite(f, 0x30, 4, 0xfe800001, NULL), VCONFIG_EV_ROM);
	assert_int_equal(vconfig_rom_addr(&f->vc, &en), 0xfe800000);
	assert_true(en);
	assert_int_equal(gwrite(f, 0x30, 4, 0xfe800001, NULL), 0);
	assert_int_equal(gwrite(f, 0x30, 1, 0x00, NULL), VCONFIG_EV_ROM);
	vconfig_rom_addr(&f->vc, &en);
	assert_false(en);

	/* A 2 KiB ROM: bits 31:11 writable. */
	load(f, find_dump("e1000e.bin"));
	struct vconfig_bar nobars[VCONFIG_BARS] = { 0 };

	assert_int_equal(vconfig_init(&f->vc, f->dev, f->size, nobars, 0x800, 0), 0);
	gwrite(f, 0x30, 4, 0xffffffff, NULL);
	assert_int_equal(gread(f, 0x30, 4), 0xfffff801);
}

/* Without a ROM the ROM BAR reads 0 (the device's value hidden), read-only. */
static void test_rom_absent(void **state)
{
	struct fx *f = *state;
	bool en = true;
	uint32_t m;

	init_dump(f, find_dump("nvme.bin"));
	f->dev[0x31] = 0xa0;
	assert_int_equal(gread(f, 0x30, 4), 0);
	assert_int_equal(gwrite(f, 0x30, 4, 0xffffffff, &m), 0);
	assert_int_equal(m, 0);
	assert_int_equal(gread(f, 0x30, 4), 0);
	assert_int_equal(vconfig_rom_addr(&f->vc, &en), 0);
	assert_false(en);
}

/* Command: decode/master/error/INTx bits forwarded; events on IO/MEM/INTx changes. */
static void test_command(void **state)
{
	struct fx *f = *state;
	uint32_t m;

	init_dump(f, find_dump("e1000e.bin"));
	put16(f->dev, 0x04, 0);
	assert_true(vconfig_needs_device(&f->vc, 0x04, 2));
	assert_int_equal(gwrite(f, 0x04, 2, 0x0002, &m), VCONFIG_EV_COMMAND);
	assert_int_equal(m, 0x0547);
	assert_int_equal(gread(f, 0x04, 2), 0x0002);
	assert_int_equal(vconfig_get16(&f->vc, 0x04) & 0x0547, 0x0002);
	/* Bus master alone: forwarded, no event. */
	assert_int_equal(gwrite(f, 0x04, 2, 0x0006, &m), 0);
	assert_int_equal(gread(f, 0x04, 2), 0x0006);
	/* Unchanged decode bits: no event. */
	assert_int_equal(gwrite(f, 0x04, 2, 0x0146, NULL), 0);
	/* IO, then INTx disable via a byte write to the high byte. */
	assert_int_equal(gwrite(f, 0x04, 2, 0x0147, NULL), VCONFIG_EV_COMMAND);
	assert_int_equal(gwrite(f, 0x05, 1, 0x05, &m), VCONFIG_EV_COMMAND);
	assert_int_equal(m, 0x05);
	assert_int_equal(gread(f, 0x04, 2), 0x0547);
	/* Non-forwarded bits (special cycles, MWI, VGA snoop, fast b2b) are dropped. */
	gwrite(f, 0x04, 2, 0xffff, NULL);
	assert_int_equal(gread(f, 0x04, 2), 0x0547);
	/* Turning memory decode off is an event. */
	assert_int_equal(gwrite(f, 0x04, 2, 0x0545, NULL), VCONFIG_EV_COMMAND);
	/* A dword write covering command and status. */
	assert_int_equal(gwrite(f, 0x04, 4, 0x00000547, &m), VCONFIG_EV_COMMAND);
	assert_int_equal(m, 0xf9000547);
}

/* Status: from the device, W1C errors forwarded, Capabilities List virtualized. */
static void test_status(void **state)
{
	struct fx *f = *state;
	uint32_t m;

	init_dump(f, find_dump("e1000e.bin"));
	put16(f->dev, 0x06, 0x4010 | 0x0100);
	assert_int_equal(gread(f, 0x06, 2), 0x4110);
	assert_int_equal(vconfig_write(&f->vc, 0x06, 2, 0xffff, &m), 0);
	assert_int_equal(m, 0xf900);
	/* The device cleared its W1C bits; what the guest sees follows. */
	assert_int_equal(vconfig_read(&f->vc, 0x06, 2, 0x0100), 0x0110);
	assert_int_equal(vconfig_read(&f->vc, 0x06, 2, 0x0000), 0x0010);

	/* No capability list on the device: bit stays clear even if it lies later. */
	init_dump(f, find_dump("pcnet.bin"));
	put16(f->dev, 0x06, 0x0290);
	assert_int_equal(gread(f, 0x06, 2), 0x0280);

	/* All capabilities hidden: the bit is cleared. */
	synth(f, 256, 0x40);
	synth_cap(f, 0x40, 0x03, 0x48); /* VPD */
	synth_cap(f, 0x48, 0x07, 0x00); /* PCI-X */
	assert_int_equal(synth_init(f), 0);
	assert_int_equal(gread(f, 0x06, 2) & 0x10, 0);
	assert_int_equal(gread(f, 0x34, 1), 0);
}

/* Cache line, latency timer, interrupt line: virtualized, writable; pin from device. */
static void test_virtualized_header(void **state)
{
	struct fx *f = *state;
	uint32_t m;

	init_dump(f, find_dump("e1000.bin"));
	assert_int_equal(gread(f, 0x3c, 1), 0); /* host routing (0x0b) hidden */
	assert_int_equal(gread(f, 0x3d, 1), 1);
	assert_int_equal(gwrite(f, 0x3c, 2, 0x040a, &m), 0);
	assert_int_equal(m, 0);
	assert_int_equal(gread(f, 0x3c, 2), 0x010a);
	assert_int_equal(gwrite(f, 0x0c, 2, 0x4010, &m), 0);
	assert_int_equal(m, 0);
	assert_int_equal(gread(f, 0x0c, 2), 0x4010);
	assert_int_equal(f->dev[0x0c], 0); /* not forwarded */
	assert_false(vconfig_needs_device(&f->vc, 0x0c, 2));
	assert_true(vconfig_needs_device(&f->vc, 0x0c, 4)); /* header type/BIST */

	/* Multi-function bit hidden; layout type still shows. */
	f->dev[0x0e] = 0x80;
	assert_int_equal(vconfig_init(&f->vc, f->dev, f->size, find_dump("e1000.bin")->bar, 0, 0), 0);
	assert_int_equal(gread(f, 0x0e, 1), 0);
}

/* The guest's walk over each real device finds exactly the kept capabilities. */
static void test_dumps_cap_walk(void **state)
{
	struct fx *f = *state;

	for (size_t i = 0; i < ARRAY_SIZE(dumps); i++) {
		const struct dump *d = &dumps[i];
		uint8_t ids[48], pos[48];
		unsigned int n;

		init_dump(f, d);
		n = walk_std(f, ids, pos, ARRAY_SIZE(ids));
		assert_int_equal(n, std_ids_len(d));
		assert_memory_equal(ids, d->std, n);
		assert_int_equal(f->vc.msi_cap, d->msi);
		assert_int_equal(f->vc.msix_cap, d->msix);
		assert_int_equal(f->vc.pcie_cap, d->pcie);
		assert_int_equal(f->vc.pm_cap, d->pm);
		for (unsigned int c = 0; c < n; c++) {
			uint32_t m;

			/* ID and next are read-only. */
			assert_int_equal(gwrite(f, pos[c], 2, 0, &m) & ~VCONFIG_EV_MSI, 0);
			assert_int_equal(m, 0);
		}
		assert_int_equal(walk_std(f, ids, NULL, ARRAY_SIZE(ids)), n);
	}
}

/* MSI-X on real devices: enable/mask virtualized (start 0), rest from the device. */
static void test_dumps_msix(void **state)
{
	static const char *const files[] = { "e1000e.bin", "nvme.bin", "virtio-net.bin", "virtio-net-ep.bin" };
	struct fx *f = *state;

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		unsigned int c, ctl;
		uint32_t m;

		init_dump(f, find_dump(files[i]));
		c = f->vc.msix_cap;
		assert_int_not_equal(c, 0);
		ctl = c + 2;
		f->dev[ctl + 1] |= 0xc0; /* the host enabled it: the guest must not see it */
		assert_int_equal(gread(f, ctl, 2), devval(f, ctl, 2) & 0x3fff);
		assert_true(vconfig_needs_device(&f->vc, ctl, 2)); /* table size */
		assert_int_equal(gread(f, c + 4, 4), devval(f, c + 4, 4));
		assert_int_equal(gread(f, c + 8, 4), devval(f, c + 8, 4));

		assert_int_equal(gwrite(f, ctl, 2, 0x8000, &m), VCONFIG_EV_MSIX);
		assert_int_equal(m, 0);
		assert_int_equal(gread(f, ctl, 2) & 0xc000, 0x8000);
		assert_int_equal(gwrite(f, ctl, 2, 0x8000, NULL), 0);
		assert_int_equal(gwrite(f, ctl + 1, 1, 0xc0, NULL), VCONFIG_EV_MSIX);
		assert_int_equal(gread(f, ctl, 2) & 0xc000, 0xc000);
		/* Table size is read-only. */
		gwrite(f, ctl, 2, 0xc7ff, NULL);
		assert_int_equal(gread(f, ctl, 2) & 0x07ff, devval(f, ctl, 2) & 0x07ff);
		assert_int_equal(gwrite(f, ctl, 2, 0x0000, NULL), VCONFIG_EV_MSIX);
		/* Table/PBA offsets: read-only. */
		assert_int_equal(gwrite(f, c + 4, 4, 0, &m), 0);
		assert_int_equal(m, 0);
		assert_int_equal(gread(f, c + 4, 4), devval(f, c + 4, 4));
		assert_int_equal(vconfig_get16(&f->vc, ctl) & 0xc000, 0);
	}
}

/* MSI, 64-bit without per-vector masking (edu). */
static void test_msi_edu(void **state)
{
	struct fx *f = *state;
	unsigned int c;
	uint32_t m;

	init_dump(f, find_dump("edu.bin"));
	c = f->vc.msi_cap;
	assert_int_equal(c, 0x40);
	f->dev[c + 2] |= 0x01; /* enabled on the host side: hidden */
	assert_false(vconfig_needs_device(&f->vc, c + 2, 2));
	assert_int_equal(gread(f, c + 2, 2), 0x0080);
	assert_int_equal(gwrite(f, c + 2, 2, 0x0071, &m), VCONFIG_EV_MSI);
	assert_int_equal(m, 0);
	/* MMC is 0 (one vector): MME clamped to 0. */
	assert_int_equal(gread(f, c + 2, 2), 0x0081);
	assert_int_equal(gwrite(f, c + 4, 4, 0xfee01003, &m), VCONFIG_EV_MSI);
	assert_int_equal(m, 0);
	assert_int_equal(gread(f, c + 4, 4), 0xfee01000);
	assert_int_equal(gwrite(f, c + 8, 4, 0x12345678, NULL), VCONFIG_EV_MSI);
	assert_int_equal(gread(f, c + 8, 4), 0x12345678);
	assert_int_equal(gwrite(f, c + 12, 4, 0xffff0041, NULL), VCONFIG_EV_MSI);
	assert_int_equal(gread(f, c + 12, 4), 0x00000041);
	assert_int_equal(vconfig_get16(&f->vc, c + 12), 0x0041);
	/* Beyond the capability: not MSI, a gap the device gets raw. */
	assert_int_equal(gwrite(f, c + 16, 4, 0xffffffff, &m), 0);
	assert_int_equal(m, 0xffffffff);
}

/*
 * A device whose Multiple Message Capable is a reserved code (6 or 7: 64
 * or 128 vectors, more than MSI has) shows 32: the guest could enable 128
 * vectors, and minivmm's count of those VFIO enabled was capped at 32
 * while the guest's stayed at 128 (found by fuzzing).
 */
static void test_msi_reserved_mmc(void **state)
{
	struct fx *f = *state;
	unsigned int c = 0x50;

	synth(f, 256, c);
	synth_cap(f, c, 0x05, 0x00);
	put16(f->dev, c + 2, 0x0100 | 7 << 1); /* mask, MMC=7 */
	assert_int_equal(synth_init(f), 0);
	assert_int_equal(gread(f, c + 2, 2), 0x010a);
	assert_int_equal(gwrite(f, c + 2, 1, 0x71, NULL), VCONFIG_EV_MSI);
	assert_int_equal(gread(f, c + 2, 2), 0x015b); /* MME 7 clamped to 5 */
	vconfig_msi_set_enabled_vectors(&f->vc, 20);
	assert_int_equal(gread(f, c + 2, 2), 0x014b); /* 16 */
	/* Mask bits of 32 vectors. */
	assert_int_equal(gwrite(f, c + 12, 4, 0xffffffff, NULL), VCONFIG_EV_MSI);
	assert_int_equal(gread(f, c + 12, 4), 0xffffffff);
}

/* MSI, 32-bit with per-vector masking and 8 vectors (synthetic). */
static void test_msi_masking(void **state)
{
	struct fx *f = *state;
	unsigned int c = 0x50;
	uint32_t m;

	synth(f, 256, c);
	synth_cap(f, c, 0x05, 0x00);
	put16(f->dev, c + 2, 0x0100 | 3 << 1 | 3 << 4 | 1); /* mask, MMC=3, MME=3, enabled */
	put32(f->dev, c + 4, 0xfee00000);
	put16(f->dev, c + 8, 0x4321);
	put32(f->dev, c + 12, 0x0f);
	put32(f->dev, c + 16, 0xff);
	assert_int_equal(synth_init(f), 0);
	assert_int_equal(gread(f, c + 2, 2), 0x0106);
	assert_int_equal(gread(f, c + 4, 4), 0xfee00000); /* from the snapshot */
	assert_int_equal(gread(f, c + 8, 2), 0x4321);
	assert_int_equal(gread(f, c + 12, 4), 0x0f);
	assert_int_equal(gread(f, c + 16, 4), 0); /* pending */
	assert_int_equal(gwrite(f, c + 2, 2, 0x0021, NULL), VCONFIG_EV_MSI);
	assert_int_equal(gread(f, c + 2, 2), 0x0127);
	assert_int_equal(gwrite(f, c + 2, 1, 0x71, NULL), VCONFIG_EV_MSI);
	assert_int_equal(gread(f, c + 2, 2), 0x0137); /* MME 7 > MMC 3 */
	/* Mask bits of the 8 implemented vectors only. */
	assert_int_equal(gwrite(f, c + 12, 4, 0xffffffff, &m), VCONFIG_EV_MSI);
	assert_int_equal(m, 0);
	assert_int_equal(gread(f, c + 12, 4), 0xff);
	assert_int_equal(gwrite(f, c + 16, 4, 0xffffffff, NULL), VCONFIG_EV_MSI);
	assert_int_equal(gread(f, c + 16, 4), 0);
	/* Reserved word after data reads 0, read-only. */
	assert_int_equal(gwrite(f, c + 10, 2, 0xffff, NULL), VCONFIG_EV_MSI);
	assert_int_equal(gread(f, c + 10, 2), 0);
	/* Flags capability bits are read-only. */
	gwrite(f, c + 2, 2, 0x0000, NULL);
	assert_int_equal(gread(f, c + 2, 2), 0x0106);
	assert_int_equal(f->vc.msi_cap, c);
}

/* Extended capabilities of real devices: AER/DSN/vendor only, terminating. */
static void test_dumps_ext_walk(void **state)
{
	struct fx *f = *state;

	for (size_t i = 0; i < ARRAY_SIZE(dumps); i++) {
		const struct dump *d = &dumps[i];
		uint16_t ids[64], pos[64];
		unsigned int n;

		init_dump(f, d);
		n = walk_ext(f, ids, pos, ARRAY_SIZE(ids));
		assert_int_equal(n, ext_ids_len(d));
		for (unsigned int c = 0; c < n; c++)
			assert_int_equal(ids[c], d->ext[c]);
		if (d->size == 4096 && !n)
			assert_int_equal(gread(f, 0x100, 4), 0);
	}

	/* virtio-net behind a root port has ATS at 0x148: hidden, reads 0. */
	init_dump(f, find_dump("virtio-net-ep.bin"));
	assert_int_equal(devval(f, 0x148, 2), 0x000f);
	assert_int_equal(gread(f, 0x100, 4) >> 20, 0);
	for (unsigned int r = 0x148; r < 0x150; r += 4) {
		assert_false(vconfig_needs_device(&f->vc, r, 4));
		assert_int_equal(gread(f, r, 4), 0);
	}
	/* AER stays at 0x100, its ID/version from the device. */
	assert_int_equal(gread(f, 0x100, 4), 0x00020001);
}

/* Hidden first extended capability: ID 0 placeholder at 0x100 (synthetic). */
static void test_ext_placeholder(void **state)
{
	struct fx *f = *state;
	uint16_t ids[8], pos[8];
	uint32_t m;

	synth(f, 4096, 0);
	synth_ext(f, 0x100, 0x0010, 1, 0x140); /* SR-IOV */
	put32(f->dev, 0x104, 0xdeadbeef);
	synth_ext(f, 0x140, 0x0001, 2, 0x180); /* AER */
	synth_ext(f, 0x180, 0x000f, 1, 0x200); /* ATS */
	put32(f->dev, 0x184, 0x55555555);
	synth_ext(f, 0x200, 0x000b, 1, 0x300); /* vendor, 0x10 long */
	put32(f->dev, 0x204, 0x010 << 20 | 1 << 16 | 0x42);
	synth_ext(f, 0x300, 0x0003, 1, 0x400); /* DSN */
	synth_ext(f, 0x400, 0x0018, 1, 0);     /* LTR */
	put32(f->dev, 0x404, 0x12341234);
	assert_int_equal(synth_init(f), 0);

	assert_int_equal(gread(f, 0x100, 4), 0x140u << 20);
	assert_int_equal(walk_ext(f, ids, pos, ARRAY_SIZE(ids)), 3);
	assert_int_equal(ids[0], 0x0001);
	assert_int_equal(ids[1], 0x000b);
	assert_int_equal(ids[2], 0x0003);
	assert_int_equal(pos[2], 0x300);
	assert_int_equal(gread(f, 0x300, 4), 0x00010003); /* last kept: next 0 */
	assert_int_equal(gread(f, 0x104, 4), 0);
	assert_int_equal(gread(f, 0x184, 4), 0);
	assert_int_equal(gread(f, 0x404, 4), 0);
	assert_int_equal(gwrite(f, 0x184, 4, 1, &m), 0);
	assert_int_equal(m, 0);
	assert_int_equal(gwrite(f, 0x100, 4, 0xffffffff, &m), 0);
	assert_int_equal(m, 0);
	assert_int_equal(gread(f, 0x100, 4), 0x140u << 20);
	/* Vendor body forwarded, its headers not. */
	gwrite(f, 0x208, 4, 0xaabbccdd, &m);
	assert_int_equal(m, 0xffffffff);
	gwrite(f, 0x204, 4, 0, &m);
	assert_int_equal(m, 0);
	/* AER: registers forwarded, header read-only. */
	gwrite(f, 0x148, 4, 0xffffffff, &m);
	assert_int_equal(m, 0xffffffff);
	gwrite(f, 0x158, 4, 0xffffffff, &m);
	assert_int_equal(m, 0x540);
	gwrite(f, 0x15c, 4, 0xffffffff, &m); /* header log */
	assert_int_equal(m, 0);
	gwrite(f, 0x140, 4, 0xffffffff, &m);
	assert_int_equal(m, 0);

	/* None kept: 0x100 reads 0. */
	synth(f, 4096, 0);
	synth_ext(f, 0x100, 0x000f, 1, 0x140);
	synth_ext(f, 0x140, 0x0018, 1, 0);
	assert_int_equal(synth_init(f), 0);
	assert_int_equal(gread(f, 0x100, 4), 0);
	assert_int_equal(walk_ext(f, ids, NULL, ARRAY_SIZE(ids)), 0);
}

/* Hidden standard capabilities read 0 and can't be written (synthetic). */
static void test_hidden_std_caps(void **state)
{
	struct fx *f = *state;
	uint8_t ids[8], pos[8];
	uint32_t m;

	synth(f, 256, 0x40);
	synth_cap(f, 0x40, 0x03, 0x48); /* VPD: hidden */
	put32(f->dev, 0x44, 0x11223344);
	synth_cap(f, 0x48, 0x01, 0x50); /* PM */
	synth_cap(f, 0x50, 0x07, 0x60); /* PCI-X: hidden, length unknown */
	put32(f->dev, 0x54, 0xcafef00d);
	put32(f->dev, 0x5c, 0xcafef00d);
	synth_cap(f, 0x60, 0x0d, 0x68); /* SSVID */
	put32(f->dev, 0x64, 0x87654321);
	synth_cap(f, 0x68, 0x13, 0x70); /* AF: hidden */
	synth_cap(f, 0x70, 0x09, 0x00); /* vendor, 8 bytes */
	f->dev[0x72] = 8;
	put32(f->dev, 0xf0, 0x77777777); /* device-specific, not a capability */
	assert_int_equal(synth_init(f), 0);

	assert_int_equal(walk_std(f, ids, pos, ARRAY_SIZE(ids)), 3);
	assert_int_equal(ids[0], 0x01);
	assert_int_equal(ids[1], 0x0d);
	assert_int_equal(ids[2], 0x09);
	assert_int_equal(gread(f, 0x34, 1), 0x48);
	for (unsigned int r = 0x40; r < 0x48; r += 4) {
		assert_false(vconfig_needs_device(&f->vc, r, 4));
		assert_int_equal(gread(f, r, 4), 0);
		assert_int_equal(gwrite(f, r, 4, 0xffffffff, &m), 0);
		assert_int_equal(m, 0);
		assert_int_equal(gread(f, r, 4), 0);
	}
	for (unsigned int r = 0x50; r < 0x60; r += 4)
		assert_int_equal(gread(f, r, 4), 0);
	assert_int_equal(gread(f, 0x68, 4), 0);
	assert_int_equal(gread(f, 0x64, 4), 0x87654321); /* SSVID: read-only pass-through */
	gwrite(f, 0x64, 4, 0, &m);
	assert_int_equal(m, 0);
	/* A gap (no capability there): the device's, read and written raw. */
	assert_int_equal(gread(f, 0xf0, 4), 0x77777777);
	assert_true(vconfig_needs_device(&f->vc, 0xf0, 4));
	gwrite(f, 0xf0, 4, 0, &m);
	assert_int_equal(m, 0xffffffff);
	/* PM: PMCSR forwarded, PMC read-only. */
	gwrite(f, 0x4c, 2, 0xffff, &m);
	assert_int_equal(m, 0x9f03);
	gwrite(f, 0x4a, 2, 0xffff, &m);
	assert_int_equal(m, 0);
	/* Vendor body forwarded, its length byte not. */
	gwrite(f, 0x70, 4, 0xffffffff, &m);
	assert_int_equal(m, 0xff000000);
	gwrite(f, 0x74, 4, 0xffffffff, &m);
	assert_int_equal(m, 0xffffffff);
}

/* PCIe: endpoints become RC integrated endpoints without link registers. */
static void test_pcie_type(void **state)
{
	struct fx *f = *state;
	unsigned int c;

	/* e1000e behind a root port: a v1 Endpoint. */
	init_dump(f, find_dump("e1000e-ep.bin"));
	c = f->vc.pcie_cap;
	assert_int_equal(devval(f, c + 2, 2) & 0xff, 0x01);
	assert_int_equal(gread(f, c + 2, 2), 0x0091);
	assert_int_equal(gread(f, c + 0x0c, 4), 0);
	assert_int_not_equal(devval(f, c + 0x0c, 4), 0);
	assert_int_equal(gread(f, c + 0x10, 4), 0);
	assert_int_equal(gread(f, c + 4, 4), devval(f, c + 4, 4)); /* DEVCAP */
	/* v1: nothing past the capability touched (0xf4.. is not PCIe). */
	assert_true(vconfig_needs_device(&f->vc, c + 0x14, 4));

	/* virtio-net behind a root port: a v2 Endpoint. */
	init_dump(f, find_dump("virtio-net-ep.bin"));
	c = f->vc.pcie_cap;
	assert_int_equal(devval(f, c + 2, 2) & 0xff, 0x02);
	assert_int_equal(gread(f, c + 2, 2), 0x0092);
	assert_int_equal(gread(f, c + 0x0c, 4), 0);
	assert_int_equal(gread(f, c + 0x12, 2), 0);
	assert_int_equal(gread(f, c + 0x2c, 4), 0);
	assert_int_equal(gread(f, c + 0x30, 4), 0);
	/* Link registers are read-only. */
	uint32_t m;

	assert_int_equal(gwrite(f, c + 0x10, 2, 0xffff, &m), 0);
	assert_int_equal(m, 0);
	assert_int_equal(gread(f, c + 0x10, 2), 0);

	/* Already an RC integrated endpoint (e1000e on the root bus): link zeroed too. */
	init_dump(f, find_dump("e1000e.bin"));
	c = f->vc.pcie_cap;
	assert_int_equal(gread(f, c + 2, 2), devval(f, c + 2, 2));
	assert_int_not_equal(devval(f, c + 0x0c, 4), 0);
	assert_int_equal(gread(f, c + 0x0c, 4), 0);
	assert_int_equal(gread(f, c + 0x12, 2), 0);

	/* A legacy endpoint; and a type that isn't rewritten (upstream port, 5). */
	synth(f, 256, 0x40);
	synth_cap(f, 0x40, 0x10, 0);
	put16(f->dev, 0x42, 0x0012);
	put32(f->dev, 0x4c, 0x00000411);
	assert_int_equal(synth_init(f), 0);
	assert_int_equal(gread(f, 0x42, 2), 0x0092);
	assert_int_equal(gread(f, 0x4c, 4), 0);
	put16(f->dev, 0x42, 0x0052);
	assert_int_equal(synth_init(f), 0);
	assert_int_equal(gread(f, 0x42, 2), 0x0052);
	assert_int_equal(gread(f, 0x4c, 4), 0x411);
}

/* PCIe device control/status/control 2 are forwarded; capabilities aren't. */
static void test_pcie_forward(void **state)
{
	struct fx *f = *state;
	unsigned int c;
	uint32_t m;

	init_dump(f, find_dump("nvme.bin"));
	c = f->vc.pcie_cap;
	/* No phantom functions; Initiate FLR is minivmm's to do (an event) and reads 0. */
	assert_int_equal(gwrite(f, c + 8, 2, 0xffff, &m), VCONFIG_EV_FLR);
	assert_int_equal(m, 0x7dff);
	assert_int_equal(gread(f, c + 8, 2), devval(f, c + 8, 2) & 0x7fff);
	assert_int_equal(gwrite(f, c + 8, 2, 0x7fff, &m), 0);
	gwrite(f, c + 8, 4, 0xffffffff, &m);
	assert_int_equal(m, 0x000f7dff);
	gwrite(f, c + 0x28, 2, 0xffff, &m);
	assert_int_equal(m, 0xffff);
	gwrite(f, c + 4, 4, 0xffffffff, &m);
	assert_int_equal(m, 0);
	gwrite(f, c + 0x24, 4, 0xffffffff, &m);
	assert_int_equal(m, 0);
	/* PM control/status of the real device. */
	gwrite(f, f->vc.pm_cap + 4, 2, 0x0003, &m);
	assert_int_equal(m, 0x9f03);
	/* AER of the real e1000e. */
	init_dump(f, find_dump("e1000e.bin"));
	gwrite(f, 0x108, 4, 0xffffffff, &m);
	assert_int_equal(m, 0xffffffff);
	gwrite(f, 0x140, 4, 0xffffffff, &m); /* DSN header */
	assert_int_equal(m, 0);
	gwrite(f, 0x144, 4, 0xffffffff, &m); /* serial number */
	assert_int_equal(m, 0);
}

/* Unaligned, oversized, odd-length or out-of-range accesses. */
static void test_bad_access(void **state)
{
	struct fx *f = *state;
	static const struct { unsigned int reg, len; } bad[] = {
		{ 0x01, 2 }, { 0x02, 4 }, { 0x03, 2 }, { 0x00, 3 }, { 0x00, 8 }, { 0x00, 0 },
		{ 0x100, 4 }, { 0xff, 2 }, { 0xfff, 1 }, { 0x1000, 1 }, { 0xfffffffc, 4 },
	};
	uint32_t m;

	load(f, find_dump("e1000.bin")); /* 256 bytes */
	f->dev[0xfe] = 0x55;
	assert_int_equal(vconfig_init(&f->vc, f->dev, f->size, find_dump("e1000.bin")->bar, 0, 0), 0);
	vconfig_set32(&f->vc, 0x10, 0xfeb80000);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		unsigned int len = bad[i].len;
		uint32_t ones = len == 1 ? 0xff : len == 2 ? 0xffff : 0xffffffff;

		assert_int_equal(vconfig_read(&f->vc, bad[i].reg, len, 0), ones);
		assert_false(vconfig_needs_device(&f->vc, bad[i].reg, len));
		m = 0x1234;
		assert_int_equal(vconfig_write(&f->vc, bad[i].reg, len, 0, &m), 0);
		assert_int_equal(m, 0);
	}
	assert_int_equal(vconfig_write(&f->vc, 0x11, 1, 0, NULL), 0); /* aligned byte: fine */
	assert_int_equal(vconfig_bar_addr(&f->vc, 0), 0xfeb80000);
	assert_int_equal(vconfig_write(&f->vc, 0x12, 2, 0, NULL), VCONFIG_EV_BAR(0));
	assert_int_equal(vconfig_get32(&f->vc, 0xfe), 0);
	assert_int_equal(vconfig_get16(&f->vc, 0xfe), 0x0055);
	assert_int_equal(vconfig_get16(&f->vc, 0xff), 0);
	assert_int_equal(vconfig_get32(&f->vc, 0xfc), devval(f, 0xfc, 4));
	vconfig_set32(&f->vc, 0xfe, 1);  /* ignored */
	vconfig_set32(&f->vc, 0x100, 1); /* ignored */
	assert_int_equal(vconfig_read(&f->vc, 0xfc, 4, 0), 0);

	/* 4096-byte space: the last dword is reachable. */
	init_dump(f, find_dump("nvme.bin"));
	assert_int_equal(vconfig_read(&f->vc, 0xffc, 4, 0x11223344), 0x11223344);
	assert_int_equal(vconfig_read(&f->vc, 0xffe, 4, 0), 0xffffffff);
}

/* Malformed standard chains are cut at the bad link, never loop. */
static void test_malformed_std(void **state)
{
	struct fx *f = *state;
	uint8_t ids[48];

	/* A loop: PM -> MSI-X -> PM. */
	synth(f, 256, 0x40);
	synth_cap(f, 0x40, 0x01, 0x50);
	synth_cap(f, 0x50, 0x11, 0x40);
	assert_int_equal(synth_init(f), 0);
	assert_int_equal(walk_std(f, ids, NULL, ARRAY_SIZE(ids)), 2);
	assert_int_equal(gread(f, 0x51, 1), 0);

	/* A loop back into the middle: PM -> MSI-X -> MSI -> MSI-X. */
	synth(f, 256, 0x40);
	synth_cap(f, 0x40, 0x01, 0x50);
	synth_cap(f, 0x50, 0x11, 0x60);
	synth_cap(f, 0x60, 0x05, 0x50);
	assert_int_equal(synth_init(f), 0);
	assert_int_equal(walk_std(f, ids, NULL, ARRAY_SIZE(ids)), 3);
	assert_int_equal(gread(f, 0x61, 1), 0);

	/* A self-loop on a hidden capability. */
	synth(f, 256, 0x40);
	synth_cap(f, 0x40, 0x01, 0x48);
	synth_cap(f, 0x48, 0x03, 0x48);
	assert_int_equal(synth_init(f), 0);
	assert_int_equal(walk_std(f, ids, NULL, ARRAY_SIZE(ids)), 1);

	/* A pointer into the header: the header is left alone. */
	synth(f, 256, 0x40);
	synth_cap(f, 0x40, 0x05, 0x3c);
	f->dev[0x3d] = 1;
	assert_int_equal(synth_init(f), 0);
	assert_int_equal(walk_std(f, ids, NULL, ARRAY_SIZE(ids)), 1);
	assert_int_equal(f->vc.msi_cap, 0x40);
	assert_int_equal(gread(f, 0x3d, 1), 1);
	assert_int_equal(gwrite(f, 0x3c, 1, 9, NULL), 0);
	assert_int_equal(gread(f, 0x3c, 1), 9);

	/* First pointer bad: nothing kept; low pointer bits masked. */
	synth(f, 256, 0x10);
	f->dev[0x3d] = 1;
	put32(f->dev, 0x2c, 0x11112222);
	assert_int_equal(synth_init(f), 0);
	assert_int_equal(walk_std(f, ids, NULL, ARRAY_SIZE(ids)), 0);
	assert_int_equal(gread(f, 0x3d, 1), 1);
	assert_int_equal(gread(f, 0x2c, 4), 0x11112222);
	synth(f, 256, 0x43);
	synth_cap(f, 0x40, 0x11, 0xff);
	synth_cap(f, 0xfc, 0x05, 0x00); /* MSI at the very end, 64-bit + masking */
	put16(f->dev, 0xfe, 0x0180);
	assert_int_equal(synth_init(f), 0);
	assert_int_equal(walk_std(f, ids, NULL, ARRAY_SIZE(ids)), 2);
	assert_int_equal(ids[1], 0x05);
	assert_int_equal(gwrite(f, 0xfc, 4, 0xffffffff, NULL), VCONFIG_EV_MSI);
	assert_int_equal(gread(f, 0xfe, 2), 0x0181);
	assert_true(vconfig_needs_device(&f->vc, 0xfc, 1));

	/* 4096-byte function with a long chain through every dword: 48 caps max. */
	synth(f, 4096, 0x40);
	for (unsigned int p = 0x40; p < 0x100; p += 4)
		synth_cap(f, p, 0x09, p + 4 < 0x100 ? p + 4 : 0x40);
	for (unsigned int p = 0x40; p < 0x100; p += 4)
		f->dev[p + 2] = 4;
	assert_int_equal(synth_init(f), 0);
	assert_int_equal(walk_std(f, ids, NULL, ARRAY_SIZE(ids)), 48);
}

/*
 * Overlapping capabilities (found by tests/fuzz/vconfig_fuzz.c): the chain
 * bytes stay minivmm's whatever another capability's rules say of them,
 * so the guest cannot rewrite the chain through the other's registers;
 * and a register stops being virtualized reads the snapshot in vcfg.
 */
static void test_overlapping_caps(void **state)
{
	struct fx *f = *state;
	uint8_t ids[48], pos[48];
	uint32_t m;

	/* PM's header inside PCIe's Device Control 2 (0x40 + 0x28). */
	synth(f, 256, 0x68);
	synth_cap(f, 0x68, 0x01, 0x40);
	synth_cap(f, 0x40, 0x10, 0x00);
	put16(f->dev, 0x42, 0x0002); /* version 2: 0x3c bytes */
	assert_int_equal(synth_init(f), 0);
	assert_int_equal(walk_std(f, ids, pos, ARRAY_SIZE(ids)), 2);
	assert_int_equal(pos[0], 0x68);
	assert_int_equal(pos[1], 0x40);
	gwrite(f, 0x68, 2, 0x4c4c, &m);
	assert_int_equal(m, 0);
	assert_int_equal(gread(f, 0x68, 1), 0x01);
	assert_int_equal(gread(f, 0x69, 1), 0x40);
	assert_int_equal(walk_std(f, ids, NULL, ARRAY_SIZE(ids)), 2);

	/* A hidden capability inside PCIe's Device Control (0x48): forwarded
	 * again, and vcfg holds the device's value, not the hidden zeros. */
	synth(f, 256, 0x40);
	synth_cap(f, 0x40, 0x10, 0x48);
	put16(f->dev, 0x42, 0x0002);
	synth_cap(f, 0x48, 0x0f, 0x00);
	assert_int_equal(synth_init(f), 0);
	assert_int_equal(walk_std(f, ids, NULL, ARRAY_SIZE(ids)), 1);
	assert_true(vconfig_needs_device(&f->vc, 0x48, 2));
	assert_int_equal(gread(f, 0x48, 2), 0x000f);
	assert_int_equal(vconfig_get16(&f->vc, 0x48), 0x000f);

	/* Extended: a DSN header inside the AER masks that follow it in the
	 * chain (0x140 + 0x08). */
	synth(f, 4096, 0);
	synth_ext(f, 0x100, 0x0003, 1, 0x148);
	synth_ext(f, 0x148, 0x0003, 1, 0x140);
	synth_ext(f, 0x140, 0x0001, 2, 0);
	assert_int_equal(synth_init(f), 0);
	gwrite(f, 0x148, 4, 0x10c10001, &m);
	assert_int_equal(m, 0);
	assert_int_equal(gread(f, 0x148, 4), 0x14010003);
	assert_int_equal(gread(f, 0x140, 4), 0x00020001);
}

/*
 * A vendor-specific capability whose length byte (or extended length
 * field) is shorter than its own header: its next pointer stays
 * minivmm's, read-only, instead of a raw gap the guest could rewrite into
 * a loop (found by fuzzing).
 */
static void test_vendor_cap_shorter_than_header(void **state)
{
	struct fx *f = *state;
	uint8_t ids[48];
	uint16_t eids[480];
	uint32_t m;

	for (uint8_t len = 0; len < 3; len++) {
		synth(f, 256, 0x40);
		synth_cap(f, 0x40, 0x09, 0x50);
		f->dev[0x42] = len;
		synth_cap(f, 0x50, 0x01, 0x00);
		assert_int_equal(synth_init(f), 0);
		assert_int_equal(walk_std(f, ids, NULL, ARRAY_SIZE(ids)), 2);
		gwrite(f, 0x40, 2, 0x4009, &m);
		assert_int_equal(m, 0);
		assert_int_equal(gread(f, 0x41, 1), 0x50);
		assert_false(vconfig_needs_device(&f->vc, 0x41, 1));
	}
	for (uint32_t len = 0; len < 8; len++) {
		synth(f, 4096, 0);
		synth_ext(f, 0x100, 0x000b, 1, 0x200);
		put32(f->dev, 0x104, len << 20);
		synth_ext(f, 0x200, 0x0003, 1, 0);
		assert_int_equal(synth_init(f), 0);
		assert_int_equal(walk_ext(f, eids, NULL, ARRAY_SIZE(eids)), 2);
		gwrite(f, 0x100, 4, 0x1001000b, &m);
		assert_int_equal(m, 0);
		assert_int_equal(gread(f, 0x100, 4) >> 20, 0x200);
	}
}

/* Malformed extended chains: loops and pointers below 0x100. */
static void test_malformed_ext(void **state)
{
	struct fx *f = *state;
	uint16_t ids[480];

	synth(f, 4096, 0);
	synth_ext(f, 0x100, 0x0001, 1, 0x200);
	synth_ext(f, 0x200, 0x0003, 1, 0x100); /* loop */
	assert_int_equal(synth_init(f), 0);
	assert_int_equal(walk_ext(f, ids, NULL, ARRAY_SIZE(ids)), 2);
	assert_int_equal(gread(f, 0x200, 4) >> 20, 0);

	/* A loop back into the middle: AER -> DSN -> vendor -> DSN. */
	synth(f, 4096, 0);
	synth_ext(f, 0x100, 0x0001, 1, 0x200);
	synth_ext(f, 0x200, 0x0003, 1, 0x300);
	synth_ext(f, 0x300, 0x000b, 1, 0x200);
	assert_int_equal(synth_init(f), 0);
	assert_int_equal(walk_ext(f, ids, NULL, ARRAY_SIZE(ids)), 3);
	assert_int_equal(gread(f, 0x300, 4) >> 20, 0);

	synth(f, 4096, 0);
	synth_ext(f, 0x100, 0x0010, 1, 0x200); /* hidden, then */
	synth_ext(f, 0x200, 0x0001, 1, 0x0fc); /* below 0x100 */
	assert_int_equal(synth_init(f), 0);
	assert_int_equal(walk_ext(f, ids, NULL, ARRAY_SIZE(ids)), 1);
	assert_int_equal(gread(f, 0x200, 4) >> 20, 0);

	/* A self-loop on the hidden first capability. */
	synth(f, 4096, 0);
	synth_ext(f, 0x100, 0x0010, 1, 0x100);
	assert_int_equal(synth_init(f), 0);
	assert_int_equal(gread(f, 0x100, 4), 0);

	/* All-ones header (no extended space behind a bridge). */
	synth(f, 4096, 0);
	put32(f->dev, 0x100, 0xffffffff);
	assert_int_equal(synth_init(f), 0);
	assert_int_equal(gread(f, 0x100, 4), 0);

	/* A capability in the last dword, vendor length beyond the end. */
	synth(f, 4096, 0);
	synth_ext(f, 0x100, 0x000b, 1, 0xffc);
	put32(f->dev, 0x104, 0xfffu << 20);
	synth_ext(f, 0xffc, 0x0001, 1, 0);
	assert_int_equal(synth_init(f), 0);
	assert_int_equal(walk_ext(f, ids, NULL, ARRAY_SIZE(ids)), 2);
	assert_int_equal(ids[1], 0x0001);

	/* A chain through every 8 bytes: as long as Linux walks (480 headers). */
	synth(f, 4096, 0);
	for (unsigned int p = 0x100; p < 0x1000; p += 8)
		synth_ext(f, p, 0x0003, 1, p + 8 < 0x1000 ? p + 8 : 0);
	assert_int_equal(synth_init(f), 0);
	assert_int_equal(walk_ext(f, ids, NULL, ARRAY_SIZE(ids)), 480);
}

/* Bad arguments. */
static void test_init_einval(void **state)
{
	struct fx *f = *state;
	static const struct vconfig_bar nobars[VCONFIG_BARS];

	synth(f, 256, 0);
	assert_int_equal(vconfig_init(&f->vc, f->dev, 128, nobars, 0, 0), -EINVAL);
	assert_int_equal(vconfig_init(&f->vc, f->dev, 512, nobars, 0, 0), -EINVAL);
	assert_int_equal(vconfig_init(&f->vc, NULL, 256, nobars, 0, 0), -EINVAL);
	f->dev[0x0e] = 0x01; /* a bridge: vfio-pci doesn't take those either */
	assert_int_equal(vconfig_init(&f->vc, f->dev, 256, nobars, 0, 0), -EINVAL);
	f->dev[0x0e] = 0x80;
	assert_int_equal(vconfig_init(&f->vc, f->dev, 256, nobars, 0, 0), 0);
}

/* A 256-byte function (conventional PCI) has no extended space. */
static void test_conventional_size(void **state)
{
	struct fx *f = *state;

	init_dump(f, find_dump("virtio-net.bin"));
	assert_int_equal(vconfig_read(&f->vc, 0x100, 4, 0), 0xffffffff);
	assert_int_equal(vconfig_write(&f->vc, 0x100, 4, 0, NULL), 0);
	/* Vendor capability bodies forwarded (virtio's are read-only in practice). */
	uint32_t m;

	gwrite(f, 0x44, 4, 0xffffffff, &m);
	assert_int_equal(m, 0xffffffff);
}

/* --assign BDF,irq=MODE: MSI-X and/or MSI hidden, the chain skips them. */
static void test_hide_interrupt_modes(void **state)
{
	struct fx *f = *state;
	const struct dump *d = find_dump("e1000e.bin");
	uint8_t ids[16], pos[16];
	unsigned int n;

	load(f, d);
	assert_int_equal(vconfig_init(&f->vc, f->dev, f->size, d->bar, d->rom, VCONFIG_HIDE_MSIX), 0);
	assert_true(f->vc.dev_has_msix);
	assert_true(f->vc.dev_has_msi);
	assert_int_equal(f->vc.msix_cap, 0);
	assert_int_equal(f->vc.msi_cap, 0xd0);
	n = walk_std(f, ids, pos, ARRAY_SIZE(ids));
	for (unsigned int i = 0; i < n; i++)
		assert_int_not_equal(ids[i], 0x11);
	/* The hidden capability reads 0 and takes no writes. */
	assert_int_equal(gread(f, 0xa0, 4), 0);
	assert_int_equal(gwrite(f, 0xa0, 4, 0xffffffff, NULL), 0);

	load(f, d);
	assert_int_equal(vconfig_init(&f->vc, f->dev, f->size, d->bar, d->rom, VCONFIG_HIDE_MSI | VCONFIG_HIDE_MSIX), 0);
	assert_int_equal(f->vc.msix_cap, 0);
	assert_int_equal(f->vc.msi_cap, 0);
	n = walk_std(f, ids, pos, ARRAY_SIZE(ids));
	assert_int_equal(n, 2); /* PM, PCIe */
	assert_int_equal(ids[0], 0x01);
	assert_int_equal(ids[1], 0x10);
	assert_int_equal(gread(f, 0xd0, 4), 0);
}

/* A gap between capabilities: raw, both ways; a hidden capability is not a gap. */
static void test_gaps_are_raw(void **state)
{
	struct fx *f = *state;
	uint32_t m;

	/* PM at 0x40 (8 bytes), SSVID at 0x60; 0x48-0x5f is a gap, as is 0x68-0x7f. */
	synth(f, 256, 0x40);
	synth_cap(f, 0x40, 0x01, 0x60);
	synth_cap(f, 0x60, 0x0d, 0x80);
	synth_cap(f, 0x80, 0x02, 0); /* AGP: hidden */
	put32(f->dev, 0x50, 0x11223344);
	assert_int_equal(synth_init(f), 0);
	assert_true(vconfig_needs_device(&f->vc, 0x50, 4));
	assert_int_equal(gread(f, 0x50, 4), 0x11223344);
	assert_int_equal(gwrite(f, 0x50, 4, 0xcafe, &m), 0);
	assert_int_equal(m, 0xffffffff);
	assert_int_equal(gwrite(f, 0x48, 1, 0x5a, &m), 0);
	assert_int_equal(m, 0xff);
	/* After the last known-length capability. */
	assert_int_equal(gwrite(f, 0x68, 4, 1, &m), 0);
	assert_int_equal(m, 0xffffffff);
	/* The hidden AGP capability (up to the end) is virtualized zero. */
	assert_int_equal(gread(f, 0x80, 4), 0);
	gwrite(f, 0x84, 4, 0xffffffff, &m);
	assert_int_equal(m, 0);
	/* The header is never a gap. */
	gwrite(f, 0x08, 4, 0xffffffff, &m);
	assert_int_equal(m, 0);
}

static void test_ext_gaps_are_raw(void **state)
{
	struct fx *f = *state;
	uint32_t m;

	init_dump(f, find_dump("e1000e.bin"));
	/* AER at 0x100 (0x38 long), DSN at 0x140: 0x138-0x13f is a gap, so is all after DSN. */
	gwrite(f, 0x138, 4, 0xffffffff, &m);
	assert_int_equal(m, 0xffffffff);
	gwrite(f, 0x800, 4, 0xffffffff, &m);
	assert_int_equal(m, 0xffffffff);
	gwrite(f, 0x140, 4, 0xffffffff, &m);
	assert_int_equal(m, 0);
}

/* PM power state writes are events; the state is the guest's last written. */
static void test_power_state_event(void **state)
{
	struct fx *f = *state;
	unsigned int pm;
	uint32_t m;

	init_dump(f, find_dump("e1000e.bin"));
	pm = f->vc.pm_cap;
	assert_int_equal(pm, 0xc8);
	assert_int_equal(vconfig_power_state(&f->vc), 0);
	assert_int_equal(gwrite(f, pm + 4, 2, 0x0003, &m), VCONFIG_EV_PM);
	assert_int_equal(m, 0x9f03);
	assert_int_equal(vconfig_power_state(&f->vc), 3);
	/* The same state again, or another field: no event. */
	assert_int_equal(gwrite(f, pm + 4, 2, 0x0003, &m), 0);
	assert_int_equal(gwrite(f, pm + 5, 1, 0x01, &m), 0);
	assert_int_equal(vconfig_power_state(&f->vc), 3);
	assert_int_equal(gwrite(f, pm + 4, 1, 0x00, &m), VCONFIG_EV_PM);
	assert_int_equal(vconfig_power_state(&f->vc), 0);
	/* No PM capability: always D0. */
	init_dump(f, find_dump("edu.bin"));
	assert_int_equal(vconfig_power_state(&f->vc), 0);
}

/* FLR: an event, the bit reads 0; the reset state after it. */
static void test_flr_and_reset(void **state)
{
	struct fx *f = *state;
	unsigned int c, pm;
	uint32_t m;

	init_dump(f, find_dump("e1000e.bin"));
	c = f->vc.pcie_cap;
	pm = f->vc.pm_cap;
	gwrite(f, 0x04, 2, 0x0507, &m); /* io, mem, master, intx off */
	gwrite(f, pm + 4, 2, 0x0003, &m);
	gwrite(f, f->vc.msix_cap + 2, 2, 0xc000, &m);
	gwrite(f, f->vc.msi_cap + 2, 2, 0x0001, &m);
	assert_int_equal(gwrite(f, c + 8, 2, 0x8000 | 0x2810, &m) & VCONFIG_EV_FLR, VCONFIG_EV_FLR);
	assert_int_equal(gread(f, c + 8, 2) & 0x8000, 0);
	vconfig_reset(&f->vc);
	assert_int_equal(vconfig_get16(&f->vc, 0x04) & 0x0507, 0);
	assert_int_equal(vconfig_power_state(&f->vc), 0);
	assert_int_equal(gread(f, f->vc.msix_cap + 2, 2) & 0xc000, 0);
	assert_int_equal(gread(f, f->vc.msi_cap + 2, 2) & 0x0001, 0);
	/* BAR addresses stay: the guest restores its own config. */
	vconfig_set32(&f->vc, 0x10, 0xfebc0000);
	vconfig_reset(&f->vc);
	assert_int_equal(vconfig_bar_addr(&f->vc, 0), 0xfebc0000);
}

/* The host granted fewer MSI vectors: Multiple Message Enable says how many. */
static void test_msi_enabled_vectors(void **state)
{
	struct fx *f = *state;
	unsigned int c;

	synth(f, 256, 0x40);
	synth_cap(f, 0x40, 0x05, 0);
	put16(f->dev, 0x42, 0x008a); /* 64-bit, 32 vectors capable (MMC 5) */
	assert_int_equal(synth_init(f), 0);
	c = f->vc.msi_cap;
	assert_int_equal(gwrite(f, c + 2, 2, 0x0051, NULL), VCONFIG_EV_MSI); /* asks 32 */
	assert_int_equal((gread(f, c + 2, 2) >> 4) & 7, 5);
	vconfig_msi_set_enabled_vectors(&f->vc, 4);
	assert_int_equal((gread(f, c + 2, 2) >> 4) & 7, 2);
	assert_int_equal(gread(f, c + 2, 2) & 1, 1);
	vconfig_msi_set_enabled_vectors(&f->vc, 1);
	assert_int_equal((gread(f, c + 2, 2) >> 4) & 7, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hide_interrupt_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gaps_are_raw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ext_gaps_are_raw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_power_state_event, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flr_and_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_msi_enabled_vectors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dumps_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dumps_bar_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bar_sizing_mem32, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bar_sizing_64, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bar_sizing_io, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bar_unimplemented, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bar_relocation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rom_bar, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rom_absent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_command, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virtualized_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dumps_cap_walk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dumps_msix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_msi_edu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_msi_reserved_mmc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_msi_masking, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dumps_ext_walk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ext_placeholder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hidden_std_caps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pcie_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pcie_forward, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_access, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_std, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_ext, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlapping_caps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vendor_cap_shorter_than_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init_einval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conventional_size, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
