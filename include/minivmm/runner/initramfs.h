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

#define INITRAMFS_MAX_MODULES 256

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

/* Module files (absolute paths) needed for @aliases, dependencies first. */
struct module_list {
	char *path[INITRAMFS_MAX_MODULES];
	unsigned int n;
};

/*
 * Resolve @aliases in @modules_dir with libkmod. Unknown aliases are not an
 * error (the device may have no driver, or a built-in one). Returns 0 or
 * -errno with a message in @err (e.g. no modules.dep: run depmod).
 */
int modules_resolve(const char *modules_dir, const char *const *aliases, unsigned int n,
		    struct module_list *out, char *err, size_t errlen);
void modules_free(struct module_list *m);

/* Build (or find in the cache) the initramfs; its path goes to @path. */
int initramfs_get(const struct initramfs_spec *spec, char *path, size_t pathlen, char *err, size_t errlen);

/* The guest init minivmm ships (guest/init, embedded at build time). */
extern const char guest_init_script[];

#endif
