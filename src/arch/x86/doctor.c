// SPDX-License-Identifier: GPL-2.0-only
/* doctor on x86: an IOMMU (VT-d/AMD-Vi) with groups, and interrupt remapping for MSIs. */
#include <stdio.h>
#include <string.h>

#include "minivmm/runner/doctor_arch.h"

void doctor_arch_checks(struct doctor *d)
{
	unsigned int groups = doctor_count_dir("/sys/kernel/iommu_groups");
	char line[512], param[8] = "N";
	bool ir = false;
	FILE *f;

	doctor_verdict(d, groups > 0, true, "iommu",
		       "boot the host with intel_iommu=on (or amd_iommu=on) and enable VT-d/AMD-Vi in the firmware",
		       groups ? "%u IOMMU groups" : "no IOMMU groups: the IOMMU is absent or disabled", groups);
	/* Remapped interrupts show up as IR-PCI-MSI/IR-IO-APIC chips. */
	f = fopen("/proc/interrupts", "re");
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, " IR-"))
			ir = true;
	if (f)
		fclose(f);
	doctor_read_line("/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts", param, sizeof(param));
	doctor_verdict(d, ir || param[0] == 'Y', groups > 0, "interrupt remapping",
		       "enable interrupt remapping (intremap=on, x2apic) or, accepting the risk, load vfio_iommu_type1 with allow_unsafe_interrupts=1",
		       ir ? "enabled" : param[0] == 'Y' ? "off, but vfio allows unsafe interrupts" : "off: VFIO will refuse MSI");
}
