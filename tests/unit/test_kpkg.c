// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel package classification (src/runner/kpkg.c): control fields, the
 * paths kept and where they go, the kinds of package and the one-line
 * refusals with their fixes, grouping by kernel version.
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

#include "minivmm/runner/kpkg.h"

static char err[1024];

static void assert_one_line(const char *s)
{
	assert_true(strlen(s) > 0);
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20)
			fail_msg("message has a control character: \"%s\"", s);
}

static void info_init(struct kpkg_info *i, const char *file, const char *control)
{
	memset(i, 0, sizeof(*i));
	i->file = file;
	kpkg_parse_control(i, control);
}

static const char debian_control[] =
	"Package: linux-image-6.1.0-57-amd64\n"
	"Source: linux-signed-amd64 (6.1.192+3)\n"
	"Version: 6.1.192-3\n"
	"Architecture: amd64\n"
	"Depends: kmod, linux-base (>= 4.3~), initramfs-tools (>= 0.120+deb8u2) | linux-initramfs-tool\n"
	"Description: Linux 6.1 for 64-bit PCs (signed)\n"
	" The Linux kernel 6.1 and modules for use on PCs with AMD64.\n";

static const char debian_md5sums[] =
	"0123456789abcdef0123456789abcdef  boot/System.map-6.1.0-57-amd64\n"
	"0123456789abcdef0123456789abcdef  boot/vmlinuz-6.1.0-57-amd64\n"
	"0123456789abcdef0123456789abcdef  lib/modules/6.1.0-57-amd64/kernel/drivers/net/ethernet/intel/e1000e/e1000e.ko\n"
	"0123456789abcdef0123456789abcdef  lib/modules/6.1.0-57-amd64/modules.order\n"
	"0123456789abcdef0123456789abcdef  usr/share/doc/linux-image-6.1.0-57-amd64/changelog.gz\n";

static void test_control_fields(void **state)
{
	struct kpkg_info i;

	(void)state;
	info_init(&i, "/x/a.deb", debian_control);
	assert_string_equal(i.package, "linux-image-6.1.0-57-amd64");
	assert_string_equal(i.version, "6.1.192-3");
	assert_string_equal(i.arch, "amd64");
	assert_non_null(strstr(i.depends, "linux-base"));
	/* Fields later in a longer file, CRLF, blanks after the colon. */
	info_init(&i, "a.deb", "Description: x\r\n Package: no\r\nPackage:\tfoo  \r\nArchitecture:arm64\r\n");
	assert_string_equal(i.package, "foo");
	assert_string_equal(i.arch, "arm64");
	assert_string_equal(i.version, "");
}

/*
 * A kernel version too long to be noted whole is refused with its path:
 * it was cut to KPKG_NAME_MAX - 1 bytes, so the files kept under
 * lib/modules/VERSION were not the version's, and two long versions
 * alike at the start were taken for one (found by fuzzing).
 */
static void test_version_too_long(void **state)
{
	struct kpkg_info i = { .file = "a.deb" };
	char out[PATH_MAX], path[PATH_MAX], kver[KPKG_NAME_MAX + 8];

	(void)state;
	memset(kver, 'v', sizeof(kver) - 1);
	kver[sizeof(kver) - 1] = 0;
	kver[0] = '6';
	snprintf(path, sizeof(path), "./lib/modules/%s/kernel/a.ko", kver);
	assert_int_equal(kpkg_note_path(&i, path, false, out, sizeof(out)), -EINVAL);
	snprintf(path, sizeof(path), "./boot/vmlinuz-%s", kver);
	assert_int_equal(kpkg_note_path(&i, path, false, out, sizeof(out)), -EINVAL);
	assert_false(i.has_vmlinuz);
	assert_false(i.has_modules);
	assert_string_equal(i.kver, "");
	/* The longest that fits is kept whole. */
	kver[KPKG_NAME_MAX - 1] = 0;
	snprintf(path, sizeof(path), "./lib/modules/%s/kernel/a.ko", kver);
	assert_int_equal(kpkg_note_path(&i, path, false, out, sizeof(out)), 1);
	assert_string_equal(i.kver, kver);
	kver[KPKG_NAME_MAX - 2] = 'w';
	snprintf(path, sizeof(path), "./boot/vmlinuz-%s", kver);
	assert_int_equal(kpkg_note_path(&i, path, false, out, sizeof(out)), 1);
	assert_true(i.kver_mixed);
}

/* "//" and "/./" collapse: no empty kernel version from "lib/modules//V" (found by fuzzing rpm). */
static void test_path_squeezed(void **state)
{
	struct kpkg_info i = { .file = "a.rpm" };
	char out[PATH_MAX];

	(void)state;
	assert_int_equal(kpkg_note_path(&i, "/lib/modules//6.1.0-1/./kernel//a.ko.zst", false, out, sizeof(out)), 1);
	assert_string_equal(out, "lib/modules/6.1.0-1/kernel/a.ko.zst");
	assert_string_equal(i.kver, "6.1.0-1");
	assert_true(i.has_modules);
	assert_int_equal(kpkg_note_path(&i, "lib/modules/./6.1.0-1/vmlinuz", false, out, sizeof(out)), 1);
	assert_string_equal(out, "lib/modules/6.1.0-1/vmlinuz");
	assert_false(i.kver_mixed);
	assert_int_equal(kpkg_note_path(&i, "./././/", true, out, sizeof(out)), 0);
	assert_int_equal(kpkg_note_path(&i, "lib/modules/.//../x", false, out, sizeof(out)), -EINVAL);
}

/* A package's name and versions in a refusal are escaped, one line whatever they hold (found by fuzzing). */
static void test_refusal_escaped(void **state)
{
	struct kpkg_info i = { .file = "a.deb" };
	char out[PATH_MAX], err[1024];

	(void)state;
	kpkg_parse_control(&i, "Package: linux-image-x\033]0;owned\007\\\r\nArchitecture: arm64\n");
	assert_int_equal(kpkg_note_path(&i, "./boot/vmlinuz-6.1.0-1", false, out, sizeof(out)), 1);
	assert_int_equal(kpkg_classify(&i, "amd64", err, sizeof(err)), -EINVAL);
	assert_null(strpbrk(err, "\033\007\r\n"));
	assert_non_null(strstr(err, "a.deb: linux-image-x\\x1b]0;owned\\x07\\x5c is built for arm64"));
	kpkg_printable(out, 9, "ab\ncd");
	assert_string_equal(out, "ab\\x0acd");
	kpkg_printable(out, 8, "ab\ncd");
	assert_string_equal(out, "ab...");
	kpkg_printable(out, 8, "abc\\d");
	assert_string_equal(out, "abc...");
	kpkg_printable(out, 3, "abcd");
	assert_string_equal(out, "..");
}

/*
 * A refusal quoting a package's strings of control bytes keeps its fix:
 * escaped whole, two quotes of a 127-byte name filled the 1024-byte
 * message and cut it off before "apt-get download" (found by fuzzing).
 */
static void test_refusal_long_escaped(void **state)
{
	struct kpkg_info i = { .file = "a.deb" };
	char out[PATH_MAX], err[1024], control[512];

	(void)state;
	snprintf(control, sizeof(control), "Package: %.*s\nArchitecture: %.*s\nDepends: linux-image-%.*s\n", 127,
		 "\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033"
		 "\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033"
		 "\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033"
		 "\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033\033",
		 31, "\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a", 100,
		 "\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b"
		 "\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b");
	kpkg_parse_control(&i, control);
	assert_int_equal(strlen(i.package), 127);
	assert_int_equal(kpkg_note_path(&i, "./boot/vmlinuz-6.1.0-1", false, out, sizeof(out)), 1);
	assert_int_equal(kpkg_classify(&i, "amd64", err, sizeof(err)), -EINVAL);
	assert_true(strlen(err) < sizeof(err) - 1);
	assert_non_null(strstr(err, "\\x1b... is built for \\x07"));
	assert_non_null(strstr(err, "(apt-get download \\x1b"));
	assert_non_null(strstr(err, "...:amd64)"));

	/* A meta-package: five quotes, the name twice and its target twice. */
	memset(&i, 0, sizeof(i));
	i.file = "a.deb";
	kpkg_parse_control(&i, control);
	strcpy(i.arch, "amd64");
	assert_int_equal(kpkg_classify(&i, "amd64", err, sizeof(err)), -EINVAL);
	assert_true(strlen(err) < sizeof(err) - 1);
	assert_non_null(strstr(err, "it depends on linux-image-\\x08"));
	assert_non_null(strstr(err, "(apt-get download linux-image-\\x08"));
	assert_int_equal(err[strlen(err) - 1], ')');
}

static void test_paths_kept_and_mapped(void **state)
{
	struct kpkg_info i = { .file = "a.deb" };
	char out[PATH_MAX];

	(void)state;
	assert_int_equal(kpkg_note_path(&i, "./", true, out, sizeof(out)), 0);
	assert_int_equal(kpkg_note_path(&i, "./boot/", true, out, sizeof(out)), 0);
	assert_int_equal(kpkg_note_path(&i, "./boot/vmlinuz-6.1.0-57-amd64", false, out, sizeof(out)), 1);
	assert_string_equal(out, "boot/vmlinuz-6.1.0-57-amd64");
	assert_true(i.has_vmlinuz);
	assert_string_equal(i.kver, "6.1.0-57-amd64");
	assert_int_equal(kpkg_note_path(&i, "./boot/config-6.1.0-57-amd64", false, out, sizeof(out)), 0);
	assert_int_equal(kpkg_note_path(&i, "./lib/modules/6.1.0-57-amd64/", true, out, sizeof(out)), 1);
	assert_string_equal(out, "lib/modules/6.1.0-57-amd64");
	assert_false(i.has_modules);
	/* merged /usr: usr/lib/modules is unpacked as lib/modules */
	assert_int_equal(kpkg_note_path(&i, "/usr/lib/modules/6.1.0-57-amd64/kernel/e1000e.ko.xz", false, out,
					sizeof(out)), 1);
	assert_string_equal(out, "lib/modules/6.1.0-57-amd64/kernel/e1000e.ko.xz");
	assert_true(i.has_modules);
	assert_int_equal(kpkg_note_path(&i, "./usr/share/doc/x/changelog.gz", false, out, sizeof(out)), 0);
	assert_false(i.kver_mixed);
	/* Never a step up. */
	assert_int_equal(kpkg_note_path(&i, "./lib/modules/../../../etc/passwd", false, out, sizeof(out)), -EINVAL);
	assert_int_equal(kpkg_note_path(&i, "../x", false, out, sizeof(out)), -EINVAL);
	assert_int_equal(kpkg_note_path(&i, "lib/modules/v/..", true, out, sizeof(out)), -EINVAL);
	/* ".." inside a name is a name. */
	assert_int_equal(kpkg_note_path(&i, "lib/modules/6.1.0-57-amd64/a..b", false, out, sizeof(out)), 1);
	/* Too long for the output. */
	assert_int_equal(kpkg_note_path(&i, "./boot/vmlinuz-6.1.0-57-amd64", false, out, 10), -EINVAL);
}

static void test_debian_image(void **state)
{
	struct kpkg_info i;

	(void)state;
	info_init(&i, "/x/linux-image-6.1.0-57-amd64_6.1.192-3_amd64.deb", debian_control);
	kpkg_note_md5sums(&i, debian_md5sums);
	assert_int_equal(kpkg_classify(&i, "amd64", err, sizeof(err)), 0);
	assert_int_equal(i.kind, KPKG_IMAGE);
	assert_true(i.has_modules);
	assert_string_equal(i.kver, "6.1.0-57-amd64");
}

static void test_ubuntu_split(void **state)
{
	struct kpkg_info img, mods, extra;
	struct kpkg_group g[4];

	(void)state;
	info_init(&img, "linux-image-6.8.0-45-generic_6.8.0-45.45_amd64.deb",
		  "Package: linux-image-6.8.0-45-generic\nArchitecture: amd64\nVersion: 6.8.0-45.45\n");
	kpkg_note_md5sums(&img, "ab  boot/vmlinuz-6.8.0-45-generic\n");
	info_init(&mods, "linux-modules-6.8.0-45-generic_6.8.0-45.45_amd64.deb",
		  "Package: linux-modules-6.8.0-45-generic\nArchitecture: amd64\n");
	kpkg_note_md5sums(&mods, "ab  boot/System.map-6.8.0-45-generic\n"
				 "ab  lib/modules/6.8.0-45-generic/kernel/drivers/net/e1000e.ko.zst\n"
				 "ab  lib/modules/6.8.0-45-generic/modules.builtin\n");
	info_init(&extra, "linux-modules-extra-6.8.0-45-generic.deb",
		  "Package: linux-modules-extra-6.8.0-45-generic\nArchitecture: amd64\n");
	kpkg_note_md5sums(&extra, "ab  lib/modules/6.8.0-45-generic/kernel/drivers/net/ne2k-pci.ko.zst\n");
	assert_int_equal(kpkg_classify(&img, "amd64", err, sizeof(err)), 0);
	assert_int_equal(img.kind, KPKG_IMAGE);
	assert_false(img.has_modules);
	assert_int_equal(kpkg_classify(&mods, "amd64", err, sizeof(err)), 0);
	assert_int_equal(mods.kind, KPKG_MODULES);
	assert_int_equal(kpkg_classify(&extra, "amd64", err, sizeof(err)), 0);

	/* Modules first, image later, another kernel between: grouped by version. */
	{
		struct kpkg_info all[4] = { mods, img, img, extra };

		strcpy(all[2].kver, "6.1.0-57-amd64");
		all[2].file = "linux-image-6.1.0-57-amd64.deb";
		assert_int_equal(kpkg_group(all, 4, g, 4, err, sizeof(err)), 2);
		assert_string_equal(g[0].kver, "6.8.0-45-generic");
		assert_int_equal(g[0].n, 3);
		assert_int_equal(g[0].image, 1);
		assert_ptr_equal(g[0].pkg[2], &all[3]);
		assert_string_equal(g[1].kver, "6.1.0-57-amd64");
		assert_int_equal(g[1].n, 1);
		assert_int_equal(kpkg_group_check(&g[0], err, sizeof(err)), 0);
	}
	/* The modules alone: no kernel to boot, and how to add it. */
	assert_int_equal(kpkg_group(&mods, 1, g, 4, err, sizeof(err)), 1);
	assert_int_equal(kpkg_group_check(&g[0], err, sizeof(err)), -ENOENT);
	assert_one_line(err);
	assert_non_null(strstr(err, "no kernel image for 6.8.0-45-generic"));
	assert_non_null(strstr(err, "linux-modules-6.8.0-45-generic_6.8.0-45.45_amd64.deb holds its modules only"));
	assert_non_null(strstr(err, "--kernel-package linux-image-6.8.0-45-generic.deb,"));
}

static void test_two_images_one_version(void **state)
{
	struct kpkg_info p[2];
	struct kpkg_group g[2];

	(void)state;
	info_init(&p[0], "/a/signed.deb", debian_control);
	kpkg_note_md5sums(&p[0], debian_md5sums);
	p[1] = p[0];
	p[1].file = "/b/unsigned.deb";
	assert_int_equal(kpkg_classify(&p[0], "amd64", err, sizeof(err)), 0);
	assert_int_equal(kpkg_classify(&p[1], "amd64", err, sizeof(err)), 0);
	assert_int_equal(kpkg_group(p, 2, g, 2, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "signed.deb and unsigned.deb both hold kernel 6.1.0-57-amd64: pass one of them");
	/* More kernels than room. */
	strcpy(p[1].kver, "other");
	assert_int_equal(kpkg_group(p, 2, g, 1, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "more than 1 kernels"));
}

static void test_wrong_architecture(void **state)
{
	struct kpkg_info i;

	(void)state;
	info_init(&i, "/d/linux-image-6.1.0-57-arm64_6.1.192-3_arm64.deb",
		  "Package: linux-image-6.1.0-57-arm64\nArchitecture: arm64\n");
	kpkg_note_md5sums(&i, "ab  boot/vmlinuz-6.1.0-57-arm64\n");
	assert_int_equal(kpkg_classify(&i, "amd64", err, sizeof(err)), -EINVAL);
	assert_one_line(err);
	assert_string_equal(err, "linux-image-6.1.0-57-arm64_6.1.192-3_arm64.deb: linux-image-6.1.0-57-arm64 is built for arm64, "
				 "KVM here runs amd64 guests: use the amd64 package (apt-get download linux-image-6.1.0-57-arm64:amd64)");
	/* On an arm64 host the same package is right. */
	assert_int_equal(kpkg_classify(&i, "arm64", err, sizeof(err)), 0);
	assert_string_equal(kpkg_deb_arch("x86_64"), "amd64");
	assert_string_equal(kpkg_deb_arch("aarch64"), "arm64");
	assert_string_equal(kpkg_deb_arch("mips"), "mips");
}

static void test_not_kernels(void **state)
{
	struct kpkg_info i;

	(void)state;
	/* The meta-package apt installs: names the real one. */
	info_init(&i, "linux-image-amd64_6.1.192-3_amd64.deb",
		  "Package: linux-image-amd64\nArchitecture: amd64\nDepends: linux-image-6.1.0-57-amd64 (= 6.1.192-3)\n");
	kpkg_note_md5sums(&i, "ab  usr/share/doc/linux-image-amd64/copyright\n");
	assert_int_equal(kpkg_classify(&i, "amd64", err, sizeof(err)), -EINVAL);
	assert_one_line(err);
	assert_non_null(strstr(err, "meta-package"));
	assert_non_null(strstr(err, "apt-get download linux-image-6.1.0-57-amd64)"));
	/* The same without md5sums: the name does not look like a version. */
	info_init(&i, "m.deb", "Package: linux-image-6.12-amd64\nArchitecture: amd64\nDepends: linux-image-6.12.117+deb12-amd64 (= 6.12.117-1)\n");
	assert_int_equal(kpkg_classify(&i, "amd64", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "depends on linux-image-6.12.117+deb12-amd64"));

	info_init(&i, "dbg.deb", "Package: linux-image-6.1.0-57-amd64-dbg\nArchitecture: amd64\n");
	kpkg_note_md5sums(&i, "ab  usr/lib/debug/boot/vmlinux-6.1.0-57-amd64\n"
			      "ab  usr/lib/debug/lib/modules/6.1.0-57-amd64/kernel/e1000e.ko\n");
	assert_int_equal(kpkg_classify(&i, "amd64", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "dbg.deb: linux-image-6.1.0-57-amd64-dbg holds debug symbols, not a bootable kernel: "
				 "pass linux-image-6.1.0-57-amd64 instead");

	info_init(&i, "h.deb", "Package: linux-headers-6.1.0-57-amd64\nArchitecture: amd64\n");
	kpkg_note_md5sums(&i, "ab  usr/src/linux-headers-6.1.0-57-amd64/Makefile\n");
	assert_int_equal(kpkg_classify(&i, "amd64", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "kernel headers"));

	info_init(&i, "/tmp/hello_2.10_amd64.deb", "Package: hello\nArchitecture: amd64\nDepends: libc6 (>= 2.34)\n");
	kpkg_note_md5sums(&i, "ab  usr/bin/hello\n");
	assert_int_equal(kpkg_classify(&i, "amd64", err, sizeof(err)), -EINVAL);
	assert_one_line(err);
	assert_string_equal(err, "hello_2.10_amd64.deb: hello is not a kernel package (no boot/vmlinuz-VERSION or "
				 "lib/modules/VERSION in it): pass a linux-image-* package");
	/* No control fields and no paths at all. */
	info_init(&i, "e.deb", "");
	assert_int_equal(kpkg_classify(&i, "amd64", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "this package is not a kernel package"));
}

static void test_two_versions(void **state)
{
	struct kpkg_info i;

	(void)state;
	info_init(&i, "x.deb", "Package: linux-image-1.2.3\nArchitecture: amd64\n");
	kpkg_note_md5sums(&i, "ab  boot/vmlinuz-1.2.3\nab  lib/modules/4.5.6/kernel/a.ko\n");
	assert_int_equal(kpkg_classify(&i, "amd64", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "two kernel versions (1.2.3 and 4.5.6)"));
}

static void test_name_fallback(void **state)
{
	struct kpkg_info i;

	(void)state;
	/* No md5sums (dpkg-deb --build makes none): the name says it, unpacking checks it. */
	info_init(&i, "a.deb", "Package: linux-image-6.12.117+deb12-amd64-unsigned\nArchitecture: amd64\n");
	assert_int_equal(kpkg_classify(&i, "amd64", err, sizeof(err)), 0);
	assert_int_equal(i.kind, KPKG_IMAGE);
	assert_string_equal(i.kver, "6.12.117+deb12-amd64");
	info_init(&i, "a.deb", "Package: linux-image-unsigned-6.8.0-45-generic\nArchitecture: amd64\n");
	assert_int_equal(kpkg_classify(&i, "amd64", err, sizeof(err)), 0);
	assert_string_equal(i.kver, "6.8.0-45-generic");
	info_init(&i, "a.deb", "Package: linux-modules-extra-6.8.0-45-generic\nArchitecture: amd64\n");
	assert_int_equal(kpkg_classify(&i, "amd64", err, sizeof(err)), 0);
	assert_int_equal(i.kind, KPKG_MODULES);
	assert_string_equal(i.kver, "6.8.0-45-generic");
	info_init(&i, "a.deb", "Package: linux-image-rt-amd64\nArchitecture: amd64\n");
	assert_int_equal(kpkg_classify(&i, "amd64", err, sizeof(err)), -EINVAL);
}

static void test_group_files(void **state)
{
	struct kpkg_info p[2] = { { .file = "/a/one.deb" }, { .file = "two.deb" } };
	struct kpkg_group g = { .n = 2, .pkg = { &p[0], &p[1] } };
	char out[12];

	(void)state;
	kpkg_group_files(&g, out, sizeof(out));
	assert_string_equal(out, "one.deb,two");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_control_fields),
		cmocka_unit_test(test_paths_kept_and_mapped),
		cmocka_unit_test(test_path_squeezed),
		cmocka_unit_test(test_version_too_long),
		cmocka_unit_test(test_refusal_escaped),
		cmocka_unit_test(test_refusal_long_escaped),
		cmocka_unit_test(test_debian_image),
		cmocka_unit_test(test_ubuntu_split),
		cmocka_unit_test(test_two_images_one_version),
		cmocka_unit_test(test_wrong_architecture),
		cmocka_unit_test(test_not_kernels),
		cmocka_unit_test(test_two_versions),
		cmocka_unit_test(test_name_fallback),
		cmocka_unit_test(test_group_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
