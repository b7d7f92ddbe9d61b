/* SPDX-License-Identifier: GPL-2.0-only */
/* The x86 platform's own devices (the ACPI tables that describe them are in platform.c). */
#ifndef MINIVMM_X86_PLATFORM_H
#define MINIVMM_X86_PLATFORM_H

#include <stdint.h>

struct devctx;
struct hotplug;

/* ACPI hardware-reduced sleep control/status and reset registers (acpi_pm.c). */
int acpi_pm_create(const struct devctx *ctx);
/* The hotplug controller of bus 0 @slots, for the DSDT's slot objects (acpi_hotplug.c). */
int acpi_hotplug_create(const struct devctx *ctx, uint32_t slots, struct hotplug **out);

#endif
