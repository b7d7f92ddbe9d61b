// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ar and tar readers (src/runner/ar.c, tar.c) on archives made here:
 * members and padding, GNU names, truncation and damage; ustar with
 * prefix, GNU long names, pax paths and sizes, base-256 sizes, checksums,
 * end blocks, data skipped or read in pieces.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "archive_fixture.h"
#include "minivmm/runner/ar.h"
#include "minivmm/runner/tar.h"

/* ---- ar ---- */

static void test_ar_members_and_padding(void **state)
{
	struct buf b = { 0 };
	struct ar_member m;
	uint64_t pos = 0;
	const char *why = NULL;

	(void)state;
	ar_begin(&b);
	ar_add(&b, "debian-binary", "2.0\n", 4);
	ar_add(&b, "odd/", "abc", 3); /* GNU style name, odd size: one pad byte */
	ar_add(&b, "data.tar.xz", "xyz!", 4);
	assert_true(ar_is_archive(b.p, b.n));
	assert_int_equal(ar_next(b.p, b.n, &pos, &m, &why), 1);
	assert_string_equal(m.name, "debian-binary");
	assert_int_equal(m.size, 4);
	assert_memory_equal(b.p + m.off, "2.0\n", 4);
	assert_int_equal(ar_next(b.p, b.n, &pos, &m, &why), 1);
	assert_string_equal(m.name, "odd");
	assert_int_equal(m.size, 3);
	assert_memory_equal(b.p + m.off, "abc", 3);
	assert_int_equal(ar_next(b.p, b.n, &pos, &m, &why), 1);
	assert_string_equal(m.name, "data.tar.xz");
	assert_memory_equal(b.p + m.off, "xyz!", 4);
	assert_int_equal(ar_next(b.p, b.n, &pos, &m, &why), 0);
	assert_int_equal(ar_next(b.p, b.n, &pos, &m, &why), 0);
	buf_free(&b);
}

static void test_ar_truncated(void **state)
{
	struct buf b = { 0 };
	struct ar_member m;
	uint64_t pos = 0;
	const char *why = NULL;

	(void)state;
	ar_begin(&b);
	ar_add(&b, "debian-binary", "2.0\n", 4);
	ar_add(&b, "data.tar", "0123456789", 10);
	/* Cut inside the second member's data. */
	assert_int_equal(ar_next(b.p, b.n - 3, &pos, &m, &why), 1);
	assert_int_equal(ar_next(b.p, b.n - 3, &pos, &m, &why), -ENODATA);
	assert_non_null(strstr(why, "past the end"));
	/* Cut inside its header. */
	pos = 0;
	assert_int_equal(ar_next(b.p, 8 + 60 + 4 + 30, &pos, &m, &why), 1);
	assert_int_equal(ar_next(b.p, 8 + 60 + 4 + 30, &pos, &m, &why), -ENODATA);
	assert_non_null(strstr(why, "cut off"));
	buf_free(&b);
}

static void test_ar_damaged(void **state)
{
	struct buf b = { 0 };
	struct ar_member m;
	uint64_t pos = 0;
	const char *why = NULL;

	(void)state;
	ar_begin(&b);
	ar_add(&b, "debian-binary", "2.0\n", 4);
	b.p[8 + 48] = 'x'; /* size field */
	assert_int_equal(ar_next(b.p, b.n, &pos, &m, &why), -EINVAL);
	assert_non_null(strstr(why, "size"));
	b.p[8 + 48] = '4';
	b.p[8 + 58] = '!'; /* header terminator */
	pos = 0;
	assert_int_equal(ar_next(b.p, b.n, &pos, &m, &why), -EINVAL);
	assert_non_null(strstr(why, "damaged"));
	assert_false(ar_is_archive((const uint8_t *)"!<arc", 5));
	pos = 0;
	assert_int_equal(ar_next((const uint8_t *)"PK\3\4zipfile", 11, &pos, &m, &why), -EINVAL);
	assert_non_null(strstr(why, "not an ar"));
	buf_free(&b);
}

/* ---- tar ---- */

struct mem {
	const uint8_t *p;
	size_t n, pos, chunk; /* chunk: at most this much per read (short reads) */
};

static ssize_t mem_read(void *opaque, void *buf, size_t n)
{
	struct mem *m = opaque;

	if (m->chunk && n > m->chunk)
		n = m->chunk;
	if (n > m->n - m->pos)
		n = m->n - m->pos;
	memcpy(buf, m->p + m->pos, n);
	m->pos += n;
	return (ssize_t)n;
}

static char *read_all(struct tar *t, size_t size)
{
	char *s = calloc(1, size + 1);
	size_t done = 0;
	ssize_t r;

	assert_non_null(s);
	while ((r = tar_read(t, s + done, size + 1 - done)) > 0)
		done += (size_t)r;
	assert_int_equal(r, 0);
	assert_int_equal(done, size);
	return s;
}

static void test_tar_entries(void **state)
{
	char longname[200], *s;
	struct buf b = { 0 };
	struct tar_entry e;
	struct mem m;
	struct tar t;

	(void)state;
	memset(longname, 'n', sizeof(longname));
	memcpy(longname, "./lib/", 6);
	strcpy(longname + 180, "/long.ko");
	tar_add(&b, "./", '5', NULL, 0, NULL);
	tar_add_file(&b, "./boot/vmlinuz-1.2.3", "kernel image bytes");
	tar_add(&b, longname, '0', "LONG", 4, NULL);
	tar_header(&b, "prefix/dir", "name", '0', 3, NULL, 0755);
	tar_data(&b, "abc", 3);
	tar_add_pax(&b, "path", "pax/with a very long path.txt");
	tar_add_file(&b, "ignored-name", "pax data");
	tar_add(&b, "./link", '2', NULL, 0, "boot/vmlinuz-1.2.3");
	tar_add_file(&b, "./skipped", "never read");
	tar_add_file(&b, "./last", "");
	tar_end(&b);

	m = (struct mem){ .p = b.p, .n = b.n, .chunk = 100 };
	tar_init(&t, mem_read, &m);
	assert_int_equal(tar_next(&t, &e), 1);
	assert_string_equal(e.path, "./");
	assert_int_equal(e.type, TAR_DIR);
	assert_int_equal(tar_next(&t, &e), 1);
	assert_string_equal(e.path, "./boot/vmlinuz-1.2.3");
	assert_int_equal(e.type, TAR_FILE);
	assert_int_equal(e.size, 18);
	s = read_all(&t, e.size);
	assert_string_equal(s, "kernel image bytes");
	free(s);
	assert_int_equal(tar_next(&t, &e), 1);
	assert_string_equal(e.path, longname);
	assert_int_equal(e.size, 4);
	assert_int_equal(tar_next(&t, &e), 1); /* LONG not read: skipped */
	assert_string_equal(e.path, "prefix/dir/name");
	assert_int_equal(e.mode, 0755);
	assert_int_equal(tar_next(&t, &e), 1);
	assert_string_equal(e.path, "pax/with a very long path.txt");
	s = read_all(&t, e.size);
	assert_string_equal(s, "pax data");
	free(s);
	assert_int_equal(tar_next(&t, &e), 1);
	assert_int_equal(e.type, TAR_SYMLINK);
	assert_string_equal(e.link, "boot/vmlinuz-1.2.3");
	assert_int_equal(e.size, 0);
	assert_int_equal(tar_next(&t, &e), 1);
	assert_string_equal(e.path, "./skipped");
	assert_int_equal(tar_next(&t, &e), 1);
	assert_string_equal(e.path, "./last");
	assert_int_equal(e.size, 0);
	assert_int_equal(tar_read(&t, longname, 10), 0);
	assert_int_equal(tar_next(&t, &e), 0);
	assert_int_equal(tar_next(&t, &e), 0);
	buf_free(&b);
}

static void test_tar_pax_size_and_base256(void **state)
{
	struct buf b = { 0 };
	struct tar_entry e;
	struct mem m;
	struct tar t;
	uint8_t hdr[512];

	(void)state;
	/* pax size overrides the header's. */
	tar_add_pax(&b, "size", "5");
	tar_header(&b, NULL, "./f", '0', 0, NULL, 0644);
	tar_data(&b, "12345", 5);
	/* A base-256 size (as GNU tar writes sizes of 8 GiB and more), here small. */
	tar_header(&b, NULL, "./g", '0', 077777777777ULL + 1, NULL, 0644);
	memcpy(hdr, b.p + b.n - 512, 512);
	tar_end(&b);
	m = (struct mem){ .p = b.p, .n = b.n };
	tar_init(&t, mem_read, &m);
	assert_int_equal(tar_next(&t, &e), 1);
	assert_string_equal(e.path, "./f");
	assert_int_equal(e.size, 5);
	assert_int_equal(tar_next(&t, &e), 1);
	assert_string_equal(e.path, "./g");
	assert_int_equal(e.size, 077777777777ULL + 1);
	/* Its data is not there: the archive is cut short. */
	assert_int_equal(tar_next(&t, &e), -EINVAL);
	assert_non_null(strstr(t.why, "ends early"));
	buf_free(&b);
}

static void test_tar_damaged(void **state)
{
	struct buf b = { 0 };
	struct tar_entry e;
	struct mem m;
	struct tar t;

	(void)state;
	tar_add_file(&b, "./a", "aaa");
	tar_end(&b);
	b.p[10] ^= 1; /* name byte: the checksum no longer matches */
	m = (struct mem){ .p = b.p, .n = b.n };
	tar_init(&t, mem_read, &m);
	assert_int_equal(tar_next(&t, &e), -EINVAL);
	assert_non_null(strstr(t.why, "checksum"));
	b.p[10] ^= 1;

	/* Truncated in the data of an entry being read. */
	m = (struct mem){ .p = b.p, .n = 512 + 2 };
	tar_init(&t, mem_read, &m);
	assert_int_equal(tar_next(&t, &e), 1);
	{
		char x[8];

		assert_int_equal(tar_read(&t, x, sizeof(x)), 2);
		assert_int_equal(tar_read(&t, x, sizeof(x)), -EINVAL);
	}
	/* No end-of-archive blocks at all. */
	m = (struct mem){ .p = b.p, .n = 1024 };
	tar_init(&t, mem_read, &m);
	assert_int_equal(tar_next(&t, &e), 1);
	assert_int_equal(tar_next(&t, &e), -EINVAL);
	assert_non_null(strstr(t.why, "ends early"));
	/* Not tar at all. */
	memset(b.p, 'z', 512);
	m = (struct mem){ .p = b.p, .n = b.n };
	tar_init(&t, mem_read, &m);
	assert_int_equal(tar_next(&t, &e), -EINVAL);
	buf_free(&b);
}

static ssize_t failing_read(void *opaque, void *buf, size_t n)
{
	(void)opaque;
	(void)buf;
	(void)n;
	return -EIO;
}

static void test_tar_read_error(void **state)
{
	struct tar_entry e;
	struct tar t;

	(void)state;
	tar_init(&t, failing_read, NULL);
	assert_int_equal(tar_next(&t, &e), -EIO);
	assert_non_null(strstr(t.why, "read error"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ar_members_and_padding),
		cmocka_unit_test(test_ar_truncated),
		cmocka_unit_test(test_ar_damaged),
		cmocka_unit_test(test_tar_entries),
		cmocka_unit_test(test_tar_pax_size_and_base256),
		cmocka_unit_test(test_tar_damaged),
		cmocka_unit_test(test_tar_read_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
