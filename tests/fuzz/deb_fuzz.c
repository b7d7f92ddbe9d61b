// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for unpacking a distribution kernel package
 * (deb_open, deb_read_control, deb_unpack in src/runner/debpkg.c, over
 * tar.c and kpkg.c): the input is the package's data.tar, after a flag
 * byte. The harness wraps it as a .deb (debian-binary, a control.tar
 * with a control file and an md5sums list, then the data member,
 * uncompressed so that it is read in place; the decoders have their
 * own harness), makes every tar header's checksum right (flag bit 0
 * clear) so the fuzzer gets past it, and unpacks it under an empty
 * directory on tmpfs (./deb-tree when there is no /dev/shm).
 *
 * Checked: nothing is ever written outside the unpack root, and nothing
 * inside it is a symlink. A package unpacked without error holds exactly
 * the kept paths (kpkg_note_path's of each file, directory and hard link
 * whose target was kept) and their parent directories, each kept file
 * with the data of its entry (a hard link with its target's); the
 * package's paths were noted as it went. A refusal is one line.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "minivmm/runner/debpkg.h"
#include "minivmm/runner/kpkg.h"
#include "minivmm/runner/tar.h"

#define MAX_KEPT 64

static char base[PATH_MAX], root[PATH_MAX + 16], outside[PATH_MAX + 16];
static int rootfd = -1;

/* Empty the directory @dfd (closed): by file descriptors, as the trees
 * may be deeper than PATH_MAX allows a path to be. */
static void empty_dirfd(int dfd)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;

	FUZZ_CHECK(d);
	while ((de = readdir(d))) {
		int sub;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (!unlinkat(dirfd(d), de->d_name, 0))
			continue;
		sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		FUZZ_CHECK(sub >= 0);
		empty_dirfd(sub);
		FUZZ_CHECK(!unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR));
	}
	closedir(d);
}

static void empty_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	FUZZ_CHECK(fd >= 0);
	empty_dirfd(fd);
}

static void remove_base(void)
{
	int fd = base[0] ? open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;

	if (fd >= 0) {
		empty_dirfd(fd);
		rmdir(base);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct stat st;

	(void)argc;
	(void)argv;
	fuzz_quiet();
	/* tmpfs when there is one: the trees are most of the work. */
	if (!stat("/dev/shm", &st) && S_ISDIR(st.st_mode))
		snprintf(base, sizeof(base), "/dev/shm/minivmm-deb-fuzz-%ld", (long)getpid());
	else
		FUZZ_CHECK(getcwd(base, sizeof(base) - 32) && strcat(base, "/deb-tree"));
	remove_base();
	FUZZ_CHECK(!mkdir(base, 0700));
	atexit(remove_base);
	snprintf(root, sizeof(root), "%s/root", base);
	snprintf(outside, sizeof(outside), "%s/outside", base);
	FUZZ_CHECK(!mkdir(root, 0755) && !mkdir(outside, 0755));
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	FUZZ_CHECK(rootfd >= 0);
	return 0;
}

/* ---- the package ---- */

struct buf {
	uint8_t *p;
	size_t n, cap;
};

static void put(struct buf *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 4096;
		b->p = realloc(b->p, b->cap);
		FUZZ_CHECK(b->p);
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

static void tar_file(struct buf *b, const char *name, const char *data)
{
	uint8_t h[512] = { 0 }, pad[512] = { 0 };
	size_t n = strlen(data);
	unsigned int sum = 0;

	snprintf((char *)h, 100, "%s", name);
	snprintf((char *)h + 100, 8, "%07o", 0644);
	snprintf((char *)h + 124, 12, "%011o", (unsigned int)n);
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	put(b, h, 512);
	put(b, data, n);
	put(b, pad, (512 - n % 512) % 512);
}

static void ar_member(struct buf *b, const char *name, const void *p, size_t n)
{
	char h[61];

	snprintf(h, sizeof(h), "%-16s%-12d%-6d%-6d%-8s%-10zu`\n", name, 0, 0, 0, "100644", n);
	put(b, h, 60);
	put(b, p, n);
	if (n % 2)
		put(b, "\n", 1);
}

/* ---- what the package should unpack to ---- */

struct kept {
	char rel[PATH_MAX];
	bool is_dir;
	uint64_t hash, size;
	bool found;
};

static struct kept kept[MAX_KEPT];
static unsigned int nkept;
static bool model_ok; /* the model is complete (no more than MAX_KEPT kept) */

struct src {
	const uint8_t *p;
	size_t n, pos;
};

static ssize_t src_read(void *opaque, void *buf, size_t n)
{
	struct src *s = opaque;

	if (n > s->n - s->pos)
		n = s->n - s->pos;
	memcpy(buf, s->p + s->pos, n);
	s->pos += n;
	return (ssize_t)n;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

static struct kept *find_kept(const char *rel)
{
	for (unsigned int i = 0; i < nkept; i++)
		if (!strcmp(kept[i].rel, rel))
			return &kept[i];
	return NULL;
}

/* Read the data tar as a reader would and note what deb_unpack keeps of it. */
static void model(const uint8_t *p, size_t n)
{
	static struct tar_entry e;
	static char rel[PATH_MAX], target[PATH_MAX];
	static uint8_t buf[4096];
	struct src s = { .p = p, .n = n };
	struct tar t;

	nkept = 0;
	model_ok = true;
	tar_init(&t, src_read, &s);
	while (tar_next(&t, &e) == 1) {
		struct kpkg_info scratch = { .file = NULL };
		uint64_t h = 0xcbf29ce484222325ULL, size = 0;
		struct kept *k;
		ssize_t r;

		if (kpkg_note_path(&scratch, e.path, e.type == TAR_DIR, rel, sizeof(rel)) != 1)
			continue;
		if (e.type == TAR_HARDLINK) {
			struct kept *tk;

			if (kpkg_note_path(&scratch, e.link, false, target, sizeof(target)) != 1)
				continue;
			tk = find_kept(target);
			/* A link to what was not unpacked is passed over. */
			if (!tk || tk->is_dir)
				continue;
			h = tk->hash;
			size = tk->size;
		} else if (e.type == TAR_FILE) {
			while ((r = tar_read(&t, buf, sizeof(buf))) > 0) {
				h = fnv(h, buf, (size_t)r);
				size += (uint64_t)r;
			}
		} else if (e.type != TAR_DIR) {
			continue;
		}
		if ((k = find_kept(rel)) && k->is_dir && e.type == TAR_DIR)
			continue;
		if (nkept == MAX_KEPT) {
			model_ok = false;
			return;
		}
		k = &kept[nkept++];
		snprintf(k->rel, sizeof(k->rel), "%s", rel);
		k->is_dir = e.type == TAR_DIR;
		k->hash = h;
		k->size = size;
		k->found = false;
	}
}

/* ---- the tree ---- */

static bool exact; /* the unpack succeeded: the tree is the model */

/* Whether @rel is a kept path's parent directory. */
static bool is_parent(const char *rel)
{
	size_t n = strlen(rel);

	for (unsigned int i = 0; i < nkept; i++)
		if (!strncmp(kept[i].rel, rel, n) && kept[i].rel[n] == '/')
			return true;
	return false;
}

/* Check the directory @dfd (closed), @rel under the root, and below it. */
static void visit(int dfd, char *rel, size_t rlen)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;

	FUZZ_CHECK(d);
	while ((de = readdir(d))) {
		size_t nl = strlen(de->d_name);
		struct kept *k;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		FUZZ_CHECK(!fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW));
		FUZZ_CHECK(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode));
		FUZZ_CHECK(rlen + 1 + nl < PATH_MAX + 256);
		snprintf(rel + rlen, PATH_MAX + 256 - rlen, "%s%s", rlen ? "/" : "", de->d_name);
		k = exact ? find_kept(rel) : NULL;
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (exact) {
				FUZZ_CHECK((k && k->is_dir) || is_parent(rel));
				if (k)
					k->found = true;
			}
			FUZZ_CHECK(sub >= 0);
			visit(sub, rel, strlen(rel));
		} else if (exact) {
			int fd = openat(dirfd(d), de->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			uint64_t size = 0, h = 0xcbf29ce484222325ULL;
			static uint8_t buf[4096];
			ssize_t r;

			FUZZ_CHECK(fd >= 0);
			while ((r = read(fd, buf, sizeof(buf))) > 0) {
				h = fnv(h, buf, (size_t)r);
				size += (uint64_t)r;
			}
			close(fd);
			FUZZ_CHECK(k && !k->is_dir);
			FUZZ_CHECK(size == k->size && h == k->hash);
			k->found = true;
		}
		rel[rlen] = 0;
	}
	closedir(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char control[] = "Package: linux-image-6.1.0-57-amd64\nVersion: 6.1.158-1\n"
				      "Architecture: amd64\n";
	static const char md5sums[] = "d41d8cd98f00b204e9800998ecf8427e  boot/vmlinuz-6.1.0-57-amd64\n";
	struct buf ctl = { 0 }, deb = { 0 };
	struct kpkg_info info = { .file = "fuzz.deb" };
	uint8_t *tar, zero[1024] = { 0 };
	char path[64], err[1024] = "";
	size_t n = size ? size - 1 : 0;
	struct deb d;
	int ret;

	if (!size)
		return 0;
	tar = malloc(n + 1);
	FUZZ_CHECK(tar);
	memcpy(tar, data + 1, n);
	if (!(data[0] & 1))
		fuzz_tar_fix_checksums(tar, n);
	tar_file(&ctl, "./control", control);
	tar_file(&ctl, "./md5sums", md5sums);
	put(&ctl, zero, sizeof(zero));
	put(&deb, "!<arch>\n", 8);
	ar_member(&deb, "debian-binary", "2.0\n", 4);
	ar_member(&deb, "control.tar", ctl.p, ctl.n);
	ar_member(&deb, "data.tar", tar, n);
	fuzz_file(deb.p, deb.n, path, sizeof(path));

	FUZZ_CHECK(!deb_open(&d, path, err, sizeof(err)));
	FUZZ_CHECK(d.data.size == n);
	FUZZ_CHECK(!deb_read_control(&d, &info, err, sizeof(err)));
	FUZZ_CHECK(!strcmp(info.package, "linux-image-6.1.0-57-amd64") && info.has_vmlinuz);

	empty_dir(root);
	model(tar, n);
	ret = deb_unpack(&d, &info, rootfd, NULL, NULL, err, sizeof(err));
	if (ret) {
		if (getenv("DEB_DEBUG"))
			fprintf(stdout, "err [%s]\n", err);
		FUZZ_CHECK(ret < 0 && err[0] && !strchr(err, '\n'));
	} else {
		FUZZ_CHECK(!err[0] || !strchr(err, '\n'));
		if (nkept)
			FUZZ_CHECK(info.have_paths);
	}
	exact = !ret && model_ok;
	{
		static char rel[PATH_MAX + 256];
		int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		FUZZ_CHECK(fd >= 0);
		rel[0] = 0;
		visit(fd, rel, 0);
	}
	for (unsigned int i = 0; exact && i < nkept; i++)
		FUZZ_CHECK(kept[i].found);
	/* Nothing beside the root. */
	{
		DIR *dir = opendir(outside);
		struct dirent *de;
		unsigned int entries = 0;

		FUZZ_CHECK(dir);
		while ((de = readdir(dir)))
			entries++;
		closedir(dir);
		FUZZ_CHECK(entries == 2);
	}
	deb_close(&d);
	free(tar);
	free(ctl.p);
	free(deb.p);
	return 0;
}
