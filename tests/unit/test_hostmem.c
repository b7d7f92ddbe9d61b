// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests for src/hostmem.c: /proc/meminfo parsing and the --mem verdict. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "minivmm/hostmem.h"

#define GiB (1ULL << 30)
#define MiB (1ULL << 20)

static const char meminfo[] = "MemTotal:        3036968 kB\n"
			      "MemFree:          108244 kB\n"
			      "MemAvailable:     2097152 kB\n"
			      "Buffers:           12345 kB\n"
			      "SwapCached:            0 kB\n"
			      "SwapTotal:        1048576 kB\n"
			      "SwapFree:         1048576 kB\n"
			      "HugePages_Total:       0\n";

static void test_parse(void **state)
{
	struct host_meminfo mi;

	(void)state;
	assert_int_equal(hostmem_parse(meminfo, &mi), 0);
	assert_true(mi.total == 3036968ULL << 10);
	assert_true(mi.available == 2 * GiB);
	assert_true(mi.swap == GiB);
	/* No swap line: no swap. */
	assert_int_equal(hostmem_parse("MemTotal: 1024 kB\nMemAvailable: 512 kB\n", &mi), 0);
	assert_true(mi.total == 1 * MiB && mi.available == 512 * 1024 && mi.swap == 0);
	/* Without MemAvailable (Linux < 3.14) or MemTotal: nothing to judge by. */
	assert_int_equal(hostmem_parse("MemTotal: 1024 kB\n", &mi), -EINVAL);
	assert_int_equal(hostmem_parse("MemAvailable: 1024 kB\n", &mi), -EINVAL);
	assert_int_equal(hostmem_parse("", &mi), -EINVAL);
	/* Odd units or values do not count. */
	assert_int_equal(hostmem_parse("MemTotal: 1024 MB\nMemAvailable: 512 kB\n", &mi), -EINVAL);
	assert_int_equal(hostmem_parse("MemTotal: lots kB\nMemAvailable: 512 kB\n", &mi), -EINVAL);
	/* Prefixes of other keys do not match. */
	assert_int_equal(hostmem_parse("MemTotalX: 1 kB\nMemAvailable: 512 kB\n", &mi), -EINVAL);
}

static void test_verdict(void **state)
{
	struct host_meminfo mi = { .total = 3 * GiB, .available = 2 * GiB, .swap = 1 * GiB };
	char err[512];

	(void)state;
	assert_int_equal(hostmem_verdict(512 * MiB, false, &mi, err, sizeof(err)), 0);
	assert_int_equal(hostmem_verdict(512 * MiB, true, &mi, err, sizeof(err)), 0);
	/* Up to RAM + swap without devices (the guest may never touch it all). */
	assert_int_equal(hostmem_verdict(4 * GiB, false, &mi, err, sizeof(err)), 0);
	assert_int_equal(hostmem_verdict(4 * GiB + 4096, false, &mi, err, sizeof(err)), -ENOMEM);
	assert_non_null(strstr(err, "--mem 4.0G is more than this host has (3.0 GiB of RAM, 1.0 GiB of swap)"));
	assert_non_null(strstr(err, "use a smaller --mem"));
	assert_null(strchr(err, '\n'));
	/* Pinned for DMA: what is available, not swap. */
	assert_int_equal(hostmem_verdict(2 * GiB, true, &mi, err, sizeof(err)), 0);
	assert_int_equal(hostmem_verdict(2 * GiB + 4096, true, &mi, err, sizeof(err)), -ENOMEM);
	assert_non_null(strstr(err, "pins all guest RAM, but only 2.0 GiB of the host's 3.0 GiB are available"));
	assert_int_equal(hostmem_verdict(64 * GiB, true, &mi, err, sizeof(err)), -ENOMEM);
	assert_non_null(strstr(err, "more than this host has"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_verdict),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
