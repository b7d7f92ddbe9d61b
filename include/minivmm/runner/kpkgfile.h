/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A kernel package file of either format, told apart by its first bytes:
 * a Debian package (debpkg.h) or an RPM (rpmpkg.h). What kcache.h and
 * kernels.c use, the same for both.
 */
#ifndef MINIVMM_RUNNER_KPKGFILE_H
#define MINIVMM_RUNNER_KPKGFILE_H

#include <stddef.h>
#include <stdint.h>

#include "minivmm/runner/debpkg.h"
#include "minivmm/runner/kpkg.h"
#include "minivmm/runner/rpmpkg.h"

struct kpkg_file {
	enum kpkg_format format;
	const char *path;
	struct deb deb;
	struct rpm rpm;
};

/* Open @path as the format its lead says (an RPM's magic, else a .deb); -errno with one line in @err. */
int kpkg_file_open(struct kpkg_file *f, const char *path, char *err, size_t errlen);
/* Close; a zeroed or half-opened @f is fine. */
void kpkg_file_close(struct kpkg_file *f);
/* What the package says of itself into @info (deb_read_control, rpm_read_info). */
int kpkg_file_read_info(struct kpkg_file *f, struct kpkg_info *info, char *err, size_t errlen);
/* Its cache key (deb_key, rpm_key). */
uint64_t kpkg_file_key(const struct kpkg_file *f, uint64_t h);
/* Unpack what kpkg_note_path keeps under @rootfd (deb_unpack, rpm_unpack). */
int kpkg_file_unpack(struct kpkg_file *f, struct kpkg_info *info, int rootfd, int (*cancel)(void *), void *opaque,
		     char *err, size_t errlen);

#endif
