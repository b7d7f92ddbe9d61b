// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the bzImage loader (src/arch/x86/boot.c): the input
 * is the --kernel file. It is opened as minivmm opens it (boot_image_open:
 * an ELF goes to the vmlinux loader, anything else must be a bzImage),
 * its payload located, an initrd placed, and everything loaded into a
 * small fake guest RAM (64 MiB, as the unit tests use).
 *
 * Checked: a refused file gets a reason; an accepted one has a setup part
 * inside the file, the boot protocol minivmm needs, a kernel end that
 * covers the protected-mode code loaded at 1 MiB, a payload inside the
 * protected-mode code; an initrd placement is page-aligned, above the
 * kernel and below both RAM's end and initrd_addr_max; a successful load
 * put the protected-mode code at 1 MiB, the command line where the zero
 * page says, and an e820 map of sorted, disjoint entries.
 */
#include <asm/bootparam.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "minivmm/x86/layout.h"
#include "minivmm/mem.h"
#include "minivmm/x86/boot.h"

#define RAM_SIZE (64 * MiB)
#define CMDLINE "console=ttyS0 quiet"

static struct guest_mem mem;
/* Guest RAM: one malloc'd buffer holding the single region below 3 GiB. */
static uint8_t *ram;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	mem_layout(&mem, RAM_SIZE);
	ram = malloc(RAM_SIZE);
	FUZZ_CHECK(ram);
	mem.region[0].hva = ram;
	return 0;
}

FUZZ_NOCOV static void check_e820(const struct boot_params *bp)
{
	FUZZ_CHECK(bp->e820_entries >= 1 && bp->e820_entries <= E820_MAX_ENTRIES_ZEROPAGE);
	for (unsigned int i = 0; i < bp->e820_entries; i++) {
		const struct boot_e820_entry *e = &bp->e820_table[i];

		FUZZ_CHECK(e->size && e->addr + e->size > e->addr);
		if (i)
			FUZZ_CHECK(e->addr >= bp->e820_table[i - 1].addr + bp->e820_table[i - 1].size);
	}
}

FUZZ_NOCOV static void check_initrd(const struct boot_image *img, uint64_t size)
{
	uint64_t gpa = 1, top = mem_low_end(&mem);

	if (top > (uint64_t)img->initrd_addr_max + 1)
		top = (uint64_t)img->initrd_addr_max + 1;
	if (boot_initrd_place(&mem, img, size, &gpa)) {
		FUZZ_CHECK(gpa == 1);
		return;
	}
	FUZZ_CHECK(!(gpa & 0xfff));
	FUZZ_CHECK(gpa >= img->kernel_end);
	FUZZ_CHECK(gpa <= top && size <= top - gpa);
}

static void check_loaded(const struct boot_image *img, const uint8_t *data, size_t size)
{
	const struct boot_params *bp = mem_gpa_to_hva(&mem, LAYOUT_ZERO_PAGE, sizeof(*bp));
	const char *cmdline;

	FUZZ_CHECK(bp);
	if (!img->direct)
		FUZZ_CHECK(!memcmp(ram + LAYOUT_KERNEL_START, data + img->setup_size, size - img->setup_size));
	FUZZ_CHECK(bp->hdr.cmd_line_ptr == LAYOUT_CMDLINE && !bp->ext_cmd_line_ptr);
	cmdline = mem_gpa_to_hva(&mem, bp->hdr.cmd_line_ptr, sizeof(CMDLINE));
	FUZZ_CHECK(cmdline && !memcmp(cmdline, CMDLINE, sizeof(CMDLINE)));
	FUZZ_CHECK(!bp->hdr.ramdisk_image && !bp->hdr.ramdisk_size);
	FUZZ_CHECK(bp->hdr.type_of_loader == 0xff && (bp->hdr.loadflags & CAN_USE_HEAP));
	check_e820(bp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct boot_image img;
	const uint8_t *payload;
	char path[64], err[512] = "";
	size_t n;
	int ret;

	fuzz_file(data, size, path, sizeof(path));
	ret = boot_image_open(&img, path, err, sizeof(err));
	if (ret) {
		FUZZ_CHECK(ret < 0 && err[0]);
		FUZZ_CHECK(img.fd < 0);
		return 0;
	}
	if (!img.direct) {
		FUZZ_CHECK(img.data && img.size == size);
		FUZZ_CHECK(img.setup_size >= 512 && !(img.setup_size % 512) && img.setup_size < size);
		FUZZ_CHECK(img.version >= BOOT_PROTOCOL_MIN);
		FUZZ_CHECK(img.init_size >= size - img.setup_size);
		/* The protected-mode code is copied to 1 MiB: the kernel's end covers it. */
		FUZZ_CHECK(img.kernel_end >= LAYOUT_KERNEL_START &&
			   img.kernel_end - LAYOUT_KERNEL_START >= size - img.setup_size);
		FUZZ_CHECK(boot_entry(&img) == LAYOUT_KERNEL_START + 0x200);
		if (!boot_image_payload(&img, &payload, &n)) {
			FUZZ_CHECK(payload >= img.data + img.setup_size);
			FUZZ_CHECK(n && payload + n <= img.data + size);
		}
	}
	check_initrd(&img, 0);
	check_initrd(&img, 4096);
	check_initrd(&img, 3 * MiB + 17);
	check_initrd(&img, 1ULL << 40);
	ret = boot_load(&mem, &img, CMDLINE, NULL, 0xe0000);
	if (!ret)
		check_loaded(&img, img.data, size);
	else
		FUZZ_CHECK(ret == -ENOSPC || ret == -E2BIG || ret == -EIO || ret == -EFAULT);
	boot_image_close(&img);
	return 0;
}
