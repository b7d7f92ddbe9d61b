// SPDX-License-Identifier: GPL-2.0-only
/*
 * The control channel's fuzz harness (tests/fuzz/ctl_fuzz.c) run over its
 * seed inputs and thousands of seeded mutations of them, so CI checks its
 * invariants under ASan/UBSan without libFuzzer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../fuzz/ctl_fuzz.c"

static const char *const seeds[] = {
	"{\"cmd\": \"status\"}",
	("{\"cmd\": \"echo\", \"n\": 13, \"x\": -1.5e-3, \"b\": true, \"s\": \"\\u00e9\\ud83d\\ude00\\n\", "
	 "\"bdf\": \"0000:00:1f.7\", \"names\": [\"a\", \"b\"], \"id\": \"q\"}\n{\"cmd\": \"need\"}"),
	"{\"cmd\": \"help\", \"command\": \"echo\"}\r\n\n  \n[1, [2, [3, [4, {\"a\": null}]]]]",
	"\xff\xfe{\"cmd\"\x00: \"st\xc3\x28op\"}\n{\"a\":1,\"a\":2}\n{\"cmd\":\"echo\",}",
	"5s:echo 3 s=x names=a names=b",
	"1500ms:{\"cmd\": \"need\", \"bdf\": \"00:03.0\"}",
	"[1e308, -0, 0.1, 123456789012345678901234567890, -9223372036854775808, 1E-400]",
	"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0001\\u001F\\u007f\\uFFFF\"",
};

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void test_seeds(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		ctl_fuzz_one((const uint8_t *)seeds[i], strlen(seeds[i]));
	ctl_fuzz_one((const uint8_t *)"", 0);
}

/* Byte flips, inserted JSON tokens, cuts and repeats of the seeds. */
static void test_mutations(void **state)
{
	static const char *const tokens[] = { "{", "}", "[", "]", ",", ":", "\"", "\\u", "\\ud800", "null", "true",
					      "-", "0", "1e", ".", " ", "\n", "\xc3", "\xf0\x9f", "\"cmd\"", "=" };
	uint8_t buf[2048];

	(void)state;
	for (int iter = 0; iter < 4000; iter++) {
		const char *seed = seeds[next() % (sizeof(seeds) / sizeof(seeds[0]))];
		size_t len = strlen(seed);

		memcpy(buf, seed, len);
		for (int m = 1 + next() % 4; m > 0; m--) {
			size_t at = len ? next() % len : 0;
			const char *t = tokens[next() % (sizeof(tokens) / sizeof(tokens[0]))];
			size_t tl = strlen(t);

			switch (next() % 4) {
			case 0: /* flip a byte */
				if (len)
					buf[at] ^= 1u << (next() % 8);
				break;
			case 1: /* insert a token */
				if (len + tl < sizeof(buf)) {
					memmove(buf + at + tl, buf + at, len - at);
					memcpy(buf + at, t, tl);
					len += tl;
				}
				break;
			case 2: /* cut */
				len = at;
				break;
			default: /* repeat a piece */
				if (len && 2 * len < sizeof(buf)) {
					size_t n = next() % (len - at + 1);

					memmove(buf + at + n, buf + at, len - at);
					len += n;
				}
			}
		}
		ctl_fuzz_one(buf, len);
	}
}

/* Deep nesting and huge inputs stay bounded. */
static void test_extremes(void **state)
{
	static uint8_t big[40000];

	(void)state;
	memset(big, '[', sizeof(big));
	ctl_fuzz_one(big, sizeof(big));
	memset(big, '"', sizeof(big));
	ctl_fuzz_one(big, sizeof(big));
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = i % 2 ? ',' : '1';
	big[0] = '[';
	ctl_fuzz_one(big, sizeof(big));
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = next();
	ctl_fuzz_one(big, sizeof(big));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seeds),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_extremes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
