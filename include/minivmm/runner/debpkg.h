/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading a Debian package (.deb) without dpkg: the ar archive is mapped
 * and walked here (ar.h), its control.tar.* and data.tar.* members are
 * decompressed (xz, zstd, gzip, or none) by a child process that loads
 * the decoder (decompress.h) and streams the tar into a pipe, where tar.h
 * reads it. Only what kpkg.h keeps of the data is written to disk.
 */
#ifndef MINIVMM_RUNNER_DEBPKG_H
#define MINIVMM_RUNNER_DEBPKG_H

#include <stddef.h>
#include <stdint.h>

#include "minivmm/runner/ar.h"
#include "minivmm/runner/kpkg.h"

struct deb {
	const char *path;
	const uint8_t *map;          /* the whole file, read-only */
	size_t size;
	struct ar_member control, data;
};

/*
 * Map and check @path: an ar archive with debian-binary 2.x, a
 * control.tar* and a data.tar* member. -errno with one line in @err:
 * unreadable, an RPM package (with the way to boot it), not a Debian
 * package, damaged or truncated.
 */
int deb_open(struct deb *d, const char *path, char *err, size_t errlen);
/* Unmap; a zeroed or half-opened @d is fine. */
void deb_close(struct deb *d);

/* Read the control file and the md5sums list into @info (kpkg_parse_control, kpkg_note_md5sums). */
int deb_read_control(struct deb *d, struct kpkg_info *info, char *err, size_t errlen);

/* A cache key of the package: its control member (md5sums of every file) and the data member's size. */
uint64_t deb_key(const struct deb *d, uint64_t h);

/*
 * Unpack what kpkg_note_path keeps of the data member under the
 * directory @rootfd (which must hold no symlinks: nothing is written
 * through one). Paths are noted in @info as they pass. @cancel, when
 * not NULL, is asked between entries and stops the unpacking with its
 * non-zero return value. 0 or -errno with @err.
 */
int deb_unpack(struct deb *d, struct kpkg_info *info, int rootfd, int (*cancel)(void *), void *opaque,
	       char *err, size_t errlen);

#endif
