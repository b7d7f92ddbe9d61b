// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the arm64 guest's device tree (src/arch/arm64/fdt.c):
 * the tree is built, parsed back with libfdt and checked node by node
 * against layout.h and board.c: memory, cpus, PSCI, GICv3 + ITS, timer,
 * UART, pvpanic, status register, the PCIe host bridge's windows, its
 * INTx map for every slot and pin, its MSI map; then /chosen rewritten.
 */
#include <errno.h>
#include <libfdt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "minivmm/arm64/board.h"
#include "minivmm/arm64/fdt.h"
#include "minivmm/arm64/layout.h"

#define BUF_SIZE (64 * 1024)

static uint8_t buf[BUF_SIZE];
static const uint64_t mpidr4[] = { 0x0, 0x1, 0x2, 0x3 };

static void build(const struct arm64_fdt_config *c)
{
	long n = arm64_fdt_build(c, buf, sizeof(buf));

	assert_true(n > 0);
	assert_int_equal(fdt_check_header(buf), 0);
	assert_int_equal(fdt_totalsize(buf), (uint32_t)n);
}

static struct arm64_fdt_config config4(void)
{
	return (struct arm64_fdt_config){
		.ram_base = LAYOUT_RAM_START, .ram_size = 512ULL << 20, .ncpus = 4, .mpidr = mpidr4,
		.bootargs = "console=ttyS0 quiet", .initrd_start = 0x50000000, .initrd_end = 0x50400000,
	};
}

static int node(const char *path)
{
	int off = fdt_path_offset(buf, path);

	if (off < 0)
		fail_msg("no node %s", path);
	return off;
}

/* Property @name of @off as @n 32-bit cells (exactly). */
static const fdt32_t *cells(int off, const char *name, int n)
{
	int len;
	const fdt32_t *p = fdt_getprop(buf, off, name, &len);

	if (!p)
		fail_msg("no property %s", name);
	assert_int_equal(len, n * 4);
	return p;
}

static uint32_t cell(const fdt32_t *p, int i)
{
	return fdt32_to_cpu(p[i]);
}

static uint64_t cell64(const fdt32_t *p, int i)
{
	return (uint64_t)fdt32_to_cpu(p[i]) << 32 | fdt32_to_cpu(p[i + 1]);
}

static void assert_prop_str(int off, const char *name, const char *want)
{
	const char *s = fdt_getprop(buf, off, name, NULL);

	if (!s)
		fail_msg("no property %s", name);
	assert_string_equal(s, want);
}

static void assert_reg(int off, uint64_t base, uint64_t size)
{
	const fdt32_t *r = cells(off, "reg", 4);

	assert_int_equal(cell64(r, 0), base);
	assert_int_equal(cell64(r, 2), size);
}

static void test_root_chosen_memory(void **state)
{
	struct arm64_fdt_config c = config4();
	const fdt32_t *p;
	int off;

	(void)state;
	build(&c);
	off = node("/");
	assert_int_equal(cell(cells(off, "#address-cells", 1), 0), 2);
	assert_int_equal(cell(cells(off, "#size-cells", 1), 0), 2);
	assert_int_equal(cell(cells(off, "interrupt-parent", 1), 0), FDT_PHANDLE_GIC);

	off = node("/chosen");
	assert_prop_str(off, "bootargs", "console=ttyS0 quiet");
	assert_prop_str(off, "stdout-path", FDT_PATH_UART);
	p = cells(off, "linux,initrd-start", 2);
	assert_int_equal(cell64(p, 0), 0x50000000);
	p = cells(off, "linux,initrd-end", 2);
	assert_int_equal(cell64(p, 0), 0x50400000);
	assert_int_equal(cell(cells(off, "linux,pci-probe-only", 1), 0), 1);
	assert_null(fdt_getprop(buf, off, "kaslr-seed", NULL));
	assert_prop_str(node("/aliases"), "serial0", FDT_PATH_UART);

	off = node("/memory@40000000");
	assert_prop_str(off, "device_type", "memory");
	assert_reg(off, LAYOUT_RAM_START, 512ULL << 20);
}

static void test_no_initrd_kaslr(void **state)
{
	struct arm64_fdt_config c = config4();
	const fdt32_t *p;
	int off;

	(void)state;
	c.initrd_start = c.initrd_end = 0;
	c.kaslr = true;
	c.kaslr_seed = 0x1122334455667788ULL;
	build(&c);
	off = node("/chosen");
	assert_null(fdt_getprop(buf, off, "linux,initrd-start", NULL));
	assert_null(fdt_getprop(buf, off, "linux,initrd-end", NULL));
	p = cells(off, "kaslr-seed", 2);
	assert_int_equal(cell64(p, 0), 0x1122334455667788ULL);
}

static void test_cpus_psci(void **state)
{
	static const uint64_t mpidr[20] = {
		0x0, 0x1, 0x2, 0x3, 0x4, 0x5, 0x6, 0x7, 0x8, 0x9, 0xa, 0xb, 0xc, 0xd, 0xe, 0xf, 0x100, 0x101, 0x102, 0x103,
	};
	struct arm64_fdt_config c = config4();
	int cpus, off, n = 0;
	const char *compat;
	int len;

	(void)state;
	c.ncpus = 20;
	c.mpidr = mpidr;
	build(&c);
	cpus = node("/cpus");
	assert_int_equal(cell(cells(cpus, "#address-cells", 1), 0), 1);
	assert_int_equal(cell(cells(cpus, "#size-cells", 1), 0), 0);
	fdt_for_each_subnode(off, buf, cpus) {
		char name[32];

		assert_true(n < 20);
		snprintf(name, sizeof(name), "cpu@%llx", (unsigned long long)mpidr[n]);
		assert_string_equal(fdt_get_name(buf, off, NULL), name);
		assert_prop_str(off, "device_type", "cpu");
		assert_prop_str(off, "compatible", "arm,armv8");
		assert_prop_str(off, "enable-method", "psci");
		assert_int_equal(cell(cells(off, "reg", 1), 0), mpidr[n]);
		n++;
	}
	assert_int_equal(n, 20);

	off = node("/psci");
	compat = fdt_getprop(buf, off, "compatible", &len);
	assert_non_null(compat);
	assert_int_equal(len, sizeof("arm,psci-1.0") + sizeof("arm,psci-0.2"));
	assert_string_equal(compat, "arm,psci-1.0");
	assert_string_equal(compat + sizeof("arm,psci-1.0"), "arm,psci-0.2");
	assert_prop_str(off, "method", "hvc");
	/* 20 redistributors in the GIC's second reg entry. */
	off = node(FDT_PATH_GIC);
	assert_int_equal(cell64(cells(off, "reg", 8), 6), 20 * LAYOUT_GICR_FRAME);
}

static void test_gic_its_timer(void **state)
{
	struct arm64_fdt_config c = config4();
	const fdt32_t *p;
	int off;

	(void)state;
	build(&c);
	off = node(FDT_PATH_GIC);
	assert_int_equal(fdt_get_phandle(buf, off), FDT_PHANDLE_GIC);
	assert_prop_str(off, "compatible", "arm,gic-v3");
	assert_non_null(fdt_getprop(buf, off, "interrupt-controller", NULL));
	assert_int_equal(cell(cells(off, "#interrupt-cells", 1), 0), 3);
	assert_int_equal(cell(cells(off, "#redistributor-regions", 1), 0), 1);
	p = cells(off, "reg", 8);
	assert_int_equal(cell64(p, 0), LAYOUT_GICD_START);
	assert_int_equal(cell64(p, 2), LAYOUT_GICD_SIZE);
	assert_int_equal(cell64(p, 4), LAYOUT_GICR_START);
	assert_int_equal(cell64(p, 6), arm64_gicr_size(4));
	assert_int_equal(cell(cells(off, "#address-cells", 1), 0), 2);

	off = node(FDT_PATH_ITS);
	assert_int_equal(fdt_get_phandle(buf, off), FDT_PHANDLE_ITS);
	assert_prop_str(off, "compatible", "arm,gic-v3-its");
	assert_non_null(fdt_getprop(buf, off, "msi-controller", NULL));
	assert_int_equal(cell(cells(off, "#msi-cells", 1), 0), 1);
	assert_reg(off, LAYOUT_GITS_START, LAYOUT_GITS_SIZE);
	/* The doorbell minivmm's MSI routes name is inside the ITS frame. */
	assert_true(LAYOUT_GITS_TRANSLATER >= LAYOUT_GITS_START &&
		    LAYOUT_GITS_TRANSLATER < LAYOUT_GITS_START + LAYOUT_GITS_SIZE);

	off = node("/timer");
	assert_prop_str(off, "compatible", "arm,armv8-timer");
	p = cells(off, "interrupts", 12);
	/* secure phys, non-secure phys, virtual, hypervisor: PPIs, level high */
	assert_int_equal(cell(p, 1), 13);
	assert_int_equal(cell(p, 4), 14);
	assert_int_equal(cell(p, 7), 11);
	assert_int_equal(cell(p, 10), 10);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(cell(p, 3 * i), 1);
		assert_int_equal(cell(p, 3 * i + 2), 4);
	}
}

static void test_platform_devices(void **state)
{
	struct arm64_fdt_config c = config4();
	const fdt32_t *p;
	int off;

	(void)state;
	build(&c);
	off = node(FDT_PATH_UART);
	assert_prop_str(off, "compatible", "ns16550a");
	assert_reg(off, LAYOUT_UART_START, LAYOUT_UART_SIZE);
	p = cells(off, "interrupts", 3);
	assert_int_equal(cell(p, 0), 0); /* SPI */
	assert_int_equal(cell(p, 1), LAYOUT_SPI_UART);
	assert_int_equal(cell(p, 2), 4);
	assert_int_equal(cell(cells(off, "clock-frequency", 1), 0), 1843200);
	/* The UART's KVM_IRQ_LINE value names the same SPI. */
	assert_int_equal(LAYOUT_IRQ_LINE_SPI(LAYOUT_SPI_UART), 0x01000000u | (32 + LAYOUT_SPI_UART));

	off = node("/pvpanic@9020000");
	assert_prop_str(off, "compatible", "qemu,pvpanic-mmio");
	assert_reg(off, LAYOUT_PVPANIC_START, LAYOUT_PVPANIC_SIZE);
	off = node("/status@9010000");
	assert_prop_str(off, "compatible", "minivmm,status");
	assert_reg(off, LAYOUT_STATUS_START, LAYOUT_STATUS_SIZE);
}

static void test_pcie_host(void **state)
{
	struct arm64_fdt_config c = config4();
	const fdt32_t *p;
	int off;

	(void)state;
	build(&c);
	off = node(FDT_PATH_PCIE);
	assert_prop_str(off, "compatible", "pci-host-ecam-generic");
	assert_prop_str(off, "device_type", "pci");
	assert_int_equal(cell(cells(off, "#address-cells", 1), 0), 3);
	assert_int_equal(cell(cells(off, "#size-cells", 1), 0), 2);
	assert_int_equal(cell(cells(off, "#interrupt-cells", 1), 0), 1);
	assert_reg(off, LAYOUT_PCI_ECAM_START, LAYOUT_PCI_ECAM_SIZE);
	p = cells(off, "bus-range", 2);
	assert_int_equal(cell(p, 0), 0);
	assert_int_equal(cell(p, 1), LAYOUT_PCI_ECAM_BUSES - 1);
	assert_non_null(fdt_getprop(buf, off, "dma-coherent", NULL));

	/* ranges: (PCI space, PCI address) -> CPU address, size; 7 cells each. */
	p = cells(off, "ranges", 21);
	assert_int_equal(cell(p, 0), 0x01000000); /* I/O: ports 0-64K at the window */
	assert_int_equal(cell64(p, 1), 0);
	assert_int_equal(cell64(p, 3), LAYOUT_PCI_PIO_WINDOW);
	assert_int_equal(cell64(p, 5), LAYOUT_PCI_PIO_WINDOW_SIZE);
	assert_int_equal(cell(p, 7), 0x02000000); /* 32-bit memory, identity */
	assert_int_equal(cell64(p, 8), LAYOUT_PCI_MMIO32_START);
	assert_int_equal(cell64(p, 10), LAYOUT_PCI_MMIO32_START);
	assert_int_equal(cell64(p, 12), LAYOUT_PCI_MMIO32_SIZE);
	assert_int_equal(cell(p, 14), 0x03000000); /* 64-bit memory, not prefetchable */
	assert_int_equal(cell64(p, 15), LAYOUT_PCI_MMIO64_START);
	assert_int_equal(cell64(p, 17), LAYOUT_PCI_MMIO64_START);
	assert_int_equal(cell64(p, 19), LAYOUT_PCI_MMIO64_SIZE);
	/* minivmm's I/O BARs fall inside the I/O range. */
	assert_true(LAYOUT_PCI_IO_START + LAYOUT_PCI_IO_SIZE <= LAYOUT_PCI_PIO_WINDOW_SIZE);

	/* msi-map: every requester ID to the ITS, device ID = requester ID. */
	p = cells(off, "msi-map", 4);
	assert_int_equal(cell(p, 0), 0);
	assert_int_equal(cell(p, 1), FDT_PHANDLE_ITS);
	assert_int_equal(cell(p, 2), 0);
	assert_int_equal(cell(p, 3), 0x10000);
}

static void test_pcie_interrupt_map(void **state)
{
	struct arm64_fdt_config c = config4();
	unsigned int used[LAYOUT_GIC_NR_SPIS] = { 0 };
	const fdt32_t *p, *mask;
	int off, gic;

	(void)state;
	build(&c);
	off = node(FDT_PATH_PCIE);
	gic = fdt_node_offset_by_phandle(buf, FDT_PHANDLE_GIC);
	assert_int_equal(gic, node(FDT_PATH_GIC));
	mask = cells(off, "interrupt-map-mask", 4);
	assert_int_equal(cell(mask, 0), 0xf800);
	assert_int_equal(cell(mask, 1), 0);
	assert_int_equal(cell(mask, 2), 0);
	assert_int_equal(cell(mask, 3), 7);
	/* Each entry: child address (3) + pin (1) + phandle (1) + the parent's
	 * #address-cells (2) + its #interrupt-cells (3), as the GIC node says. */
	assert_int_equal(cell(cells(gic, "#address-cells", 1), 0) + cell(cells(gic, "#interrupt-cells", 1), 0), 5);
	p = cells(off, "interrupt-map", FDT_PCI_SLOTS * FDT_PCI_PINS * 10);
	for (unsigned int slot = 0; slot < FDT_PCI_SLOTS; slot++) {
		for (unsigned int pin = 0; pin < FDT_PCI_PINS; pin++) {
			const fdt32_t *e = p + (slot * FDT_PCI_PINS + pin) * 10;
			/* What Linux's of_irq_parse_raw matches: the devfn's slot and the pin. */
			uint32_t devfn_addr = (slot << 3 | 5) << 8; /* function 5: masked away */

			assert_int_equal(cell(e, 0), devfn_addr & cell(mask, 0));
			assert_int_equal(cell(e, 1), 0);
			assert_int_equal(cell(e, 2), 0);
			assert_int_equal(cell(e, 3), pin + 1);
			assert_int_equal(cell(e, 4), FDT_PHANDLE_GIC);
			assert_int_equal(cell(e, 5), 0);
			assert_int_equal(cell(e, 6), 0);
			assert_int_equal(cell(e, 7), 0); /* SPI */
			assert_int_equal(cell(e, 8), arm64_intx_spi(slot, pin));
			assert_int_equal(cell(e, 9), 4); /* level high */
			assert_true(cell(e, 8) >= LAYOUT_SPI_PCI_INTX_FIRST &&
				    cell(e, 8) < LAYOUT_SPI_PCI_INTX_FIRST + LAYOUT_SPI_PCI_INTX_COUNT);
			used[cell(e, 8)]++;
		}
	}
	/* 128 pins over the 8 INTx lines, 16 each. */
	for (unsigned int spi = LAYOUT_SPI_PCI_INTX_FIRST; spi < LAYOUT_SPI_PCI_INTX_FIRST + LAYOUT_SPI_PCI_INTX_COUNT; spi++)
		assert_int_equal(used[spi], FDT_PCI_SLOTS * FDT_PCI_PINS / LAYOUT_SPI_PCI_INTX_COUNT);
}

static void test_set_chosen(void **state)
{
	struct arm64_fdt_config c = config4();
	static char longargs[1500], longer[1600];
	const fdt32_t *p;
	long n;
	int off;

	(void)state;
	c.bootargs = NULL;
	c.initrd_start = c.initrd_end = 0;
	build(&c);
	assert_prop_str(node("/chosen"), "bootargs", "");
	memset(longargs, 'x', sizeof(longargs) - 1);
	n = arm64_fdt_set_chosen(buf, sizeof(buf), longargs, 0x60000000, 0x60001000);
	assert_true(n > 0);
	assert_int_equal(fdt_check_header(buf), 0);
	assert_int_equal(fdt_totalsize(buf), (uint32_t)n);
	off = node("/chosen");
	assert_prop_str(off, "bootargs", longargs);
	p = cells(off, "linux,initrd-start", 2);
	assert_int_equal(cell64(p, 0), 0x60000000);
	p = cells(off, "linux,initrd-end", 2);
	assert_int_equal(cell64(p, 0), 0x60001000);
	/* The rest of the tree survived the rewrite. */
	assert_prop_str(node(FDT_PATH_PCIE), "compatible", "pci-host-ecam-generic");
	/* No room to grow. */
	memset(longer, 'y', sizeof(longer) - 1);
	assert_int_equal(arm64_fdt_set_chosen(buf, (size_t)n, longer, 0, 0), -ENOSPC);
}

static void test_errors(void **state)
{
	struct arm64_fdt_config c = config4();

	(void)state;
	assert_int_equal(arm64_fdt_build(&c, buf, 512), -ENOSPC);
	c.ncpus = 0;
	assert_int_equal(arm64_fdt_build(&c, buf, sizeof(buf)), -EINVAL);
	c = config4();
	c.mpidr = NULL;
	assert_int_equal(arm64_fdt_build(&c, buf, sizeof(buf)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root_chosen_memory),
		cmocka_unit_test(test_no_initrd_kaslr),
		cmocka_unit_test(test_cpus_psci),
		cmocka_unit_test(test_gic_its_timer),
		cmocka_unit_test(test_platform_devices),
		cmocka_unit_test(test_pcie_host),
		cmocka_unit_test(test_pcie_interrupt_map),
		cmocka_unit_test(test_set_chosen),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
