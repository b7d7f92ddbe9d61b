/* SPDX-License-Identifier: GPL-2.0-only */
/* newc cpio archive writer (the initramfs format). Pure apart from stdio. */
#ifndef MINIVMM_RUNNER_CPIO_H
#define MINIVMM_RUNNER_CPIO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct cpio {
	FILE *f;
	uint32_t ino;
	int error;                   /* first error, sticky */
	char error_path[256];        /* the host file that could not be read ("": writing failed) */
};

void cpio_init(struct cpio *c, FILE *f);
/* @mode includes the file type bits (S_IFREG | 0644, S_IFDIR | 0755, ...). */
int cpio_add(struct cpio *c, const char *name, uint32_t mode, const void *data, size_t size);
int cpio_add_dir(struct cpio *c, const char *name);
int cpio_add_symlink(struct cpio *c, const char *name, const char *target);
int cpio_add_chardev(struct cpio *c, const char *name, unsigned int major, unsigned int minor);
/* Copy a host file (regular) into the archive at @name with @mode. */
int cpio_add_file(struct cpio *c, const char *name, const char *host_path, uint32_t mode);
/* The TRAILER!!! entry; returns the first error of the whole archive. */
int cpio_finish(struct cpio *c);

#endif
