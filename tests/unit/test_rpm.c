// SPDX-License-Identifier: GPL-2.0-only
/*
 * RPM packages (src/runner/rpmhdr.c, cpio_in.c, rpmpkg.c, kpkgfile.c):
 * the header parser and the cpio reader on hand-built bytes, damaged
 * ones included; whole packages made by rpm_fixture.h read, classified,
 * refused with their fixes and unpacked, a Fedora-style kernel-core +
 * kernel-modules pair through the cache.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#define TMPDIR_FIXTURE_NAME "minivmm-test-rpm"
#include "tmpdir_fixture.h"

#include "rpm_fixture.h"
#include "minivmm/runner/cpio_in.h"
#include "minivmm/runner/kcache.h"
#include "minivmm/runner/kpkg.h"
#include "minivmm/runner/kpkgfile.h"
#include "minivmm/runner/modules.h"
#include "minivmm/runner/rpmhdr.h"
#include "minivmm/runner/rpmpkg.h"

#define KVER "6.1.0-rig.fc41.x86_64"
#define MOD "/lib/modules/" KVER

static char err[1024];

/* ---- the header parser ---- */

static void header_of(struct buf *out)
{
	struct rpmf_hdr h = { .n = 0 };
	static const uint32_t v[] = { 7, 9 };

	rpmf_string(&h, RPMTAG_NAME, "kernel-core");
	rpmf_strings(&h, RPMTAG_DIRNAMES, (const char *const[]){ "/a/", "/b/", "/c/" }, 3);
	rpmf_int32s(&h, RPMTAG_DIRINDEXES, v, 2);
	rpmf_finish(&h, out);
}

static void test_header_parse(void **state)
{
	struct buf b = { 0 };
	struct rpm_header h;
	const char *why = NULL;
	uint32_t v = 0, n = 0;

	(void)state;
	header_of(&b);
	assert_int_equal(rpm_header_parse(b.p, b.n, &h, &why), 0);
	assert_int_equal(h.count, 3);
	assert_int_equal(h.size, b.n);
	assert_string_equal(rpm_header_string(&h, RPMTAG_NAME), "kernel-core");
	assert_null(rpm_header_string(&h, RPMTAG_ARCH));
	assert_string_equal(rpm_header_string_at(&h, RPMTAG_DIRNAMES, 2, &n), "/c/");
	assert_int_equal(n, 3);
	assert_null(rpm_header_string_at(&h, RPMTAG_DIRNAMES, 3, NULL));
	assert_null(rpm_header_string_at(&h, RPMTAG_NAME, 0, NULL)); /* a STRING, no array */
	assert_int_equal(rpm_header_uint(&h, RPMTAG_DIRINDEXES, 1, &v), 0);
	assert_int_equal(v, 9);
	assert_int_equal(rpm_header_uint(&h, RPMTAG_DIRINDEXES, 2, &v), -ENOENT);
	assert_int_equal(rpm_header_uint(&h, RPMTAG_NAME, 0, &v), -ENOENT);

	/* Every cut of it is truncated, never read past. */
	for (size_t cut = 0; cut < b.n; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);

		memcpy(copy, b.p, cut);
		assert_int_equal(rpm_header_parse(copy, cut, &h, &why), -ENODATA);
		free(copy);
	}
	buf_free(&b);
}

static void test_header_damaged(void **state)
{
	struct buf b = { 0 };
	struct rpm_header h;
	const char *why = NULL;
	uint8_t *e;

	(void)state;
	header_of(&b);
	e = b.p + RPM_HDR_INTRO; /* the first entry: NAME at offset 0 */
	b.p[0] ^= 1;
	assert_int_equal(rpm_header_parse(b.p, b.n, &h, &why), -EINVAL);
	assert_string_equal(why, "a header has no header magic");
	b.p[0] ^= 1;
	/* An offset outside the store. */
	e[11] = 0xf0;
	assert_int_equal(rpm_header_parse(b.p, b.n, &h, &why), -EINVAL);
	assert_string_equal(why, "a header entry points outside the data store");
	e[11] = 0;
	/* An INT32 array running past the store's end. */
	e[16 * 2 + 15] = 200;
	assert_int_equal(rpm_header_parse(b.p, b.n, &h, &why), -EINVAL);
	assert_string_equal(why, "a header entry points outside the data store");
	e[16 * 2 + 15] = 2;
	/* Strings that never end: more than the store holds. */
	e[16 + 15] = 200;
	assert_int_equal(rpm_header_parse(b.p, b.n, &h, &why), -EINVAL);
	assert_string_equal(why, "a header string runs past the data store");
	e[16 + 15] = 3;
	/* A STRING with count 2, an unknown type. */
	e[15] = 2;
	assert_int_equal(rpm_header_parse(b.p, b.n, &h, &why), -EINVAL);
	e[15] = 1;
	e[7] = 17;
	assert_int_equal(rpm_header_parse(b.p, b.n, &h, &why), -EINVAL);
	assert_string_equal(why, "a header entry has an unknown type");
	e[7] = 6;
	/* Sizes out of range. */
	b.p[8] = 0x7f;
	assert_int_equal(rpm_header_parse(b.p, b.n, &h, &why), -EINVAL);
	assert_string_equal(why, "a header's size is out of range");
	b.p[8] = 0;
	assert_int_equal(rpm_header_parse(b.p, b.n, &h, &why), 0);
	buf_free(&b);
}

static void test_lead_and_layout(void **state)
{
	struct buf b = { 0 };
	struct rpm_lead lead;
	struct rpm_header sig, hdr;
	const char *why = NULL;
	uint64_t off = 0;
	size_t sig_end;

	(void)state;
	rpmf_lead(&b, 0, "kernel-core-6.1.0-rig");
	rpmf_signature(&b, 0);
	sig_end = b.n;
	assert_int_equal(sig_end % 8, 0);
	header_of(&b);
	buf_put(&b, "payload", 7);
	assert_int_equal(rpm_layout(b.p, b.n, &lead, &sig, &hdr, &off, &why), 0);
	assert_int_equal(lead.major, 3);
	assert_false(lead.source);
	assert_string_equal(lead.name, "kernel-core-6.1.0-rig");
	assert_int_equal(off, b.n - 7);
	assert_string_equal(rpm_header_string(&hdr, RPMTAG_NAME), "kernel-core");
	/* Cut in the lead, in the signature, in the header. */
	assert_int_equal(rpm_layout(b.p, 50, &lead, &sig, &hdr, &off, &why), -ENODATA);
	assert_string_equal(why, "the lead is cut off");
	assert_int_equal(rpm_layout(b.p, 120, &lead, &sig, &hdr, &off, &why), -ENODATA);
	assert_int_equal(rpm_layout(b.p, sig_end + 20, &lead, &sig, &hdr, &off, &why), -ENODATA);
	/* The lead's signature type, its version, its magic. */
	b.p[79] = 1;
	assert_int_equal(rpm_layout(b.p, b.n, &lead, &sig, &hdr, &off, &why), -EINVAL);
	assert_string_equal(why, "the lead names no header signature");
	b.p[79] = 5;
	b.p[4] = 2;
	assert_int_equal(rpm_layout(b.p, b.n, &lead, &sig, &hdr, &off, &why), -EINVAL);
	b.p[4] = 3;
	assert_false(rpm_is_package((const uint8_t *)"!<arch>\n", 8));
	assert_true(rpm_is_package(b.p, 4));
	buf_free(&b);
}

/* ---- the cpio reader ---- */

struct mem {
	const uint8_t *p;
	size_t n, chunk;             /* at most @chunk bytes a read: short reads */
};

static ssize_t mem_read(void *opaque, void *buf, size_t n)
{
	struct mem *m = opaque;

	if (n > m->n)
		n = m->n;
	if (m->chunk && n > m->chunk)
		n = m->chunk;
	memcpy(buf, m->p, n);
	m->p += n;
	m->n -= n;
	return (ssize_t)n;
}

static void test_cpio_read(void **state)
{
	struct buf b = { 0 };
	struct cpio_in c;
	struct cpio_in_entry e;
	char data[64];
	struct mem m;

	(void)state;
	cpio_put(&b, "./lib", 040755, 1, 2, NULL, 0);
	cpio_put(&b, "./lib/abc", 0100644, 2, 1, "hello", 5);
	cpio_put(&b, "./lib/link", 0120777, 3, 1, "abc", 3);
	cpio_end(&b);
	for (size_t chunk = 0; chunk < 8; chunk += 7) {
		m = (struct mem){ b.p, b.n, chunk };
		cpio_in_init(&c, mem_read, &m);
		assert_int_equal(cpio_in_next(&c, &e), 1);
		assert_string_equal(e.path, "./lib");
		assert_true(S_ISDIR(e.mode));
		assert_int_equal(cpio_in_next(&c, &e), 1);
		assert_string_equal(e.path, "./lib/abc");
		assert_int_equal(e.size, 5);
		assert_int_equal(e.ino, 2);
		memset(data, 0, sizeof(data));
		for (size_t got = 0; got < 5;) {
			ssize_t r = cpio_in_read(&c, data + got, sizeof(data) - got);

			assert_true(r > 0);
			got += (size_t)r;
		}
		assert_string_equal(data, "hello");
		assert_int_equal(cpio_in_read(&c, data, sizeof(data)), 0);
		/* The symlink's target is skipped unread. */
		assert_int_equal(cpio_in_next(&c, &e), 1);
		assert_true(S_ISLNK(e.mode));
		assert_int_equal(cpio_in_next(&c, &e), 0);
		assert_int_equal(cpio_in_next(&c, &e), 0);
	}
	/* Every cut is an error, never an end. */
	for (size_t cut = 0; cut < b.n - 4; cut++) {
		int ret;

		m = (struct mem){ b.p, cut, 0 };
		cpio_in_init(&c, mem_read, &m);
		while ((ret = cpio_in_next(&c, &e)) == 1)
			;
		assert_int_equal(ret, -EINVAL);
		assert_non_null(strstr(c.why, "truncated"));
	}
	buf_free(&b);
}

static void test_cpio_damaged(void **state)
{
	struct buf b = { 0 };
	struct cpio_in c;
	struct cpio_in_entry e;
	struct mem m;

	(void)state;
	cpio_put(&b, "./a", 0100644, 1, 1, "x", 1);
	cpio_end(&b);
	memcpy(b.p, "07070X", 6);
	m = (struct mem){ b.p, b.n, 0 };
	cpio_in_init(&c, mem_read, &m);
	assert_int_equal(cpio_in_next(&c, &e), -EINVAL);
	assert_non_null(strstr(c.why, "stripped"));
	memcpy(b.p, "070707", 6); /* odc: no newc */
	m = (struct mem){ b.p, b.n, 0 };
	cpio_in_init(&c, mem_read, &m);
	assert_int_equal(cpio_in_next(&c, &e), -EINVAL);
	assert_non_null(strstr(c.why, "no newc cpio header"));
	memcpy(b.p, "070702", 6); /* crc: read as newc */
	m = (struct mem){ b.p, b.n, 0 };
	cpio_in_init(&c, mem_read, &m);
	assert_int_equal(cpio_in_next(&c, &e), 1);
	/* A field that is not hex; a name size that does not match the name. */
	b.p[20] = 'g';
	m = (struct mem){ b.p, b.n, 0 };
	cpio_in_init(&c, mem_read, &m);
	assert_int_equal(cpio_in_next(&c, &e), -EINVAL);
	assert_non_null(strstr(c.why, "not hexadecimal"));
	b.p[20] = '0';
	memcpy(b.p + 94, "00000002", 8);
	m = (struct mem){ b.p, b.n, 0 };
	cpio_in_init(&c, mem_read, &m);
	assert_int_equal(cpio_in_next(&c, &e), -EINVAL);
	assert_non_null(strstr(c.why, "not terminated"));
	memcpy(b.p + 94, "00000001", 8);
	m = (struct mem){ b.p, b.n, 0 };
	cpio_in_init(&c, mem_read, &m);
	assert_int_equal(cpio_in_next(&c, &e), -EINVAL);
	assert_non_null(strstr(c.why, "no name"));
	memcpy(b.p + 94, "FFFFFFFF", 8);
	m = (struct mem){ b.p, b.n, 0 };
	cpio_in_init(&c, mem_read, &m);
	assert_int_equal(cpio_in_next(&c, &e), -EINVAL);
	assert_non_null(strstr(c.why, "too long"));
	buf_free(&b);
}

/* ---- whole packages ---- */

static const struct rpmf_file core_files[] = {
	{ "/lib/modules/" KVER, NULL, 0, false },
	{ MOD "/vmlinuz", "bzImage!", 0, false },
	{ MOD "/modules.order", "kernel/a.ko.xz\n", 0, false },
	{ MOD "/kernel/a.ko.xz", "module a", 0, false },
	{ "/boot/vmlinuz-" KVER, "ghost", 0, true },
	{ "/usr/share/doc/kernel-core/COPYING", "GPL", 0, false },
};

static int open_info(const char *path, struct kpkg_file *f, struct kpkg_info *info)
{
	int ret;

	memset(info, 0, sizeof(*info));
	info->file = path;
	ret = kpkg_file_open(f, path, err, sizeof(err));
	if (!ret)
		ret = kpkg_file_read_info(f, info, err, sizeof(err));
	return ret;
}

static void unpack_core(const char *comp, const char *tag)
{
	char path[PATH_MAX], root[PATH_MAX], p[PATH_MAX];
	struct kpkg_file f;
	struct kpkg_info info;
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/kernel-core-%s.rpm", dir, comp);
	make_rpm(path, "kernel-core", "x86_64", core_files, 6, comp, tag, false);
	assert_int_equal(open_info(path, &f, &info), 0);
	assert_int_equal(f.format, KPKG_RPM);
	assert_int_equal(info.format, KPKG_RPM);
	assert_string_equal(info.package, "kernel-core");
	assert_string_equal(info.version, "6.1.0-rig");
	assert_string_equal(info.arch, "x86_64");
	assert_string_equal(info.kver, KVER);
	assert_true(info.has_vmlinuz);
	assert_true(info.has_modules);
	assert_string_equal(info.depends, ""); /* rpmlib() and file requires are no packages */
	assert_int_equal(kpkg_classify(&info, "amd64", err, sizeof(err)), 0);
	assert_int_equal(info.kind, KPKG_IMAGE);
	snprintf(root, sizeof(root), "%s/root-%s/", dir, comp);
	assert_int_equal(mkdir(root, 0755), 0);
	fd = open(root, O_PATH | O_DIRECTORY);
	assert_int_equal(kpkg_file_unpack(&f, &info, fd, NULL, NULL, err, sizeof(err)), 0);
	close(fd);
	kpkg_file_close(&f);
	assert_file_text(strcat(strcpy(p, root), &(MOD "/vmlinuz")[1]), "bzImage!");
	assert_file_text(strcat(strcpy(p, root), &(MOD "/kernel/a.ko.xz")[1]), "module a");
	/* Neither the ghost nor the docs. */
	assert_int_equal(lstat(strcat(strcpy(p, root), "boot"), &st), -1);
	assert_int_equal(lstat(strcat(strcpy(p, root), "usr"), &st), -1);
}

static void test_unpack_zstd(void **state)
{
	(void)state;
	unpack_core("zst", "zstd");
}

static void test_unpack_xz(void **state)
{
	(void)state;
	unpack_core("xz", "xz");
}

static void test_unpack_gzip(void **state)
{
	(void)state;
	unpack_core("gz", "gzip");
}

static void test_refusals(void **state)
{
	static const struct rpmf_file hello[] = { { "/usr/bin/hello", "#!/bin/sh\n", 0, false } };
	struct kpkg_file f;
	struct kpkg_info info;
	char *whole;
	size_t len;

	(void)state;
	/* A source RPM. */
	make_rpm(path_in("kernel-6.1.0-rig.src.rpm"), "kernel", "x86_64", core_files, 6, "zst", "zstd", true);
	assert_int_equal(open_info(path_in("kernel-6.1.0-rig.src.rpm"), &f, &info), -EINVAL);
	assert_string_equal(err, "kernel-6.1.0-rig.src.rpm is a source RPM (of kernel), not a built kernel: pass the binary kernel-core-*.rpm (rpmbuild --rebuild kernel-6.1.0-rig.src.rpm builds it)");
	kpkg_file_close(&f);
	/* A compressor minivmm does not decode, one nobody knows, a payload that is not what the header says. */
	make_rpm(path_in("bz.rpm"), "kernel-core", "x86_64", core_files, 6, "gz", "bzip2", false);
	assert_int_equal(open_info(path_in("bz.rpm"), &f, &info), -ENOTSUP);
	assert_string_equal(err, "bz.rpm: its payload is bzip2-compressed, which minivmm does not decode (gzip, xz, zstd): unpack it with rpm2cpio and pass --kernel and --modules");
	kpkg_file_close(&f);
	make_rpm(path_in("odd.rpm"), "kernel-core", "x86_64", core_files, 6, "gz", "brotli\n", false);
	assert_int_equal(open_info(path_in("odd.rpm"), &f, &info), -ENOTSUP);
	assert_string_equal(err, "odd.rpm: its payload compressor \"brotli\\x0a\" is unknown (minivmm decodes gzip, xz, zstd): unpack it with rpm2cpio and pass --kernel and --modules");
	kpkg_file_close(&f);
	make_rpm(path_in("liar.rpm"), "kernel-core", "x86_64", core_files, 6, "gz", "zstd", false);
	assert_int_equal(open_info(path_in("liar.rpm"), &f, &info), -EINVAL);
	assert_string_equal(err, "liar.rpm is damaged (its header names a zstd payload, the payload is gzip): download it again");
	kpkg_file_close(&f);
	/* Built for arm64. */
	make_rpm(path_in("arm.rpm"), "kernel-core", "aarch64", core_files, 6, "zst", "zstd", false);
	assert_int_equal(open_info(path_in("arm.rpm"), &f, &info), 0);
	assert_int_equal(kpkg_classify(&info, "amd64", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "arm.rpm: kernel-core is built for aarch64, KVM here runs x86_64 guests: use the x86_64 package (dnf download --arch x86_64 kernel-core)");
	assert_int_equal(kpkg_classify(&info, "arm64", err, sizeof(err)), 0);
	kpkg_file_close(&f);
	/* No kernel. */
	make_rpm(path_in("hello.rpm"), "hello", "x86_64", hello, 1, "zst", "zstd", false);
	assert_int_equal(open_info(path_in("hello.rpm"), &f, &info), 0);
	assert_int_equal(kpkg_classify(&info, "amd64", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "hello.rpm: hello is not a kernel package (no lib/modules/VERSION/vmlinuz or modules in it): pass a kernel-core-*.rpm");
	kpkg_file_close(&f);
	/* Fedora's meta-package "kernel": no files, requires kernel-core-uname-r. */
	make_rpm(path_in("kernel.rpm"), "kernel", "x86_64", hello, 0, "zst", "zstd", false);
	assert_int_equal(open_info(path_in("kernel.rpm"), &f, &info), 0);
	assert_int_equal(kpkg_classify(&info, "amd64", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "kernel.rpm: kernel is a meta-package without a kernel, it depends on kernel-core: pass that one (dnf download kernel-core)");
	kpkg_file_close(&f);
	/* Truncated: in the header, in the payload. */
	whole = slurp(path_in("arm.rpm"), &len);
	assert_int_equal(write_file(path_in("cut.rpm"), whole, 200), 0);
	assert_int_equal(open_info(path_in("cut.rpm"), &f, &info), -ENODATA);
	assert_string_equal(err, "cut.rpm is truncated (a header runs past the end of the file): download it again");
	kpkg_file_close(&f);
	assert_int_equal(write_file(path_in("cut2.rpm"), whole, len - 30), 0);
	assert_int_equal(open_info(path_in("cut2.rpm"), &f, &info), -ENODATA);
	assert_string_equal(err, "cut2.rpm is truncated (shorter than its signature says): download it again");
	kpkg_file_close(&f);
	/* Without the signature's size, the payload's end says so when it is unpacked. */
	memset(whole + RPM_LEAD_SIZE + RPM_HDR_INTRO + RPM_HDR_ENTRY, 0xff, 4); /* RPMSIGTAG_SIZE's tag */
	assert_int_equal(write_file(path_in("cut2.rpm"), whole, len - 30), 0);
	assert_int_equal(open_info(path_in("cut2.rpm"), &f, &info), 0);
	{
		char root[PATH_MAX];
		int fd;

		snprintf(root, sizeof(root), "%s/cut2root", dir);
		assert_int_equal(mkdir(root, 0755), 0);
		fd = open(root, O_PATH | O_DIRECTORY);
		assert_int_equal(kpkg_file_unpack(&f, &info, fd, NULL, NULL, err, sizeof(err)), -EINVAL);
		close(fd);
		assert_non_null(strstr(err, "cut2.rpm is damaged: its payload does not decompress"));
	}
	kpkg_file_close(&f);
	free(whole);
	/* The lead alone. */
	assert_int_equal(write_file(path_in("lead.rpm"), "\xed\xab\xee\xdb\x03", 5), 0);
	assert_int_equal(open_info(path_in("lead.rpm"), &f, &info), -ENODATA);
	assert_string_equal(err, "lead.rpm is truncated (the lead is cut off): download it again");
	kpkg_file_close(&f);
}

/* An unsafe name in the payload is refused before anything is written. */
static void test_unsafe_path(void **state)
{
	static const struct rpmf_file evil[] = {
		{ MOD "/vmlinuz", "k", 0, false },
		{ MOD "/../../../../etc/passwd", "root::0:0", 0, false },
	};
	struct kpkg_file f;
	struct kpkg_info info;
	struct stat st;
	char root[PATH_MAX];
	int fd;

	(void)state;
	make_rpm(path_in("evil.rpm"), "kernel-core", "x86_64", evil, 2, "xz", "xz", false);
	assert_int_equal(open_info(path_in("evil.rpm"), &f, &info), 0);
	snprintf(root, sizeof(root), "%s/evilroot", dir);
	assert_int_equal(mkdir(root, 0755), 0);
	fd = open(root, O_PATH | O_DIRECTORY);
	assert_int_equal(kpkg_file_unpack(&f, &info, fd, NULL, NULL, err, sizeof(err)), -EINVAL);
	close(fd);
	kpkg_file_close(&f);
	assert_non_null(strstr(err, "evil.rpm holds an unsafe path (./lib/modules/" KVER "/../../../../etc/passwd)"));
	assert_int_equal(stat(path_in("etc"), &st), -1);
}

/* Hard links in newc: the data with one name (rpm: the last), the others empty; all get the data. */
static void test_hard_links(void **state)
{
	static const struct rpmf_file files[] = {
		{ MOD "/vmlinuz", "k", 0, false },
		{ MOD "/kernel/a.ko", "x", 0, false },
		{ MOD "/kernel/b.ko", "x", 0, false },
		{ MOD "/kernel/c.ko", "x", 0, false },
		{ MOD "/kernel/d.ko", "x", 0, false },
	};
	struct buf cpio = { 0 };
	struct kpkg_file f;
	struct kpkg_info info;
	struct stat st, st2;
	char root[PATH_MAX], p[PATH_MAX];
	int fd;

	(void)state;
	cpio_put(&cpio, "." MOD "/vmlinuz", 0100644, 1, 1, "k", 1);
	/* a and b: data last, as rpm writes them; c and d: data first. */
	cpio_put(&cpio, "." MOD "/kernel/a.ko", 0100644, 7, 2, NULL, 0);
	cpio_put(&cpio, "." MOD "/kernel/b.ko", 0100644, 7, 2, "linked", 6);
	cpio_put(&cpio, "." MOD "/kernel/c.ko", 0100644, 8, 2, "first", 5);
	cpio_put(&cpio, "." MOD "/kernel/d.ko", 0100644, 8, 2, NULL, 0);
	cpio_end(&cpio);
	make_rpm_payload(path_in("links.rpm"), "kernel-core", "x86_64", files, 5, "xz", "xz", false, &cpio);
	buf_free(&cpio);
	assert_int_equal(open_info(path_in("links.rpm"), &f, &info), 0);
	snprintf(root, sizeof(root), "%s/linkroot/", dir);
	assert_int_equal(mkdir(root, 0755), 0);
	fd = open(root, O_PATH | O_DIRECTORY);
	assert_int_equal(kpkg_file_unpack(&f, &info, fd, NULL, NULL, err, sizeof(err)), 0);
	close(fd);
	kpkg_file_close(&f);
	assert_file_text(strcat(strcpy(p, root), &(MOD "/kernel/a.ko")[1]), "linked");
	assert_file_text(strcat(strcpy(p, root), &(MOD "/kernel/b.ko")[1]), "linked");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(stat(strcat(strcpy(p, root), &(MOD "/kernel/a.ko")[1]), &st2), 0);
	assert_int_equal(st.st_ino, st2.st_ino);
	assert_file_text(strcat(strcpy(p, root), &(MOD "/kernel/c.ko")[1]), "first");
	assert_file_text(strcat(strcpy(p, root), &(MOD "/kernel/d.ko")[1]), "first");
}

/* A Fedora-style kernel-core + kernel-modules pair (real ELF modules) through the cache, depmod'ed. */
static void test_cache_fedora_split(void **state)
{
	static const char *const mods[] = { "fake_core.ko", "fake_drv.ko", "fake_other.ko" };
	const char *aliases[] = { "pci:v00001234d00005678sv00000000sd00000000bc02sc00i00" };
	char core[PATH_MAX], modpkg[PATH_MAX], cache[PATH_MAX], depmod[PATH_MAX], paths[3][PATH_MAX];
	const char *files[2] = { core, modpkg };
	struct rpmf_file mf[3];
	char *data[3];
	struct kpkg_file f[2], *fp[2];
	struct kpkg_info infos[2];
	struct kpkg_group g;
	struct kernel_tree t;
	struct module_list ml;

	(void)state;
	if (kcache_find_depmod(depmod, sizeof(depmod)))
		skip();
	snprintf(core, sizeof(core), "%s/kernel-core-" KVER ".rpm", dir);
	snprintf(modpkg, sizeof(modpkg), "%s/kernel-modules-" KVER ".rpm", dir);
	snprintf(cache, sizeof(cache), "%s/cache", dir);
	make_rpm(core, "kernel-core", "x86_64", core_files + 1, 1, "zst", "zstd", false);
	for (int i = 0; i < 3; i++) {
		char src[PATH_MAX];
		size_t len;

		snprintf(src, sizeof(src), "%s/kernel/drivers/%s", FAKE_MODULES_DIR, mods[i]);
		snprintf(paths[i], sizeof(paths[i]), MOD "/kernel/drivers/%s", mods[i]);
		data[i] = slurp(src, &len);
		assert_non_null(data[i]);
		mf[i] = (struct rpmf_file){ paths[i], data[i], len, false };
	}
	make_rpm(modpkg, "kernel-modules", "x86_64", mf, 3, "xz", "xz", false);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(open_info(files[i], &f[i], &infos[i]), 0);
		assert_int_equal(kpkg_classify(&infos[i], "amd64", err, sizeof(err)), 0);
		fp[i] = &f[i];
	}
	assert_int_equal(infos[1].kind, KPKG_MODULES);
	assert_int_equal(kpkg_group(infos, 2, &g, 1, err, sizeof(err)), 1);
	assert_int_equal(g.image, 0);
	assert_int_equal(kcache_get(&g, fp, cache, &t, NULL, NULL, err, sizeof(err)), 0);
	assert_true(t.unpacked);
	assert_non_null(strstr(t.vmlinuz, "/root" MOD "/vmlinuz"));
	assert_int_equal(modules_resolve(t.modules, aliases, 1, &ml, err, sizeof(err)), 0);
	assert_int_equal(ml.n, 2);
	assert_non_null(strstr(ml.path[1], "fake_drv.ko"));
	modules_free(&ml);
	/* The modules alone: no kernel, the fix names kernel-core. */
	assert_int_equal(kpkg_group(infos + 1, 1, &g, 1, err, sizeof(err)), 1);
	assert_int_equal(kpkg_group_check(&g, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "add its kernel-core package to the same --kernel-package (--kernel-package kernel-core-" KVER ".rpm,kernel-modules-" KVER ".rpm)"));
	for (int i = 0; i < 2; i++)
		kpkg_file_close(&f[i]);
	for (int i = 0; i < 3; i++)
		free(data[i]);
}

/* A .deb is still a .deb; what is neither is named as no Debian package. */
static void test_sniff(void **state)
{
	struct kpkg_file f;

	(void)state;
	assert_int_equal(write_file(path_in("x.deb"), "!<arch>\nrubbish", 15), 0);
	assert_int_equal(kpkg_file_open(&f, path_in("x.deb"), err, sizeof(err)), -ENODATA);
	assert_int_equal(f.format, KPKG_DEB);
	kpkg_file_close(&f);
	assert_int_equal(kpkg_file_open(&f, path_in("missing.rpm"), err, sizeof(err)), -ENOENT);
	kpkg_file_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_parse),
		cmocka_unit_test(test_header_damaged),
		cmocka_unit_test(test_lead_and_layout),
		cmocka_unit_test(test_cpio_read),
		cmocka_unit_test(test_cpio_damaged),
		cmocka_unit_test(test_unpack_zstd),
		cmocka_unit_test(test_unpack_xz),
		cmocka_unit_test(test_unpack_gzip),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_unsafe_path),
		cmocka_unit_test(test_hard_links),
		cmocka_unit_test(test_cache_fedora_split),
		cmocka_unit_test(test_sniff),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
