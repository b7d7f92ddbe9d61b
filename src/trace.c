// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "minivmm/trace.h"
#include "minivmm/vcpu.h"

static long long mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

int trace_log_open(struct trace_log *t, const char *path)
{
	memset(t, 0, sizeof(*t));
	pthread_mutex_init(&t->lock, NULL);
	t->t0_us = mono_us();
	if (!path)
		return 0;
	t->f = fopen(path, "we");
	if (!t->f)
		return -errno;
	fprintf(t->f, "# minivmm access trace: seconds vcpu bdf region offset width r/w value\n");
	return 0;
}

void trace_log_start(struct trace_log *t)
{
	t->t0_us = mono_us();
}

void trace_log_close(struct trace_log *t)
{
	if (t->f)
		fclose(t->f);
	t->f = NULL;
	pthread_mutex_destroy(&t->lock);
}

void trace_log_access(struct trace_log *t, const char *dev, unsigned int region, uint64_t off, unsigned int width,
		      uint64_t value, bool is_write)
{
	long long us;
	int cpu = vcpu_current();
	char who[16];

	if (!t->f)
		return;
	us = mono_us() - t->t0_us;
	if (cpu >= 0)
		snprintf(who, sizeof(who), "%d", cpu);
	else
		snprintf(who, sizeof(who), "-");
	pthread_mutex_lock(&t->lock);
	fprintf(t->f, "%lld.%06lld %s %s %s 0x%04" PRIx64 " %u %c 0x%0*" PRIx64 "\n", us / 1000000, us % 1000000, who,
		dev, trace_region_name(region), off, width, is_write ? 'W' : 'R', (int)width * 2, value);
	t->lines++;
	pthread_mutex_unlock(&t->lock);
}
