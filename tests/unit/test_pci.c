// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for src/pci/pci.c (config-access decoding and dispatch, INTx
 * swizzle), src/pci/host_bridge.c and src/pci/bdf.c (PCI address text).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "minivmm/x86/layout.h"
#include "minivmm/arch.h"
#include "minivmm/pci.h"
#include "minivmm/pci_bdf.h"

/*
 * host_bridge.c is not part of the pure test library (it is listed with
 * the VMM-only sources); compile it into this test so the bridge can be
 * exercised. Were it added to the library later, the archive member would
 * simply not be pulled in.
 */
#include "../../src/pci/host_bridge.c"

/* What the PCI code gets of a VM: its buses and counters. */
struct fixture {
	struct bus pio, mmio;
	struct stats stats;
	struct pci_bus pci;
};

/* ---- pci_cf8_decode ---- */

static void test_cf8_decode_fields(void **state)
{
	struct pci_cfg_addr a;

	(void)state;
	/* enable | bus 0x12 | dev 3 fn 5 | reg 0x3c */
	assert_true(pci_cf8_decode(0x80000000u | 0x12u << 16 | PCI_DEVFN(3, 5) << 8 | 0x3c, 0, &a));
	assert_int_equal(a.bus, 0x12);
	assert_int_equal(a.devfn, PCI_DEVFN(3, 5));
	assert_int_equal(PCI_SLOT_OF(a.devfn), 3);
	assert_int_equal(PCI_FN_OF(a.devfn), 5);
	assert_int_equal(a.reg, 0x3c);

	assert_true(pci_cf8_decode(0x80fffffcu, 0, &a));
	assert_int_equal(a.bus, 0xff);
	assert_int_equal(a.devfn, 0xff);
	assert_int_equal(a.reg, 0xfc);
}

static void test_cf8_decode_needs_enable_bit(void **state)
{
	struct pci_cfg_addr a = { .bus = 7, .devfn = 7, .reg = 7 };

	(void)state;
	assert_false(pci_cf8_decode(0x00000000, 0, &a));
	assert_false(pci_cf8_decode(0x7ffffffc, 0, &a));
	assert_int_equal(a.bus, 7); /* untouched */
	assert_int_equal(a.reg, 7);
}

static void test_cf8_decode_port_offset(void **state)
{
	struct pci_cfg_addr a;

	(void)state;
	for (unsigned int off = 0; off < 4; off++) {
		assert_true(pci_cf8_decode(0x80000010, off, &a));
		assert_int_equal(a.reg, 0x10 + off);
	}
	assert_false(pci_cf8_decode(0x80000010, 4, &a));
}

static void test_cf8_decode_ignores_low_bits(void **state)
{
	struct pci_cfg_addr a;

	(void)state;
	assert_true(pci_cf8_decode(0x80000013, 0, &a));
	assert_int_equal(a.reg, 0x10);
	assert_true(pci_cf8_decode(0x80000013, 2, &a));
	assert_int_equal(a.reg, 0x12);
	/* Reserved bits 30:24 do not leak into the bus number. */
	assert_true(pci_cf8_decode(0xff010800, 0, &a));
	assert_int_equal(a.bus, 1);
	assert_int_equal(a.devfn, 8);
	assert_int_equal(a.reg, 0);
}

/* ---- pci_ecam_decode ---- */

static void test_ecam_decode(void **state)
{
	struct pci_cfg_addr a;

	(void)state;
	pci_ecam_decode(0, &a);
	assert_int_equal(a.bus, 0);
	assert_int_equal(a.devfn, 0);
	assert_int_equal(a.reg, 0);

	pci_ecam_decode((uint64_t)2 << 20 | (uint64_t)PCI_DEVFN(31, 7) << 12 | 0xffc, &a);
	assert_int_equal(a.bus, 2);
	assert_int_equal(a.devfn, PCI_DEVFN(31, 7));
	assert_int_equal(a.reg, 0xffc);

	pci_ecam_decode((uint64_t)PCI_DEVFN(3, 0) << 12 | 0x100, &a);
	assert_int_equal(a.bus, 0);
	assert_int_equal(a.devfn, 0x18);
	assert_int_equal(a.reg, 0x100);

	pci_ecam_decode(0x0ffffffe, &a);
	assert_int_equal(a.bus, 0xff);
	assert_int_equal(a.devfn, 0xff);
	assert_int_equal(a.reg, 0xffe);
}

/* ---- pci_cfg_access with a fake function ---- */

struct fake_fn {
	struct pci_dev dev;
	unsigned int reads, writes;
	unsigned int reg, len;
	uint32_t wvalue;
};

static void fake_cfg_read(struct pci_dev *dev, unsigned int reg, void *data, unsigned int len)
{
	struct fake_fn *f = dev->opaque;
	uint32_t v = 0xa0000000u | reg;

	f->reads++;
	f->reg = reg;
	f->len = len;
	memcpy(data, &v, len);
}

static void fake_cfg_write(struct pci_dev *dev, unsigned int reg, const void *data, unsigned int len)
{
	struct fake_fn *f = dev->opaque;

	f->writes++;
	f->reg = reg;
	f->len = len;
	f->wvalue = 0;
	memcpy(&f->wvalue, data, len);
}

static void fake_fn_init(struct fake_fn *f)
{
	memset(f, 0, sizeof(*f));
	strcpy(f->dev.name, "fake");
	f->dev.opaque = f;
	f->dev.cfg_read = fake_cfg_read;
	f->dev.cfg_write = fake_cfg_write;
}

/* A pci_bus without a VM: just the lock and the device table. */
static int bus_setup(void **state)
{
	struct pci_bus *pci = calloc(1, sizeof(*pci));

	if (!pci || pthread_mutex_init(&pci->lock, NULL))
		return -1;
	pci->lock_ready = true;
	*state = pci;
	return 0;
}

static int bus_teardown(void **state)
{
	pci_bus_destroy(*state);
	free(*state);
	return 0;
}

static uint32_t cfg_read(struct pci_bus *pci, uint8_t bus, uint8_t devfn, uint16_t reg, unsigned int len)
{
	struct pci_cfg_addr a = { .bus = bus, .devfn = devfn, .reg = reg };
	uint32_t v = 0x12345678;

	pci_cfg_access(pci, &a, &v, len, false);
	return len == 4 ? v : v & ((1u << (8 * len)) - 1);
}

static void test_cfg_absent_function_reads_ones(void **state)
{
	struct pci_bus *pci = *state;
	struct pci_cfg_addr a = { .bus = 0, .devfn = PCI_DEVFN(5, 0), .reg = 0 };
	uint8_t buf[4] = { 0, 0, 0, 0x42 };

	assert_int_equal(cfg_read(pci, 0, PCI_DEVFN(5, 0), 0, 4), 0xffffffff);
	assert_int_equal(cfg_read(pci, 0, PCI_DEVFN(5, 0), 0, 2), 0xffff);
	pci_cfg_access(pci, &a, buf, 1, false);
	assert_int_equal(buf[0], 0xff);
	assert_int_equal(buf[1], 0); /* only @len bytes */
	/* Writes to nobody are harmless. */
	pci_cfg_access(pci, &a, buf, 4, true);
}

static void test_cfg_present_function_gets_calls(void **state)
{
	struct pci_bus *pci = *state;
	struct pci_cfg_addr a = { .bus = 0, .devfn = PCI_DEVFN(3, 1), .reg = 0x44 };
	struct fake_fn f;
	uint32_t v;

	fake_fn_init(&f);
	assert_int_equal(pci_bus_add(pci, &f.dev, PCI_DEVFN(3, 1)), 0);
	assert_int_equal(f.dev.devfn, PCI_DEVFN(3, 1));

	assert_int_equal(cfg_read(pci, 0, PCI_DEVFN(3, 1), 0x10, 4), 0xa0000010);
	assert_int_equal(f.reads, 1);
	assert_int_equal(f.reg, 0x10);
	assert_int_equal(f.len, 4);
	assert_int_equal(cfg_read(pci, 0, PCI_DEVFN(3, 1), 0x0e, 2), 0x000e);
	assert_int_equal(f.reg, 0x0e);
	assert_int_equal(f.len, 2);
	assert_int_equal(cfg_read(pci, 0, PCI_DEVFN(3, 1), 0x3d, 1), 0x3d);
	assert_int_equal(f.len, 1);
	assert_int_equal(cfg_read(pci, 0, PCI_DEVFN(3, 1), 0xffc, 4), 0xa0000ffc);
	assert_int_equal(f.reg, 0xffc);
	assert_int_equal(f.reads, 4);

	v = 0xcafef00d;
	pci_cfg_access(pci, &a, &v, 4, true);
	assert_int_equal(f.writes, 1);
	assert_int_equal(f.reg, 0x44);
	assert_int_equal(f.wvalue, 0xcafef00d);
	assert_int_equal(f.reads, 4);

	/* Other functions of the slot, and other buses, stay absent. */
	assert_int_equal(cfg_read(pci, 0, PCI_DEVFN(3, 0), 0, 4), 0xffffffff);
	assert_int_equal(cfg_read(pci, 1, PCI_DEVFN(3, 1), 0, 4), 0xffffffff);
	assert_int_equal(f.reads, 4);
}

static void test_cfg_bad_shapes_read_ones(void **state)
{
	struct pci_bus *pci = *state;
	struct pci_cfg_addr a = { .bus = 0, .devfn = 0 };
	struct fake_fn f;
	uint8_t buf[8];

	fake_fn_init(&f);
	assert_int_equal(pci_bus_add(pci, &f.dev, 0), 0);
	/* Misaligned. */
	assert_int_equal(cfg_read(pci, 0, 0, 0x02, 4), 0xffffffff);
	assert_int_equal(cfg_read(pci, 0, 0, 0x11, 2), 0xffff);
	assert_int_equal(cfg_read(pci, 0, 0, 0x13, 4), 0xffffffff);
	/* Beyond 4 KiB. */
	assert_int_equal(cfg_read(pci, 0, 0, 0x1000, 4), 0xffffffff);
	assert_int_equal(cfg_read(pci, 0, 0, 0xfffe, 2), 0xffff);
	/* Odd sizes. */
	a.reg = 0x10;
	memset(buf, 0, sizeof(buf));
	pci_cfg_access(pci, &a, buf, 3, false);
	assert_int_equal(buf[0] & buf[1] & buf[2], 0xff);
	assert_int_equal(buf[3], 0);
	memset(buf, 0, sizeof(buf));
	pci_cfg_access(pci, &a, buf, 8, false);
	for (int i = 0; i < 8; i++)
		assert_int_equal(buf[i], 0xff);
	/* Bad writes are dropped. */
	a.reg = 0x11;
	pci_cfg_access(pci, &a, buf, 2, true);
	assert_int_equal(f.reads + f.writes, 0);
}

static void test_bus_add_and_free_slot(void **state)
{
	struct pci_bus *pci = *state;
	struct fake_fn f[3];

	for (int i = 0; i < 3; i++)
		fake_fn_init(&f[i]);
	assert_int_equal(pci_bus_free_slot(pci, 0), 0);
	assert_int_equal(pci_bus_add(pci, &f[0].dev, PCI_DEVFN(0, 0)), 0);
	assert_int_equal(pci_bus_add(pci, &f[1].dev, PCI_DEVFN(0, 0)), -EBUSY);
	assert_ptr_equal(pci->devs[0], &f[0].dev);
	assert_int_equal(pci_bus_free_slot(pci, 0), 1);
	/* A function other than 0 does not take the slot's function 0. */
	assert_int_equal(pci_bus_add(pci, &f[1].dev, PCI_DEVFN(1, 2)), 0);
	assert_int_equal(pci_bus_free_slot(pci, 0), 1);
	assert_int_equal(pci_bus_add(pci, &f[2].dev, PCI_DEVFN(1, 0)), 0);
	assert_int_equal(pci_bus_free_slot(pci, 0), 2);
	assert_int_equal(pci_bus_free_slot(pci, 31), 31);
	assert_int_equal(pci_bus_free_slot(pci, 32), -ENOSPC);
	for (unsigned int s = 2; s < 32; s++)
		pci->devs[PCI_DEVFN(s, 0)] = &f[2].dev;
	assert_int_equal(pci_bus_free_slot(pci, 0), -ENOSPC);
}

/* ---- INTx swizzle ---- */

static void test_intx_gsi_range_and_swizzle(void **state)
{
	(void)state;
	for (unsigned int slot = 0; slot < 32; slot++)
		for (unsigned int pin = 0; pin < 4; pin++) {
			unsigned int gsi = arch_pci_intx_gsi(slot, pin);

			assert_in_range(gsi, 16, 23);
			/* Next slot, same pin: next line (mod 8). */
			assert_int_equal(arch_pci_intx_gsi(slot + 1, pin), 16 + (gsi - 16 + 1) % 8);
		}
	assert_int_equal(arch_pci_intx_gsi(0, 0), 16);
	assert_int_equal(arch_pci_intx_gsi(1, 0), 17);
	assert_int_equal(arch_pci_intx_gsi(0, 1), 17);
	assert_int_equal(arch_pci_intx_gsi(7, 1), 16);
	assert_int_equal(arch_pci_intx_gsi(31, 3), 16 + (31 + 3) % 8);
	/* The four pins of a slot use four different lines. */
	assert_int_not_equal(arch_pci_intx_gsi(5, 0), arch_pci_intx_gsi(5, 1));
	assert_int_not_equal(arch_pci_intx_gsi(5, 0), arch_pci_intx_gsi(5, 3));
}

/* ---- Host bridge on a full pci_bus_init (fake VM with two buses) ---- */

static int vm_setup(void **state)
{
	struct fixture *vm = calloc(1, sizeof(*vm));

	if (!vm || bus_init(&vm->pio, "pio") || bus_init(&vm->mmio, "mmio"))
		return -1;
	if (pci_bus_init(&vm->pci, &vm->mmio, &vm->stats) ||
	    pci_cf8_register(&vm->pci, &vm->pio, LAYOUT_PORT_PCI_CONFIG_ADDR, LAYOUT_PORT_PCI_CONFIG_DATA) ||
	    pci_host_bridge_init(&vm->pci))
		return -1;
	*state = vm;
	return 0;
}

static int vm_teardown(void **state)
{
	struct fixture *vm = *state;

	pci_bus_destroy(&vm->pci);
	bus_destroy(&vm->pio);
	bus_destroy(&vm->mmio);
	free(vm);
	return 0;
}

static void cf8_write(struct fixture *vm, uint32_t v)
{
	assert_true(bus_access(&vm->pio, LAYOUT_PORT_PCI_CONFIG_ADDR, &v, 4, true));
}

static uint32_t cfc_read(struct fixture *vm, unsigned int off, unsigned int len)
{
	uint32_t v = 0;

	assert_true(bus_access(&vm->pio, LAYOUT_PORT_PCI_CONFIG_DATA + off, &v, len, false));
	return v;
}

static uint32_t ecam_read(struct fixture *vm, uint64_t off, unsigned int len)
{
	uint32_t v = 0;

	assert_true(bus_access(&vm->mmio, LAYOUT_PCI_ECAM_START + off, &v, len, false));
	return v;
}

#define CF8(devfn, reg) (0x80000000u | (uint32_t)(devfn) << 8 | (reg))

static void test_host_bridge_ids_through_cf8(void **state)
{
	struct fixture *vm = *state;

	cf8_write(vm, CF8(0, 0x00));
	assert_int_equal(cfc_read(vm, 0, 4), 0x00081b36);
	assert_int_equal(cfc_read(vm, 0, 2), 0x1b36);
	assert_int_equal(cfc_read(vm, 2, 2), 0x0008);
	assert_int_equal(cfc_read(vm, 1, 1), 0x1b);
	cf8_write(vm, CF8(0, 0x08));
	assert_int_equal(cfc_read(vm, 0, 4) >> 8, 0x060000); /* class: host bridge */
	assert_int_equal(cfc_read(vm, 3, 1), 0x06);
	assert_int_equal(cfc_read(vm, 2, 1), 0x00);
	/* Header type 0, single function. */
	cf8_write(vm, CF8(0, 0x0c));
	assert_int_equal(cfc_read(vm, 2, 1), 0x00);
	/* Subsystem ids. */
	cf8_write(vm, CF8(0, 0x2c));
	assert_int_equal(cfc_read(vm, 0, 4), 0x00081b36);
	/* The CF8 latch reads back. */
	{
		uint32_t v = 0;

		assert_true(bus_access(&vm->pio, LAYOUT_PORT_PCI_CONFIG_ADDR, &v, 4, false));
		assert_int_equal(v, CF8(0, 0x2c));
	}
	assert_true(atomic_load(&vm->pci.cf8_counter.count) >= 10);
	assert_string_equal(vm->pci.cf8_counter.name, "pci-cf8");
}

static void test_cf8_path_absent_and_disabled(void **state)
{
	struct fixture *vm = *state;

	cf8_write(vm, CF8(PCI_DEVFN(1, 0), 0));
	assert_int_equal(cfc_read(vm, 0, 4), 0xffffffff);
	cf8_write(vm, CF8(PCI_DEVFN(0, 1), 0));
	assert_int_equal(cfc_read(vm, 0, 4), 0xffffffff);
	cf8_write(vm, CF8(0, 0) | 1u << 16); /* bus 1 */
	assert_int_equal(cfc_read(vm, 0, 4), 0xffffffff);
	cf8_write(vm, 0x00000000); /* enable bit clear */
	assert_int_equal(cfc_read(vm, 0, 4), 0xffffffff);
}

static void test_cf8_partial_writes_keep_latch(void **state)
{
	struct fixture *vm = *state;
	uint8_t b = 0;
	uint32_t v = 0;

	cf8_write(vm, CF8(0, 0));
	/* The legacy mechanism-2 probe writes a byte to 0xcfb. */
	assert_true(bus_access(&vm->pio, LAYOUT_PORT_PCI_CONFIG_ADDR + 3, &b, 1, true));
	assert_true(bus_access(&vm->pio, LAYOUT_PORT_PCI_CONFIG_ADDR, &b, 1, true));
	assert_true(bus_access(&vm->pio, LAYOUT_PORT_PCI_CONFIG_ADDR, &v, 4, false));
	assert_int_equal(v, CF8(0, 0));
	assert_int_equal(cfc_read(vm, 0, 2), 0x1b36);
}

static void test_host_bridge_writes_ignored(void **state)
{
	struct fixture *vm = *state;
	uint32_t v = 0xffffffff;

	cf8_write(vm, CF8(0, 0x04));
	assert_true(bus_access(&vm->pio, LAYOUT_PORT_PCI_CONFIG_DATA, &v, 4, true));
	assert_int_equal(cfc_read(vm, 0, 2), 0x0003); /* I/O + memory decode */
	cf8_write(vm, CF8(0, 0x00));
	assert_true(bus_access(&vm->pio, LAYOUT_PORT_PCI_CONFIG_DATA, &v, 4, true));
	assert_int_equal(cfc_read(vm, 0, 4), 0x00081b36);
}

static void test_host_bridge_through_ecam(void **state)
{
	struct fixture *vm = *state;

	assert_int_equal(ecam_read(vm, 0x0, 4), 0x00081b36);
	assert_int_equal(ecam_read(vm, 0xa, 2), 0x0600);
	/* Beyond the 64-byte header: zeros, header and device space alike. */
	assert_int_equal(ecam_read(vm, 0x40, 4), 0);
	assert_int_equal(ecam_read(vm, 0xfc, 4), 0);
	/* Extended space reads 0, not all-ones: Linux then sizes it 4 KiB. */
	assert_int_equal(ecam_read(vm, 0x100, 4), 0);
	assert_int_equal(ecam_read(vm, 0xffc, 4), 0);
	/* Absent functions through ECAM. */
	assert_int_equal(ecam_read(vm, (uint64_t)PCI_DEVFN(2, 0) << 12, 4), 0xffffffff);
	assert_int_equal(ecam_read(vm, (uint64_t)PCI_DEVFN(0, 3) << 12 | 0x100, 4), 0xffffffff);
	assert_true(atomic_load(&vm->pci.ecam_counter.count) >= 8);
	/* The ECAM window ends after bus 0. */
	{
		uint32_t v = 0;

		assert_false(bus_access(&vm->mmio, LAYOUT_PCI_ECAM_START + LAYOUT_PCI_ECAM_SIZE, &v, 4, false));
	}
}

static void test_cf8_top_of_standard_space_reads_zero(void **state)
{
	struct fixture *vm = *state;

	/* CF8 addresses 256 bytes only: register 0xfc is the top. */
	cf8_write(vm, CF8(0, 0xfc));
	assert_int_equal(cfc_read(vm, 0, 4), 0);
}

static void test_pci_bus_init_registers_counters(void **state)
{
	struct fixture *vm = *state;
	bool cf8 = false, ecam = false;

	for (struct stat_counter *c = vm->stats.head; c; c = c->next) {
		cf8 |= c == &vm->pci.cf8_counter;
		ecam |= c == &vm->pci.ecam_counter;
	}
	assert_true(cf8);
	assert_true(ecam);
	assert_ptr_equal(vm->pci.devs[0], &vm->pci.host_bridge.dev);
	assert_string_equal(vm->pci.host_bridge.dev.name, "0000:00:00.0");
	/* Adding the bridge twice fails: 00:00.0 is taken. */
	assert_int_equal(pci_host_bridge_init(&vm->pci), -EBUSY);
}

/* ---- pci_bdf_parse / pci_bdf_format ---- */

static void test_bdf_parse_valid(void **state)
{
	struct pci_bdf b;

	(void)state;
	assert_int_equal(pci_bdf_parse("0000:03:00.0", &b), 0);
	assert_int_equal(b.seg, 0);
	assert_int_equal(b.bus, 3);
	assert_int_equal(b.dev, 0);
	assert_int_equal(b.fn, 0);
	assert_int_equal(pci_bdf_parse("abcd:ef:1f.7", &b), 0);
	assert_int_equal(b.seg, 0xabcd);
	assert_int_equal(b.bus, 0xef);
	assert_int_equal(b.dev, 0x1f);
	assert_int_equal(b.fn, 7);
	memset(&b, 0xff, sizeof(b));
	assert_int_equal(pci_bdf_parse("0a:1b.3", &b), 0);
	assert_int_equal(b.seg, 0);
	assert_int_equal(b.bus, 0x0a);
	assert_int_equal(b.dev, 0x1b);
	assert_int_equal(b.fn, 3);
}

static void test_bdf_parse_case_insensitive(void **state)
{
	struct pci_bdf lo, up;

	(void)state;
	assert_int_equal(pci_bdf_parse("00fe:aB:1F.1", &up), 0);
	assert_int_equal(pci_bdf_parse("00FE:ab:1f.1", &lo), 0);
	assert_int_equal(up.seg, 0xfe);
	assert_int_equal(up.bus, 0xab);
	assert_int_equal(up.dev, 0x1f);
	assert_true(pci_bdf_equal(&up, &lo));
	assert_int_equal(pci_bdf_parse("FFFF:FF:1F.7", &up), 0);
	assert_int_equal(up.seg, 0xffff);
}

/* Equality looks at the fields only, whatever the padding holds. */
static void test_bdf_equal(void **state)
{
	struct pci_bdf a, b;

	(void)state;
	memset(&a, 0x00, sizeof(a));
	memset(&b, 0xff, sizeof(b));
	assert_int_equal(pci_bdf_parse("0000:03:00.1", &a), 0);
	assert_int_equal(pci_bdf_parse("03:00.1", &b), 0);
	assert_true(pci_bdf_equal(&a, &b));
	assert_int_equal(pci_bdf_parse("0000:03:00.0", &b), 0);
	assert_false(pci_bdf_equal(&a, &b));
	assert_int_equal(pci_bdf_parse("0000:03:01.1", &b), 0);
	assert_false(pci_bdf_equal(&a, &b));
	assert_int_equal(pci_bdf_parse("0000:04:00.1", &b), 0);
	assert_false(pci_bdf_equal(&a, &b));
	assert_int_equal(pci_bdf_parse("0001:03:00.1", &b), 0);
	assert_false(pci_bdf_equal(&a, &b));
}

static void test_bdf_parse_out_of_range(void **state)
{
	struct pci_bdf b = { .seg = 9, .bus = 9, .dev = 9, .fn = 9 };

	(void)state;
	assert_int_equal(pci_bdf_parse("00:20.0", &b), -EINVAL);
	assert_int_equal(pci_bdf_parse("0000:00:ff.0", &b), -EINVAL);
	assert_int_equal(pci_bdf_parse("00:00.8", &b), -EINVAL);
	assert_int_equal(pci_bdf_parse("0000:00:1f.f", &b), -EINVAL);
	assert_int_equal(b.seg, 9); /* untouched */
	assert_int_equal(b.bus, 9);
}

static void test_bdf_parse_malformed(void **state)
{
	static const char *const bad[] = {
		"",              "0",             "3:00.0",         "003:00.0",      "03:0.0",
		"03:000.0",      "03:00.00",      "03:00",          "0:03:00.0",     "00000:03:00.0",
		"0000:03:00.0 ", " 0000:03:00.0", "0000-03:00.0",   "0000:03-00.0",  "0000:03:00:0",
		"03.00.0",       "03:00-0",       "0000.03:00.0",   "g0:00.0",       "0000:0x:00.0",
		"+3:00.0",       "-3:00.0",       "0000:03:00.0\n", "0000:03:00.0.0", "03:00.0x",
	};
	struct pci_bdf b;

	(void)state;
	assert_int_equal(pci_bdf_parse(NULL, &b), -EINVAL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (pci_bdf_parse(bad[i], &b) != -EINVAL)
			fail_msg("'%s' parsed as %04x:%02x:%02x.%x", bad[i], b.seg, b.bus, b.dev, b.fn);
}

static void test_bdf_format(void **state)
{
	struct pci_bdf b = { .seg = 0, .bus = 3, .dev = 0, .fn = 0 };
	char buf[PCI_BDF_STRLEN];

	(void)state;
	pci_bdf_format(&b, buf);
	assert_string_equal(buf, "0000:03:00.0");
	b = (struct pci_bdf){ .seg = 0xabcd, .bus = 0xef, .dev = 0x1f, .fn = 7 };
	memset(buf, 'X', sizeof(buf));
	pci_bdf_format(&b, buf);
	assert_string_equal(buf, "abcd:ef:1f.7");
	assert_int_equal(strlen(buf), PCI_BDF_STRLEN - 1);
}

static void test_bdf_round_trip(void **state)
{
	static const char *const in[] = { "0000:00:00.0", "0001:ff:1f.7", "0000:0A:1B.3", "12:05.1" };
	static const char *const out[] = { "0000:00:00.0", "0001:ff:1f.7", "0000:0a:1b.3", "0000:12:05.1" };
	char buf[PCI_BDF_STRLEN];
	struct pci_bdf b, b2;

	(void)state;
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		assert_int_equal(pci_bdf_parse(in[i], &b), 0);
		pci_bdf_format(&b, buf);
		assert_string_equal(buf, out[i]);
		assert_int_equal(pci_bdf_parse(buf, &b2), 0);
		assert_int_equal(b2.seg, b.seg);
		assert_int_equal(b2.bus, b.bus);
		assert_int_equal(b2.dev, b.dev);
		assert_int_equal(b2.fn, b.fn);
	}
	/* Every dev/fn of a bus survives the trip. */
	for (unsigned int dev = 0; dev < 32; dev++)
		for (unsigned int fn = 0; fn < 8; fn++) {
			b = (struct pci_bdf){ .seg = 0x10, .bus = 0x80, .dev = dev, .fn = fn };
			pci_bdf_format(&b, buf);
			assert_int_equal(pci_bdf_parse(buf, &b2), 0);
			assert_int_equal(b2.dev, dev);
			assert_int_equal(b2.fn, fn);
			assert_int_equal(b2.seg, 0x10);
			assert_int_equal(b2.bus, 0x80);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cf8_decode_fields),
		cmocka_unit_test(test_cf8_decode_needs_enable_bit),
		cmocka_unit_test(test_cf8_decode_port_offset),
		cmocka_unit_test(test_cf8_decode_ignores_low_bits),
		cmocka_unit_test(test_ecam_decode),
		cmocka_unit_test_setup_teardown(test_cfg_absent_function_reads_ones, bus_setup, bus_teardown),
		cmocka_unit_test_setup_teardown(test_cfg_present_function_gets_calls, bus_setup, bus_teardown),
		cmocka_unit_test_setup_teardown(test_cfg_bad_shapes_read_ones, bus_setup, bus_teardown),
		cmocka_unit_test_setup_teardown(test_bus_add_and_free_slot, bus_setup, bus_teardown),
		cmocka_unit_test(test_intx_gsi_range_and_swizzle),
		cmocka_unit_test_setup_teardown(test_host_bridge_ids_through_cf8, vm_setup, vm_teardown),
		cmocka_unit_test_setup_teardown(test_cf8_path_absent_and_disabled, vm_setup, vm_teardown),
		cmocka_unit_test_setup_teardown(test_cf8_partial_writes_keep_latch, vm_setup, vm_teardown),
		cmocka_unit_test_setup_teardown(test_host_bridge_writes_ignored, vm_setup, vm_teardown),
		cmocka_unit_test_setup_teardown(test_host_bridge_through_ecam, vm_setup, vm_teardown),
		cmocka_unit_test_setup_teardown(test_cf8_top_of_standard_space_reads_zero, vm_setup, vm_teardown),
		cmocka_unit_test_setup_teardown(test_pci_bus_init_registers_counters, vm_setup, vm_teardown),
		cmocka_unit_test(test_bdf_parse_valid),
		cmocka_unit_test(test_bdf_parse_case_insensitive),
		cmocka_unit_test(test_bdf_equal),
		cmocka_unit_test(test_bdf_parse_out_of_range),
		cmocka_unit_test(test_bdf_parse_malformed),
		cmocka_unit_test(test_bdf_format),
		cmocka_unit_test(test_bdf_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
