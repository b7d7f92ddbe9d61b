/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The zero-config guest: an initramfs with busybox, minivmm's guest init,
 * the kernel modules of the assigned devices (found with libkmod from
 * their modaliases, dependencies included), the command and a shared
 * directory. Cached by content: an unchanged set of inputs costs nothing.
 */
#ifndef MINIVMM_RUNNER_INITRAMFS_H
#define MINIVMM_RUNNER_INITRAMFS_H

#include <stddef.h>
#include <stdio.h>

#include "minivmm/runner/modules.h"

struct initramfs_spec {
	const char *modules_dir;     /* the kernel's lib/modules/VERSION, or NULL */
	const char *const *modaliases; /* of the assigned devices */
	unsigned int nmodaliases;
	const char *busybox;         /* a static busybox */
	const char *init;            /* guest init script (text) */
	const char *run;             /* command, or NULL (interactive shell) */
	const char *share;           /* host directory for /mnt/share, or NULL */
	const char *cache_dir;
};

/* Build (or find in the cache) the initramfs; its path goes to @path. */
int initramfs_get(const struct initramfs_spec *spec, char *path, size_t pathlen, char *err, size_t errlen);

/*
 * The archive itself, for @spec with the module files @mods (absolute
 * paths inside spec->modules_dir) on @f; initramfs_get() without the
 * cache. 0 or -errno.
 */
int initramfs_write(const struct initramfs_spec *spec, const struct module_list *mods, FILE *f);

/* The guest init minivmm ships (guest/init, embedded at build time). */
extern const char guest_init_script[];

#endif
