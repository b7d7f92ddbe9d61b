// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "minivmm/decompress.h"
#include "minivmm/dl.h"

#define OUT_CHUNK (1u << 20)

static const struct {
	enum decomp_format f;
	const char *name;
	uint8_t magic[6];
	uint8_t len;
} formats[] = {
	/* As the kernel's own decompressor table (lib/decompress.c). */
	{ DECOMP_GZIP, "gzip", { 0x1f, 0x8b }, 2 },
	{ DECOMP_GZIP, "gzip", { 0x1f, 0x9e }, 2 },
	{ DECOMP_XZ, "xz", { 0xfd, '7', 'z', 'X', 'Z', 0x00 }, 6 },
	{ DECOMP_ZSTD, "zstd", { 0x28, 0xb5, 0x2f, 0xfd }, 4 },
	{ DECOMP_LZMA, "lzma", { 0x5d, 0x00, 0x00 }, 3 },
	{ DECOMP_BZIP2, "bzip2", { 'B', 'Z', 'h' }, 3 },
	{ DECOMP_LZ4, "lz4", { 0x02, 0x21 }, 2 },
	{ DECOMP_LZO, "lzo", { 0x89, 'L', 'Z', 'O' }, 4 },
};

enum decomp_format decomp_detect(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (n >= formats[i].len && !memcmp(p, formats[i].magic, formats[i].len))
			return formats[i].f;
	return DECOMP_UNKNOWN;
}

const char *decomp_name(enum decomp_format f)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (formats[i].f == f)
			return formats[i].name;
	return "unknown";
}

bool decomp_supported(enum decomp_format f)
{
	return f == DECOMP_GZIP || f == DECOMP_XZ || f == DECOMP_ZSTD;
}

/* Where decoded bytes go: @fd, counted against the limit. */
struct sink {
	int fd;
	uint64_t done, max;
	uint8_t buf[OUT_CHUNK];
};

static int sink_write(struct sink *s, const uint8_t *p, size_t n)
{
	if (n > s->max - s->done)
		return -EFBIG;
	s->done += n;
	while (n) {
		ssize_t w = write(s->fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w ? -errno : -EIO;
		p += w;
		n -= w;
	}
	return 0;
}

static int gunzip(const uint8_t *in, size_t n, struct sink *s, char *err, size_t errlen)
{
	struct {
		__typeof__(&inflateInit2_) init;
		__typeof__(&inflate) inflate;
		__typeof__(&inflateEnd) end;
	} zl;
	const struct dl_sym syms[] = {
		{ "inflateInit2_", (void **)&zl.init },
		{ "inflate", (void **)&zl.inflate },
		{ "inflateEnd", (void **)&zl.end },
	};
	z_stream z = { .next_in = (Bytef *)in, .avail_in = (uInt)n };
	void *h;
	int ret = 0, zr = Z_OK;

	if (n > UINT32_MAX)
		return -EFBIG;
	h = dl_open("libz.so.1", "zlib1g", syms, sizeof(syms) / sizeof(syms[0]), err, errlen);
	if (!h)
		return -ENOENT;
	/* 16 + window bits: a gzip header, not a zlib one. */
	if (zl.init(&z, 16 + MAX_WBITS, ZLIB_VERSION, (int)sizeof(z)) != Z_OK) {
		dl_close(h);
		return -ENOMEM;
	}
	while (!ret && zr != Z_STREAM_END) {
		z.next_out = s->buf;
		z.avail_out = sizeof(s->buf);
		zr = zl.inflate(&z, Z_NO_FLUSH);
		if (zr != Z_OK && zr != Z_STREAM_END)
			ret = zr == Z_MEM_ERROR ? -ENOMEM : -EINVAL; /* also Z_BUF_ERROR: truncated */
		else
			ret = sink_write(s, s->buf, sizeof(s->buf) - z.avail_out);
	}
	zl.end(&z);
	dl_close(h);
	return ret;
}

static int unxz(const uint8_t *in, size_t n, struct sink *s, char *err, size_t errlen)
{
	struct {
		__typeof__(&lzma_stream_decoder) init;
		__typeof__(&lzma_code) code;
		__typeof__(&lzma_end) end;
	} xz;
	const struct dl_sym syms[] = {
		{ "lzma_stream_decoder", (void **)&xz.init },
		{ "lzma_code", (void **)&xz.code },
		{ "lzma_end", (void **)&xz.end },
	};
	lzma_stream x = LZMA_STREAM_INIT;
	lzma_ret lr = LZMA_OK;
	void *h;
	int ret = 0;

	h = dl_open("liblzma.so.5", "liblzma5", syms, sizeof(syms) / sizeof(syms[0]), err, errlen);
	if (!h)
		return -ENOENT;
	/* One stream, no memory limit: the kernel's dictionary is its own. */
	if (xz.init(&x, UINT64_MAX, 0) != LZMA_OK) {
		dl_close(h);
		return -ENOMEM;
	}
	x.next_in = in;
	x.avail_in = n;
	while (!ret && lr != LZMA_STREAM_END) {
		x.next_out = s->buf;
		x.avail_out = sizeof(s->buf);
		lr = xz.code(&x, LZMA_FINISH);
		if (lr != LZMA_OK && lr != LZMA_STREAM_END)
			ret = lr == LZMA_MEM_ERROR ? -ENOMEM : -EINVAL;
		else
			ret = sink_write(s, s->buf, sizeof(s->buf) - x.avail_out);
	}
	xz.end(&x);
	dl_close(h);
	return ret;
}

static int unzstd(const uint8_t *in, size_t n, struct sink *s, char *err, size_t errlen)
{
	struct {
		__typeof__(&ZSTD_createDStream) create;
		__typeof__(&ZSTD_DCtx_setParameter) set;
		__typeof__(&ZSTD_decompressStream) stream;
		__typeof__(&ZSTD_isError) is_error;
		__typeof__(&ZSTD_freeDStream) free;
	} zs;
	const struct dl_sym syms[] = {
		{ "ZSTD_createDStream", (void **)&zs.create },
		{ "ZSTD_DCtx_setParameter", (void **)&zs.set },
		{ "ZSTD_decompressStream", (void **)&zs.stream },
		{ "ZSTD_isError", (void **)&zs.is_error },
		{ "ZSTD_freeDStream", (void **)&zs.free },
	};
	ZSTD_inBuffer ib = { .src = in, .size = n };
	ZSTD_DStream *z;
	size_t zr = 1;
	void *h;
	int ret = 0;

	h = dl_open("libzstd.so.1", "libzstd1", syms, sizeof(syms) / sizeof(syms[0]), err, errlen);
	if (!h)
		return -ENOENT;
	z = zs.create();
	if (!z) {
		dl_close(h);
		return -ENOMEM;
	}
	/* Linux builds with --ultra -22: windows up to 2^27 (libzstd's default cap). */
	zs.set(z, ZSTD_d_windowLogMax, 27);
	while (!ret && zr) {
		ZSTD_outBuffer ob = { .dst = s->buf, .size = sizeof(s->buf) };
		size_t in_before = ib.pos;

		zr = zs.stream(z, &ob, &ib);
		if (zs.is_error(zr))
			ret = -EINVAL;
		else if (zr && ib.pos == ib.size && in_before == ib.pos && !ob.pos)
			ret = -EINVAL; /* truncated: no input left, frame unfinished */
		else
			ret = sink_write(s, s->buf, ob.pos);
	}
	zs.free(z);
	dl_close(h);
	return ret;
}

int decomp_to_fd(enum decomp_format f, const uint8_t *in, size_t n, int fd, uint64_t max_out,
		 uint64_t *out_size, char *err, size_t errlen)
{
	struct sink *s;
	int ret;

	if (!decomp_supported(f)) {
		snprintf(err, errlen, "minivmm decodes no %s", decomp_name(f));
		return -ENOTSUP;
	}
	s = malloc(sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	s->fd = fd;
	s->done = 0;
	s->max = max_out;
	err[0] = 0;
	ret = f == DECOMP_GZIP ? gunzip(in, n, s, err, errlen) :
	      f == DECOMP_XZ   ? unxz(in, n, s, err, errlen) :
				 unzstd(in, n, s, err, errlen);
	if (!ret)
		*out_size = s->done;
	else if (ret == -EFBIG)
		snprintf(err, errlen, "it decodes to more than %llu MiB", (unsigned long long)(max_out >> 20));
	else if (!err[0])
		snprintf(err, errlen, "%s", ret == -EINVAL ? "corrupt or truncated" : strerror(-ret));
	free(s);
	return ret;
}
