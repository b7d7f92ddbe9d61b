// SPDX-License-Identifier: GPL-2.0-only
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "minivmm/log.h"
#include "minivmm/vfio/host.h"

#define VFIO_PCI_DRIVER "vfio-pci"

static int sysfs_write(const struct host_sysfs *fs, const char *val, const char *fmt, const char *a,
		       const char *b)
{
	char path[PATH_MAX + 64], rel[PATH_MAX];
	ssize_t n;
	int fd, ret = 0;

	snprintf(rel, sizeof(rel), fmt, a, b);
	snprintf(path, sizeof(path), "%s/%s", fs->root, rel);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* Last path component of the symlink @fmt(@a), or -errno. */
static int sysfs_link_name(const struct host_sysfs *fs, const char *fmt, const char *a, char *out,
			   size_t len)
{
	char path[PATH_MAX + 64], rel[PATH_MAX], target[PATH_MAX];
	ssize_t n;
	const char *base;

	snprintf(rel, sizeof(rel), fmt, a);
	snprintf(path, sizeof(path), "%s/%s", fs->root, rel);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = 0;
	base = strrchr(target, '/');
	snprintf(out, len, "%s", base ? base + 1 : target);
	return 0;
}

int host_pci_driver(const struct host_sysfs *fs, const char *bdf, char *drv, size_t len)
{
	char path[PATH_MAX];
	struct stat st;
	int ret;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s", fs->root, bdf);
	if (stat(path, &st))
		return -ENOENT;
	ret = sysfs_link_name(fs, "bus/pci/devices/%s/driver", bdf, drv, len);
	if (ret == -ENOENT) {
		drv[0] = 0;
		return 0;
	}
	return ret;
}

int host_pci_iommu_group(const struct host_sysfs *fs, const char *bdf)
{
	char name[32], *end;
	long group;

	if (sysfs_link_name(fs, "bus/pci/devices/%s/iommu_group", bdf, name, sizeof(name)))
		return -ENODEV;
	group = strtol(name, &end, 10);
	return *end || group < 0 ? -ENODEV : (int)group;
}

/* Does @path (under the sysfs root) exist? */
static bool sysfs_exists(const struct host_sysfs *fs, const char *fmt, const char *a, const char *b)
{
	char path[PATH_MAX + 64], rel[PATH_MAX];
	struct stat st;

	snprintf(rel, sizeof(rel), fmt, a, b);
	snprintf(path, sizeof(path), "%s/%s", fs->root, rel);
	return !lstat(path, &st);
}

bool host_pci_vfio_driver(const struct host_sysfs *fs, const char *bdf, const char *drv)
{
	char mod[HOST_DRIVER_MAX];

	if (!drv[0])
		return false;
	if (!strcmp(drv, VFIO_PCI_DRIVER))
		return true;
	/* Linux 6.1+: a registered VFIO device is a vfio-dev/vfioN child of the function. */
	if (sysfs_exists(fs, "bus/pci/devices/%s/vfio-dev", bdf, NULL))
		return true;
	/* Older kernels: the variant driver's module is built on vfio_pci_core. */
	if (sysfs_link_name(fs, "bus/pci/drivers/%s/module", drv, mod, sizeof(mod)))
		return false;
	return sysfs_exists(fs, "module/vfio_pci_core/holders/%s", mod, NULL);
}

enum host_member host_group_member(const struct host_sysfs *fs, const char *bdf, char *drv, size_t len)
{
	if (host_pci_driver(fs, bdf, drv, len) < 0)
		return HOST_MEMBER_GONE;
	if (!drv[0])
		return HOST_MEMBER_UNBOUND;
	if (host_pci_vfio_driver(fs, bdf, drv))
		return HOST_MEMBER_VFIO;
	/* Drivers that leave the IOMMU to their device's owner (driver_managed_dma). */
	if (!strcmp(drv, "pci-stub") || !strcmp(drv, "pcieport"))
		return HOST_MEMBER_DMA_FREE;
	return HOST_MEMBER_HOST;
}

int host_group_check(const struct host_sysfs *fs, int group, const char *self, char *others, size_t len,
		     char *fix, size_t fixlen)
{
	char path[PATH_MAX], drv[HOST_DRIVER_MAX], assign[256] = "", unbind[768] = "";
	struct dirent *de;
	size_t used = 0, na = 0, nu = 0;
	unsigned int n = 0;
	DIR *d;

	others[0] = 0;
	if (fix && fixlen)
		fix[0] = 0;
	snprintf(path, sizeof(path), "%s/kernel/iommu_groups/%d/devices", fs->root, group);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, self))
			continue;
		if (host_group_member(fs, de->d_name, drv, sizeof(drv)) != HOST_MEMBER_HOST)
			continue;
		n++;
		if (used < len)
			used += snprintf(others + used, len - used, "%s%s (%s)", used ? ", " : "", de->d_name, drv);
		if (na < sizeof(assign))
			na += snprintf(assign + na, sizeof(assign) - na, "%s--assign %s", na ? " " : "", de->d_name);
		if (nu < sizeof(unbind))
			nu += snprintf(unbind + nu, sizeof(unbind) - nu, "%secho %s > /sys/bus/pci/drivers/%s/unbind",
				       nu ? "; " : "", de->d_name, drv);
	}
	closedir(d);
	if (!n)
		return 0;
	if (fix && fixlen)
		snprintf(fix, fixlen, "assign %s too (%s) or unbind %s from %s host driver (%s)", n > 1 ? "them" : "it",
			 assign, n > 1 ? "them" : "it", n > 1 ? "their" : "its", unbind);
	return -EBUSY;
}

/* modprobe vfio-pci when its driver directory is missing. */
static int host_load_vfio_pci(const struct host_sysfs *fs)
{
	char path[PATH_MAX];
	struct stat st;
	pid_t pid;
	int status;

	snprintf(path, sizeof(path), "%s/bus/pci/drivers/" VFIO_PCI_DRIVER, fs->root);
	if (!stat(path, &st))
		return 0;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execlp("modprobe", "modprobe", "vfio-pci", (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	return stat(path, &st) ? -ENOENT : 0;
}

void host_pci_override(const struct host_sysfs *fs, const char *bdf, char *ov, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	ov[0] = 0;
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/driver_override", fs->root, bdf);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, ov, len - 1);
	close(fd);
	ov[n > 0 ? n : 0] = 0;
	ov[strcspn(ov, "\n")] = 0;
	/* The kernel shows a missing override as "(null)". */
	if (!strcmp(ov, "(null)"))
		ov[0] = 0;
}

int host_pci_snapshot(const struct host_sysfs *fs, struct host_pci *h)
{
	int ret = host_pci_driver(fs, h->bdf, h->orig_driver, sizeof(h->orig_driver));

	if (ret) {
		h->orig_driver[0] = 0;
		return ret;
	}
	host_pci_override(fs, h->bdf, h->orig_override, sizeof(h->orig_override));
	h->orig_vfio = host_pci_vfio_driver(fs, h->bdf, h->orig_driver);
	h->snapshot = true;
	return 0;
}

int host_pci_bind_vfio(const struct host_sysfs *fs, struct host_pci *h, bool no_rebind)
{
	char drv[HOST_DRIVER_MAX] = "";
	int ret;

	if (!h->snapshot) {
		ret = host_pci_snapshot(fs, h);
		if (ret) {
			pr_err("%s: cannot read its driver: %s", h->bdf, strerror(-ret));
			return ret;
		}
	}
	snprintf(drv, sizeof(drv), "%s", h->orig_driver);
	if (h->orig_vfio) {
		/* vfio-pci, or a variant driver (mlx5_vfio_pci, ...): used as it is, left on it. */
		if (strcmp(drv, VFIO_PCI_DRIVER))
			dev_info(h->bdf, "on %s, a VFIO driver: used as it is", drv);
		return 0;
	}
	if (no_rebind) {
		pr_err("%s is bound to %s, not vfio-pci: bind it to vfio-pci (driverctl set-override %s vfio-pci) or drop --no-rebind",
		       h->bdf, drv[0] ? drv : "no driver", h->bdf);
		return -EPERM;
	}
	if (host_load_vfio_pci(fs)) {
		pr_err("the vfio-pci driver is missing: load it (modprobe vfio-pci; kernel option CONFIG_VFIO_PCI)");
		return -ENOENT;
	}
	h->changed = true;
	ret = sysfs_write(fs, VFIO_PCI_DRIVER, "bus/pci/devices/%s/driver_override", h->bdf, NULL);
	if (ret) {
		pr_err("%s: cannot set driver_override: %s; run as root", h->bdf, strerror(-ret));
		goto out_restore;
	}
	if (drv[0]) {
		ret = sysfs_write(fs, h->bdf, "bus/pci/drivers/%s/unbind", drv, NULL);
		if (ret) {
			pr_err("%s: cannot unbind it from %s: %s", h->bdf, drv, strerror(-ret));
			goto out_restore;
		}
	}
	ret = sysfs_write(fs, h->bdf, "bus/pci/drivers_probe", NULL, NULL);
	if (!ret)
		ret = host_pci_driver(fs, h->bdf, drv, sizeof(drv));
	if (ret || strcmp(drv, VFIO_PCI_DRIVER)) {
		pr_err("%s: vfio-pci did not take the device (%s): check dmesg", h->bdf,
		       ret ? strerror(-ret) : drv[0] ? drv : "unbound");
		ret = ret ? ret : -EIO;
		goto out_restore;
	}
	pr_info("%s: moved from %s to vfio-pci", h->bdf, h->orig_driver[0] ? h->orig_driver : "no driver");
	return 0;

out_restore:
	host_pci_restore(fs, h);
	return ret;
}

void host_restore_plan(bool exists, const char *cur_drv, const char *cur_ov, const char *want_drv,
		       const char *want_ov, struct host_restore_plan *p)
{
	memset(p, 0, sizeof(*p));
	if (!exists) {
		p->gone = true;
		return;
	}
	if (strcmp(cur_ov, want_ov)) {
		/* Ours is vfio-pci; any other override was set by someone else since. */
		if (strcmp(cur_ov, VFIO_PCI_DRIVER)) {
			p->foreign_override = true;
			return;
		}
		p->write_override = true;
	}
	if (!strcmp(cur_drv, want_drv))
		return;
	if (!strcmp(cur_drv, VFIO_PCI_DRIVER))
		p->unbind = true;
	else if (cur_drv[0]) {
		p->foreign_driver = true;
		return;
	}
	p->bind = want_drv[0] != 0;
}

/* Is @drv a driver the kernel has (its directory under bus/pci/drivers)? */
static bool host_driver_loaded(const struct host_sysfs *fs, const char *drv)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/bus/pci/drivers/%s", fs->root, drv);
	return !stat(path, &st);
}

int host_pci_restore_to(const struct host_sysfs *fs, const char *bdf, const char *want_drv, const char *want_ov,
			char *msg, size_t len)
{
	char drv[HOST_DRIVER_MAX] = "", ov[HOST_DRIVER_MAX] = "", fix[512];
	struct host_restore_plan p;
	bool exists;
	int ret;
	size_t n = 0;

	exists = !host_pci_driver(fs, bdf, drv, sizeof(drv));
	if (exists)
		host_pci_override(fs, bdf, ov, sizeof(ov));
	host_restore_plan(exists, drv, ov, want_drv, want_ov, &p);
	if (p.gone) {
		snprintf(msg, len, "no longer on the PCI bus: nothing to give back");
		return 0;
	}
	if (p.foreign_override) {
		snprintf(msg, len, "its driver_override is '%s' now, set by someone else: left alone", ov);
		return 0;
	}
	if (p.write_override)
		sysfs_write(fs, want_ov[0] ? want_ov : "\n", "bus/pci/devices/%s/driver_override", bdf, NULL);
	if (p.foreign_driver) {
		snprintf(msg, len, "bound to %s now, by someone else: left alone", drv);
		return 0;
	}
	if (p.unbind)
		sysfs_write(fs, bdf, "bus/pci/drivers/%s/unbind", VFIO_PCI_DRIVER, NULL);
	if (p.bind) {
		ret = sysfs_write(fs, bdf, "bus/pci/drivers/%s/bind", want_drv, NULL);
		/* The driver may refuse an explicit bind a probe lets it take. */
		if (ret && ret != -EBUSY && ret != -EEXIST)
			sysfs_write(fs, bdf, "bus/pci/drivers_probe", NULL, NULL);
	}

	/* As recorded now? */
	if (host_pci_driver(fs, bdf, drv, sizeof(drv))) {
		snprintf(msg, len, "disappeared from the PCI bus while being given back");
		return 0;
	}
	host_pci_override(fs, bdf, ov, sizeof(ov));
	if (!strcmp(drv, want_drv) && !strcmp(ov, want_ov)) {
		if (!p.write_override && !p.unbind && !p.bind)
			snprintf(msg, len, "%s%s, as it was", want_drv[0] ? "already on " : "already unbound",
				 want_drv);
		else if (want_drv[0])
			snprintf(msg, len, "given back to %s", want_drv);
		else
			snprintf(msg, len, "left unbound, as it was");
		return 0;
	}
	/* The commands that would finish the job. */
	fix[0] = 0;
	if (strcmp(ov, want_ov))
		n += snprintf(fix + n, sizeof(fix) - n, "echo %s > /sys/bus/pci/devices/%s/driver_override; ",
			      want_ov[0] ? want_ov : "''", bdf);
	if (drv[0] && strcmp(drv, want_drv))
		n += snprintf(fix + n, sizeof(fix) - n, "echo %s > /sys/bus/pci/drivers/%s/unbind; ", bdf, drv);
	if (want_drv[0] && strcmp(drv, want_drv)) {
		if (!host_driver_loaded(fs, want_drv))
			n += snprintf(fix + n, sizeof(fix) - n, "modprobe %s; ", want_drv);
		n += snprintf(fix + n, sizeof(fix) - n, "echo %s > /sys/bus/pci/drivers/%s/bind; ", bdf, want_drv);
	}
	if (n >= 2 && n < sizeof(fix))
		fix[n - 2] = 0;
	snprintf(msg, len, "could not give it back to %s (now %s%s%s): %s", want_drv[0] ? want_drv : "no driver",
		 drv[0] ? drv : "unbound", strcmp(ov, want_ov) ? ", driver_override " : "",
		 strcmp(ov, want_ov) ? (ov[0] ? ov : "none") : "", fix);
	return -EIO;
}

int host_pci_restore(const struct host_sysfs *fs, struct host_pci *h)
{
	char msg[1024];
	int ret;

	if (!h->changed)
		return 0;
	ret = host_pci_restore_to(fs, h->bdf, h->orig_driver, h->orig_override, msg, sizeof(msg));
	if (ret) {
		dev_warn(h->bdf, "%s", msg);
		return ret; /* still changed: a later call tries again */
	}
	dev_info(h->bdf, "%s", msg);
	h->changed = false;
	return 0;
}

#define CAP_IPC_LOCK_BIT 14

bool host_has_cap_ipc_lock(void)
{
	char line[256];
	unsigned long long caps = 0;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &caps) == 1)
			break;
	fclose(f);
	return caps & (1ULL << CAP_IPC_LOCK_BIT);
}

