/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Decompressing a kernel payload on the host: the formats Linux builds its
 * compressed images with, told apart by their magic numbers. gzip, xz and
 * zstd are decoded here (zlib, liblzma, libzstd); the others are only
 * named, and such a kernel decompresses itself in the guest.
 */
#ifndef MINIVMM_DECOMPRESS_H
#define MINIVMM_DECOMPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum decomp_format {
	DECOMP_UNKNOWN,
	DECOMP_GZIP,
	DECOMP_XZ,
	DECOMP_ZSTD,
	DECOMP_LZMA,
	DECOMP_BZIP2,
	DECOMP_LZ4,
	DECOMP_LZO,
};

/* Pure: the format whose magic @p starts with. */
enum decomp_format decomp_detect(const uint8_t *p, size_t n);
const char *decomp_name(enum decomp_format f);
/* Whether decomp_to_fd() decodes @f. */
bool decomp_supported(enum decomp_format f);

/*
 * Decode the first stream of @in (format @f) and write it to @fd; bytes
 * after the stream's end (Linux appends the decoded size) are ignored.
 * Output beyond @max_out bytes is an error. The format's library is
 * loaded for the call (dl.h). Returns 0 with the decoded size in
 * @out_size; else -EINVAL for corrupt or truncated input, -EFBIG past
 * @max_out, -ENOTSUP for an unsupported format, -ENOENT when the library
 * is missing, -errno on write errors, with a reason in @err.
 */
int decomp_to_fd(enum decomp_format f, const uint8_t *in, size_t n, int fd, uint64_t max_out,
		 uint64_t *out_size, char *err, size_t errlen);

#endif
