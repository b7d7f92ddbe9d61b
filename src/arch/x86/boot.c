// SPDX-License-Identifier: GPL-2.0-only
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "minivmm/fileio.h"
#include "minivmm/x86/layout.h"
#include "minivmm/log.h"
#include "minivmm/x86/boot.h"

/* Offsets in the bzImage file (Documentation/arch/x86/boot.rst). */
#define BZ_SETUP_SECTS 0x1f1
#define BZ_BOOT_FLAG 0x1fe
#define BZ_HEADER 0x202
#define BZ_HDR_MAGIC 0x53726448 /* "HdrS" */
#define BZ_BOOT_FLAG_MAGIC 0xaa55
#define BZ_MIN_SIZE 0x1000
/* The fix for a file that is no kernel minivmm boots. */
#define KERNEL_FIX "pass the kernel's bzImage (e.g. /boot/vmlinuz-$(uname -r), arch/x86/boot/bzImage) or vmlinux"
/* What the zero page says of a vmlinux ELF, which has no setup header:
 * the values x86_64 bzImages of protocol 2.15 carry (boot.rst). */
#define BOOT_PROTOCOL_VMLINUX 0x020f
#define VMLINUX_CMDLINE_SIZE 2047
#define VMLINUX_INITRD_ADDR_MAX 0x7fffffff
#define VMLINUX_ALIGN 0x200000
/* The 64-bit entry point sits this far into the protected-mode kernel. */
#define BOOT_ENTRY64_OFFSET 0x200

_Static_assert(sizeof(struct boot_params) == 4096, "zero page is one page");

static int check_fail(char *err, size_t errlen, const char *why)
{
	snprintf(err, errlen, "%s", why);
	return -ENOEXEC;
}

int boot_image_check(struct boot_image *img, const uint8_t *data, size_t size, char *err,
		     size_t errlen)
{
	struct setup_header hdr;
	unsigned int sects;

	if (size < BZ_MIN_SIZE)
		return check_fail(err, errlen, "is neither a Linux bzImage (too small) nor an ELF vmlinux: " KERNEL_FIX);
	memcpy(&hdr, data + BZ_SETUP_SECTS, sizeof(hdr));
	if (hdr.header != BZ_HDR_MAGIC || hdr.boot_flag != BZ_BOOT_FLAG_MAGIC)
		return check_fail(err, errlen, "is neither a Linux bzImage (no HdrS boot header) nor an ELF vmlinux: " KERNEL_FIX);
	if (hdr.version < BOOT_PROTOCOL_MIN) {
		snprintf(err, errlen,
			 "uses boot protocol %u.%02u, older than the %u.%02u minivmm needs (64-bit entry): use a Linux 3.8 or newer bzImage",
			 hdr.version >> 8, hdr.version & 0xff, BOOT_PROTOCOL_MIN >> 8,
			 BOOT_PROTOCOL_MIN & 0xff);
		return -ENOEXEC;
	}
	if (!(hdr.xloadflags & XLF_KERNEL_64))
		return check_fail(err, errlen, "has no 64-bit entry point (a 32-bit kernel?): build it for x86_64");
	if (!(hdr.loadflags & LOADED_HIGH))
		return check_fail(err, errlen, "is a zImage that loads low: use a bzImage");
	sects = hdr.setup_sects ? hdr.setup_sects : 4;
	img->setup_size = (size_t)(sects + 1) * 512;
	if (img->setup_size >= size)
		return check_fail(err, errlen, "is truncated (setup larger than file): pass a complete bzImage");
	/* syssize: the protected-mode kernel's length in 16-byte units (a signature may follow). */
	if ((uint64_t)hdr.syssize * 16 > size - img->setup_size) {
		snprintf(err, errlen, "is truncated (%zu of %llu bytes): pass the complete bzImage", size,
			 (unsigned long long)img->setup_size + (uint64_t)hdr.syssize * 16);
		return -ENOEXEC;
	}
	img->data = data;
	img->size = size;
	img->version = hdr.version;
	img->init_size = hdr.init_size;
	img->initrd_addr_max = hdr.initrd_addr_max ? hdr.initrd_addr_max : 0x37ffffff;
	img->cmdline_size = hdr.version >= 0x0206 ? hdr.cmdline_size : 255;
	if (img->init_size < size - img->setup_size)
		img->init_size = size - img->setup_size;
	{
		uint64_t align = hdr.kernel_alignment ? hdr.kernel_alignment : 1;
		uint64_t start = (LAYOUT_KERNEL_START + align - 1) / align * align;

		if (hdr.version >= 0x020a && hdr.pref_address > start)
			start = hdr.pref_address;
		/* Written so that no sum can overflow: a huge pref_address
		 * would wrap the end below the kernel it must cover. */
		if (start > LAYOUT_LOWMEM_END || img->init_size > LAYOUT_LOWMEM_END - start)
			return check_fail(err, errlen,
					  "is damaged: its header asks for memory beyond 3 GiB to decompress (pref_address + init_size): pass an intact bzImage");
		img->kernel_end = start + img->init_size;
	}
	return 0;
}

int boot_image_open(struct boot_image *img, const char *path, char *err, size_t errlen)
{
	uint8_t magic[SELFMAG];
	char why[256];
	struct stat st;
	void *p;
	int ret;

	memset(img, 0, sizeof(*img));
	img->vmlinux.fd = -1;
	img->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (img->fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot open kernel '%s': %s; check the --kernel path", path,
			 strerror(errno));
		return ret;
	}
	if (fstat(img->fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "kernel '%s' is not a regular file: pass a bzImage file", path);
		ret = -EINVAL;
		goto out_close;
	}
	if (file_pread_full(img->fd, magic, sizeof(magic), 0) == sizeof(magic) &&
	    !memcmp(magic, ELFMAG, SELFMAG)) {
		close(img->fd);
		img->fd = -1;
		ret = vmlinux_open(&img->vmlinux, path, why, sizeof(why));
		if (ret) {
			snprintf(err, errlen, "kernel '%s' %s: pass an x86_64 vmlinux or the kernel's bzImage",
				 path, why);
			return ret;
		}
		boot_image_from_vmlinux(img);
		pr_info("booting the vmlinux ELF %s directly (entry %#llx)", path,
			(unsigned long long)img->vmlinux.entry);
		return 0;
	}
	if (st.st_size < BZ_MIN_SIZE) {
		snprintf(err, errlen, "kernel '%s' is neither a Linux bzImage nor an ELF vmlinux (%lld bytes): " KERNEL_FIX,
			 path, (long long)st.st_size);
		ret = -ENOEXEC;
		goto out_close;
	}
	p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, img->fd, 0);
	if (p == MAP_FAILED) {
		ret = -errno;
		snprintf(err, errlen, "cannot read kernel '%s': %s", path, strerror(errno));
		goto out_close;
	}
	ret = boot_image_check(img, p, st.st_size, why, sizeof(why));
	if (ret) {
		munmap(p, st.st_size);
		snprintf(err, errlen, "kernel '%s' %s", path, why);
		goto out_close;
	}
	return 0;

out_close:
	close(img->fd);
	img->fd = -1;
	return ret;
}

void boot_image_from_vmlinux(struct boot_image *img)
{
	img->data = NULL;
	img->size = 0;
	img->setup_size = 0;
	img->version = BOOT_PROTOCOL_VMLINUX;
	img->init_size = img->vmlinux.end > LAYOUT_KERNEL_START ? img->vmlinux.end - LAYOUT_KERNEL_START : 0;
	img->kernel_end = img->vmlinux.end;
	img->initrd_addr_max = VMLINUX_INITRD_ADDR_MAX;
	img->cmdline_size = VMLINUX_CMDLINE_SIZE;
	img->direct = true;
}

void boot_image_close(struct boot_image *img)
{
	if (img->direct)
		vmlinux_close(&img->vmlinux);
	if (img->data)
		munmap((void *)img->data, img->size);
	if (img->fd >= 0)
		close(img->fd);
	img->data = NULL;
	img->fd = -1;
}

int boot_image_payload(const struct boot_image *img, const uint8_t **payload, size_t *n)
{
	struct setup_header hdr;
	size_t pm_size = img->size - img->setup_size;

	memcpy(&hdr, img->data + BZ_SETUP_SECTS, sizeof(hdr));
	/* payload_offset counts from the protected-mode code (boot.rst). */
	if (img->version < 0x0208 || !hdr.payload_length || hdr.payload_offset > pm_size ||
	    hdr.payload_length > pm_size - hdr.payload_offset)
		return -ENOENT;
	*payload = img->data + img->setup_size + hdr.payload_offset;
	*n = hdr.payload_length;
	return 0;
}

int boot_image_use_vmlinux(struct boot_image *img, const char *cache_dir, bool progress)
{
	const uint8_t *payload;
	char err[PATH_MAX + 128];
	size_t n;
	int ret;

	if (img->direct)
		return 0; /* a vmlinux ELF: already */
	if (boot_image_payload(img, &payload, &n)) {
		pr_info("the bzImage names no payload (boot protocol before 2.08): it decompresses itself in the guest");
		return -ENOENT;
	}
	ret = vmlinux_from_payload(&img->vmlinux, payload, n, cache_dir, progress, err, sizeof(err));
	if (ret) {
		if (ret == -ENOTSUP)
			pr_info("%s: it decompresses itself in the guest", err);
		else
			pr_warn("%s; the kernel decompresses itself in the guest instead (slower)", err);
		return ret;
	}
	pr_info("booting the uncompressed kernel %s directly (entry %#llx)", img->vmlinux.path,
		(unsigned long long)img->vmlinux.entry);
	img->direct = true;
	img->kernel_end = img->vmlinux.end;
	return 0;
}

static void e820_add(struct boot_e820_entry *e, unsigned int *n, unsigned int max, uint64_t addr,
		     uint64_t size, uint32_t type)
{
	if (*n < max && size)
		e[(*n)++] = (struct boot_e820_entry){ .addr = addr, .size = size, .type = type };
}

/* e820 type values from the ACPI/BIOS spec. */
#define E820_RAM 1
#define E820_RESERVED 2

unsigned int boot_e820_build(const struct guest_mem *mem, struct boot_e820_entry *e, unsigned int max)
{
	uint64_t low_end = mem_low_end(mem);
	unsigned int n = 0;

	e820_add(e, &n, max, 0, LAYOUT_EBDA_START, E820_RAM);
	e820_add(e, &n, max, LAYOUT_EBDA_START, LAYOUT_ISA_HOLE_START - LAYOUT_EBDA_START, E820_RESERVED);
	/* The BIOS area holding our ACPI tables stays out of the RAM map. */
	e820_add(e, &n, max, LAYOUT_ACPI_START, LAYOUT_ACPI_SIZE, E820_RESERVED);
	if (low_end > LAYOUT_HIGH_RAM_START)
		e820_add(e, &n, max, LAYOUT_HIGH_RAM_START, low_end - LAYOUT_HIGH_RAM_START, E820_RAM);
	/* Linux trusts MCFG only when e820 (or ACPI) reserves the ECAM window. */
	e820_add(e, &n, max, LAYOUT_PCI_ECAM_START, LAYOUT_PCI_ECAM_SIZE, E820_RESERVED);
	for (unsigned int i = 1; i < mem->nregions; i++)
		e820_add(e, &n, max, mem->region[i].gpa, mem->region[i].size, E820_RAM);
	return n;
}

int boot_initrd_place(const struct guest_mem *mem, const struct boot_image *img, uint64_t size,
		      uint64_t *gpa)
{
	uint64_t top = mem_low_end(mem);
	uint64_t kernel_end = img->kernel_end;
	uint64_t addr;

	/* Highest page-aligned spot below both RAM's end and initrd_addr_max. */
	if (top > (uint64_t)img->initrd_addr_max + 1)
		top = (uint64_t)img->initrd_addr_max + 1;
	if (size > top)
		return -ENOSPC;
	addr = (top - size) & ~0xfffULL;
	if (addr < kernel_end)
		return -ENOSPC;
	*gpa = addr;
	return 0;
}

void boot_params_build(struct boot_params *bp, const struct boot_image *img, const struct guest_mem *mem,
		       uint64_t cmdline_gpa, uint64_t initrd_gpa, uint64_t initrd_size, uint64_t rsdp_gpa)
{
	memset(bp, 0, sizeof(*bp));
	if (img->data) {
		/* The setup header runs from 0x1f1 to 0x202 + the byte at 0x201. */
		size_t hdr_end = BZ_HEADER + img->data[0x201];

		if (hdr_end > BZ_SETUP_SECTS + sizeof(bp->hdr))
			hdr_end = BZ_SETUP_SECTS + sizeof(bp->hdr);
		memcpy(&bp->hdr, img->data + BZ_SETUP_SECTS, hdr_end - BZ_SETUP_SECTS);
	} else {
		/* A vmlinux ELF has no setup header: the one a bzImage of it
		 * would carry, as far as the kernel reads it after entry. */
		bp->hdr.boot_flag = BZ_BOOT_FLAG_MAGIC;
		bp->hdr.header = BZ_HDR_MAGIC;
		bp->hdr.version = img->version;
		bp->hdr.loadflags = LOADED_HIGH;
		bp->hdr.xloadflags = XLF_KERNEL_64;
		bp->hdr.kernel_alignment = VMLINUX_ALIGN;
		bp->hdr.pref_address = LAYOUT_KERNEL_START;
		bp->hdr.init_size = img->init_size;
		bp->hdr.cmdline_size = img->cmdline_size;
		bp->hdr.initrd_addr_max = img->initrd_addr_max;
	}

	bp->hdr.type_of_loader = 0xff; /* "undefined" boot loader */
	bp->hdr.loadflags |= CAN_USE_HEAP;
	bp->hdr.loadflags &= ~QUIET_FLAG;
	bp->hdr.heap_end_ptr = 0xfe00;
	bp->hdr.vid_mode = 0xffff; /* "normal" */
	bp->hdr.cmd_line_ptr = (uint32_t)cmdline_gpa;
	bp->ext_cmd_line_ptr = (uint32_t)(cmdline_gpa >> 32);
	bp->hdr.ramdisk_image = (uint32_t)initrd_gpa;
	bp->ext_ramdisk_image = (uint32_t)(initrd_gpa >> 32);
	bp->hdr.ramdisk_size = (uint32_t)initrd_size;
	bp->ext_ramdisk_size = (uint32_t)(initrd_size >> 32);
	bp->hdr.code32_start = LAYOUT_KERNEL_START;
	bp->acpi_rsdp_addr = rsdp_gpa;
	bp->e820_entries = boot_e820_build(mem, bp->e820_table, E820_MAX_ENTRIES_ZEROPAGE);
}

int boot_write_gdt(const struct guest_mem *mem)
{
	/* Flat 64-bit code, flat data, and a TSS descriptor KVM wants in TR. */
	static const uint64_t gdt[BOOT_GDT_ENTRIES] = {
		[0] = 0,
		[BOOT_GDT_CODE] = 0x00af9b000000ffffULL,
		[BOOT_GDT_DATA] = 0x00cf93000000ffffULL,
		[BOOT_GDT_TSS] = 0x008f8b000000ffffULL,
	};
	void *p = mem_gpa_to_hva(mem, LAYOUT_BOOT_GDT, sizeof(gdt));

	if (!p)
		return -EFAULT;
	memcpy(p, gdt, sizeof(gdt));
	return 0;
}

int boot_write_page_tables(const struct guest_mem *mem)
{
	/* Present | writable, and the 2 MiB page-size bit for PD entries. */
	const uint64_t table = 0x3, huge = 0x83;
	uint64_t *pml4 = mem_gpa_to_hva(mem, LAYOUT_BOOT_PML4, 4096);
	uint64_t *pdpt = mem_gpa_to_hva(mem, LAYOUT_BOOT_PDPT, 4096);
	uint64_t *pd = mem_gpa_to_hva(mem, LAYOUT_BOOT_PD, 4 * 4096);

	if (!pml4 || !pdpt || !pd)
		return -EFAULT;
	memset(pml4, 0, 4096);
	memset(pdpt, 0, 4096);
	pml4[0] = LAYOUT_BOOT_PDPT | table;
	for (unsigned int i = 0; i < 4; i++)
		pdpt[i] = (LAYOUT_BOOT_PD + i * 4096) | table;
	for (uint64_t i = 0; i < 4 * 512; i++)
		pd[i] = (i << 21) | huge;
	return 0;
}

int boot_write_reset_vector(const struct guest_mem *mem)
{
	/* mov dx, RESET_PORT; mov al, RESET_VALUE; out dx, al; 1: hlt; jmp 1b */
	const uint8_t stub[] = {
		0xba, LAYOUT_PORT_ACPI_RESET & 0xff, LAYOUT_PORT_ACPI_RESET >> 8,
		0xb0, LAYOUT_ACPI_RESET_VALUE,
		0xee,
		0xf4,
		0xeb, 0xfd,
	};
	void *p = mem_gpa_to_hva(mem, LAYOUT_RESET_VECTOR, sizeof(stub));

	_Static_assert(sizeof(stub) <= 16, "the reset vector has 16 bytes before 1 MiB");
	if (!p)
		return -EFAULT;
	memcpy(p, stub, sizeof(stub));
	return 0;
}

/* The initrd's size, or -errno (logged) when it is no regular file. */
static int64_t boot_initrd_size(const char *initrd_path)
{
	struct stat st;
	int ret;

	if (stat(initrd_path, &st)) {
		ret = -errno;
		pr_err("cannot open initrd '%s': %s; check the --initrd path", initrd_path, strerror(errno));
		return ret;
	}
	if (!S_ISREG(st.st_mode)) {
		pr_err("cannot open initrd '%s': not a regular file; check the --initrd path", initrd_path);
		return -EINVAL;
	}
	return st.st_size;
}

int boot_check(const struct guest_mem *mem, const struct boot_image *img, const char *cmdline,
	       const char *initrd_path)
{
	size_t cmdlen = strlen(cmdline) + 1;
	uint64_t gpa;
	int64_t size;

	if (img->kernel_end > LAYOUT_KERNEL_START &&
	    !mem_gpa_to_hva(mem, LAYOUT_KERNEL_START, img->kernel_end - LAYOUT_KERNEL_START)) {
		pr_err("the kernel needs RAM up to %llu MiB%s: give more --mem",
		       (unsigned long long)(img->kernel_end >> 20) + 1, img->direct ? "" : " to decompress");
		return -ENOSPC;
	}
	if (cmdlen > img->cmdline_size + 1 || cmdlen > LAYOUT_CMDLINE_MAX) {
		pr_err("--cmdline is %zu bytes, this kernel takes at most %u: shorten it", cmdlen - 1,
		       img->cmdline_size);
		return -E2BIG;
	}
	if (!initrd_path)
		return 0;
	size = boot_initrd_size(initrd_path);
	if (size < 0)
		return (int)size;
	if (boot_initrd_place(mem, img, (uint64_t)size, &gpa)) {
		pr_err("initrd '%s' (%llu MiB) does not fit in guest RAM below %u MiB next to the kernel: give more --mem",
		       initrd_path, (unsigned long long)(size >> 20),
		       (unsigned int)(((uint64_t)img->initrd_addr_max + 1) >> 20));
		return -ENOSPC;
	}
	return 0;
}

int boot_load(struct guest_mem *mem, const struct boot_image *img, const char *cmdline,
	      const char *initrd_path, uint64_t rsdp_gpa)
{
	uint64_t kernel_size = img->size - img->setup_size;
	uint64_t initrd_gpa = 0, initrd_size = 0;
	size_t cmdlen = strlen(cmdline) + 1;
	struct boot_params *bp;
	int64_t n;
	int ret;

	ret = boot_check(mem, img, cmdline, initrd_path);
	if (ret)
		return ret;
	if (img->direct) {
		ret = vmlinux_load(&img->vmlinux, mem);
		if (ret)
			return ret;
	} else {
		memcpy(mem_gpa_to_hva(mem, LAYOUT_KERNEL_START, img->kernel_end - LAYOUT_KERNEL_START),
		       img->data + img->setup_size, kernel_size);
	}
	memcpy(mem_gpa_to_hva(mem, LAYOUT_CMDLINE, cmdlen), cmdline, cmdlen);

	if (initrd_path) {
		int fd = open(initrd_path, O_RDONLY | O_CLOEXEC);
		struct stat st;

		if (fd < 0 || fstat(fd, &st)) {
			ret = -errno;
			pr_err("cannot open initrd '%s': %s; check the --initrd path", initrd_path, strerror(errno));
			if (fd >= 0)
				close(fd);
			return ret;
		}
		initrd_size = st.st_size;
		if (boot_initrd_place(mem, img, initrd_size, &initrd_gpa)) {
			pr_err("initrd '%s' grew to %llu MiB while minivmm started: it no longer fits; give more --mem",
			       initrd_path, (unsigned long long)(initrd_size >> 20));
			close(fd);
			return -ENOSPC;
		}
		n = file_pread_full(fd, mem_gpa_to_hva(mem, initrd_gpa, initrd_size), initrd_size, 0);
		close(fd);
		if (n != (int64_t)initrd_size) {
			pr_err("cannot read initrd '%s': %s", initrd_path, n < 0 ? strerror((int)-n) : "file shrank");
			return n < 0 ? (int)n : -EIO;
		}
	}

	bp = mem_gpa_to_hva(mem, LAYOUT_ZERO_PAGE, sizeof(*bp));
	boot_params_build(bp, img, mem, LAYOUT_CMDLINE, initrd_gpa, initrd_size, rsdp_gpa);
	ret = boot_write_gdt(mem);
	if (!ret)
		ret = boot_write_page_tables(mem);
	if (!ret)
		ret = boot_write_reset_vector(mem);
	return ret;
}

uint64_t boot_entry(const struct boot_image *img)
{
	return img->direct ? img->vmlinux.entry : LAYOUT_KERNEL_START + BOOT_ENTRY64_OFFSET;
}
