// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "minivmm/runner/tar.h"

#define BLOCK 512
/* Long names and pax headers larger than this are refused. */
#define META_MAX (64 * 1024)

void tar_init(struct tar *t, tar_read_fn read, void *opaque)
{
	memset(t, 0, sizeof(*t));
	t->read = read;
	t->opaque = opaque;
}

static int fail(struct tar *t, const char *why)
{
	snprintf(t->why, sizeof(t->why), "%s at byte %llu", why, (unsigned long long)t->offset);
	return -EINVAL;
}

/* Exactly @n bytes (NULL @buf: discard them); -EINVAL if the stream ends first. */
static int read_full(struct tar *t, void *buf, size_t n)
{
	char scratch[4096];

	while (n) {
		size_t want = buf ? n : (n < sizeof(scratch) ? n : sizeof(scratch));
		ssize_t r = t->read(t->opaque, buf ? buf : scratch, want);

		if (r < 0) {
			snprintf(t->why, sizeof(t->why), "read error: %s", strerror((int)-r));
			return (int)r;
		}
		if (r == 0)
			return fail(t, "the archive ends early (truncated)");
		t->offset += r;
		if (buf)
			buf = (char *)buf + r;
		n -= r;
	}
	return 0;
}

/* An octal field (blank or NUL terminated) or a base-256 one (high bit set). */
static int number(const char *f, size_t len, uint64_t *out)
{
	const unsigned char *u = (const unsigned char *)f;
	uint64_t v = 0;
	size_t i = 0;

	if (u[0] & 0x80) {
		if (u[0] != 0x80)
			return -EINVAL; /* negative, or too large for us */
		for (i = 1; i < len; i++) {
			if (v >> 56)
				return -EINVAL;
			v = v << 8 | u[i];
		}
		*out = v;
		return 0;
	}
	while (i < len && f[i] == ' ')
		i++;
	for (; i < len && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v >> 61)
			return -EINVAL;
		v = v << 3 | (uint64_t)(f[i] - '0');
	}
	for (; i < len; i++)
		if (f[i] != ' ' && f[i] != 0)
			return -EINVAL;
	*out = v;
	return 0;
}

static bool checksum_ok(const unsigned char *h)
{
	uint64_t want;
	unsigned long usum = 0;
	long ssum = 0;

	if (number((const char *)h + 148, 8, &want))
		return false;
	for (int i = 0; i < BLOCK; i++) {
		unsigned char c = i >= 148 && i < 156 ? ' ' : h[i];

		usum += c;
		ssum += (signed char)c;
	}
	/* Some old writers summed signed chars. */
	return want == usum || (long)want == ssum;
}

/* Copy a NUL-or-length-terminated header field. */
static void field(char *out, size_t outlen, const char *f, size_t len)
{
	size_t n = strnlen(f, len);

	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, f, n);
	out[n] = 0;
}

/* The data of a meta entry ('L', 'K', 'x') of @size bytes, NUL-terminated. */
static char *read_meta(struct tar *t, uint64_t size)
{
	uint64_t padded = (size + BLOCK - 1) & ~(uint64_t)(BLOCK - 1);
	char *buf;

	if (size > META_MAX) {
		fail(t, "a long name or pax header is too large");
		return NULL;
	}
	buf = malloc(padded + 1);
	if (!buf) {
		snprintf(t->why, sizeof(t->why), "out of memory");
		return NULL;
	}
	if (read_full(t, buf, padded)) {
		free(buf);
		return NULL;
	}
	buf[size] = 0;
	return buf;
}

/*
 * pax records "LEN key=value\n": path, linkpath and size override the
 * next header's. Returns 0 or -EINVAL.
 */
static int parse_pax(struct tar *t, char *buf, uint64_t size, char *path, char *link, uint64_t *psize,
		     bool *have_size)
{
	char *p = buf, *end = buf + size;

	while (p < end) {
		char *sp, *eq, *rec_end, *val;
		unsigned long len = strtoul(p, &sp, 10);

		if (sp == p || *sp != ' ' || len < 5 || len > (unsigned long)(end - p))
			return fail(t, "a pax header record is damaged");
		rec_end = p + len;
		if (rec_end[-1] != '\n')
			return fail(t, "a pax header record is damaged");
		eq = memchr(sp + 1, '=', rec_end - sp - 1);
		if (!eq)
			return fail(t, "a pax header record is damaged");
		val = eq + 1;
		rec_end[-1] = 0;
		*eq = 0;
		if (!strcmp(sp + 1, "path")) {
			if (strlen(val) >= PATH_MAX)
				return fail(t, "a path is too long");
			strcpy(path, val);
		} else if (!strcmp(sp + 1, "linkpath")) {
			if (strlen(val) >= PATH_MAX)
				return fail(t, "a link target is too long");
			strcpy(link, val);
		} else if (!strcmp(sp + 1, "size")) {
			char *e;

			errno = 0;
			*psize = strtoull(val, &e, 10);
			if (errno || *e || e == val)
				return fail(t, "a pax size is not a number");
			*have_size = true;
		}
		p = rec_end;
	}
	return 0;
}

static int skip_rest(struct tar *t)
{
	int ret = read_full(t, NULL, t->left + t->pad);

	t->left = t->pad = 0;
	return ret;
}

int tar_next(struct tar *t, struct tar_entry *e)
{
	char long_path[PATH_MAX] = "", long_link[PATH_MAX] = "";
	uint64_t pax_size = 0;
	bool have_pax_size = false;
	unsigned char h[BLOCK];
	int ret;

	if (t->done)
		return 0;
	ret = skip_rest(t);
	if (ret)
		return ret;
	for (;;) {
		uint64_t size, mode;
		char *meta;
		size_t r;

		ret = read_full(t, h, BLOCK);
		if (ret)
			return ret;
		for (r = 0; r < BLOCK && !h[r]; r++)
			;
		if (r == BLOCK) {
			/* End of archive: a zero block (a second one may follow). */
			t->done = 1;
			return 0;
		}
		if (!checksum_ok(h))
			return fail(t, "a header checksum is wrong (damaged archive, or not tar)");
		if (number((char *)h + 124, 12, &size) || number((char *)h + 100, 8, &mode))
			return fail(t, "a header number is damaged");
		if (have_pax_size)
			size = pax_size;
		switch (h[156]) {
		case 'L':
		case 'K':
			meta = read_meta(t, size);
			if (!meta)
				return -EINVAL;
			if (strlen(meta) >= PATH_MAX) {
				free(meta);
				return fail(t, "a long name is too long");
			}
			strcpy(h[156] == 'L' ? long_path : long_link, meta);
			free(meta);
			continue;
		case 'x':
		case 'g':
			meta = read_meta(t, size);
			if (!meta)
				return -EINVAL;
			ret = h[156] == 'x' ? parse_pax(t, meta, size, long_path, long_link, &pax_size, &have_pax_size) : 0;
			free(meta);
			if (ret)
				return ret;
			continue;
		}
		memset(e, 0, sizeof(*e));
		if (long_path[0]) {
			strcpy(e->path, long_path);
		} else if (!memcmp(h + 257, "ustar", 5) && h[345]) {
			char prefix[156], name[101];

			field(prefix, sizeof(prefix), (char *)h + 345, 155);
			field(name, sizeof(name), (char *)h, 100);
			snprintf(e->path, sizeof(e->path), "%s/%s", prefix, name);
		} else {
			field(e->path, sizeof(e->path), (char *)h, 100);
		}
		if (long_link[0])
			strcpy(e->link, long_link);
		else
			field(e->link, sizeof(e->link), (char *)h + 157, 100);
		if (!e->path[0])
			return fail(t, "an entry has no name");
		e->mode = mode & 07777;
		switch (h[156]) {
		case '0': case 0: case '7': e->type = TAR_FILE; break;
		case '1': e->type = TAR_HARDLINK; break;
		case '2': e->type = TAR_SYMLINK; break;
		case '5': e->type = TAR_DIR; break;
		default: e->type = TAR_OTHER; break;
		}
		/* Only files (and unknown types, to skip them whole) carry data. */
		if (e->type != TAR_FILE && e->type != TAR_OTHER)
			size = 0;
		e->size = size;
		t->left = size;
		t->pad = (BLOCK - size % BLOCK) % BLOCK;
		return 1;
	}
}

ssize_t tar_read(struct tar *t, void *buf, size_t n)
{
	ssize_t r;

	if (!t->left)
		return 0;
	if (n > t->left)
		n = t->left;
	r = t->read(t->opaque, buf, n);
	if (r < 0) {
		snprintf(t->why, sizeof(t->why), "read error: %s", strerror((int)-r));
		return r;
	}
	if (r == 0)
		return fail(t, "the archive ends in the middle of a file");
	t->left -= r;
	t->offset += r;
	return r;
}
