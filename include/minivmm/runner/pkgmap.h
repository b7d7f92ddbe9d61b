/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A kernel package file mapped read-only as a whole, for the .deb and RPM
 * readers, with the refusals both give when it cannot be (in the words of
 * the package's format).
 */
#ifndef MINIVMM_RUNNER_PKGMAP_H
#define MINIVMM_RUNNER_PKGMAP_H

#include <stddef.h>
#include <stdint.h>

#include "minivmm/runner/kpkg.h"

/*
 * Map @path (a regular file of at least @min_size bytes) into *@map and
 * *@size. 0, or -errno with one line in @err naming the problem and what
 * to pass instead. pkg_unmap accepts what pkg_map left, mapped or not.
 */
int pkg_map(const char *path, enum kpkg_format fmt, size_t min_size, const uint8_t **map, size_t *size, char *err,
	    size_t errlen);
void pkg_unmap(const uint8_t **map, size_t *size);
/* The file name of @path (after its last slash; "?" for none), as refusals name a package. */
const char *pkg_base_name(const char *path);

#endif
