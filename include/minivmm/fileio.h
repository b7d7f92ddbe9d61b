/* SPDX-License-Identifier: GPL-2.0-only */
/* Whole-buffer file reads, retried across short reads and EINTR. */
#ifndef MINIVMM_FILEIO_H
#define MINIVMM_FILEIO_H

#include <stdint.h>
#include <sys/types.h>

/*
 * Read @n bytes at @off of @fd into @buf. Returns the bytes read, fewer
 * than @n only at end of file, or -errno.
 */
int64_t file_pread_full(int fd, void *buf, uint64_t n, uint64_t off);

#endif
