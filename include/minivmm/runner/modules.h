/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel modules for devices: modaliases -> module files with their
 * dependencies, resolved with libkmod in a modules tree (depmod'ed). The
 * work runs in a child process that loads libkmod itself (dl.h), so
 * neither libkmod nor the libcrypto it pulls in ever map into minivmm.
 */
#ifndef MINIVMM_RUNNER_MODULES_H
#define MINIVMM_RUNNER_MODULES_H

#include <stddef.h>
#include <stdint.h>

#define MODULES_MAX 256

/* Module files (absolute paths) needed for some aliases, dependencies first. */
struct module_list {
	char *path[MODULES_MAX];
	unsigned int n;
	uint64_t unmatched;          /* bit i: aliases[i] matched no module, none built in */
};

/*
 * Resolve @aliases (at most 64) in @modules_dir. Unknown aliases are not
 * an error (the device may have no driver): their bits in ->unmatched say
 * which. Returns 0 or -errno with
 * a message in @err (e.g. no modules.dep: run depmod; libkmod missing).
 */
int modules_resolve(const char *modules_dir, const char *const *aliases, unsigned int n,
		    struct module_list *out, char *err, size_t errlen);
void modules_free(struct module_list *m);

#endif
