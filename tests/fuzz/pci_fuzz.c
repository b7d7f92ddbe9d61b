// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for PCI configuration access (src/pci/pci.c, and the
 * host bridge): a guest's port I/O on 0xcf8-0xcff and MMIO over the ECAM
 * window, through the port and MMIO buses (src/bus.c) as vCPU exits
 * dispatch them, to bus 0 with the host bridge at 00:00.0 and fake
 * functions at devfns the input chooses. Also the pure decoders alone, and
 * the BAR window allocator.
 *
 * Input: a byte of devfns to populate (up to four, 00:00.0 is the bridge),
 * then operations until the input ends: op byte (kind, length), address
 * or offset, value; one kind hot-unplugs a function (pci_bus_remove).
 *
 * Checked against a model of the two mechanisms: CONFIG_ADDRESS latches
 * only whole-dword writes at 0xcf8 and reads back what it latched; data
 * accesses reach function (cf8 >> 8) & 0xff at (cf8 & 0xfc) | port offset
 * on bus 0 with the enable bit, ECAM accesses function (off >> 12) & 0xff
 * at off & 0xfff; absent functions, other buses, disabled cycles, lengths
 * other than 1/2/4, misaligned or crossing the 4 KiB space read all-ones
 * and write nothing; a function's callbacks only ever get naturally
 * aligned 1/2/4-byte accesses inside its 4 KiB; the bridge's identity
 * reads as set up and ignores writes; window allocations are naturally
 * aligned, inside the window and disjoint.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "minivmm/x86/layout.h"
#include "minivmm/arch.h"
#include "minivmm/pci.h"
#include "minivmm/stats.h"

/* The host bridge is a VMM-only source; its one function, compiled here. */
#include "../../src/pci/host_bridge.c"

/* What the PCI code gets of a VM: its buses and counters. */
struct fake_vm {
	struct bus pio, mmio;
	struct stats stats;
	struct pci_bus pci;
};

#define NFAKE 4

struct fake {
	struct pci_dev dev;
	uint8_t cfg[PCI_CFG_SPACE_EXP_SIZE];
};

static struct fake_vm *vm;
static struct fake fakes[NFAKE];
static uint8_t bridge_cfg[64];
/* The model: which fake sits at each devfn (-1: none), the latch. */
static int at[256];
static uint32_t cf8;

FUZZ_NOCOV static void fake_check(struct pci_dev *dev, unsigned int reg, unsigned int len)
{
	FUZZ_CHECK(dev >= &fakes[0].dev && dev <= &fakes[NFAKE - 1].dev);
	FUZZ_CHECK(len == 1 || len == 2 || len == 4);
	FUZZ_CHECK(!(reg & (len - 1)) && reg + len <= PCI_CFG_SPACE_EXP_SIZE);
}

static void fake_read(struct pci_dev *dev, unsigned int reg, void *data, unsigned int len)
{
	struct fake *f = dev->opaque;

	fake_check(dev, reg, len);
	memcpy(data, f->cfg + reg, len);
}

static void fake_write(struct pci_dev *dev, unsigned int reg, const void *data, unsigned int len)
{
	struct fake *f = dev->opaque;

	fake_check(dev, reg, len);
	memcpy(f->cfg + reg, data, len);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	vm = calloc(1, sizeof(*vm));
	FUZZ_CHECK(vm);
	FUZZ_CHECK(!bus_init(&vm->pio, "pio") && !bus_init(&vm->mmio, "mmio"));
	FUZZ_CHECK(!pci_bus_init(&vm->pci, &vm->mmio, &vm->stats));
	FUZZ_CHECK(!pci_cf8_register(&vm->pci, &vm->pio, LAYOUT_PORT_PCI_CONFIG_ADDR, LAYOUT_PORT_PCI_CONFIG_DATA));
	FUZZ_CHECK(!pci_host_bridge_init(&vm->pci));
	memcpy(bridge_cfg, vm->pci.host_bridge.cfg, sizeof(bridge_cfg));
	FUZZ_CHECK(pci_bus_add(&vm->pci, &vm->pci.host_bridge.dev, 0) == -EBUSY);
	return 0;
}

/* What config access @reg/@len of @devfn on bus 0 does in the model. */
FUZZ_NOCOV static void model_cfg(unsigned int devfn, unsigned int reg, unsigned int len, uint8_t *buf,
				 bool is_write, bool ok)
{
	ok = ok && (len == 1 || len == 2 || len == 4) && !(reg & (len - 1)) && reg + len <= 4096;
	if (ok && devfn == 0) {
		if (!is_write)
			for (unsigned int i = 0; i < len; i++)
				buf[i] = reg + i < sizeof(bridge_cfg) && reg + len <= sizeof(bridge_cfg) ?
						 bridge_cfg[reg + i] : 0;
	} else if (ok && at[devfn] >= 0) {
		struct fake *f = &fakes[at[devfn]];

		if (!is_write)
			memcpy(buf, f->cfg + reg, len);
	} else if (!is_write) {
		memset(buf, 0xff, len);
	}
}

FUZZ_NOCOV static void check_access(struct bus *bus, uint64_t addr, unsigned int len, uint64_t val,
				    bool is_write)
{
	uint8_t buf[8], want[8], shadow[NFAKE][PCI_CFG_SPACE_EXP_SIZE];
	bool claimed, expect_claim;
	uint64_t ecam_off = addr - LAYOUT_PCI_ECAM_START;

	memcpy(buf, &val, sizeof(buf));
	memcpy(want, &val, sizeof(want));
	for (unsigned int i = 0; i < NFAKE; i++)
		memcpy(shadow[i], fakes[i].cfg, sizeof(shadow[i]));
	if (bus == &vm->pio) {
		expect_claim = addr >= 0xcf8 && addr < 0xd00;
		if (addr == 0xcf8) {
			if (len == 4 && is_write)
				cf8 = (uint32_t)val;
			else if (len == 4)
				memcpy(want, &cf8, 4);
			else if (!is_write)
				memset(want, 0xff, len);
		} else if (addr >= 0xcfc && addr < 0xd00) {
			unsigned int off = addr - 0xcfc, devfn = (cf8 >> 8) & 0xff;
			bool ok = (cf8 & 0x80000000u) && !((cf8 >> 16) & 0xff);

			model_cfg(devfn, (cf8 & 0xfc) | off, len, want, is_write, ok);
			if (ok && is_write && at[devfn] >= 0 && (len == 1 || len == 2 || len == 4) &&
			    !(((cf8 & 0xfc) | off) & (len - 1)))
				memcpy(shadow[at[devfn]] + ((cf8 & 0xfc) | off), &val, len);
		} else if (expect_claim && !is_write) {
			memset(want, 0xff, len); /* 0xcf9-0xcfb: not a whole CONFIG_ADDRESS */
		} else if (!is_write) {
			memset(want, 0xff, len);
		}
	} else {
		expect_claim = addr >= LAYOUT_PCI_ECAM_START && ecam_off < LAYOUT_PCI_ECAM_SIZE;
		if (expect_claim) {
			unsigned int devfn = (ecam_off >> 12) & 0xff, reg = ecam_off & 0xfff;

			model_cfg(devfn, reg, len, want, is_write, true);
			if (is_write && at[devfn] >= 0 && devfn && (len == 1 || len == 2 || len == 4) &&
			    !(reg & (len - 1)) && reg + len <= 4096)
				memcpy(shadow[at[devfn]] + reg, &val, len);
		} else if (!is_write) {
			memset(want, 0xff, len);
		}
	}
	claimed = bus_access(bus, addr, buf, len, is_write);
	FUZZ_CHECK(claimed == expect_claim);
	if (!is_write)
		FUZZ_CHECK(!memcmp(buf, want, len));
	for (unsigned int i = 0; i < NFAKE; i++)
		FUZZ_CHECK(!memcmp(shadow[i], fakes[i].cfg, sizeof(shadow[i])));
	FUZZ_CHECK(!memcmp(bridge_cfg, vm->pci.host_bridge.cfg, sizeof(bridge_cfg)));
	FUZZ_CHECK(vm->pci.cf8 == cf8);
}

FUZZ_NOCOV static void check_decoders(uint64_t v, unsigned int port)
{
	struct pci_cfg_addr a = { 0xaa, 0xbb, 0xcccc }, e;
	bool ok = pci_cf8_decode((uint32_t)v, port, &a);

	FUZZ_CHECK(ok == (((uint32_t)v >> 31) && port <= 3));
	if (ok)
		FUZZ_CHECK(a.bus == ((v >> 16) & 0xff) && a.devfn == ((v >> 8) & 0xff) &&
			   a.reg == ((v & 0xfc) | port) && a.reg < 256);
	else
		FUZZ_CHECK(a.bus == 0xaa && a.devfn == 0xbb && a.reg == 0xcccc);
	pci_ecam_decode(v, &e);
	FUZZ_CHECK(e.reg < 4096 && e.reg == (v & 0xfff) && e.devfn == ((v >> 12) & 0xff) &&
		   e.bus == ((v >> 20) & 0xff));
	FUZZ_CHECK(arch_pci_intx_gsi(v & 31, port & 3) >= LAYOUT_GSI_PCI_INTX_FIRST &&
		   arch_pci_intx_gsi(v & 31, port & 3) < LAYOUT_GSI_PCI_INTX_FIRST + LAYOUT_GSI_PCI_INTX_COUNT);
}

FUZZ_NOCOV static void check_window(struct fz *in)
{
	struct pci_window w;
	/* Windows are minivmm's layout: inside the 52-bit physical address space. */
	uint64_t base = fz_u64(in) & 0xffffffffff000ULL, size = fz_u32(in) * 4096ULL, hi = 0;
	unsigned int n = fz_u8(in) % 16;

	pci_window_init(&w, base, size);
	for (unsigned int i = 0; i < n; i++) {
		uint8_t b = fz_u8(in);
		uint64_t sz = b & 0x80 ? fz_u32(in) : 1ULL << (b & 0x3f), align = 1ULL << (fz_u8(in) & 0x3f), a;
		int ret = pci_window_alloc(&w, sz, align, &a);

		if (!sz || (sz & (sz - 1))) {
			FUZZ_CHECK(ret == -EINVAL);
			continue;
		}
		if (ret) {
			FUZZ_CHECK(ret == -ENOSPC || ret == -EINVAL);
			continue;
		}
		FUZZ_CHECK(a >= base && a - base <= size && sz <= size - (a - base));
		FUZZ_CHECK(!(a & (sz - 1)) && !(a & (align - 1)));
		/* Bump allocation: each block above the previous ones. */
		FUZZ_CHECK(hi == 0 || a >= hi);
		hi = a + sz;
	}
}

/* Hot-unplug of what sits at @devfn: its config space reads all-ones from
 * now on, and a second removal (or of the bridge's impostor) is harmless. */
FUZZ_NOCOV static void check_unplug(unsigned int devfn)
{
	if (devfn == 0) {
		/* Not the bridge's own struct: nothing happens. */
		struct pci_dev other = { .devfn = 0 };

		pci_bus_remove(&vm->pci, &other);
		FUZZ_CHECK(vm->pci.devs[0] == &vm->pci.host_bridge.dev);
		return;
	}
	if (at[devfn] < 0)
		return;
	pci_bus_remove(&vm->pci, &fakes[at[devfn]].dev);
	FUZZ_CHECK(!vm->pci.devs[devfn]);
	pci_bus_remove(&vm->pci, &fakes[at[devfn]].dev);
	at[devfn] = -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz in = { data, size };
	unsigned int nfake = 0;

	/* A fresh bus 0: the bridge, and up to four functions. */
	for (unsigned int i = 1; i < 256; i++)
		vm->pci.devs[i] = NULL;
	memset(at, -1, sizeof(at));
	memset(fakes, 0, sizeof(fakes));
	vm->pci.cf8 = cf8 = 0;
	for (unsigned int n = fz_u8(&in) % (NFAKE + 1), i = 0; i < n; i++) {
		unsigned int devfn = fz_u8(&in);
		struct fake *f = &fakes[nfake];
		int ret;

		f->dev.opaque = f;
		f->dev.cfg_read = fake_read;
		f->dev.cfg_write = fake_write;
		for (unsigned int b = 0; b < sizeof(f->cfg); b++)
			f->cfg[b] = b * 7 + nfake;
		ret = pci_bus_add(&vm->pci, &f->dev, devfn);
		FUZZ_CHECK(!ret == (devfn && at[devfn] < 0));
		if (!ret) {
			FUZZ_CHECK(f->dev.devfn == devfn);
			at[devfn] = nfake++;
		}
	}
	{
		int slot = pci_bus_free_slot(&vm->pci, 1);

		FUZZ_CHECK(slot >= 1 && slot < 32 && !vm->pci.devs[PCI_DEVFN(slot, 0)]);
		for (int s = 1; s < slot; s++)
			FUZZ_CHECK(vm->pci.devs[PCI_DEVFN(s, 0)]);
	}

	while (fz_more(&in)) {
		static const unsigned int lens[8] = { 1, 2, 4, 4, 4, 8, 3, 0 };
		uint8_t op = fz_u8(&in);
		unsigned int len = lens[(op >> 3) & 7];
		bool is_write = op & 0x40;

		switch (op & 7) {
		case 0:
		case 1:
		case 2: {
			/* Ports 0xcf8-0xcff and a little around them. */
			uint64_t port = 0xcf6 + fz_u8(&in) % 12;
			uint32_t val = fz_u32(&in);

			if (!len)
				len = 4;
			if (op & 0x80)
				val |= 0x80000000u; /* an enabled cycle, mostly */
			check_access(&vm->pio, port, len, val, is_write);
			break;
		}
		case 3:
		case 4: {
			/* ECAM: mostly devfns that exist, sometimes past the window. */
			uint32_t off = fz_u32(&in);
			uint64_t addr = LAYOUT_PCI_ECAM_START + (op & 0x80 ? off : off % (LAYOUT_PCI_ECAM_SIZE + 8));

			check_access(&vm->mmio, addr, len ? len : 8, fz_u64(&in), is_write);
			break;
		}
		case 5:
		case 6:
			check_decoders(fz_u64(&in), fz_u8(&in) % 6);
			break;
		case 7:
			if (is_write)
				check_unplug(fz_u8(&in));
			else
				check_window(&in);
			break;
		}
	}
	return 0;
}
