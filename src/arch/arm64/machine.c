// SPDX-License-Identifier: GPL-2.0-only
/*
 * The arm64 machine: required KVM capabilities, the IPA size, the vGICv3
 * and ITS, and the kernel: an Image (a compressed one or an EFI zboot
 * vmlinuz.efi is decompressed once into the cache), loaded at RAM base +
 * text_offset with the initrd below the device tree at the top of RAM.
 */
#define _GNU_SOURCE /* memfd_create */
#include <errno.h>
#include <linux/kvm.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "minivmm/arch.h"
#include "minivmm/arm64/board.h"
#include "minivmm/arm64/fdt.h"
#include "minivmm/arm64/layout.h"
#include "minivmm/arm64/machine.h"
#include "minivmm/cache.h"
#include "minivmm/config.h"
#include "minivmm/fileio.h"
#include "minivmm/kvm.h"
#include "minivmm/log.h"
#include "minivmm/vm.h"

/* Capabilities the arm64 machine cannot run without, with their names for errors. */
static const struct {
	int cap;
	const char *name;
} required_caps[] = {
	{ KVM_CAP_ARM_PSCI_0_2, "KVM_CAP_ARM_PSCI_0_2" },
	{ KVM_CAP_DEVICE_CTRL, "KVM_CAP_DEVICE_CTRL" },
	{ KVM_CAP_ONE_REG, "KVM_CAP_ONE_REG" },
	{ KVM_CAP_MP_STATE, "KVM_CAP_MP_STATE" },
};

/* Part of the cache key: a new format of the cached Image gets new names. */
#define CACHE_FORMAT "arm64-Image-1"
/* KVM's IPA size when KVM_CAP_ARM_VM_IPA_SIZE is absent (type 0). */
#define KVM_DEFAULT_IPA_BITS 40
/* Largest Image we decompress (Debian's is 33 MiB). */
#define IMAGE_MAX_SIZE (1ULL * GiB)

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
	unsigned int need = arm64_ipa_bits();
	int max = quiet_ioctl(kvm_fd, KVM_CHECK_EXTENSION, (void *)(long)KVM_CAP_ARM_VM_IPA_SIZE);

	if (max <= 0) { /* a KVM older than 4.20: 40 bits, take it or leave it */
		*type = 0;
		if (need <= KVM_DEFAULT_IPA_BITS)
			return 0;
		max = KVM_DEFAULT_IPA_BITS;
	}
	if ((unsigned int)max < need) {
		pr_err("this host gives guests %d physical address bits, minivmm's memory map needs %u: use a host CPU with a larger physical address range",
		       max, need);
		return -ENOTSUP;
	}
	*type = KVM_VM_TYPE_ARM_IPA_SIZE(need);
	return 0;
}

int arch_vm_create(struct vm *vm)
{
	struct arch_vm *a = calloc(1, sizeof(*a));
	int ret;

	if (!a)
		return -ENOMEM;
	a->gic.gic_fd = a->gic.its_fd = -1;
	vm->arch = a;
	a->mpidr = calloc(vm->ncpus, sizeof(*a->mpidr));
	if (!a->mpidr)
		return -ENOMEM;
	ret = arm64_gic_create(&a->gic, vm->vm_fd, vm->ncpus);
	if (ret)
		return ret;
	/* MSIs of assigned devices reach the ITS with their requester ID. */
	if (quiet_ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, (void *)(long)KVM_CAP_MSI_DEVID) <= 0) {
		pr_err("KVM lacks KVM_CAP_MSI_DEVID with an ITS, which MSIs through the GIC ITS need: use a newer host kernel");
		return -ENOTSUP;
	}
	return 0;
}

int arch_vcpus_created(struct vm *vm)
{
	return arm64_gic_init(&vm->arch->gic);
}

void arch_vm_destroy(struct vm *vm)
{
	if (!vm->arch)
		return;
	arm64_gic_destroy(&vm->arch->gic);
	free(vm->arch->mpidr);
	free(vm->arch);
	vm->arch = NULL;
}

/* ---- The kernel ---- */

/* Decode a compressed Image to @fd; 0 or -errno with the reason in @err. */
static int image_decode(const uint8_t *payload, size_t n, enum decomp_format f, int fd, char *err, size_t errlen)
{
	char why[256];
	uint64_t size = 0;
	int ret;

	if (isatty(STDERR_FILENO))
		fprintf(stderr, "minivmm: decompressing the kernel (%s) into the cache, once...\r", decomp_name(f));
	ret = decomp_to_fd(f, payload, n, fd, IMAGE_MAX_SIZE, &size, why, sizeof(why));
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\033[K");
	if (ret)
		snprintf(err, errlen, "decompressing the %s-compressed kernel failed: %s", decomp_name(f), why);
	else
		pr_info("kernel decompressed: %llu MiB", (unsigned long long)(size >> 20));
	return ret;
}

/*
 * The Image inside a compressed file or zboot image: from the cache, else
 * decoded into it (or into memory when the cache cannot be written).
 * Returns an fd of the Image, or -errno with the reason in @err.
 */
static int image_unpack(const char *path, int fd, uint64_t size, const struct arm64_kernel_file *kf, char *err,
			size_t errlen)
{
	char dir[PATH_MAX], cached[PATH_MAX + 64], tmp[PATH_MAX + 96];
	const uint8_t *map, *payload;
	enum decomp_format f;
	int out, ret;

	cache_dir(dir, sizeof(dir));
	snprintf(cached, sizeof(cached), "%s/Image-%016llx", dir,
		 (unsigned long long)cache_hash_file(cache_hash_str(CACHE_HASH_INIT, CACHE_FORMAT), path));
	out = open(cached, O_RDONLY | O_CLOEXEC);
	if (out >= 0)
		return out;
	map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		ret = -errno;
		snprintf(err, errlen, "cannot map %s: %s", path, strerror(errno));
		return ret;
	}
	payload = map + kf->payload_offset;
	f = kf->kind == ARM64_KERNEL_ZBOOT ? decomp_detect(payload, kf->payload_size) : kf->format;
	if (!decomp_supported(f)) {
		snprintf(err, errlen,
			 "%s holds a %s-compressed Image, which minivmm does not decode: unpack it to a raw Image (e.g. with the kernel's scripts/extract-vmlinux, or build arch/arm64/boot/Image)",
			 path, decomp_name(f));
		munmap((void *)map, size);
		return -ENOEXEC;
	}
	ret = cache_mkdir(dir);
	out = ret ? ret : cache_create(cached, tmp, sizeof(tmp));
	if (out >= 0) {
		ret = image_decode(payload, kf->payload_size, f, out, err, errlen);
		if (close(out) && !ret)
			ret = -errno;
		if (!cache_commit(tmp, cached, !ret) && !ret)
			out = open(cached, O_RDONLY | O_CLOEXEC);
		else
			out = ret ? ret : -EIO;
	} else {
		/* No cache to write: decode into memory for this run. */
		pr_info("cannot write the kernel cache in %s (%s): decompressing into memory", dir, strerror(-out));
		out = memfd_create("minivmm-Image", MFD_CLOEXEC);
		ret = out < 0 ? -errno : image_decode(payload, kf->payload_size, f, out, err, errlen);
		if (ret && out >= 0)
			close(out);
		if (ret)
			out = ret;
	}
	munmap((void *)map, size);
	if (out < 0 && !err[0])
		snprintf(err, errlen, "cannot decompress %s: %s", path, strerror(-out));
	return out;
}

int arch_kernel_open(struct arch_kernel **out, const struct config *cfg, const char *path, char *err,
		     size_t errlen)
{
	uint8_t hdr[ARM64_IMAGE_HEADER_SIZE] = { 0 };
	struct arm64_kernel_file kf;
	struct arch_kernel *k;
	struct stat st;
	int64_t n;
	int fd, ret;

	*out = NULL;
	err[0] = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot open the kernel %s: %s", path, strerror(errno));
		return ret;
	}
	n = fstat(fd, &st) ? -errno : file_pread_full(fd, hdr, sizeof(hdr), 0);
	if (n < 0) {
		snprintf(err, errlen, "cannot read the kernel %s: %s", path, strerror((int)-n));
		close(fd);
		return (int)n;
	}
	arm64_kernel_identify(&kf, hdr, (size_t)n, (uint64_t)st.st_size);
	if (kf.kind == ARM64_KERNEL_UNKNOWN) {
		snprintf(err, errlen,
			 "%s is not an arm64 kernel (neither an Image, a compressed Image nor an EFI zboot vmlinuz.efi): pass arch/arm64/boot/Image",
			 path);
		close(fd);
		return -ENOEXEC;
	}
	if (kf.kind != ARM64_KERNEL_IMAGE) {
		int img = image_unpack(path, fd, (uint64_t)st.st_size, &kf, err, errlen);

		close(fd);
		if (img < 0)
			return img;
		fd = img;
		n = fstat(fd, &st) ? -errno : file_pread_full(fd, hdr, sizeof(hdr), 0);
		if (n < 0) {
			snprintf(err, errlen, "cannot read the decompressed kernel: %s", strerror((int)-n));
			close(fd);
			return (int)n;
		}
	}
	k = calloc(1, sizeof(*k));
	if (!k) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	k->fd = fd;
	(void)cfg; /* --kaslr is the device tree's (a kaslr-seed), not the kernel file's */
	ret = arm64_image_parse(&k->img, hdr, (size_t)n, (uint64_t)st.st_size, err, errlen);
	if (ret) {
		arch_kernel_close(k);
		return ret;
	}
	*out = k;
	return 0;
}

static int load_file(const struct guest_mem *mem, int fd, uint64_t gpa, uint64_t size, const char *what)
{
	void *dst = mem_gpa_to_hva(mem, gpa, size);
	int64_t n;

	if (!dst)
		return -EFAULT;
	n = file_pread_full(fd, dst, size, 0);
	if (n < 0 || (uint64_t)n != size) {
		pr_err("reading the %s failed: %s", what, n < 0 ? strerror((int)-n) : "file shrank");
		return n < 0 ? (int)n : -EIO;
	}
	return 0;
}

/*
 * Where the initrd of @initrd_size bytes goes (0 bytes: none), below the
 * DTB and above the kernel; -ENOSPC (logged) when RAM does not hold them.
 */
static int kernel_place(const struct vm *vm, const struct arch_kernel *k, uint64_t initrd_size, uint64_t *initrd_start)
{
	const struct mem_region *ram = &vm->mem.region[0];
	uint64_t dtb;
	int ret = arm64_boot_place(ram->gpa, ram->size, k->img.text_offset, k->img.image_size, initrd_size, &dtb,
				   initrd_start);

	if (ret && initrd_size)
		pr_err("%llu MiB of RAM do not hold the kernel (%llu MiB), the initrd (%llu MiB) and the device tree: give more --mem",
		       (unsigned long long)(vm->mem.size >> 20), (unsigned long long)(k->img.image_size >> 20),
		       (unsigned long long)(initrd_size >> 20));
	else if (ret)
		pr_err("%llu MiB of RAM do not hold the kernel (%llu MiB) and the device tree: give more --mem",
		       (unsigned long long)(vm->mem.size >> 20), (unsigned long long)(k->img.image_size >> 20));
	return ret;
}

/* The initrd's size, or -errno (logged). */
static int64_t initrd_file_size(const char *initrd)
{
	struct stat st;

	if (stat(initrd, &st)) {
		int ret = -errno;

		pr_err("cannot open the initrd %s: %s; check the --initrd path", initrd, strerror(errno));
		return ret;
	}
	return st.st_size;
}

int arch_kernel_check(struct vm *vm, struct arch_kernel *k, const char *cmdline, const char *initrd)
{
	int64_t initrd_size = initrd ? initrd_file_size(initrd) : 0;
	uint64_t initrd_start;

	if (initrd_size < 0)
		return (int)initrd_size;
	if (strlen(cmdline) >= LAYOUT_CMDLINE_MAX) {
		pr_err("--cmdline is %zu bytes, an arm64 kernel takes at most %llu: shorten it", strlen(cmdline),
		       LAYOUT_CMDLINE_MAX - 1);
		return -E2BIG;
	}
	return kernel_place(vm, k, (uint64_t)initrd_size, &initrd_start);
}

int arch_kernel_load(struct vm *vm, struct arch_kernel *k, const char *cmdline, const char *initrd)
{
	struct arch_vm *a = vm->arch;
	uint64_t entry = vm->mem.region[0].gpa + k->img.text_offset;
	uint64_t initrd_start = a->dtb_addr, initrd_size = 0;
	long len;
	int ret;

	if (k->img.page_size && !arm64_granule_supported(a->mmfr0, k->img.page_size)) {
		pr_err("the kernel uses %llu KiB pages, which this CPU does not offer its guests: use a kernel built with CONFIG_ARM64_4K_PAGES",
		       (unsigned long long)(k->img.page_size >> 10));
		return -ENOEXEC;
	}
	if (initrd) {
		struct stat st;
		int fd = open(initrd, O_RDONLY | O_CLOEXEC);

		if (fd < 0 || fstat(fd, &st)) {
			ret = -errno;
			pr_err("cannot open the initrd %s: %s", initrd, strerror(errno));
			if (fd >= 0)
				close(fd);
			return ret;
		}
		initrd_size = (uint64_t)st.st_size;
		ret = kernel_place(vm, k, initrd_size, &initrd_start);
		if (!ret)
			ret = load_file(&vm->mem, fd, initrd_start, initrd_size, "initrd");
		close(fd);
		if (ret)
			return ret;
	} else {
		ret = kernel_place(vm, k, 0, &initrd_start);
		if (ret)
			return ret;
	}
	ret = load_file(&vm->mem, k->fd, entry, k->img.file_size, "kernel");
	if (ret)
		return ret;
	len = arm64_fdt_set_chosen(mem_gpa_to_hva(&vm->mem, a->dtb_addr, a->dtb_max), a->dtb_max, cmdline,
				   initrd_start, initrd_start + initrd_size);
	if (len < 0) {
		pr_err("writing the command line into the device tree failed: %s",
		       len == -ENOSPC ? "no room (shorten --cmdline)" : "bad tree");
		return (int)len;
	}
	return arm64_vcpu_boot(&vm->vcpus[0], entry, a->dtb_addr);
}

void arch_kernel_close(struct arch_kernel *k)
{
	if (!k)
		return;
	if (k->fd >= 0)
		close(k->fd);
	free(k);
}
