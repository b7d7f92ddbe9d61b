/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Linux x86 boot protocol: bzImage validation, boot_params ("zero page")
 * with the e820 map, kernel/initrd/cmdline placement, 64-bit entry.
 */
#ifndef MINIVMM_X86_BOOT_H
#define MINIVMM_X86_BOOT_H

#include <asm/bootparam.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "minivmm/mem.h"
#include "minivmm/x86/vmlinux.h"

/* Oldest protocol with the 64-bit entry point (xloadflags, 2.12). */
#define BOOT_PROTOCOL_MIN 0x020c

struct boot_image {
	const uint8_t *data;         /* whole file (mmapped) */
	size_t size;
	int fd;                      /* -1 when not open */
	uint16_t version;            /* boot protocol */
	size_t setup_size;           /* real-mode part, (setup_sects + 1) * 512 */
	uint32_t init_size;          /* memory the kernel needs from its load address */
	/* End of the memory the kernel uses while it decompresses: a relocatable
	 * kernel moves to max(aligned load address, pref_address) first. */
	uint64_t kernel_end;
	uint32_t initrd_addr_max;
	uint32_t cmdline_size;
	/* Direct boot: the payload's vmlinux is loaded instead of the bzImage's
	 * protected-mode code (boot_image_use_vmlinux), or --kernel was a
	 * vmlinux ELF (then @data is NULL: there is no setup header). */
	bool direct;
	struct vmlinux vmlinux;
};

/*
 * Pure: check that @data is a bzImage minivmm can boot. On failure returns
 * -ENOEXEC with a one-line reason and fix in @err.
 */
int boot_image_check(struct boot_image *img, const uint8_t *data, size_t size, char *err,
		     size_t errlen);
/*
 * Open, map and check @path, a bzImage or an x86_64 vmlinux ELF (booted
 * directly, as boot_image_use_vmlinux would); -errno with the reason in @err.
 */
int boot_image_open(struct boot_image *img, const char *path, char *err, size_t errlen);
void boot_image_close(struct boot_image *img);
/* Pure: fill @img's boot fields for its opened vmlinux ELF (direct boot). */
void boot_image_from_vmlinux(struct boot_image *img);

/* Pure: the compressed kernel inside a checked bzImage (protocol 2.08+). */
int boot_image_payload(const struct boot_image *img, const uint8_t **payload, size_t *n);
/*
 * Boot @img directly from its uncompressed kernel, decompressed once into
 * @cache_dir (x86/vmlinux.h). Returns 0, or -errno when the bzImage must
 * decompress itself in the guest instead (the reason is logged: at info
 * level for a format minivmm does not decode, as a warning otherwise).
 */
int boot_image_use_vmlinux(struct boot_image *img, const char *cache_dir, bool progress);

/* Pure: the e820 map for @mem; returns the number of entries. */
unsigned int boot_e820_build(const struct guest_mem *mem, struct boot_e820_entry *e, unsigned int max);

/* Pure: where an initrd of @size goes, or -ENOSPC when it cannot fit. */
int boot_initrd_place(const struct guest_mem *mem, const struct boot_image *img, uint64_t size,
		      uint64_t *gpa);

/* Pure: fill @bp from the image header and the placements. */
void boot_params_build(struct boot_params *bp, const struct boot_image *img, const struct guest_mem *mem,
		       uint64_t cmdline_gpa, uint64_t initrd_gpa, uint64_t initrd_size, uint64_t rsdp_gpa);

/* Pure: GDT and identity page tables for the 64-bit entry, in guest RAM. */
int boot_write_page_tables(const struct guest_mem *mem);
int boot_write_gdt(const struct guest_mem *mem);
/* Real-mode code at the reset vector that resets through the ACPI reset register. */
int boot_write_reset_vector(const struct guest_mem *mem);

/*
 * Put kernel, command line, initrd (@initrd_path may be NULL), boot_params,
 * GDT and page tables into guest RAM. Errors are logged; returns -errno.
 */
int boot_load(struct guest_mem *mem, const struct boot_image *img, const char *cmdline,
	      const char *initrd_path, uint64_t rsdp_gpa);
/*
 * What boot_load() would refuse from the user's input (the kernel or the
 * initrd not fitting in guest RAM, a too long cmdline, no initrd file),
 * checked before anything is loaded or any device is touched. 0 or
 * -errno (logged).
 */
int boot_check(const struct guest_mem *mem, const struct boot_image *img, const char *cmdline,
	       const char *initrd_path);

/* Guest-physical address of the 64-bit entry point: the bzImage's, or startup_64. */
uint64_t boot_entry(const struct boot_image *img);

/* Index of the GDT entries the BSP's segment registers use. */
#define BOOT_GDT_CODE 1
#define BOOT_GDT_DATA 2
#define BOOT_GDT_TSS 3
#define BOOT_GDT_ENTRIES 4

#endif
