// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the arm64 Image header checks and kernel file
 * identification (src/arch/arm64/image.c): a good little-endian Image
 * (Debian's header values), the page size flags, pre-3.17 Images, signed
 * Images longer than image_size, and what is refused with which fix:
 * big-endian kernels, bad magic, bad text_offset; compressed Images and
 * EFI zboot images found with their payload, other files not.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "minivmm/arm64/image.h"

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* An Image header as Linux's head.S lays it out. */
static void header(uint8_t *h, uint64_t text_offset, uint64_t image_size, uint64_t flags)
{
	memset(h, 0, ARM64_IMAGE_HEADER_SIZE);
	h[0] = 'M'; /* the EFI stub's "MZ" in code0, as Debian's signed kernel has */
	h[1] = 'Z';
	put64(h + 8, text_offset);
	put64(h + 16, image_size);
	put64(h + 24, flags);
	put32(h + 56, ARM64_IMAGE_MAGIC);
	put32(h + 60, 0x40); /* PE header offset */
}

static void test_debian_image(void **state)
{
	uint8_t h[ARM64_IMAGE_HEADER_SIZE];
	struct arm64_image img;
	struct arm64_kernel_file k;
	char err[256] = "";

	(void)state;
	/* linux-image-6.1.0-57-arm64: text_offset 0, image_size 33619968, flags 0xa, file 32956352 bytes. */
	header(h, 0, 33619968, 0xa);
	arm64_kernel_identify(&k, h, sizeof(h), 32956352);
	assert_int_equal(k.kind, ARM64_KERNEL_IMAGE);
	assert_int_equal(arm64_image_parse(&img, h, sizeof(h), 32956352, err, sizeof(err)), 0);
	assert_int_equal(img.text_offset, 0);
	assert_int_equal(img.image_size, 33619968);
	assert_int_equal(img.file_size, 32956352);
	assert_int_equal(img.page_size, 4096);
	assert_true(img.flags & ARM64_IMAGE_FLAG_ANYWHERE);
}

static void test_page_sizes(void **state)
{
	static const struct {
		uint64_t flags, page;
	} cases[] = { { 0, 0 }, { 2, 4096 }, { 4, 16384 }, { 6, 65536 }, { 0xe, 65536 } };
	uint8_t h[ARM64_IMAGE_HEADER_SIZE];
	struct arm64_image img;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		header(h, 0x80000, 20 << 20, cases[i].flags);
		assert_int_equal(arm64_image_parse(&img, h, sizeof(h), 10 << 20, err, sizeof(err)), 0);
		assert_int_equal(img.page_size, cases[i].page);
	}
}

static void test_legacy_and_signed(void **state)
{
	uint8_t h[ARM64_IMAGE_HEADER_SIZE];
	struct arm64_image img;
	char err[256];

	(void)state;
	/* Before 3.17: image_size 0 means text_offset 0x80000 and the file's size. */
	header(h, 0, 0, 0);
	assert_int_equal(arm64_image_parse(&img, h, sizeof(h), 7 << 20, err, sizeof(err)), 0);
	assert_int_equal(img.text_offset, ARM64_IMAGE_LEGACY_TEXT_OFFSET);
	assert_int_equal(img.image_size, 7 << 20);
	assert_int_equal(img.file_size, 7 << 20);
	/* A signature after the image is not copied. */
	header(h, 0, 10 << 20, 0xa);
	assert_int_equal(arm64_image_parse(&img, h, sizeof(h), (10 << 20) + 4096, err, sizeof(err)), 0);
	assert_int_equal(img.file_size, 10 << 20);
}

static void test_refused(void **state)
{
	uint8_t h[ARM64_IMAGE_HEADER_SIZE];
	struct arm64_image img;
	char err[256];

	(void)state;
	header(h, 0, 20 << 20, 0xb); /* big endian */
	assert_int_equal(arm64_image_parse(&img, h, sizeof(h), 10 << 20, err, sizeof(err)), -ENOEXEC);
	assert_non_null(strstr(err, "big-endian"));
	assert_non_null(strstr(err, "CONFIG_CPU_LITTLE_ENDIAN"));

	header(h, 0, 20 << 20, 0xa);
	put32(h + 56, 0x12345678);
	assert_int_equal(arm64_image_parse(&img, h, sizeof(h), 10 << 20, err, sizeof(err)), -ENOEXEC);
	assert_non_null(strstr(err, "not an arm64 Linux Image"));
	assert_non_null(strstr(err, "arch/arm64/boot/Image"));
	header(h, 0, 20 << 20, 0xa);
	assert_int_equal(arm64_image_parse(&img, h, 40, 40, err, sizeof(err)), -ENOEXEC); /* short file */

	header(h, 0x80001, 20 << 20, 0xa);
	assert_int_equal(arm64_image_parse(&img, h, sizeof(h), 10 << 20, err, sizeof(err)), -ENOEXEC);
	assert_non_null(strstr(err, "text_offset"));
	header(h, 2 << 20, 20 << 20, 0xa);
	assert_int_equal(arm64_image_parse(&img, h, sizeof(h), 10 << 20, err, sizeof(err)), -ENOEXEC);

	header(h, 0, 4ULL << 30, 0xa);
	assert_int_equal(arm64_image_parse(&img, h, sizeof(h), 10 << 20, err, sizeof(err)), -ENOEXEC);
	assert_non_null(strstr(err, "image_size"));
}

static void test_identify_wrapped(void **state)
{
	uint8_t f[ARM64_IMAGE_HEADER_SIZE] = { 0 };
	struct arm64_kernel_file k;

	(void)state;
	/* Image.gz */
	f[0] = 0x1f, f[1] = 0x8b, f[2] = 8;
	arm64_kernel_identify(&k, f, sizeof(f), 12 << 20);
	assert_int_equal(k.kind, ARM64_KERNEL_COMPRESSED);
	assert_int_equal(k.format, DECOMP_GZIP);
	assert_int_equal(k.payload_offset, 0);
	assert_int_equal(k.payload_size, 12 << 20);
	/* Image.zst */
	memset(f, 0, sizeof(f));
	f[0] = 0x28, f[1] = 0xb5, f[2] = 0x2f, f[3] = 0xfd;
	arm64_kernel_identify(&k, f, sizeof(f), 9 << 20);
	assert_int_equal(k.kind, ARM64_KERNEL_COMPRESSED);
	assert_int_equal(k.format, DECOMP_ZSTD);

	/* vmlinuz.efi (EFI zboot): "MZ", "zimg", payload offset and size. */
	memset(f, 0, sizeof(f));
	memcpy(f, "MZ\0\0zimg", 8);
	put32(f + 8, 0x10000);
	put32(f + 12, 0x800000);
	memcpy(f + 24, "gzip", 5);
	arm64_kernel_identify(&k, f, sizeof(f), 0x810000 + 512);
	assert_int_equal(k.kind, ARM64_KERNEL_ZBOOT);
	assert_int_equal(k.payload_offset, 0x10000);
	assert_int_equal(k.payload_size, 0x800000);
	/* ... whose payload runs past the file's end: not one. */
	arm64_kernel_identify(&k, f, sizeof(f), 0x80ffff);
	assert_int_equal(k.kind, ARM64_KERNEL_UNKNOWN);

	/* An ELF, nothing. */
	memset(f, 0, sizeof(f));
	memcpy(f, "\x7f" "ELF", 4);
	arm64_kernel_identify(&k, f, sizeof(f), 1 << 20);
	assert_int_equal(k.kind, ARM64_KERNEL_UNKNOWN);
	memset(f, 0, sizeof(f));
	arm64_kernel_identify(&k, f, 0, 0);
	assert_int_equal(k.kind, ARM64_KERNEL_UNKNOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debian_image),
		cmocka_unit_test(test_page_sizes),
		cmocka_unit_test(test_legacy_and_signed),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_identify_wrapped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
