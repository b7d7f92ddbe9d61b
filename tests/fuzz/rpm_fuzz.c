// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the RPM readers that never write: the lead and
 * header parser (src/runner/rpmhdr.c), rpm_open and rpm_read_info
 * (src/runner/rpmpkg.c, through kpkg_file_open as a --kernel-package
 * file) with the classification of what they found, and the streaming
 * newc cpio reader of the payload (src/runner/cpio_in.c).
 *
 * Input: a mode byte, then the mode's bytes.
 *   mode & 1 == 0: an RPM package. Bit 1 set: the first 96 bytes are
 *     replaced by a valid binary lead, so the fuzzer works on the headers.
 *   mode & 1 == 1: a cpio stream; bits 1-7 and the next byte: the read
 *     sizes the callback hands out in two passes (a pipe gives short reads).
 *
 * Checked: a parsed header lies inside the buffer, its index and store
 * where its sizes say; every entry's data inside the store, strings
 * terminated there, the walk of a STRING_ARRAY never leaving it; the
 * payload starts after both headers, the signature's padded to 8 bytes.
 * rpm_open accepts exactly what rpm_layout accepts with a payload, and a
 * refusal has its one line; a package read is an RPM, classified as a
 * kernel image or modules or refused with a line. The cpio reader gives
 * the same entries, data and errors whatever the read sizes; a name is
 * NUL-terminated and not empty; an entry's data is exactly its size; it
 * never consumes more than the stream; after the end it stays there.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "minivmm/runner/cpio_in.h"
#include "minivmm/runner/kpkg.h"
#include "minivmm/runner/kpkgfile.h"
#include "minivmm/runner/rpmhdr.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	return 0;
}

FUZZ_NOCOV static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Every entry of @h as its getters give it: inside the store, strings terminated there. */
FUZZ_NOCOV static void check_header(const struct rpm_header *h, const uint8_t *buf, size_t n)
{
	const uint8_t *end = h->store + h->data_size;

	FUZZ_CHECK(h->index >= buf + RPM_HDR_INTRO && end <= buf + n);
	FUZZ_CHECK(h->store == h->index + (size_t)h->count * RPM_HDR_ENTRY);
	FUZZ_CHECK(h->size == RPM_HDR_INTRO + (uint64_t)h->count * RPM_HDR_ENTRY + h->data_size);
	for (uint32_t i = 0; i < h->count && i < 256; i++) {
		uint32_t tag = be32(h->index + (size_t)i * RPM_HDR_ENTRY), type, count, v;
		const uint8_t *data;

		FUZZ_CHECK(!rpm_header_get(h, tag, &type, &count, &data));
		FUZZ_CHECK(data >= h->store && data <= end);
		if (type == RPM_STRING_ARRAY_TYPE) {
			uint32_t total = 0;
			const char *s = rpm_header_string_at(h, tag, 0, &total);

			for (uint32_t j = 0; s && j < total && j < 64; j++, s = rpm_strings_next(s)) {
				FUZZ_CHECK((const uint8_t *)s >= h->store && (const uint8_t *)s + strlen(s) < end);
				FUZZ_CHECK(rpm_header_string_at(h, tag, j, NULL) == s);
			}
		} else if (type == RPM_STRING_TYPE) {
			const char *s = rpm_header_string(h, tag);

			/* The first entry of a tag is what the getter finds. */
			FUZZ_CHECK(s && (const uint8_t *)s + strlen(s) < end);
		}
		for (uint32_t j = 0; j < count && j < 16; j++)
			if (!rpm_header_uint(h, tag, j, &v))
				FUZZ_CHECK(type >= RPM_CHAR_TYPE && type <= RPM_INT32_TYPE);
	}
}

FUZZ_NOCOV static void check_rpm(uint8_t *p, size_t n, bool fix_lead)
{
	struct rpm_lead lead;
	struct rpm_header sig, hdr;
	struct kpkg_file f;
	struct kpkg_info info;
	const char *why = NULL;
	uint64_t off = 0;
	char path[64], err[1024] = "";
	int layout, ret;

	if (fix_lead && n >= RPM_LEAD_SIZE) {
		memset(p, 0, RPM_LEAD_SIZE);
		memcpy(p, "\xed\xab\xee\xdb\x03\x00", 6);
		p[79] = 5;
	}
	layout = rpm_layout(p, n, &lead, &sig, &hdr, &off, &why);
	FUZZ_CHECK(layout == 0 || layout == -EINVAL || layout == -ENODATA);
	if (layout) {
		FUZZ_CHECK(why && why[0]);
	} else {
		FUZZ_CHECK(sig.index == p + RPM_LEAD_SIZE + RPM_HDR_INTRO);
		FUZZ_CHECK(hdr.index == p + RPM_LEAD_SIZE + ((sig.size + 7) & ~7ULL) + RPM_HDR_INTRO);
		FUZZ_CHECK(off == (uint64_t)(hdr.index - RPM_HDR_INTRO - p) + hdr.size && off <= n);
		check_header(&sig, p, n);
		check_header(&hdr, p, n);
	}
	fuzz_file(p, n, path, sizeof(path));
	ret = kpkg_file_open(&f, path, err, sizeof(err));
	if (rpm_is_package(p, n))
		FUZZ_CHECK(f.format == KPKG_RPM);
	if (f.format != KPKG_RPM) {
		kpkg_file_close(&f);
		return;
	}
	if (layout || off >= n)
		FUZZ_CHECK(ret < 0 && err[0]);
	if (ret) {
		FUZZ_CHECK(ret < 0 && err[0] && !strchr(err, '\n') && !f.rpm.map);
		kpkg_file_close(&f);
		return;
	}
	FUZZ_CHECK(!layout && f.rpm.payload_off == off && f.rpm.size == n);
	memset(&info, 0, sizeof(info));
	info.file = path;
	err[0] = 0;
	ret = kpkg_file_read_info(&f, &info, err, sizeof(err));
	FUZZ_CHECK(info.format == KPKG_RPM);
	if (ret) {
		FUZZ_CHECK(ret < 0 && err[0] && !strchr(err, '\n'));
	} else {
		FUZZ_CHECK(memchr(info.package, 0, sizeof(info.package)) && memchr(info.arch, 0, sizeof(info.arch)));
		ret = kpkg_classify(&info, "amd64", err, sizeof(err));
		if (ret)
			FUZZ_CHECK(ret == -EINVAL && err[0] && !strchr(err, '\n'));
		else
			FUZZ_CHECK((info.kind == KPKG_IMAGE || info.kind == KPKG_MODULES) && info.kver[0]);
	}
	kpkg_file_close(&f);
	FUZZ_CHECK(!f.rpm.map);
}

/* ---- cpio ---- */

struct stream {
	const uint8_t *p;
	size_t n, pos;
	unsigned int chunk;
};

static ssize_t stream_read(void *opaque, void *buf, size_t n)
{
	struct stream *s = opaque;

	if (n > s->chunk)
		n = s->chunk;
	if (n > s->n - s->pos)
		n = s->n - s->pos;
	memcpy(buf, s->p + s->pos, n);
	s->pos += n;
	return (ssize_t)n;
}

/* A digest of one pass: entries, their data, the result. */
struct pass {
	uint64_t hash;
	unsigned int entries;
	int ret;
};

FUZZ_NOCOV static uint64_t mix(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

static void cpio_pass(const uint8_t *p, size_t n, unsigned int chunk, struct pass *out)
{
	static struct cpio_in_entry e;
	struct stream s = { p, n, 0, chunk ? chunk : 1 };
	struct cpio_in c;
	uint8_t buf[300];
	int ret;

	memset(out, 0, sizeof(*out));
	out->hash = 0xcbf29ce484222325ULL;
	cpio_in_init(&c, stream_read, &s);
	while ((ret = cpio_in_next(&c, &e)) == 1 && out->entries < 4096) {
		uint64_t got = 0;
		ssize_t r;

		FUZZ_CHECK(e.path[0] && strlen(e.path) < sizeof(e.path));
		out->hash = mix(out->hash, e.path, strlen(e.path));
		out->hash = mix(out->hash, &e.mode, sizeof(e.mode));
		out->entries++;
		/* Read half the entries' data, skip the others. */
		if (out->entries & 1)
			continue;
		while ((r = cpio_in_read(&c, buf, 1 + (out->entries * 37) % sizeof(buf))) > 0) {
			got += (uint64_t)r;
			out->hash = mix(out->hash, buf, (size_t)r);
		}
		if (r < 0) {
			ret = (int)r;
			break;
		}
		FUZZ_CHECK(got == e.size);
	}
	FUZZ_CHECK(s.pos <= n);
	if (ret == 0) {
		FUZZ_CHECK(cpio_in_next(&c, &e) == 0);
	} else if (ret < 0) {
		FUZZ_CHECK(ret == -EINVAL && c.why[0]);
		ret = -EINVAL;
	}
	out->ret = ret;
}

FUZZ_NOCOV static void check_cpio(const uint8_t *p, size_t n, uint8_t mode, uint8_t chunk2)
{
	struct pass a, b;

	cpio_pass(p, n, (mode >> 1) + 1, &a);
	cpio_pass(p, n, chunk2 ? chunk2 * 61u : 65536u, &b);
	FUZZ_CHECK(a.ret == b.ret && a.entries == b.entries);
	if (a.ret >= 0)
		FUZZ_CHECK(a.hash == b.hash);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t mode, *copy;

	if (!size)
		return 0;
	mode = data[0];
	if (mode & 1) {
		if (size < 2)
			return 0;
		check_cpio(data + 2, size - 2, mode, data[1]);
		return 0;
	}
	copy = malloc(size);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, size - 1);
	check_rpm(copy, size - 1, mode & 2);
	free(copy);
	return 0;
}
