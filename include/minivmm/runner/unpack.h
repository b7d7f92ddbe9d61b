/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Writing what is kept of a package under a root directory (an O_PATH
 * fd): directories created as needed, never through a symlink, files
 * created new (O_EXCL). Shared by the .deb and the RPM readers.
 */
#ifndef MINIVMM_RUNNER_UNPACK_H
#define MINIVMM_RUNNER_UNPACK_H

#include <stddef.h>
#include <sys/types.h>

/* Up to @n bytes of the current entry: the count, 0 at its end, -errno. */
typedef ssize_t (*unpack_read_fn)(void *opaque, void *buf, size_t n);

/*
 * The directory that will hold @rel (relative to @rootfd), created as
 * needed; *@leaf points at @rel's last component. An O_PATH fd, or -errno.
 */
int unpack_parent(int rootfd, char *rel, char **leaf);

/* Create @leaf in @dfd (0755 if @mode has an x bit, else 0644) with the entry's data; 0 or -errno. */
int unpack_file(int dfd, const char *leaf, unsigned int mode, unpack_read_fn read, void *opaque);

#endif
