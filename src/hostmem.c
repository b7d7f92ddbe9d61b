// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "minivmm/hostmem.h"

int hostmem_parse(const char *text, struct host_meminfo *mi)
{
	static const struct {
		const char *key;
		size_t off;
	} fields[] = {
		{ "MemTotal:", offsetof(struct host_meminfo, total) },
		{ "MemAvailable:", offsetof(struct host_meminfo, available) },
		{ "SwapTotal:", offsetof(struct host_meminfo, swap) },
	};
	unsigned int seen = 0;

	memset(mi, 0, sizeof(*mi));
	for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
			unsigned long long kb;
			char unit[4];

			if (strncmp(line, fields[i].key, strlen(fields[i].key)) ||
			    sscanf(line + strlen(fields[i].key), " %llu %3s", &kb, unit) != 2 || strcmp(unit, "kB"))
				continue;
			*(uint64_t *)((char *)mi + fields[i].off) = (uint64_t)kb << 10;
			seen |= 1u << i;
		}
	}
	return (seen & 3) == 3 ? 0 : -EINVAL;
}

static double gib(uint64_t b)
{
	return (double)b / (1ULL << 30);
}

int hostmem_verdict(uint64_t mem, bool pinned, const struct host_meminfo *mi, char *err, size_t errlen)
{
	if (mem > mi->total + mi->swap) {
		snprintf(err, errlen, "--mem %.1fG is more than this host has (%.1f GiB of RAM, %.1f GiB of swap): use a smaller --mem",
			 gib(mem), gib(mi->total), gib(mi->swap));
		return -ENOMEM;
	}
	if (pinned && mem > mi->available) {
		snprintf(err, errlen, "--mem %.1fG: DMA for the assigned devices pins all guest RAM, but only %.1f GiB of the host's %.1f GiB are available: use a smaller --mem or free host memory",
			 gib(mem), gib(mi->available), gib(mi->total));
		return -ENOMEM;
	}
	return 0;
}

int hostmem_check(uint64_t mem, bool pinned, char *err, size_t errlen)
{
	struct host_meminfo mi;
	char text[4096];
	ssize_t n;
	int fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	text[n] = 0;
	if (hostmem_parse(text, &mi))
		return 0;
	return hostmem_verdict(mem, pinned, &mi, err, errlen);
}
