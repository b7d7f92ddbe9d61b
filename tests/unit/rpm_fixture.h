/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Small RPM packages made at test time, laid out as rpmbuild writes them:
 * the lead, a signature header padded to 8 bytes, the main header with
 * name, version, arch, the file list and the payload tags, then a newc
 * cpio payload compressed by archive_fixture.h. Static functions for the
 * test files that include it.
 */
#ifndef MINIVMM_TEST_RPM_FIXTURE_H
#define MINIVMM_TEST_RPM_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "archive_fixture.h"

#define RPMF_MAX_ENTRIES 32

struct rpmf_hdr {
	struct {
		uint32_t tag, type, off, count;
	} e[RPMF_MAX_ENTRIES];
	unsigned int n;
	struct buf store;
};

static void rpmf_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* An entry of @type with @count items, @n bytes of data (aligned as rpm aligns its type). */
static void __attribute__((unused)) rpmf_add(struct rpmf_hdr *h, uint32_t tag, uint32_t type, uint32_t count,
					     const void *data, size_t n)
{
	static const uint8_t zeros[8];
	size_t align = type == 3 ? 2 : type == 4 ? 4 : type == 5 ? 8 : 1;

	if (h->n == RPMF_MAX_ENTRIES)
		abort();
	if (h->store.n % align)
		buf_put(&h->store, zeros, align - h->store.n % align);
	h->e[h->n].tag = tag;
	h->e[h->n].type = type;
	h->e[h->n].off = (uint32_t)h->store.n;
	h->e[h->n].count = count;
	h->n++;
	buf_put(&h->store, data, n);
}

static void __attribute__((unused)) rpmf_string(struct rpmf_hdr *h, uint32_t tag, const char *s)
{
	rpmf_add(h, tag, 6, 1, s, strlen(s) + 1);
}

/* A STRING_ARRAY of @n strings. */
static void __attribute__((unused)) rpmf_strings(struct rpmf_hdr *h, uint32_t tag, const char *const *s, unsigned int n)
{
	struct buf b = { 0 };

	for (unsigned int i = 0; i < n; i++)
		buf_put(&b, s[i], strlen(s[i]) + 1);
	rpmf_add(h, tag, 8, n, b.p, b.n);
	buf_free(&b);
}

static void __attribute__((unused)) rpmf_int32s(struct rpmf_hdr *h, uint32_t tag, const uint32_t *v, unsigned int n)
{
	uint8_t b[4 * 64];

	if (n > 64)
		abort();
	for (unsigned int i = 0; i < n; i++)
		rpmf_be32(b + 4 * i, v[i]);
	rpmf_add(h, tag, 4, n, b, 4 * n);
}

/* INT16s, as FILEMODES is. */
static void __attribute__((unused)) rpmf_int16s(struct rpmf_hdr *h, uint32_t tag, const uint32_t *v, unsigned int n)
{
	uint8_t b[2 * 64];

	if (n > 64)
		abort();
	for (unsigned int i = 0; i < n; i++) {
		b[2 * i] = (uint8_t)(v[i] >> 8);
		b[2 * i + 1] = (uint8_t)v[i];
	}
	rpmf_add(h, tag, 3, n, b, 2 * n);
}

/* The header's bytes into @out; @h is freed. */
static void __attribute__((unused)) rpmf_finish(struct rpmf_hdr *h, struct buf *out)
{
	uint8_t intro[16] = { 0x8e, 0xad, 0xe8, 0x01 }, e[16];

	rpmf_be32(intro + 8, h->n);
	rpmf_be32(intro + 12, (uint32_t)h->store.n);
	buf_put(out, intro, sizeof(intro));
	for (unsigned int i = 0; i < h->n; i++) {
		rpmf_be32(e, h->e[i].tag);
		rpmf_be32(e + 4, h->e[i].type);
		rpmf_be32(e + 8, h->e[i].off);
		rpmf_be32(e + 12, h->e[i].count);
		buf_put(out, e, sizeof(e));
	}
	buf_put(out, h->store.p, h->store.n);
	buf_free(&h->store);
	h->n = 0;
}

/* The 96-byte lead: binary (@type 0) or source (1), header signatures. */
static void __attribute__((unused)) rpmf_lead(struct buf *out, unsigned int type, const char *name)
{
	uint8_t l[96] = { 0xed, 0xab, 0xee, 0xdb, 3, 0 };

	l[7] = (uint8_t)type;
	l[9] = 1; /* x86 */
	snprintf((char *)l + 10, 66, "%s", name);
	l[77] = 1; /* Linux */
	l[79] = 5;
	buf_put(out, l, sizeof(l));
}

/* A signature header (an SHA-256 digest tag of made-up bytes, the size of what follows), padded to 8 bytes. */
static void __attribute__((unused)) rpmf_signature(struct buf *out, uint32_t size)
{
	uint8_t sz[4];

	static const uint8_t zeros[8];
	struct rpmf_hdr sig = { .n = 0 };
	size_t start = out->n;

	rpmf_string(&sig, 273, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	rpmf_be32(sz, size);
	rpmf_add(&sig, 1000, 4, 1, sz, 4); /* RPMSIGTAG_SIZE */
	rpmf_finish(&sig, out);
	if ((out->n - start) % 8)
		buf_put(out, zeros, 8 - (out->n - start) % 8);
}

/* One newc cpio entry (the header, the name and data padded to 4 bytes). */
static void __attribute__((unused)) cpio_put(struct buf *b, const char *name, uint32_t mode, uint32_t ino,
					     uint32_t nlink, const void *data, size_t n)
{
	static const uint8_t zeros[4];
	char h[111];
	size_t namesize = strlen(name) + 1;

	snprintf(h, sizeof(h), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", ino, mode, 0u, 0u,
		 nlink, 0u, (unsigned int)n, 0u, 0u, 0u, 0u, (unsigned int)namesize, 0u);
	buf_put(b, h, 110);
	buf_put(b, name, namesize);
	if ((110 + namesize) % 4)
		buf_put(b, zeros, 4 - (110 + namesize) % 4);
	buf_put(b, data, n);
	if (n % 4)
		buf_put(b, zeros, 4 - n % 4);
}

static void __attribute__((unused)) cpio_end(struct buf *b)
{
	cpio_put(b, "TRAILER!!!", 0, 0, 1, NULL, 0);
}

struct rpmf_file {
	const char *path;            /* "/lib/modules/V/vmlinuz" */
	const char *data;            /* NULL: a directory */
	size_t len;                  /* of @data; 0: strlen(data) */
	bool ghost;                  /* listed, not in the payload */
};

/*
 * An RPM at @path: package @name of @arch, its files listed (dirnames,
 * basenames, modes, flags) and in the payload (not the ghosts),
 * compressed as @comp ("xz", "zst", "gz") under the compressor name
 * @comp_tag ("xz", "zstd", "gzip", or anything), a binary package unless
 * @source.
 */
static void make_rpm_payload(const char *path, const char *name, const char *arch, const struct rpmf_file *files,
			     unsigned int n, const char *comp, const char *comp_tag, bool source, const struct buf *payload);

static void __attribute__((unused)) make_rpm(const char *path, const char *name, const char *arch,
					     const struct rpmf_file *files, unsigned int n, const char *comp,
					     const char *comp_tag, bool source)
{
	make_rpm_payload(path, name, arch, files, n, comp, comp_tag, source, NULL);
}

/* As make_rpm, with the cpio archive @payload (NULL: made of @files) as the payload. */
static void __attribute__((unused)) make_rpm_payload(const char *path, const char *name, const char *arch,
						     const struct rpmf_file *files, unsigned int n, const char *comp,
						     const char *comp_tag, bool source, const struct buf *payload)
{
	struct rpmf_hdr h = { .n = 0 };
	struct buf out = { 0 }, cpio = { 0 }, hdr = { 0 };
	const char *base[64], *dirs[64];
	uint32_t idx[64], modes[64], flags[64], ndirs = 0;
	char copy[64][256];

	if (n > 64)
		abort();
	for (unsigned int i = 0; i < n; i++) {
		char *slash;

		snprintf(copy[i], sizeof(copy[i]), "%s", files[i].path);
		slash = strrchr(copy[i], '/');
		base[i] = strrchr(files[i].path, '/') + 1;
		slash[1] = 0;
		idx[i] = ndirs;
		for (uint32_t d = 0; d < ndirs; d++)
			if (!strcmp(dirs[d], copy[i]))
				idx[i] = d;
		if (idx[i] == ndirs)
			dirs[ndirs++] = copy[i];
		modes[i] = files[i].data ? 0100644 : 040755;
		flags[i] = files[i].ghost ? 1u << 6 : 0;
	}
	rpmf_string(&h, 1000, name);
	rpmf_string(&h, 1001, "6.1.0");
	rpmf_string(&h, 1002, "rig");
	rpmf_string(&h, 1021, "linux");
	rpmf_string(&h, 1022, arch);
	if (!source)
		rpmf_string(&h, 1044, "kernel-6.1.0-rig.src.rpm");
	else
		rpmf_add(&h, 1106, 4, 1, "\0\0\0\1", 4);
	/* Fedora's meta-package "kernel" requires its parts. */
	rpmf_strings(&h, 1049, (const char *const[]){ "rpmlib(PayloadIsZstd)", "/bin/sh", "kernel-core-uname-r" },
		     strcmp(name, "kernel") ? 2 : 3);
	if (n) { /* a package without files has no file tags */
		rpmf_int16s(&h, 1030, modes, n);
		rpmf_int32s(&h, 1037, flags, n);
		rpmf_int32s(&h, 1116, idx, n);
		rpmf_strings(&h, 1117, base, n);
		rpmf_strings(&h, 1118, dirs, ndirs);
	}
	rpmf_string(&h, 1124, "cpio");
	rpmf_string(&h, 1125, comp_tag);
	rpmf_finish(&h, &hdr);
	for (unsigned int i = 0; !payload && i < n; i++) {
		char cname[260];

		if (files[i].ghost)
			continue;
		snprintf(cname, sizeof(cname), ".%s", files[i].path);
		cpio_put(&cpio, cname, modes[i], i + 1, files[i].data ? 1 : 2, files[i].data,
			 !files[i].data ? 0 : files[i].len ? files[i].len : strlen(files[i].data));
	}
	if (payload)
		buf_put(&cpio, payload->p, payload->n);
	else
		cpio_end(&cpio);
	compress_as(comp, &cpio, &hdr);
	rpmf_lead(&out, source, name);
	rpmf_signature(&out, (uint32_t)hdr.n);
	buf_put(&out, hdr.p, hdr.n);
	if (write_file(path, out.p, out.n))
		abort();
	buf_free(&out);
	buf_free(&cpio);
	buf_free(&hdr);
}

#endif
