// SPDX-License-Identifier: GPL-2.0-only
/*
 * membw: guest memory bandwidth, a memcpy loop over two buffers of
 * SIZE_MB each (default 64) for about SECONDS (default 3). Prints
 * "membw_mbps=N" (MiB copied per second). Built static for the guest by
 * bench/dma.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	size_t mb = argc > 1 ? strtoul(argv[1], NULL, 10) : 64;
	double secs = argc > 2 ? atof(argv[2]) : 3, t0, t;
	size_t sz = mb << 20;
	char *a = malloc(sz), *b = malloc(sz);
	unsigned long n = 0;

	if (!a || !b || !mb) {
		fprintf(stderr, "membw: cannot allocate 2 x %zu MiB\n", mb);
		return 1;
	}
	memset(a, 1, sz);
	memset(b, 2, sz);
	t0 = now_s();
	do {
		memcpy(n & 1 ? a : b, n & 1 ? b : a, sz);
		n++;
		t = now_s() - t0;
	} while (t < secs);
	printf("membw_mbps=%.0f\n", n * (double)mb / t);
	return a[sz / 2] + b[sz / 3] == 0; /* keep the copies */
}
