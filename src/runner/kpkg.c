// SPDX-License-Identifier: GPL-2.0-only
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "minivmm/runner/kpkg.h"
#include "minivmm/runner/pkgmap.h"

static void copy(char *out, size_t outlen, const char *s, size_t n)
{
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, s, n);
	out[n] = 0;
}

static size_t shown_len(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '\\' ? 1 : 4;
}

void kpkg_printable(char *out, size_t outlen, const char *s)
{
	size_t need = 1, room, o = 0;

	if (!outlen)
		return;
	for (const char *p = s; *p; p++)
		need += shown_len((unsigned char)*p);
	/* Cut short, it ends in "..." to say so. */
	room = need <= outlen ? outlen - 1 : outlen > 4 ? outlen - 4 : 0;
	for (; *s && o + shown_len((unsigned char)*s) <= room; s++) {
		unsigned char c = (unsigned char)*s;

		if (shown_len(c) == 1)
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
	}
	out[o] = 0;
	if (need > outlen)
		snprintf(out + o, outlen - o, "...");
}

void kpkg_parse_control(struct kpkg_info *info, const char *text)
{
	static const struct {
		const char *key;
		size_t off, len;
	} keys[] = {
		{ "Package", offsetof(struct kpkg_info, package), KPKG_NAME_MAX },
		{ "Version", offsetof(struct kpkg_info, version), KPKG_NAME_MAX },
		{ "Architecture", offsetof(struct kpkg_info, arch), sizeof(((struct kpkg_info *)0)->arch) },
		{ "Depends", offsetof(struct kpkg_info, depends), sizeof(((struct kpkg_info *)0)->depends) },
	};
	const char *line = text;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);

		/* Continuation lines start with a blank: no field of ours spans them. */
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			size_t kl = strlen(keys[i].key);
			const char *v;

			if (len <= kl || strncmp(line, keys[i].key, kl) || line[kl] != ':')
				continue;
			v = line + kl + 1;
			while (v < line + len && (*v == ' ' || *v == '\t'))
				v++;
			size_t vl = line + len - v;

			while (vl && isspace((unsigned char)v[vl - 1]))
				vl--;
			copy((char *)info + keys[i].off, keys[i].len, v, vl);
		}
		line = end ? end + 1 : NULL;
	}
}

/* "6.1.0-57-amd64", "6.12.117+deb12-amd64", "6.8.0-45-generic": three numbers first. */
static bool looks_like_kver(const char *s)
{
	int dots = 0;

	if (!isdigit((unsigned char)*s))
		return false;
	for (; *s && *s != '-' && *s != '+' && *s != '_'; s++) {
		if (*s == '.')
			dots++;
		else if (!isdigit((unsigned char)*s))
			return false;
	}
	return dots >= 2;
}

static void note_kver(struct kpkg_info *info, const char *kver, size_t len)
{
	char v[KPKG_NAME_MAX];

	copy(v, sizeof(v), kver, len);
	if (!info->kver[0]) {
		snprintf(info->kver, sizeof(info->kver), "%s", v);
	} else if (strcmp(info->kver, v) && !info->other_kver[0]) {
		info->kver_mixed = true;
		snprintf(info->other_kver, sizeof(info->other_kver), "%s", v);
	}
}

static bool is_module(const char *name)
{
	static const char *const ext[] = { ".ko", ".ko.xz", ".ko.zst", ".ko.gz" };
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		size_t e = strlen(ext[i]);

		if (n > e && !strcmp(name + n - e, ext[i]))
			return true;
	}
	return false;
}

/* "a//b" and "a/./b" are "a/b" (an empty or "." version would name no kernel). */
static void squeeze(char *path)
{
	char *out = path;

	for (const char *c = path; *c;) {
		size_t n = strcspn(c, "/");

		if (n && !(n == 1 && c[0] == '.')) {
			if (out != path)
				*out++ = '/';
			memmove(out, c, n);
			out += n;
		}
		c += n;
		while (*c == '/')
			c++;
	}
	*out = 0;
}

int kpkg_note_path(struct kpkg_info *info, const char *path, bool is_dir, char *out, size_t outlen)
{
	char norm[PATH_MAX];
	const char *p = path, *rest;
	size_t len;

	for (;;) {
		if (p[0] == '.' && p[1] == '/')
			p += 2;
		else if (p[0] == '/')
			p++;
		else
			break;
	}
	len = strlen(p);
	while (len && p[len - 1] == '/')
		len--;
	if (!len || (len == 1 && p[0] == '.'))
		return 0;
	if (len >= sizeof(norm))
		return -EINVAL;
	copy(norm, sizeof(norm), p, len);
	squeeze(norm);
	if (!norm[0])
		return 0;
	/* Never a step up: such a package is unpacked nowhere. */
	for (const char *c = norm; c; c = strchr(c, '/')) {
		if (*c == '/')
			c++;
		if (c[0] == '.' && c[1] == '.' && (c[2] == '/' || !c[2]))
			return -EINVAL;
	}
	info->have_paths = true;
	if (!strncmp(norm, "usr/lib/modules/", 16))
		memmove(norm, norm + 4, strlen(norm + 4) + 1);
	if (!strncmp(norm, "usr/lib/debug/", 14) || !strcmp(norm, "usr/lib/debug")) {
		info->has_debug = true;
		return 0;
	}
	if (!strncmp(norm, "usr/src/linux-", 14) || !strncmp(norm, "usr/src/kernels/", 16)) {
		info->has_headers = true;
		return 0;
	}
	if (!strncmp(norm, "boot/vmlinuz-", 13) && !is_dir && norm[13] && !strchr(norm + 13, '/')) {
		/* A version longer than any kernel's would be noted cut short. */
		if (strlen(norm + 13) >= sizeof(info->kver))
			return -EINVAL;
		info->has_vmlinuz = true;
		note_kver(info, norm + 13, strlen(norm + 13));
	} else if (!strncmp(norm, "lib/modules/", 12) && norm[12]) {
		const char *kver = norm + 12, *slash = strchr(kver, '/');
		size_t kl = slash ? (size_t)(slash - kver) : strlen(kver);

		if (kl >= sizeof(info->kver))
			return -EINVAL;
		rest = slash ? slash + 1 : "";
		note_kver(info, kver, kl);
		if (!is_dir && !strcmp(rest, "vmlinuz"))
			info->has_vmlinuz = true; /* Fedora's layout */
		else if (!is_dir && is_module(rest))
			info->has_modules = true;
	} else {
		return 0; /* documentation, System.map, config, ... */
	}
	if (strlen(norm) >= outlen)
		return -EINVAL;
	strcpy(out, norm);
	return 1;
}

void kpkg_note_md5sums(struct kpkg_info *info, const char *text)
{
	const char *line = text;
	char path[PATH_MAX], out[PATH_MAX];

	while (line && *line) {
		const char *end = strchr(line, '\n'), *p = line;
		size_t len = end ? (size_t)(end - line) : strlen(line);

		/* "HASH  PATH": the path starts after the blanks. */
		while (p < line + len && *p != ' ')
			p++;
		while (p < line + len && *p == ' ')
			p++;
		if (p < line + len) {
			copy(path, sizeof(path), p, line + len - p);
			kpkg_note_path(info, path, false, out, sizeof(out));
		}
		line = end ? end + 1 : NULL;
	}
}

/* Without a file list: what the package's name says (checked again when unpacked). */
static void guess_from_name(struct kpkg_info *info)
{
	const char *n = info->package, *v = NULL;
	size_t len = strlen(n);
	char kver[KPKG_NAME_MAX];

	if (!strncmp(n, "linux-headers-", 14)) {
		info->has_headers = true;
		return;
	}
	if (len > 4 && !strcmp(n + len - 4, "-dbg")) {
		info->has_debug = true;
		return;
	}
	if (!strncmp(n, "linux-modules-extra-", 20))
		v = n + 20;
	else if (!strncmp(n, "linux-modules-", 14))
		v = n + 14;
	if (v) {
		if (looks_like_kver(v)) {
			info->has_modules = true;
			note_kver(info, v, strlen(v));
		}
		return;
	}
	if (!strncmp(n, "linux-image-unsigned-", 21))
		v = n + 21;
	else if (!strncmp(n, "linux-image-", 12))
		v = n + 12;
	if (!v || !looks_like_kver(v))
		return;
	snprintf(kver, sizeof(kver), "%s", v);
	len = strlen(kver);
	if (len > 9 && !strcmp(kver + len - 9, "-unsigned"))
		kver[len - 9] = 0;
	info->has_vmlinuz = true;
	note_kver(info, kver, strlen(kver));
}

/*
 * The first "linux-image-..." (or other kernel) package a meta-package
 * depends on; of an RPM, the first "kernel-core" or "kernel-modules..."
 * it requires (without Fedora's "-uname-r" of the capability).
 */
static bool meta_target(const struct kpkg_info *info, char *out, size_t outlen)
{
	static const char *const deb_prefixes[] = { "linux-image-", "linux-modules-" };
	static const char *const rpm_prefixes[] = { "kernel-core", "kernel-modules" };
	const char *const *prefixes = info->format == KPKG_RPM ? rpm_prefixes : deb_prefixes;

	for (const char *d = info->depends; *d;) {
		size_t len;

		while (*d == ' ' || *d == ',' || *d == '|')
			d++;
		len = strcspn(d, " ,|(");
		for (size_t i = 0; i < 2; i++) {
			if (!strncmp(d, prefixes[i], strlen(prefixes[i]))) {
				if (info->format == KPKG_RPM && len > 8 && !strncmp(d + len - 8, "-uname-r", 8))
					len -= 8;
				copy(out, outlen, d, len);
				return true;
			}
		}
		d += len;
		d += strcspn(d, ",");
	}
	return false;
}

const char *kpkg_deb_arch(const char *machine)
{
	static const struct {
		const char *machine, *deb;
	} names[] = {
		{ "x86_64", "amd64" }, { "aarch64", "arm64" }, { "i686", "i386" }, { "riscv64", "riscv64" },
		{ "ppc64le", "ppc64el" }, { "s390x", "s390x" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(machine, names[i].machine))
			return names[i].deb;
	return machine;
}

const char *kpkg_rpm_arch(const char *deb)
{
	static const char *const machines[] = { "x86_64", "aarch64", "i686", "riscv64", "ppc64le", "s390x" };

	for (size_t i = 0; i < sizeof(machines) / sizeof(machines[0]); i++)
		if (!strcmp(deb, kpkg_deb_arch(machines[i])))
			return machines[i];
	return deb;
}

int kpkg_classify(struct kpkg_info *info, const char *arch, char *err, size_t errlen)
{
	/* What the package says is quoted with its control characters escaped. */
	char file[KPKG_SHOWN_MAX], pkg[KPKG_SHOWN_MAX], parch[KPKG_SHOWN_MAX], v1[KPKG_SHOWN_MAX], v2[KPKG_SHOWN_MAX];
	char target[KPKG_NAME_MAX], tshown[KPKG_SHOWN_MAX];
	bool rpm = info->format == KPKG_RPM;

	kpkg_printable(file, sizeof(file), pkg_base_name(info->file));
	kpkg_printable(pkg, sizeof(pkg), info->package[0] ? info->package : "this package");

	if (!info->have_paths)
		guess_from_name(info);
	info->kind = info->has_vmlinuz ? KPKG_IMAGE : info->has_modules ? KPKG_MODULES : KPKG_UNKNOWN;
	if (info->kind != KPKG_UNKNOWN && info->arch[0] &&
	    strcmp(rpm ? kpkg_deb_arch(info->arch) : info->arch, arch)) {
		kpkg_printable(parch, sizeof(parch), info->arch);
		if (rpm)
			snprintf(err, errlen,
				 "%s: %s is built for %s, KVM here runs %s guests: use the %s package (dnf download --arch %s %s)",
				 file, pkg, parch, kpkg_rpm_arch(arch), kpkg_rpm_arch(arch), kpkg_rpm_arch(arch), pkg);
		else
			snprintf(err, errlen,
				 "%s: %s is built for %s, KVM here runs %s guests: use the %s package (apt-get download %s:%s)",
				 file, pkg, parch, arch, arch, pkg, arch);
		return -EINVAL;
	}
	if (info->kind != KPKG_UNKNOWN && info->kver_mixed) {
		kpkg_printable(v1, sizeof(v1), info->kver);
		kpkg_printable(v2, sizeof(v2), info->other_kver);
		snprintf(err, errlen, "%s: %s holds files of two kernel versions (%s and %s): pass a package of one kernel",
			 file, pkg, v1, v2);
		return -EINVAL;
	}
	if (info->kind != KPKG_UNKNOWN)
		return 0;
	if (info->has_debug && rpm) {
		snprintf(err, errlen, "%s: %s holds debug symbols, not a bootable kernel: pass the kernel-core package of that version",
			 file, pkg);
	} else if (info->has_debug) {
		size_t len = strlen(pkg);

		snprintf(err, errlen, "%s: %s holds debug symbols, not a bootable kernel: pass %.*s instead", file, pkg,
			 (int)(len > 4 && !strcmp(pkg + len - 4, "-dbg") ? len - 4 : len), pkg);
	} else if (info->has_headers) {
		snprintf(err, errlen, "%s: %s holds kernel headers, not a kernel: pass the %s package of that version",
			 file, pkg, rpm ? "kernel-core" : "linux-image");
	} else if (meta_target(info, target, sizeof(target))) {
		kpkg_printable(tshown, sizeof(tshown), target);
		snprintf(err, errlen, "%s: %s is a meta-package without a kernel, it depends on %s: pass that one (%s %s)",
			 file, pkg, tshown, rpm ? "dnf download" : "apt-get download", tshown);
	} else if (rpm) {
		snprintf(err, errlen,
			 "%s: %s is not a kernel package (no lib/modules/VERSION/vmlinuz or modules in it): pass a kernel-core-*.rpm",
			 file, pkg);
	} else {
		snprintf(err, errlen,
			 "%s: %s is not a kernel package (no boot/vmlinuz-VERSION or lib/modules/VERSION in it): pass a linux-image-* package",
			 file, pkg);
	}
	return -EINVAL;
}

int kpkg_group(struct kpkg_info *pkgs, unsigned int n, struct kpkg_group *groups, unsigned int max,
	       char *err, size_t errlen)
{
	char kv[KPKG_SHOWN_MAX];
	unsigned int ng = 0;

	for (unsigned int i = 0; i < n; i++) {
		struct kpkg_info *p = &pkgs[i];
		struct kpkg_group *g = NULL;

		for (unsigned int j = 0; j < ng; j++)
			if (!strcmp(groups[j].kver, p->kver))
				g = &groups[j];
		if (!g) {
			if (ng == max) {
				snprintf(err, errlen, "more than %u kernels: run minivmm more than once", max);
				return -EINVAL;
			}
			g = &groups[ng++];
			memset(g, 0, sizeof(*g));
			snprintf(g->kver, sizeof(g->kver), "%s", p->kver);
			g->image = -1;
		}
		if (g->n == KPKG_GROUP_MAX) {
			kpkg_printable(kv, sizeof(kv), g->kver);
			snprintf(err, errlen, "more than %d packages for kernel %s: give its image and modules packages only",
				 KPKG_GROUP_MAX, kv);
			return -EINVAL;
		}
		if (p->kind == KPKG_IMAGE && g->image >= 0) {
			kpkg_printable(kv, sizeof(kv), g->kver);
			snprintf(err, errlen, "%s and %s both hold kernel %s: pass one of them",
				 pkg_base_name(g->pkg[g->image]->file), pkg_base_name(p->file), kv);
			return -EINVAL;
		}
		if (p->kind == KPKG_IMAGE)
			g->image = (int)g->n;
		g->pkg[g->n++] = p;
	}
	return (int)ng;
}

int kpkg_group_check(const struct kpkg_group *g, char *err, size_t errlen)
{
	char files[512], kv[KPKG_SHOWN_MAX];

	if (g->image >= 0)
		return 0;
	kpkg_group_files(g, files, sizeof(files));
	kpkg_printable(kv, sizeof(kv), g->kver);
	if (g->n && g->pkg[0]->format == KPKG_RPM)
		snprintf(err, errlen,
			 "no kernel image for %s: %s %s its modules only; add its kernel-core package to the same --kernel-package (--kernel-package kernel-core-%s.rpm,%s)",
			 kv, files, g->n > 1 ? "hold" : "holds", kv, files);
	else
		snprintf(err, errlen,
			 "no kernel image for %s: %s %s its modules only; add its image package to the same --kernel-package (Ubuntu: --kernel-package linux-image-%s.deb,%s)",
			 kv, files, g->n > 1 ? "hold" : "holds", kv, files);
	return -ENOENT;
}

void kpkg_group_files(const struct kpkg_group *g, char *out, size_t outlen)
{
	size_t pos = 0;

	out[0] = 0;
	for (unsigned int i = 0; i < g->n && pos < outlen; i++) {
		int r = snprintf(out + pos, outlen - pos, "%s%s", i ? "," : "", pkg_base_name(g->pkg[i]->file));

		if (r < 0)
			break;
		pos += (size_t)r;
	}
}
