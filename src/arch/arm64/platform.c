// SPDX-License-Identifier: GPL-2.0-only
/*
 * The arm64 platform: the UART, the status register and pvpanic on MMIO,
 * the PCI I/O window (MMIO accesses forwarded to the port-I/O bus where
 * I/O BARs live), and the device tree at the top of RAM.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>

#include "minivmm/arch.h"
#include "minivmm/arm64/fdt.h"
#include "minivmm/arm64/layout.h"
#include "minivmm/arm64/machine.h"
#include "minivmm/bus.h"
#include "minivmm/device.h"
#include "minivmm/log.h"
#include "minivmm/pvpanic.h"
#include "minivmm/serial.h"
#include "minivmm/status.h"
#include "minivmm/vm.h"

/* The PCI I/O window: port p is at LAYOUT_PCI_PIO_WINDOW + p. */
struct pio_window {
	struct device dev;
	struct bus *mmio, *pio;
	bool registered;
};

static void pio_window_io(void *opaque, uint64_t offset, void *data, unsigned int len, bool is_write)
{
	struct pio_window *w = opaque;

	bus_access(w->pio, offset, data, len, is_write);
}

static void pio_window_destroy(struct device *dev)
{
	struct pio_window *w = (struct pio_window *)dev;

	if (w->registered)
		bus_unregister(w->mmio, LAYOUT_PCI_PIO_WINDOW, w);
	free(w);
}

static int pio_window_create(const struct devctx *ctx)
{
	struct pio_window *w = calloc(1, sizeof(*w));
	int ret;

	if (!w)
		return -ENOMEM;
	*w = (struct pio_window){
		.dev = { .name = "pci-io-window", .destroy = pio_window_destroy },
		.mmio = ctx->mmio, .pio = ctx->pio,
	};
	device_add(ctx, &w->dev);
	ret = bus_register(ctx->mmio, LAYOUT_PCI_PIO_WINDOW, LAYOUT_PCI_PIO_WINDOW_SIZE, pio_window_io, w, NULL);
	w->registered = !ret;
	return ret;
}

int arch_platform_devices(struct vm *vm)
{
	const struct devctx *ctx = &vm->ctx;
	int ret;

	/* The UART raises its SPI with KVM_IRQ_LINE, in arm64's encoding. */
	ret = serial_create(ctx, ctx->mmio, LAYOUT_UART_START, LAYOUT_IRQ_LINE_SPI(LAYOUT_SPI_UART));
	if (!ret)
		ret = status_reg_create(ctx, ctx->mmio, LAYOUT_STATUS_START, LAYOUT_STATUS_SIZE);
	if (!ret)
		ret = pvpanic_create(ctx, ctx->mmio, LAYOUT_PVPANIC_START);
	if (!ret)
		ret = pio_window_create(ctx);
	/* PSCI SYSTEM_OFF/RESET are KVM's (system events): no power registers. */
	return ret;
}

int arch_firmware(struct vm *vm)
{
	struct arch_vm *a = vm->arch;
	const struct mem_region *ram = &vm->mem.region[0];
	struct arm64_fdt_config c = {
		.ram_base = ram->gpa,
		.ram_size = ram->size,
		.ncpus = vm->ncpus,
		.mpidr = a->mpidr,
		.kaslr = vm->cfg->kaslr,
	};
	long len;

	/* The last whole 2 MiB block of RAM (booting.rst); the command line
	 * and initrd are added with the kernel (arch_kernel_load). */
	if (ram->size < 2 * LAYOUT_DTB_MAX)
		return -ENOSPC;
	a->dtb_addr = layout_dtb_addr(ram->gpa, ram->size);
	a->dtb_max = LAYOUT_DTB_MAX;
	if (c.kaslr && getrandom(&c.kaslr_seed, sizeof(c.kaslr_seed), 0) != sizeof(c.kaslr_seed)) {
		pr_err("no random seed for --kaslr: getrandom failed");
		return -EIO;
	}
	len = arm64_fdt_build(&c, mem_gpa_to_hva(&vm->mem, a->dtb_addr, a->dtb_max), a->dtb_max);
	if (len < 0) {
		pr_err("building the device tree failed: %s", len == -ENOSPC ? "no room" : "bad configuration");
		return (int)len;
	}
	return 0;
}
