// SPDX-License-Identifier: GPL-2.0-only
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libkmod.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "minivmm/runner/cpio.h"
#include "minivmm/runner/initramfs.h"

#define SHARE_GUEST_DIR "mnt/share"
#define SHARE_MAX_DEPTH 16

static bool module_listed(const struct module_list *m, const char *path)
{
	for (unsigned int i = 0; i < m->n; i++)
		if (!strcmp(m->path[i], path))
			return true;
	return false;
}

/* Post-order walk: a module's dependencies (and pre-softdeps) before it. */
static int module_add(struct kmod_module *mod, struct module_list *out, unsigned int depth)
{
	struct kmod_list *deps, *pre = NULL, *post = NULL, *l;
	const char *path;
	int ret = 0;

	if (depth > 32)
		return -ELOOP;
	deps = kmod_module_get_dependencies(mod);
	kmod_list_foreach(l, deps) {
		ret = module_add(kmod_module_get_module(l), out, depth + 1);
		if (ret)
			break;
	}
	kmod_module_unref_list(deps);
	if (!ret && kmod_module_get_softdeps(mod, &pre, &post) == 0) {
		kmod_list_foreach(l, pre) {
			ret = module_add(kmod_module_get_module(l), out, depth + 1);
			if (ret)
				break;
		}
		kmod_module_unref_list(pre);
		kmod_module_unref_list(post);
	}
	path = kmod_module_get_path(mod);
	/* No path: built into the kernel, nothing to load. */
	if (!ret && path && !module_listed(out, path)) {
		if (out->n == INITRAMFS_MAX_MODULES)
			ret = -E2BIG;
		else if (!(out->path[out->n++] = strdup(path)))
			ret = -ENOMEM;
	}
	kmod_module_unref(mod);
	return ret;
}

int modules_resolve(const char *modules_dir, const char *const *aliases, unsigned int n,
		    struct module_list *out, char *err, size_t errlen)
{
	char dep[PATH_MAX];
	struct kmod_ctx *ctx;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	snprintf(dep, sizeof(dep), "%s/modules.dep.bin", modules_dir);
	if (access(dep, R_OK)) {
		snprintf(err, errlen, "no modules.dep.bin in %s: run depmod -b on that tree (depmod -b ROOT VERSION)",
			 modules_dir);
		return -ENOENT;
	}
	ctx = kmod_new(modules_dir, NULL);
	if (!ctx) {
		snprintf(err, errlen, "libkmod cannot read %s", modules_dir);
		return -ENOMEM;
	}
	for (unsigned int i = 0; !ret && i < n; i++) {
		struct kmod_list *list = NULL, *l;

		if (kmod_module_new_from_lookup(ctx, aliases[i], &list) < 0)
			continue;
		kmod_list_foreach(l, list) {
			ret = module_add(kmod_module_get_module(l), out, 0);
			if (ret)
				break;
		}
		kmod_module_unref_list(list);
	}
	kmod_unref(ctx);
	if (ret)
		snprintf(err, errlen, "resolving module dependencies in %s failed: %s", modules_dir, strerror(-ret));
	return ret;
}

void modules_free(struct module_list *m)
{
	for (unsigned int i = 0; i < m->n; i++)
		free(m->path[i]);
	m->n = 0;
}

/* ---- content hash for the cache (FNV-1a, 64-bit) ---- */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

static uint64_t fnv_str(uint64_t h, const char *s)
{
	return fnv(h, s ? s : "", s ? strlen(s) + 1 : 1);
}

/* A file stands for its path, size and modification time. */
static uint64_t fnv_file(uint64_t h, const char *path)
{
	struct stat st;

	h = fnv_str(h, path);
	if (!stat(path, &st)) {
		h = fnv(h, &st.st_size, sizeof(st.st_size));
		h = fnv(h, &st.st_mtim, sizeof(st.st_mtim));
	}
	return h;
}

static int walk_share(const char *host, const char *guest, unsigned int depth, struct cpio *c, uint64_t *h)
{
	struct dirent **names;
	int n, ret = 0;

	if (depth > SHARE_MAX_DEPTH)
		return -ELOOP;
	n = scandir(host, &names, NULL, alphasort);
	if (n < 0)
		return -errno;
	for (int i = 0; i < n; i++) {
		char hp[PATH_MAX], gp[PATH_MAX];
		struct stat st;
		const char *name = names[i]->d_name;

		if (ret || !strcmp(name, ".") || !strcmp(name, ".."))
			goto next;
		snprintf(hp, sizeof(hp), "%s/%s", host, name);
		snprintf(gp, sizeof(gp), "%s/%s", guest, name);
		if (lstat(hp, &st))
			goto next;
		if (h)
			*h = fnv_file(*h, hp);
		if (S_ISDIR(st.st_mode)) {
			if (c)
				cpio_add_dir(c, gp);
			ret = walk_share(hp, gp, depth + 1, c, h);
		} else if (S_ISREG(st.st_mode) && c) {
			ret = cpio_add_file(c, gp, hp, st.st_mode);
		} else if (S_ISLNK(st.st_mode) && c) {
			char target[PATH_MAX];
			ssize_t len = readlink(hp, target, sizeof(target) - 1);

			if (len > 0) {
				target[len] = 0;
				cpio_add_symlink(c, gp, target);
			}
		}
next:
		free(names[i]);
	}
	free(names);
	return ret;
}

static int write_archive(const struct initramfs_spec *spec, const struct module_list *mods, FILE *f)
{
	const char *const dirs[] = { "bin", "dev", "etc", "etc/minivmm", "lib", "lib/modules", "mnt", "proc",
				     "sys", "tmp", "run", "root" };
	char *list = NULL;
	size_t listlen = 0;
	FILE *lf = open_memstream(&list, &listlen);
	struct cpio c;
	int ret;

	if (!lf)
		return -ENOMEM;
	cpio_init(&c, f);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		cpio_add_dir(&c, dirs[i]);
	/* The kernel opens /dev/console for init before devtmpfs exists. */
	cpio_add_chardev(&c, "dev/console", 5, 1);
	cpio_add(&c, "init", S_IFREG | 0755, spec->init, strlen(spec->init));
	cpio_add_file(&c, "bin/busybox", spec->busybox, 0755);
	cpio_add_symlink(&c, "bin/sh", "busybox");
	for (unsigned int i = 0; i < mods->n; i++) {
		/* Same relative path under the guest's /lib/modules/$(uname -r). */
		const char *rel = mods->path[i] + strlen(spec->modules_dir) + 1;
		char gp[PATH_MAX], dir[PATH_MAX];

		snprintf(gp, sizeof(gp), "lib/modules/%s/%s", strrchr(spec->modules_dir, '/') + 1, rel);
		/* Parent directories, each once (cpio tolerates repeats). */
		for (char *p = strchr(strcpy(dir, gp), '/'); p; p = strchr(p + 1, '/')) {
			*p = 0;
			cpio_add_dir(&c, dir);
			*p = '/';
		}
		cpio_add_file(&c, gp, mods->path[i], 0644);
		fprintf(lf, "%s\n", rel);
	}
	fclose(lf);
	cpio_add(&c, "etc/minivmm/modules", S_IFREG | 0644, list, listlen);
	free(list);
	if (spec->run) {
		char *script = NULL;
		size_t slen = 0;
		FILE *sf = open_memstream(&script, &slen);

		if (!sf)
			return -ENOMEM;
		fprintf(sf, "%s%s\n", spec->share ? "cd /mnt/share\n" : "", spec->run);
		fclose(sf);
		cpio_add(&c, "etc/minivmm/run", S_IFREG | 0755, script, slen);
		free(script);
	}
	if (spec->share) {
		cpio_add_dir(&c, SHARE_GUEST_DIR);
		ret = walk_share(spec->share, SHARE_GUEST_DIR, 0, &c, NULL);
		if (ret)
			return ret;
	}
	return cpio_finish(&c);
}

static int mkdir_p(const char *dir)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s", dir);
	for (char *s = strchr(p + 1, '/');; s = strchr(s + 1, '/')) {
		if (s)
			*s = 0;
		if (mkdir(p, 0755) && errno != EEXIST)
			return -errno;
		if (!s)
			return 0;
		*s = '/';
	}
}

int initramfs_get(const struct initramfs_spec *spec, char *path, size_t pathlen, char *err, size_t errlen)
{
	struct module_list mods = { .n = 0 };
	uint64_t h = 0xcbf29ce484222325ULL;
	char tmp[PATH_MAX];
	struct stat st;
	FILE *f;
	int ret;

	if (access(spec->busybox, R_OK)) {
		snprintf(err, errlen, "no static busybox at %s: install busybox-static", spec->busybox);
		return -ENOENT;
	}
	if (spec->modules_dir && spec->nmodaliases) {
		ret = modules_resolve(spec->modules_dir, spec->modaliases, spec->nmodaliases, &mods, err, errlen);
		if (ret)
			return ret;
	}
	if (spec->share && (stat(spec->share, &st) || !S_ISDIR(st.st_mode))) {
		snprintf(err, errlen, "--share %s is not a directory", spec->share);
		ret = -ENOTDIR;
		goto out;
	}
	h = fnv_str(h, spec->init);
	h = fnv_file(h, spec->busybox);
	h = fnv_str(h, spec->modules_dir);
	for (unsigned int i = 0; i < mods.n; i++)
		h = fnv_file(h, mods.path[i]);
	h = fnv_str(h, spec->run);
	h = fnv_str(h, spec->share);
	if (spec->share)
		walk_share(spec->share, SHARE_GUEST_DIR, 0, NULL, &h);

	if (mkdir_p(spec->cache_dir)) {
		snprintf(err, errlen, "cannot create the cache directory %s: %s", spec->cache_dir, strerror(errno));
		ret = -errno;
		goto out;
	}
	snprintf(path, pathlen, "%s/initramfs-%016llx.cpio", spec->cache_dir, (unsigned long long)h);
	if (!access(path, R_OK)) {
		ret = 0; /* built before from the same inputs */
		goto out;
	}
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
	f = fopen(tmp, "wbe");
	if (!f) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		ret = -errno;
		goto out;
	}
	ret = write_archive(spec, &mods, f);
	if (fclose(f) && !ret)
		ret = -EIO;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		unlink(tmp);
		snprintf(err, errlen, "building the guest initramfs failed: %s", strerror(-ret));
	}
out:
	modules_free(&mods);
	return ret;
}
