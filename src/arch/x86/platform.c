// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>

#include "minivmm/arch.h"
#include "minivmm/log.h"
#include "minivmm/pci.h"
#include "minivmm/pvpanic.h"
#include "minivmm/serial.h"
#include "minivmm/status.h"
#include "minivmm/vm.h"
#include "minivmm/x86/acpi.h"
#include "minivmm/x86/layout.h"
#include "minivmm/x86/machine.h"
#include "minivmm/x86/platform.h"

#define PCI_SLOTS 32
#define PLATFORM_HOTPLUG_SLOTS 0xfffffffeu /* bus 0 slots 1-31 */
#define PCI_INTX_PINS 4

/* The PC's devices at their legacy ports; the ACPI tables below describe them. */
int arch_platform_devices(struct vm *vm)
{
	const struct devctx *ctx = &vm->ctx;
	int ret;

	ret = serial_create(ctx, ctx->pio, LAYOUT_PORT_COM1, LAYOUT_IRQ_COM1);
	if (!ret)
		ret = acpi_pm_create(ctx);
	if (!ret)
		ret = status_reg_create(ctx, ctx->pio, LAYOUT_PORT_GUEST_STATUS, 1);
	if (!ret)
		ret = pvpanic_create(ctx, ctx->pio, LAYOUT_PORT_PVPANIC);
	if (!ret)
		ret = pci_cf8_register(ctx->pci, ctx->pio, LAYOUT_PORT_PCI_CONFIG_ADDR, LAYOUT_PORT_PCI_CONFIG_DATA);
	/* Every slot but the host bridge's can take a function at run time. */
	if (!ret)
		ret = acpi_hotplug_create(ctx, PLATFORM_HOTPLUG_SLOTS, &vm->ctx.hotplug);
	return ret;
}

int arch_firmware(struct vm *vm)
{
	/* Every slot's INTA-D: devices assigned later need no table rewrite. */
	struct acpi_prt_entry prt[PCI_SLOTS * PCI_INTX_PINS];
	struct acpi_config cfg = {
		.ncpus = vm->ncpus,
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
		.com1_port = LAYOUT_PORT_COM1,
		.com1_irq = LAYOUT_IRQ_COM1,
		.pvpanic_port = LAYOUT_PORT_PVPANIC,
		.hotplug_slots = PLATFORM_HOTPLUG_SLOTS,
		.hotplug_port = LAYOUT_PORT_HOTPLUG,
		.hotplug_gsi = LAYOUT_GSI_HOTPLUG,
		.prt = prt,
		.nprt = PCI_SLOTS * PCI_INTX_PINS,
	};
	uint8_t *buf = mem_gpa_to_hva(&vm->mem, LAYOUT_ACPI_START, LAYOUT_ACPI_SIZE);
	long len;

	for (unsigned int slot = 0; slot < PCI_SLOTS; slot++)
		for (unsigned int pin = 0; pin < PCI_INTX_PINS; pin++)
			prt[slot * PCI_INTX_PINS + pin] = (struct acpi_prt_entry){
				.slot = slot, .pin = pin, .gsi = arch_pci_intx_gsi(slot, pin),
			};
	if (!buf)
		return -EFAULT;
	len = acpi_build(&cfg, buf, LAYOUT_ACPI_SIZE, LAYOUT_ACPI_START);
	if (len < 0) {
		pr_err("building ACPI tables failed: %s", len == -ENOSPC ? "no room" : "bad configuration");
		return (int)len;
	}
	vm->arch->rsdp = LAYOUT_ACPI_START;
	return 0;
}
