// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "minivmm/runner/pkgmap.h"

int pkg_map(const char *path, enum kpkg_format fmt, size_t min_size, const uint8_t **map, size_t *size, char *err,
	    size_t errlen)
{
	const bool rpm = fmt == KPKG_RPM;
	struct stat st;
	void *p;
	int fd, ret;

	*map = NULL;
	*size = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		ret = -errno;
		snprintf(err, errlen, "--kernel-package %s: %s: give the path of a kernel package (%s)", path,
			 strerror(-ret), rpm ? ".rpm" : ".deb");
		if (fd >= 0)
			close(fd);
		return ret;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size < min_size) {
		close(fd);
		snprintf(err, errlen, "%s is %s, not %s: pass %s", path,
			 S_ISREG(st.st_mode) ? "(nearly) empty" : "no regular file",
			 rpm ? "an RPM package" : "a Debian package", rpm ? "a kernel-core-*.rpm" : "a linux-image-*.deb");
		return -EINVAL;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		ret = -errno;
		snprintf(err, errlen, "cannot map %s: %s", path, strerror(-ret));
		return ret;
	}
	*map = p;
	*size = (size_t)st.st_size;
	return 0;
}

void pkg_unmap(const uint8_t **map, size_t *size)
{
	if (*map)
		munmap((void *)*map, *size);
	*map = NULL;
	*size = 0;
}

const char *pkg_base_name(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;

	return s ? s + 1 : path ? path : "?";
}
