/* SPDX-License-Identifier: GPL-2.0-only */
/* The x86 platform's own devices (the ACPI tables that describe them are in platform.c). */
#ifndef MINIVMM_X86_PLATFORM_H
#define MINIVMM_X86_PLATFORM_H

struct devctx;

/* ACPI hardware-reduced sleep control/status and reset registers (acpi_pm.c). */
int acpi_pm_create(const struct devctx *ctx);

#endif
