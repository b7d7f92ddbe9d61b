// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <libkmod.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "minivmm/dl.h"
#include "minivmm/runner/modules.h"
#include "minivmm/runner/modules_walk.h"

/* A walk in progress: what was found, and what was walked. */
struct walk {
	const struct kmod_api *k;
	struct module_list *out;
	char **seen;                 /* names of the modules walked so far */
	unsigned int nseen;
};

#define each(w, l, first) for (l = (first); l; l = (w)->k->next((first), l))

static bool module_listed(const struct module_list *m, const char *path)
{
	for (unsigned int i = 0; i < m->n; i++)
		if (!strcmp(m->path[i], path))
			return true;
	return false;
}

/*
 * 1 when @name was walked before, else 0 and it is now (or -ENOMEM).
 * modules.dep lists every module's dependencies transitively: without
 * this, a module would be walked once per path to it, exponentially many.
 */
static int module_seen(struct walk *w, const char *name)
{
	char **seen;

	for (unsigned int i = 0; i < w->nseen; i++)
		if (!strcmp(w->seen[i], name))
			return 1;
	seen = realloc(w->seen, (w->nseen + 1) * sizeof(*seen));
	if (!seen)
		return -ENOMEM;
	w->seen = seen;
	if (!(w->seen[w->nseen] = strdup(name)))
		return -ENOMEM;
	w->nseen++;
	return 0;
}

/* Post-order walk: a module's dependencies (and pre-softdeps) before it. */
static int module_add(struct walk *w, struct kmod_module *mod, unsigned int depth)
{
	struct kmod_list *deps, *pre = NULL, *post = NULL, *l;
	const struct kmod_api *k = w->k;
	const char *path;
	int ret;

	ret = depth > 32 ? -ELOOP : module_seen(w, k->get_name(mod));
	if (ret) {
		k->unref(mod);
		return ret < 0 ? ret : 0;
	}
	deps = k->get_deps(mod);
	each(w, l, deps) {
		ret = module_add(w, k->get_module(l), depth + 1);
		if (ret)
			break;
	}
	k->unref_list(deps);
	if (!ret && k->get_softdeps(mod, &pre, &post) == 0) {
		each(w, l, pre) {
			ret = module_add(w, k->get_module(l), depth + 1);
			if (ret)
				break;
		}
		k->unref_list(pre);
		k->unref_list(post);
	}
	path = k->get_path(mod);
	/* No path: built into the kernel, nothing to load. */
	if (!ret && path && !module_listed(w->out, path)) {
		if (w->out->n == MODULES_MAX)
			ret = -E2BIG;
		else if (!(w->out->path[w->out->n++] = strdup(path)))
			ret = -ENOMEM;
	}
	k->unref(mod);
	return ret;
}

int modules_walk(const struct kmod_api *k, struct kmod_ctx *ctx, const char *const *aliases, unsigned int n,
		 struct module_list *out)
{
	struct walk w = { .k = k, .out = out };
	int ret = 0;

	for (unsigned int i = 0; !ret && i < n; i++) {
		struct kmod_list *list = NULL, *l;

		if (k->lookup(ctx, aliases[i], &list) < 0 || !list) {
			/* No module, none built in: the device may have no driver. */
			if (i < 64)
				out->unmatched |= 1ULL << i;
			continue;
		}
		each(&w, l, list) {
			ret = module_add(&w, k->get_module(l), 0);
			if (ret)
				break;
		}
		k->unref_list(list);
	}
	for (unsigned int i = 0; i < w.nseen; i++)
		free(w.seen[i]);
	free(w.seen);
	return ret;
}

void modules_report(FILE *to, const struct module_list *m, int ret, const char *modules_dir)
{
	/* Records end in NUL: a file name may hold any other byte, '\n' too. */
	if (ret)
		fprintf(to, "!%d resolving module dependencies in %s failed: %s%c", -ret, modules_dir,
			strerror(-ret), 0);
	for (unsigned int i = 0; !ret && i < m->n; i++)
		fprintf(to, "+%s%c", m->path[i], 0);
	for (unsigned int i = 0; !ret && i < 64; i++)
		if (m->unmatched & (1ULL << i))
			fprintf(to, "?%u%c", i, 0);
}

int modules_read_report(FILE *from, struct module_list *out, char *err, size_t errlen, bool *complete)
{
	char *rec = NULL;
	size_t cap = 0;
	int ret = 0;

	*complete = false;
	while (getdelim(&rec, &cap, 0, from) > 0) {
		if (rec[0] == '+' && !ret) {
			if (out->n == MODULES_MAX)
				ret = -E2BIG;
			else if (!(out->path[out->n++] = strdup(rec + 1)))
				ret = -ENOMEM;
		} else if (rec[0] == '?') {
			unsigned long i = strtoul(rec + 1, NULL, 10);

			if (i < 64)
				out->unmatched |= 1ULL << i;
		} else if (rec[0] == '!') {
			char *msg;
			long e = strtol(rec + 1, &msg, 10);

			ret = e > 0 ? (int)-e : -EIO;
			snprintf(err, errlen, "%s", *msg ? msg + 1 : "resolving modules failed");
			*complete = true;
		}
	}
	free(rec);
	if (ret)
		modules_free(out);
	return ret;
}

/* In the child: resolve, then report. */
static int child_resolve(const char *modules_dir, const char *const *aliases, unsigned int n, FILE *to)
{
	struct kmod_api k;
	const struct dl_sym syms[] = {
		{ "kmod_new", (void **)&k.new_ctx },
		{ "kmod_unref", (void **)&k.unref_ctx },
		{ "kmod_module_new_from_lookup", (void **)&k.lookup },
		{ "kmod_module_get_module", (void **)&k.get_module },
		{ "kmod_module_get_dependencies", (void **)&k.get_deps },
		{ "kmod_module_get_softdeps", (void **)&k.get_softdeps },
		{ "kmod_module_get_path", (void **)&k.get_path },
		{ "kmod_module_get_name", (void **)&k.get_name },
		{ "kmod_module_unref", (void **)&k.unref },
		{ "kmod_module_unref_list", (void **)&k.unref_list },
		{ "kmod_list_next", (void **)&k.next },
	};
	struct module_list out = { .n = 0 };
	struct kmod_ctx *ctx;
	char err[512];
	int ret;

	if (!dl_open("libkmod.so.2", "libkmod2", syms, sizeof(syms) / sizeof(syms[0]), err, sizeof(err))) {
		fprintf(to, "!%d %s (minivmm resolves guest modules with it)%c", ENOENT, err, 0);
		return 1;
	}
	ctx = k.new_ctx(modules_dir, NULL);
	if (!ctx) {
		fprintf(to, "!%d libkmod cannot read %s%c", ENOMEM, modules_dir, 0);
		return 1;
	}
	ret = modules_walk(&k, ctx, aliases, n, &out);
	k.unref_ctx(ctx);
	modules_report(to, &out, ret, modules_dir);
	modules_free(&out);
	return ret ? 1 : 0;
}

int modules_resolve(const char *modules_dir, const char *const *aliases, unsigned int n,
		    struct module_list *out, char *err, size_t errlen)
{
	char dep[PATH_MAX];
	int pfd[2], status, ret = 0;
	bool complete = false;
	FILE *from;
	pid_t pid;

	memset(out, 0, sizeof(*out));
	snprintf(dep, sizeof(dep), "%s/modules.dep.bin", modules_dir);
	if (access(dep, R_OK)) {
		snprintf(err, errlen, "no modules.dep.bin in %s: run depmod -b on that tree (depmod -b ROOT VERSION)",
			 modules_dir);
		return -ENOENT;
	}
	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(pfd[0]);
		close(pfd[1]);
		snprintf(err, errlen, "cannot fork to resolve modules: %s", strerror(-ret));
		return ret;
	}
	if (pid == 0) {
		FILE *to = fdopen(pfd[1], "w");

		close(pfd[0]);
		_exit(to ? child_resolve(modules_dir, aliases, n, to) | (fclose(to) ? 2 : 0) : 2);
	}
	close(pfd[1]);
	from = fdopen(pfd[0], "r");
	if (!from) {
		close(pfd[0]);
		ret = -ENOMEM;
	} else {
		ret = modules_read_report(from, out, err, errlen, &complete);
		fclose(from);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!ret && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		ret = -EIO;
		complete = false;
	}
	if (ret && !complete)
		snprintf(err, errlen, "resolving modules in %s failed (%s)", modules_dir,
			 ret == -E2BIG ? "more than 256 modules" : "the helper process died");
	if (ret)
		modules_free(out);
	return ret;
}

void modules_free(struct module_list *m)
{
	for (unsigned int i = 0; i < m->n; i++)
		free(m->path[i]);
	m->n = 0;
	m->unmatched = 0;
}
