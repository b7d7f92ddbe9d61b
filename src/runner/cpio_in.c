// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "minivmm/runner/cpio_in.h"

#define HDR 110                      /* magic and 13 fields of 8 hex digits */
#define ALIGN 4

void cpio_in_init(struct cpio_in *c, cpio_in_read_fn read, void *opaque)
{
	memset(c, 0, sizeof(*c));
	c->read = read;
	c->opaque = opaque;
}

static int fail(struct cpio_in *c, const char *why)
{
	snprintf(c->why, sizeof(c->why), "%s at byte %llu", why, (unsigned long long)c->offset);
	return -EINVAL;
}

/* Exactly @n bytes (NULL @buf: discard them); -EINVAL if the stream ends first. */
static int read_full(struct cpio_in *c, void *buf, uint64_t n)
{
	char scratch[4096];

	while (n) {
		size_t want = buf ? (size_t)n : (n < sizeof(scratch) ? (size_t)n : sizeof(scratch));
		ssize_t r = c->read(c->opaque, buf ? buf : scratch, want);

		if (r < 0) {
			snprintf(c->why, sizeof(c->why), "read error: %s", strerror((int)-r));
			return (int)r;
		}
		if (r == 0)
			return fail(c, "the archive ends early (truncated)");
		c->offset += (uint64_t)r;
		if (buf)
			buf = (char *)buf + r;
		n -= (uint64_t)r;
	}
	return 0;
}

static int hex8(const char *f, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		char ch = f[i];
		int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 :
			ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;

		if (d < 0)
			return -EINVAL;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return 0;
}

static uint64_t pad_of(uint64_t n)
{
	return (ALIGN - n % ALIGN) % ALIGN;
}

int cpio_in_next(struct cpio_in *c, struct cpio_in_entry *e)
{
	uint32_t f[13];
	char h[HDR];
	int ret;

	if (c->done)
		return 0;
	ret = read_full(c, NULL, c->left + c->pad);
	c->left = c->pad = 0;
	if (ret)
		return ret;
	ret = read_full(c, h, 6);
	if (ret)
		return ret;
	if (!memcmp(h, "07070X", 6))
		return fail(c, "rpm's stripped cpio format (files of 4 GiB or more)");
	if (memcmp(h, "070701", 6) && memcmp(h, "070702", 6))
		return fail(c, "no newc cpio header");
	ret = read_full(c, h + 6, HDR - 6);
	if (ret)
		return ret;
	for (int i = 0; i < 13; i++)
		if (hex8(h + 6 + 8 * i, &f[i]))
			return fail(c, "a cpio header field is not hexadecimal");
	/* ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor namesize check */
	if (f[11] < 2 || f[11] > sizeof(e->path))
		return fail(c, f[11] < 2 ? "a cpio entry has no name" : "a cpio entry's name is too long");
	memset(e, 0, sizeof(*e));
	ret = read_full(c, e->path, f[11]);
	if (ret)
		return ret;
	if (e->path[f[11] - 1] || strlen(e->path) != f[11] - 1)
		return fail(c, "a cpio entry's name is not terminated");
	ret = read_full(c, NULL, pad_of(HDR + (uint64_t)f[11]));
	if (ret)
		return ret;
	if (!strcmp(e->path, "TRAILER!!!")) {
		c->done = 1;
		return 0;
	}
	e->ino = f[0];
	e->mode = f[1];
	e->nlink = f[4];
	e->size = f[6];
	c->left = e->size;
	c->pad = pad_of(e->size);
	return 1;
}

ssize_t cpio_in_read(struct cpio_in *c, void *buf, size_t n)
{
	ssize_t r;

	if (!c->left)
		return 0;
	if (n > c->left)
		n = (size_t)c->left;
	r = c->read(c->opaque, buf, n);
	if (r < 0) {
		snprintf(c->why, sizeof(c->why), "read error: %s", strerror((int)-r));
		return r;
	}
	if (r == 0)
		return fail(c, "the archive ends in the middle of a file");
	c->left -= (uint64_t)r;
	c->offset += (uint64_t)r;
	return r;
}
