/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the libFuzzer harnesses in tests/fuzz: reading an input as a
 * stream of values, checking invariants, and keeping minivmm's log quiet.
 * Harnesses are deterministic: the input is their only source of choice.
 */
#ifndef MINIVMM_TESTS_FUZZ_H
#define MINIVMM_TESTS_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* For a harness's own checking loops: libFuzzer gains nothing from their
 * coverage and comparisons, which would cost most of the run time. */
#define FUZZ_NOCOV __attribute__((no_sanitize("coverage")))

/* An input read front to back; past its end every value reads 0. */
struct fz {
	const uint8_t *p;
	size_t n;
};

static inline bool fz_more(const struct fz *in)
{
	return in->n > 0;
}

static inline uint8_t fz_u8(struct fz *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static inline uint16_t fz_u16(struct fz *in)
{
	uint16_t v = fz_u8(in);

	return v | (uint16_t)fz_u8(in) << 8;
}

static inline uint32_t fz_u32(struct fz *in)
{
	uint32_t v = fz_u16(in);

	return v | (uint32_t)fz_u16(in) << 16;
}

static inline uint64_t fz_u64(struct fz *in)
{
	uint64_t v = fz_u32(in);

	return v | (uint64_t)fz_u32(in) << 32;
}

/* Up to @max bytes, as many as are left; returns how many. */
size_t fz_bytes(struct fz *in, void *out, size_t max);
/* A NUL-terminated string of up to @max - 1 bytes, ended by a NUL in the
 * input (consumed) or by the end of the input. */
void fz_str(struct fz *in, char *out, size_t max);

/*
 * Make the file @path (a /proc/self/fd/N name, @pathlen bytes) hold the
 * @n bytes at @p: one memory file per process, rewritten for each input.
 */
void fuzz_file(const void *p, size_t n, char *path, size_t pathlen);
/*
 * Make every ustar header's checksum right in the @n bytes at @p, header
 * to header as the tar reader walks them (a data size taken from each
 * header, none for links and directories), so that mutated archives get
 * past the checksum to the code behind it.
 */
void fuzz_tar_fix_checksums(uint8_t *p, size_t n);

/*
 * Silence minivmm's log (it writes to stderr through the stdio stream,
 * libFuzzer and the sanitizers keep the real one): a run of millions of
 * inputs would otherwise fill the disk with "error: ..." lines. Set
 * MINIVMM_FUZZ_LOG=1 to see them when reproducing a crash.
 */
void fuzz_quiet(void);

/* Abort with a message naming the broken invariant. */
void fuzz_fail(const char *file, int line, const char *what) __attribute__((noreturn));
#define FUZZ_CHECK(cond)                                          \
	do {                                                      \
		if (!(cond))                                      \
			fuzz_fail(__FILE__, __LINE__, #cond);     \
	} while (0)

#endif
