// SPDX-License-Identifier: GPL-2.0-only
/* The x86 machine: required KVM capabilities, irqchip + PIT, the kernel. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "minivmm/arch.h"
#include "minivmm/cache.h"
#include "minivmm/config.h"
#include "minivmm/kvm.h"
#include "minivmm/log.h"
#include "minivmm/vm.h"
#include "minivmm/x86/cpu.h"
#include "minivmm/x86/layout.h"
#include "minivmm/x86/machine.h"

/* Capabilities the x86 machine cannot run without, with their names for errors. */
static const struct {
	int cap;
	const char *name;
} required_caps[] = {
	{ KVM_CAP_PIT2, "KVM_CAP_PIT2" },
	{ KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR" },
	{ KVM_CAP_SET_IDENTITY_MAP_ADDR, "KVM_CAP_SET_IDENTITY_MAP_ADDR" },
	{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
};

int arch_kvm_check(int kvm_fd)
{
	for (size_t i = 0; i < sizeof(required_caps) / sizeof(required_caps[0]); i++) {
		if (quiet_ioctl(kvm_fd, KVM_CHECK_EXTENSION, (void *)(long)required_caps[i].cap) <= 0) {
			pr_err("KVM lacks %s, which minivmm needs: use a newer host kernel", required_caps[i].name);
			return -ENOTSUP;
		}
	}
	return 0;
}

int arch_vm_type(int kvm_fd, unsigned long *type)
{
	(void)kvm_fd;
	*type = 0; /* the only x86 VM type minivmm needs: a plain one */
	return 0;
}

/*
 * x2APIC format for KVM's APIC ids and MSI routes: vCPUs above APIC id 254,
 * reached by MSIs with the extended destination ID. Without it the guest is
 * not told of that ID (cpu.c clears the CPUID bit) and 255 vCPUs is the most.
 */
static int machine_x2apic_api(struct vm *vm)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_X2APIC_API,
		.args[0] = KVM_X2APIC_API_USE_32BIT_IDS | KVM_X2APIC_API_DISABLE_BROADCAST_QUIRK,
	};
	int have = quiet_ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, (void *)(long)KVM_CAP_X2APIC_API);

	if (have > 0 && (have & cap.args[0]) == cap.args[0] && !vm_ioctl(vm, KVM_ENABLE_CAP, &cap)) {
		vm->arch->x2apic_api = true;
		return 0;
	}
	if (vm->ncpus > LAYOUT_MAX_XAPIC_CPUS) {
		pr_err("KVM lacks KVM_CAP_X2APIC_API, which vCPUs above APIC id 254 need: use --cpus %d or fewer, or a newer host kernel",
		       LAYOUT_MAX_XAPIC_CPUS);
		return -ENOTSUP;
	}
	return 0;
}

int arch_vm_create(struct vm *vm)
{
	struct kvm_pit_config pit = { .flags = 0 };
	uint64_t ident = LAYOUT_KVM_IDENTITY_MAP;
	int ret;

	vm->arch = calloc(1, sizeof(*vm->arch));
	if (!vm->arch)
		return -ENOMEM;
	ret = vm_ioctl(vm, KVM_SET_IDENTITY_MAP_ADDR, &ident);
	if (!ret)
		ret = vm_ioctl(vm, KVM_SET_TSS_ADDR, (unsigned long)LAYOUT_KVM_TSS);
	if (!ret)
		ret = vm_ioctl(vm, KVM_CREATE_IRQCHIP, 0);
	if (!ret)
		ret = vm_ioctl(vm, KVM_CREATE_PIT2, &pit);
	if (!ret)
		ret = cpu_get_supported(vm);
	if (!ret)
		ret = machine_x2apic_api(vm);
	return ret;
}

int arch_vcpus_created(struct vm *vm)
{
	(void)vm; /* the irqchip and PIT exist since arch_vm_create; nothing waits for the vCPUs */
	return 0;
}

void arch_vm_destroy(struct vm *vm)
{
	if (!vm->arch)
		return;
	free(vm->arch->cpuid);
	free(vm->arch);
	vm->arch = NULL;
}

int arch_kernel_open(struct arch_kernel **out, const struct config *cfg, const char *path, char *err,
		     size_t errlen)
{
	struct arch_kernel *k = calloc(1, sizeof(*k));
	int ret;

	*out = NULL;
	if (!k) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	k->img.fd = -1;
	ret = boot_image_open(&k->img, path, err, errlen);
	if (!ret && cfg->kaslr && k->img.direct) {
		snprintf(err, errlen,
			 "--kaslr needs a bzImage: a vmlinux ELF runs where it was linked; drop --kaslr or pass the bzImage");
		ret = -EINVAL;
	}
	if (ret) {
		arch_kernel_close(k);
		return ret;
	}
	if (!cfg->kaslr) {
		char cache[PATH_MAX];

		cache_dir(cache, sizeof(cache));
		boot_image_use_vmlinux(&k->img, cache, true); /* else: the bzImage way */
	}
	*out = k;
	return 0;
}

int arch_kernel_check(struct vm *vm, struct arch_kernel *k, const char *cmdline, const char *initrd)
{
	return boot_check(&vm->mem, &k->img, cmdline, initrd);
}

int arch_kernel_load(struct vm *vm, struct arch_kernel *k, const char *cmdline, const char *initrd)
{
	int ret;

	vm->arch->entry = boot_entry(&k->img);
	ret = boot_load(&vm->mem, &k->img, cmdline, initrd, vm->arch->rsdp);
	/* The GDT and page tables the boot CPU starts on were written just now. */
	if (!ret)
		ret = cpu_set_long_mode(&vm->vcpus[0], vm->arch->entry, LAYOUT_ZERO_PAGE);
	return ret;
}

void arch_kernel_close(struct arch_kernel *k)
{
	if (!k)
		return;
	boot_image_close(&k->img);
	free(k);
}
