/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A fresh directory per test under /tmp (cmocka setup and teardown that
 * make and remove it), paths in it, and whole files read back. Static
 * functions for the test files that include it after <cmocka.h>; each
 * defines TMPDIR_FIXTURE_NAME, the directory's name before its random
 * suffix ("minivmm-test-deb").
 */
#ifndef MINIVMM_TEST_TMPDIR_FIXTURE_H
#define MINIVMM_TEST_TMPDIR_FIXTURE_H

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef TMPDIR_FIXTURE_NAME
#error "define TMPDIR_FIXTURE_NAME before including tmpdir_fixture.h"
#endif

static char dir[64];

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/%s.XXXXXX", TMPDIR_FIXTURE_NAME);
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* @name in the test's directory; the last four results stay valid. */
static char *path_in(const char *name)
{
	static char p[4][PATH_MAX];
	static int next;
	char *s = p[next++ % 4];

	snprintf(s, PATH_MAX, "%s/%s", dir, name);
	return s;
}

/* The whole file, NUL-terminated (NULL when it cannot be opened); @len may be NULL. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	b[n] = 0;
	fclose(f);
	if (len)
		*len = (size_t)n;
	return b;
}

static void __attribute__((unused)) assert_file_text(const char *path, const char *text)
{
	char *s = slurp(path, NULL);

	if (!s)
		fail_msg("%s missing", path);
	assert_string_equal(s, text);
	free(s);
}

#endif
