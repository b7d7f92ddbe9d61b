/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What boots when the user brings less than a kernel and an initrd: the
 * host's running kernel, and an initramfs minivmm builds for the assigned
 * devices and the command (--run, -- CMD).
 */
#ifndef MINIVMM_RUNNER_GUEST_H
#define MINIVMM_RUNNER_GUEST_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "minivmm/config.h"
#include "minivmm/pci_bdf.h"

struct guest_boot {
	char kernel[PATH_MAX];
	char initrd[PATH_MAX];
	char cmdline[4096];
	bool built_initrd;
};

/*
 * Fill @gb from @cfg: the kernel (--kernel, else /boot/vmlinuz-$(uname -r)),
 * the initrd (--initrd, else a cached one built here) and the command line
 * (minivmm.status_port added when our init runs). -errno with @err set.
 */
int guest_boot_prepare(const struct config *cfg, struct guest_boot *gb, char *err, size_t errlen);
/*
 * The guest-side stressors (--cpu-churn, --irq-churn) and the seed they
 * draw from, as kernel parameters minivmm's guest init acts on:
 * minivmm.cpu_churn=MS:SEED minivmm.irq_churn=MS:SEED, SEED a 31-bit
 * seed derived from --seed. Pure.
 */
int guest_boot_add_stress(const struct config *cfg, struct guest_boot *gb, char *err, size_t errlen);

/* The host device's modalias from sysfs ("pci:v...") into @out, "" if unreadable. */
void guest_read_modalias(const struct pci_bdf *bdf, char *out, size_t len);

#endif
