// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reading .deb files (src/runner/debpkg.c) made here with the archive
 * fixture: refusals of what is no Debian package (RPM, compressed data,
 * damaged, truncated), the control member, unpacking with every member
 * compression, unsafe paths, damaged data; the kernel cache
 * (src/runner/kcache.c) over an Ubuntu-style image + modules split with
 * real (fake) modules, depmod'ed, found again, order-independent.
 */
#define _GNU_SOURCE /* nftw */
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

#define TMPDIR_FIXTURE_NAME "minivmm-test-deb"
#include "tmpdir_fixture.h"

#include "archive_fixture.h"
#include "minivmm/runner/debpkg.h"
#include "minivmm/runner/kcache.h"
#include "minivmm/runner/kpkg.h"
#include "minivmm/runner/modules.h"

#define KVER "9.9.9-test"

static char err[1024];

static const char image_control[] = "Package: linux-image-" KVER "\nVersion: 1\nArchitecture: amd64\n";

/* A Debian-style image package: vmlinuz, a module, docs, at @path. */
static void image_deb(const char *path, const char *comp)
{
	struct buf d = { 0 };

	tar_add(&d, "./", '5', NULL, 0, NULL);
	tar_add(&d, "./boot/", '5', NULL, 0, NULL);
	tar_add_file(&d, "./boot/vmlinuz-" KVER, "bzImage!");
	tar_add_file(&d, "./boot/System.map-" KVER, "map");
	tar_add(&d, "./lib/modules/" KVER "/kernel/", '5', NULL, 0, NULL);
	tar_add_file(&d, "./lib/modules/" KVER "/kernel/a.ko", "module a");
	tar_add_file(&d, "./lib/modules/" KVER "/modules.order", "kernel/a.ko\n");
	tar_add(&d, "./lib/modules/" KVER "/build", '2', NULL, 0, "/usr/src/linux-headers-" KVER);
	tar_add_file(&d, "./usr/share/doc/linux-image-" KVER "/copyright", "GPL");
	tar_end(&d);
	make_deb(path, image_control,
		 "00  boot/vmlinuz-" KVER "\n00  lib/modules/" KVER "/kernel/a.ko\n", &d, comp);
	buf_free(&d);
}

static void test_refuses_what_is_no_deb(void **state)
{
	struct deb d;
	struct buf b = { 0 };

	(void)state;
	assert_int_equal(deb_open(&d, path_in("missing.deb"), err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "No such file"));
	assert_non_null(strstr(err, "give the path of a kernel package"));

	assert_int_equal(write_file(path_in("empty.deb"), "", 0), 0);
	assert_int_equal(deb_open(&d, path_in("empty.deb"), err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "empty"));

	buf_put(&b, "some text that is long enough", 29);
	compress_as("xz", &b, &b);
	assert_int_equal(write_file(path_in("x.xz"), b.p + 29, b.n - 29), 0);
	assert_int_equal(deb_open(&d, path_in("x.xz"), err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "x.xz is not a Debian package (xz-compressed data, no ar archive): pass a linux-image-*.deb");
	buf_free(&b);

	/* An ar archive, but not a package. */
	ar_begin(&b);
	ar_add(&b, "foo.o", "ELF", 3);
	assert_int_equal(write_file(path_in("lib.a"), b.p, b.n), 0);
	assert_int_equal(deb_open(&d, path_in("lib.a"), err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "without debian-binary"));
	buf_free(&b);

	/* debian-binary only. */
	ar_begin(&b);
	ar_add(&b, "debian-binary", "2.0\n", 4);
	ar_add(&b, "control.tar.xz", "x", 1);
	assert_int_equal(write_file(path_in("nodata.deb"), b.p, b.n), 0);
	assert_int_equal(deb_open(&d, path_in("nodata.deb"), err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "damaged (no data.tar member)"));
	buf_free(&b);
}

static void test_truncated_deb(void **state)
{
	size_t len;
	char *whole;
	struct deb d;

	(void)state;
	image_deb(path_in("whole.deb"), "xz");
	whole = slurp(path_in("whole.deb"), &len);
	assert_int_equal(write_file(path_in("cut.deb"), whole, len - 20), 0);
	assert_int_equal(deb_open(&d, path_in("cut.deb"), err, sizeof(err)), -ENODATA);
	assert_string_equal(err, "cut.deb is truncated (a member runs past the end of the file): download it again");
	free(whole);
}

static void test_control_and_unpack(const char *comp)
{
	struct kpkg_info info = { .file = "img.deb" };
	char root[PATH_MAX], deb_path[PATH_MAX];
	struct stat st;
	struct deb d;
	int fd;

	snprintf(deb_path, sizeof(deb_path), "%s/img-%s.deb", dir, comp[0] ? comp : "none");
	snprintf(root, sizeof(root), "%s/root-%s", dir, comp[0] ? comp : "none");
	image_deb(deb_path, comp);
	assert_int_equal(deb_open(&d, deb_path, err, sizeof(err)), 0);
	assert_int_equal(deb_read_control(&d, &info, err, sizeof(err)), 0);
	assert_string_equal(info.package, "linux-image-" KVER);
	assert_int_equal(kpkg_classify(&info, "amd64", err, sizeof(err)), 0);
	assert_int_equal(info.kind, KPKG_IMAGE);
	assert_string_equal(info.kver, KVER);
	assert_int_equal(mkdir(root, 0755), 0);
	fd = open(root, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_int_equal(deb_unpack(&d, &info, fd, NULL, NULL, err, sizeof(err)), 0);
	close(fd);
	deb_close(&d);
	strcat(root, "/");
	assert_file_text(strcat(strcpy(deb_path, root), "boot/vmlinuz-" KVER), "bzImage!");
	assert_file_text(strcat(strcpy(deb_path, root), "lib/modules/" KVER "/kernel/a.ko"), "module a");
	assert_file_text(strcat(strcpy(deb_path, root), "lib/modules/" KVER "/modules.order"), "kernel/a.ko\n");
	/* Not kept: System.map, documentation, the symlink into the headers. */
	assert_int_equal(lstat(strcat(strcpy(deb_path, root), "boot/System.map-" KVER), &st), -1);
	assert_int_equal(lstat(strcat(strcpy(deb_path, root), "usr"), &st), -1);
	assert_int_equal(lstat(strcat(strcpy(deb_path, root), "lib/modules/" KVER "/build"), &st), -1);
}

static void test_unpack_xz(void **state) { (void)state; test_control_and_unpack("xz"); }
static void test_unpack_zst(void **state) { (void)state; test_control_and_unpack("zst"); }
static void test_unpack_gz(void **state) { (void)state; test_control_and_unpack("gz"); }
static void test_unpack_plain(void **state) { (void)state; test_control_and_unpack(""); }

static void test_unsafe_path(void **state)
{
	struct kpkg_info info = { .file = "evil.deb" };
	struct buf b = { 0 };
	struct stat st;
	struct deb d;
	int fd;

	(void)state;
	tar_add_file(&b, "./boot/vmlinuz-" KVER, "k");
	tar_add_file(&b, "./lib/modules/" KVER "/../../../../escaped", "gotcha");
	tar_end(&b);
	make_deb(path_in("evil.deb"), image_control, NULL, &b, "xz");
	buf_free(&b);
	assert_int_equal(mkdir(path_in("evilroot"), 0755), 0);
	assert_int_equal(deb_open(&d, path_in("evil.deb"), err, sizeof(err)), 0);
	fd = open(path_in("evilroot"), O_RDONLY | O_DIRECTORY);
	assert_int_equal(deb_unpack(&d, &info, fd, NULL, NULL, err, sizeof(err)), -EINVAL);
	close(fd);
	deb_close(&d);
	assert_non_null(strstr(err, "evil.deb holds an unsafe path (./lib/modules/" KVER "/../../../../escaped)"));
	assert_int_equal(stat(path_in("escaped"), &st), -1);
	assert_int_equal(stat("/tmp/escaped", &st), -1);
}

/*
 * Error lines quote the package's paths with newlines and escape
 * sequences escaped: an unsafe path with a newline printed raw made two
 * lines, the second of the package's choosing (found by fuzzing).
 */
static void test_unsafe_path_shown_escaped(void **state)
{
	struct kpkg_info info = { .file = "evil2.deb" };
	struct buf b = { 0 };
	struct deb d;
	int fd;

	(void)state;
	tar_add_file(&b, "./lib/modules/" KVER "/../x\nerror: \033[2Jfake", "gotcha");
	tar_end(&b);
	make_deb(path_in("evil2.deb"), image_control, NULL, &b, "");
	buf_free(&b);
	assert_int_equal(mkdir(path_in("evilroot2"), 0755), 0);
	assert_int_equal(deb_open(&d, path_in("evil2.deb"), err, sizeof(err)), 0);
	fd = open(path_in("evilroot2"), O_RDONLY | O_DIRECTORY);
	assert_int_equal(deb_unpack(&d, &info, fd, NULL, NULL, err, sizeof(err)), -EINVAL);
	close(fd);
	deb_close(&d);
	assert_null(strchr(err, '\n'));
	assert_null(strchr(err, '\033'));
	assert_non_null(strstr(err, "(./lib/modules/" KVER "/../x\\x0aerror: \\x1b[2Jfake)"));
}

static void test_damaged_data(void **state)
{
	struct kpkg_info info = { .file = "bad.deb" };
	struct buf b = { 0 }, file = { 0 };
	size_t len;
	char *deb;
	struct deb d;
	int fd;

	(void)state;
	/* Enough incompressible data that the damage lands in the stream. */
	srand(7);
	for (int i = 0; i < 200000; i++) {
		char c = (char)rand();

		buf_put(&file, &c, 1);
	}
	tar_add(&b, "./lib/modules/" KVER "/kernel/big.ko", '0', file.p, file.n, NULL);
	tar_end(&b);
	make_deb(path_in("bad.deb"), image_control, NULL, &b, "xz");
	deb = slurp(path_in("bad.deb"), &len);
	for (size_t i = len / 2; i < len / 2 + 64; i++)
		deb[i] ^= 0x5a;
	assert_int_equal(write_file(path_in("bad.deb"), deb, len), 0);
	free(deb);
	assert_int_equal(mkdir(path_in("badroot"), 0755), 0);
	assert_int_equal(deb_open(&d, path_in("bad.deb"), err, sizeof(err)), 0);
	fd = open(path_in("badroot"), O_RDONLY | O_DIRECTORY);
	assert_int_equal(deb_unpack(&d, &info, fd, NULL, NULL, err, sizeof(err)), -EINVAL);
	close(fd);
	deb_close(&d);
	assert_non_null(strstr(err, "bad.deb is damaged: its data.tar.xz does not decompress ("));
	assert_non_null(strstr(err, "download it again"));
	buf_free(&b);
	buf_free(&file);
}

static int cancel_now(void *opaque)
{
	int *calls = opaque;

	return ++*calls == 2 ? -EINTR : 0;
}

static void test_cancel(void **state)
{
	struct kpkg_info info = { .file = "many.deb" };
	struct buf b = { 0 };
	char name[64];
	int fd, calls = 0;
	struct deb d;

	(void)state;
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "./lib/modules/" KVER "/m%d.ko", i);
		tar_add_file(&b, name, "m");
	}
	tar_end(&b);
	make_deb(path_in("many.deb"), image_control, NULL, &b, "zst");
	buf_free(&b);
	assert_int_equal(mkdir(path_in("manyroot"), 0755), 0);
	assert_int_equal(deb_open(&d, path_in("many.deb"), err, sizeof(err)), 0);
	fd = open(path_in("manyroot"), O_RDONLY | O_DIRECTORY);
	assert_int_equal(deb_unpack(&d, &info, fd, cancel_now, &calls, err, sizeof(err)), -EINTR);
	close(fd);
	deb_close(&d);
	assert_int_equal(calls, 2);
}

/* An Ubuntu-style pair: the image alone, the modules (real ELF objects from fake-modules) apart. */
static void ubuntu_pair(const char *image, const char *modules)
{
	static const char *const mods[] = { "fake_core.ko", "fake_drv.ko", "fake_other.ko" };
	struct buf b = { 0 };

	tar_add_file(&b, "./boot/vmlinuz-" KVER, "image");
	tar_end(&b);
	make_deb(image, image_control, "00  boot/vmlinuz-" KVER "\n", &b, "zst");
	buf_free(&b);
	for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		char src[PATH_MAX], dst[PATH_MAX], *data;
		size_t len;

		snprintf(src, sizeof(src), "%s/kernel/drivers/%s", FAKE_MODULES_DIR, mods[i]);
		snprintf(dst, sizeof(dst), "./usr/lib/modules/" KVER "/kernel/drivers/%s", mods[i]);
		data = slurp(src, &len);
		assert_non_null(data);
		tar_add(&b, dst, '0', data, len, NULL);
		free(data);
	}
	tar_end(&b);
	make_deb(modules, "Package: linux-modules-" KVER "\nArchitecture: amd64\n", NULL, &b, "zst");
	buf_free(&b);
}

static void open_group(const char *const *files, unsigned int n, struct kpkg_file *debs, struct kpkg_file **dp,
		       struct kpkg_info *infos, struct kpkg_group *g)
{
	for (unsigned int i = 0; i < n; i++) {
		memset(&infos[i], 0, sizeof(infos[i]));
		infos[i].file = files[i];
		assert_int_equal(kpkg_file_open(&debs[i], files[i], err, sizeof(err)), 0);
		assert_int_equal(kpkg_file_read_info(&debs[i], &infos[i], err, sizeof(err)), 0);
		assert_int_equal(kpkg_classify(&infos[i], "amd64", err, sizeof(err)), 0);
		dp[i] = &debs[i];
	}
	assert_int_equal(kpkg_group(infos, n, g, 1, err, sizeof(err)), 1);
}

static void test_cache_ubuntu_split(void **state)
{
	char img[PATH_MAX], mods[PATH_MAX], cache[PATH_MAX], depmod[PATH_MAX];
	const char *files[2] = { img, mods }, *rev[2] = { mods, img };
	const char *aliases[] = { "pci:v00001234d00005678sv00000000sd00000000bc02sc00i00",
				  "pci:v0000FFFFd0000FFFFsv00000000sd00000000bc00sc00i00" };
	struct kpkg_info infos[2];
	struct kpkg_group g;
	struct kpkg_file debs[2], *dp[2];
	struct kernel_tree t, t2;
	struct module_list ml;
	struct stat st;

	(void)state;
	if (kcache_find_depmod(depmod, sizeof(depmod)))
		skip();
	snprintf(img, sizeof(img), "%s/linux-image-" KVER ".deb", dir);
	snprintf(mods, sizeof(mods), "%s/linux-modules-" KVER ".deb", dir);
	snprintf(cache, sizeof(cache), "%s/cache", dir);
	ubuntu_pair(img, mods);

	open_group(files, 2, debs, dp, infos, &g);
	assert_int_equal(g.image, 0);
	assert_int_equal(kcache_get(&g, dp, cache, &t, NULL, NULL, err, sizeof(err)), 0);
	assert_true(t.unpacked);
	assert_non_null(strstr(t.vmlinuz, "/root/boot/vmlinuz-" KVER));
	assert_file_text(t.vmlinuz, "image");
	assert_non_null(strstr(t.modules, "/root/lib/modules/" KVER));
	/* usr/lib/modules went to lib/modules, and depmod indexed it. */
	assert_int_equal(stat(t.modules, &st), 0);
	assert_int_equal(modules_resolve(t.modules, aliases, 2, &ml, err, sizeof(err)), 0);
	assert_int_equal(ml.n, 2);
	assert_non_null(strstr(ml.path[0], "fake_core.ko"));
	assert_non_null(strstr(ml.path[1], "fake_drv.ko"));
	assert_int_equal(ml.unmatched, 2); /* the second alias: no driver */
	modules_free(&ml);
	for (int i = 0; i < 2; i++)
		kpkg_file_close(&debs[i]);

	/* Again, packages in the other order: the same tree, not unpacked again. */
	open_group(rev, 2, debs, dp, infos, &g);
	assert_int_equal(g.image, 1);
	assert_int_equal(kcache_get(&g, dp, cache, &t2, NULL, NULL, err, sizeof(err)), 0);
	assert_false(t2.unpacked);
	assert_string_equal(t.dir, t2.dir);
	for (int i = 0; i < 2; i++)
		kpkg_file_close(&debs[i]);
}

static void test_cache_no_vmlinuz(void **state)
{
	char cache[PATH_MAX], depmod[PATH_MAX];
	const char *files[1] = { path_in("liar.deb") };
	struct kpkg_info infos[1];
	struct kpkg_group g;
	struct kpkg_file debs[1], *dp[1];
	struct kernel_tree t;
	struct buf b = { 0 };

	(void)state;
	if (kcache_find_depmod(depmod, sizeof(depmod)))
		skip();
	/* Named like an image, without md5sums, and no vmlinuz inside. */
	tar_add_file(&b, "./lib/modules/" KVER "/modules.order", "");
	tar_end(&b);
	make_deb(files[0], image_control, NULL, &b, "xz");
	buf_free(&b);
	snprintf(cache, sizeof(cache), "%s/cache2", dir);
	open_group(files, 1, debs, dp, infos, &g);
	assert_int_equal(kcache_get(&g, dp, cache, &t, NULL, NULL, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "liar.deb: no kernel image in it (no boot/vmlinuz-" KVER "): pass the linux-image package of " KVER);
	kpkg_file_close(&debs[0]);
	/* Nothing half-built left behind. */
	assert_int_equal(rmdir(cache), 0);
}

/* A busybox depmod is passed over; a depmod that writes no binary index is named. */
static void test_depmod_choice(void **state)
{
	char bin[256], link[PATH_MAX], found[PATH_MAX], real[PATH_MAX], cache[PATH_MAX];
	const char *old = getenv("PATH");
	char *saved = old ? strdup(old) : NULL;
	const char *files[1] = { path_in("fakedep.deb") };
	struct kpkg_info infos[1];
	struct kpkg_group g;
	struct kpkg_file debs[1], *dp[1];
	struct kernel_tree t;
	struct buf b = { 0 };

	(void)state;
	if (kcache_find_depmod(real, sizeof(real)))
		skip();
	snprintf(bin, sizeof(bin), "%s/bb", dir);
	assert_int_equal(mkdir(bin, 0755), 0);
	snprintf(link, sizeof(link), "%s/busybox", bin);
	assert_int_equal(write_file(link, "#!/bin/sh\nexit 0\n", 17), 0);
	assert_int_equal(chmod(link, 0755), 0);
	snprintf(link, sizeof(link), "%s/depmod", bin);
	assert_int_equal(symlink("busybox", link), 0);
	setenv("PATH", bin, 1);
	assert_int_equal(kcache_find_depmod(found, sizeof(found)), 0);
	assert_null(strstr(found, "/bb/"));

	/* A depmod of another kind that "succeeds" without an index. */
	unlink(link);
	assert_int_equal(write_file(link, "#!/bin/sh\nexit 0\n", 17), 0);
	assert_int_equal(chmod(link, 0755), 0);
	assert_int_equal(kcache_find_depmod(found, sizeof(found)), 0);
	assert_string_equal(found, link);
	tar_add_file(&b, "./boot/vmlinuz-" KVER, "k");
	tar_add_file(&b, "./lib/modules/" KVER "/kernel/a.ko", "a");
	tar_end(&b);
	make_deb(files[0], image_control, NULL, &b, "gz");
	buf_free(&b);
	snprintf(cache, sizeof(cache), "%s/cache3", dir);
	open_group(files, 1, debs, dp, infos, &g);
	assert_int_equal(kcache_get(&g, dp, cache, &t, NULL, NULL, err, sizeof(err)), -EIO);
	kpkg_file_close(&debs[0]);
	if (saved)
		setenv("PATH", saved, 1);
	free(saved);
	assert_non_null(strstr(err, "/bb/depmod wrote no modules.dep.bin: it is not kmod's depmod; install kmod"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refuses_what_is_no_deb),
		cmocka_unit_test(test_truncated_deb),
		cmocka_unit_test(test_unpack_xz),
		cmocka_unit_test(test_unpack_zst),
		cmocka_unit_test(test_unpack_gz),
		cmocka_unit_test(test_unpack_plain),
		cmocka_unit_test(test_unsafe_path),
		cmocka_unit_test(test_unsafe_path_shown_escaped),
		cmocka_unit_test(test_damaged_data),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_cache_ubuntu_split),
		cmocka_unit_test(test_cache_no_vmlinuz),
		cmocka_unit_test(test_depmod_choice),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
