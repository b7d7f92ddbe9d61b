// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE /* memfd_create */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "minivmm/arch.h"
#include "minivmm/cache.h"
#include "minivmm/log.h"
#include "minivmm/runner/guest.h"
#include "minivmm/runner/kcache.h"
#include "minivmm/runner/kernels.h"
#include "minivmm/runner/kpkg.h"
#include "minivmm/runner/kpkgfile.h"
#include "minivmm/runner/modules.h"
#include "minivmm/runstate.h"
#include "minivmm/vfio/host.h"

struct pkg {
	struct kpkg_file file;
	struct kpkg_info info;
	bool ok;
};

struct kernels {
	const struct config *cfg;
	int sigfd;
	int stopped;                 /* 128+N once a signal asked us to stop */
	char *files_buf;             /* the option values, split at commas */
	const char *files[CONFIG_MAX_KERNEL_PACKAGES];
	unsigned int nfiles;
	struct pkg *pkgs;            /* per file */
	struct kernel_row *rows;     /* refused files first get rows too */
	struct kernel_tree *trees;   /* per row; vmlinuz[0] == 0: cannot run */
	unsigned int *pos;           /* per row: its first file's place on the command line */
	unsigned int nrows;
};

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* A pending SIGINT/SIGTERM/SIGHUP (non-blocking): remember it; -EINTR. */
static int check_signal(void *opaque)
{
	struct kernels *k = opaque;
	struct signalfd_siginfo si;

	if (k->stopped)
		return -EINTR;
	if (read(k->sigfd, &si, sizeof(si)) == sizeof(si)) {
		k->stopped = 128 + (int)si.ssi_signo;
		return -EINTR;
	}
	return 0;
}

static struct kernel_row *add_row(struct kernels *k, const char *kernel, const char *files, unsigned int pos)
{
	struct kernel_row *r = &k->rows[k->nrows];

	k->pos[k->nrows++] = pos;

	memset(r, 0, sizeof(*r));
	snprintf(r->kernel, sizeof(r->kernel), "%.*s", (int)sizeof(r->kernel) - 1, kernel);
	snprintf(r->files, sizeof(r->files), "%.*s", (int)sizeof(r->files) - 1, files);
	return r;
}

static void refuse(struct kernel_row *r, const char *why)
{
	r->res.status = EXIT_VMM_ERROR;
	snprintf(r->res.msg, sizeof(r->res.msg), "%s", why);
	pr_err("%s", why);
}

static int split_files(struct kernels *k)
{
	size_t len = 0, pos = 0;

	for (unsigned int i = 0; i < k->cfg->nkernel_packages; i++)
		len += strlen(k->cfg->kernel_packages[i]) + 1;
	k->files_buf = malloc(len + 1);
	if (!k->files_buf)
		return -ENOMEM;
	for (unsigned int i = 0; i < k->cfg->nkernel_packages; i++) {
		char *s = k->files_buf + pos, *save = NULL;

		strcpy(s, k->cfg->kernel_packages[i]);
		pos += strlen(s) + 1;
		/* config_parse checked: no empty names, at most CONFIG_MAX_KERNEL_PACKAGES. */
		for (char *f = strtok_r(s, ",", &save); f && k->nfiles < CONFIG_MAX_KERNEL_PACKAGES;
		     f = strtok_r(NULL, ",", &save))
			k->files[k->nfiles++] = f;
	}
	return 0;
}

/*
 * The kernel has no module for an assigned device: refused when the host
 * drives that device (so a driver exists, the package lacks it), else a
 * warning (the test may load its own driver).
 */
static int check_drivers(struct kernels *k, const struct kpkg_group *g, const char *moddir, char *err, size_t errlen)
{
	const char *kver = g->kver;
	bool rpm = g->n && g->pkg[0]->format == KPKG_RPM;
	const struct config *cfg = k->cfg;
	char aliases[CONFIG_MAX_ASSIGN][256], name[PCI_BDF_STRLEN];
	const char *ptrs[CONFIG_MAX_ASSIGN];
	unsigned int idx[CONFIG_MAX_ASSIGN], n = 0;
	struct module_list mods;
	int ret;

	for (unsigned int i = 0; i < cfg->nassign; i++) {
		guest_read_modalias(&cfg->assign[i], aliases[n], sizeof(aliases[n]));
		if (aliases[n][0]) {
			ptrs[n] = aliases[n];
			idx[n++] = i;
		}
	}
	if (!n)
		return 0;
	ret = modules_resolve(moddir, ptrs, n, &mods, err, errlen);
	if (ret)
		return ret;
	for (unsigned int j = 0; !ret && j < n; j++) {
		const struct host_sysfs host_fs = { .root = "/sys" };
		char link[PATH_MAX], drv[PATH_MAX] = "";
		ssize_t l;

		if (!(mods.unmatched & (1ULL << j)))
			continue;
		pci_bdf_format(&cfg->assign[idx[j]], name);
		snprintf(link, sizeof(link), "/sys/bus/pci/devices/%s/driver", name);
		l = readlink(link, drv, sizeof(drv) - 1);
		drv[l > 0 ? l : 0] = 0;
		/* A VFIO driver on the host (vfio-pci or a variant) says nothing of the guest's. */
		if (l > 0 && !host_pci_vfio_driver(&host_fs, name, base_name(drv))) {
			snprintf(err, errlen,
				 "kernel %.127s has no driver for %s, which the host drives with %.64s: add the package that holds %.64s.ko to its --kernel-package (%s%.127s%s)",
				 kver, name, base_name(drv), base_name(drv),
				 rpm ? "Fedora: --kernel-package kernel-core.rpm,kernel-modules-" :
				       "Ubuntu: --kernel-package IMAGE.deb,linux-modules-extra-",
				 kver, rpm ? ".rpm" : ".deb");
			ret = -ENOENT;
		} else {
			dev_warn(name, "kernel %s has no driver for it (%s): the guest sees it without one", kver,
				 aliases[j]);
		}
	}
	modules_free(&mods);
	return ret;
}

/* The package's image is a kernel this arch boots: checked before any guest runs. */
static int check_image(const struct config *cfg, const char *vmlinuz, const char *kver, const char *files,
		       char *err, size_t errlen)
{
	struct arch_kernel *img = NULL;
	char why[512];
	int ret = arch_kernel_open(&img, cfg, vmlinuz, why, sizeof(why));

	arch_kernel_close(img);
	if (ret)
		snprintf(err, errlen, "%.300s: the kernel image of %.127s cannot boot: %.500s", files, kver, why);
	return ret;
}

/* A kernel to build: its group, row and packages. */
struct item {
	const struct kpkg_group *g;
	unsigned int row;
	struct kpkg_file *files_of[KPKG_GROUP_MAX];
	char files[512];
	/* While its child builds it. */
	pid_t pid;
	int pidfd, memfd;
	bool failed;                 /* the child's error is in err */
	char err[1024];
};

/* The tree (found in the cache or unpacked) and its image checked, which caches the decompressed kernel too. */
static int build_tree(struct kernels *k, struct item *it, const char *cache, char *err, size_t errlen)
{
	struct kernel_tree *t = &k->trees[it->row];

	return kcache_get(it->g, it->files_of, cache, t, check_signal, k, err, errlen) ?:
	       check_image(k->cfg, t->vmlinuz, it->g->kver, it->files, err, errlen);
}

static int start_build(struct kernels *k, struct item *it, const char *cache)
{
	it->memfd = memfd_create("minivmm-kernel-build", MFD_CLOEXEC);
	if (it->memfd < 0)
		return -errno;
	fflush(NULL);
	it->pid = fork();
	if (it->pid == 0) {
		char err[1024] = "";
		int ret = build_tree(k, it, cache, err, sizeof(err));

		if (ret && ret != -EINTR && pwrite(it->memfd, err, strlen(err), 0) < 0)
			_exit(3);
		_exit(ret == -EINTR ? 2 : ret ? 1 : 0);
	}
	if (it->pid < 0) {
		close(it->memfd);
		return -errno;
	}
	it->pidfd = (int)syscall(SYS_pidfd_open, it->pid, 0);
	return 0;
}

static void end_build(struct item *it)
{
	ssize_t n;
	int status = 0;

	while (waitpid(it->pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		it->failed = true;
		n = pread(it->memfd, it->err, sizeof(it->err) - 1, 0);
		it->err[n > 0 ? n : 0] = 0;
		if (!it->err[0])
			snprintf(it->err, sizeof(it->err), "unpacking kernel %s %s %d", it->g->kver,
				 WIFSIGNALED(status) ? "died of signal" : "stopped with status",
				 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	}
	if (it->pidfd >= 0)
		close(it->pidfd);
	close(it->memfd);
	it->pid = 0;
}

/*
 * Build the trees in child processes, as many at a time as there are
 * CPUs: unpacking is bound by decompression and depmod, and kernels are
 * independent. Signals to us are passed on; after one, no more start.
 */
static void build_all(struct kernels *k, struct item *items, unsigned int n, const char *cache)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned int max = ncpu < 1 ? 1 : ncpu > 8 ? 8 : (unsigned int)ncpu, next = 0, running = 0;

	while (next < n || running) {
		struct pollfd pfd[9];
		struct item *on[8];
		struct signalfd_siginfo si;
		unsigned int np = 0;

		while (!k->stopped && next < n && running < max) {
			if (start_build(k, &items[next], cache)) {
				items[next].failed = true;
				snprintf(items[next].err, sizeof(items[next].err), "cannot fork to unpack kernel %s",
					 items[next].g->kver);
			} else {
				running++;
			}
			next++;
		}
		if (k->stopped)
			next = n;
		for (unsigned int i = 0; i < n; i++)
			if (items[i].pid > 0) {
				on[np] = &items[i];
				pfd[np++] = (struct pollfd){ .fd = items[i].pidfd, .events = POLLIN };
			}
		if (!np)
			break;
		pfd[np] = (struct pollfd){ .fd = k->sigfd, .events = POLLIN };
		/* Without pidfds (Linux < 5.3), each child in turn; signals wait. */
		if (on[0]->pidfd < 0) {
			end_build(on[0]);
			running--;
			continue;
		}
		if (poll(pfd, np + 1, -1) < 0 && errno != EINTR)
			break;
		if (pfd[np].revents & POLLIN && read(k->sigfd, &si, sizeof(si)) == sizeof(si)) {
			k->stopped = 128 + (int)si.ssi_signo;
			for (unsigned int i = 0; i < np; i++)
				kill(on[i]->pid, (int)si.ssi_signo);
		}
		for (unsigned int i = 0; i < np; i++)
			if (pfd[i].revents & POLLIN) {
				end_build(on[i]);
				running--;
			}
	}
}

/* Read, classify, group and unpack every package; one row per kernel (or refused file). */
static int prepare(struct kernels *k)
{
	struct kpkg_info infos[CONFIG_MAX_KERNEL_PACKAGES];
	struct kpkg_group groups[CONFIG_MAX_KERNEL_PACKAGES];
	struct pkg *of_info[CONFIG_MAX_KERNEL_PACKAGES];
	struct item *items;
	char err[1024], cache[PATH_MAX];
	unsigned int nok = 0, nitems = 0;
	struct utsname u;
	int ng;

	uname(&u);
	for (unsigned int i = 0; i < k->nfiles; i++) {
		struct pkg *p = &k->pkgs[i];

		p->info.file = k->files[i];
		if (kpkg_file_open(&p->file, k->files[i], err, sizeof(err)) ||
		    kpkg_file_read_info(&p->file, &p->info, err, sizeof(err)) ||
		    kpkg_classify(&p->info, kpkg_deb_arch(u.machine), err, sizeof(err))) {
			refuse(add_row(k, base_name(k->files[i]), base_name(k->files[i]), i), err);
			continue;
		}
		p->ok = true;
		infos[nok] = p->info;
		of_info[nok++] = p;
	}
	ng = kpkg_group(infos, nok, groups, CONFIG_MAX_KERNEL_PACKAGES, err, sizeof(err));
	if (ng < 0) {
		pr_err("%s", err);
		return EXIT_VMM_ERROR;
	}
	items = calloc((size_t)ng + 1, sizeof(*items));
	if (!items) {
		pr_err("out of memory");
		return EXIT_VMM_ERROR;
	}
	cache_dir(cache, sizeof(cache));
	for (int g = 0; g < ng; g++) {
		struct item *it = &items[nitems];
		unsigned int first = UINT_MAX;

		for (unsigned int i = 0; i < groups[g].n; i++) {
			unsigned int pos = (unsigned int)(of_info[groups[g].pkg[i] - infos] - k->pkgs);

			first = pos < first ? pos : first;
			it->files_of[i] = &of_info[groups[g].pkg[i] - infos]->file;
		}
		kpkg_group_files(&groups[g], it->files, sizeof(it->files));
		it->g = &groups[g];
		it->row = k->nrows;
		add_row(k, groups[g].kver, it->files, first);
		if (kpkg_group_check(&groups[g], err, sizeof(err)))
			refuse(&k->rows[it->row], err);
		else
			nitems++;
	}
	build_all(k, items, nitems, cache);
	/* Each tree is in the cache now (or failed): look it up, check the drivers. */
	for (unsigned int i = 0; i < nitems && !k->stopped; i++) {
		struct item *it = &items[i];
		struct kernel_tree *t = &k->trees[it->row];

		if (it->failed || build_tree(k, it, cache, it->err, sizeof(it->err)) ||
		    check_drivers(k, it->g, t->modules, it->err, sizeof(it->err))) {
			t->vmlinuz[0] = 0;
			if (!k->stopped)
				refuse(&k->rows[it->row], it->err);
		}
	}
	if (k->stopped)
		for (unsigned int i = 0; i < nitems; i++)
			k->trees[items[i].row].vmlinuz[0] = 0;
	free(items);
	return 0;
}

/* Rows in command-line order (refused files were listed first): the order of runs and of the status. */
static void sort_rows(struct kernels *k)
{
	for (unsigned int i = 1; i < k->nrows; i++) {
		for (unsigned int j = i; j > 0 && k->pos[j - 1] > k->pos[j]; j--) {
			struct kernel_row r = k->rows[j];
			struct kernel_tree t = k->trees[j];
			unsigned int p = k->pos[j];

			k->rows[j] = k->rows[j - 1];
			k->trees[j] = k->trees[j - 1];
			k->pos[j] = k->pos[j - 1];
			k->rows[j - 1] = r;
			k->trees[j - 1] = t;
			k->pos[j - 1] = p;
		}
	}
}

/* Wait for the child @pid, passing on the signals we get; its wait status. */
static int wait_child(struct kernels *k, pid_t pid)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0), status = 0;

	while (pidfd >= 0) {
		struct pollfd pfd[2] = { { .fd = pidfd, .events = POLLIN }, { .fd = k->sigfd, .events = POLLIN } };
		struct signalfd_siginfo si;

		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents & POLLIN && read(k->sigfd, &si, sizeof(si)) == sizeof(si)) {
			k->stopped = 128 + (int)si.ssi_signo;
			kill(pid, (int)si.ssi_signo);
		}
		if (pfd[0].revents & POLLIN)
			break;
	}
	if (pidfd >= 0)
		close(pidfd);
	/* Without pidfds (Linux < 5.3) signals wait until the child is done. */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

/* In the child: boot one kernel as --kernel/--modules would, report through @memfd. */
static void child_run(struct kernels *k, unsigned int i, unsigned int nrun, int memfd, kernels_run_fn run)
{
	struct kernel_row *r = &k->rows[i];
	struct config cfg = *k->cfg;
	struct kernel_result res = { .status = EXIT_VMM_ERROR };
	char console[PATH_MAX];
	struct kernel_suite ks = { .kernel = r->kernel, .files = r->files };
	int fd = dup(memfd);

	cfg.kernel = k->trees[i].vmlinuz;
	cfg.modules = k->trees[i].modules;
	cfg.junit = NULL;
	cfg.nkernel_packages = 0;
	if (cfg.console && nrun > 1) {
		snprintf(console, sizeof(console), "%s.%s", cfg.console, r->kernel);
		cfg.console = console;
	}
	ks.f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!ks.f || fseek(ks.f, sizeof(res), SEEK_SET))
		_exit(EXIT_VMM_ERROR);
	run(&cfg, k->sigfd, &ks, &res);
	fflush(NULL);
	if (fflush(ks.f) || pwrite(memfd, &res, sizeof(res), 0) != sizeof(res))
		_exit(EXIT_VMM_ERROR);
	_exit(res.status & 0xff);
}

/* The child's report: its result and its <testsuite>; a child that died says so. */
static void collect(struct kernel_row *r, int memfd, int status)
{
	struct stat st;
	size_t len;

	r->ran = true;
	if (fstat(memfd, &st) || st.st_size < (off_t)sizeof(r->res) ||
	    pread(memfd, &r->res, sizeof(r->res), 0) != sizeof(r->res)) {
		r->res.status = EXIT_VMM_ERROR;
		snprintf(r->res.msg, sizeof(r->res.msg), "the minivmm process running kernel %s %s %d", r->kernel,
			 WIFSIGNALED(status) ? "died of signal" : "exited with", WIFSIGNALED(status) ? WTERMSIG(status)
											: WEXITSTATUS(status));
		pr_err("%s", r->res.msg);
		r->ran = false;
		return;
	}
	r->res.msg[sizeof(r->res.msg) - 1] = 0;
	len = (size_t)st.st_size - sizeof(r->res);
	r->suite = len ? malloc(len + 1) : NULL;
	if (r->suite && pread(memfd, r->suite, len, sizeof(r->res)) == (ssize_t)len) {
		r->suite[len] = 0;
	} else {
		free(r->suite);
		r->suite = NULL;
	}
}

static void run_all(struct kernels *k, kernels_run_fn run)
{
	unsigned int nrun = 0, done = 0;

	for (unsigned int i = 0; i < k->nrows; i++)
		nrun += k->trees[i].vmlinuz[0] != 0;
	for (unsigned int i = 0; i < k->nrows && !k->stopped; i++) {
		struct kernel_row *r = &k->rows[i];
		int memfd, status;
		long t0;
		pid_t pid;

		if (!k->trees[i].vmlinuz[0])
			continue;
		if (check_signal(k))
			break; /* arrived between two kernels */
		pr_notice("kernel %u of %u: %s (%s)", ++done, nrun, r->kernel, r->files);
		memfd = memfd_create("minivmm-kernel-result", MFD_CLOEXEC);
		if (memfd < 0) {
			refuse(r, "cannot create a memfd for the child's report");
			continue;
		}
		fflush(NULL);
		t0 = now_ms();
		pid = fork();
		if (pid == 0)
			child_run(k, i, nrun, memfd, run);
		if (pid < 0) {
			refuse(r, "cannot fork to run the kernel");
			close(memfd);
			continue;
		}
		status = wait_child(k, pid);
		r->ms = now_ms() - t0;
		collect(r, memfd, status);
		close(memfd);
	}
	for (unsigned int i = 0; i < k->nrows && k->stopped; i++) {
		if (!k->rows[i].ran && !k->rows[i].res.msg[0]) {
			k->rows[i].res.status = k->stopped;
			snprintf(k->rows[i].res.msg, sizeof(k->rows[i].res.msg), "not run: minivmm was stopped by signal %d",
				 k->stopped - 128);
		}
	}
}

static int report(struct kernels *k, long t0)
{
	int status = kreport_status(k->rows, k->nrows, k->stopped);

	/* The table is a summary (--quiet drops it, as the tests: line); why
	 * each kernel that did not pass did not is an error, below the table
	 * where CI logs are read. */
	if (log_shown(LOG_NOTICE))
		kreport_table(stderr, k->rows, k->nrows);
	for (unsigned int i = 0; i < k->nrows; i++) {
		const struct kernel_row *r = &k->rows[i];

		if (!r->res.status || !r->res.msg[0])
			continue;
		if (!strncmp(r->res.msg, r->kernel, strlen(r->kernel)))
			fprintf(stderr, "minivmm: %s\n", r->res.msg); /* names its file already */
		else
			fprintf(stderr, "minivmm: %s: %s\n", r->kernel, r->res.msg);
	}
	if (k->cfg->junit) {
		FILE *f = fopen(k->cfg->junit, "we");

		if (!f || kreport_junit(f, k->rows, k->nrows, (double)(now_ms() - t0) / 1000) || fclose(f)) {
			pr_err("cannot write --junit %s: %s", k->cfg->junit, strerror(errno));
			return EXIT_VMM_ERROR;
		}
	}
	return status;
}

int kernels_main(const struct config *cfg, int sigfd, kernels_run_fn run)
{
	struct kernels k = { .cfg = cfg, .sigfd = sigfd };
	long t0 = now_ms();
	int status;

	k.pkgs = calloc(CONFIG_MAX_KERNEL_PACKAGES, sizeof(*k.pkgs));
	k.rows = calloc(CONFIG_MAX_KERNEL_PACKAGES, sizeof(*k.rows));
	k.trees = calloc(CONFIG_MAX_KERNEL_PACKAGES, sizeof(*k.trees));
	k.pos = calloc(CONFIG_MAX_KERNEL_PACKAGES, sizeof(*k.pos));
	if (!k.pkgs || !k.rows || !k.trees || !k.pos || split_files(&k)) {
		pr_err("out of memory");
		status = EXIT_VMM_ERROR;
		goto out;
	}
	status = prepare(&k);
	/* The packages are unpacked: their mappings need not reach the guests' processes. */
	for (unsigned int i = 0; i < k.nfiles; i++)
		kpkg_file_close(&k.pkgs[i].file);
	if (status)
		goto out;
	sort_rows(&k);
	run_all(&k, run);
	status = report(&k, t0);
out:
	for (unsigned int i = 0; k.rows && i < k.nrows; i++)
		free(k.rows[i].suite);
	free(k.files_buf);
	free(k.pkgs);
	free(k.rows);
	free(k.trees);
	free(k.pos);
	return status;
}
