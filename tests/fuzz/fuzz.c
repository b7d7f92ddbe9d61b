// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE /* memfd_create */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "minivmm/log.h"

/* The stderr libFuzzer and the sanitizers print to; minivmm's goes nowhere. */
static FILE *real_stderr;

size_t fz_bytes(struct fz *in, void *out, size_t max)
{
	size_t n = in->n < max ? in->n : max;

	memcpy(out, in->p, n);
	in->p += n;
	in->n -= n;
	return n;
}

void fz_str(struct fz *in, char *out, size_t max)
{
	size_t i = 0;

	while (in->n) {
		uint8_t c = fz_u8(in);

		if (!c)
			break;
		if (i + 1 < max)
			out[i++] = c;
	}
	out[i] = 0;
}

/* The reader's number fields, for the checksum fixer. */
FUZZ_NOCOV static bool tar_number(const uint8_t *f, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	if (f[0] & 0x80) {
		for (i = 1; i < len; i++) {
			if (v >> 56)
				return false;
			v = v << 8 | f[i];
		}
		*out = v;
		return true;
	}
	while (i < len && f[i] == ' ')
		i++;
	for (; i < len && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v >> 61)
			return false;
		v = v << 3 | (uint64_t)(f[i] - '0');
	}
	*out = v;
	return true;
}

FUZZ_NOCOV void fuzz_tar_fix_checksums(uint8_t *p, size_t n)
{
	size_t pos = 0;

	while (n - pos >= 512) {
		uint8_t *h = p + pos;
		unsigned int sum = 0;
		uint64_t size;
		size_t r;

		for (r = 0; r < 512 && !h[r]; r++)
			;
		if (r == 512 || !tar_number(h + 124, 12, &size))
			return;
		memset(h + 148, ' ', 8);
		for (int i = 0; i < 512; i++)
			sum += h[i];
		snprintf((char *)h + 148, 8, "%06o", sum & 0777777);
		h[155] = ' ';
		if (h[156] == '1' || h[156] == '2' || h[156] == '5')
			size = 0;
		if (size > n)
			return;
		size = (size + 511) & ~511ULL;
		if (size > n - pos - 512)
			return;
		pos += 512 + size;
	}
}

void fuzz_file(const void *p, size_t n, char *path, size_t pathlen)
{
	static int fd = -1;

	if (fd < 0)
		fd = memfd_create("fuzz-input", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, 0) || (n && pwrite(fd, p, n, 0) != (ssize_t)n))
		fuzz_fail(__FILE__, __LINE__, "cannot write the input to a memory file");
	snprintf(path, pathlen, "/proc/self/fd/%d", fd);
}

void fuzz_quiet(void)
{
	const char *env = getenv("MINIVMM_FUZZ_LOG");
	FILE *null;

	real_stderr = stderr;
	if (env && *env == '1') {
		log_set_level(LOG_DEBUG);
		return;
	}
	log_set_level(LOG_ERROR);
	null = fopen("/dev/null", "w");
	if (null)
		stderr = null;
}

void fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(real_stderr ? real_stderr : stderr, "==fuzz== invariant broken at %s:%d: %s\n", file, line, what);
	fflush(NULL);
	abort();
}
