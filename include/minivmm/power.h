/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ACPI hardware-reduced power management ports (sleep control/status,
 * reset register) and the guest status port used by minivmm-exit.
 */
#ifndef MINIVMM_POWER_H
#define MINIVMM_POWER_H

#include "minivmm/bus.h"

struct vm;

struct power {
	struct vm *vm;
	struct stat_counter counter;
};

int power_init(struct power *p, struct vm *vm);

#endif
