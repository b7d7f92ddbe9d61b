/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvpanic: a one-byte register (QEMU's device: ACPI _HID QEMU0001 on x86,
 * "qemu,pvpanic-mmio" in a device tree) that the guest kernel's pvpanic
 * driver writes from its panic notifier. A guest crash is then caught even
 * when its console is quiet (loglevel=0) or elsewhere.
 */
#ifndef MINIVMM_PVPANIC_H
#define MINIVMM_PVPANIC_H

#include <stdint.h>

struct bus;
struct devctx;

/* Event bits (the register reads back the ones offered). */
#define PVPANIC_PANICKED (1u << 0)

/* The register at @base on @bus (port I/O or MMIO). */
int pvpanic_create(const struct devctx *ctx, struct bus *bus, uint64_t base);

#endif
