// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for src/vfio/host.c: reading a PCI function's driver and
 * IOMMU group from sysfs, checking the group's other members, moving the
 * function to vfio-pci and handing it back.
 *
 * Each test builds a fake sysfs in a mkdtemp() directory with the real
 * layout: devices/pci0000:00/BDF/ holds driver_override and the driver and
 * iommu_group symlinks (../../../bus/pci/drivers/NAME,
 * ../../../kernel/iommu_groups/N), bus/pci/devices/BDF links to it,
 * kernel/iommu_groups/N/devices/BDF link back, and bus/pci/drivers/NAME/
 * holds plain bind and unbind files.
 *
 * host.c is compiled into this test (it is not in the pure test library)
 * with two of its calls redirected:
 *  - write() goes to fake_write(), which records every sysfs write and
 *    gives the files sysfs semantics (each write replaces the value). With
 *    fk.kernel set it also plays the kernel: unbind drops the driver link,
 *    bind and drivers_probe create one (honouring driver_override);
 *    without it nothing ever rebinds, like a plain directory tree.
 *  - fork() goes to fake_fork(), which fails: modprobe is never run.
 */
#define _GNU_SOURCE /* nftw() */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "minivmm/log.h"
#include "minivmm/vfio/claim.h"
#include "minivmm/vfio/host.h"
#include "minivmm/vfio/restore.h"

static ssize_t fake_write(int fd, const void *buf, size_t n);
static pid_t fake_fork(void);

#define write fake_write
#define fork fake_fork
#include "../../src/vfio/host.c"
#undef write
#undef fork
#include "../../src/vfio/restore.c"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define DEV "0000:03:00.0"     /* the function being assigned */
#define DEVDIR "devices/pci0000:00/" DEV

struct wlog {
	char path[256];              /* relative to the fake root, links resolved */
	char val[64];
};

static struct {
	char root[PATH_MAX];
	struct host_sysfs fs;
	bool kernel;                 /* emulate the kernel's reactions */
	struct wlog log[32];
	unsigned int nlog;
	char fail_path[256];         /* writes to this path fail with fail_errno */
	int fail_errno;
	unsigned int forks;
	struct {
		char bdf[16], drv[HOST_DRIVER_MAX];
	} native[16];                /* what drivers_probe binds without an override */
	unsigned int nnative;
} fk;

/* ---- Fake tree ---- */

static void __attribute__((format(printf, 2, 3))) rootpath(char *out, const char *fmt, ...)
{
	char rel[PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	assert_true((size_t)snprintf(out, PATH_MAX, "%s/%s", fk.root, rel) < PATH_MAX);
}

static void mkdirs(const char *rel)
{
	char p[PATH_MAX];

	rootpath(p, "%s", rel);
	for (char *s = p + strlen(fk.root) + 1; (s = strchr(s, '/')); s++) {
		*s = 0;
		assert_true(!mkdir(p, 0755) || errno == EEXIST);
		*s = '/';
	}
	assert_true(!mkdir(p, 0755) || errno == EEXIST);
}

static void mkfile(const char *rel, const char *content)
{
	char p[PATH_MAX];
	FILE *f;

	rootpath(p, "%s", rel);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static const char *slurp(const char *rel)
{
	static char buf[256];
	char p[PATH_MAX];
	FILE *f;
	size_t n;

	rootpath(p, "%s", rel);
	f = fopen(p, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	return buf;
}

static bool exists(const char *rel)
{
	char p[PATH_MAX];
	struct stat st;

	rootpath(p, "%s", rel);
	return !lstat(p, &st);
}

static void add_driver(const char *name)
{
	char rel[PATH_MAX];

	snprintf(rel, sizeof(rel), "bus/pci/drivers/%s", name);
	mkdirs(rel);
	snprintf(rel, sizeof(rel), "bus/pci/drivers/%s/bind", name);
	mkfile(rel, "");
	snprintf(rel, sizeof(rel), "bus/pci/drivers/%s/unbind", name);
	mkfile(rel, "");
}

/* Current driver of @bdf per the fake tree's link, "" if none. */
static const char *cur_driver(const char *bdf)
{
	static char name[HOST_DRIVER_MAX];
	char p[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	rootpath(p, "devices/pci0000:00/%s/driver", bdf);
	n = readlink(p, target, sizeof(target) - 1);
	if (n < 0)
		return "";
	target[n] = 0;
	snprintf(name, sizeof(name), "%s", strrchr(target, '/') + 1);
	return name;
}

static void link_driver(const char *bdf, const char *drv)
{
	char p[PATH_MAX], target[PATH_MAX];
	struct stat st;

	rootpath(p, "devices/pci0000:00/%s/driver", bdf);
	snprintf(target, sizeof(target), "../../../bus/pci/drivers/%s", drv);
	assert_int_equal(symlink(target, p), 0);
	/* The link resolves like sysfs's, through bus/pci/devices too. */
	rootpath(p, "bus/pci/devices/%s/driver", bdf);
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
}

static void unlink_driver(const char *bdf)
{
	char p[PATH_MAX];

	rootpath(p, "devices/pci0000:00/%s/driver", bdf);
	assert_int_equal(unlink(p), 0);
}

/* A function on bus 0's host bridge; @drv NULL: unbound; @group < 0: no IOMMU. */
static void add_device(const char *bdf, const char *drv, int group)
{
	char rel[PATH_MAX], p[PATH_MAX], target[PATH_MAX];
	struct stat st;

	snprintf(rel, sizeof(rel), "devices/pci0000:00/%s", bdf);
	mkdirs(rel);
	snprintf(rel, sizeof(rel), "devices/pci0000:00/%s/driver_override", bdf);
	mkfile(rel, "(null)\n");
	rootpath(p, "bus/pci/devices/%s", bdf);
	snprintf(target, sizeof(target), "../../../devices/pci0000:00/%s", bdf);
	assert_int_equal(symlink(target, p), 0);
	if (drv) {
		link_driver(bdf, drv);
		assert_true(fk.nnative < ARRAY_SIZE(fk.native));
		snprintf(fk.native[fk.nnative].bdf, sizeof(fk.native[0].bdf), "%s", bdf);
		snprintf(fk.native[fk.nnative].drv, sizeof(fk.native[0].drv), "%s", drv);
		fk.nnative++;
	}
	if (group >= 0) {
		snprintf(rel, sizeof(rel), "kernel/iommu_groups/%d/devices", group);
		mkdirs(rel);
		rootpath(p, "devices/pci0000:00/%s/iommu_group", bdf);
		snprintf(target, sizeof(target), "../../../kernel/iommu_groups/%d", group);
		assert_int_equal(symlink(target, p), 0);
		rootpath(p, "kernel/iommu_groups/%d/devices/%s", group, bdf);
		snprintf(target, sizeof(target), "../../../../devices/pci0000:00/%s", bdf);
		assert_int_equal(symlink(target, p), 0);
		/* Both directions resolve. */
		rootpath(p, "bus/pci/devices/%s/iommu_group/devices/%s/driver_override", bdf, bdf);
		assert_int_equal(stat(p, &st), 0);
	}
}

static int setup(void **state)
{
	const char *tmp = getenv("TMPDIR");
	char tmpl[PATH_MAX];

	(void)state;
	memset(&fk, 0, sizeof(fk));
	snprintf(tmpl, sizeof(tmpl), "%s/minivmm-host-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(tmpl) || !realpath(tmpl, fk.root))
		return -1;
	fk.fs.root = fk.root;
	mkdirs("bus/pci/devices");
	mkdirs("kernel/iommu_groups");
	mkdirs("devices/pci0000:00");
	mkfile("bus/pci/drivers_probe", "");
	add_driver("vfio-pci");
	add_driver("pci-stub");
	add_driver("e1000e");
	add_driver("snd_hda_intel");
	add_driver("xhci_hcd");
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static int teardown(void **state)
{
	struct stat st;

	(void)state;
	assert_int_equal(nftw(fk.root, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
	assert_int_not_equal(lstat(fk.root, &st), 0);
	fk.root[0] = 0;
	return 0;
}

/* ---- Test doubles for host.c's write() and fork() ---- */

static pid_t fake_fork(void)
{
	fk.forks++;
	errno = EAGAIN;
	return -1;
}

static const char *native_driver(const char *bdf)
{
	for (unsigned int i = 0; i < fk.nnative; i++)
		if (!strcmp(fk.native[i].bdf, bdf))
			return fk.native[i].drv;
	return "";
}

static bool device_exists(const char *bdf)
{
	char rel[PATH_MAX];

	snprintf(rel, sizeof(rel), "devices/pci0000:00/%s", bdf);
	return exists(rel);
}

static bool driver_exists(const char *drv)
{
	char rel[PATH_MAX];

	snprintf(rel, sizeof(rel), "bus/pci/drivers/%s", drv);
	return drv[0] && exists(rel);
}

static const char *override_of(const char *bdf)
{
	static char ov[HOST_DRIVER_MAX];
	char rel[PATH_MAX];
	const char *s;
	size_t n;

	snprintf(rel, sizeof(rel), "devices/pci0000:00/%s/driver_override", bdf);
	s = slurp(rel);
	n = strcspn(s, "\n");
	/* An override longer than a driver name cannot be one: fail. */
	assert_true(n < sizeof(ov));
	memcpy(ov, s, n);
	ov[n] = 0;
	return strcmp(ov, "(null)") ? ov : "";
}

/* What the kernel does on a write to @rel; 0 or an errno. */
static int kernel_react(const char *rel, const char *val)
{
	char drv[HOST_DRIVER_MAX] = "";
	const char *ov;

	if (!strcmp(rel, "bus/pci/drivers_probe")) {
		if (!device_exists(val))
			return ENODEV;
		if (cur_driver(val)[0])
			return 0;
		ov = override_of(val);
		snprintf(drv, sizeof(drv), "%s", ov[0] ? ov : native_driver(val));
		if (driver_exists(drv))
			link_driver(val, drv);
		return 0;
	}
	if (sscanf(rel, "bus/pci/drivers/%63[^/]/", drv) == 1) {
		const char *op = rel + strlen("bus/pci/drivers/") + strlen(drv) + 1;

		if (!device_exists(val))
			return ENODEV;
		if (!strcmp(op, "unbind")) {
			if (strcmp(cur_driver(val), drv))
				return ENODEV;
			unlink_driver(val);
		} else if (!strcmp(op, "bind")) {
			if (cur_driver(val)[0])
				return EBUSY;
			ov = override_of(val);
			if (ov[0] && strcmp(ov, drv))
				return ENODEV;
			link_driver(val, drv);
		}
	}
	return 0;
}

static ssize_t fake_write(int fd, const void *buf, size_t n)
{
	char proc[64], abs[PATH_MAX], val[64];
	size_t rl = strlen(fk.root);
	struct wlog *w;
	ssize_t len;
	const char *rel;
	int err = 0;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	len = readlink(proc, abs, sizeof(abs) - 1);
	assert_true(len > 0);
	abs[len] = 0;
	/* host.c writes nowhere but the fake sysfs. */
	assert_memory_equal(abs, fk.root, rl);
	assert_int_equal(abs[rl], '/');
	rel = abs + rl + 1;

	assert_true(n < sizeof(val));
	memcpy(val, buf, n);
	val[n] = 0;
	assert_true(fk.nlog < ARRAY_SIZE(fk.log));
	w = &fk.log[fk.nlog++];
	snprintf(w->path, sizeof(w->path), "%s", rel);
	snprintf(w->val, sizeof(w->val), "%s", val);

	if (fk.fail_path[0] && !strcmp(rel, fk.fail_path))
		err = fk.fail_errno;
	/* Sysfs attributes take each write whole. */
	if (!err && (ftruncate(fd, 0) || pwrite(fd, buf, n, 0) != (ssize_t)n))
		err = errno;
	if (!err && fk.kernel)
		err = kernel_react(rel, val);
	if (err) {
		errno = err;
		return -1;
	}
	return n;
}

static void assert_log(unsigned int i, const char *path, const char *val)
{
	assert_true(i < fk.nlog);
	assert_string_equal(fk.log[i].path, path);
	assert_string_equal(fk.log[i].val, val);
}

static struct host_pci pci(const char *bdf)
{
	struct host_pci h = { 0 };

	snprintf(h.bdf, sizeof(h.bdf), "%s", bdf);
	return h;
}

/* ---- host_pci_driver ---- */

static void test_driver_read(void **state)
{
	char drv[HOST_DRIVER_MAX];

	(void)state;
	add_device(DEV, "e1000e", 3);
	add_device("0000:00:1f.3", NULL, 4);

	memset(drv, 'x', sizeof(drv));
	assert_int_equal(host_pci_driver(&fk.fs, DEV, drv, sizeof(drv)), 0);
	assert_string_equal(drv, "e1000e");
	memset(drv, 'x', sizeof(drv));
	assert_int_equal(host_pci_driver(&fk.fs, "0000:00:1f.3", drv, sizeof(drv)), 0);
	assert_string_equal(drv, "");
	assert_int_equal(host_pci_driver(&fk.fs, "0000:09:00.0", drv, sizeof(drv)), -ENOENT);
	/* Truncated to the buffer, still terminated. */
	memset(drv, 'x', sizeof(drv));
	assert_int_equal(host_pci_driver(&fk.fs, DEV, drv, 4), 0);
	assert_string_equal(drv, "e10");
	assert_int_equal(fk.nlog, 0);
}

/* ---- host_pci_iommu_group ---- */

static void test_iommu_group(void **state)
{
	char p[PATH_MAX];

	(void)state;
	add_device(DEV, "e1000e", 7);
	add_device("0000:00:00.0", NULL, 0);
	add_device("0000:00:02.0", NULL, 123);
	add_device("0000:00:1f.0", "e1000e", -1);
	add_device("0000:00:1f.3", NULL, -1);

	assert_int_equal(host_pci_iommu_group(&fk.fs, DEV), 7);
	assert_int_equal(host_pci_iommu_group(&fk.fs, "0000:00:00.0"), 0);
	assert_int_equal(host_pci_iommu_group(&fk.fs, "0000:00:02.0"), 123);
	/* IOMMU off: no link. */
	assert_int_equal(host_pci_iommu_group(&fk.fs, "0000:00:1f.0"), -ENODEV);
	/* No such device. */
	assert_int_equal(host_pci_iommu_group(&fk.fs, "0000:09:00.0"), -ENODEV);
	/* A link whose name is not a number. */
	rootpath(p, "devices/pci0000:00/0000:00:1f.3/iommu_group");
	assert_int_equal(symlink("../../../kernel/iommu_groups/12x", p), 0);
	assert_int_equal(host_pci_iommu_group(&fk.fs, "0000:00:1f.3"), -ENODEV);
}

/* ---- host_group_check ---- */

static void test_group_check_viable(void **state)
{
	char others[256];

	(void)state;
	add_device(DEV, "e1000e", 5);                 /* self: its driver doesn't count */
	add_device("0000:03:00.1", NULL, 5);          /* unbound */
	add_device("0000:03:00.2", "vfio-pci", 5);
	add_device("0000:03:00.3", "pci-stub", 5);
	add_device("0000:04:00.0", "snd_hda_intel", 6); /* another group */

	memset(others, 'x', sizeof(others));
	assert_int_equal(host_group_check(&fk.fs, 5, DEV, others, sizeof(others), NULL, 0), 0);
	assert_string_equal(others, "");
	/* A group of one. */
	assert_int_equal(host_group_check(&fk.fs, 6, "0000:04:00.0", others, sizeof(others), NULL, 0), 0);
	assert_string_equal(others, "");
	/* A member listed in the group but gone from the bus is skipped. */
	mkfile("kernel/iommu_groups/5/devices/0000:03:00.7", "");
	assert_int_equal(host_group_check(&fk.fs, 5, DEV, others, sizeof(others), NULL, 0), 0);
	/* No such group. */
	assert_int_equal(host_group_check(&fk.fs, 42, DEV, others, sizeof(others), NULL, 0), -ENOENT);
	assert_string_equal(others, "");
}

static void test_group_check_busy(void **state)
{
	static const char a[] = "0000:00:1f.3 (snd_hda_intel)", b[] = "0000:00:14.0 (xhci_hcd)";
	char others[256], small[16];

	(void)state;
	add_device(DEV, "e1000e", 9);
	add_device("0000:00:1f.3", "snd_hda_intel", 9);
	add_device("0000:00:14.0", "xhci_hcd", 9);
	add_device("0000:00:1f.0", "vfio-pci", 9);
	add_device("0000:00:1f.4", NULL, 9);

	assert_int_equal(host_group_check(&fk.fs, 9, DEV, others, sizeof(others), NULL, 0), -EBUSY);
	/* Both offenders, in directory order, ", "-separated; nobody else. */
	assert_int_equal(strlen(others), strlen(a) + 2 + strlen(b));
	assert_non_null(strstr(others, a));
	assert_non_null(strstr(others, b));
	assert_non_null(strstr(others, ", "));
	assert_null(strstr(others, DEV));
	assert_null(strstr(others, "1f.0"));
	assert_null(strstr(others, "1f.4"));

	/* The device itself on a real driver is not an offender... */
	assert_int_equal(host_group_check(&fk.fs, 9, "0000:00:1f.3", others, sizeof(others), NULL, 0), -EBUSY);
	assert_non_null(strstr(others, DEV " (e1000e)"));
	assert_null(strstr(others, "1f.3"));

	/* A short buffer: truncated, terminated, still -EBUSY. */
	memset(small, 'x', sizeof(small));
	assert_int_equal(host_group_check(&fk.fs, 9, DEV, small, sizeof(small), NULL, 0), -EBUSY);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, "0000:00:", 8);
	assert_int_equal(host_group_check(&fk.fs, 9, DEV, small, 1, NULL, 0), -EBUSY);
	assert_string_equal(small, "");
	assert_int_equal(fk.nlog, 0);
}

/* Driver @drv's module @mod, a holder of vfio_pci_core when @on_core (a vfio-pci variant). */
static void add_module(const char *drv, const char *mod, bool on_core)
{
	char rel[PATH_MAX], p[PATH_MAX], target[PATH_MAX];

	snprintf(rel, sizeof(rel), "module/%s", mod);
	mkdirs(rel);
	mkdirs("module/vfio_pci_core/holders");
	rootpath(p, "bus/pci/drivers/%s/module", drv);
	snprintf(target, sizeof(target), "../../../../module/%s", mod);
	assert_int_equal(symlink(target, p), 0);
	if (on_core) {
		rootpath(p, "module/vfio_pci_core/holders/%s", mod);
		snprintf(target, sizeof(target), "../../%s", mod);
		assert_int_equal(symlink(target, p), 0);
	}
}

/* A function its VFIO driver registered (Linux 6.1+: vfio-dev/vfioN). */
static void add_vfio_dev(const char *bdf)
{
	char rel[PATH_MAX];

	snprintf(rel, sizeof(rel), "devices/pci0000:00/%s/vfio-dev/vfio0", bdf);
	mkdirs(rel);
}

static void test_vfio_driver(void **state)
{
	(void)state;
	add_driver("mlx5_vfio_pci");
	add_driver("hisi_acc_vfio_pci");
	add_driver("uio_pci_generic");
	add_device("0000:05:00.0", "vfio-pci", 1);
	add_device("0000:05:00.1", "mlx5_vfio_pci", 2);       /* registered: vfio-dev/ */
	add_vfio_dev("0000:05:00.1");
	add_device("0000:05:00.2", "hisi_acc_vfio_pci", 3);   /* older kernel: module on vfio_pci_core */
	add_module("hisi_acc_vfio_pci", "hisi_acc_vfio_pci", true);
	add_device("0000:05:00.3", "uio_pci_generic", 4);     /* a module, not on vfio_pci_core */
	add_module("uio_pci_generic", "uio_pci_generic", false);
	add_device("0000:05:00.4", "e1000e", 5);              /* built in: no module link */
	add_device("0000:05:00.5", NULL, 6);

	assert_true(host_pci_vfio_driver(&fk.fs, "0000:05:00.0", "vfio-pci"));
	assert_true(host_pci_vfio_driver(&fk.fs, "0000:05:00.1", "mlx5_vfio_pci"));
	assert_true(host_pci_vfio_driver(&fk.fs, "0000:05:00.2", "hisi_acc_vfio_pci"));
	assert_false(host_pci_vfio_driver(&fk.fs, "0000:05:00.3", "uio_pci_generic"));
	assert_false(host_pci_vfio_driver(&fk.fs, "0000:05:00.4", "e1000e"));
	assert_false(host_pci_vfio_driver(&fk.fs, "0000:05:00.5", ""));
	/* Not registered and its module not on vfio_pci_core: no. */
	assert_false(host_pci_vfio_driver(&fk.fs, "0000:05:00.4", "mlx5_vfio_pci"));
	assert_int_equal(fk.nlog, 0);
}

/*
 * The group {root port, device, device's other function}: the root port on
 * pcieport and members on VFIO drivers (variants too) or pci-stub leave it
 * viable, as the kernel's driver_managed_dma does.
 */
static void test_group_check_dma_managed(void **state)
{
	char others[256], fix[256];
	char drv[HOST_DRIVER_MAX];

	(void)state;
	add_driver("pcieport");
	add_driver("mlx5_vfio_pci");
	add_driver("pds_vfio_pci");
	add_device("0000:00:1c.0", "pcieport", 7);
	add_device(DEV, "e1000e", 7);
	add_device("0000:03:00.1", "mlx5_vfio_pci", 7);
	add_vfio_dev("0000:03:00.1");
	add_device("0000:03:00.2", "pds_vfio_pci", 7);
	add_module("pds_vfio_pci", "pds_vfio_pci", true);
	add_device("0000:03:00.3", "pci-stub", 7);
	add_device("0000:03:00.4", NULL, 7);

	memset(fix, 'x', sizeof(fix));
	assert_int_equal(host_group_check(&fk.fs, 7, DEV, others, sizeof(others), fix, sizeof(fix)), 0);
	assert_string_equal(others, "");
	assert_string_equal(fix, "");
	assert_int_equal(host_group_member(&fk.fs, "0000:00:1c.0", drv, sizeof(drv)), HOST_MEMBER_DMA_FREE);
	assert_string_equal(drv, "pcieport");
	assert_int_equal(host_group_member(&fk.fs, "0000:03:00.1", drv, sizeof(drv)), HOST_MEMBER_VFIO);
	assert_int_equal(host_group_member(&fk.fs, "0000:03:00.2", drv, sizeof(drv)), HOST_MEMBER_VFIO);
	assert_int_equal(host_group_member(&fk.fs, "0000:03:00.3", drv, sizeof(drv)), HOST_MEMBER_DMA_FREE);
	assert_int_equal(host_group_member(&fk.fs, "0000:03:00.4", drv, sizeof(drv)), HOST_MEMBER_UNBOUND);
	assert_int_equal(host_group_member(&fk.fs, DEV, drv, sizeof(drv)), HOST_MEMBER_HOST);
	assert_string_equal(drv, "e1000e");
	assert_int_equal(host_group_member(&fk.fs, "0000:03:00.7", drv, sizeof(drv)), HOST_MEMBER_GONE);

	/* Seen from the root port, the e1000e is the one in the way. */
	assert_int_equal(host_group_check(&fk.fs, 7, "0000:00:1c.0", others, sizeof(others), fix, sizeof(fix)),
			 -EBUSY);
	assert_string_equal(others, DEV " (e1000e)");
	assert_string_equal(fix, "assign it too (--assign " DEV ") or unbind it from its host driver (echo " DEV
				 " > /sys/bus/pci/drivers/e1000e/unbind)");
	assert_int_equal(fk.nlog, 0);
}

/* The fix names every offender, each with its own driver. */
static void test_group_check_fix(void **state)
{
	char others[256], fix[512], small[24];

	(void)state;
	add_driver("pcieport");
	add_device("0000:00:1c.0", "pcieport", 9);
	add_device(DEV, "vfio-pci", 9);
	add_device("0000:03:00.1", "snd_hda_intel", 9);
	add_device("0000:03:00.2", "xhci_hcd", 9);

	assert_int_equal(host_group_check(&fk.fs, 9, DEV, others, sizeof(others), fix, sizeof(fix)), -EBUSY);
	/* Directory order is the file system's: either way round. */
	if (strstr(others, "03:00.1") < strstr(others, "03:00.2")) {
		assert_string_equal(others, "0000:03:00.1 (snd_hda_intel), 0000:03:00.2 (xhci_hcd)");
		assert_string_equal(fix, "assign them too (--assign 0000:03:00.1 --assign 0000:03:00.2) or unbind them from their host driver (echo 0000:03:00.1 > /sys/bus/pci/drivers/snd_hda_intel/unbind; echo 0000:03:00.2 > /sys/bus/pci/drivers/xhci_hcd/unbind)");
	} else {
		assert_string_equal(others, "0000:03:00.2 (xhci_hcd), 0000:03:00.1 (snd_hda_intel)");
		assert_string_equal(fix, "assign them too (--assign 0000:03:00.2 --assign 0000:03:00.1) or unbind them from their host driver (echo 0000:03:00.2 > /sys/bus/pci/drivers/xhci_hcd/unbind; echo 0000:03:00.1 > /sys/bus/pci/drivers/snd_hda_intel/unbind)");
	}
	/* A short fix buffer: truncated and terminated. */
	memset(small, 'x', sizeof(small));
	assert_int_equal(host_group_check(&fk.fs, 9, DEV, others, sizeof(others), small, sizeof(small)), -EBUSY);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, "assign them too", 15);
}

/* Sanitizer runtime hooks; present only in sanitized builds. */
extern void __sanitizer_set_report_fd(void *fd) __attribute__((weak));
extern void __sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));

/* A sanitizer abort skips the teardown: remove the fake tree anyway. */
static void remove_tree_on_death(void)
{
	if (fk.root[0])
		nftw(fk.root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * Leave non-zero junk where the next call's locals will live (not
 * instrumented: ASan's redzones would leave the top of the frame untouched).
 */
static void __attribute__((noinline, no_sanitize_address)) dirty_stack(void)
{
	volatile char junk[4096];

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = 'A';
}

/* ---- host_pci_bind_vfio and host_pci_restore ---- */

static void test_bind_missing_device(void **state)
{
	struct host_pci h = pci("0000:09:00.0");

	(void)state;
	assert_int_equal(host_pci_snapshot(&fk.fs, &h), -ENOENT);
	assert_int_equal(host_pci_bind_vfio(&fk.fs, &h, false), -ENOENT);
	assert_false(h.changed);
	assert_int_equal(fk.nlog, 0);
	assert_int_equal(fk.forks, 0);
}

static void test_snapshot(void **state)
{
	struct host_pci h = pci(DEV);

	(void)state;
	add_device(DEV, "e1000e", 3);
	assert_int_equal(host_pci_snapshot(&fk.fs, &h), 0);
	assert_true(h.snapshot);
	assert_string_equal(h.orig_driver, "e1000e");
	/* The kernel's "(null)" is no override. */
	assert_string_equal(h.orig_override, "");
	mkfile(DEVDIR "/driver_override", "pci-stub\n");
	assert_int_equal(host_pci_snapshot(&fk.fs, &h), 0);
	assert_string_equal(h.orig_override, "pci-stub");
	assert_int_equal(fk.nlog, 0);
}

static void test_bind_already_vfio(void **state)
{
	struct host_pci h = pci(DEV);

	(void)state;
	add_device(DEV, "vfio-pci", 3);
	for (int no_rebind = 0; no_rebind < 2; no_rebind++) {
		assert_int_equal(host_pci_bind_vfio(&fk.fs, &h, no_rebind), 0);
		assert_string_equal(h.orig_driver, "vfio-pci");
		assert_false(h.changed);
	}
	/* Nothing to give back either. */
	assert_int_equal(host_pci_restore(&fk.fs, &h), 0);
	assert_int_equal(fk.nlog, 0);
	assert_int_equal(fk.forks, 0);
	assert_string_equal(cur_driver(DEV), "vfio-pci");
	assert_string_equal(slurp(DEVDIR "/driver_override"), "(null)\n");
}

static void test_bind_no_rebind_refuses(void **state)
{
	struct host_pci h = pci(DEV);

	(void)state;
	add_device(DEV, "e1000e", 3);
	assert_int_equal(host_pci_bind_vfio(&fk.fs, &h, true), -EPERM);
	assert_string_equal(h.orig_driver, "e1000e");
	assert_false(h.changed);
	assert_int_equal(fk.nlog, 0);
	assert_int_equal(fk.forks, 0);
	assert_string_equal(cur_driver(DEV), "e1000e");
	assert_string_equal(slurp(DEVDIR "/driver_override"), "(null)\n");
}

/*
 * A plain tree: the writes happen, vfio-pci never shows up, and what did
 * change (the override) is undone; the driver link never moved, so no bind.
 */
static void test_bind_writes_then_undoes(void **state)
{
	struct host_pci h = pci(DEV);

	(void)state;
	add_device(DEV, "e1000e", 3);
	assert_int_equal(host_pci_bind_vfio(&fk.fs, &h, false), -EIO);
	assert_int_equal(fk.nlog, 4);
	assert_log(0, DEVDIR "/driver_override", "vfio-pci");
	assert_log(1, "bus/pci/drivers/e1000e/unbind", DEV);
	assert_log(2, "bus/pci/drivers_probe", DEV);
	assert_log(3, DEVDIR "/driver_override", "\n");
	assert_string_equal(slurp("bus/pci/drivers/vfio-pci/bind"), "");
	assert_string_equal(h.orig_driver, "e1000e");
	assert_false(h.changed);
	assert_int_equal(fk.forks, 0);
}

/* With the kernel emulated: moved to vfio-pci, then given back. */
static void test_bind_and_restore(void **state)
{
	struct host_pci h = pci(DEV);

	(void)state;
	fk.kernel = true;
	add_device(DEV, "e1000e", 3);
	assert_int_equal(host_pci_bind_vfio(&fk.fs, &h, false), 0);
	assert_int_equal(fk.nlog, 3);
	assert_log(0, DEVDIR "/driver_override", "vfio-pci");
	assert_log(1, "bus/pci/drivers/e1000e/unbind", DEV);
	assert_log(2, "bus/pci/drivers_probe", DEV);
	assert_string_equal(cur_driver(DEV), "vfio-pci");
	assert_string_equal(slurp(DEVDIR "/driver_override"), "vfio-pci");
	assert_string_equal(h.orig_driver, "e1000e");
	assert_true(h.changed);
	assert_int_equal(fk.forks, 0);

	assert_int_equal(host_pci_restore(&fk.fs, &h), 0);
	assert_int_equal(fk.nlog, 6);
	assert_log(3, DEVDIR "/driver_override", "\n");
	assert_log(4, "bus/pci/drivers/vfio-pci/unbind", DEV);
	assert_log(5, "bus/pci/drivers/e1000e/bind", DEV);
	assert_string_equal(cur_driver(DEV), "e1000e");
	assert_string_equal(override_of(DEV), "");
	assert_false(h.changed);
	/* Restoring twice does nothing more. */
	assert_int_equal(host_pci_restore(&fk.fs, &h), 0);
	assert_int_equal(fk.nlog, 6);
}

/* An override the function had before is put back, not cleared. */
static void test_restore_keeps_original_override(void **state)
{
	struct host_pci h = pci(DEV);

	(void)state;
	fk.kernel = true;
	add_device(DEV, "e1000e", 3);
	mkfile(DEVDIR "/driver_override", "e1000e\n");
	assert_int_equal(host_pci_bind_vfio(&fk.fs, &h, false), 0);
	assert_string_equal(h.orig_override, "e1000e");
	assert_string_equal(cur_driver(DEV), "vfio-pci");
	assert_int_equal(host_pci_restore(&fk.fs, &h), 0);
	assert_log(3, DEVDIR "/driver_override", "e1000e");
	assert_string_equal(override_of(DEV), "e1000e");
	assert_string_equal(cur_driver(DEV), "e1000e");
}

/*
 * A function on a vfio-pci variant driver is used as it is: nothing written,
 * nothing to give back, still on that driver afterwards (--no-rebind too).
 */
static void test_bind_variant_driver(void **state)
{
	(void)state;
	fk.kernel = true;
	add_driver("mlx5_vfio_pci");
	add_driver("nvgrace_gpu_vfio_pci");
	add_device(DEV, "mlx5_vfio_pci", 3);
	add_vfio_dev(DEV);
	add_device("0000:04:00.0", "nvgrace_gpu_vfio_pci", 4);
	add_module("nvgrace_gpu_vfio_pci", "nvgrace_gpu_vfio_pci", true);

	for (int no_rebind = 0; no_rebind < 2; no_rebind++) {
		struct host_pci h = pci(no_rebind ? "0000:04:00.0" : DEV);

		assert_int_equal(host_pci_bind_vfio(&fk.fs, &h, no_rebind), 0);
		assert_true(h.orig_vfio);
		assert_false(h.changed);
		assert_int_equal(fk.nlog, 0);
		assert_int_equal(host_pci_restore(&fk.fs, &h), 0);
		assert_int_equal(fk.nlog, 0);
	}
	assert_string_equal(cur_driver(DEV), "mlx5_vfio_pci");
	assert_string_equal(cur_driver("0000:04:00.0"), "nvgrace_gpu_vfio_pci");
	assert_string_equal(override_of(DEV), "");
}

static void test_bind_unbound_device(void **state)
{
	struct host_pci h = pci(DEV);

	(void)state;
	fk.kernel = true;
	add_device(DEV, NULL, 3);
	assert_int_equal(host_pci_bind_vfio(&fk.fs, &h, false), 0);
	/* Nothing to unbind first. */
	assert_int_equal(fk.nlog, 2);
	assert_log(0, DEVDIR "/driver_override", "vfio-pci");
	assert_log(1, "bus/pci/drivers_probe", DEV);
	assert_string_equal(cur_driver(DEV), "vfio-pci");
	assert_string_equal(h.orig_driver, "");
	assert_true(h.changed);

	/* Back to unbound: override cleared, vfio-pci unbound, nothing bound. */
	assert_int_equal(host_pci_restore(&fk.fs, &h), 0);
	assert_int_equal(fk.nlog, 4);
	assert_log(2, DEVDIR "/driver_override", "\n");
	assert_log(3, "bus/pci/drivers/vfio-pci/unbind", DEV);
	assert_string_equal(cur_driver(DEV), "");
	assert_false(h.changed);
}

/* A plain tree never rebinds: the restore fails, says so, and can be tried again. */
static void test_restore_failure_kept(void **state)
{
	struct host_pci h = pci(DEV);

	(void)state;
	add_device(DEV, "vfio-pci", 3);
	mkfile(DEVDIR "/driver_override", "vfio-pci\n");
	snprintf(h.orig_driver, sizeof(h.orig_driver), "e1000e");
	h.snapshot = h.changed = true;
	assert_int_equal(host_pci_restore(&fk.fs, &h), -EIO);
	assert_int_equal(fk.nlog, 3);
	assert_log(0, DEVDIR "/driver_override", "\n");
	assert_log(1, "bus/pci/drivers/vfio-pci/unbind", DEV);
	assert_log(2, "bus/pci/drivers/e1000e/bind", DEV);
	assert_true(h.changed);
	/* Again: the override is right by now, the driver still is not. */
	assert_int_equal(host_pci_restore(&fk.fs, &h), -EIO);
	assert_int_equal(fk.nlog, 5);
	assert_log(3, "bus/pci/drivers/vfio-pci/unbind", DEV);
	assert_log(4, "bus/pci/drivers/e1000e/bind", DEV);
	assert_true(h.changed);
}

static void test_restore_falls_back_to_probe(void **state)
{
	struct host_pci h = pci(DEV);

	(void)state;
	fk.kernel = true;
	add_device(DEV, "e1000e", 3);
	assert_int_equal(host_pci_bind_vfio(&fk.fs, &h, false), 0);
	fk.nlog = 0;
	/* The original driver refuses the explicit bind: a probe finds it. */
	snprintf(fk.fail_path, sizeof(fk.fail_path), "bus/pci/drivers/e1000e/bind");
	fk.fail_errno = ENODEV;
	assert_int_equal(host_pci_restore(&fk.fs, &h), 0);
	assert_int_equal(fk.nlog, 4);
	assert_log(2, "bus/pci/drivers/e1000e/bind", DEV);
	assert_log(3, "bus/pci/drivers_probe", DEV);
	assert_string_equal(cur_driver(DEV), "e1000e");
}

static void test_bind_override_not_writable(void **state)
{
	struct host_pci h = pci(DEV);
	char p[PATH_MAX];

	(void)state;
	fk.kernel = true;
	add_device(DEV, "e1000e", 3);
	/* Not root: the write is refused; nothing changed, nothing to undo. */
	snprintf(fk.fail_path, sizeof(fk.fail_path), DEVDIR "/driver_override");
	fk.fail_errno = EACCES;
	assert_int_equal(host_pci_bind_vfio(&fk.fs, &h, false), -EACCES);
	assert_int_equal(fk.nlog, 1);
	assert_false(h.changed);
	assert_string_equal(cur_driver(DEV), "e1000e");
	/* No driver_override at all (old kernel). */
	fk.fail_path[0] = 0;
	rootpath(p, DEVDIR "/driver_override");
	assert_int_equal(unlink(p), 0);
	assert_int_equal(host_pci_bind_vfio(&fk.fs, &h, false), -ENOENT);
	assert_int_equal(fk.nlog, 1);
	assert_false(h.changed);
	assert_string_equal(cur_driver(DEV), "e1000e");
}

static void test_bind_unbind_fails(void **state)
{
	struct host_pci h = pci(DEV);

	(void)state;
	fk.kernel = true;
	add_device(DEV, "e1000e", 3);
	snprintf(fk.fail_path, sizeof(fk.fail_path), "bus/pci/drivers/e1000e/unbind");
	fk.fail_errno = EBUSY;
	assert_int_equal(host_pci_bind_vfio(&fk.fs, &h, false), -EBUSY);
	/* The override is taken back; nothing else was changed. */
	assert_int_equal(fk.nlog, 3);
	assert_log(0, DEVDIR "/driver_override", "vfio-pci");
	assert_log(1, "bus/pci/drivers/e1000e/unbind", DEV);
	assert_log(2, DEVDIR "/driver_override", "\n");
	assert_string_equal(cur_driver(DEV), "e1000e");
	assert_false(h.changed);
}

static void test_bind_vfio_pci_missing(void **state)
{
	struct host_pci h = pci(DEV);
	char p[PATH_MAX];

	(void)state;
	add_device(DEV, "e1000e", 3);
	rootpath(p, "bus/pci/drivers/vfio-pci");
	assert_int_equal(nftw(p, rm_one, 4, FTW_DEPTH | FTW_PHYS), 0);
	/* It tries to load the module (modprobe, faked to fail) and gives up. */
	assert_int_equal(host_pci_bind_vfio(&fk.fs, &h, false), -ENOENT);
	assert_int_equal(fk.forks, 1);
	assert_int_equal(fk.nlog, 0);
	assert_false(h.changed);
	assert_string_equal(cur_driver(DEV), "e1000e");
}

/* ---- host_restore_plan: what a restore does, from what sysfs shows ---- */

struct plan_case {
	bool exists;
	const char *cur_drv, *cur_ov, *want_drv, *want_ov;
	struct host_restore_plan want;
};

static void test_restore_plan(void **state)
{
	static const struct plan_case cases[] = {
		/* Gone from the bus: nothing to do. */
		{ false, "", "", "e1000e", "", { .gone = true } },
		/* As recorded already (killed before changing it, or restored). */
		{ true, "e1000e", "", "e1000e", "", { 0 } },
		{ true, "", "", "", "", { 0 } },
		{ true, "vfio-pci", "", "vfio-pci", "", { 0 } },
		/* Killed while on vfio-pci. */
		{ true, "vfio-pci", "vfio-pci", "e1000e", "", { .write_override = true, .unbind = true, .bind = true } },
		/* ... with an override of its own before: put back, not cleared. */
		{ true, "vfio-pci", "vfio-pci", "e1000e", "e1000e",
		  { .write_override = true, .unbind = true, .bind = true } },
		/* ... that had no driver: left unbound. */
		{ true, "vfio-pci", "vfio-pci", "", "", { .write_override = true, .unbind = true } },
		/* Killed between the unbind from e1000e and the probe. */
		{ true, "", "vfio-pci", "e1000e", "", { .write_override = true, .bind = true } },
		/* Killed after writing the override only. */
		{ true, "e1000e", "vfio-pci", "e1000e", "", { .write_override = true } },
		/* Override back already, still on vfio-pci (a restore killed halfway). */
		{ true, "vfio-pci", "", "e1000e", "", { .unbind = true, .bind = true } },
		/* Someone else's since: hands off. */
		{ true, "pci-stub", "vfio-pci", "e1000e", "", { .write_override = true, .foreign_driver = true } },
		{ true, "pci-stub", "", "e1000e", "", { .foreign_driver = true } },
		{ true, "vfio-pci", "pci-stub", "e1000e", "", { .foreign_override = true } },
		{ true, "e1000e", "igb", "e1000e", "", { .foreign_override = true } },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct plan_case *c = &cases[i];
		struct host_restore_plan p;

		memset(&p, 0xa5, sizeof(p));
		host_restore_plan(c->exists, c->cur_drv, c->cur_ov, c->want_drv, c->want_ov, &p);
		if (p.gone != c->want.gone || p.write_override != c->want.write_override ||
		    p.unbind != c->want.unbind || p.bind != c->want.bind ||
		    p.foreign_override != c->want.foreign_override || p.foreign_driver != c->want.foreign_driver) {
			print_error("case %zu (%s/%s -> %s/%s): gone %d override %d unbind %d bind %d foreign %d/%d\n", i,
				    c->cur_drv, c->cur_ov, c->want_drv, c->want_ov, p.gone, p.write_override, p.unbind,
				    p.bind, p.foreign_override, p.foreign_driver);
			fail();
		}
	}
	assert_int_equal(fk.nlog, 0);
}

/* ---- host_pci_restore_to: the plan carried out on the fake sysfs ---- */

static char msg[1024];

static int restore_to(const char *want_drv, const char *want_ov)
{
	return host_pci_restore_to(&fk.fs, DEV, want_drv, want_ov, msg, sizeof(msg));
}

/* Killed between unbinding e1000e and the probe: bound again, override cleared. */
static void test_restore_to_halfway(void **state)
{
	(void)state;
	fk.kernel = true;
	add_device(DEV, NULL, 3);
	fk.native[fk.nnative++] = (typeof(fk.native[0])){ DEV, "e1000e" };
	mkfile(DEVDIR "/driver_override", "vfio-pci\n");
	assert_int_equal(restore_to("e1000e", ""), 0);
	assert_int_equal(fk.nlog, 2);
	assert_log(0, DEVDIR "/driver_override", "\n");
	assert_log(1, "bus/pci/drivers/e1000e/bind", DEV);
	assert_string_equal(cur_driver(DEV), "e1000e");
	assert_string_equal(msg, "given back to e1000e");
	/* Done: a second call changes nothing and says so. */
	assert_int_equal(restore_to("e1000e", ""), 0);
	assert_int_equal(fk.nlog, 2);
	assert_string_equal(msg, "already on e1000e, as it was");
}

static void test_restore_to_unbound(void **state)
{
	(void)state;
	fk.kernel = true;
	add_device(DEV, "vfio-pci", 3);
	mkfile(DEVDIR "/driver_override", "vfio-pci\n");
	assert_int_equal(restore_to("", ""), 0);
	assert_int_equal(fk.nlog, 2);
	assert_log(0, DEVDIR "/driver_override", "\n");
	assert_log(1, "bus/pci/drivers/vfio-pci/unbind", DEV);
	assert_string_equal(cur_driver(DEV), "");
	assert_string_equal(msg, "left unbound, as it was");
	assert_int_equal(restore_to("", ""), 0);
	assert_string_equal(msg, "already unbound, as it was");
}

static void test_restore_to_foreign(void **state)
{
	(void)state;
	fk.kernel = true;
	add_device(DEV, "pci-stub", 3);
	mkfile(DEVDIR "/driver_override", "vfio-pci\n");
	/* Another driver took it since: only our override goes. */
	assert_int_equal(restore_to("e1000e", ""), 0);
	assert_int_equal(fk.nlog, 1);
	assert_log(0, DEVDIR "/driver_override", "\n");
	assert_string_equal(cur_driver(DEV), "pci-stub");
	assert_non_null(strstr(msg, "bound to pci-stub now, by someone else: left alone"));
	/* Another override: nothing is touched. */
	mkfile(DEVDIR "/driver_override", "pci-stub\n");
	assert_int_equal(restore_to("e1000e", ""), 0);
	assert_int_equal(fk.nlog, 1);
	assert_non_null(strstr(msg, "driver_override is 'pci-stub' now"));
}

/* The original driver is not there any more: -EIO, with the commands. */
static void test_restore_to_fails(void **state)
{
	(void)state;
	fk.kernel = true;
	add_device(DEV, NULL, 3);
	link_driver(DEV, "vfio-pci");
	mkfile(DEVDIR "/driver_override", "vfio-pci\n");
	assert_int_equal(restore_to("igb", ""), -EIO);
	/* Override, unbind; the bind cannot even be opened; a probe finds no driver. */
	assert_int_equal(fk.nlog, 3);
	assert_log(2, "bus/pci/drivers_probe", DEV);
	assert_string_equal(cur_driver(DEV), "");
	assert_string_equal(msg, "could not give it back to igb (now unbound): modprobe igb; echo " DEV
				 " > /sys/bus/pci/drivers/igb/bind");
}

/*
 * The function disappeared (surprise removal, VF destroyed) before it was
 * given back: nothing is written, and the log says why.
 */
static void test_restore_device_gone(void **state)
{
	/* Called through a pointer so it is not inlined into this frame. */
	int (*volatile restore)(const struct host_sysfs *, struct host_pci *) = host_pci_restore;
	struct host_pci h = pci(DEV);
	char p[PATH_MAX], out[PATH_MAX];
	int saved, fd;

	(void)state;
	fk.kernel = true;
	add_device(DEV, "vfio-pci", 3);
	rootpath(p, "bus/pci/devices/" DEV);
	assert_int_equal(unlink(p), 0);
	rootpath(p, DEVDIR);
	assert_int_equal(nftw(p, rm_one, 4, FTW_DEPTH | FTW_PHYS), 0);
	snprintf(h.orig_driver, sizeof(h.orig_driver), "e1000e");
	h.snapshot = h.changed = true;

	/* Capture the message. */
	rootpath(out, "stderr.txt");
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	/* A sanitizer report during the capture still goes to the real stderr. */
	if (__sanitizer_set_report_fd)
		__sanitizer_set_report_fd((void *)(intptr_t)saved);
	assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	close(fd);
	log_set_level(LOG_INFO);
	dirty_stack();
	assert_int_equal(restore(&fk.fs, &h), 0);
	log_set_level(LOG_ERROR);
	assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	if (__sanitizer_set_report_fd)
		__sanitizer_set_report_fd((void *)(intptr_t)STDERR_FILENO);
	close(saved);

	assert_false(h.changed);
	assert_int_equal(fk.nlog, 0);
	assert_string_equal(slurp("stderr.txt"), "minivmm: " DEV ": no longer on the PCI bus: nothing to give back\n");
}

/* ---- State files (src/vfio/claim.c) and restore_device() (src/vfio/restore.c) ---- */

#define DEV2 "0000:04:00.0"

static char statedir[PATH_MAX];
static struct restore_ctx rctx;

static void state_setup(void)
{
	mkdirs("run");
	rootpath(statedir, "run/minivmm");
	rctx.fs = &fk.fs;
	rctx.dir = statedir;
}

static struct dev_state state_of(const char *bdf, const char *drv, const char *ov, int pid,
				 unsigned long long start, const char *boot)
{
	struct dev_state st = { .pid = pid, .starttime = start };

	snprintf(st.bdf, sizeof(st.bdf), "%s", bdf);
	snprintf(st.driver, sizeof(st.driver), "%s", drv);
	snprintf(st.override, sizeof(st.override), "%s", ov);
	if (boot)
		snprintf(st.boot_id, sizeof(st.boot_id), "%s", boot);
	else
		assert_int_equal(claim_boot_id(st.boot_id, sizeof(st.boot_id)), 0);
	return st;
}

/* A state file written by hand (nobody holds its lock). */
static void put_state(const struct dev_state *st)
{
	char text[DEV_STATE_MAX], rel[PATH_MAX];
	int n = dev_state_format(st, text, sizeof(text));

	assert_true(n > 0);
	mkdirs("run/minivmm");
	snprintf(rel, sizeof(rel), "run/minivmm/%s.state", st->bdf);
	mkfile(rel, text);
}

static bool state_exists(const char *bdf)
{
	char rel[PATH_MAX];

	snprintf(rel, sizeof(rel), "run/minivmm/%s.state", bdf);
	return exists(rel);
}

/* The pid of a process that has come and gone. */
static int dead_pid(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	return pid;
}

/* A minivmm killed while the function was on vfio-pci (kernel emulated). */
static void killed_on_vfio(void)
{
	struct host_pci h = pci(DEV);

	fk.kernel = true;
	add_device(DEV, "e1000e", 3);
	assert_int_equal(host_pci_bind_vfio(&fk.fs, &h, false), 0);
	assert_string_equal(cur_driver(DEV), "vfio-pci");
	fk.nlog = 0;
}

static unsigned int dir_entries(void)
{
	DIR *d = opendir(statedir);
	struct dirent *de;
	unsigned int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		n += de->d_name[0] != '.' || (de->d_name[1] && strcmp(de->d_name, ".."));
	closedir(d);
	return n;
}

static void test_claim_create_release(void **state)
{
	struct dev_state st, bad;
	struct dev_claim c, c2;
	char text[DEV_STATE_MAX], rel[PATH_MAX];

	(void)state;
	state_setup();
	assert_int_equal(claim_owner_self(&st), 0);
	st = state_of(DEV, "e1000e", "", st.pid, st.starttime, NULL);
	/* Fields that would not parse back: no file at all. */
	bad = st;
	bad.pid = 0;
	assert_int_equal(claim_create(statedir, &bad, &c), -EINVAL);
	assert_false(c.held);
	assert_false(exists("run/minivmm"));

	assert_int_equal(claim_create(statedir, &st, &c), 0);
	assert_true(c.held);
	assert_true(state_exists(DEV));
	assert_true(dev_state_format(&st, text, sizeof(text)) > 0);
	snprintf(rel, sizeof(rel), "run/minivmm/%s.state", DEV);
	assert_string_equal(slurp(rel), text);
	/* No temporary file stays behind. */
	assert_int_equal(dir_entries(), 1);
	/* A second claim on the same function fails and changes nothing. */
	assert_int_equal(claim_create(statedir, &st, &c2), -EEXIST);
	assert_false(c2.held);
	assert_string_equal(slurp(rel), text);
	assert_int_equal(dir_entries(), 1);
	claim_release(&c);
	assert_false(c.held);
	assert_false(state_exists(DEV));
	assert_int_equal(dir_entries(), 0);
	/* Releasing twice, or a claim never made, is harmless. */
	claim_release(&c);
	claim_drop(&c2);
	assert_int_equal(fk.nlog, 0);
}

/*
 * A child holds the claim (the owner, alive): busy, named by pid. When it
 * dies without giving the function back, the file is a leftover.
 */
static void test_claim_owner_alive_then_killed(void **state)
{
	struct restore_report r;
	int ready[2], go[2], holder;
	struct dev_state st;
	char path[PATH_MAX], err[256], b;
	pid_t child;

	(void)state;
	state_setup();
	killed_on_vfio();
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(go), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct dev_state cs;
		struct dev_claim c;

		/* Never outlive a parent that failed before telling it to go. */
		alarm(20);
		close(ready[0]);
		close(go[1]);
		if (claim_owner_self(&cs))
			_exit(1);
		snprintf(cs.bdf, sizeof(cs.bdf), DEV);
		snprintf(cs.driver, sizeof(cs.driver), "e1000e");
		cs.override[0] = 0;
		if (claim_create(statedir, &cs, &c) || write(ready[1], "x", 1) != 1)
			_exit(1);
		/* "Killed": ends holding it, never releasing. */
		if (read(go[0], &b, 1) < 0)
			_exit(1);
		_exit(0);
	}
	/* Only the child writes ready and reads go: its failure is an EOF here. */
	close(ready[1]);
	close(go[0]);
	assert_int_equal(read(ready[0], &b, 1), 1);

	claim_path(statedir, DEV, path, sizeof(path));
	assert_int_equal(claim_peek(path, &st, &holder, err, sizeof(err)), CLAIM_TAKEN);
	assert_int_equal(holder, child);
	assert_int_equal(st.pid, child);
	assert_int_equal(restore_device(&rctx, DEV, false, 0, NULL, &r), RESTORE_BUSY);
	assert_int_equal(r.st.pid, child);
	snprintf(path, sizeof(path), "in use by minivmm pid %d", (int)child);
	assert_string_equal(r.msg, path);
	assert_int_equal(r.holder, child);
	assert_int_equal(fk.nlog, 0);
	assert_string_equal(cur_driver(DEV), "vfio-pci");
	assert_true(state_exists(DEV));

	assert_int_equal(write(go[1], "x", 1), 1);
	assert_int_equal(waitpid(child, NULL, 0), child);
	assert_int_equal(restore_device(&rctx, DEV, false, 0, NULL, &r), RESTORE_DONE);
	assert_string_equal(r.msg, "given back to e1000e");
	assert_int_equal(r.st.pid, child);
	assert_string_equal(cur_driver(DEV), "e1000e");
	assert_string_equal(override_of(DEV), "");
	assert_false(state_exists(DEV));
	close(ready[0]);
	close(go[1]);
}

/* Someone else (not the owner, who is gone) holds the lock: waited for, then busy. */
static void test_claim_other_restorer(void **state)
{
	struct restore_report r;
	struct dev_state st;
	int ready[2], go[2];
	char path[PATH_MAX], b;
	pid_t child;

	(void)state;
	state_setup();
	killed_on_vfio();
	st = state_of(DEV, "e1000e", "", dead_pid(), 1, NULL);
	put_state(&st);
	claim_path(statedir, DEV, path, sizeof(path));
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(go), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
		int fd = open(path, O_RDWR);

		alarm(20);
		close(ready[0]);
		close(go[1]);
		if (fd < 0 || fcntl(fd, F_SETLK, &fl) || write(ready[1], "x", 1) != 1 || read(go[0], &b, 1) < 0)
			_exit(1);
		_exit(0);
	}
	/* Only the child writes ready and reads go: its failure is an EOF here. */
	close(ready[1]);
	close(go[0]);
	assert_int_equal(read(ready[0], &b, 1), 1);
	assert_int_equal(restore_device(&rctx, DEV, false, 150, NULL, &r), RESTORE_BUSY);
	assert_int_equal(r.holder, child);
	assert_non_null(strstr(r.msg, "held by pid"));
	assert_int_equal(fk.nlog, 0);
	assert_int_equal(write(go[1], "x", 1), 1);
	assert_int_equal(waitpid(child, NULL, 0), child);
	assert_int_equal(restore_device(&rctx, DEV, false, 150, NULL, &r), RESTORE_DONE);
	assert_string_equal(cur_driver(DEV), "e1000e");
	assert_false(state_exists(DEV));
	close(ready[0]);
	close(go[1]);
}

static void test_restore_leftover(void **state)
{
	struct restore_report r;
	struct dev_state st;

	(void)state;
	state_setup();
	killed_on_vfio();
	st = state_of(DEV, "e1000e", "", dead_pid(), 99, NULL);
	put_state(&st);
	assert_int_equal(restore_device(&rctx, DEV, false, 0, NULL, &r), RESTORE_DONE);
	assert_string_equal(r.bdf, DEV);
	assert_string_equal(r.msg, "given back to e1000e");
	assert_int_equal(fk.nlog, 3);
	assert_log(0, DEVDIR "/driver_override", "\n");
	assert_log(1, "bus/pci/drivers/vfio-pci/unbind", DEV);
	assert_log(2, "bus/pci/drivers/e1000e/bind", DEV);
	assert_false(state_exists(DEV));
	/* Nothing left: NONE. */
	assert_int_equal(restore_device(&rctx, DEV, false, 0, NULL, &r), RESTORE_NONE);
	assert_int_equal(fk.nlog, 3);
}

/*
 * SIGKILLed with the function on vfio-pci, its driver_override set by hand
 * before minivmm ran: the give-back (supervisor or minivmm restore) puts
 * that override back, not an empty one.
 */
static void test_restore_leftover_override(void **state)
{
	struct restore_report r;
	struct dev_state st;
	struct host_pci h = pci(DEV);

	(void)state;
	state_setup();
	fk.kernel = true;
	add_device(DEV, "e1000e", 3);
	mkfile(DEVDIR "/driver_override", "e1000e\n");
	assert_int_equal(host_pci_bind_vfio(&fk.fs, &h, false), 0);
	assert_string_equal(cur_driver(DEV), "vfio-pci");
	fk.nlog = 0;
	st = state_of(DEV, h.orig_driver, h.orig_override, dead_pid(), 99, NULL);
	put_state(&st);
	assert_int_equal(restore_device(&rctx, DEV, false, 0, NULL, &r), RESTORE_DONE);
	assert_string_equal(r.msg, "given back to e1000e");
	assert_log(0, DEVDIR "/driver_override", "e1000e");
	assert_string_equal(override_of(DEV), "e1000e");
	assert_string_equal(cur_driver(DEV), "e1000e");
	assert_false(state_exists(DEV));
}

/* Killed while using a function on a variant driver: nothing to do, it stays there. */
static void test_restore_leftover_variant(void **state)
{
	struct restore_report r;
	struct dev_state st;

	(void)state;
	state_setup();
	fk.kernel = true;
	add_driver("mlx5_vfio_pci");
	add_device(DEV, "mlx5_vfio_pci", 3);
	add_vfio_dev(DEV);
	st = state_of(DEV, "mlx5_vfio_pci", "", dead_pid(), 99, NULL);
	put_state(&st);
	assert_int_equal(restore_device(&rctx, DEV, false, 0, NULL, &r), RESTORE_DONE);
	assert_string_equal(r.msg, "already on mlx5_vfio_pci, as it was");
	assert_int_equal(fk.nlog, 0);
	assert_string_equal(cur_driver(DEV), "mlx5_vfio_pci");
	assert_false(state_exists(DEV));
}

/* The recorded pid runs with its start time (here: this very process). */
static void test_restore_live_pid(void **state)
{
	struct restore_report r;
	struct dev_state st;

	(void)state;
	state_setup();
	killed_on_vfio();
	assert_int_equal(claim_owner_self(&st), 0);
	st = state_of(DEV, "e1000e", "", st.pid, st.starttime, NULL);
	put_state(&st);
	assert_int_equal(restore_device(&rctx, DEV, false, 0, NULL, &r), RESTORE_BUSY);
	assert_int_equal(r.holder, getpid());
	assert_int_equal(fk.nlog, 0);
	assert_true(state_exists(DEV));
	/* The same pid with another start time: a reused pid, a leftover. */
	st.starttime++;
	put_state(&st);
	assert_int_equal(restore_device(&rctx, DEV, false, 0, NULL, &r), RESTORE_DONE);
	assert_string_equal(cur_driver(DEV), "e1000e");
	assert_false(state_exists(DEV));
}

static void test_restore_force(void **state)
{
	struct restore_report r;
	struct dev_state st;

	(void)state;
	state_setup();
	killed_on_vfio();
	assert_int_equal(claim_owner_self(&st), 0);
	st = state_of(DEV, "e1000e", "", st.pid, st.starttime, NULL);
	put_state(&st);
	assert_int_equal(restore_device(&rctx, DEV, true, 0, NULL, &r), RESTORE_DONE);
	assert_string_equal(cur_driver(DEV), "e1000e");
	assert_false(state_exists(DEV));
}

static void test_restore_stale(void **state)
{
	struct restore_report r;
	struct dev_state st;

	(void)state;
	state_setup();
	killed_on_vfio();
	st = state_of(DEV, "e1000e", "", dead_pid(), 5, "00000000-0000-4000-8000-000000000000");
	put_state(&st);
	assert_int_equal(restore_device(&rctx, DEV, false, 0, NULL, &r), RESTORE_STALE);
	/* Nothing of an earlier boot is true now: the file goes, the device stays. */
	assert_int_equal(fk.nlog, 0);
	assert_string_equal(cur_driver(DEV), "vfio-pci");
	assert_false(state_exists(DEV));
}

static void test_restore_bad_file(void **state)
{
	struct restore_report r;
	struct dev_state st;

	(void)state;
	state_setup();
	killed_on_vfio();
	mkdirs("run/minivmm");
	mkfile("run/minivmm/" DEV ".state", "minivmm-state=1\nbdf=" DEV "\ndriver=e1000e\n");
	assert_int_equal(restore_device(&rctx, DEV, false, 0, NULL, &r), RESTORE_BAD);
	assert_non_null(strstr(r.msg, "is not a valid minivmm state file (truncated (no override=))"));
	assert_non_null(strstr(r.msg, "remove the file"));
	assert_true(state_exists(DEV));
	/* A file naming another function. */
	st = state_of(DEV2, "e1000e", "", dead_pid(), 5, NULL);
	put_state(&st);
	{
		char from[PATH_MAX], to[PATH_MAX];

		rootpath(from, "run/minivmm/" DEV2 ".state");
		rootpath(to, "run/minivmm/" DEV ".state");
		assert_int_equal(rename(from, to), 0);
	}
	assert_int_equal(restore_device(&rctx, DEV, false, 0, NULL, &r), RESTORE_BAD);
	assert_non_null(strstr(r.msg, "it names " DEV2));
	/* Even --force does not act on a bad file. */
	assert_int_equal(restore_device(&rctx, DEV, true, 0, NULL, &r), RESTORE_BAD);
	assert_int_equal(fk.nlog, 0);
	assert_string_equal(cur_driver(DEV), "vfio-pci");
	assert_true(state_exists(DEV));
}

static void test_restore_failed_keeps_file(void **state)
{
	struct restore_report r;
	struct dev_state st;

	(void)state;
	state_setup();
	killed_on_vfio();
	st = state_of(DEV, "igb", "", dead_pid(), 5, NULL);
	put_state(&st);
	assert_int_equal(restore_device(&rctx, DEV, false, 0, NULL, &r), RESTORE_FAILED);
	assert_non_null(strstr(r.msg, "could not give it back to igb"));
	assert_non_null(strstr(r.msg, "modprobe igb"));
	/* Kept for `minivmm restore` once igb is there. */
	assert_true(state_exists(DEV));
}

/* The supervisor acts on its own VM's files only. */
static void test_restore_owner_filter(void **state)
{
	struct restore_report r;
	struct dev_state st, owner;

	(void)state;
	state_setup();
	killed_on_vfio();
	st = state_of(DEV, "e1000e", "", dead_pid(), 5, NULL);
	put_state(&st);
	owner = st;
	owner.starttime = 6;
	assert_int_equal(restore_device(&rctx, DEV, false, 0, &owner, &r), RESTORE_BUSY);
	assert_non_null(strstr(r.msg, "belongs to another minivmm"));
	assert_int_equal(fk.nlog, 0);
	assert_true(state_exists(DEV));
	owner.starttime = 5;
	assert_int_equal(restore_device(&rctx, DEV, false, 0, &owner, &r), RESTORE_DONE);
	assert_false(state_exists(DEV));
}

static void scan_cb(const char *bdf, void *opaque)
{
	char *seen = opaque;

	strcat(seen, bdf);
	strcat(seen, " ");
}

static void test_restore_scan(void **state)
{
	struct dev_state st;
	char seen[256] = "";

	(void)state;
	state_setup();
	assert_int_equal(restore_scan(statedir, scan_cb, seen), -ENOENT);
	st = state_of(DEV2, "e1000e", "", 10, 5, NULL);
	put_state(&st);
	st = state_of(DEV, "e1000e", "", 10, 5, NULL);
	put_state(&st);
	mkfile("run/minivmm/.0000:05:00.0.77.tmp", "");
	mkfile("run/minivmm/README", "");
	mkfile("run/minivmm/05:00.0.state", "");
	assert_int_equal(restore_scan(statedir, scan_cb, seen), 0);
	assert_string_equal(seen, DEV " " DEV2 " ");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_driver_read),
		T(test_iommu_group),
		T(test_group_check_viable),
		T(test_group_check_busy),
		T(test_vfio_driver),
		T(test_group_check_dma_managed),
		T(test_group_check_fix),
		T(test_bind_missing_device),
		T(test_snapshot),
		T(test_bind_already_vfio),
		T(test_bind_no_rebind_refuses),
		T(test_bind_writes_then_undoes),
		T(test_bind_and_restore),
		T(test_restore_keeps_original_override),
		T(test_bind_variant_driver),
		T(test_bind_unbound_device),
		T(test_restore_failure_kept),
		T(test_restore_falls_back_to_probe),
		T(test_bind_override_not_writable),
		T(test_bind_unbind_fails),
		T(test_bind_vfio_pci_missing),
		T(test_restore_plan),
		T(test_restore_to_halfway),
		T(test_restore_to_unbound),
		T(test_restore_to_foreign),
		T(test_restore_to_fails),
		T(test_restore_device_gone),
		T(test_claim_create_release),
		T(test_claim_owner_alive_then_killed),
		T(test_claim_other_restorer),
		T(test_restore_leftover),
		T(test_restore_leftover_override),
		T(test_restore_leftover_variant),
		T(test_restore_live_pid),
		T(test_restore_force),
		T(test_restore_stale),
		T(test_restore_bad_file),
		T(test_restore_failed_keeps_file),
		T(test_restore_owner_filter),
		T(test_restore_scan),
	};

	/* Expected failures log errors; keep the rest quiet. */
	log_set_level(LOG_ERROR);
	if (__sanitizer_set_death_callback)
		__sanitizer_set_death_callback(remove_tree_on_death);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
