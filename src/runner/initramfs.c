// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE /* memfd_create */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "minivmm/cache.h"
#include "minivmm/decompress.h"
#include "minivmm/runner/cpio.h"
#include "minivmm/runner/initramfs.h"

#define SHARE_GUEST_DIR "mnt/share"
#define SHARE_MAX_DEPTH 16

/*
 * The --share tree at @host into the archive @c, or (with @h) into the
 * cache key only, checking that everything in it can be read: the first
 * path that cannot goes to @bad.
 */
static int walk_share(const char *host, const char *guest, unsigned int depth, struct cpio *c, uint64_t *h,
		      char *bad, size_t badlen)
{
	struct dirent **names;
	int n, ret = 0;

	if (depth > SHARE_MAX_DEPTH) {
		snprintf(bad, badlen, "%s", host);
		return -ELOOP;
	}
	n = scandir(host, &names, NULL, alphasort);
	if (n < 0) {
		snprintf(bad, badlen, "%s", host);
		return -errno;
	}
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
			*h = cache_hash_file(*h, hp);
		if (S_ISDIR(st.st_mode)) {
			if (c)
				cpio_add_dir(c, gp);
			ret = walk_share(hp, gp, depth + 1, c, h, bad, badlen);
		} else if (S_ISREG(st.st_mode) && c) {
			ret = cpio_add_file(c, gp, hp, st.st_mode);
		} else if (S_ISREG(st.st_mode)) {
			int fd = open(hp, O_RDONLY | O_CLOEXEC);

			if (fd < 0) {
				ret = -errno;
				snprintf(bad, badlen, "%s", hp);
			} else {
				close(fd);
			}
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

/* The largest module minivmm decompresses into the initramfs. */
#define MODULE_MAX (256u << 20)

/* How long @path's compression suffix is (".ko.xz" -> 3), 0 for a plain module. */
static size_t module_suffix(const char *path)
{
	static const char *const ext[] = { ".ko.xz", ".ko.zst", ".ko.gz" };
	size_t n = strlen(path);

	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		size_t e = strlen(ext[i]);

		if (n > e && !strcmp(path + n - e, ext[i]))
			return e - 3;
	}
	return 0;
}

/*
 * A compressed module (distribution kernels ship .ko.xz or .ko.zst) goes
 * into the archive decompressed, as @name without the suffix: busybox's
 * insmod reads no zstd, and the guest need not unpack it at every boot.
 */
static int add_module(struct cpio *c, const char *name, const char *host)
{
	size_t strip = module_suffix(host), len;
	char plain[PATH_MAX], why[256];
	void *in = MAP_FAILED, *out = MAP_FAILED;
	uint64_t out_size = 0;
	int fd, mfd = -1, ret;
	struct stat st;

	if (!strip)
		return cpio_add_file(c, name, host, 0644);
	len = strlen(name) - strip;
	snprintf(plain, sizeof(plain), "%.*s", (int)len, name);
	fd = open(host, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) || !st.st_size) {
		ret = fd < 0 || st.st_size ? -errno : -EINVAL;
		goto out;
	}
	in = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	mfd = memfd_create("minivmm-module", MFD_CLOEXEC);
	if (in == MAP_FAILED || mfd < 0) {
		ret = -errno;
		goto out;
	}
	ret = decomp_to_fd(decomp_detect(in, (size_t)st.st_size), in, (size_t)st.st_size, mfd, MODULE_MAX,
			   &out_size, why, sizeof(why));
	if (!ret && out_size) {
		out = mmap(NULL, (size_t)out_size, PROT_READ, MAP_PRIVATE, mfd, 0);
		ret = out == MAP_FAILED ? -errno : cpio_add(c, plain, S_IFREG | 0644, out, (size_t)out_size);
	} else if (!ret) {
		ret = -EINVAL;
	}
out:
	if (out != MAP_FAILED)
		munmap(out, (size_t)out_size);
	if (in != MAP_FAILED)
		munmap(in, (size_t)st.st_size);
	if (mfd >= 0)
		close(mfd);
	if (fd >= 0)
		close(fd);
	return ret;
}

/* The kernel version a modules tree is for: its directory's name. */
static const char *modules_version(const char *dir, char *buf, size_t len)
{
	char *slash;

	snprintf(buf, len, "%s", dir);
	for (size_t n = strlen(buf); n > 1 && buf[n - 1] == '/'; n--)
		buf[n - 1] = 0;
	slash = strrchr(buf, '/');
	return slash && slash[1] ? slash + 1 : buf;
}

/*
 * Where module file @path goes below the guest's /lib/modules/VERSION: its
 * place in the tree at @dir; a file from elsewhere (modules.dep may name
 * absolute paths) at its own path.
 */
static const char *module_rel(const char *dir, const char *path)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (!strncmp(path, dir, n) && path[n] == '/')
		path += n;
	while (*path == '/')
		path++;
	return path;
}

/* The archive into @f; the host file that could not be read (if so) into @bad. */
static int write_archive(const struct initramfs_spec *spec, const struct module_list *mods, FILE *f, char *bad,
			 size_t badlen)
{
	const char *const dirs[] = { "bin", "dev", "etc", "etc/minivmm", "lib", "lib/modules", "mnt", "proc",
				     "sys", "tmp", "run", "root" };
	char verbuf[PATH_MAX];
	const char *ver = mods->n ? modules_version(spec->modules_dir, verbuf, sizeof(verbuf)) : NULL;
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
		const char *rel = module_rel(spec->modules_dir, mods->path[i]);
		char gp[2 * PATH_MAX + 16], dir[sizeof(gp)];

		snprintf(gp, sizeof(gp), "lib/modules/%s/%s", ver, rel);
		/* Parent directories, each once (cpio tolerates repeats). */
		for (char *p = strchr(strcpy(dir, gp), '/'); p; p = strchr(p + 1, '/')) {
			*p = 0;
			cpio_add_dir(&c, dir);
			*p = '/';
		}
		ret = add_module(&c, gp, mods->path[i]);
		if (ret) {
			fclose(lf);
			free(list);
			return ret;
		}
		fprintf(lf, "%.*s\n", (int)(strlen(rel) - module_suffix(rel)), rel);
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
		ret = walk_share(spec->share, SHARE_GUEST_DIR, 0, &c, NULL, bad, badlen);
		if (ret)
			return ret;
	}
	ret = cpio_finish(&c);
	if (ret && c.error_path[0])
		snprintf(bad, badlen, "%s", c.error_path);
	return ret;
}

int initramfs_write(const struct initramfs_spec *spec, const struct module_list *mods, FILE *f)
{
	char bad[PATH_MAX];

	return write_archive(spec, mods, f, bad, sizeof(bad));
}

int initramfs_get(const struct initramfs_spec *given, char *path, size_t pathlen, char *err, size_t errlen)
{
	struct initramfs_spec real = *given;
	const struct initramfs_spec *spec = &real;
	char modules_dir[PATH_MAX];
	struct module_list mods = { .n = 0 };
	uint64_t h = CACHE_HASH_INIT;
	char tmp[PATH_MAX], bad[PATH_MAX] = "";
	struct stat st;
	FILE *f;
	int fd, ret;

	/* The module files libkmod names are inside the modules directory as
	 * it makes it absolute: a relative --modules DIR is made so first. */
	if (real.modules_dir && realpath(real.modules_dir, modules_dir))
		real.modules_dir = modules_dir;
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
	h = cache_hash_str(h, spec->init);
	h = cache_hash_file(h, spec->busybox);
	h = cache_hash_str(h, spec->modules_dir);
	for (unsigned int i = 0; i < mods.n; i++)
		h = cache_hash_file(h, mods.path[i]);
	h = cache_hash_str(h, spec->run);
	h = cache_hash_str(h, spec->share);
	if (spec->share) {
		ret = walk_share(spec->share, SHARE_GUEST_DIR, 0, NULL, &h, bad, sizeof(bad));
		if (ret == -ELOOP) {
			snprintf(err, errlen, "--share %s is more than %d directories deep at %s: share a shallower tree",
				 spec->share, SHARE_MAX_DEPTH, bad);
			goto out;
		}
		if (ret) {
			snprintf(err, errlen, "--share %s: cannot read %s: %s; make the tree readable (chmod -R u+rX %s) or share another directory",
				 spec->share, bad, strerror(-ret), spec->share);
			goto out;
		}
	}

	ret = cache_mkdir(spec->cache_dir);
	if (ret) {
		snprintf(err, errlen, "cannot create the cache directory %s: %s; point XDG_CACHE_HOME at a writable directory",
			 spec->cache_dir, strerror(-ret));
		goto out;
	}
	snprintf(path, pathlen, "%s/initramfs-%016llx.cpio", spec->cache_dir, (unsigned long long)h);
	if (!access(path, R_OK)) {
		ret = 0; /* built before from the same inputs */
		goto out;
	}
	fd = cache_create(path, tmp, sizeof(tmp));
	f = fd < 0 ? NULL : fdopen(fd, "wb");
	if (!f) {
		ret = fd < 0 ? fd : -errno;
		if (fd >= 0)
			close(fd);
		snprintf(err, errlen, "cannot write %s: %s; point XDG_CACHE_HOME at a writable directory", tmp,
			 strerror(-ret));
		goto out;
	}
	ret = write_archive(spec, &mods, f, bad, sizeof(bad));
	errno = 0;
	if (fclose(f) && !ret)
		ret = errno ? -errno : -EIO;
	/* A failed archive is removed: the cache holds only whole ones. */
	ret = cache_commit(tmp, path, !ret) ?: ret;
	if (ret && bad[0])
		snprintf(err, errlen, "cannot read %s for the guest initramfs: %s; make it readable", bad, strerror(-ret));
	else if (ret == -ENOSPC || ret == -EDQUOT)
		snprintf(err, errlen, "no space left in %s for the guest initramfs: free space there or point XDG_CACHE_HOME at a directory with room",
			 spec->cache_dir);
	else if (ret)
		snprintf(err, errlen, "cannot write the guest initramfs in %s: %s; point XDG_CACHE_HOME at a writable directory",
			 spec->cache_dir, strerror(-ret));
out:
	modules_free(&mods);
	return ret;
}
