// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tiny AML byte-code encoder; see include/minivmm/x86/aml.h.
 */
#include <errno.h>
#include <string.h>

#include "minivmm/x86/aml.h"

/* A NameSeg is always four characters, padded with '_'. */
#define AML_NAMESEG_LEN 4
/* MultiNamePrefix carries the segment count in one byte. */
#define AML_MAX_SEGS 255
/* Package NumElements is one byte (VarPackageOp is not supported). */
#define AML_PACKAGE_MAX_ELEMS 255

/* Largest PkgLength value that fits in 1, 2 and 3 bytes. */
#define AML_PKGLEN_1_MAX 0x3fu
#define AML_PKGLEN_2_MAX 0xfffu
#define AML_PKGLEN_3_MAX 0xfffffu

/* Resource descriptor sizes, without the tag (and the 16-bit length of
 * large descriptors). */
#define AML_RES_IO_LEN 7
#define AML_RES_WORD_ADDR_LEN 13
#define AML_RES_DWORD_ADDR_LEN 23
#define AML_RES_QWORD_ADDR_LEN 43

/* Longest thing inserted after a PkgLength: a QWord BufferSize. */
#define AML_PREFIX_MAX 9

void aml_init(struct aml *a, uint8_t *buf, size_t size)
{
	a->buf = buf;
	a->size = buf ? size : 0;
	a->len = 0;
	a->err = 0;
}

int aml_error(const struct aml *a)
{
	return a->err;
}

static int aml_fail(struct aml *a, int err)
{
	if (!a->err)
		a->err = err;
	return a->err;
}

int aml_set_error(struct aml *a, int err)
{
	return aml_fail(a, err);
}

int aml_bytes(struct aml *a, const void *p, size_t n)
{
	if (a->err)
		return a->err;
	if (n > a->size - a->len)
		return aml_fail(a, -ENOSPC);
	if (n)
		memcpy(a->buf + a->len, p, n);
	a->len += n;
	return 0;
}

int aml_byte(struct aml *a, uint8_t v)
{
	return aml_bytes(a, &v, 1);
}

/* Little-endian integer of @n bytes, at most 8. */
static int aml_le(struct aml *a, uint64_t v, unsigned int n)
{
	uint8_t b[sizeof(v)];
	unsigned int i;

	if (n > sizeof(b))
		return aml_fail(a, -EINVAL);
	for (i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	return aml_bytes(a, b, n);
}

/* Insert @n bytes at offset @pos, moving what follows up. */
static int aml_insert(struct aml *a, size_t pos, const uint8_t *p, size_t n)
{
	if (a->err)
		return a->err;
	if (pos > a->len)
		return aml_fail(a, -EINVAL);
	if (n > a->size - a->len)
		return aml_fail(a, -ENOSPC);
	memmove(a->buf + pos + n, a->buf + pos, a->len - pos);
	memcpy(a->buf + pos, p, n);
	a->len += n;
	return 0;
}

int aml_pkglen_encode(uint32_t len, uint8_t out[AML_PKGLEN_MAX_BYTES])
{
	unsigned int n, i;

	if (len <= AML_PKGLEN_1_MAX) {
		out[0] = (uint8_t)len;
		return 1;
	}
	if (len <= AML_PKGLEN_2_MAX)
		n = 2;
	else if (len <= AML_PKGLEN_3_MAX)
		n = 3;
	else if (len <= AML_PKGLEN_MAX)
		n = 4;
	else
		return -EINVAL;
	/* Lead byte: bits 7-6 = following byte count, bits 3-0 = low nibble. */
	out[0] = (uint8_t)(((n - 1) << 6) | (len & 0xf));
	for (i = 1; i < n; i++)
		out[i] = (uint8_t)(len >> (4 + 8 * (i - 1)));
	return (int)n;
}

/*
 * Close a PkgLength object whose length goes at @mark: the body is
 * everything from @mark to the end, preceded by @prefix (e.g. Package
 * NumElements or Buffer BufferSize), which is inserted too.
 */
static int aml_close(struct aml *a, size_t mark, const uint8_t *prefix, size_t plen)
{
	uint8_t hdr[AML_PKGLEN_MAX_BYTES + AML_PREFIX_MAX];
	unsigned int k;
	size_t body;

	if (a->err)
		return a->err;
	if (mark > a->len || plen > AML_PREFIX_MAX)
		return aml_fail(a, -EINVAL);
	body = a->len - mark + plen;
	/* The PkgLength counts its own bytes: take the shortest form that
	 * can hold body + itself. */
	for (k = 1; k <= AML_PKGLEN_MAX_BYTES; k++) {
		if (body + k > AML_PKGLEN_MAX)
			return aml_fail(a, -EINVAL);
		if (aml_pkglen_encode((uint32_t)(body + k), hdr) == (int)k)
			break;
	}
	if (k > AML_PKGLEN_MAX_BYTES)
		return aml_fail(a, -EINVAL);
	if (plen)
		memcpy(hdr + k, prefix, plen);
	return aml_insert(a, mark, hdr, k + plen);
}

/* Number of bytes aml_integer() uses after its prefix, and the prefix. */
static unsigned int aml_int_form(uint64_t v, uint8_t *prefix)
{
	if (v == 0) {
		*prefix = AML_ZERO_OP;
		return 0;
	}
	if (v == 1) {
		*prefix = AML_ONE_OP;
		return 0;
	}
	if (v <= UINT8_MAX) {
		*prefix = AML_BYTE_PREFIX;
		return 1;
	}
	if (v <= UINT16_MAX) {
		*prefix = AML_WORD_PREFIX;
		return 2;
	}
	if (v <= UINT32_MAX) {
		*prefix = AML_DWORD_PREFIX;
		return 4;
	}
	*prefix = AML_QWORD_PREFIX;
	return 8;
}

/* Encode an integer into @out; returns its length. */
static size_t aml_int_encode(uint64_t v, uint8_t out[AML_PREFIX_MAX])
{
	unsigned int n = aml_int_form(v, &out[0]), i;

	for (i = 0; i < n; i++)
		out[1 + i] = (uint8_t)(v >> (8 * i));
	return 1 + n;
}

int aml_integer(struct aml *a, uint64_t v)
{
	uint8_t b[AML_PREFIX_MAX];

	return aml_bytes(a, b, aml_int_encode(v, b));
}

int aml_string(struct aml *a, const char *s)
{
	size_t i, n;

	if (!s)
		return aml_fail(a, -EINVAL);
	n = strlen(s);
	/* AsciiCharList: 0x01-0x7f. */
	for (i = 0; i < n; i++)
		if ((uint8_t)s[i] > 0x7f)
			return aml_fail(a, -EINVAL);
	aml_byte(a, AML_STRING_PREFIX);
	return aml_bytes(a, s, n + 1);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int aml_eisaid(const char *id, uint32_t *out)
{
	uint32_t v = 0;
	int i, h;

	if (!id || strlen(id) != 7)
		return -EINVAL;
	/* Three letters, 5 bits each ('A' = 1), then four hex digits. */
	for (i = 0; i < 3; i++) {
		if (id[i] < 'A' || id[i] > 'Z')
			return -EINVAL;
		v = (v << 5) | (uint32_t)(id[i] - 'A' + 1);
	}
	for (i = 3; i < 7; i++) {
		h = hexval(id[i]);
		if (h < 0)
			return -EINVAL;
		v = (v << 4) | (uint32_t)h;
	}
	/* The 32-bit id is stored big-endian, i.e. byte-swapped. */
	*out = __builtin_bswap32(v);
	return 0;
}

int aml_eisaid_emit(struct aml *a, const char *id)
{
	uint32_t v;
	int ret;

	if (a->err)
		return a->err;
	ret = aml_eisaid(id, &v);
	if (ret)
		return aml_fail(a, ret);
	return aml_integer(a, v);
}

static int lead_char(char c)
{
	return (c >= 'A' && c <= 'Z') || c == '_';
}

static int name_char(char c)
{
	return lead_char(c) || (c >= '0' && c <= '9');
}

int aml_namestring(struct aml *a, const char *path)
{
	uint8_t segs[AML_MAX_SEGS][AML_NAMESEG_LEN];
	const char *p = path;
	unsigned int nsegs = 0, i;
	size_t prefixes = 0;

	if (a->err)
		return a->err;
	if (!path)
		return aml_fail(a, -EINVAL);
	if (*p == '\\') {
		prefixes = 1;
		p++;
	} else {
		while (*p == '^') {
			prefixes++;
			p++;
		}
	}
	while (*p) {
		if (nsegs == AML_MAX_SEGS || !lead_char(*p))
			return aml_fail(a, -EINVAL);
		for (i = 0; i < AML_NAMESEG_LEN && name_char(*p); i++)
			segs[nsegs][i] = (uint8_t)*p++;
		for (; i < AML_NAMESEG_LEN; i++)
			segs[nsegs][i] = '_';
		nsegs++;
		if (*p == '.' && p[1])
			p++;
		else if (*p)
			return aml_fail(a, -EINVAL);
	}
	/* A bare "^" or "" is not a name; "\" alone is the root (NullName). */
	if (!nsegs && !(prefixes == 1 && path[0] == '\\'))
		return aml_fail(a, -EINVAL);

	aml_bytes(a, path, prefixes); /* '\' or '^'... verbatim */
	if (nsegs == 0) {
		aml_byte(a, AML_NULL_NAME);
	} else if (nsegs == 2) {
		aml_byte(a, AML_DUAL_NAME_PREFIX);
	} else if (nsegs > 2) {
		aml_byte(a, AML_MULTI_NAME_PREFIX);
		aml_byte(a, (uint8_t)nsegs);
	}
	return aml_bytes(a, segs, (size_t)nsegs * AML_NAMESEG_LEN);
}

int aml_name(struct aml *a, const char *name)
{
	aml_byte(a, AML_NAME_OP);
	return aml_namestring(a, name);
}

int aml_scope_begin(struct aml *a, const char *name, size_t *mark)
{
	aml_byte(a, AML_SCOPE_OP);
	*mark = a->len;
	return aml_namestring(a, name);
}

int aml_pkg_end(struct aml *a, size_t mark)
{
	return aml_close(a, mark, NULL, 0);
}

int aml_scope_end(struct aml *a, size_t mark)
{
	return aml_close(a, mark, NULL, 0);
}

int aml_device_begin(struct aml *a, const char *name, size_t *mark)
{
	aml_byte(a, AML_EXT_OP_PREFIX);
	aml_byte(a, AML_DEVICE_OP);
	*mark = a->len;
	return aml_namestring(a, name);
}

int aml_device_end(struct aml *a, size_t mark)
{
	return aml_close(a, mark, NULL, 0);
}

int aml_package_begin(struct aml *a, size_t *mark)
{
	aml_byte(a, AML_PACKAGE_OP);
	*mark = a->len;
	return a->err;
}

int aml_package_end(struct aml *a, size_t mark, unsigned int nelems)
{
	uint8_t n = (uint8_t)nelems;

	if (nelems > AML_PACKAGE_MAX_ELEMS)
		return aml_fail(a, -EINVAL);
	return aml_close(a, mark, &n, 1);
}

int aml_buffer_begin(struct aml *a, size_t *mark)
{
	aml_byte(a, AML_BUFFER_OP);
	*mark = a->len;
	return a->err;
}

int aml_buffer_end(struct aml *a, size_t mark)
{
	uint8_t size[AML_PREFIX_MAX];

	if (a->err)
		return a->err;
	if (mark > a->len)
		return aml_fail(a, -EINVAL);
	return aml_close(a, mark, size, aml_int_encode(a->len - mark, size));
}

int aml_restemplate_begin(struct aml *a, size_t *mark)
{
	return aml_buffer_begin(a, mark);
}

int aml_restemplate_end(struct aml *a, size_t mark)
{
	/* EndTag; a zero checksum means "consider it correct". */
	const uint8_t end[2] = { AML_RES_END_TAG, 0 };

	aml_bytes(a, end, sizeof(end));
	return aml_buffer_end(a, mark);
}

int aml_res_irq_noflags(struct aml *a, unsigned int irq)
{
	/* Small IRQ descriptor, 2-byte form: edge-triggered, active-high, exclusive. */
	const uint8_t d[3] = { 0x22, (uint8_t)(1u << (irq & 7)) * (irq < 8),
			       (uint8_t)(1u << (irq & 7)) * (irq >= 8 && irq < 16) };

	if (irq > 15)
		return aml_fail(a, -EINVAL);
	return aml_bytes(a, d, sizeof(d));
}

int aml_res_io(struct aml *a, uint16_t min, uint16_t max, uint8_t align, uint8_t len)
{
	const uint8_t d[1 + AML_RES_IO_LEN] = {
		AML_RES_IO,
		1, /* Decode16: full 16-bit address decode */
		(uint8_t)min, (uint8_t)(min >> 8),
		(uint8_t)max, (uint8_t)(max >> 8),
		align, len,
	};

	if (min > max)
		return aml_fail(a, -EINVAL);
	return aml_bytes(a, d, sizeof(d));
}

int aml_res_addr(struct aml *a, unsigned int width, uint8_t type, uint8_t gflags,
		 uint8_t tflags, uint64_t min, uint64_t max)
{
	uint8_t tag;
	unsigned int n;
	uint16_t dlen;

	switch (width) {
	case 16:
		tag = AML_RES_WORD_ADDR;
		dlen = AML_RES_WORD_ADDR_LEN;
		break;
	case 32:
		tag = AML_RES_DWORD_ADDR;
		dlen = AML_RES_DWORD_ADDR_LEN;
		break;
	case 64:
		tag = AML_RES_QWORD_ADDR;
		dlen = AML_RES_QWORD_ADDR_LEN;
		break;
	default:
		return aml_fail(a, -EINVAL);
	}
	n = width / 8;
	/* _LEN = max - min + 1 must fit the descriptor's width too. */
	if (min > max || max - min == UINT64_MAX ||
	    (width < 64 && (max >> width || (max - min + 1) >> width)))
		return aml_fail(a, -EINVAL);
	aml_byte(a, tag);
	aml_le(a, dlen, 2);
	aml_byte(a, type);
	aml_byte(a, gflags);
	aml_byte(a, tflags);
	aml_le(a, 0, n); /* _GRA */
	aml_le(a, min, n); /* _MIN */
	aml_le(a, max, n); /* _MAX */
	aml_le(a, 0, n); /* _TRA */
	return aml_le(a, max - min + 1, n); /* _LEN */
}

int aml_res_word_bus(struct aml *a, uint16_t min, uint16_t max)
{
	return aml_res_addr(a, 16, AML_ADDR_BUS, AML_ADDR_WINDOW, 0, min, max);
}

int aml_res_word_io(struct aml *a, uint16_t min, uint16_t max)
{
	return aml_res_addr(a, 16, AML_ADDR_IO, AML_ADDR_WINDOW, AML_IO_ENTIRE_RANGE,
			    min, max);
}

int aml_res_dword_mem(struct aml *a, uint8_t tflags, uint32_t min, uint32_t max)
{
	return aml_res_addr(a, 32, AML_ADDR_MEMORY, AML_ADDR_WINDOW, tflags, min, max);
}

int aml_res_qword_mem(struct aml *a, uint8_t tflags, uint64_t min, uint64_t max)
{
	return aml_res_addr(a, 64, AML_ADDR_MEMORY, AML_ADDR_WINDOW, tflags, min, max);
}
