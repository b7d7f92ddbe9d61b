// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the zero-config initramfs built from an odd modules
 * tree and an odd --share tree (src/runner/modules.c, initramfs.c, cpio.c):
 *
 *  - the dependency walk (modules_walk) over a module graph the input
 *    describes, seen through a fake libkmod that answers as libkmod does
 *    for such a modules.dep/modules.softdep/modules.alias: module paths
 *    made of arbitrary bytes, absolute ones (libkmod takes those as they
 *    are), ones too long for PATH_MAX (libkmod then has none), built-in
 *    modules, dependency lists as depmod writes them (transitive) or any
 *    other, cycles, soft dependencies;
 *  - the child's report of it, read back by the parent;
 *  - the archive (initramfs_write) for the walk's modules, created as
 *    files under the modules directory given in one of the forms a user
 *    may write it (absolute, trailing slash, relative, a bare name), and a
 *    --share tree of files, directories, symlinks and FIFOs with arbitrary
 *    names, nested past the depth limit.
 *
 * The trees live in ./tree (libFuzzer's working directory; run.sh uses
 * build-fuzz/work/initramfs), rebuilt for every input. ".." components
 * are written "__" so that nothing outside ./tree is ever read.
 *
 * Checked: libkmod references and lists are all released; each module's
 * dependencies are asked for once per walk (no exponential re-walk of
 * shared dependencies); the result lists each file once, after its
 * dependencies, or is an error; the report reads back to the same list;
 * the archive is well-formed newc ending in its trailer, holds init,
 * busybox and the console node, each module at lib/modules/VERSION/REL
 * (REL: its place under the modules directory; a file from elsewhere at
 * its absolute path) after its parent directories, the module list in load
 * order, and every reachable share entry with its contents; it fails only
 * for a missing module file or a share tree nested too deep.
 */
#define _GNU_SOURCE /* nftw flags */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "minivmm/runner/initramfs.h"
#include "minivmm/runner/modules_walk.h"

#define NMOD 24
#define NALIAS 4
#define NSHARE 20
#define KVER "9.9.9-fuzz"
#define BUSYBOX "#!busybox\n\x7f\x00\x01"
#define INIT "#!/bin/sh\necho fuzz\n"

/* ---- the fake libkmod ---- */

struct kmod_ctx {
	int unused;
};

struct kmod_module {
	unsigned int idx;
	int refs;
	unsigned int deps_asked;
};

struct kmod_list {
	struct kmod_module *mod;
	struct kmod_list *next;
};

static struct {
	unsigned int n;
	char path[NMOD][PATH_MAX + 64];
	bool has_path[NMOD], file[NMOD];
	uint32_t deps[NMOD], pre[NMOD];
	struct kmod_module obj[NMOD];
	unsigned int nalias;
	char alias[NALIAS][16];
	uint32_t alias_mods[NALIAS];
	int lists;                   /* lists handed out and not released */
} g;

static struct kmod_ctx the_ctx;

static struct kmod_list *fake_list(uint32_t mask)
{
	struct kmod_list *head = NULL, **tail = &head;

	for (unsigned int i = 0; i < g.n; i++) {
		struct kmod_list *l;

		if (!(mask & (1u << i)))
			continue;
		l = malloc(sizeof(*l));
		FUZZ_CHECK(l);
		l->mod = &g.obj[i];
		l->next = NULL;
		g.obj[i].refs++;
		*tail = l;
		tail = &l->next;
	}
	if (head)
		g.lists++;
	return head;
}

static struct kmod_ctx *fake_new(const char *dirname, const char *const *config)
{
	(void)dirname;
	(void)config;
	return &the_ctx;
}

static struct kmod_ctx *fake_unref_ctx(struct kmod_ctx *ctx)
{
	FUZZ_CHECK(ctx == &the_ctx);
	return NULL;
}

static int fake_lookup(struct kmod_ctx *ctx, const char *alias, struct kmod_list **list)
{
	FUZZ_CHECK(ctx == &the_ctx && list && !*list);
	for (unsigned int i = 0; i < g.nalias; i++)
		if (!strcmp(alias, g.alias[i])) {
			*list = fake_list(g.alias_mods[i]);
			return 0;
		}
	return 0;
}

static struct kmod_module *fake_get_module(const struct kmod_list *l)
{
	FUZZ_CHECK(l && l->mod->refs > 0);
	l->mod->refs++;
	return l->mod;
}

static struct kmod_list *fake_get_deps(const struct kmod_module *mod)
{
	struct kmod_module *m = &g.obj[mod->idx];

	FUZZ_CHECK(m->refs > 0);
	m->deps_asked++;
	/* libkmod knows dependencies only of modules in modules.dep. */
	return g.has_path[mod->idx] ? fake_list(g.deps[mod->idx]) : NULL;
}

static int fake_get_softdeps(const struct kmod_module *mod, struct kmod_list **pre, struct kmod_list **post)
{
	FUZZ_CHECK(mod->refs > 0 && pre && post && !*pre && !*post);
	*pre = fake_list(g.pre[mod->idx]);
	return 0;
}

static const char *fake_get_path(const struct kmod_module *mod)
{
	FUZZ_CHECK(mod->refs > 0);
	return g.has_path[mod->idx] ? g.path[mod->idx] : NULL;
}

static const char *fake_get_name(const struct kmod_module *mod)
{
	static const char names[NMOD][8] = { "m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9", "m10", "m11",
					    "m12", "m13", "m14", "m15", "m16", "m17", "m18", "m19", "m20", "m21",
					    "m22", "m23" };

	FUZZ_CHECK(mod->refs > 0);
	return names[mod->idx];
}

static struct kmod_module *fake_unref(struct kmod_module *mod)
{
	FUZZ_CHECK(mod && mod->refs > 0);
	mod->refs--;
	return NULL;
}

static int fake_unref_list(struct kmod_list *list)
{
	if (list)
		g.lists--;
	while (list) {
		struct kmod_list *next = list->next;

		fake_unref(list->mod);
		free(list);
		list = next;
	}
	return 0;
}

static struct kmod_list *fake_next(const struct kmod_list *first, const struct kmod_list *l)
{
	FUZZ_CHECK(first && l);
	return l->next;
}

static const struct kmod_api fake_kmod = {
	.new_ctx = fake_new,
	.unref_ctx = fake_unref_ctx,
	.lookup = fake_lookup,
	.get_module = fake_get_module,
	.get_deps = fake_get_deps,
	.get_softdeps = fake_get_softdeps,
	.get_path = fake_get_path,
	.get_name = fake_get_name,
	.unref = fake_unref,
	.unref_list = fake_unref_list,
	.next = fake_next,
};

/* ---- the trees ---- */

static char root[PATH_MAX];          /* absolute ./tree */
static char cwd[PATH_MAX];

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

/* Empty the tree (not the tree itself: it may be a symlink to tmpfs). */
static void clear_tree(void)
{
	DIR *d = opendir(root);
	struct dirent *de;

	FUZZ_CHECK(d);
	while ((de = readdir(d))) {
		char p[PATH_MAX + 300];

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", root, de->d_name);
		nftw(p, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	}
	closedir(d);
}

/* mkdir -p of @path's parent directories (below the tree only). */
static void make_parents(const char *path)
{
	char buf[PATH_MAX + 64];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = 0;
		mkdir(buf, 0755);
		*p = '/';
	}
}

static void write_file(const char *path, const void *p, size_t n, mode_t mode)
{
	/* Never through a symlink the input made: nothing outside the tree. */
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);

	if (fd >= 0) {
		if (n)
			FUZZ_CHECK(write(fd, p, n) == (ssize_t)n);
		close(fd);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	FUZZ_CHECK(getcwd(cwd, sizeof(cwd)));
	snprintf(root, sizeof(root), "%s/tree", cwd);
	/* On tmpfs when there is one: creating and deleting the trees is most
	 * of the work, and ext4 is slow at it. */
	if (mkdir(root, 0755) && errno != EEXIST) {
		fprintf(stdout, "initramfs_fuzz: cannot create %s\n", root);
		exit(1);
	}
	{
		char shm[64];
		struct stat st;

		snprintf(shm, sizeof(shm), "/dev/shm/minivmm-initramfs-fuzz-%u", (unsigned int)getuid());
		if (!lstat(root, &st) && S_ISDIR(st.st_mode) && !rmdir(root) &&
		    ((mkdir(shm, 0700) && errno != EEXIST) || symlink(shm, root)))
			FUZZ_CHECK(!mkdir(root, 0755));
	}
	for (unsigned int i = 0; i < NMOD; i++)
		g.obj[i].idx = i;
	return 0;
}

/* A name from the input: no '/' or NUL, and ".." becomes "__". */
static void take_name(struct fz *in, char *out, size_t max)
{
	fz_str(in, out, max);
	for (char *p = out; *p; p++)
		if (*p == '/')
			*p = '_';
	if (!strcmp(out, ".."))
		strcpy(out, "__");
}

/* ---- the archive ---- */

struct entry {
	const char *name;
	uint32_t mode, size, rmaj, rmin;
	const uint8_t *data;
};

static uint32_t hex8(const char *p)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		char c = p[i];

		FUZZ_CHECK((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'));
		v = v * 16 + (c <= '9' ? c - '0' : c - 'A' + 10);
	}
	return v;
}

/* Parse a newc archive strictly; returns the entries (trailer excluded). */
FUZZ_NOCOV static unsigned int parse(const uint8_t *buf, size_t len, struct entry *e, unsigned int max)
{
	size_t off = 0;
	unsigned int n = 0;

	for (;;) {
		const char *h = (const char *)buf + off;
		uint32_t namesize, size;

		FUZZ_CHECK(off % 4 == 0 && len - off >= 110 && !memcmp(h, "070701", 6));
		namesize = hex8(h + 94);
		size = hex8(h + 54);
		FUZZ_CHECK(namesize >= 1 && namesize <= len - off - 110 && !h[110 + namesize - 1]);
		FUZZ_CHECK(strlen(h + 110) == namesize - 1);
		for (size_t i = 110 + namesize; (off + i) % 4; i++)
			FUZZ_CHECK(!h[i]);
		if (!strcmp(h + 110, "TRAILER!!!")) {
			FUZZ_CHECK(!size && len - off - 110 - namesize < 4);
			return n;
		}
		FUZZ_CHECK(n < max);
		e[n].name = h + 110;
		e[n].mode = hex8(h + 14);
		e[n].size = size;
		e[n].rmaj = hex8(h + 78);
		e[n].rmin = hex8(h + 86);
		off = (off + 110 + namesize + 3) & ~(size_t)3;
		FUZZ_CHECK(size <= len - off);
		e[n].data = buf + off;
		for (size_t i = size; (off + i) % 4; i++)
			FUZZ_CHECK(!buf[off + i]);
		off = (off + size + 3) & ~(size_t)3;
		n++;
	}
}

static int find(const struct entry *e, unsigned int n, const char *name, unsigned int from)
{
	for (unsigned int i = from; i < n; i++)
		if (!strcmp(e[i].name, name))
			return i;
	return -1;
}

/* Where module file @path goes below lib/modules/VERSION. */
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

/* ---- one input ---- */

struct share_ent {
	char host[PATH_MAX + 64], guest[PATH_MAX + 64];
	int type;                    /* 0 file, 1 dir, 2 symlink, 3 fifo */
	unsigned int depth;
	char data[64];
	size_t len;
};

static struct share_ent share[NSHARE];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz in = { data, size };
	struct module_list out = { .n = 0 }, back = { .n = 0 };
	char modules_dir[PATH_MAX], abs_dir[PATH_MAX], err[512], run[128], share_dir[PATH_MAX];
	const char *aliases[NALIAS + 1];
	struct initramfs_spec spec = { 0 };
	unsigned int nshare, form;
	bool complete, want_ok = true;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	/* A fresh tree: the modules directory, busybox, the share root. */
	clear_tree();
	snprintf(abs_dir, sizeof(abs_dir), "%s/lib/modules/" KVER "/x", root);
	make_parents(abs_dir);
	snprintf(share_dir, sizeof(share_dir), "%s/share", root);
	FUZZ_CHECK(!mkdir(share_dir, 0755));
	{
		char bb[PATH_MAX];

		snprintf(bb, sizeof(bb), "%s/busybox", root);
		write_file(bb, BUSYBOX, sizeof(BUSYBOX) - 1, 0755);
		spec.busybox = strdup(bb);
	}

	/* The modules directory as the user wrote it, and as libkmod makes it
	 * absolute (relative to the working directory, nothing else). */
	form = fz_u8(&in) % 5;
	switch (form) {
	case 0: snprintf(modules_dir, sizeof(modules_dir), "%s/lib/modules/" KVER, root); break;
	case 1: snprintf(modules_dir, sizeof(modules_dir), "%s/lib/modules/" KVER "/", root); break;
	case 2: snprintf(modules_dir, sizeof(modules_dir), "tree/lib/modules/" KVER); break;
	case 3: snprintf(modules_dir, sizeof(modules_dir), "%s/lib/modules/./" KVER, root); break;
	default: snprintf(modules_dir, sizeof(modules_dir), "tree"); break;
	}
	if (modules_dir[0] == '/')
		snprintf(abs_dir, sizeof(abs_dir), "%s", modules_dir);
	else
		snprintf(abs_dir, sizeof(abs_dir), "%s/%s", cwd, modules_dir);

	/* The module graph. */
	memset(&g, 0, offsetof(__typeof__(g), obj));
	for (unsigned int i = 0; i < NMOD; i++)
		g.obj[i] = (struct kmod_module){ .idx = i };
	g.lists = 0;
	g.n = fz_u8(&in) % (NMOD + 1);
	for (unsigned int i = 0; i < g.n; i++) {
		uint8_t fl = fz_u8(&in);
		char rel[PATH_MAX + 64] = "", comp[96];
		unsigned int ncomp = fz_u8(&in) % 4 + 1;
		size_t l = 0;

		for (unsigned int c = 0; c < ncomp; c++) {
			take_name(&in, comp, sizeof(comp));
			l += snprintf(rel + l, sizeof(rel) - l, "%s%s", c ? "/" : "", comp);
		}
		/* Paths name one module each, as in a real tree. */
		snprintf(rel + l, sizeof(rel) - l, "~%u", i);
		if (fl & 0x01) /* too long for PATH_MAX: libkmod has no path for it */
			while (strlen(rel) < PATH_MAX)
				strcat(rel, "/long-component-of-a-path");
		if (fl & 0x02) /* an absolute path in modules.dep: elsewhere, inside the tree */
			snprintf(g.path[i], sizeof(g.path[i]), "%s/elsewhere/%s", root, rel);
		else
			snprintf(g.path[i], sizeof(g.path[i]), "%s/%s", abs_dir, rel);
		g.has_path[i] = !(fl & 0x04) && strlen(g.path[i]) < PATH_MAX;
		g.file[i] = g.has_path[i] && !(fl & 0x08);
		if (fl & 0x10) /* as depmod writes it: every module after this one */
			g.deps[i] = (~0u << (i + 1)) & ((1u << g.n) - 1);
		else
			g.deps[i] = fz_u32(&in) & ((1u << g.n) - 1);
		g.pre[i] = fl & 0x20 ? fz_u32(&in) & ((1u << g.n) - 1) : 0;
	}
	g.nalias = fz_u8(&in) % (NALIAS + 1);
	for (unsigned int i = 0; i < g.nalias; i++) {
		snprintf(g.alias[i], sizeof(g.alias[i]), "alias%u", i);
		g.alias_mods[i] = fz_u32(&in) & ((1u << g.n) - 1);
		aliases[i] = g.alias[i];
	}
	aliases[g.nalias] = "pci:no-such-alias";

	/* The walk, and its report read back. */
	ret = modules_walk(&fake_kmod, &the_ctx, aliases, g.nalias + 1, &out);
	FUZZ_CHECK(!g.lists);
	for (unsigned int i = 0; i < g.n; i++)
		FUZZ_CHECK(!g.obj[i].refs && g.obj[i].deps_asked <= 1);
	FUZZ_CHECK(ret == 0 || ret == -ELOOP || ret == -E2BIG);
	if (ret) {
		FUZZ_CHECK(ret != -E2BIG || out.n == MODULES_MAX);
		modules_free(&out);
	}
	for (unsigned int i = 0; i < out.n; i++) {
		unsigned int m = NMOD;

		for (unsigned int j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(out.path[i], out.path[j]));
		for (unsigned int k = 0; k < g.n && m == NMOD; k++)
			if (g.has_path[k] && !strcmp(g.path[k], out.path[i]))
				m = k;
		FUZZ_CHECK(m < NMOD);
		/* Its dependencies (with a file) come first. */
		for (unsigned int k = 0; k < g.n; k++) {
			bool before = false;

			if (!((g.deps[m] | g.pre[m]) & (1u << k)) || !g.has_path[k] || !strcmp(g.path[k], g.path[m]))
				continue;
			for (unsigned int j = 0; j < i; j++)
				before = before || !strcmp(out.path[j], g.path[k]);
			/* A dependency cycle through m may list it after. */
			if (!before)
				FUZZ_CHECK((g.deps[k] | g.pre[k]) != 0);
		}
	}
	f = open_memstream(&buf, &len);
	FUZZ_CHECK(f);
	modules_report(f, &out, 0, modules_dir);
	fclose(f);
	f = fmemopen(buf, len ? len : 1, "r");
	FUZZ_CHECK(f);
	err[0] = 0;
	FUZZ_CHECK(modules_read_report(f, &back, err, sizeof(err), &complete) == 0 && !complete);
	fclose(f);
	free(buf);
	FUZZ_CHECK(back.n == out.n);
	for (unsigned int i = 0; i < out.n; i++)
		FUZZ_CHECK(!strcmp(back.path[i], out.path[i]));
	modules_free(&back);

	/* The module files, where libkmod said they are. */
	for (unsigned int i = 0; i < g.n; i++) {
		if (!g.file[i])
			continue;
		make_parents(g.path[i]);
		write_file(g.path[i], &g.path[i][strlen(g.path[i]) / 2], 5, 0644);
	}
	for (unsigned int i = 0; i < out.n; i++) {
		struct stat st;

		want_ok = want_ok && !stat(out.path[i], &st) && S_ISREG(st.st_mode);
	}

	/* The share tree: entries below the share root or an earlier directory. */
	nshare = fz_u8(&in) % (NSHARE + 1);
	for (unsigned int i = 0; i < nshare; i++) {
		struct share_ent *s = &share[i];
		uint8_t t = fz_u8(&in);
		unsigned int parent = fz_u8(&in) % (i + 1);
		char name[96];
		struct stat st;
		const char *ph = share_dir, *pg = "mnt/share";
		unsigned int pd = 0;

		take_name(&in, name, sizeof(name));
		if (!name[0] || !strcmp(name, "."))
			strcpy(name, "_");
		/* parent == i: the share root; else entry parent if a directory. */
		if (parent < i && share[parent].type == 1) {
			ph = share[parent].host;
			pg = share[parent].guest;
			pd = share[parent].depth + 1;
		}
		s->type = t & 3;
		s->depth = pd;
		snprintf(s->host, sizeof(s->host), "%s/%s", ph, name);
		snprintf(s->guest, sizeof(s->guest), "%s/%s", pg, name);
		s->len = fz_bytes(&in, s->data, (t >> 2) % sizeof(s->data));
		s->data[s->len] = 0;
		if (strlen(s->host) >= PATH_MAX - 1 || !lstat(s->host, &st)) {
			s->type = -1; /* too long or there already: not created */
			continue;
		}
		switch (s->type) {
		case 0: write_file(s->host, s->data, s->len, 0600 | (t & 0x40 ? 0111 : 0)); break;
		case 1: FUZZ_CHECK(!mkdir(s->host, 0755)); break;
		case 2:
			if (!s->data[0] || strlen(s->data) != s->len)
				s->type = -1;
			else
				FUZZ_CHECK(!symlink(s->data, s->host));
			break;
		case 3: FUZZ_CHECK(!mkfifo(s->host, 0600)); break;
		}
		/* walk_share descends 16 levels below the share root. */
		if (s->type == 1 && s->depth >= 16)
			want_ok = false;
	}
	fz_str(&in, run, sizeof(run));

	spec.modules_dir = modules_dir;
	spec.init = INIT;
	spec.run = run[0] ? run : NULL;
	spec.share = nshare ? share_dir : NULL;
	buf = NULL;
	len = 0;
	f = open_memstream(&buf, &len);
	FUZZ_CHECK(f);
	ret = initramfs_write(&spec, &out, f);
	fclose(f);
	FUZZ_CHECK(!ret == want_ok);
	FUZZ_CHECK(ret == 0 || ret == -ENOENT || ret == -ELOOP || ret == -EINVAL || ret == -EIO);
	if (!ret) {
		static struct entry e[1024];
		unsigned int n = parse((const uint8_t *)buf, len, e, 1024), from = 0;
		static char list[NMOD * (PATH_MAX + 2)];
		char ver[PATH_MAX], gp[PATH_MAX + 64];
		size_t ll = 0;
		int x;

		list[0] = 0;

		x = find(e, n, "init", 0);
		FUZZ_CHECK(x >= 0 && e[x].size == strlen(INIT) && !memcmp(e[x].data, INIT, e[x].size));
		x = find(e, n, "bin/busybox", 0);
		FUZZ_CHECK(x >= 0 && e[x].size == sizeof(BUSYBOX) - 1 && (e[x].mode & 0777) == 0755);
		x = find(e, n, "dev/console", 0);
		FUZZ_CHECK(x >= 0 && S_ISCHR(e[x].mode) && e[x].rmaj == 5 && e[x].rmin == 1);
		x = find(e, n, "bin/sh", 0);
		FUZZ_CHECK(x >= 0 && S_ISLNK(e[x].mode) && e[x].size == 7 && !memcmp(e[x].data, "busybox", 7));
		/* The version: the modules directory's last component. */
		snprintf(ver, sizeof(ver), "%s", modules_dir);
		while (strlen(ver) > 1 && ver[strlen(ver) - 1] == '/')
			ver[strlen(ver) - 1] = 0;
		for (unsigned int i = 0; i < out.n; i++) {
			const char *rel = module_rel(modules_dir, out.path[i]);
			char *slash;

			snprintf(gp, sizeof(gp), "lib/modules/%s/%s", strrchr(ver, '/') ? strrchr(ver, '/') + 1 : ver,
				 rel);
			x = find(e, n, gp, from);
			FUZZ_CHECK(x >= 0 && S_ISREG(e[x].mode) && e[x].size == 5);
			/* Its directories before it. */
			while ((slash = strrchr(gp, '/'))) {
				*slash = 0;
				FUZZ_CHECK(find(e, x, gp, 0) >= 0);
			}
			from = x + 1;
			ll += snprintf(list + ll, sizeof(list) - ll, "%s\n", rel);
		}
		x = find(e, n, "etc/minivmm/modules", 0);
		FUZZ_CHECK(x >= 0 && e[x].size == ll && !memcmp(e[x].data, list, ll));
		x = find(e, n, "etc/minivmm/run", 0);
		FUZZ_CHECK(!spec.run == (x < 0));
		if (getenv("FUZZ_DEBUG"))
			for (unsigned int i = 0; i < n; i++)
				printf("entry %s mode %o size %u\n", e[i].name, e[i].mode, e[i].size);
		for (unsigned int i = 0; i < nshare; i++) {
			const struct share_ent *s = &share[i];

			if (getenv("FUZZ_DEBUG"))
				printf("share %d type %d depth %u %s len %zu\n", i, s->type, s->depth, s->guest, s->len);
			if (s->type < 0 || s->depth > 16)
				continue;
			x = find(e, n, s->guest, 0);
			switch (s->type) {
			case 0:
				FUZZ_CHECK(x >= 0 && S_ISREG(e[x].mode) && e[x].size == s->len &&
					   !memcmp(e[x].data, s->data, s->len));
				break;
			case 1: FUZZ_CHECK(x >= 0 && S_ISDIR(e[x].mode)); break;
			case 2:
				FUZZ_CHECK(x >= 0 && S_ISLNK(e[x].mode) && e[x].size == s->len &&
					   !memcmp(e[x].data, s->data, s->len));
				break;
			case 3: FUZZ_CHECK(x < 0); break;
			}
		}
		for (unsigned int i = 0; i < n; i++)
			FUZZ_CHECK(e[i].name[0] != '/' && !strstr(e[i].name, "/../") && strncmp(e[i].name, "../", 3));
	}
	free(buf);
	modules_free(&out);
	free((char *)spec.busybox);
	return 0;
}
