/* SPDX-License-Identifier: GPL-2.0-only */
/* What the x86 guest is told about the machine: ACPI tables in guest RAM. */
#ifndef MINIVMM_X86_PLATFORM_H
#define MINIVMM_X86_PLATFORM_H

#include <stdint.h>

struct vm;

/* Build the ACPI tables at LAYOUT_ACPI_START; *rsdp gets the RSDP's address. */
int platform_write_acpi(struct vm *vm, uint64_t *rsdp);

#endif
