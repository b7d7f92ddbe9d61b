// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for kernel payload decompression (src/decompress.c):
 * the input's first byte sets the output limit (2^(b % 24) bytes: 1 B to
 * 8 MiB, so a decompression bomb costs nothing), the rest is a bzImage
 * payload, told apart by its magic and decoded (gzip, xz, zstd) into a
 * memory file as minivmm decodes it into its cache.
 *
 * Checked: formats minivmm does not decode are refused with -ENOTSUP and
 * write nothing; a decoded stream is within the limit and exactly what
 * reached the file; corrupt or truncated input is -EINVAL, output past the
 * limit -EFBIG with no more than the limit written; every failure has a
 * reason. The sanitizers and libFuzzer's -timeout watch the decoding loops
 * (a loop that stops making progress is a hang).
 */
#define _GNU_SOURCE /* memfd_create */
#include <errno.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "minivmm/decompress.h"

static int out_fd = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	out_fd = memfd_create("decompressed", MFD_CLOEXEC);
	FUZZ_CHECK(out_fd >= 0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t max_out, out = 0xdead;
	enum decomp_format f;
	char err[512] = "";
	struct stat st;
	int ret;

	if (!size)
		return 0;
	max_out = 1ULL << (data[0] % 24);
	data++;
	size--;
	f = decomp_detect(data, size);
	FUZZ_CHECK(decomp_name(f)[0]);
	FUZZ_CHECK(!ftruncate(out_fd, 0) && lseek(out_fd, 0, SEEK_SET) == 0);
	ret = decomp_to_fd(f, data, size, out_fd, max_out, &out, err, sizeof(err));
	FUZZ_CHECK(!fstat(out_fd, &st));
	if (!decomp_supported(f)) {
		FUZZ_CHECK(ret == -ENOTSUP && err[0] && st.st_size == 0);
		return 0;
	}
	FUZZ_CHECK((uint64_t)st.st_size <= max_out);
	if (!ret) {
		FUZZ_CHECK(out == (uint64_t)st.st_size);
		return 0;
	}
	FUZZ_CHECK(out == 0xdead && err[0]);
	FUZZ_CHECK(ret == -EINVAL || ret == -EFBIG || ret == -ENOMEM);
	return 0;
}
