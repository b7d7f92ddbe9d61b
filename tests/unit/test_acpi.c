// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the x86 ACPI table builder (src/arch/x86/acpi.c). Tables
 * are parsed here with offsets taken from the ACPI specification, not
 * with the builder's own structs.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "minivmm/x86/layout.h"
#include "minivmm/x86/acpi.h"

#define HDR_LEN 36 /* common table header */
#define GPA LAYOUT_ACPI_START
#define NSLOTS 32
#define NPINS 4

struct fixture {
	struct acpi_prt_entry prt[NSLOTS * NPINS];
	struct acpi_config cfg;
	uint8_t buf[LAYOUT_ACPI_SIZE];
	uint64_t gpa;
	long len;
};

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)rd16(p) | (uint32_t)rd16(p + 2) << 16;
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static void default_config(struct fixture *f, unsigned int ncpus)
{
	size_t n = 0;
	int s, p;

	/* The usual swizzle over the 8 PCI INTx GSIs. */
	for (s = 0; s < NSLOTS; s++) {
		for (p = 0; p < NPINS; p++) {
			f->prt[n].slot = (uint8_t)s;
			f->prt[n].pin = (uint8_t)p;
			f->prt[n].gsi = LAYOUT_GSI_PCI_INTX_FIRST +
					(s + p) % LAYOUT_GSI_PCI_INTX_COUNT;
			n++;
		}
	}
	f->cfg = (struct acpi_config){
		.ncpus = ncpus,
		.lapic_addr = LAYOUT_LAPIC_START,
		.ioapic_addr = LAYOUT_IOAPIC_START,
		.ioapic_id = 0,
		.ecam_base = LAYOUT_PCI_ECAM_START,
		.ecam_bus_end = LAYOUT_PCI_ECAM_BUSES - 1,
		.pci_io_base = LAYOUT_PCI_IO_START,
		.pci_io_size = LAYOUT_PCI_IO_SIZE,
		.pci_mmio32_base = LAYOUT_PCI_MMIO32_START,
		.pci_mmio32_size = LAYOUT_PCI_MMIO32_SIZE,
		.pci_mmio64_base = LAYOUT_PCI_MMIO64_START,
		.pci_mmio64_size = LAYOUT_PCI_MMIO64_SIZE,
		.sleep_ctl_port = LAYOUT_PORT_ACPI_SLEEP_CTL,
		.sleep_sts_port = LAYOUT_PORT_ACPI_SLEEP_STS,
		.reset_port = LAYOUT_PORT_ACPI_RESET,
		.reset_value = LAYOUT_ACPI_RESET_VALUE,
		.prt = f->prt,
		.nprt = n,
	};
	f->gpa = GPA;
}

static void build(struct fixture *f)
{
	memset(f->buf, 0xa5, sizeof(f->buf));
	f->len = acpi_build(&f->cfg, f->buf, sizeof(f->buf), f->gpa);
	assert_true(f->len > 0);
	assert_true((size_t)f->len <= sizeof(f->buf));
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	default_config(f, 4);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

/* Guest-physical address -> pointer into the buffer, checking @len fits. */
static const uint8_t *at(const struct fixture *f, uint64_t addr, size_t len)
{
	assert_true(addr >= f->gpa);
	assert_true(addr - f->gpa + len <= (uint64_t)f->len);
	return f->buf + (addr - f->gpa);
}

/* A table: in bounds, 8-byte aligned, checksum zero. */
static const uint8_t *table_at(const struct fixture *f, uint64_t addr, const char *sig)
{
	const uint8_t *t = at(f, addr, HDR_LEN);
	uint32_t len = rd32(t + 4);

	assert_memory_equal(t, sig, 4);
	assert_int_equal((addr - f->gpa) % 8, 0);
	assert_true(len >= HDR_LEN);
	at(f, addr, len);
	assert_int_equal(acpi_checksum(t, len), 0);
	assert_memory_equal(t + 10, "MINVMM", 6);
	assert_memory_equal(t + 16, "MINIVMM ", 8);
	assert_memory_equal(t + 28, "MVMM", 4);
	return t;
}

static const uint8_t *find_table(const struct fixture *f, const char *sig)
{
	const uint8_t *xsdt = table_at(f, rd64(f->buf + 24), "XSDT");
	uint32_t i, n = (rd32(xsdt + 4) - HDR_LEN) / 8;
	const uint8_t *found = NULL;

	for (i = 0; i < n; i++) {
		const uint8_t *t = at(f, rd64(xsdt + HDR_LEN + 8 * i), HDR_LEN);

		if (!memcmp(t, sig, 4)) {
			assert_null(found);
			found = table_at(f, rd64(xsdt + HDR_LEN + 8 * i), sig);
		}
	}
	assert_non_null(found);
	return found;
}

static const uint8_t *find_dsdt(const struct fixture *f)
{
	const uint8_t *fadt = find_table(f, "FACP");

	return table_at(f, rd64(fadt + 140), "DSDT");
}

/* First occurrence of @n in @h, or NULL. */
static const uint8_t *find_bytes(const uint8_t *h, size_t hlen, const void *n, size_t nlen)
{
	size_t i;

	for (i = 0; i + nlen <= hlen; i++)
		if (!memcmp(h + i, n, nlen))
			return h + i;
	return NULL;
}

static void test_checksum_fn(void **state)
{
	uint8_t b[5] = { 1, 2, 3, 4, 0 };

	(void)state;
	b[4] = acpi_checksum(b, 4);
	assert_int_equal(b[4], (uint8_t)-10);
	assert_int_equal(acpi_checksum(b, 5), 0);
	b[0]++;
	assert_int_not_equal(acpi_checksum(b, 5), 0);
	assert_int_equal(acpi_checksum(b, 0), 0);
}

static void test_rsdp(void **state)
{
	struct fixture *f = *state;
	uint64_t xsdt;

	build(f);
	assert_memory_equal(f->buf, "RSD PTR ", 8);
	assert_int_equal(acpi_checksum(f->buf, 20), 0);
	assert_int_equal(acpi_checksum(f->buf, 36), 0);
	assert_memory_equal(f->buf + 9, "MINVMM", 6);
	assert_int_equal(f->buf[15], 2); /* revision */
	assert_int_equal(rd32(f->buf + 16), 0); /* no RSDT */
	assert_int_equal(rd32(f->buf + 20), 36); /* length */
	xsdt = rd64(f->buf + 24);
	assert_true(xsdt > f->gpa);
	table_at(f, xsdt, "XSDT");
}

static void test_checksums_all(void **state)
{
	struct fixture *f = *state;
	const char *sigs[] = { "FACP", "APIC", "MCFG" };
	const uint8_t *t;
	uint8_t *m;
	size_t i;

	build(f);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		t = find_table(f, sigs[i]);
		assert_int_equal(acpi_checksum(t, rd32(t + 4)), 0);
	}
	t = find_dsdt(f);
	assert_int_equal(acpi_checksum(t, rd32(t + 4)), 0);

	/* The check bites: corrupt the last DSDT byte. */
	m = f->buf + (t - f->buf);
	m[rd32(t + 4) - 1] ^= 1;
	assert_int_not_equal(acpi_checksum(t, rd32(t + 4)), 0);
}

static void test_xsdt(void **state)
{
	struct fixture *f = *state;
	const uint8_t *xsdt;

	build(f);
	xsdt = table_at(f, rd64(f->buf + 24), "XSDT");
	assert_int_equal(xsdt[8], 1);
	assert_int_equal(rd32(xsdt + 4), HDR_LEN + 3 * 8);
	/* Each exactly once (find_table asserts uniqueness and checksum). */
	find_table(f, "FACP");
	find_table(f, "APIC");
	find_table(f, "MCFG");
}

static void test_fadt(void **state)
{
	struct fixture *f = *state;
	const uint32_t want_flags = (1u << 20) | (1u << 10) | (1u << 4) | (1u << 5);
	const uint8_t *fadt;
	uint64_t x_dsdt;
	uint16_t boot;

	build(f);
	fadt = find_table(f, "FACP");
	assert_int_equal(rd32(fadt + 4), 276);
	assert_int_equal(fadt[8], 6);
	assert_int_equal(rd32(fadt + 112), want_flags);

	boot = rd16(fadt + 109);
	assert_true(boot & (1u << 2)); /* VGA not present */
	assert_true(boot & (1u << 5)); /* CMOS RTC not present */
	assert_false(boot & (1u << 1)); /* no 8042 */
	assert_false(boot & (1u << 3)); /* MSI supported */

	/* RESET_REG: system I/O, 8 bits at the reset port. */
	assert_int_equal(fadt[116], 1);
	assert_int_equal(fadt[117], 8);
	assert_int_equal(fadt[118], 0);
	assert_int_equal(rd64(fadt + 120), LAYOUT_PORT_ACPI_RESET);
	assert_int_equal(fadt[128], LAYOUT_ACPI_RESET_VALUE);

	/* SLEEP_CONTROL_REG / SLEEP_STATUS_REG. */
	assert_int_equal(fadt[244], 1);
	assert_int_equal(fadt[245], 8);
	assert_int_equal(rd64(fadt + 248), LAYOUT_PORT_ACPI_SLEEP_CTL);
	assert_int_equal(fadt[256], 1);
	assert_int_equal(fadt[257], 8);
	assert_int_equal(rd64(fadt + 260), LAYOUT_PORT_ACPI_SLEEP_STS);

	/* No SCI, no FACS, no PM1 blocks. */
	assert_int_equal(rd16(fadt + 46), 0);
	assert_int_equal(rd32(fadt + 36), 0);
	assert_int_equal(rd64(fadt + 132), 0);
	assert_int_equal(rd32(fadt + 56), 0);

	x_dsdt = rd64(fadt + 140);
	assert_int_equal(rd32(fadt + 40), x_dsdt);
	table_at(f, x_dsdt, "DSDT");
	assert_memory_equal(fadt + 268, "MINIVMM\0", 8);
}

static void check_madt(struct fixture *f, unsigned int ncpus)
{
	const uint8_t *madt, *p, *end;
	unsigned int nlapic = 0, nioapic = 0, nx2 = 0, nx2nmi = 0;
	static uint8_t seen[4096];

	memset(seen, 0, sizeof(seen));
	default_config(f, ncpus);
	build(f);
	madt = find_table(f, "APIC");
	assert_int_equal(rd32(madt + 36), LAYOUT_LAPIC_START);
	end = madt + rd32(madt + 4);
	for (p = madt + 44; p < end; p += p[1]) {
		assert_true(p[1] >= 2);
		assert_true(p + p[1] <= end);
		switch (p[0]) {
		case 0: /* Processor Local APIC */
			assert_int_equal(p[1], 8);
			assert_int_equal(p[2], p[3]); /* uid == apic id */
			assert_true(p[3] < ncpus);
			assert_int_equal(seen[p[3]]++, 0);
			assert_int_equal(rd32(p + 4) & 1, 1); /* enabled */
			nlapic++;
			break;
		case 1: /* I/O APIC */
			assert_int_equal(p[1], 12);
			assert_int_equal(p[2], f->cfg.ioapic_id);
			assert_int_equal(rd32(p + 4), LAYOUT_IOAPIC_START);
			assert_int_equal(rd32(p + 8), 0);
			nioapic++;
			break;
		case 4: /* Local APIC NMI */
			assert_int_equal(p[1], 6);
			break;
		case 9: /* Processor Local x2APIC: only for ids xAPIC cannot name */
			assert_int_equal(p[1], 16);
			assert_true(rd32(p + 4) >= 255 && rd32(p + 4) < ncpus);
			assert_int_equal(rd32(p + 12), rd32(p + 4)); /* uid == id */
			assert_int_equal(rd32(p + 8) & 1, 1);
			assert_int_equal(seen[rd32(p + 4)]++, 0);
			nx2++;
			break;
		case 10: /* Local x2APIC NMI, all processors, LINT1 */
			assert_int_equal(p[1], 12);
			assert_int_equal(rd32(p + 4), 0xffffffffu);
			assert_int_equal(p[8], 1);
			nx2nmi++;
			break;
		default:
			fail_msg("unexpected MADT entry type %u", p[0]);
		}
	}
	assert_ptr_equal(p, end);
	assert_int_equal(nlapic, ncpus < 255 ? ncpus : 255);
	assert_int_equal(nx2, ncpus > 255 ? ncpus - 255 : 0);
	assert_int_equal(nx2nmi, ncpus > 255);
	assert_int_equal(nioapic, 1);
}

static void test_madt(void **state)
{
	check_madt(*state, 1);
	check_madt(*state, 4);
	check_madt(*state, 255);
	check_madt(*state, 256);
	check_madt(*state, 1024);
}

static void test_mcfg(void **state)
{
	struct fixture *f = *state;
	const uint8_t *mcfg;

	f->cfg.ecam_bus_end = 7;
	build(f);
	mcfg = find_table(f, "MCFG");
	assert_int_equal(rd32(mcfg + 4), 44 + 16);
	assert_int_equal(rd64(mcfg + 44), LAYOUT_PCI_ECAM_START);
	assert_int_equal(rd16(mcfg + 52), 0); /* segment */
	assert_int_equal(mcfg[54], 0);
	assert_int_equal(mcfg[55], 7);
}

static void test_dsdt_s5(void **state)
{
	struct fixture *f = *state;
	const uint8_t s5[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x07, 0x04,
			       0x0a, ACPI_S5_SLP_TYP, 0x00, 0x00, 0x00 };
	const uint8_t *dsdt;

	build(f);
	dsdt = find_dsdt(f);
	assert_int_equal(dsdt[8], 2); /* 64-bit integers */
	assert_non_null(find_bytes(dsdt, rd32(dsdt + 4), s5, sizeof(s5)));
}

static void test_dsdt_ids(void **state)
{
	struct fixture *f = *state;
	const uint8_t hid[] = { 0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0a, 0x08 };
	const uint8_t cid[] = { 0x08, '_', 'C', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0a, 0x03 };
	const uint8_t mres[] = { 0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0c, 0x02 };
	const uint8_t sb[] = { 0x5c, '_', 'S', 'B', '_' };
	const uint8_t *dsdt;
	size_t len;

	build(f);
	dsdt = find_dsdt(f);
	len = rd32(dsdt + 4);
	assert_non_null(find_bytes(dsdt, len, hid, sizeof(hid)));
	assert_non_null(find_bytes(dsdt, len, cid, sizeof(cid)));
	assert_non_null(find_bytes(dsdt, len, mres, sizeof(mres)));
	assert_non_null(find_bytes(dsdt, len, sb, sizeof(sb)));
	assert_non_null(find_bytes(dsdt, len, "PCI0", 4));
	assert_non_null(find_bytes(dsdt, len, "MRES", 4));
}

/* pvpanic: Device (PEVT) with _HID "QEMU0001" and one I/O port in _CRS. */
static void test_dsdt_pvpanic(void **state)
{
	struct fixture *f = *state;
	const uint8_t hid[] = { 0x08, '_', 'H', 'I', 'D', 0x0d, 'Q', 'E', 'M', 'U', '0', '0', '0', '1', 0x00 };
	/* I/O port descriptor: 16-bit decode, min = max = 0x505, align 1, length 1. */
	const uint8_t io[] = { 0x47, 0x01, 0x05, 0x05, 0x05, 0x05, 0x01, 0x01 };
	const uint8_t *dsdt, *dev, *h;
	size_t len;

	build(f);
	dsdt = find_dsdt(f);
	assert_null(find_bytes(dsdt, rd32(dsdt + 4), "QEMU0001", 8)); /* off by default */

	f->cfg.pvpanic_port = 0x505;
	build(f);
	dsdt = find_dsdt(f);
	len = rd32(dsdt + 4);
	dev = find_bytes(dsdt, len, "PEVT", 4);
	assert_non_null(dev);
	assert_int_equal(dev[-3], 0x5b); /* ExtOpPrefix DeviceOp PkgLength(1 byte) "PEVT" */
	assert_int_equal(dev[-2], 0x82);
	h = find_bytes(dev, len - (size_t)(dev - dsdt), hid, sizeof(hid));
	assert_non_null(h);
	assert_true(h < dev + dev[-1]); /* inside the device's package */
	assert_non_null(find_bytes(h, len - (size_t)(h - dsdt), io, sizeof(io)));
	assert_true(find_bytes(h, len - (size_t)(h - dsdt), io, sizeof(io)) < dev + dev[-1]);
	f->cfg.pvpanic_port = 0;
}

/* ---- a little AML reader ---- */

static size_t pkglen(const uint8_t *p, uint32_t *len)
{
	unsigned int n = (p[0] >> 6) + 1, i;

	if (n == 1) {
		*len = p[0] & 0x3f;
		return 1;
	}
	*len = p[0] & 0x0f;
	for (i = 1; i < n; i++)
		*len |= (uint32_t)p[i] << (4 + 8 * (i - 1));
	return n;
}

static size_t integer(const uint8_t *p, uint64_t *v)
{
	unsigned int n, i;

	*v = 0; /* set on every path: gcc cannot see that fail_msg does not return */
	switch (p[0]) {
	case 0x00: return 1;
	case 0x01: *v = 1; return 1;
	case 0x0a: n = 1; break;
	case 0x0b: n = 2; break;
	case 0x0c: n = 4; break;
	case 0x0e: n = 8; break;
	default: fail_msg("not an integer: 0x%02x", p[0]); return 0;
	}
	for (i = 0; i < n; i++)
		*v |= (uint64_t)p[1 + i] << (8 * i);
	return 1 + n;
}

/* Find Name(@seg, <object>) and return the object. */
static const uint8_t *named(const uint8_t *dsdt, const char *seg)
{
	uint8_t pat[5] = { 0x08 };
	const uint8_t *p;

	memcpy(pat + 1, seg, 4);
	p = find_bytes(dsdt, rd32(dsdt + 4), pat, sizeof(pat));
	assert_non_null(p);
	/* Exactly once. */
	assert_null(find_bytes(p + 1, rd32(dsdt + 4) - (size_t)(p + 1 - dsdt), pat, 5));
	return p + 5;
}

static void check_prt(struct fixture *f)
{
	const uint8_t *dsdt, *p, *end, *e, *eend;
	uint64_t addr, pin, src, gsi;
	uint32_t len;
	size_t i;

	build(f);
	dsdt = find_dsdt(f);
	p = named(dsdt, "_PRT");
	assert_int_equal(*p++, 0x12); /* PackageOp */
	end = p; /* PkgLength counts from its own first byte */
	p += pkglen(p, &len);
	end += len;
	assert_true(end <= dsdt + rd32(dsdt + 4));
	assert_int_equal(*p++, f->cfg.nprt); /* NumElements */
	for (i = 0; i < f->cfg.nprt; i++) {
		assert_int_equal(*p++, 0x12);
		e = p;
		p += pkglen(p, &len);
		eend = e + len;
		assert_int_equal(*p++, 4);
		p += integer(p, &addr);
		p += integer(p, &pin);
		p += integer(p, &src);
		p += integer(p, &gsi);
		assert_ptr_equal(p, eend);
		assert_int_equal(addr, ((uint64_t)f->cfg.prt[i].slot << 16) | 0xffff);
		assert_int_equal(pin, f->cfg.prt[i].pin);
		assert_int_equal(src, 0);
		assert_int_equal(gsi, f->cfg.prt[i].gsi);
	}
	assert_ptr_equal(p, end);
}

static void test_dsdt_prt(void **state)
{
	struct fixture *f = *state;

	check_prt(f);
	f->cfg.nprt = 1;
	check_prt(f);
	f->cfg.nprt = 0;
	check_prt(f);
	/* A large GSI needs a DWord. */
	f->prt[0].gsi = 0x12345;
	f->cfg.nprt = 3;
	check_prt(f);
}

/* Resource template of Name(@seg, ResourceTemplate(){...}). */
struct crs {
	unsigned int nbus, nio, nwordio, ndword, nqword;
	uint64_t bus_max, io_min, io_len;
	uint64_t wordio_min[4], wordio_max[4];
	uint64_t dword_min, dword_max, qword_min, qword_max, qword_gflags;
};

static void parse_crs(const uint8_t *dsdt, const uint8_t *obj, struct crs *c)
{
	const uint8_t *p = obj, *end, *bend;
	uint64_t bsize;
	uint32_t len;

	memset(c, 0, sizeof(*c));
	assert_int_equal(*p++, 0x11); /* BufferOp */
	end = p;
	p += pkglen(p, &len);
	end += len;
	assert_true(end <= dsdt + rd32(dsdt + 4));
	p += integer(p, &bsize);
	assert_int_equal(p + bsize, end);
	bend = end;
	while (p < bend) {
		uint8_t tag = p[0];

		if (tag == 0x79) { /* EndTag */
			assert_ptr_equal(p + 2, bend);
			return;
		}
		if (tag == 0x47) {
			c->nio++;
			c->io_min = rd16(p + 2);
			c->io_len = p[7];
			p += 8;
			continue;
		}
		assert_true(tag & 0x80); /* large item */
		switch (tag) {
		case 0x88:
			assert_int_equal(rd16(p + 1), 13);
			assert_int_equal(rd16(p + 14), rd16(p + 10) - rd16(p + 8) + 1);
			if (p[3] == 2) {
				c->nbus++;
				c->bus_max = rd16(p + 10);
			} else {
				assert_int_equal(p[3], 1);
				assert_true(c->nwordio < 4);
				c->wordio_min[c->nwordio] = rd16(p + 8);
				c->wordio_max[c->nwordio++] = rd16(p + 10);
			}
			break;
		case 0x87:
			assert_int_equal(rd16(p + 1), 23);
			assert_int_equal(p[3], 0);
			c->ndword++;
			c->dword_min = rd32(p + 10);
			c->dword_max = rd32(p + 14);
			assert_int_equal(rd32(p + 22), c->dword_max - c->dword_min + 1);
			break;
		case 0x8a:
			assert_int_equal(rd16(p + 1), 43);
			assert_int_equal(p[3], 0);
			c->nqword++;
			c->qword_gflags = p[4];
			c->qword_min = rd64(p + 14);
			c->qword_max = rd64(p + 22);
			assert_int_equal(rd64(p + 38), c->qword_max - c->qword_min + 1);
			break;
		default:
			fail_msg("unexpected resource 0x%02x", tag);
		}
		p += 3 + rd16(p + 1);
	}
	fail_msg("no EndTag");
}

static void test_dsdt_crs(void **state)
{
	struct fixture *f = *state;
	const uint8_t *dsdt, *pci_crs, *mres_crs;
	const uint8_t pat[] = { 0x08, '_', 'C', 'R', 'S' };
	struct crs c;

	build(f);
	dsdt = find_dsdt(f);
	/* PCI0's _CRS comes first, MRES's second. */
	pci_crs = find_bytes(dsdt, rd32(dsdt + 4), pat, sizeof(pat));
	assert_non_null(pci_crs);
	mres_crs = find_bytes(pci_crs + 1, rd32(dsdt + 4) - (size_t)(pci_crs + 1 - dsdt), pat,
				  sizeof(pat));
	assert_non_null(mres_crs);

	parse_crs(dsdt, pci_crs + 5, &c);
	assert_int_equal(c.nbus, 1);
	assert_int_equal(c.bus_max, f->cfg.ecam_bus_end);
	assert_int_equal(c.nio, 1);
	assert_int_equal(c.io_min, 0xcf8);
	assert_int_equal(c.io_len, 8);
	assert_int_equal(c.nwordio, 2);
	assert_int_equal(c.wordio_min[0], 0);
	assert_int_equal(c.wordio_max[0], 0xcf7);
	assert_int_equal(c.wordio_min[1], LAYOUT_PCI_IO_START);
	assert_int_equal(c.wordio_max[1], LAYOUT_PCI_IO_START + LAYOUT_PCI_IO_SIZE - 1);
	assert_int_equal(c.ndword, 1);
	assert_int_equal(c.dword_min, LAYOUT_PCI_MMIO32_START);
	assert_int_equal(c.dword_max, LAYOUT_PCI_MMIO32_START + LAYOUT_PCI_MMIO32_SIZE - 1);
	assert_int_equal(c.nqword, 1);
	assert_int_equal(c.qword_min, LAYOUT_PCI_MMIO64_START);
	assert_int_equal(c.qword_max, LAYOUT_PCI_MMIO64_START + LAYOUT_PCI_MMIO64_SIZE - 1);

	/* MRES reserves exactly the ECAM range, as a consumer. */
	parse_crs(dsdt, mres_crs + 5, &c);
	assert_int_equal(c.nqword, 1);
	assert_int_equal(c.nbus + c.nio + c.nwordio + c.ndword, 0);
	assert_int_equal(c.qword_min, LAYOUT_PCI_ECAM_START);
	assert_int_equal(c.qword_max, LAYOUT_PCI_ECAM_START + LAYOUT_PCI_ECAM_SIZE - 1);
	assert_int_equal(c.qword_gflags & 1, 1);

	/* Empty windows are left out. */
	f->cfg.pci_io_size = 0;
	f->cfg.pci_mmio32_size = 0;
	f->cfg.pci_mmio64_size = 0;
	build(f);
	dsdt = find_dsdt(f);
	pci_crs = find_bytes(dsdt, rd32(dsdt + 4), pat, sizeof(pat));
	assert_non_null(pci_crs);
	parse_crs(dsdt, pci_crs + 5, &c);
	assert_int_equal(c.nbus, 1);
	assert_int_equal(c.nio, 1);
	assert_int_equal(c.nwordio, 1);
	assert_int_equal(c.ndword + c.nqword, 0);
}

static void test_gpa_above_4g(void **state)
{
	struct fixture *f = *state;
	const uint8_t *fadt;

	f->gpa = 0x100000000ULL + 0x40;
	build(f);
	assert_true(rd64(f->buf + 24) > 0x100000000ULL);
	fadt = find_table(f, "FACP");
	assert_int_equal(rd32(fadt + 40), 0); /* 32-bit DSDT unusable */
	table_at(f, rd64(fadt + 140), "DSDT");
	find_table(f, "APIC");
	find_table(f, "MCFG");
}

/* Every buffer size short of the full one fails cleanly (ASan watches). */
static void sweep_enospc(struct fixture *f)
{
	long full, ret;
	uint8_t *buf;
	size_t size;

	build(f);
	full = f->len;
	for (size = 0; size <= (size_t)full; size++) {
		buf = malloc(size ? size : 1);
		assert_non_null(buf);
		ret = acpi_build(&f->cfg, buf, size, f->gpa);
		if (size < (size_t)full) {
			assert_int_equal(ret, -ENOSPC);
		} else {
			assert_int_equal(ret, full);
			assert_memory_equal(buf, f->buf, (size_t)full);
		}
		free(buf);
	}
	assert_int_equal(acpi_build(&f->cfg, NULL, 0, f->gpa), -ENOSPC);
}

static void test_enospc(void **state)
{
	struct fixture *f = *state;

	sweep_enospc(f);
	f->cfg.nprt = 4;
	f->cfg.ncpus = 1;
	sweep_enospc(f);
}

/* A macro, so that a failure points at the offending case. */
#define expect_einval(f)                                                             \
	do {                                                                         \
		assert_int_equal(acpi_build(&(f)->cfg, (f)->buf, sizeof((f)->buf), (f)->gpa), \
				 -EINVAL);                                           \
		default_config(f, 4);                                                \
	} while (0)

static void test_einval(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(acpi_build(NULL, f->buf, sizeof(f->buf), GPA), -EINVAL);
	f->cfg.ncpus = 0;
	expect_einval(f);
	f->cfg.ncpus = 4097;
	expect_einval(f);
	f->gpa = GPA + 8;
	expect_einval(f);
	f->cfg.prt = NULL;
	expect_einval(f);
	f->prt[5].pin = 4;
	expect_einval(f);
	f->prt[5].slot = 32;
	expect_einval(f);
	f->cfg.nprt = 256;
	expect_einval(f);
	f->cfg.sleep_ctl_port = 0;
	expect_einval(f);
	f->cfg.sleep_sts_port = 0;
	expect_einval(f);
	f->cfg.reset_port = 0;
	expect_einval(f);
	f->cfg.ecam_base += 0x1000;
	expect_einval(f);
	f->cfg.pci_io_base = 0xd000;
	f->cfg.pci_io_size = 0x4000;
	expect_einval(f);
	f->cfg.pci_io_base = 0x800;
	expect_einval(f);
	f->cfg.pci_mmio32_base = 0xf0000000;
	f->cfg.pci_mmio32_size = 0x20000000;
	expect_einval(f);
	f->cfg.pci_mmio64_base = UINT64_MAX - 0xfff;
	f->cfg.pci_mmio64_size = 0x2000;
	expect_einval(f);
	f->gpa = UINT64_MAX - 0xff; /* tables would wrap past 2^64 */
	expect_einval(f);
	assert_int_equal(acpi_build(&f->cfg, NULL, 100, f->gpa), -EINVAL);
	/* And the defaults are fine again. */
	build(f);
}

/*
 * The DSDT with hotplug slots, checked by ACPICA's own disassembler when
 * it is installed (acpica-tools): it must parse without errors and show
 * the methods and objects minivmm meant.
 */
static void test_hotplug_dsdt_disassembles(void **state)
{
	struct fixture *f = *state;
	char dir[] = "/tmp/minivmm-acpi.XXXXXX", path[256], cmd[600], line[512];
	const uint8_t *dsdt;
	unsigned int found = 0;
	FILE *fp;

	if (system("command -v iasl >/dev/null 2>&1"))
		skip();
	f->cfg.hotplug_slots = 0xfffffffe;
	f->cfg.hotplug_port = 0x610;
	f->cfg.hotplug_gsi = 10;
	build(f);
	dsdt = find_dsdt(f);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/dsdt.dat", dir);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(dsdt, 1, rd32(dsdt + 4), fp), rd32(dsdt + 4));
	fclose(fp);
	snprintf(cmd, sizeof(cmd), "cd %s && iasl -d dsdt.dat >iasl.log 2>&1", dir);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/dsdt.dsl", dir);
	fp = fopen(path, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp)) {
		found |= strstr(line, "Method (PCNT, 0, NotSerialized)") ? 1 : 0;
		found |= strstr(line, "Notify (S05, 0x03)") ? 2 : 0;
		found |= strstr(line, "Notify (S1F, One)") ? 4 : 0;
		found |= strstr(line, "Device (GED0)") ? 8 : 0;
		found |= strstr(line, "\\_SB.PCI0.PCNT ()") ? 16 : 0;
		found |= strstr(line, "B0EJ = 0x02") ? 32 : 0;
		found |= strstr(line, "Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive") ? 64 : 0;
		found |= strstr(line, "OperationRegion (PCHP, SystemIO, 0x0610, 0x10)") ? 128 : 0;
	}
	fclose(fp);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	if (found != 255)
		fail_msg("the disassembled DSDT lacks parts: found mask %#x of 0xff", found);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hotplug_dsdt_disassembles, setup, teardown),
		cmocka_unit_test(test_checksum_fn),
		cmocka_unit_test_setup_teardown(test_rsdp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checksums_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xsdt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fadt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_madt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mcfg, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dsdt_s5, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dsdt_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dsdt_pvpanic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dsdt_prt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dsdt_crs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gpa_above_4g, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enospc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_einval, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
