// SPDX-License-Identifier: GPL-2.0-only
/*
 * doctor on arm64: an SMMU with IOMMU groups, the host's GIC ITS (which
 * isolates device MSIs, as interrupt remapping does on x86; VFIO refuses
 * MSIs without it), and KVM_CAP_MSI_DEVID on a VM with minivmm's vGICv3
 * and ITS (the guest's MSIs carry device IDs).
 */
#include <errno.h>
#include <linux/kvm.h>
#include <fcntl.h>
#include <glob.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "minivmm/arm64/gic.h"
#include "minivmm/kvm.h"
#include "minivmm/runner/doctor_arch.h"

/* ACPI MADT (/sys/firmware/acpi/tables/APIC): subtables after a 44-byte
 * header and 8 bytes of fields; type 0xf is a GIC ITS (ACPI 6.x 5.2.12.18). */
#define MADT_SUBTABLES 44
#define MADT_TYPE_GIC_ITS 0x0f

/* The SMMU instances the kernel registered (arm-smmu-v3: smmu3.ADDR, arm-smmu: smmu.ADDR). */
static unsigned int count_smmus(char *names, size_t len)
{
	glob_t g;
	unsigned int n = 0;
	size_t o = 0;

	names[0] = 0;
	if (glob("/sys/class/iommu/smmu*", 0, NULL, &g))
		return 0;
	for (size_t i = 0; i < g.gl_pathc; i++, n++) {
		const char *base = strrchr(g.gl_pathv[i], '/') + 1;
		int w = snprintf(names + o, len - o, "%s%s", o ? ", " : "", base);

		if (w > 0 && (size_t)w < len - o)
			o += (size_t)w;
	}
	globfree(&g);
	return n;
}

static bool dt_has_its(void)
{
	static const char *const patterns[] = { "/proc/device-tree/*/compatible", "/proc/device-tree/*/*/compatible" };
	static const char want[] = "arm,gic-v3-its";
	bool found = false;

	for (size_t p = 0; !found && p < sizeof(patterns) / sizeof(patterns[0]); p++) {
		glob_t g;

		if (glob(patterns[p], 0, NULL, &g))
			continue;
		for (size_t i = 0; !found && i < g.gl_pathc; i++) {
			char buf[256];
			int fd = open(g.gl_pathv[i], O_RDONLY | O_CLOEXEC);
			ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

			if (fd >= 0)
				close(fd);
			if (n <= 0)
				continue;
			/* A list of NUL-terminated strings. */
			buf[n] = 0;
			for (const char *c = buf; !found && c < buf + n; c += strlen(c) + 1)
				found = !strcmp(c, want);
		}
		globfree(&g);
	}
	return found;
}

static bool acpi_has_its(void)
{
	uint8_t madt[16384];
	int fd = open("/sys/firmware/acpi/tables/APIC", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, madt, sizeof(madt)) : -1;
	bool found = false;

	if (fd >= 0)
		close(fd);
	for (ssize_t o = MADT_SUBTABLES; o + 2 <= n && madt[o + 1] >= 2; o += madt[o + 1])
		found |= madt[o] == MADT_TYPE_GIC_ITS;
	return found;
}

/* A VM with minivmm's GIC: does KVM take MSIs with device IDs there? */
static int kvm_msi_devid(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC), vm, ret;
	struct arm64_gic gic = { .gic_fd = -1, .its_fd = -1 };

	if (kvm < 0)
		return -errno;
	vm = quiet_ioctl(kvm, KVM_CREATE_VM, 0);
	ret = vm < 0 ? vm : arm64_gic_create(&gic, vm, 1);
	if (!ret)
		ret = quiet_ioctl(vm, KVM_CHECK_EXTENSION, (void *)(long)KVM_CAP_MSI_DEVID);
	arm64_gic_destroy(&gic);
	if (vm >= 0)
		close(vm);
	close(kvm);
	return ret;
}

void doctor_arch_checks(struct doctor *d)
{
	unsigned int groups = doctor_count_dir("/sys/kernel/iommu_groups"), smmus;
	char names[256], param[8] = "N";
	bool its = dt_has_its() || acpi_has_its();
	int devid;

	smmus = count_smmus(names, sizeof(names));
	doctor_verdict(d, smmus > 0 && groups > 0, true, "iommu",
		       "enable the SMMU in the firmware (device tree or ACPI IORT) with CONFIG_ARM_SMMU_V3; on QEMU: -machine virt,iommu=smmuv3 with the devices on pcie.0",
		       smmus ? "SMMU %s, %u IOMMU groups" : "no SMMU registered%s, %u IOMMU groups", smmus ? names : "",
		       groups);
	doctor_read_line("/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts", param, sizeof(param));
	doctor_verdict(d, its || param[0] == 'Y', groups > 0, "GIC ITS",
		       "use a host with a GICv3 ITS (on QEMU: -machine virt,gic-version=3) or, accepting the risk, load vfio_iommu_type1 with allow_unsafe_interrupts=1",
		       its ? "present: device MSIs are isolated" :
		       param[0] == 'Y' ? "absent, but vfio allows unsafe interrupts" : "absent: VFIO will refuse MSI");
	devid = kvm_msi_devid();
	doctor_verdict(d, devid > 0, true, "KVM_CAP_MSI_DEVID",
		       "use a host kernel whose KVM emulates the GICv3 ITS (CONFIG_KVM on a GICv3 host)",
		       devid > 0 ? "KVM's ITS takes MSIs with device IDs" :
		       devid < 0 ? "no VM with a vGICv3 and ITS: %s" : "KVM's vGIC does not take MSI device IDs%s",
		       devid < 0 ? strerror(-devid) : "");
}
