/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A streaming reader of tar archives as dpkg and GNU tar write them:
 * ustar headers (with the name prefix), GNU long names and links ('L',
 * 'K'), pax extended headers ('x': path, linkpath, size; 'g' ignored),
 * octal and base-256 numbers. Pure: bytes come from a read callback (a
 * decompressor's pipe, a buffer in the tests), nothing is written.
 */
#ifndef MINIVMM_RUNNER_TAR_H
#define MINIVMM_RUNNER_TAR_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Fill @buf with up to @n bytes: the count, 0 at the end, -errno. */
typedef ssize_t (*tar_read_fn)(void *opaque, void *buf, size_t n);

enum tar_type {
	TAR_FILE,                    /* '0', '\0', '7' (contiguous) */
	TAR_HARDLINK,                /* '1' */
	TAR_SYMLINK,                 /* '2' */
	TAR_DIR,                     /* '5' */
	TAR_OTHER,                   /* devices, FIFOs, ... */
};

struct tar_entry {
	char path[PATH_MAX];         /* as stored, e.g. "./boot/vmlinuz-6.1.0-57-amd64" */
	char link[PATH_MAX];         /* link target of a hard or symbolic link */
	enum tar_type type;
	uint64_t size;               /* data bytes (0 but for files) */
	unsigned int mode;           /* permission bits */
};

struct tar {
	tar_read_fn read;
	void *opaque;
	uint64_t left;               /* data of the current entry not read yet */
	uint64_t pad;                /* then padding to the next 512-byte block */
	uint64_t offset;             /* bytes consumed, for messages */
	int done;
	char why[96];                /* what was wrong, after an error */
};

void tar_init(struct tar *t, tar_read_fn read, void *opaque);
/*
 * The next entry (the rest of the previous one is skipped). 1 with @e
 * filled, 0 at the end-of-archive blocks, -EINVAL for a damaged or
 * truncated archive (t->why says how), or the read callback's -errno.
 */
int tar_next(struct tar *t, struct tar_entry *e);
/* Up to @n bytes of the current entry's data: the count (0 at its end) or -errno. */
ssize_t tar_read(struct tar *t, void *buf, size_t n);

#endif
