/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A distribution kernel unpacked into the cache: the packages of one
 * kernel version (kpkg_group) become <cache>/kpkg-KEY/root/{boot,lib/modules/
 * VERSION}, depmod'ed, where KEY hashes the packages' control members
 * (which list the md5sum of every file) or RPM headers (a digest of each). The tree is built under a
 * temporary name and renamed into place: it is there whole or not at
 * all, and a second start finds it.
 */
#ifndef MINIVMM_RUNNER_KCACHE_H
#define MINIVMM_RUNNER_KCACHE_H

#include <limits.h>
#include <stddef.h>

#include "minivmm/runner/kpkgfile.h"
#include "minivmm/runner/kpkg.h"

struct kernel_tree {
	char dir[PATH_MAX];          /* <cache>/kpkg-KEY */
	char vmlinuz[PATH_MAX];
	char modules[PATH_MAX];      /* root/lib/modules/VERSION, with modules.dep.bin */
	bool unpacked;               /* by this call (else: found in the cache) */
};

/*
 * Find or build the tree of @g, whose packages are @pkgs[i] for
 * @g->pkg[i] (.deb or RPM). Unpacking prints one line per package on
 * stderr. @cancel as in deb_unpack. 0 or -errno with @err (no vmlinuz in the packages,
 * depmod missing or failing, a damaged archive, a full disk).
 */
int kcache_get(const struct kpkg_group *g, struct kpkg_file *const *pkgs, const char *cache_dir,
	       struct kernel_tree *t, int (*cancel)(void *), void *opaque, char *err, size_t errlen);

/* The depmod to run: $PATH's, else /usr/sbin's or /sbin's (not root's PATH lacks them); 0 or -ENOENT. */
int kcache_find_depmod(char *out, size_t outlen);

#endif
