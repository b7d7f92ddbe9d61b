// SPDX-License-Identifier: GPL-2.0-only
/* newc cpio ("070701"): ASCII hex header, name and data padded to 4 bytes. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "minivmm/runner/cpio.h"

#define CPIO_ALIGN 4

void cpio_init(struct cpio *c, FILE *f)
{
	c->f = f;
	c->ino = 1;
	c->error = 0;
	c->error_path[0] = 0;
}

static int cpio_fail(struct cpio *c, int err)
{
	if (!c->error)
		c->error = err;
	return c->error;
}

/* A write to the archive failed: keep why (a full disk is ENOSPC). */
static int cpio_write_fail(struct cpio *c)
{
	return cpio_fail(c, errno ? -errno : -EIO);
}

/* A host file could not be read: keep which. */
static int cpio_read_fail(struct cpio *c, const char *host_path, int err)
{
	if (!c->error)
		snprintf(c->error_path, sizeof(c->error_path), "%s", host_path);
	return cpio_fail(c, err);
}

static void cpio_pad(struct cpio *c, size_t len)
{
	static const char zeros[CPIO_ALIGN];

	if (len % CPIO_ALIGN)
		fwrite(zeros, 1, CPIO_ALIGN - len % CPIO_ALIGN, c->f);
}

static int cpio_header(struct cpio *c, const char *name, uint32_t mode, uint32_t size, uint32_t rdevmajor,
		       uint32_t rdevminor)
{
	size_t namesize = strlen(name) + 1;
	char hdr[111];

	if (c->error)
		return c->error;
	/* 13 fields of 8 hex digits after the magic; newc has no room for more. */
	snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 c->ino++, mode, 0u, 0u, 1u, 0u, size, 0u, 0u, rdevmajor, rdevminor, (uint32_t)namesize, 0u);
	errno = 0;
	if (fwrite(hdr, 1, 110, c->f) != 110 || fwrite(name, 1, namesize, c->f) != namesize)
		return cpio_write_fail(c);
	cpio_pad(c, 110 + namesize);
	return 0;
}

int cpio_add(struct cpio *c, const char *name, uint32_t mode, const void *data, size_t size)
{
	int ret;

	if (size > UINT32_MAX)
		return cpio_fail(c, -EFBIG);
	ret = cpio_header(c, name, mode, size, 0, 0);
	if (ret)
		return ret;
	errno = 0;
	if (size && fwrite(data, 1, size, c->f) != size)
		return cpio_write_fail(c);
	cpio_pad(c, size);
	return 0;
}

int cpio_add_dir(struct cpio *c, const char *name)
{
	return cpio_add(c, name, S_IFDIR | 0755, NULL, 0);
}

int cpio_add_symlink(struct cpio *c, const char *name, const char *target)
{
	return cpio_add(c, name, S_IFLNK | 0777, target, strlen(target));
}

int cpio_add_chardev(struct cpio *c, const char *name, unsigned int major, unsigned int minor)
{
	return cpio_header(c, name, S_IFCHR | 0600, 0, major, minor);
}

int cpio_add_file(struct cpio *c, const char *name, const char *host_path, uint32_t mode)
{
	struct stat st;
	void *buf;
	ssize_t n;
	int fd, ret;

	fd = open(host_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cpio_read_fail(c, host_path, -errno);
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return cpio_read_fail(c, host_path, -EINVAL);
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	n = buf ? read(fd, buf, st.st_size) : -1;
	ret = n < 0 ? -errno : -EIO;
	close(fd);
	if (n != st.st_size) {
		free(buf);
		return buf ? cpio_read_fail(c, host_path, ret) : cpio_fail(c, -ENOMEM);
	}
	ret = cpio_add(c, name, S_IFREG | (mode & 07777), buf, st.st_size);
	free(buf);
	return ret;
}

int cpio_finish(struct cpio *c)
{
	cpio_add(c, "TRAILER!!!", 0, NULL, 0);
	errno = 0;
	if (fflush(c->f))
		cpio_write_fail(c);
	return c->error;
}
