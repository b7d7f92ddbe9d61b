/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The parts of modules_resolve() (modules.h) that handle what a modules
 * tree says, apart from the child process and the loading of libkmod: the
 * dependency walk, which sees libkmod through struct kmod_api (the real
 * library in the child, a fake in tests and fuzzing), and the report the
 * child sends the parent.
 */
#ifndef MINIVMM_RUNNER_MODULES_WALK_H
#define MINIVMM_RUNNER_MODULES_WALK_H

#include <libkmod.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "minivmm/runner/modules.h"

/* The libkmod functions the walk uses. */
struct kmod_api {
	__typeof__(&kmod_new) new_ctx;
	__typeof__(&kmod_unref) unref_ctx;
	__typeof__(&kmod_module_new_from_lookup) lookup;
	__typeof__(&kmod_module_get_module) get_module;
	__typeof__(&kmod_module_get_dependencies) get_deps;
	__typeof__(&kmod_module_get_softdeps) get_softdeps;
	__typeof__(&kmod_module_get_path) get_path;
	__typeof__(&kmod_module_get_name) get_name;
	__typeof__(&kmod_module_unref) unref;
	__typeof__(&kmod_module_unref_list) unref_list;
	__typeof__(&kmod_list_next) next;
};

/*
 * The module files for @aliases in @ctx into @out (empty on entry), each
 * once, its dependencies and pre-softdeps before it (a dependency cycle
 * is cut where it closes). Each module is walked once, however many
 * depend on it. Built-in modules add nothing; an alias nothing matches
 * (no module, none built in) sets its bit in @out->unmatched. 0, or
 * -ELOOP (dependencies nested deeper than 32), -E2BIG (more than
 * MODULES_MAX files), -ENOMEM.
 */
int modules_walk(const struct kmod_api *k, struct kmod_ctx *ctx, const char *const *aliases, unsigned int n,
		 struct module_list *out);

/* The child's report: a "+PATH" record per module and a "?INDEX" per
 * unmatched alias, or, when @ret is an error, one "!ERRNO MESSAGE" record;
 * each ends in a NUL. */
void modules_report(FILE *to, const struct module_list *m, int ret, const char *modules_dir);
/*
 * The parent's reading of a report into @out (empty on entry): 0, or
 * -errno; @complete is set when the report said why (the message is then
 * in @err). @out is emptied on error.
 */
int modules_read_report(FILE *from, struct module_list *out, char *err, size_t errlen, bool *complete);

#endif
