// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE /* O_PATH */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "minivmm/cache.h"
#include "minivmm/progress.h"
#include "minivmm/runner/kcache.h"

/* Bumped when the layout of an unpacked tree changes. */
#define KCACHE_LAYOUT "kpkg-1"

/* snprintf for paths: -ENAMETOOLONG instead of a cut-off path. */
static int __attribute__((format(printf, 3, 4))) path_fmt(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The same packages in any order give the same tree. */
static uint64_t group_key(const struct kpkg_group *g, struct kpkg_file *const *pkgs)
{
	uint64_t keys[KPKG_GROUP_MAX], h = CACHE_HASH_INIT;

	for (unsigned int i = 0; i < g->n; i++)
		keys[i] = kpkg_file_key(pkgs[i], CACHE_HASH_INIT);
	qsort(keys, g->n, sizeof(keys[0]), cmp_u64);
	h = cache_hash_str(h, KCACHE_LAYOUT);
	h = cache_hash_str(h, g->kver);
	return cache_hash(h, keys, g->n * sizeof(keys[0]));
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

static void rm_tree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* boot/vmlinuz-V (Debian, Ubuntu) or lib/modules/V/vmlinuz (Fedora's layout). */
static int find_vmlinuz(const char *root, const char *kver, char *out, size_t outlen)
{
	if (!path_fmt(out, outlen, "%s/boot/vmlinuz-%s", root, kver) && !access(out, R_OK))
		return 0;
	if (path_fmt(out, outlen, "%s/lib/modules/%s/vmlinuz", root, kver))
		return -ENAMETOOLONG;
	return access(out, R_OK) ? -ENOENT : 0;
}

static int tree_paths(struct kernel_tree *t, const char *kver)
{
	char root[PATH_MAX];

	if (path_fmt(root, sizeof(root), "%s/root", t->dir) ||
	    path_fmt(t->modules, sizeof(t->modules), "%s/lib/modules/%s", root, kver))
		return -ENAMETOOLONG;
	return find_vmlinuz(root, kver, t->vmlinuz, sizeof(t->vmlinuz));
}

int kcache_find_depmod(char *out, size_t outlen)
{
	const char *path = getenv("PATH");
	char dirs[4096], real[PATH_MAX];

	snprintf(dirs, sizeof(dirs), "%s:/usr/sbin:/sbin", path && *path ? path : "/usr/bin:/bin");
	for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		const char *base;

		if (path_fmt(out, outlen, "%s/depmod", d) || access(out, X_OK) || !realpath(out, real))
			continue;
		/* busybox's depmod writes no binary indexes, which libkmod reads. */
		base = strrchr(real, '/') ? strrchr(real, '/') + 1 : real;
		if (strcmp(base, "busybox"))
			return 0;
	}
	return -ENOENT;
}

/* depmod -b ROOT VERSION, its output in LOG; 0 or -errno with @err. */
static int run_depmod(const char *root, const char *kver, const char *log, char *err, size_t errlen)
{
	char depmod[PATH_MAX], last[256] = "";
	int status = 0, fd;
	pid_t pid;
	FILE *f;

	if (kcache_find_depmod(depmod, sizeof(depmod))) {
		snprintf(err, errlen, "no kmod depmod in PATH, /usr/sbin or /sbin: install kmod (minivmm indexes a kernel package's modules with it, once)");
		return -ENOENT;
	}
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		sigset_t none;

		/* minivmm blocks its signals for its signalfd: depmod gets the defaults. */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		execl(depmod, "depmod", "-b", root, kver, (char *)NULL);
		_exit(127);
	}
	close(fd);
	if (pid < 0)
		return -errno;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		char bin[PATH_MAX];

		if (!path_fmt(bin, sizeof(bin), "%s/lib/modules/%s/modules.dep.bin", root, kver) && !access(bin, R_OK))
			return 0;
		snprintf(err, errlen, "%s wrote no modules.dep.bin: it is not kmod's depmod; install kmod", depmod);
		return -EIO;
	}
	f = fopen(log, "re");
	while (f && fgets(last, sizeof(last), f))
		;
	if (f)
		fclose(f);
	last[strcspn(last, "\n")] = 0;
	snprintf(err, errlen, "%s -b %s %s failed (%s %d)%s%s", depmod, root, kver,
		 WIFEXITED(status) ? "status" : "signal", WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
		 last[0] ? ": " : "", last);
	return -EIO;
}

static int build(const struct kpkg_group *g, struct kpkg_file *const *pkgs, const char *tmp, int (*cancel)(void *),
		 void *opaque, char *err, size_t errlen)
{
	char root[PATH_MAX], path[PATH_MAX], files[512];
	int rootfd, ret = 0;

	if (path_fmt(root, sizeof(root), "%s/root", tmp))
		return -ENAMETOOLONG;
	if (mkdir(tmp, 0755) || mkdir(root, 0755)) {
		ret = -errno;
		snprintf(err, errlen, "cannot create %s: %s", root, strerror(-ret));
		return ret;
	}
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -errno;
	for (unsigned int i = 0; !ret && i < g->n; i++) {
		const char *file = strrchr(pkgs[i]->path, '/') ? strrchr(pkgs[i]->path, '/') + 1 : pkgs[i]->path;

		progress_begin("unpacking %s (kernel %s) into the cache, once", file, g->kver);
		ret = kpkg_file_unpack(pkgs[i], g->pkg[i], rootfd, cancel, opaque, err, errlen);
		progress_end();
	}
	close(rootfd);
	if (ret)
		return ret;
	/* An image package without modules (Ubuntu's) still gets an (empty) indexed tree. */
	ret = path_fmt(path, sizeof(path), "%s/lib/modules/%s/", root, g->kver) ?: cache_mkdir(path);
	if (ret) {
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(-ret));
		return ret;
	}
	if (find_vmlinuz(root, g->kver, path, sizeof(path))) {
		kpkg_group_files(g, files, sizeof(files));
		if (g->n && g->pkg[0]->format == KPKG_RPM)
			snprintf(err, errlen, "%s: no kernel image in it (no lib/modules/%s/vmlinuz): pass the kernel-core package of %s",
				 files, g->kver, g->kver);
		else
			snprintf(err, errlen, "%s: no kernel image in it (no boot/vmlinuz-%s): pass the linux-image package of %s",
				 files, g->kver, g->kver);
		return -ENOENT;
	}
	/* A depmod built for a merged /usr looks in ROOT/usr/lib/modules. */
	if (!path_fmt(path, sizeof(path), "%s/usr/lib", root) && !cache_mkdir(path) &&
	    !path_fmt(path, sizeof(path), "%s/usr/lib/modules", root) && symlink("../../lib/modules", path) &&
	    errno != EEXIST) {
		ret = -errno;
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(-ret));
		return ret;
	}
	if (path_fmt(path, sizeof(path), "%s/lib/modules/%s/modules.dep.bin", root, g->kver))
		return -ENAMETOOLONG;
	if (!access(path, R_OK))
		return 0; /* indexed already */
	if (path_fmt(path, sizeof(path), "%s/depmod.log", tmp))
		return -ENAMETOOLONG;
	progress_begin("indexing the modules of %s (depmod), once", g->kver);
	ret = run_depmod(root, g->kver, path, err, errlen);
	progress_end();
	return ret;
}

int kcache_get(const struct kpkg_group *g, struct kpkg_file *const *pkgs, const char *cache_dir,
	       struct kernel_tree *t, int (*cancel)(void *), void *opaque, char *err, size_t errlen)
{
	char tmp[PATH_MAX + 32];
	int ret;

	memset(t, 0, sizeof(*t));
	if (path_fmt(t->dir, sizeof(t->dir), "%s/kpkg-%016llx", cache_dir, (unsigned long long)group_key(g, pkgs))) {
		snprintf(err, errlen, "the cache directory's path %s is too long", cache_dir);
		return -ENAMETOOLONG;
	}
	if (!access(t->dir, F_OK) && !tree_paths(t, g->kver))
		return 0;
	ret = cache_mkdir(cache_dir);
	if (ret) {
		snprintf(err, errlen, "cannot create the cache directory %s: %s", cache_dir, strerror(-ret));
		return ret;
	}
	/* A tree without its kernel (a damaged cache) is built again. */
	rm_tree(t->dir);
	path_fmt(tmp, sizeof(tmp), "%s.%d.tmp", t->dir, (int)getpid()); /* fits: 32 bytes more than dir */
	rm_tree(tmp);
	err[0] = 0;
	ret = build(g, pkgs, tmp, cancel, opaque, err, errlen);
	if (!ret && rename(tmp, t->dir)) {
		ret = -errno;
		/* Another minivmm finished the same tree first: use it. */
		if ((ret == -EEXIST || ret == -ENOTEMPTY) && !tree_paths(t, g->kver))
			ret = 0;
		else
			snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, t->dir, strerror(-ret));
		rm_tree(tmp);
	} else if (ret) {
		if (!err[0])
			snprintf(err, errlen, "unpacking kernel %s failed: %s", g->kver, strerror(-ret));
		rm_tree(tmp);
	}
	if (ret)
		return ret;
	t->unpacked = true;
	return tree_paths(t, g->kver);
}
