/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvpanic: a one-byte I/O port (ACPI _HID QEMU0001) that the guest kernel's
 * pvpanic driver writes from its panic notifier. A guest crash is then
 * caught even when its console is quiet (loglevel=0) or elsewhere.
 */
#ifndef MINIVMM_PVPANIC_H
#define MINIVMM_PVPANIC_H

#include "minivmm/bus.h"

/* Event bits (the register reads back the ones offered). */
#define PVPANIC_PANICKED (1u << 0)

struct vm;

struct pvpanic {
	struct vm *vm;
	struct stat_counter counter;
};

int pvpanic_init(struct pvpanic *p, struct vm *vm);

#endif
