// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests for src/arch/x86/boot.c: bzImage checks, e820, zero page, tables. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "minivmm/x86/layout.h"
#include "minivmm/mem.h"
#include "minivmm/x86/boot.h"

#include "small_mem.h"

#define IMG_SIZE (16 * 1024)
#define HDR_OFF 0x1f1
#define E820_RAM 1
#define E820_RESERVED 2

/* Write one setup_header field of a synthetic image. */
#define HDR_SET(buf, field, val)                                                          \
	do {                                                                              \
		__typeof__(((struct setup_header *)0)->field) v_ = (val);                 \
		memcpy((buf) + HDR_OFF + offsetof(struct setup_header, field), &v_, sizeof(v_)); \
	} while (0)

/* A minimal image that passes every check: 4 setup sectors, protocol 2.15. */
static void make_image(uint8_t *buf, size_t size)
{
	memset(buf, 0, size);
	for (size_t i = 0; i < size; i++)
		buf[i] = (uint8_t)(i * 7 + 3); /* kernel "code": recognisable bytes */
	memset(buf, 0, 0x300);
	HDR_SET(buf, setup_sects, 4);
	HDR_SET(buf, boot_flag, 0xaa55);
	buf[0x200] = 0xeb;           /* jmp short ... */
	buf[0x201] = 0x6a;           /* ... to 0x26c: header ends there */
	HDR_SET(buf, header, 0x53726448);
	HDR_SET(buf, version, 0x020f);
	HDR_SET(buf, loadflags, LOADED_HIGH | QUIET_FLAG);
	HDR_SET(buf, code32_start, 0x100000);
	HDR_SET(buf, initrd_addr_max, 0x7fffffff);
	HDR_SET(buf, kernel_alignment, 0x200000);
	HDR_SET(buf, relocatable_kernel, 1);
	HDR_SET(buf, xloadflags, XLF_KERNEL_64);
	HDR_SET(buf, cmdline_size, 2047);
	HDR_SET(buf, pref_address, 0x1000000);
	HDR_SET(buf, init_size, 0x800000);
	HDR_SET(buf, kernel_version, 0x1234);
}

static uint8_t image[IMG_SIZE];
static char err[512];

static int check(struct boot_image *img, size_t size)
{
	memset(img, 0, sizeof(*img));
	img->fd = -1;
	memset(err, 0, sizeof(err));
	return boot_image_check(img, image, size, err, sizeof(err));
}

static void assert_rejected(struct boot_image *img, size_t size, const char *needle)
{
	int ret = check(img, size);

	if (ret != -ENOEXEC)
		fail_msg("image accepted (%d), expected a refusal mentioning \"%s\"", ret, needle);
	assert_null(strchr(err, '\n'));
	if (!strstr(err, needle))
		fail_msg("message \"%s\" does not mention \"%s\"", err, needle);
}

/* ---- boot_image_check ---- */

static void test_image_valid_accepted(void **state)
{
	struct boot_image img;

	(void)state;
	make_image(image, sizeof(image));
	assert_int_equal(check(&img, sizeof(image)), 0);
	assert_ptr_equal(img.data, image);
	assert_int_equal(img.size, sizeof(image));
	assert_int_equal(img.version, 0x020f);
	assert_int_equal(img.setup_size, 5 * 512);
	assert_int_equal(img.init_size, 0x800000);
	assert_int_equal(img.initrd_addr_max, 0x7fffffff);
	assert_int_equal(img.cmdline_size, 2047);
}

static void test_image_defaults_for_zero_fields(void **state)
{
	struct boot_image img;

	(void)state;
	make_image(image, sizeof(image));
	HDR_SET(image, setup_sects, 0);      /* 0 means 4 */
	HDR_SET(image, initrd_addr_max, 0);  /* 0 means the old 0x37ffffff */
	HDR_SET(image, init_size, 100);      /* smaller than the kernel: the file wins */
	assert_int_equal(check(&img, sizeof(image)), 0);
	assert_int_equal(img.setup_size, 5 * 512);
	assert_int_equal(img.initrd_addr_max, 0x37ffffff);
	assert_int_equal(img.init_size, IMG_SIZE - 5 * 512);
}

static void test_image_setup_sects_sizes_setup(void **state)
{
	struct boot_image img;

	(void)state;
	make_image(image, sizeof(image));
	HDR_SET(image, setup_sects, 27);
	assert_int_equal(check(&img, sizeof(image)), 0);
	assert_int_equal(img.setup_size, 28 * 512);
}

static void test_image_too_small(void **state)
{
	struct boot_image img;

	(void)state;
	make_image(image, sizeof(image));
	assert_rejected(&img, 0x1000 - 1, "too small");
	assert_rejected(&img, 0, "too small");
	/* Exactly the minimum passes the size check (and is otherwise valid). */
	HDR_SET(image, setup_sects, 1);
	assert_int_equal(check(&img, 0x1000), 0);
}

static void test_image_no_hdrs(void **state)
{
	struct boot_image img;

	(void)state;
	make_image(image, sizeof(image));
	HDR_SET(image, header, 0x53726449);
	assert_rejected(&img, sizeof(image), "HdrS");
	make_image(image, sizeof(image));
	HDR_SET(image, boot_flag, 0x55aa);
	assert_rejected(&img, sizeof(image), "HdrS");
}

static void test_image_old_protocol(void **state)
{
	struct boot_image img;

	(void)state;
	make_image(image, sizeof(image));
	HDR_SET(image, version, 0x0201);
	assert_rejected(&img, sizeof(image), "2.01");
	assert_non_null(strstr(err, "protocol"));
	HDR_SET(image, version, 0x020b);
	assert_rejected(&img, sizeof(image), "2.11");
	HDR_SET(image, version, 0x020c);
	assert_int_equal(check(&img, sizeof(image)), 0);
}

static void test_image_no_64bit_entry(void **state)
{
	struct boot_image img;

	(void)state;
	make_image(image, sizeof(image));
	HDR_SET(image, xloadflags, XLF_KERNEL_64 << 1);
	assert_rejected(&img, sizeof(image), "64-bit");
}

static void test_image_zimage_refused(void **state)
{
	struct boot_image img;

	(void)state;
	make_image(image, sizeof(image));
	HDR_SET(image, loadflags, 0);
	assert_rejected(&img, sizeof(image), "zImage");
}

static void test_image_setup_larger_than_file(void **state)
{
	struct boot_image img;

	(void)state;
	make_image(image, sizeof(image));
	HDR_SET(image, setup_sects, 31); /* 32 * 512 = the whole 16 KiB file */
	assert_rejected(&img, sizeof(image), "truncated");
	HDR_SET(image, setup_sects, 255);
	assert_rejected(&img, sizeof(image), "truncated");
	HDR_SET(image, setup_sects, 30);
	assert_int_equal(check(&img, sizeof(image)), 0);
}

/* The kernel's end past 3 GiB, or wrapped around by a huge pref_address
 * (found by tests/fuzz/boot_fuzz.c: the end fell below the kernel). */
static void test_image_kernel_end_beyond_low_ram(void **state)
{
	struct boot_image img;

	(void)state;
	make_image(image, sizeof(image));
	HDR_SET(image, pref_address, 0xffffffffffffffffULL);
	assert_rejected(&img, sizeof(image), "beyond 3 GiB");
	HDR_SET(image, pref_address, 0xfffffffff0000000ULL);
	HDR_SET(image, init_size, 0x10200000);
	assert_rejected(&img, sizeof(image), "beyond 3 GiB");
	HDR_SET(image, pref_address, 0xbf800000);
	HDR_SET(image, init_size, 0x800001);
	assert_rejected(&img, sizeof(image), "pref_address + init_size");
	HDR_SET(image, init_size, 0x800000); /* up to exactly 3 GiB */
	assert_int_equal(check(&img, sizeof(image)), 0);
	assert_int_equal(img.kernel_end, 3ULL << 30);
}

/* A bzImage cut short: the protected-mode kernel is shorter than syssize says. */
static void test_image_truncated_kernel(void **state)
{
	struct boot_image img;
	size_t pm = sizeof(image) - 5 * 512;

	(void)state;
	make_image(image, sizeof(image));
	HDR_SET(image, syssize, (uint32_t)(pm / 16));
	assert_int_equal(check(&img, sizeof(image)), 0);
	/* Exactly one paragraph short. */
	assert_rejected(&img, sizeof(image) - 16, "is truncated (16368 of 16384 bytes)");
	assert_rejected(&img, sizeof(image) / 2, "pass the complete bzImage");
	/* Bytes after the kernel (a signature) are fine. */
	HDR_SET(image, syssize, (uint32_t)(pm / 16 - 4));
	assert_int_equal(check(&img, sizeof(image)), 0);
}

static void test_image_text_file_refused(void **state)
{
	struct boot_image img;

	(void)state;
	for (size_t i = 0; i < sizeof(image); i++)
		image[i] = "hello\n"[i % 6];
	assert_rejected(&img, sizeof(image), "neither a Linux bzImage");
}

static void test_image_open_file(void **state)
{
	char path[] = "/tmp/minivmm-test-bzimage-XXXXXX";
	struct boot_image img;
	int fd;

	(void)state;
	make_image(image, sizeof(image));
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, image, sizeof(image)), sizeof(image));
	close(fd);
	assert_int_equal(boot_image_open(&img, path, err, sizeof(err)), 0);
	assert_true(img.fd >= 0);
	assert_int_equal(img.size, sizeof(image));
	assert_memory_equal(img.data, image, sizeof(image));
	boot_image_close(&img);
	assert_null(img.data);
	assert_int_equal(img.fd, -1);

	/* A refused image: the reason is prefixed with the path. */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	memset(image, 'x', sizeof(image));
	assert_int_equal(write(fd, image, sizeof(image)), sizeof(image));
	close(fd);
	assert_int_equal(boot_image_open(&img, path, err, sizeof(err)), -ENOEXEC);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "HdrS"));
	assert_int_equal(img.fd, -1);
	unlink(path);

	assert_int_equal(boot_image_open(&img, path, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, path));
	assert_int_equal(boot_image_open(&img, "/", err, sizeof(err)), -EINVAL);
}

/* ---- e820 ---- */

static void check_e820(uint64_t size)
{
	struct boot_e820_entry e[E820_MAX_ENTRIES_ZEROPAGE];
	struct guest_mem mem;
	uint64_t ram = 0;
	bool ecam = false;
	unsigned int n;

	memset(&mem, 0, sizeof(mem));
	mem_layout(&mem, size);
	memset(e, 0xa5, sizeof(e));
	n = boot_e820_build(&mem, e, E820_MAX_ENTRIES_ZEROPAGE);
	assert_true(n >= 4);
	assert_true(n <= E820_MAX_ENTRIES_ZEROPAGE);
	for (unsigned int i = 0; i < n; i++) {
		uint64_t a = e[i].addr, end = e[i].addr + e[i].size;

		assert_true(e[i].size > 0);
		assert_true(end > a);
		assert_true(e[i].type == E820_RAM || e[i].type == E820_RESERVED);
		if (i)
			/* Sorted and non-overlapping. */
			if (e[i - 1].addr + e[i - 1].size > a)
				fail_msg("size %llu: entry %u [%#llx+%#llx] overlaps or precedes entry %u",
					 (unsigned long long)size, i, (unsigned long long)a,
					 (unsigned long long)e[i].size, i - 1);
		if (e[i].type == E820_RAM) {
			ram += e[i].size;
			/* No RAM in the legacy hole or the 32-bit PCI hole. */
			assert_false(a < LAYOUT_HIGH_RAM_START && end > LAYOUT_ISA_HOLE_START);
			assert_false(a < LAYOUT_HIGHMEM_START && end > LAYOUT_LOWMEM_END);
			/* RAM is backed by guest memory. */
			assert_true(end <= mem_low_end(&mem) || a >= LAYOUT_HIGHMEM_START);
			assert_true(end <= LAYOUT_HIGHMEM_START || end <= LAYOUT_HIGHMEM_START + size - mem_low_end(&mem));
		}
		if (e[i].type == E820_RESERVED && a == LAYOUT_PCI_ECAM_START &&
		    e[i].size >= LAYOUT_PCI_ECAM_SIZE)
			ecam = true;
	}
	/* All RAM but the 0x9fc00-0xfffff window is announced. */
	if (ram != size - (LAYOUT_HIGH_RAM_START - LAYOUT_EBDA_START))
		fail_msg("size %llu: e820 RAM totals %llu", (unsigned long long)size, (unsigned long long)ram);
	assert_true(ecam);
	/* Nothing beyond n was written. */
	assert_int_equal(e[n].type, 0xa5a5a5a5);
}

static void test_e820_512m(void **state)
{
	(void)state;
	check_e820(512 * MiB);
}

static void test_e820_3g_and_neighbours(void **state)
{
	(void)state;
	check_e820(3 * GiB - 4096);
	check_e820(3 * GiB);
	check_e820(3 * GiB + 4096);
}

static void test_e820_4g_8g(void **state)
{
	(void)state;
	check_e820(4 * GiB);
	check_e820(8 * GiB);
	check_e820(LAYOUT_RAM_MAX);
}

static void test_e820_exact_entries_for_8g(void **state)
{
	struct boot_e820_entry e[16];
	struct guest_mem mem;
	unsigned int n;

	(void)state;
	mem_layout(&mem, 8 * GiB);
	n = boot_e820_build(&mem, e, 16);
	assert_int_equal(n, 6);
	assert_int_equal(e[0].addr, 0);
	assert_int_equal(e[0].size, LAYOUT_EBDA_START);
	assert_int_equal(e[0].type, E820_RAM);
	assert_int_equal(e[3].addr, LAYOUT_HIGH_RAM_START);
	assert_int_equal(e[3].size, 3 * GiB - LAYOUT_HIGH_RAM_START);
	assert_int_equal(e[3].type, E820_RAM);
	assert_int_equal(e[4].addr, LAYOUT_PCI_ECAM_START);
	assert_int_equal(e[4].type, E820_RESERVED);
	assert_int_equal(e[5].addr, 4 * GiB);
	assert_int_equal(e[5].size, 5 * GiB);
	assert_int_equal(e[5].type, E820_RAM);
}

static void test_e820_respects_max(void **state)
{
	struct boot_e820_entry e[8];
	struct guest_mem mem;

	(void)state;
	mem_layout(&mem, 8 * GiB);
	memset(e, 0x5a, sizeof(e));
	assert_int_equal(boot_e820_build(&mem, e, 2), 2);
	assert_int_equal(e[2].type, 0x5a5a5a5a);
	assert_int_equal(boot_e820_build(&mem, e, 0), 0);
}

/* ---- initrd placement ---- */

static void image_with(struct boot_image *img, uint32_t init_size, uint32_t initrd_addr_max)
{
	make_image(image, sizeof(image));
	HDR_SET(image, init_size, init_size);
	HDR_SET(image, initrd_addr_max, initrd_addr_max);
	assert_int_equal(check(img, sizeof(image)), 0);
}

static void test_initrd_top_of_low_ram(void **state)
{
	struct boot_image img;
	struct guest_mem mem;
	uint64_t gpa = 0;

	(void)state;
	image_with(&img, 16 * MiB, 0x7fffffff);
	mem_layout(&mem, 512 * MiB);
	assert_int_equal(boot_initrd_place(&mem, &img, 10 * MiB + 123, &gpa), 0);
	assert_int_equal(gpa & 0xfff, 0);
	assert_true(gpa + 10 * MiB + 123 <= 512 * MiB);
	assert_true(gpa >= LAYOUT_KERNEL_START + 16 * MiB);
	/* As high as possible: less than a page of slack. */
	assert_true(512 * MiB - (gpa + 10 * MiB + 123) < 4096);
}

static void test_initrd_below_addr_max(void **state)
{
	struct boot_image img;
	struct guest_mem mem;
	uint64_t gpa = 0;

	(void)state;
	image_with(&img, 16 * MiB, 0x37ffffff);
	mem_layout(&mem, 8 * GiB);
	assert_int_equal(boot_initrd_place(&mem, &img, 64 * MiB, &gpa), 0);
	assert_int_equal(gpa & 0xfff, 0);
	assert_true(gpa + 64 * MiB <= 0x38000000ULL);
	assert_int_equal(gpa, 0x38000000ULL - 64 * MiB);

	/* initrd_addr_max 0xffffffff on a 4G+ guest: RAM ends first, at 3G. */
	image_with(&img, 16 * MiB, 0xffffffff);
	assert_int_equal(boot_initrd_place(&mem, &img, 1 * MiB, &gpa), 0);
	assert_int_equal(gpa, 3 * GiB - 1 * MiB);
}

static void test_initrd_no_space(void **state)
{
	struct boot_image img;
	struct guest_mem mem;
	uint64_t gpa = 0x1234;

	(void)state;
	image_with(&img, 16 * MiB, 0x7fffffff);
	mem_layout(&mem, 64 * MiB);
	/* Exactly the space between the kernel's end (pref_address 16M +
	 * init_size 16M: where it decompresses) and RAM's end fits. */
	assert_int_equal(boot_initrd_place(&mem, &img, 64 * MiB - 32 * MiB, &gpa), 0);
	assert_int_equal(gpa, 32 * MiB);
	gpa = 0x1234;
	assert_int_equal(boot_initrd_place(&mem, &img, 64 * MiB - 32 * MiB + 1, &gpa), -ENOSPC);
	assert_int_equal(gpa, 0x1234);
	assert_int_equal(boot_initrd_place(&mem, &img, 64 * MiB, &gpa), -ENOSPC);
	assert_int_equal(boot_initrd_place(&mem, &img, UINT64_MAX, &gpa), -ENOSPC);
	assert_int_equal(gpa, 0x1234);
}

/*
 * A relocatable kernel entered at 1 MiB does not run there: its 64-bit
 * entry (arch/x86/boot/compressed/head_64.S) rounds the load address up to
 * kernel_alignment and, when that is below LOAD_PHYSICAL_ADDR (the
 * header's pref_address, 16 MiB by default), decompresses at pref_address,
 * first copying itself to the end of [pref_address, pref_address +
 * init_size). An initrd placed inside that window is overwritten.
 */
static void test_initrd_clear_of_kernel_decompression_area(void **state)
{
	const uint64_t pref = 16 * MiB, init = 8 * MiB, initrd = 12 * MiB;
	struct boot_image img;
	struct guest_mem mem;
	uint64_t gpa = 0;
	int ret;

	(void)state;
	image_with(&img, init, 0x7fffffff); /* pref_address 16 MiB, see make_image() */
	mem_layout(&mem, 32 * MiB);
	ret = boot_initrd_place(&mem, &img, initrd, &gpa);
	if (ret == 0 && gpa < pref + init && gpa + initrd > pref)
		fail_msg("initrd at [%#llx, %#llx) overlaps the kernel's run area [%#llx, %#llx)",
			 (unsigned long long)gpa, (unsigned long long)(gpa + initrd),
			 (unsigned long long)pref, (unsigned long long)(pref + init));
}

/* ---- boot_params ---- */

static void test_params_fields(void **state)
{
	struct boot_params *bp = malloc(sizeof(*bp));
	struct boot_image img;
	struct guest_mem mem;

	(void)state;
	assert_non_null(bp);
	make_image(image, sizeof(image));
	assert_int_equal(check(&img, sizeof(image)), 0);
	mem_layout(&mem, 8 * GiB);
	memset(bp, 0xcc, sizeof(*bp));
	boot_params_build(bp, &img, &mem, LAYOUT_CMDLINE, 0x12345000, 0x00abcdef, 0xe0000);

	assert_int_equal(bp->hdr.cmd_line_ptr, LAYOUT_CMDLINE);
	assert_int_equal(bp->ext_cmd_line_ptr, 0);
	assert_int_equal(bp->hdr.ramdisk_image, 0x12345000);
	assert_int_equal(bp->ext_ramdisk_image, 0);
	assert_int_equal(bp->hdr.ramdisk_size, 0x00abcdef);
	assert_int_equal(bp->ext_ramdisk_size, 0);
	assert_int_equal(bp->hdr.type_of_loader, 0xff);
	assert_int_equal(bp->acpi_rsdp_addr, 0xe0000);
	assert_int_equal(bp->hdr.code32_start, LAYOUT_KERNEL_START);
	assert_true(bp->hdr.loadflags & CAN_USE_HEAP);
	assert_true(bp->hdr.loadflags & LOADED_HIGH);
	assert_false(bp->hdr.loadflags & QUIET_FLAG);
	assert_int_equal(bp->hdr.vid_mode, 0xffff);

	/* Header copied from the image. */
	assert_int_equal(bp->hdr.header, 0x53726448);
	assert_int_equal(bp->hdr.version, 0x020f);
	assert_int_equal(bp->hdr.boot_flag, 0xaa55);
	assert_int_equal(bp->hdr.setup_sects, 4);
	assert_int_equal(bp->hdr.kernel_version, 0x1234);
	assert_int_equal(bp->hdr.xloadflags, XLF_KERNEL_64);
	assert_int_equal(bp->hdr.cmdline_size, 2047);
	assert_int_equal(bp->hdr.kernel_alignment, 0x200000);
	assert_int_equal(bp->hdr.pref_address, 0x1000000);
	assert_int_equal(bp->hdr.init_size, 0x800000);

	/* The rest of the zero page is cleared. */
	assert_int_equal(bp->screen_info.orig_video_mode, 0);
	assert_int_equal(bp->hdr.setup_data, 0);
	assert_int_equal(bp->sentinel, 0);

	/* e820 copied in. */
	{
		struct boot_e820_entry e[E820_MAX_ENTRIES_ZEROPAGE];
		unsigned int n = boot_e820_build(&mem, e, E820_MAX_ENTRIES_ZEROPAGE);

		assert_int_equal(bp->e820_entries, n);
		assert_memory_equal(bp->e820_table, e, n * sizeof(e[0]));
	}
	free(bp);
}

static void test_params_ext_fields_above_4g(void **state)
{
	struct boot_params *bp = malloc(sizeof(*bp));
	struct boot_image img;
	struct guest_mem mem;

	(void)state;
	assert_non_null(bp);
	make_image(image, sizeof(image));
	assert_int_equal(check(&img, sizeof(image)), 0);
	mem_layout(&mem, 8 * GiB);
	boot_params_build(bp, &img, &mem, 0x300020000ULL, 0x123456000ULL, 0x100001000ULL, 0x1fe0000ULL);
	assert_int_equal(bp->hdr.cmd_line_ptr, 0x00020000);
	assert_int_equal(bp->ext_cmd_line_ptr, 3);
	assert_int_equal(bp->hdr.ramdisk_image, 0x23456000);
	assert_int_equal(bp->ext_ramdisk_image, 1);
	assert_int_equal(bp->hdr.ramdisk_size, 0x00001000);
	assert_int_equal(bp->ext_ramdisk_size, 1);
	assert_int_equal(bp->acpi_rsdp_addr, 0x1fe0000ULL);
	free(bp);
}

/* Only the header the jump at 0x200 delimits is copied (boot protocol). */
static void test_params_header_length_from_jump(void **state)
{
	struct boot_params *bp = malloc(sizeof(*bp));
	struct boot_image img;
	struct guest_mem mem;

	(void)state;
	assert_non_null(bp);
	make_image(image, sizeof(image));
	image[0x201] = 0x22; /* protocol 2.04-sized header: ends at 0x224 */
	assert_int_equal(check(&img, sizeof(image)), 0);
	mem_layout(&mem, 512 * MiB);
	boot_params_build(bp, &img, &mem, LAYOUT_CMDLINE, 0, 0, 0);
	assert_int_equal(bp->hdr.version, 0x020f);
	assert_int_equal(bp->hdr.initrd_addr_max, 0); /* at 0x22c: beyond the header */
	assert_int_equal(bp->hdr.init_size, 0);
	assert_int_equal(bp->hdr.pref_address, 0);

	/* A jump past the structure is clamped (no overflow of bp->hdr). */
	image[0x201] = 0xff;
	memset(image + HDR_OFF + sizeof(struct setup_header), 0xab, 0x20);
	memset(bp, 0xcc, sizeof(*bp));
	boot_params_build(bp, &img, &mem, LAYOUT_CMDLINE, 0, 0, 0);
	assert_int_equal(bp->hdr.init_size, 0x800000);
	assert_int_equal(bp->_pad7[0], 0);
	free(bp);
}

/* ---- GDT and page tables ---- */


static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static void test_page_tables_identity_4g(void **state)
{
	struct small_mem m;

	(void)state;
	small_mem_init(&m, 1 * MiB);
	memset(m.buf, 0xee, 0x8000); /* stale contents must be overwritten */
	assert_int_equal(boot_write_page_tables(&m.mem), 0);

	/* PML4[0] -> PDPT, present + writable; the rest empty. */
	assert_int_equal(rd64(m.buf + LAYOUT_BOOT_PML4), LAYOUT_BOOT_PDPT | 3);
	for (int i = 1; i < 512; i++)
		assert_int_equal(rd64(m.buf + LAYOUT_BOOT_PML4 + 8 * i), 0);
	/* PDPT[0..3] -> the four PDs, PDPT[4..] empty. */
	for (int i = 0; i < 4; i++)
		assert_int_equal(rd64(m.buf + LAYOUT_BOOT_PDPT + 8 * i), (LAYOUT_BOOT_PD + 4096 * i) | 3);
	for (int i = 4; i < 512; i++)
		assert_int_equal(rd64(m.buf + LAYOUT_BOOT_PDPT + 8 * i), 0);
	/* 2048 2-MiB pages map VA == PA up to 4 GiB. */
	for (uint64_t i = 0; i < 2048; i++) {
		uint64_t pde = rd64(m.buf + LAYOUT_BOOT_PD + 8 * i);

		assert_int_equal(pde & 0x83, 0x83);            /* P, RW, PS */
		assert_int_equal(pde & ~0xfffULL, i * 2 * MiB);
	}
	assert_int_equal(rd64(m.buf + LAYOUT_BOOT_PD), 0x83);
	assert_int_equal(rd64(m.buf + LAYOUT_BOOT_PD + 8 * 1536), 3 * GiB | 0x83);
	assert_int_equal(rd64(m.buf + LAYOUT_BOOT_PD + 8 * 2047), 0xffe00000ULL | 0x83);
	/* Nothing written past the last PD. */
	assert_int_equal(m.buf[LAYOUT_BOOT_PD + 4 * 4096], 0xee);
	free(m.buf);
}

static void test_page_tables_need_ram(void **state)
{
	struct small_mem m;

	(void)state;
	small_mem_init(&m, 16 * KiB); /* PDs at 0x3000-0x6fff do not fit */
	assert_int_equal(boot_write_page_tables(&m.mem), -EFAULT);
	free(m.buf);
	small_mem_init(&m, 0x7000); /* exactly enough */
	assert_int_equal(boot_write_page_tables(&m.mem), 0);
	free(m.buf);
}

static void test_gdt_descriptors(void **state)
{
	struct small_mem m;
	uint64_t code, data, tss;

	(void)state;
	small_mem_init(&m, 1 * MiB);
	assert_int_equal(boot_write_gdt(&m.mem), 0);
	assert_int_equal(rd64(m.buf + LAYOUT_BOOT_GDT), 0); /* null descriptor */
	code = rd64(m.buf + LAYOUT_BOOT_GDT + 8 * BOOT_GDT_CODE);
	data = rd64(m.buf + LAYOUT_BOOT_GDT + 8 * BOOT_GDT_DATA);
	tss = rd64(m.buf + LAYOUT_BOOT_GDT + 8 * BOOT_GDT_TSS);

	/* Code: present, S=1, executable, L=1 (64-bit), D=0. */
	assert_true(code & (1ULL << 47));
	assert_true(code & (1ULL << 44));
	assert_true(code & (1ULL << 43));
	assert_true(code & (1ULL << 53));
	assert_false(code & (1ULL << 54));
	/* Data: present, S=1, not executable, writable. */
	assert_true(data & (1ULL << 47));
	assert_true(data & (1ULL << 44));
	assert_false(data & (1ULL << 43));
	assert_true(data & (1ULL << 41));
	/* TSS: present system descriptor of type 0xb (busy 64-bit TSS). */
	assert_true(tss & (1ULL << 47));
	assert_false(tss & (1ULL << 44));
	assert_int_equal((tss >> 40) & 0xf, 0xb);
	/* Nothing else touched. */
	assert_int_equal(m.buf[LAYOUT_BOOT_GDT + 8 * BOOT_GDT_ENTRIES], 0);
	assert_int_equal(m.buf[LAYOUT_BOOT_GDT - 1], 0);
	free(m.buf);

	memset(&m.mem, 0, sizeof(m.mem)); /* no RAM at all */
	mem_layout(&m.mem, 0x400);
	m.mem.region[0].hva = (uint8_t *)&code;
	assert_int_equal(boot_write_gdt(&m.mem), -EFAULT);
}

static void test_entry64(void **state)
{
	struct boot_image img;

	(void)state;
	make_image(image, sizeof(image));
	assert_int_equal(check(&img, sizeof(image)), 0);
	assert_int_equal(boot_entry(&img), LAYOUT_KERNEL_START + 0x200);
	/* Direct boot enters the uncompressed kernel's own entry point. */
	img.direct = true;
	img.vmlinux.entry = 0x1000000;
	assert_int_equal(boot_entry(&img), 0x1000000);
}

/* ---- boot_load end to end, into a calloc'd guest ---- */

static void test_load_places_everything(void **state)
{
	char path[] = "/tmp/minivmm-test-initrd-XXXXXX";
	const uint64_t size = 64 * MiB;
	uint8_t initrd[10000];
	struct boot_image img;
	struct small_mem m;
	struct boot_params *bp;
	uint64_t rgpa;
	int fd;

	(void)state;
	for (size_t i = 0; i < sizeof(initrd); i++)
		initrd[i] = (uint8_t)(i ^ 0x5a);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, initrd, sizeof(initrd)), sizeof(initrd));
	close(fd);

	make_image(image, sizeof(image));
	assert_int_equal(check(&img, sizeof(image)), 0);
	small_mem_init(&m, size);
	assert_int_equal(boot_load(&m.mem, &img, "console=ttyS0 quiet", path, 0xe0000), 0);
	unlink(path);

	/* Protected-mode kernel at 1 MiB, command line at its fixed spot. */
	assert_memory_equal(m.buf + LAYOUT_KERNEL_START, image + img.setup_size, sizeof(image) - img.setup_size);
	assert_string_equal((char *)m.buf + LAYOUT_CMDLINE, "console=ttyS0 quiet");
	bp = (struct boot_params *)(m.buf + LAYOUT_ZERO_PAGE);
	assert_int_equal(bp->hdr.cmd_line_ptr, LAYOUT_CMDLINE);
	assert_int_equal(bp->hdr.ramdisk_size, sizeof(initrd));
	rgpa = bp->hdr.ramdisk_image | (uint64_t)bp->ext_ramdisk_image << 32;
	assert_true(rgpa + sizeof(initrd) <= size);
	assert_memory_equal(m.buf + rgpa, initrd, sizeof(initrd));
	assert_int_equal(bp->acpi_rsdp_addr, 0xe0000);
	assert_int_equal(rd64(m.buf + LAYOUT_BOOT_PML4), LAYOUT_BOOT_PDPT | 3);
	assert_true(rd64(m.buf + LAYOUT_BOOT_GDT + 8 * BOOT_GDT_CODE) & (1ULL << 53));

	/* A command line longer than the kernel's cmdline_size is refused. */
	{
		char *big = malloc(3000);

		assert_non_null(big);
		memset(big, 'c', 2999);
		big[2999] = 0;
		assert_int_equal(boot_load(&m.mem, &img, big, NULL, 0), -E2BIG);
		free(big);
	}
	free(m.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_image_valid_accepted),
		cmocka_unit_test(test_image_defaults_for_zero_fields),
		cmocka_unit_test(test_image_setup_sects_sizes_setup),
		cmocka_unit_test(test_image_too_small),
		cmocka_unit_test(test_image_no_hdrs),
		cmocka_unit_test(test_image_old_protocol),
		cmocka_unit_test(test_image_no_64bit_entry),
		cmocka_unit_test(test_image_zimage_refused),
		cmocka_unit_test(test_image_setup_larger_than_file),
		cmocka_unit_test(test_image_kernel_end_beyond_low_ram),
		cmocka_unit_test(test_image_truncated_kernel),
		cmocka_unit_test(test_image_text_file_refused),
		cmocka_unit_test(test_image_open_file),
		cmocka_unit_test(test_e820_512m),
		cmocka_unit_test(test_e820_3g_and_neighbours),
		cmocka_unit_test(test_e820_4g_8g),
		cmocka_unit_test(test_e820_exact_entries_for_8g),
		cmocka_unit_test(test_e820_respects_max),
		cmocka_unit_test(test_initrd_top_of_low_ram),
		cmocka_unit_test(test_initrd_below_addr_max),
		cmocka_unit_test(test_initrd_no_space),
		cmocka_unit_test(test_initrd_clear_of_kernel_decompression_area),
		cmocka_unit_test(test_params_fields),
		cmocka_unit_test(test_params_ext_fields_above_4g),
		cmocka_unit_test(test_params_header_length_from_jump),
		cmocka_unit_test(test_page_tables_identity_4g),
		cmocka_unit_test(test_page_tables_need_ram),
		cmocka_unit_test(test_gdt_descriptors),
		cmocka_unit_test(test_entry64),
		cmocka_unit_test(test_load_places_everything),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
