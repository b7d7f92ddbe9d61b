// SPDX-License-Identifier: GPL-2.0-only
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "minivmm/config.h"
#include "minivmm/runner/doctor.h"
#include "minivmm/runner/doctor_arch.h"
#include "minivmm/runner/kvm_probe.h"
#include "minivmm/vfio/claim.h"
#include "minivmm/vfio/host.h"
#include "minivmm/vfio/restore.h"

struct doctor {
	bool json;
	unsigned int failed, n;
	const struct host_sysfs *fs;
};

/* JSON string body of @s: quotes, backslashes and control characters escaped. */
static void json_escape(const char *s, char *out, size_t len)
{
	size_t o = 0;

	for (; *s && o + 7 < len; s++) {
		unsigned char ch = *s;

		if (ch == '"' || ch == '\\')
			o += snprintf(out + o, len - o, "\\%c", ch);
		else if (ch < 0x20)
			o += snprintf(out + o, len - o, "\\u%04x", ch);
		else
			out[o++] = ch;
	}
	out[o] = 0;
}

void doctor_verdict(struct doctor *d, bool ok, bool needed, const char *name, const char *fix, const char *fmt, ...)
{
	char detail[512], e1[1100], e2[600], e3[1100];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (!ok && needed)
		d->failed++;
	if (d->json) {
		json_escape(name, e2, sizeof(e2));
		json_escape(detail, e1, sizeof(e1));
		json_escape(fix && !ok ? fix : "", e3, sizeof(e3));
		printf("%s{\"check\": \"%s\", \"ok\": %s, \"needed\": %s, \"detail\": \"%s\", \"fix\": \"%s\"}",
		       d->n ? ", " : "", e2, ok ? "true" : "false", needed ? "true" : "false", e1, e3);
	} else {
		printf("%-5s %s: %s\n", ok ? "ok" : needed ? "FAIL" : "warn", name, detail);
		if (!ok && fix)
			printf("      fix: %s\n", fix);
	}
	d->n++;
}

bool doctor_read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	bool ok = f && fgets(buf, len, f);

	if (f)
		fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = 0;
	return ok;
}

static void check_kvm(struct doctor *d)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC), api;

	if (fd < 0 && errno == ENOENT) {
		const struct kvm_impl *impl = kvm_impl_detect("/sys");
		char loaded[64] = "";

		if (impl)
			snprintf(loaded, sizeof(loaded), " (the KVM module loaded is %s)", impl->module);
		doctor_verdict(d, false, true, "kvm", kvm_no_device_fix(impl), "/dev/kvm: %s%s", strerror(ENOENT),
			       loaded);
		return;
	}
	if (fd < 0) {
		doctor_verdict(d, false, true, "kvm", "run as root or join the kvm group", "/dev/kvm: %s",
			       strerror(errno));
		return;
	}
	api = ioctl(fd, KVM_GET_API_VERSION, 0);
	doctor_verdict(d, api == KVM_API_VERSION, true, "kvm", "use a newer host kernel",
		"/dev/kvm usable, API version %d", api);
	close(fd);
}

/* Opening /dev/kvm is not enough: run a guest through what a stock kernel does first. */
static void check_kvm_guest(struct doctor *d)
{
	const struct kvm_impl *impl = kvm_impl_detect("/sys");
	char detail[512], fix[400];
	struct probe_result r;
	int ret = kvm_probe_run(&r);
	bool ok;

	if (ret < 0) {
		doctor_verdict(d, false, true, "KVM runs a guest", "free some memory and run minivmm doctor again",
			"could not run the probe guest: %s", strerror(-ret));
		return;
	}
	ok = kvm_probe_report(&r, impl, detail, sizeof(detail), fix, sizeof(fix));
	doctor_verdict(d, ok, true, "KVM runs a guest", fix, "%s", detail);
}

unsigned int doctor_count_dir(const char *path)
{
	DIR *dir = opendir(path);
	struct dirent *de;
	unsigned int n = 0;

	while (dir && (de = readdir(dir)))
		n += de->d_name[0] != '.';
	if (dir)
		closedir(dir);
	return n;
}

static void check_vfio(struct doctor *d)
{
	struct stat st;
	bool dev = !stat("/dev/vfio/vfio", &st);
	bool drv = !stat("/sys/bus/pci/drivers/vfio-pci", &st);

	doctor_verdict(d, dev && drv, true, "vfio", "modprobe vfio-pci vfio_iommu_type1 (kernel options CONFIG_VFIO, CONFIG_VFIO_PCI)",
		"%s, %s", dev ? "/dev/vfio/vfio present" : "no /dev/vfio/vfio",
		drv ? "vfio-pci loaded" : "vfio-pci not loaded");
}

static void check_memlock(struct doctor *d, uint64_t mem)
{
	struct rlimit rl;
	bool ok = true;

	if (!getrlimit(RLIMIT_MEMLOCK, &rl) && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < mem &&
	    !host_has_cap_ipc_lock())
		ok = false;
	doctor_verdict(d, ok, true, "memlock", "raise RLIMIT_MEMLOCK (ulimit -l, or memlock in limits.conf) or run as root",
		ok ? "%llu MiB of guest RAM can be locked for DMA" :
		     "RLIMIT_MEMLOCK is below the %llu MiB of guest RAM DMA needs locked",
		(unsigned long long)(mem >> 20));
}

static void check_guest(struct doctor *d)
{
	struct utsname u;
	char path[300];

	uname(&u);
	snprintf(path, sizeof(path), "/boot/vmlinuz-%s", u.release);
	doctor_verdict(d, !access(path, R_OK), false, "host kernel", "pass --kernel, or install the running kernel's image",
		"%s %s (booted when --kernel is not given)", path, access(path, R_OK) ? "unreadable" : "readable");
	doctor_verdict(d, !access("/bin/busybox", X_OK), false, "busybox", "apt-get install busybox-static",
		"/bin/busybox %s (for the zero-config guest)", access("/bin/busybox", X_OK) ? "missing" : "present");
}

static void check_device(struct doctor *d, const char *arg)
{
	char name[64], bdf[PCI_BDF_STRLEN], drv[HOST_DRIVER_MAX], others[512], fix[1024], path[300], rm[128];
	struct pci_bdf b;
	int group;

	snprintf(name, sizeof(name), "device %s", arg);
	if (pci_bdf_parse(arg, &b)) {
		doctor_verdict(d, false, true, name, "write DDDD:BB:DD.F or BB:DD.F as in lspci -D", "not a PCI address");
		return;
	}
	pci_bdf_format(&b, bdf);
	if (host_pci_driver(d->fs, bdf, drv, sizeof(drv))) {
		doctor_verdict(d, false, true, name, "check the address with lspci -D", "no such PCI device");
		return;
	}
	group = host_pci_iommu_group(d->fs, bdf);
	if (group < 0) {
		doctor_verdict(d, false, true, name, "enable the IOMMU (intel_iommu=on / amd_iommu=on)", "no IOMMU group");
		return;
	}
	if (host_group_check(d->fs, group, bdf, others, sizeof(others), fix, sizeof(fix)))
		doctor_verdict(d, false, true, name, fix, "IOMMU group %d also holds %s, on a host driver that uses the group's DMA",
			group, others);
	else
		doctor_verdict(d, true, true, name, NULL, "driver %s, IOMMU group %d is viable", drv[0] ? drv : "none", group);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/reset_method", bdf);
	if (doctor_read_line(path, rm, sizeof(rm)) && rm[0]) {
		doctor_verdict(d, true, false, name, NULL, "reset methods: %s", rm);
	} else {
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/reset", bdf);
		doctor_verdict(d, !access(path, F_OK), false, name, "the device keeps state between runs: power-cycle it if tests disagree",
			access(path, F_OK) ? "no reset method" : "can be reset");
	}
}

/* One state file in /run/minivmm: whose, and is it a leftover? */
static void check_leftover(const char *bdf, void *opaque)
{
	struct doctor *d = opaque;
	char path[PATH_MAX], err[256], name[64], fix[128], drv[HOST_DRIVER_MAX] = "";
	struct dev_state st;
	int holder, res;

	snprintf(name, sizeof(name), "left behind %s", bdf);
	claim_path(CLAIM_DIR, bdf, path, sizeof(path));
	res = claim_peek(path, &st, &holder, err, sizeof(err));
	if (res == CLAIM_GONE)
		return;
	if (res != CLAIM_TAKEN) {
		doctor_verdict(d, false, true, name, "check the device's driver, then remove the file",
			"%s is not a valid minivmm state file: %s", path, res == CLAIM_BAD ? err : strerror(-res));
		return;
	}
	if (holder || claim_judge_now(&st) == CLAIM_LIVE) {
		snprintf(name, sizeof(name), "assigned %s", bdf);
		doctor_verdict(d, true, false, name, NULL, "in use by minivmm pid %d (it gives it back to %s at exit)",
			holder ? holder : st.pid, st.driver[0] ? st.driver : "no driver");
		return;
	}
	snprintf(fix, sizeof(fix), "minivmm restore %s", bdf);
	if (claim_judge_now(&st) == CLAIM_STALE) {
		doctor_verdict(d, false, false, name, fix, "a state file from an earlier boot (minivmm pid %d)", st.pid);
		return;
	}
	if (host_pci_driver(d->fs, bdf, drv, sizeof(drv)))
		snprintf(drv, sizeof(drv), "no longer on the PCI bus");
	doctor_verdict(d, false, true, name, fix, "minivmm pid %d ended without giving it back: it is on %s, it was on %s",
		st.pid, drv[0] ? drv : "no driver", st.driver[0] ? st.driver : "no driver");
}

int doctor_main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "mem", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct host_sysfs sysfs = { .root = "/sys" };
	struct doctor d = { .fs = &sysfs };
	uint64_t mem = CONFIG_DEFAULT_MEM;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': d.json = true; break;
		case 'm':
			if (config_parse_size(optarg, &mem)) {
				fprintf(stderr, "minivmm: error: --mem '%s' is not a size: give e.g. --mem 4G\n", optarg);
				return EXIT_VMM_ERROR;
			}
			break;
		case 'h':
			printf("Usage: minivmm doctor [--json] [--mem SIZE] [BDF...]\n"
			       "Check KVM (and that it runs a tiny guest), the IOMMU, interrupt remapping, VFIO,\n"
			       "RLIMIT_MEMLOCK against SIZE and each device's IOMMU group and reset method.\n"
			       "Status 0 when all is ready.\n");
			return 0;
		default:
			fprintf(stderr, "minivmm: error: unknown doctor option: see minivmm doctor --help\n");
			return EXIT_VMM_ERROR;
		}
	}
	if (d.json)
		printf("{\"checks\": [");
	check_kvm(&d);
	check_kvm_guest(&d);
	doctor_arch_checks(&d);
	check_vfio(&d);
	check_memlock(&d, mem);
	check_guest(&d);
	restore_scan(CLAIM_DIR, check_leftover, &d);
	for (int i = optind; i < argc; i++)
		check_device(&d, argv[i]);
	if (d.json)
		printf("], \"ok\": %s}\n", d.failed ? "false" : "true");
	else
		printf("%s\n", d.failed ? "minivmm doctor: not ready (see the fixes above)" : "minivmm doctor: ready");
	return d.failed ? 1 : 0;
}
