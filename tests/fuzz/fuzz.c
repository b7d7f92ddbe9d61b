// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE /* memfd_create */
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
