/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Small archives made at test time: tar (ustar, GNU long names, pax),
 * ar, compressed members and whole .deb files, as dpkg-deb writes them.
 * Static functions for the test files that include it.
 */
#ifndef MINIVMM_TEST_ARCHIVE_FIXTURE_H
#define MINIVMM_TEST_ARCHIVE_FIXTURE_H

#include <lzma.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

struct buf {
	uint8_t *p;
	size_t n, cap;
};

static void __attribute__((unused)) buf_put(struct buf *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 4096;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
	if (n)
		memcpy(b->p + b->n, p, n);
	b->n += n;
}

static void __attribute__((unused)) buf_free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* One 512-byte ustar header (checksum filled in). @name fits 100 bytes, @prefix 155. */
static void tar_header(struct buf *b, const char *prefix, const char *name, char type, uint64_t size,
		       const char *link, unsigned int mode)
{
	unsigned char h[512];
	unsigned int sum = 0;

	memset(h, 0, sizeof(h));
	strncpy((char *)h, name, 100);
	snprintf((char *)h + 100, 8, "%07o", mode);
	snprintf((char *)h + 108, 8, "%07o", 0);
	snprintf((char *)h + 116, 8, "%07o", 0);
	if (size < 077777777777ULL) {
		snprintf((char *)h + 124, 12, "%011llo", (unsigned long long)size);
	} else {
		/* base-256 */
		h[124] = 0x80;
		for (int i = 0; i < 8; i++)
			h[135 - i] = (unsigned char)(size >> (8 * i));
	}
	snprintf((char *)h + 136, 12, "%011o", 0);
	h[156] = (unsigned char)type;
	if (link)
		strncpy((char *)h + 157, link, 100);
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	if (prefix)
		strncpy((char *)h + 345, prefix, 155);
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	h[155] = ' ';
	buf_put(b, h, sizeof(h));
}

static void tar_data(struct buf *b, const void *data, size_t size)
{
	static const uint8_t zero[512];

	buf_put(b, data, size);
	buf_put(b, zero, (512 - size % 512) % 512);
}

/* A member; names longer than 100 bytes get a GNU 'L' entry first. */
static void __attribute__((unused)) tar_add(struct buf *b, const char *name, char type, const void *data,
					    size_t size, const char *link)
{
	if (strlen(name) >= 100) {
		tar_header(b, NULL, "././@LongLink", 'L', strlen(name) + 1, NULL, 0644);
		tar_data(b, name, strlen(name) + 1);
	}
	tar_header(b, NULL, name, type, type == '0' ? size : 0, link, type == '5' ? 0755 : 0644);
	if (type == '0')
		tar_data(b, data, size);
}

static void __attribute__((unused)) tar_add_file(struct buf *b, const char *name, const char *text)
{
	tar_add(b, name, '0', text, strlen(text), NULL);
}

/* A pax extended header with one record "key=value". */
static void __attribute__((unused)) tar_add_pax(struct buf *b, const char *key, const char *value)
{
	char rec[1024];
	size_t len = strlen(key) + strlen(value) + 3, digits = 1;

	/* The length counts its own digits. */
	while (snprintf(NULL, 0, "%zu", len + digits) > (int)digits)
		digits++;
	snprintf(rec, sizeof(rec), "%zu %s=%s\n", len + digits, key, value);
	tar_header(b, NULL, "PaxHeaders/x", 'x', strlen(rec), NULL, 0644);
	tar_data(b, rec, strlen(rec));
}

static void __attribute__((unused)) tar_end(struct buf *b)
{
	static const uint8_t zero[1024];

	buf_put(b, zero, sizeof(zero));
}

static void __attribute__((unused)) ar_begin(struct buf *b)
{
	buf_put(b, "!<arch>\n", 8);
}

static void __attribute__((unused)) ar_add(struct buf *b, const char *name, const void *p, size_t n)
{
	/* Room for what gcc -O3 thinks the fields could print; an ar header is 60 bytes. */
	char h[128];

	assert_int_equal(snprintf(h, sizeof(h), "%-16s%-12u%-6u%-6u%-8o%-10zu`\n", name, 0u, 0u, 0u, 0100644u, n), 60);
	buf_put(b, h, 60);
	buf_put(b, p, n);
	if (n & 1)
		buf_put(b, "\n", 1);
}

/* @in compressed as "xz", "zst", "gz" or "" (none) into @out. */
static void __attribute__((unused)) compress_as(const char *how, const struct buf *in, struct buf *out)
{
	size_t cap = in->n + in->n / 2 + 1024, n = 0;
	uint8_t *o = malloc(cap);

	if (!o)
		abort();
	if (!strcmp(how, "xz")) {
		if (lzma_easy_buffer_encode(1, LZMA_CHECK_CRC64, NULL, in->p, in->n, o, &n, cap) != LZMA_OK)
			abort();
	} else if (!strcmp(how, "zst")) {
		n = ZSTD_compress(o, cap, in->p, in->n, 3);
		if (ZSTD_isError(n))
			abort();
	} else if (!strcmp(how, "gz")) {
		z_stream z = { .next_in = in->p, .avail_in = (uInt)in->n, .next_out = o, .avail_out = (uInt)cap };

		if (deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK ||
		    deflate(&z, Z_FINISH) != Z_STREAM_END)
			abort();
		n = z.total_out;
		deflateEnd(&z);
	} else {
		memcpy(o, in->p, in->n);
		n = in->n;
	}
	buf_put(out, o, n);
	free(o);
}

static int __attribute__((unused)) write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return -1;
	if (n && fwrite(p, 1, n, f) != n) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

/*
 * A .deb at @path: debian-binary, control.tar.xz with @control (and
 * @md5sums unless NULL), data.tar.@comp from @data (a finished tar).
 */
static void __attribute__((unused)) make_deb(const char *path, const char *control, const char *md5sums,
					     const struct buf *data, const char *comp)
{
	struct buf ctl = { 0 }, ctlz = { 0 }, dz = { 0 }, deb = { 0 };
	char name[32];

	tar_add(&ctl, "./", '5', NULL, 0, NULL);
	tar_add_file(&ctl, "./control", control);
	if (md5sums)
		tar_add_file(&ctl, "./md5sums", md5sums);
	tar_end(&ctl);
	compress_as("xz", &ctl, &ctlz);
	compress_as(comp, data, &dz);
	ar_begin(&deb);
	ar_add(&deb, "debian-binary", "2.0\n", 4);
	ar_add(&deb, "control.tar.xz", ctlz.p, ctlz.n);
	snprintf(name, sizeof(name), "data.tar%s%s", comp[0] ? "." : "", comp);
	ar_add(&deb, name, dz.p, dz.n);
	if (write_file(path, deb.p, deb.n))
		abort();
	buf_free(&ctl);
	buf_free(&ctlz);
	buf_free(&dz);
	buf_free(&deb);
}

#endif
