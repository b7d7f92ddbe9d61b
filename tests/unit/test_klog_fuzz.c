// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel-log parser's fuzz harness (tests/fuzz/klog_fuzz.c) run over
 * its seed corpus (tests/fuzz/corpus/klog: real guest consoles) and
 * thousands of seeded mutations of it, so CI checks its invariants under
 * ASan/UBSan without libFuzzer.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../fuzz/klog_fuzz.c"

#define SEEDS_MAX 64
#define SEED_BYTES (256 * 1024)

static uint8_t *seeds[SEEDS_MAX];
static size_t seed_len[SEEDS_MAX], nseeds;
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int load_seeds(void **state)
{
	/* From the source tree's data dir (__FILE__ is relative under -ffile-prefix-map, as in the .deb build). */
	char dir[4096], path[4400];
	struct dirent *d;
	DIR *dp;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/../../fuzz/corpus/klog", UNIT_DATA_DIR);
	dp = opendir(dir);
	if (!dp)
		return -1;
	while ((d = readdir(dp)) && nseeds < SEEDS_MAX) {
		FILE *f;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		f = fopen(path, "rb");
		if (!f)
			continue;
		seeds[nseeds] = malloc(SEED_BYTES);
		seed_len[nseeds] = seeds[nseeds] ? fread(seeds[nseeds], 1, SEED_BYTES, f) : 0;
		fclose(f);
		if (seeds[nseeds])
			nseeds++;
	}
	closedir(dp);
	return nseeds ? 0 : -1;
}

static int free_seeds(void **state)
{
	(void)state;
	for (size_t i = 0; i < nseeds; i++)
		free(seeds[i]);
	return 0;
}

static void test_seeds(void **state)
{
	(void)state;
	assert_true(nseeds >= 4);
	for (size_t i = 0; i < nseeds; i++)
		klog_fuzz_one(seeds[i], seed_len[i]);
	klog_fuzz_one((const uint8_t *)"", 0);
	klog_fuzz_one((const uint8_t *)"\x03", 1);
	klog_fuzz_one((const uint8_t *)"\x01*\n[ 1.0] WARNING: CPU: 0 PID: 1 at a.c:1 f+0x1/0x2", 52);
}

/* Byte flips, inserted report tokens, cuts, and pieces repeated or moved. */
static void test_mutations(void **state)
{
	static const char *const tokens[] = {
		"\n", "[    1.000000] ", "[    2.000000][  T12] ", "[  C1] ", "WARNING: CPU: 0 PID: 1 at ", "BUG: ",
		"---[ end trace 0000000000000000 ]---", "</TASK>", "==================================================",
		"Kernel panic - not syncing: ", "Sending NMI from CPU 0", "list_add corruption. ", "kernel BUG at lib/list_debug.c:27!",
		"unregister_netdevice: waiting for eth0 to become free. Usage count = 2", "f+0x1/0x2", "RIP: 0010:",
		"INFO: task a:1 blocked for more than 2 seconds.", "NETDEV WATCHDOG: ", "irq 9: nobody cared", "*", "?",
		"[", "\\", "\xc3", "\xff", "\r", "",
	};
	static uint8_t buf[SEED_BYTES + 4096];

	(void)state;
	assert_true(nseeds > 0);
	for (int iter = 0; iter < 1500; iter++) {
		size_t s = next() % nseeds, len = seed_len[s];

		/* a window of the seed keeps runs short */
		if (len > 12000) {
			size_t from = next() % (len - 12000);

			memcpy(buf, seeds[s] + from, 12000);
			len = 12000;
		} else {
			memcpy(buf, seeds[s], len);
		}
		if (iter % 3 == 0 && len)
			buf[0] = next() % 4; /* with patterns taken from the first lines */
		for (int m = 1 + next() % 6; m > 0; m--) {
			size_t at = len ? next() % len : 0;
			const char *t = tokens[next() % (sizeof(tokens) / sizeof(tokens[0]))];
			size_t tl = strlen(t);

			switch (next() % 5) {
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
			case 2: /* cut the end */
				len = at + (len - at) / 2;
				break;
			case 3: /* drop a piece */
				if (len) {
					size_t n = next() % (len - at + 1) / 4;

					memmove(buf + at, buf + at + n, len - at - n);
					len -= n;
				}
				break;
			default: /* repeat a piece */
				if (len) {
					size_t n = next() % (len - at + 1) % 4096;

					if (len + n <= sizeof(buf)) {
						memmove(buf + at + n, buf + at, len - at);
						len += n;
					}
				}
			}
		}
		klog_fuzz_one(buf, len);
	}
}

/* Long lines, many reports at once, and noise stay bounded. */
static void test_extremes(void **state)
{
	static uint8_t big[200000];
	size_t n = 0;

	(void)state;
	memset(big, 'x', sizeof(big));
	klog_fuzz_one(big, sizeof(big));
	big[n++] = 0;
	while (n + 200 < sizeof(big)) {
		unsigned int i = next() % 100;

		n += snprintf((char *)big + n, 200, "[%5u.000000][  C%u] BUG: report number %u\n", i, i % 9, i);
		n += snprintf((char *)big + n, 200, "[%5u.000000][  T%u] WARNING: CPU: 0 PID: 1 at x.c:%u f%u+0x1/0x2\n", i,
			      i % 11, i, i);
	}
	klog_fuzz_one(big, n);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = next();
	klog_fuzz_one(big, sizeof(big));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seeds),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_extremes),
	};

	return cmocka_run_group_tests(tests, load_seeds, free_seeds);
}
