// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE /* O_PATH */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "minivmm/runner/unpack.h"

int unpack_parent(int rootfd, char *rel, char **leaf)
{
	int dfd = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	char *c = rel, *slash;

	while (dfd >= 0 && (slash = strchr(c, '/'))) {
		int next;

		*slash = 0;
		if (mkdirat(dfd, c, 0755) && errno != EEXIST) {
			*slash = '/';
			close(dfd);
			return -errno;
		}
		next = openat(dfd, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		*slash = '/';
		close(dfd);
		dfd = next;
		c = slash + 1;
	}
	*leaf = c;
	return dfd >= 0 ? dfd : -errno;
}

int unpack_file(int dfd, const char *leaf, unsigned int mode, unpack_read_fn read_fn, void *opaque)
{
	char buf[65536];
	int fd = openat(dfd, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, (mode & 0111) ? 0755 : 0644);
	ssize_t r;
	int ret = 0;

	if (fd < 0)
		return -errno;
	while (!ret && (r = read_fn(opaque, buf, sizeof(buf))) != 0) {
		if (r < 0) {
			ret = (int)r;
			break;
		}
		for (ssize_t off = 0; off < r;) {
			ssize_t w = write(fd, buf + off, (size_t)(r - off));

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				ret = w ? -errno : -EIO;
				break;
			}
			off += w;
		}
	}
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}
