// SPDX-License-Identifier: GPL-2.0-only
/*
 * cpio writer and zero-config initramfs: modalias resolution with libkmod
 * against a fake modules tree (tests/unit/fake-modules, built by CMake with
 * depmod), archive contents, and the content-addressed cache.
 */
#include <errno.h>
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

#include "archive_fixture.h"
#include "minivmm/runner/cpio.h"
#include "minivmm/runner/initramfs.h"
#include "minivmm/runner/modules_walk.h"

/* Needed by the library's guest.c users only; the test never boots. */
const char guest_init_script[] = "#!/bin/sh\n";

struct entry {
	char name[256];
	uint32_t mode, size, rmaj, rmin;
	const uint8_t *data;
};

static uint32_t hex8(const char *p)
{
	char b[9];

	memcpy(b, p, 8);
	b[8] = 0;
	return strtoul(b, NULL, 16);
}

/* Parse a newc archive; returns the number of entries (TRAILER excluded). */
static int cpio_parse(const uint8_t *buf, size_t len, struct entry *e, int max)
{
	size_t off = 0;
	int n = 0;

	while (off + 110 <= len) {
		const char *h = (const char *)buf + off;
		uint32_t namesize, size;

		assert_memory_equal(h, "070701", 6);
		namesize = hex8(h + 94);
		size = hex8(h + 54);
		assert_true(off + 110 + namesize <= len);
		if (!strcmp(h + 110, "TRAILER!!!"))
			return n;
		assert_true(n < max);
		snprintf(e[n].name, sizeof(e[n].name), "%s", h + 110);
		e[n].mode = hex8(h + 14);
		e[n].size = size;
		e[n].rmaj = hex8(h + 78);
		e[n].rmin = hex8(h + 86);
		off = (off + 110 + namesize + 3) & ~3UL;
		e[n].data = buf + off;
		off = (off + size + 3) & ~3UL;
		n++;
	}
	fail_msg("archive has no trailer");
	return -1;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	b = malloc(n + 1);
	assert_int_equal(fread(b, 1, n, f), n);
	fclose(f);
	*len = n;
	return b;
}

static const struct entry *find(const struct entry *e, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(e[i].name, name))
			return &e[i];
	return NULL;
}

static int index_of(const struct entry *e, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(e[i].name, name))
			return i;
	return -1;
}

static void test_cpio_roundtrip(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct entry e[8];
	struct cpio c;
	int n;

	(void)state;
	cpio_init(&c, f);
	assert_int_equal(cpio_add_dir(&c, "dev"), 0);
	assert_int_equal(cpio_add_chardev(&c, "dev/console", 5, 1), 0);
	assert_int_equal(cpio_add(&c, "init", S_IFREG | 0755, "abc", 3), 0);
	assert_int_equal(cpio_add_symlink(&c, "bin/sh", "busybox"), 0);
	assert_int_equal(cpio_add(&c, "empty", S_IFREG | 0644, NULL, 0), 0);
	assert_int_equal(cpio_finish(&c), 0);
	fclose(f);
	/* Every header starts 4-byte aligned, and so the total length. */
	assert_int_equal(len % 4, 0);
	n = cpio_parse((uint8_t *)buf, len, e, 8);
	assert_int_equal(n, 5);
	assert_string_equal(e[0].name, "dev");
	assert_true(S_ISDIR(e[0].mode));
	assert_true(S_ISCHR(e[1].mode));
	assert_int_equal(e[1].rmaj, 5);
	assert_int_equal(e[1].rmin, 1);
	assert_int_equal(e[2].mode, S_IFREG | 0755);
	assert_int_equal(e[2].size, 3);
	assert_memory_equal(e[2].data, "abc", 3);
	assert_true(S_ISLNK(e[3].mode));
	assert_memory_equal(e[3].data, "busybox", 7);
	assert_int_equal(e[4].size, 0);
	free(buf);
}

static void test_cpio_missing_file_is_sticky(void **state)
{
	FILE *f = fopen("/dev/null", "w");
	struct cpio c;

	(void)state;
	cpio_init(&c, f);
	assert_int_equal(cpio_add_file(&c, "x", "/nonexistent/file", 0644), -ENOENT);
	/* Later additions do nothing and the error comes back at the end. */
	assert_int_equal(cpio_add_dir(&c, "d"), -ENOENT);
	assert_int_equal(cpio_finish(&c), -ENOENT);
	/* Which file it was, for the message. */
	assert_string_equal(c.error_path, "/nonexistent/file");
	fclose(f);
}

/* A full disk: the archive's own writes fail with ENOSPC, no file is blamed. */
static void test_cpio_full_disk(void **state)
{
	static char big[64 * 1024];
	FILE *f = fopen("/dev/full", "w");
	struct cpio c;

	(void)state;
	assert_non_null(f);
	cpio_init(&c, f);
	cpio_add(&c, "big", S_IFREG | 0644, big, sizeof(big));
	assert_int_equal(cpio_finish(&c), -ENOSPC);
	assert_string_equal(c.error_path, "");
	fclose(f);
}

static void test_resolve_alias_with_dependency(void **state)
{
	const char *aliases[] = { "pci:v00001234d00005678sv00001AF4sd00001100bc02sc00i00" };
	struct module_list m;
	char err[256];

	(void)state;
	assert_int_equal(modules_resolve(FAKE_MODULES_DIR, aliases, 1, &m, err, sizeof(err)), 0);
	assert_int_equal(m.n, 2);
	/* Dependencies come first: that is the load order. */
	assert_non_null(strstr(m.path[0], "/kernel/drivers/fake_core.ko"));
	assert_non_null(strstr(m.path[1], "/kernel/drivers/fake_drv.ko"));
	modules_free(&m);
}

static void test_resolve_unknown_and_duplicates(void **state)
{
	const char *aliases[] = {
		"pci:v0000FFFFd0000FFFFsv00000000sd00000000bc00sc00i00", /* no driver */
		"pci:v00001234d00005678sv00000000sd00000000bc00sc00i00",
		"pci:v00001234d00005678sv00000001sd00000001bc02sc00i00", /* same module again */
	};
	struct module_list m;
	char err[256];

	(void)state;
	assert_int_equal(modules_resolve(FAKE_MODULES_DIR, aliases, 3, &m, err, sizeof(err)), 0);
	assert_int_equal(m.n, 2);
	assert_int_equal(m.unmatched, 1); /* only the first matched nothing */
	modules_free(&m);
	assert_int_equal(m.unmatched, 0);
	assert_int_equal(modules_resolve(FAKE_MODULES_DIR, aliases, 1, &m, err, sizeof(err)), 0);
	assert_int_equal(m.n, 0);
	assert_int_equal(m.unmatched, 1);
}

static void test_resolve_needs_depmod(void **state)
{
	const char *aliases[] = { "pci:v00001234d00005678sv*sd*bc*sc*i*" };
	struct module_list m;
	char err[256];

	(void)state;
	assert_int_equal(modules_resolve("/nonexistent", aliases, 1, &m, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "depmod"));
}

/* ---- the dependency walk, with a fake libkmod (modules_walk.h) ---- */

struct kmod_ctx {
	int unused;
};

struct kmod_module {
	unsigned int idx;
	int refs;
	unsigned int walked;
};

struct kmod_list {
	struct kmod_module *mod;
	struct kmod_list *next;
};

#define CHAIN 40
static struct kmod_module chain[CHAIN];
static char chain_path[CHAIN][32], chain_name[CHAIN][8];
static unsigned int chain_len, deps_calls;
static bool chain_transitive; /* as depmod writes it: every later module */

static struct kmod_list *chain_list(unsigned int from, unsigned int to)
{
	struct kmod_list *head = NULL;

	for (unsigned int i = to; i-- > from;) {
		struct kmod_list *l = malloc(sizeof(*l));

		assert_non_null(l);
		*l = (struct kmod_list){ &chain[i], head };
		chain[i].refs++;
		head = l;
	}
	return head;
}

static int w_lookup(struct kmod_ctx *ctx, const char *alias, struct kmod_list **list)
{
	(void)ctx, (void)alias;
	*list = chain_list(0, 1);
	return 0;
}

static struct kmod_module *w_get_module(const struct kmod_list *l)
{
	l->mod->refs++;
	return l->mod;
}

static struct kmod_list *w_get_deps(const struct kmod_module *mod)
{
	unsigned int i = mod->idx;

	chain[i].walked++;
	/* Enough to see a re-walk; the exponential one would never end. */
	if (++deps_calls > 10000 || i + 1 >= chain_len)
		return NULL;
	return chain_list(i + 1, chain_transitive ? chain_len : i + 2);
}

static int w_get_softdeps(const struct kmod_module *mod, struct kmod_list **pre, struct kmod_list **post)
{
	(void)mod;
	*pre = *post = NULL;
	return 0;
}

static const char *w_get_path(const struct kmod_module *mod)
{
	return chain_path[mod->idx];
}

static const char *w_get_name(const struct kmod_module *mod)
{
	return chain_name[mod->idx];
}

static struct kmod_module *w_unref(struct kmod_module *mod)
{
	assert_true(mod->refs > 0);
	mod->refs--;
	return NULL;
}

static int w_unref_list(struct kmod_list *l)
{
	while (l) {
		struct kmod_list *next = l->next;

		w_unref(l->mod);
		free(l);
		l = next;
	}
	return 0;
}

static struct kmod_list *w_next(const struct kmod_list *first, const struct kmod_list *l)
{
	(void)first;
	return l->next;
}

static const struct kmod_api fake_kmod = {
	.lookup = w_lookup, .get_module = w_get_module, .get_deps = w_get_deps,
	.get_softdeps = w_get_softdeps, .get_path = w_get_path, .get_name = w_get_name,
	.unref = w_unref, .unref_list = w_unref_list, .next = w_next,
};

static int walk_chain(unsigned int len, bool transitive, struct module_list *out)
{
	const char *alias = "pci:chain";
	int ret;

	memset(chain, 0, sizeof(chain));
	for (unsigned int i = 0; i < CHAIN; i++) {
		chain[i].idx = i;
		snprintf(chain_path[i], sizeof(chain_path[i]), "/lib/modules/x/m%u.ko", i);
		snprintf(chain_name[i], sizeof(chain_name[i]), "m%u", i);
	}
	chain_len = len;
	chain_transitive = transitive;
	deps_calls = 0;
	memset(out, 0, sizeof(*out));
	ret = modules_walk(&fake_kmod, NULL, &alias, 1, out);
	for (unsigned int i = 0; i < CHAIN; i++)
		assert_int_equal(chain[i].refs, 0); /* every reference released */
	return ret;
}

/*
 * modules.dep lists dependencies transitively: 30 modules each needing all
 * that follow were walked 2^29 times (found by tests/fuzz/initramfs_fuzz.c).
 * Each is walked once, dependencies first.
 */
static void test_walk_transitive_once(void **state)
{
	struct module_list m;

	(void)state;
	assert_int_equal(walk_chain(30, true, &m), 0);
	assert_int_equal(m.n, 30);
	for (unsigned int i = 0; i < 30; i++) {
		assert_int_equal(chain[i].walked, 1);
		assert_string_equal(m.path[i], chain_path[29 - i]);
	}
	modules_free(&m);
}

/* Nested deeper than 32: -ELOOP, with every libkmod reference released
 * (the deepest one leaked). 32 levels are fine. */
static void test_walk_too_deep(void **state)
{
	struct module_list m;

	(void)state;
	assert_int_equal(walk_chain(33, false, &m), 0);
	assert_int_equal(m.n, 33);
	modules_free(&m);
	assert_int_equal(walk_chain(CHAIN, false, &m), -ELOOP);
	modules_free(&m);
}

/* The child's report carries any file name: one with a newline came back
 * as two, the second one a path of the tree's choosing (found by
 * tests/fuzz/initramfs_fuzz.c). */
static void test_report_roundtrip(void **state)
{
	char a[] = "/lib/modules/x/odd\n+/etc/shadow.ko", b[] = "/lib/modules/x/plain.ko";
	struct module_list m = { .path = { a, b }, .n = 2 }, back = { .n = 0 };
	char *buf = NULL, err[128] = "";
	size_t len = 0;
	bool complete = true;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	modules_report(f, &m, 0, "/lib/modules/x");
	fclose(f);
	f = fmemopen(buf, len, "r");
	assert_int_equal(modules_read_report(f, &back, err, sizeof(err), &complete), 0);
	fclose(f);
	assert_false(complete);
	assert_int_equal(back.n, 2);
	assert_string_equal(back.path[0], a);
	assert_string_equal(back.path[1], b);
	modules_free(&back);
	free(buf);

	/* An error record: its message, nothing listed. */
	buf = NULL;
	f = open_memstream(&buf, &len);
	modules_report(f, &m, -ELOOP, "/lib/modules/x");
	fclose(f);
	f = fmemopen(buf, len, "r");
	assert_int_equal(modules_read_report(f, &back, err, sizeof(err), &complete), -ELOOP);
	fclose(f);
	assert_true(complete);
	assert_int_equal(back.n, 0);
	assert_non_null(strstr(err, "/lib/modules/x"));
	free(buf);
}

static char tmpdir[64];

static int setup_tmp(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/test_initramfs.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Modules shipped compressed (.ko.xz, .ko.zst) go in decompressed, listed without the suffix. */
static void test_initramfs_compressed_modules(void **state)
{
	const char *aliases[] = { "pci:v00001234d00005678sv00000000sd00000000bc02sc00i00" };
	static const char *const mods[][2] = { { "fake_core", "xz" }, { "fake_drv", "zst" } };
	char root[128], mdir[192], src[512], dst[512], busybox[160], cache[160], path[512], err[256], cmd[600];
	struct initramfs_spec spec = { 0 };
	struct entry e[64];
	const struct entry *x;
	uint8_t *buf, *orig;
	size_t len, olen;
	int n;

	(void)state;
	snprintf(root, sizeof(root), "%s/zroot", tmpdir);
	snprintf(mdir, sizeof(mdir), "%s/lib/modules/9.9.9-z", root);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/kernel/drivers", mdir);
	assert_int_equal(system(cmd), 0);
	for (size_t i = 0; i < 2; i++) {
		struct buf in = { 0 }, out = { 0 };

		snprintf(src, sizeof(src), "%s/kernel/drivers/%s.ko", FAKE_MODULES_DIR, mods[i][0]);
		orig = slurp(src, &olen);
		buf_put(&in, orig, olen);
		compress_as(mods[i][1], &in, &out);
		snprintf(dst, sizeof(dst), "%s/kernel/drivers/%s.ko.%s", mdir, mods[i][0], mods[i][1]);
		assert_int_equal(write_file(dst, out.p, out.n), 0);
		free(orig);
		buf_free(&in);
		buf_free(&out);
	}
	snprintf(cmd, sizeof(cmd), "depmod -b %s 9.9.9-z 2>/dev/null || /sbin/depmod -b %s 9.9.9-z", root, root);
	if (system(cmd))
		skip(); /* no depmod with xz and zstd */
	snprintf(busybox, sizeof(busybox), "%s/busybox", tmpdir);
	write_text(busybox, "not really busybox");
	snprintf(cache, sizeof(cache), "%s/zcache", tmpdir);
	spec.modules_dir = mdir;
	spec.modaliases = aliases;
	spec.nmodaliases = 1;
	spec.busybox = busybox;
	spec.init = "#!/bin/sh\n";
	spec.cache_dir = cache;
	assert_int_equal(initramfs_get(&spec, path, sizeof(path), err, sizeof(err)), 0);
	buf = slurp(path, &len);
	n = cpio_parse(buf, len, e, 64);
	x = find(e, n, "etc/minivmm/modules");
	assert_non_null(x);
	assert_int_equal(x->size, strlen("kernel/drivers/fake_core.ko\nkernel/drivers/fake_drv.ko\n"));
	assert_memory_equal(x->data, "kernel/drivers/fake_core.ko\nkernel/drivers/fake_drv.ko\n", x->size);
	for (size_t i = 0; i < 2; i++) {
		snprintf(dst, sizeof(dst), "lib/modules/9.9.9-z/kernel/drivers/%s.ko", mods[i][0]);
		x = find(e, n, dst);
		assert_non_null(x);
		snprintf(src, sizeof(src), "%s/kernel/drivers/%s.ko", FAKE_MODULES_DIR, mods[i][0]);
		orig = slurp(src, &olen);
		assert_int_equal(x->size, olen);
		assert_memory_equal(x->data, orig, olen);
		free(orig);
	}
	assert_int_equal(index_of(e, n, "lib/modules/9.9.9-z/kernel/drivers/fake_drv.ko.zst"), -1);
	free(buf);
}

static void test_initramfs_contents_and_cache(void **state)
{
	const char *aliases[] = { "pci:v00001234d00005678sv00000000sd00000000bc02sc00i00" };
	char busybox[128], share[128], sub[160], cache[128], path[512], path2[512], err[256];
	struct initramfs_spec spec = { 0 };
	struct entry e[64];
	const struct entry *x;
	struct stat st1, st2;
	uint8_t *buf;
	size_t len;
	int n;

	(void)state;
	snprintf(busybox, sizeof(busybox), "%s/busybox", tmpdir);
	write_text(busybox, "not really busybox");
	snprintf(share, sizeof(share), "%s/share", tmpdir);
	mkdir(share, 0755);
	snprintf(sub, sizeof(sub), "%s/sub", share);
	mkdir(sub, 0755);
	snprintf(sub, sizeof(sub), "%s/sub/data.txt", share);
	write_text(sub, "shared data\n");
	snprintf(cache, sizeof(cache), "%s/cache/nested", tmpdir);
	spec.modules_dir = FAKE_MODULES_DIR;
	spec.modaliases = aliases;
	spec.nmodaliases = 1;
	spec.busybox = busybox;
	spec.init = "#!/bin/sh\necho init\n";
	spec.run = "echo hello";
	spec.share = share;
	spec.cache_dir = cache;

	assert_int_equal(initramfs_get(&spec, path, sizeof(path), err, sizeof(err)), 0);
	buf = slurp(path, &len);
	n = cpio_parse(buf, len, e, 64);
	x = find(e, n, "init");
	assert_non_null(x);
	assert_int_equal(x->mode & 0777, 0755);
	assert_memory_equal(x->data, "#!/bin/sh\necho init\n", x->size);
	assert_non_null(find(e, n, "bin/busybox"));
	assert_non_null(find(e, n, "dev/console"));
	x = find(e, n, "etc/minivmm/run");
	assert_non_null(x);
	assert_memory_equal(x->data, "cd /mnt/share\necho hello\n", x->size);
	x = find(e, n, "etc/minivmm/modules");
	assert_non_null(x);
	assert_int_equal(x->size, strlen("kernel/drivers/fake_core.ko\nkernel/drivers/fake_drv.ko\n"));
	assert_memory_equal(x->data, "kernel/drivers/fake_core.ko\nkernel/drivers/fake_drv.ko\n", x->size);
	assert_true(index_of(e, n, "lib/modules/9.9.9-test/kernel/drivers/fake_core.ko") >= 0);
	assert_true(index_of(e, n, "lib/modules/9.9.9-test/kernel/drivers/fake_drv.ko") >= 0);
	assert_int_equal(index_of(e, n, "lib/modules/9.9.9-test/kernel/drivers/fake_other.ko"), -1);
	x = find(e, n, "mnt/share/sub/data.txt");
	assert_non_null(x);
	assert_memory_equal(x->data, "shared data\n", x->size);
	free(buf);

	/* Same inputs: the cached file, untouched. */
	assert_int_equal(stat(path, &st1), 0);
	assert_int_equal(initramfs_get(&spec, path2, sizeof(path2), err, sizeof(err)), 0);
	assert_string_equal(path, path2);
	assert_int_equal(stat(path2, &st2), 0);
	assert_int_equal(st1.st_ino, st2.st_ino);
	assert_int_equal(st1.st_mtim.tv_nsec, st2.st_mtim.tv_nsec);

	/* Another command, or a changed shared file: another archive. */
	spec.run = "echo bye";
	assert_int_equal(initramfs_get(&spec, path2, sizeof(path2), err, sizeof(err)), 0);
	assert_string_not_equal(path, path2);
	spec.run = "echo hello";
	write_text(sub, "changed, longer shared data\n");
	assert_int_equal(initramfs_get(&spec, path2, sizeof(path2), err, sizeof(err)), 0);
	assert_string_not_equal(path, path2);
}

/*
 * --modules DIR as a user may write it: relative (libkmod names the files
 * below the absolute directory), a bare name, a trailing slash; and a file
 * modules.dep names by an absolute path elsewhere. A bare name crashed, a
 * relative one put the modules at garbled paths, an absolute one read past
 * the end of its name (found by tests/fuzz/initramfs_fuzz.c).
 */
static void test_initramfs_modules_dir_forms(void **state)
{
	static const char *const forms[] = { "9.9.9-test", "9.9.9-test/", "../modules/9.9.9-test" };
	const char *aliases[] = { "pci:v00001234d00005678sv00000000sd00000000bc02sc00i00" };
	char busybox[128], cache[128], path[512], first[512] = "", err[256], cwd[4096], parent[4096];
	char elsewhere[160], want[4200];
	struct initramfs_spec spec = { 0 };
	struct module_list mods = { .n = 1 };
	struct entry e[64];
	const struct entry *x;
	uint8_t *buf;
	size_t len;
	FILE *f;
	int n;

	(void)state;
	snprintf(busybox, sizeof(busybox), "%s/busybox", tmpdir);
	write_text(busybox, "not really busybox");
	snprintf(cache, sizeof(cache), "%s/cache", tmpdir);
	spec.modaliases = aliases;
	spec.nmodaliases = 1;
	spec.busybox = busybox;
	spec.init = "#!/bin/sh\n";
	spec.cache_dir = cache;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(parent, sizeof(parent), "%s/..", FAKE_MODULES_DIR);
	assert_int_equal(chdir(parent), 0);
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		spec.modules_dir = forms[i];
		assert_int_equal(initramfs_get(&spec, path, sizeof(path), err, sizeof(err)), 0);
		/* The same tree: the same archive. */
		if (first[0])
			assert_string_equal(path, first);
		snprintf(first, sizeof(first), "%s", path);
		buf = slurp(path, &len);
		n = cpio_parse(buf, len, e, 64);
		assert_true(index_of(e, n, "lib/modules/9.9.9-test/kernel/drivers/fake_core.ko") >= 0);
		assert_true(index_of(e, n, "lib/modules/9.9.9-test/kernel/drivers/fake_drv.ko") >= 0);
		x = find(e, n, "etc/minivmm/modules");
		assert_non_null(x);
		assert_int_equal(x->size, strlen("kernel/drivers/fake_core.ko\nkernel/drivers/fake_drv.ko\n"));
		assert_memory_equal(x->data, "kernel/drivers/fake_core.ko\nkernel/drivers/fake_drv.ko\n", x->size);
		free(buf);
	}
	assert_int_equal(chdir(cwd), 0);

	/* A module file outside the tree: at its own path below the version. */
	snprintf(elsewhere, sizeof(elsewhere), "%s/b.ko", tmpdir);
	write_text(elsewhere, "module b");
	mods.path[0] = elsewhere;
	spec.modules_dir = FAKE_MODULES_DIR;
	buf = NULL;
	f = open_memstream((char **)&buf, &len);
	assert_int_equal(initramfs_write(&spec, &mods, f), 0);
	fclose(f);
	n = cpio_parse(buf, len, e, 64);
	snprintf(want, sizeof(want), "lib/modules/9.9.9-test%s", elsewhere);
	x = find(e, n, want);
	assert_non_null(x);
	assert_memory_equal(x->data, "module b", x->size);
	free(buf);
}

static void test_initramfs_errors(void **state)
{
	struct initramfs_spec spec = { .busybox = "/nonexistent/busybox", .init = "", .cache_dir = tmpdir };
	char path[256], err[512], deep[1024];
	size_t n;

	(void)state;
	assert_int_equal(initramfs_get(&spec, path, sizeof(path), err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "busybox-static"));
	spec.busybox = "/dev/null";
	spec.share = "/nonexistent/share";
	assert_int_equal(initramfs_get(&spec, path, sizeof(path), err, sizeof(err)), -ENOTDIR);
	assert_non_null(strstr(err, "--share"));

	/* A tree deeper than the guest copy goes: named, with the fix. */
	n = (size_t)snprintf(deep, sizeof(deep), "%s/deep", tmpdir);
	assert_int_equal(mkdir(deep, 0755), 0);
	spec.share = strdup(deep);
	for (int i = 0; i < 18; i++) {
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "/d");
		assert_int_equal(mkdir(deep, 0755), 0);
	}
	assert_int_equal(initramfs_get(&spec, path, sizeof(path), err, sizeof(err)), -ELOOP);
	assert_non_null(strstr(err, "is more than 16 directories deep"));
	assert_non_null(strstr(err, "share a shallower tree"));
	assert_null(strchr(err, '\n'));
	free((void *)spec.share);
	spec.share = NULL;

	/* A cache that cannot be created (a file in the way): named, with the fix. */
	spec.cache_dir = "/dev/null/minivmm";
	assert_int_equal(initramfs_get(&spec, path, sizeof(path), err, sizeof(err)), -ENOTDIR);
	assert_non_null(strstr(err, "cannot create the cache directory /dev/null/minivmm"));
	assert_non_null(strstr(err, "point XDG_CACHE_HOME at a writable directory"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpio_roundtrip),
		cmocka_unit_test(test_cpio_missing_file_is_sticky),
		cmocka_unit_test(test_cpio_full_disk),
		cmocka_unit_test(test_resolve_alias_with_dependency),
		cmocka_unit_test(test_resolve_unknown_and_duplicates),
		cmocka_unit_test(test_resolve_needs_depmod),
		cmocka_unit_test_setup_teardown(test_initramfs_compressed_modules, setup_tmp, teardown_tmp),
		cmocka_unit_test(test_walk_transitive_once),
		cmocka_unit_test(test_walk_too_deep),
		cmocka_unit_test(test_report_roundtrip),
		cmocka_unit_test_setup_teardown(test_initramfs_contents_and_cache, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_initramfs_modules_dir_forms, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_initramfs_errors, setup_tmp, teardown_tmp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
