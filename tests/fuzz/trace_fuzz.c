// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the --trace specification parser and matcher
 * (src/trace_spec.c, with the BDF parser of src/pci/bdf.c): the input is
 * the text of one --trace value up to its first NUL, then accesses to
 * match against it until the input ends (region byte, 7-byte offset,
 * width byte).
 *
 * Checked against a grammar of its own: an accepted value is exactly
 * BDF:REGION[:OFFSET[+LEN]], the BDF DDDD:BB:DD.F or BB:DD.F in hex,
 * REGION bar0..bar5 or config, OFFSET and LEN decimal or 0x-hex digits
 * and nothing else (no blanks, no signs, no octal), LEN not 0 and the
 * range not past 2^64; what was parsed is what the text says, and the
 * canonical form parses back to the same. A refusal says what to write
 * instead. A match is exactly an overlap of the access with the traced
 * range (to the region's end without LEN), in the same region.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "minivmm/pci_bdf.h"
#include "minivmm/trace.h"

#define SPEC_MAX 256

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	return 0;
}

/* The grammar's number: [0-9]+ or 0[xX][0-9a-fA-F]+, fitting 64 bits. */
FUZZ_NOCOV static bool strict_number(const char *s, size_t n, uint64_t *v)
{
	unsigned int base = 10;
	unsigned __int128 acc = 0;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		n -= 2;
	}
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i], d;

		if (isdigit(c))
			d = c - '0';
		else if (base == 16 && isxdigit(c))
			d = tolower(c) - 'a' + 10;
		else
			return false;
		acc = acc * base + (unsigned int)d;
		if (acc >> 64)
			return false;
	}
	*v = (uint64_t)acc;
	return true;
}

/* The whole grammar; fills @want when @s is a valid --trace value. */
FUZZ_NOCOV static bool strict_parse(const char *s, struct trace_spec *want)
{
	static const char *const regions[] = { "bar0", "bar1", "bar2", "bar3", "bar4", "bar5", "config" };
	size_t n = strlen(s);

	memset(want, 0, sizeof(*want));
	/* The BDF is 12 or 7 characters; try both. */
	for (size_t bl = 12;; bl = 7) {
		char bdf[16];
		const char *r = s + bl + 1, *num, *plus;
		size_t rl;

		if (n > bl && s[bl] == ':') {
			memcpy(bdf, s, bl);
			bdf[bl] = 0;
			if (!pci_bdf_parse(bdf, &want->bdf)) {
				rl = strcspn(r, ":");
				for (unsigned int i = 0; i < 7; i++) {
					if (strlen(regions[i]) != rl || memcmp(r, regions[i], rl))
						continue;
					want->region = i;
					if (!r[rl])
						return true;
					num = r + rl + 1;
					plus = strchr(num, '+');
					if (!strict_number(num, plus ? (size_t)(plus - num) : strlen(num), &want->off))
						return false;
					if (!plus)
						return true;
					if (!strict_number(plus + 1, strlen(plus + 1), &want->len) || !want->len ||
					    want->off + want->len < want->off)
						return false;
					return true;
				}
			}
		}
		if (bl == 7)
			return false;
	}
}

/* The canonical form parses back to the same. */
FUZZ_NOCOV static void check_spec(const struct trace_spec *sp)
{
	char canon[128], bdf[PCI_BDF_STRLEN], err[512] = "";
	struct trace_spec again;
	int n;

	pci_bdf_format(&sp->bdf, bdf);
	FUZZ_CHECK(sp->region <= TRACE_CONFIG);
	n = snprintf(canon, sizeof(canon), "%s:%s", bdf, trace_region_name(sp->region));
	if (sp->len)
		snprintf(canon + n, sizeof(canon) - n, ":%#llx+%#llx", (unsigned long long)sp->off,
			 (unsigned long long)sp->len);
	else if (sp->off)
		snprintf(canon + n, sizeof(canon) - n, ":%llu", (unsigned long long)sp->off);
	FUZZ_CHECK(!trace_spec_parse(canon, &again, err, sizeof(err)));
	FUZZ_CHECK(!memcmp(&again.bdf, &sp->bdf, sizeof(sp->bdf)) && again.region == sp->region &&
		   again.off == sp->off && again.len == sp->len);
}

FUZZ_NOCOV static void check_hits(const struct trace_spec *sp, unsigned int region, uint64_t off,
				  unsigned int len)
{
	unsigned __int128 a0 = off, a1 = (unsigned __int128)off + len, s0 = sp->off;
	unsigned __int128 s1 = sp->len ? s0 + sp->len : (unsigned __int128)1 << 64;
	bool want = region == sp->region && a0 < s1 && s0 < a1;

	FUZZ_CHECK(trace_spec_hits(sp, region, off, len) == want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz in = { data, size };
	char text[SPEC_MAX], err[512];
	struct trace_spec sp, want;
	bool valid;
	int ret;

	fz_str(&in, text, sizeof(text));
	memset(err, 0, sizeof(err));
	memset(&sp, 0xa5, sizeof(sp));
	ret = trace_spec_parse(text, &sp, err, sizeof(err));
	valid = strict_parse(text, &want);
	if (ret) {
		FUZZ_CHECK(ret == -EINVAL);
		FUZZ_CHECK(err[0] && strstr(err, "BDF:REGION[:OFFSET[+LEN]]") && strstr(err, "e.g. --trace"));
		/* Whatever the grammar allows is accepted. */
		FUZZ_CHECK(!valid);
		return 0;
	}
	FUZZ_CHECK(valid);
	FUZZ_CHECK(!memcmp(&sp.bdf, &want.bdf, sizeof(sp.bdf)) && sp.region == want.region &&
		   sp.off == want.off && sp.len == want.len);
	check_spec(&sp);

	/* Accesses, as the trap handler makes them: offsets inside a BAR
	 * (below 2^56), widths 1 to 8. */
	while (fz_more(&in)) {
		unsigned int region = fz_u8(&in) % (TRACE_CONFIG + 2);
		uint64_t off = fz_u64(&in);
		unsigned int len = 1 + (off >> 56) % 8;

		off &= (1ULL << 56) - 1;
		if (region & 1 && sp.off)
			off = sp.off - 4 + (off & 7) + (sp.len && (off & 8) ? sp.len : 0);
		check_hits(&sp, region, off & ((1ULL << 56) - 1), len);
	}
	return 0;
}
