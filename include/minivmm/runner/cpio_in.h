/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A streaming reader of newc cpio archives ("070701", and "070702" with
 * its checksum field ignored): what an RPM payload is. rpm's stripped
 * format ("07070X", only for packages with files of 4 GiB or more) is
 * refused by name. Pure: bytes come from a read callback (a decoder's
 * pipe, a buffer in the tests), nothing is written.
 */
#ifndef MINIVMM_RUNNER_CPIO_IN_H
#define MINIVMM_RUNNER_CPIO_IN_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

/* Fill @buf with up to @n bytes: the count, 0 at the end, -errno. */
typedef ssize_t (*cpio_in_read_fn)(void *opaque, void *buf, size_t n);

struct cpio_in_entry {
	char path[PATH_MAX];         /* as stored, e.g. "./lib/modules/V/vmlinuz" */
	uint32_t mode;               /* type and permission bits */
	uint32_t ino, nlink;
	uint64_t size;               /* data bytes (a symlink's: its target) */
};

struct cpio_in {
	cpio_in_read_fn read;
	void *opaque;
	uint64_t left;               /* data of the current entry not read yet */
	uint64_t pad;                /* then padding to 4 bytes */
	uint64_t offset;             /* bytes consumed, for messages */
	int done;
	char why[96];                /* what was wrong, after an error */
};

void cpio_in_init(struct cpio_in *c, cpio_in_read_fn read, void *opaque);
/*
 * The next entry (the rest of the previous one is skipped). 1 with @e
 * filled, 0 after the TRAILER!!! entry, -EINVAL for a damaged or
 * truncated archive or another format (c->why says how), or the read
 * callback's -errno.
 */
int cpio_in_next(struct cpio_in *c, struct cpio_in_entry *e);
/* Up to @n bytes of the current entry's data: the count (0 at its end) or -errno. */
ssize_t cpio_in_read(struct cpio_in *c, void *buf, size_t n);

#endif
