// SPDX-License-Identifier: GPL-2.0-only
/*
 * The arm64 guest's device tree (include/minivmm/arm64/fdt.h), written
 * with libfdt's sequential-write API. Bindings: Documentation/devicetree/
 * bindings/ in Linux (arm/cpus, arm/psci, interrupt-controller/
 * arm,gic-v3, timer/arm,arch_timer, serial/8250, pci/host-generic-pci,
 * pci/pci-msi, misc/pvpanic-mmio).
 */
#include <errno.h>
#include <libfdt.h>
#include <stdio.h>

#include "minivmm/arm64/board.h"
#include "minivmm/arm64/fdt.h"
#include "minivmm/arm64/layout.h"

/* dt-bindings/interrupt-controller/arm-gic.h and irq.h */
#define GIC_SPI 0
#define GIC_PPI 1
#define IRQ_TYPE_LEVEL_HIGH 4
/* The 8250 driver derives the baud rate from this clock (divisor 1 = 115200). */
#define UART_CLOCK_HZ 1843200
/* PCI address space codes of the first ranges cell (IEEE 1275 PCI binding). */
#define PCI_SPACE_IO 0x01000000u
#define PCI_SPACE_MEM32 0x02000000u
#define PCI_SPACE_MEM64 0x03000000u
/* The interrupt-map's child unit address: devfn in bits 15:8 of the first
 * cell, so the slot is bits 15:11; the mask keeps the slot and the pin. */
#define PCI_SLOT_SHIFT 11
#define PCI_MAP_MASK_SLOT 0xf800u
#define PCI_MAP_MASK_PIN 7u
/* Requester IDs (bus << 8 | devfn) go to the ITS as the same device IDs. */
#define PCI_RID_COUNT 0x10000u

/* Stop at the first libfdt error. */
#define TRY(call)                           \
	do {                                \
		int err_ = (call);          \
		if (err_)                   \
			return err_;        \
	} while (0)

static int prop_cells(void *fdt, const char *name, const uint32_t *cells, unsigned int n)
{
	fdt32_t be[64];

	if (n > sizeof(be) / sizeof(be[0]))
		return -FDT_ERR_NOSPACE;
	for (unsigned int i = 0; i < n; i++)
		be[i] = cpu_to_fdt32(cells[i]);
	return fdt_property(fdt, name, be, n * sizeof(be[0]));
}

/* A reg of 2 + 2 cells. */
static int prop_reg(void *fdt, uint64_t base, uint64_t size)
{
	const uint32_t c[] = { base >> 32, (uint32_t)base, size >> 32, (uint32_t)size };

	return prop_cells(fdt, "reg", c, 4);
}

static int node_name(char *buf, size_t len, const char *what, uint64_t addr)
{
	int n = snprintf(buf, len, "%s@%llx", what, (unsigned long long)addr);

	return n < 0 || (size_t)n >= len ? -FDT_ERR_NOSPACE : 0;
}

static int begin_node_at(void *fdt, const char *what, uint64_t addr)
{
	char name[64];

	TRY(node_name(name, sizeof(name), what, addr));
	return fdt_begin_node(fdt, name);
}

static int fdt_chosen(void *fdt, const struct arm64_fdt_config *c)
{
	TRY(fdt_begin_node(fdt, "chosen"));
	TRY(fdt_property_string(fdt, "bootargs", c->bootargs ? c->bootargs : ""));
	TRY(fdt_property_string(fdt, "stdout-path", FDT_PATH_UART));
	if (c->initrd_end > c->initrd_start) {
		TRY(fdt_property_u64(fdt, "linux,initrd-start", c->initrd_start));
		TRY(fdt_property_u64(fdt, "linux,initrd-end", c->initrd_end));
	}
	/* minivmm assigns the BARs (src/pci): Linux keeps them, as on x86. */
	TRY(fdt_property_u32(fdt, "linux,pci-probe-only", 1));
	/* Without a seed (and without EFI) Linux does not randomize its base:
	 * addresses in oopses stay comparable between runs. */
	if (c->kaslr)
		TRY(fdt_property_u64(fdt, "kaslr-seed", c->kaslr_seed));
	return fdt_end_node(fdt);
}

static int fdt_cpus(void *fdt, const struct arm64_fdt_config *c)
{
	TRY(fdt_begin_node(fdt, "cpus"));
	TRY(fdt_property_u32(fdt, "#address-cells", 1));
	TRY(fdt_property_u32(fdt, "#size-cells", 0));
	for (unsigned int i = 0; i < c->ncpus; i++) {
		/* One address cell: MPIDR bits 23:0 (Aff2.Aff1.Aff0); Aff3 is 0 here. */
		uint32_t reg = (uint32_t)(c->mpidr[i] & 0xffffff);

		TRY(begin_node_at(fdt, "cpu", reg));
		TRY(fdt_property_string(fdt, "device_type", "cpu"));
		TRY(fdt_property_string(fdt, "compatible", "arm,armv8"));
		TRY(fdt_property_u32(fdt, "reg", reg));
		TRY(fdt_property_string(fdt, "enable-method", "psci"));
		TRY(fdt_end_node(fdt));
	}
	return fdt_end_node(fdt);
}

static int fdt_psci(void *fdt)
{
	static const char compat[] = "arm,psci-1.0\0arm,psci-0.2";

	/* KVM implements PSCI 1.x for vCPUs with KVM_ARM_VCPU_PSCI_0_2, over HVC. */
	TRY(fdt_begin_node(fdt, "psci"));
	TRY(fdt_property(fdt, "compatible", compat, sizeof(compat)));
	TRY(fdt_property_string(fdt, "method", "hvc"));
	return fdt_end_node(fdt);
}

static int fdt_gic(void *fdt, const struct arm64_fdt_config *c)
{
	const uint32_t reg[] = {
		LAYOUT_GICD_START >> 32, (uint32_t)LAYOUT_GICD_START, 0, (uint32_t)LAYOUT_GICD_SIZE,
		LAYOUT_GICR_START >> 32, (uint32_t)LAYOUT_GICR_START, 0, (uint32_t)arm64_gicr_size(c->ncpus),
	};

	TRY(begin_node_at(fdt, "intc", LAYOUT_GICD_START));
	TRY(fdt_property_string(fdt, "compatible", "arm,gic-v3"));
	TRY(fdt_property_u32(fdt, "#interrupt-cells", 3));
	TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
	TRY(fdt_property_u32(fdt, "#redistributor-regions", 1));
	TRY(prop_cells(fdt, "reg", reg, 8));
	TRY(fdt_property_u32(fdt, "#address-cells", 2));
	TRY(fdt_property_u32(fdt, "#size-cells", 2));
	TRY(fdt_property(fdt, "ranges", NULL, 0));
	TRY(fdt_property_u32(fdt, "phandle", FDT_PHANDLE_GIC));

	TRY(begin_node_at(fdt, "msi-controller", LAYOUT_GITS_START));
	TRY(fdt_property_string(fdt, "compatible", "arm,gic-v3-its"));
	TRY(fdt_property(fdt, "msi-controller", NULL, 0));
	TRY(fdt_property_u32(fdt, "#msi-cells", 1));
	TRY(prop_reg(fdt, LAYOUT_GITS_START, LAYOUT_GITS_SIZE));
	TRY(fdt_property_u32(fdt, "phandle", FDT_PHANDLE_ITS));
	TRY(fdt_end_node(fdt));
	return fdt_end_node(fdt);
}

static int fdt_timer(void *fdt)
{
	const uint32_t irqs[] = {
		GIC_PPI, LAYOUT_PPI_TIMER_SEC, IRQ_TYPE_LEVEL_HIGH,
		GIC_PPI, LAYOUT_PPI_TIMER_PHYS, IRQ_TYPE_LEVEL_HIGH,
		GIC_PPI, LAYOUT_PPI_TIMER_VIRT, IRQ_TYPE_LEVEL_HIGH,
		GIC_PPI, LAYOUT_PPI_TIMER_HYP, IRQ_TYPE_LEVEL_HIGH,
	};

	TRY(fdt_begin_node(fdt, "timer"));
	TRY(fdt_property_string(fdt, "compatible", "arm,armv8-timer"));
	TRY(prop_cells(fdt, "interrupts", irqs, 12));
	TRY(fdt_property(fdt, "always-on", NULL, 0));
	return fdt_end_node(fdt);
}

static int fdt_platform(void *fdt)
{
	const uint32_t uart_irq[] = { GIC_SPI, LAYOUT_SPI_UART, IRQ_TYPE_LEVEL_HIGH };

	TRY(begin_node_at(fdt, "serial", LAYOUT_UART_START));
	TRY(fdt_property_string(fdt, "compatible", "ns16550a"));
	TRY(prop_reg(fdt, LAYOUT_UART_START, LAYOUT_UART_SIZE));
	TRY(prop_cells(fdt, "interrupts", uart_irq, 3));
	TRY(fdt_property_u32(fdt, "clock-frequency", UART_CLOCK_HZ));
	TRY(fdt_end_node(fdt));

	TRY(begin_node_at(fdt, "pvpanic", LAYOUT_PVPANIC_START));
	TRY(fdt_property_string(fdt, "compatible", "qemu,pvpanic-mmio"));
	TRY(prop_reg(fdt, LAYOUT_PVPANIC_START, LAYOUT_PVPANIC_SIZE));
	TRY(fdt_end_node(fdt));

	/* No Linux driver: the node documents the register, which guest init
	 * finds through minivmm.status_mmio= on the command line. */
	TRY(begin_node_at(fdt, "status", LAYOUT_STATUS_START));
	TRY(fdt_property_string(fdt, "compatible", "minivmm,status"));
	TRY(prop_reg(fdt, LAYOUT_STATUS_START, LAYOUT_STATUS_SIZE));
	return fdt_end_node(fdt);
}

static int fdt_pcie(void *fdt)
{
	const uint32_t bus_range[] = { 0, LAYOUT_PCI_ECAM_BUSES - 1 };
	const uint32_t ranges[] = {
		PCI_SPACE_IO, 0, 0,
		LAYOUT_PCI_PIO_WINDOW >> 32, (uint32_t)LAYOUT_PCI_PIO_WINDOW,
		0, (uint32_t)LAYOUT_PCI_PIO_WINDOW_SIZE,
		PCI_SPACE_MEM32, LAYOUT_PCI_MMIO32_START >> 32, (uint32_t)LAYOUT_PCI_MMIO32_START,
		LAYOUT_PCI_MMIO32_START >> 32, (uint32_t)LAYOUT_PCI_MMIO32_START,
		LAYOUT_PCI_MMIO32_SIZE >> 32, (uint32_t)LAYOUT_PCI_MMIO32_SIZE,
		/* Not prefetchable: it takes 64-bit BARs of both kinds (Linux
		 * refuses a non-prefetchable BAR in a prefetchable window). */
		PCI_SPACE_MEM64, LAYOUT_PCI_MMIO64_START >> 32, (uint32_t)LAYOUT_PCI_MMIO64_START,
		LAYOUT_PCI_MMIO64_START >> 32, (uint32_t)LAYOUT_PCI_MMIO64_START,
		LAYOUT_PCI_MMIO64_SIZE >> 32, (uint32_t)LAYOUT_PCI_MMIO64_SIZE,
	};
	const uint32_t map_mask[] = { PCI_MAP_MASK_SLOT, 0, 0, PCI_MAP_MASK_PIN };
	const uint32_t msi_map[] = { 0, FDT_PHANDLE_ITS, 0, PCI_RID_COUNT };
	/* Per slot and pin: child address (3), pin (1), GIC phandle (1), GIC
	 * unit address (its #address-cells, 2), GIC interrupt (3). */
	enum { MAP_CELLS = 10 };
	fdt32_t map[FDT_PCI_SLOTS * FDT_PCI_PINS * MAP_CELLS], *m = map;

	TRY(begin_node_at(fdt, "pcie", LAYOUT_PCI_ECAM_START));
	TRY(fdt_property_string(fdt, "compatible", "pci-host-ecam-generic"));
	TRY(fdt_property_string(fdt, "device_type", "pci"));
	TRY(fdt_property_u32(fdt, "#address-cells", 3));
	TRY(fdt_property_u32(fdt, "#size-cells", 2));
	TRY(fdt_property_u32(fdt, "#interrupt-cells", 1));
	TRY(fdt_property_u32(fdt, "linux,pci-domain", 0));
	TRY(prop_cells(fdt, "bus-range", bus_range, 2));
	TRY(prop_reg(fdt, LAYOUT_PCI_ECAM_START, LAYOUT_PCI_ECAM_SIZE));
	TRY(prop_cells(fdt, "ranges", ranges, sizeof(ranges) / sizeof(ranges[0])));
	/* Devices snoop the CPU caches: no cache maintenance around DMA. */
	TRY(fdt_property(fdt, "dma-coherent", NULL, 0));
	TRY(prop_cells(fdt, "msi-map", msi_map, 4));
	TRY(prop_cells(fdt, "interrupt-map-mask", map_mask, 4));
	for (unsigned int slot = 0; slot < FDT_PCI_SLOTS; slot++) {
		for (unsigned int pin = 0; pin < FDT_PCI_PINS; pin++) {
			const uint32_t e[MAP_CELLS] = {
				slot << PCI_SLOT_SHIFT, 0, 0, pin + 1, FDT_PHANDLE_GIC, 0, 0,
				GIC_SPI, arm64_intx_spi(slot, pin), IRQ_TYPE_LEVEL_HIGH,
			};

			for (unsigned int i = 0; i < MAP_CELLS; i++)
				*m++ = cpu_to_fdt32(e[i]);
		}
	}
	TRY(fdt_property(fdt, "interrupt-map", map, sizeof(map)));
	return fdt_end_node(fdt);
}

static int fdt_tree(void *fdt, const struct arm64_fdt_config *c)
{
	char memory[32];

	TRY(fdt_finish_reservemap(fdt));
	TRY(fdt_begin_node(fdt, ""));
	TRY(fdt_property_string(fdt, "compatible", "minivmm,virt"));
	TRY(fdt_property_string(fdt, "model", "minivmm"));
	TRY(fdt_property_u32(fdt, "#address-cells", 2));
	TRY(fdt_property_u32(fdt, "#size-cells", 2));
	TRY(fdt_property_u32(fdt, "interrupt-parent", FDT_PHANDLE_GIC));
	TRY(fdt_chosen(fdt, c));
	TRY(fdt_begin_node(fdt, "aliases"));
	TRY(fdt_property_string(fdt, "serial0", FDT_PATH_UART));
	TRY(fdt_end_node(fdt));
	TRY(node_name(memory, sizeof(memory), "memory", c->ram_base));
	TRY(fdt_begin_node(fdt, memory));
	TRY(fdt_property_string(fdt, "device_type", "memory"));
	TRY(prop_reg(fdt, c->ram_base, c->ram_size));
	TRY(fdt_end_node(fdt));
	TRY(fdt_cpus(fdt, c));
	TRY(fdt_psci(fdt));
	TRY(fdt_gic(fdt, c));
	TRY(fdt_timer(fdt));
	TRY(fdt_platform(fdt));
	TRY(fdt_pcie(fdt));
	TRY(fdt_end_node(fdt));
	return fdt_finish(fdt);
}

long arm64_fdt_build(const struct arm64_fdt_config *c, void *buf, size_t len)
{
	int ret;

	if (!c->ncpus || !c->mpidr || !c->ram_size || len > INT32_MAX)
		return -EINVAL;
	ret = fdt_create(buf, (int)len);
	if (!ret)
		ret = fdt_tree(buf, c);
	if (ret)
		return ret == -FDT_ERR_NOSPACE ? -ENOSPC : -EINVAL;
	return fdt_totalsize(buf);
}

long arm64_fdt_set_chosen(void *fdt, size_t len, const char *bootargs, uint64_t initrd_start, uint64_t initrd_end)
{
	int ret, node;

	if (len > INT32_MAX)
		return -EINVAL;
	ret = fdt_open_into(fdt, fdt, (int)len);
	if (ret)
		return ret == -FDT_ERR_NOSPACE ? -ENOSPC : -EINVAL;
	node = fdt_path_offset(fdt, "/chosen");
	if (node < 0)
		return -EINVAL;
	ret = fdt_setprop_string(fdt, node, "bootargs", bootargs ? bootargs : "");
	if (!ret && initrd_end > initrd_start)
		ret = fdt_setprop_u64(fdt, node, "linux,initrd-start", initrd_start);
	if (!ret && initrd_end > initrd_start)
		ret = fdt_setprop_u64(fdt, node, "linux,initrd-end", initrd_end);
	if (!ret)
		ret = fdt_pack(fdt);
	if (ret)
		return ret == -FDT_ERR_NOSPACE ? -ENOSPC : -EINVAL;
	return fdt_totalsize(fdt);
}
