// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "minivmm/cache.h"

uint64_t cache_hash(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

uint64_t cache_hash_str(uint64_t h, const char *s)
{
	return cache_hash(h, s ? s : "", s ? strlen(s) + 1 : 1);
}

uint64_t cache_hash_file(uint64_t h, const char *path)
{
	struct stat st;

	h = cache_hash_str(h, path);
	if (!stat(path, &st)) {
		h = cache_hash(h, &st.st_size, sizeof(st.st_size));
		h = cache_hash(h, &st.st_mtim, sizeof(st.st_mtim));
	}
	return h;
}

void cache_dir(char *out, size_t len)
{
	const char *env = getenv("XDG_CACHE_HOME");

	if (env && *env)
		snprintf(out, len, "%s/minivmm", env);
	else
		snprintf(out, len, "%s/.cache/minivmm", (env = getenv("HOME")) && *env ? env : "/tmp");
}

int cache_mkdir(const char *dir)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s", dir);
	for (char *s = strchr(p + 1, '/');; s = strchr(s + 1, '/')) {
		if (s)
			*s = 0;
		if (mkdir(p, 0755) && errno != EEXIST)
			return -errno;
		if (!s)
			return 0;
		*s = '/';
	}
}

int cache_create(const char *path, char *tmp, size_t tmplen)
{
	int fd;

	snprintf(tmp, tmplen, "%s.%d.tmp", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	return fd < 0 ? -errno : fd;
}

int cache_commit(const char *tmp, const char *path, bool keep)
{
	int ret = 0;

	if (keep && !rename(tmp, path))
		return 0;
	if (keep)
		ret = -errno;
	unlink(tmp);
	return ret;
}
