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
	char orig_driver[HOST_DRIVER_MAX];   /* "" when it had none */
	char orig_override[HOST_DRIVER_MAX]; /* its driver_override, "" when none */
	bool orig_vfio;              /* orig_driver registers VFIO devices: vfio-pci or a variant */
	bool snapshot;               /* orig_* were read (host_pci_snapshot) */
	bool changed;                /* we wrote to its sysfs attributes */
};

/* Sysfs root, overridable for tests ("/sys" normally). */
struct host_sysfs {
	const char *root;
};

/* Driver bound to @bdf into @drv ("" if none); -ENOENT: no such device. */
int host_pci_driver(const struct host_sysfs *fs, const char *bdf, char *drv, size_t len);
/* Its driver_override into @ov ("" if none, or no such attribute). */
void host_pci_override(const struct host_sysfs *fs, const char *bdf, char *ov, size_t len);
/* IOMMU group number, -ENODEV when the device has none (IOMMU off). */
int host_pci_iommu_group(const struct host_sysfs *fs, const char *bdf);
/*
 * Is @drv, bound to @bdf, a VFIO driver: vfio-pci or a variant of it
 * (mlx5_vfio_pci, hisi_acc_vfio_pci, ...)? Such a function has a
 * vfio-dev/ directory (Linux 6.1+), or its driver's module is a holder of
 * vfio_pci_core.
 */
bool host_pci_vfio_driver(const struct host_sysfs *fs, const char *bdf, const char *drv);
/*
 * How a member of an IOMMU group stands for the group's viability, as far
 * as sysfs shows it. The kernel's rule: a group is viable when no member is
 * bound to a driver that uses the kernel's DMA domain, i.e. every member is
 * unbound or on a driver with driver_managed_dma (VFIO drivers, pci-stub,
 * pcieport). The kernel's answer is VFIO_GROUP_FLAGS_VIABLE; this only
 * names the members that stand in the way.
 */
enum host_member {
	HOST_MEMBER_GONE,            /* listed, but no longer on the PCI bus */
	HOST_MEMBER_UNBOUND,
	HOST_MEMBER_VFIO,            /* vfio-pci or a variant driver */
	HOST_MEMBER_DMA_FREE,        /* pci-stub, pcieport: leave DMA to the group's owner */
	HOST_MEMBER_HOST,            /* any other driver: the kernel owns the group's DMA for it */
};
enum host_member host_group_member(const struct host_sysfs *fs, const char *bdf, char *drv, size_t len);
/*
 * The members of @group other than @self that are HOST_MEMBER_HOST:
 * -EBUSY with "BDF (driver), ..." in @others and, when @fix is not NULL,
 * how to clear the way ("assign it too (--assign BDF) or unbind it ...")
 * in @fix; 0 when there is none; -errno when the group cannot be read.
 */
int host_group_check(const struct host_sysfs *fs, int group, const char *self, char *others, size_t len,
		     char *fix, size_t fixlen);
/*
 * Record how @h->bdf is bound now (driver and driver_override) in
 * @h->orig_*: what host_pci_restore() puts back. -ENOENT: no such device.
 */
int host_pci_snapshot(const struct host_sysfs *fs, struct host_pci *h);
/*
 * Make vfio-pci own @h->bdf (loading vfio-pci if needed), after
 * host_pci_snapshot(). A function already on a VFIO driver (vfio-pci or a
 * variant) is used as it is. @no_rebind: fail with -EPERM instead of
 * moving it from another driver. On failure what was changed is undone. Errors are
 * logged.
 */
int host_pci_bind_vfio(const struct host_sysfs *fs, struct host_pci *h, bool no_rebind);
/*
 * Give the function back as host_pci_snapshot() found it, if we changed
 * it. 0 when it is back (or was never changed), else -EIO (logged, with
 * the commands that would do it by hand).
 */
int host_pci_restore(const struct host_sysfs *fs, struct host_pci *h);

/*
 * What it takes to bring a function from its current binding (@exists,
 * @cur_drv, @cur_ov) back to the recorded one (@want_drv, @want_ov; ""
 * meaning unbound / no override). Only what minivmm itself does is undone:
 * an override of vfio-pci and a binding to vfio-pci (or none, halfway).
 * An override or a driver someone else has set since is left alone.
 */
struct host_restore_plan {
	bool gone;                   /* no such device any more */
	bool write_override;         /* set driver_override to @want_ov */
	bool unbind;                 /* unbind it from vfio-pci */
	bool bind;                   /* bind it to @want_drv */
	bool foreign_override;       /* another override than ours: hands off */
	bool foreign_driver;         /* another driver than vfio-pci: hands off */
};
void host_restore_plan(bool exists, const char *cur_drv, const char *cur_ov, const char *want_drv,
		       const char *want_ov, struct host_restore_plan *p);
/*
 * Carry out that plan for @bdf and check the result. Returns 0 when the
 * function is as recorded, or gone, or someone else's now (nothing more
 * for minivmm to do); -EIO when it could not be given back. @msg gets one
 * line saying which (for -EIO: with the commands that would fix it).
 */
int host_pci_restore_to(const struct host_sysfs *fs, const char *bdf, const char *want_drv, const char *want_ov,
			char *msg, size_t len);

/* CAP_IPC_LOCK lifts RLIMIT_MEMLOCK for VFIO's pinned DMA memory. */
bool host_has_cap_ipc_lock(void);

#endif
