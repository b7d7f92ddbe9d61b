// SPDX-License-Identifier: GPL-2.0-only
/* The arm64 Image header and the wrappers around it (include/minivmm/arm64/image.h). Pure. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "minivmm/arm64/image.h"
#include "minivmm/units.h"

/* Header fields (booting.rst): offsets of the little-endian values. */
#define HDR_TEXT_OFFSET 8
#define HDR_IMAGE_SIZE 16
#define HDR_FLAGS 24
#define HDR_MAGIC 56
/* An EFI zboot image (drivers/firmware/efi/libstub/zboot-header.S): "MZ",
 * then "zimg" and the payload's offset and size as le32. */
#define ZBOOT_MAGIC_OFFSET 4
#define ZBOOT_PAYLOAD_OFFSET 8
#define ZBOOT_PAYLOAD_SIZE 12
/* text_offset is below 2 MiB (it is an offset into a 2 MiB aligned block). */
#define TEXT_OFFSET_MAX (2 * MiB)
/* No arm64 kernel needs more than this much memory from its load address. */
#define IMAGE_SIZE_MAX (1ULL * GiB)

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int arm64_image_parse(struct arm64_image *img, const uint8_t *p, size_t n, uint64_t file_size, char *err,
		      size_t errlen)
{
	static const uint64_t page_sizes[] = { 0, 4 * KiB, 16 * KiB, 64 * KiB };

	memset(img, 0, sizeof(*img));
	if (n < ARM64_IMAGE_HEADER_SIZE || le32(p + HDR_MAGIC) != ARM64_IMAGE_MAGIC) {
		snprintf(err, errlen, "not an arm64 Linux Image (no \"ARM\\x64\" magic at offset 56): pass arch/arm64/boot/Image");
		return -ENOEXEC;
	}
	img->text_offset = le64(p + HDR_TEXT_OFFSET);
	img->image_size = le64(p + HDR_IMAGE_SIZE);
	img->flags = le64(p + HDR_FLAGS);
	img->file_size = file_size;
	if (!img->image_size) {
		/* Before 3.17: no size, no flags, a fixed offset (booting.rst). */
		img->text_offset = ARM64_IMAGE_LEGACY_TEXT_OFFSET;
		img->image_size = file_size;
		img->flags = 0;
	}
	if (img->flags & ARM64_IMAGE_FLAG_BE) {
		snprintf(err, errlen, "the kernel is big-endian: minivmm boots little-endian arm64 kernels (CONFIG_CPU_LITTLE_ENDIAN=y)");
		return -ENOEXEC;
	}
	img->page_size = page_sizes[(img->flags & ARM64_IMAGE_FLAG_PAGE_MASK) >> ARM64_IMAGE_FLAG_PAGE_SHIFT];
	if (img->text_offset >= TEXT_OFFSET_MAX || img->text_offset % 4096) {
		snprintf(err, errlen, "the Image's text_offset %#llx is not a page offset below 2 MiB: the file is damaged or not a kernel",
			 (unsigned long long)img->text_offset);
		return -ENOEXEC;
	}
	if (img->image_size > IMAGE_SIZE_MAX) {
		snprintf(err, errlen, "the Image's image_size %llu is beyond any kernel's: the file is damaged or not a kernel",
			 (unsigned long long)img->image_size);
		return -ENOEXEC;
	}
	/* A signed EFI Image carries its signature after the image: not loaded. */
	if (img->file_size > img->image_size)
		img->file_size = img->image_size;
	return 0;
}

void arm64_kernel_identify(struct arm64_kernel_file *k, const uint8_t *p, size_t n, uint64_t file_size)
{
	memset(k, 0, sizeof(*k));
	k->kind = ARM64_KERNEL_UNKNOWN;
	if (n >= ARM64_IMAGE_HEADER_SIZE && le32(p + HDR_MAGIC) == ARM64_IMAGE_MAGIC) {
		k->kind = ARM64_KERNEL_IMAGE;
		return;
	}
	if (n >= ZBOOT_PAYLOAD_SIZE + 4 && p[0] == 'M' && p[1] == 'Z' && !memcmp(p + ZBOOT_MAGIC_OFFSET, "zimg", 4)) {
		uint64_t off = le32(p + ZBOOT_PAYLOAD_OFFSET), size = le32(p + ZBOOT_PAYLOAD_SIZE);

		if (off && size && off <= file_size && size <= file_size - off) {
			k->kind = ARM64_KERNEL_ZBOOT;
			k->payload_offset = off;
			k->payload_size = size;
			/* The header names the method; the payload's magic is what decodes it. */
			k->format = DECOMP_UNKNOWN;
		}
		return;
	}
	k->format = decomp_detect(p, n);
	if (k->format != DECOMP_UNKNOWN) {
		k->kind = ARM64_KERNEL_COMPRESSED;
		k->payload_offset = 0;
		k->payload_size = file_size;
	}
}
