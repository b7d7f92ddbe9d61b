/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host side of assignment, through sysfs: which driver owns a PCI
 * function, its IOMMU group and the group's other members, re-binding to
 * vfio-pci and handing the function back to its original driver.
 */
#ifndef MINIVMM_VFIO_HOST_H
#define MINIVMM_VFIO_HOST_H

#include <stdbool.h>
#include <stddef.h>

#define HOST_DRIVER_MAX 64

struct host_pci {
	char bdf[16];                /* canonical DDDD:BB:DD.F */
	char orig_driver[HOST_DRIVER_MAX]; /* "" when it had none */
	bool rebound;                /* we moved it to vfio-pci */
	bool had_override;           /* we wrote driver_override */
};

/* Sysfs root, overridable for tests ("/sys" normally). */
struct host_sysfs {
	const char *root;
};

/* Driver bound to @bdf into @drv ("" if none); -ENOENT: no such device. */
int host_pci_driver(const struct host_sysfs *fs, const char *bdf, char *drv, size_t len);
/* IOMMU group number, -ENODEV when the device has none (IOMMU off). */
int host_pci_iommu_group(const struct host_sysfs *fs, const char *bdf);
/*
 * Check that every other device in @group is unbound or on vfio-pci /
 * pci-stub; else -EBUSY with "BDF (driver), ..." in @others.
 */
int host_group_check(const struct host_sysfs *fs, int group, const char *self, char *others, size_t len);
/*
 * Make vfio-pci own @h->bdf (loading vfio-pci if needed). @no_rebind:
 * fail with -EPERM instead of moving it from another driver. Records the
 * original driver for host_pci_restore(). Errors are logged.
 */
int host_pci_bind_vfio(const struct host_sysfs *fs, struct host_pci *h, bool no_rebind);
/* Give the function back to its original driver (or leave it unbound). */
void host_pci_restore(const struct host_sysfs *fs, struct host_pci *h);

/* CAP_IPC_LOCK lifts RLIMIT_MEMLOCK for VFIO's pinned DMA memory. */
bool host_has_cap_ipc_lock(void);

#endif
