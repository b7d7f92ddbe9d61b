/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Distribution kernel packages, the pure part: what a package is, from
 * its control fields and the paths it holds (its md5sums list, or the
 * data archive as it is unpacked); which paths minivmm keeps; how
 * packages of one kernel version group together (Ubuntu ships the image
 * and its modules apart). Every refusal is one line with the fix.
 */
#ifndef MINIVMM_RUNNER_KPKG_H
#define MINIVMM_RUNNER_KPKG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#define KPKG_NAME_MAX 128
#define KPKG_GROUP_MAX 8             /* packages of one kernel */

enum kpkg_kind {
	KPKG_UNKNOWN,                /* not classified yet */
	KPKG_IMAGE,                  /* holds a kernel image (and maybe its modules) */
	KPKG_MODULES,                /* modules only: Ubuntu's linux-modules(-extra)-* */
};

enum kpkg_format {
	KPKG_DEB,                    /* Debian, Ubuntu */
	KPKG_RPM,                    /* Fedora, RHEL */
};

struct kpkg_info {
	const char *file;            /* as given on the command line */
	enum kpkg_format format;     /* which the fixes in refusals speak of */
	/* From the control file. */
	char package[KPKG_NAME_MAX], version[KPKG_NAME_MAX], arch[32];
	char depends[512];
	/* From the paths it holds. */
	bool have_paths;             /* some path was seen (md5sums or data) */
	bool has_vmlinuz, has_modules, has_debug, has_headers;
	bool kver_mixed;             /* files of two kernel versions */
	char kver[KPKG_NAME_MAX];    /* of its vmlinuz or modules tree */
	char other_kver[KPKG_NAME_MAX];
	enum kpkg_kind kind;
};

/*
 * @s as messages quote it: printable ASCII as is, other bytes (newlines,
 * escape sequences) and backslashes as \xNN; cut short to fit @outlen,
 * it ends in "...". Refusals quote what a package says in KPKG_SHOWN_MAX
 * bytes each: a whole name of plain ASCII fits, and five quotes of the
 * worst leave a 1024-byte message room for its fix (escaped whole, a name
 * of 127 control bytes takes 508).
 */
#define KPKG_SHOWN_MAX (KPKG_NAME_MAX + 32)
void kpkg_printable(char *out, size_t outlen, const char *s);

/* The RPM name of a Debian architecture: "amd64" -> "x86_64", "arm64" -> "aarch64"; else @deb. */
const char *kpkg_rpm_arch(const char *deb);

/* Parse a deb control file (RFC 822 style) into @info. */
void kpkg_parse_control(struct kpkg_info *info, const char *text);

/*
 * A path in the package (md5sums style "boot/x" or tar style "./boot/x"):
 * note what it says about the package in @info. Returns what minivmm
 * keeps of it: 1 with @out the path under the unpacked root
 * ("boot/vmlinuz-V", "lib/modules/V/..."; usr/lib/modules becomes
 * lib/modules), 0 to skip it, -EINVAL for a path with ".." or one too
 * long, or a kernel version of KPKG_NAME_MAX bytes or more (never
 * unpacked).
 */
int kpkg_note_path(struct kpkg_info *info, const char *path, bool is_dir, char *out, size_t outlen);

/* Each line of an md5sums file ("HASH  PATH") through kpkg_note_path. */
void kpkg_note_md5sums(struct kpkg_info *info, const char *text);

/*
 * Debian's name of a uname machine, the architecture of the guests KVM
 * runs there: "x86_64" -> "amd64", "aarch64" -> "arm64"; else @machine.
 */
const char *kpkg_deb_arch(const char *machine);

/*
 * Decide @info->kind from what was noted (falling back to the package
 * name when no path was seen). 0, or -EINVAL with the one-line reason
 * and fix in @err: built for another architecture than @arch (Debian's
 * name; an RPM's arch is compared by its Debian name), a meta-package,
 * debug symbols, headers, files of two versions, not a kernel package.
 * The fixes name the packages of @info->format's distributions.
 */
int kpkg_classify(struct kpkg_info *info, const char *arch, char *err, size_t errlen);

/* Packages of one kernel version. */
struct kpkg_group {
	char kver[KPKG_NAME_MAX];
	struct kpkg_info *pkg[KPKG_GROUP_MAX];
	unsigned int n;
	int image;                   /* index of the image package, -1: none */
};

/*
 * Group @n classified packages by kernel version, in order of first
 * appearance; at most @max groups. Returns the number of groups, or
 * -EINVAL with @err (two images of one version, more than
 * KPKG_GROUP_MAX packages, too many kernels). A group without an image
 * is returned as such (kpkg_group_check says why it cannot boot).
 */
int kpkg_group(struct kpkg_info *pkgs, unsigned int n, struct kpkg_group *groups, unsigned int max,
	       char *err, size_t errlen);

/* 0 if @g can boot: it has a kernel image; else -ENOENT with the fix in @err. */
int kpkg_group_check(const struct kpkg_group *g, char *err, size_t errlen);

/* The packages of @g, comma-separated file base names, for messages and JUnit. */
void kpkg_group_files(const struct kpkg_group *g, char *out, size_t outlen);

#endif
