/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The arm64 Linux Image and what a kernel file may wrap it in
 * (Documentation/arch/arm64/booting.rst). Pure: the header checks, and
 * where the compressed Image of a gzip'ed Image or an EFI zboot
 * vmlinuz.efi is, for the loader to decompress it (decompress.h).
 */
#ifndef MINIVMM_ARM64_IMAGE_H
#define MINIVMM_ARM64_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "minivmm/decompress.h"

/* The Image header: 64 bytes at offset 0. */
#define ARM64_IMAGE_HEADER_SIZE 64
#define ARM64_IMAGE_MAGIC 0x644d5241u /* "ARM\x64", little endian at offset 56 */
/* Flags (booting.rst): bit 0 big endian, bits 2:1 page size, bit 3 placement anywhere. */
#define ARM64_IMAGE_FLAG_BE (1u << 0)
#define ARM64_IMAGE_FLAG_PAGE_SHIFT 1
#define ARM64_IMAGE_FLAG_PAGE_MASK (3u << ARM64_IMAGE_FLAG_PAGE_SHIFT)
#define ARM64_IMAGE_FLAG_ANYWHERE (1u << 3)
/* Kernels before 3.17 leave image_size 0 and load at this text_offset. */
#define ARM64_IMAGE_LEGACY_TEXT_OFFSET 0x80000ULL

struct arm64_image {
	uint64_t text_offset;        /* load offset from a 2 MiB aligned base */
	uint64_t image_size;         /* memory the kernel occupies from there, BSS included */
	uint64_t file_size;          /* bytes of the file to copy (at most image_size) */
	uint64_t page_size;          /* 4K, 16K, 64K; 0 when the header does not say */
	uint64_t flags;
};

/*
 * Check the @n bytes at @p (at least the header) as an Image minivmm
 * boots: little endian, a page-aligned text_offset below 2 MiB, a sane
 * image_size. Returns 0, or -ENOEXEC with the reason and the fix in @err.
 */
int arm64_image_parse(struct arm64_image *img, const uint8_t *p, size_t n, uint64_t file_size, char *err,
		      size_t errlen);

/* What a kernel file holds, by its first bytes. */
enum arm64_kernel_kind {
	ARM64_KERNEL_IMAGE,          /* an Image */
	ARM64_KERNEL_COMPRESSED,     /* a compressed Image (gzip, xz, zstd, ... : Image.gz) */
	ARM64_KERNEL_ZBOOT,          /* an EFI zboot image: vmlinuz.efi with a compressed Image inside */
	ARM64_KERNEL_UNKNOWN,
};

struct arm64_kernel_file {
	enum arm64_kernel_kind kind;
	enum decomp_format format;   /* COMPRESSED, ZBOOT: the payload's format */
	uint64_t payload_offset;     /* ...and where it is in the file */
	uint64_t payload_size;
};

/*
 * Tell what the file of @file_size bytes starting with the @n bytes at @p
 * is (@n >= ARM64_IMAGE_HEADER_SIZE unless the file is shorter). A zboot
 * image's payload must lie inside the file, else it is UNKNOWN.
 */
void arm64_kernel_identify(struct arm64_kernel_file *k, const uint8_t *p, size_t n, uint64_t file_size);

#endif
