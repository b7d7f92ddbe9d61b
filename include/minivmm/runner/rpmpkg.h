/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading an RPM package (Fedora's, RHEL's kernel-core, kernel-modules*)
 * without rpm: the file is mapped and its headers read in place
 * (rpmhdr.h), the payload is decompressed (the compressor its header
 * names: gzip, xz or zstd) by a child process into a pipe (pkgstream.h),
 * where cpio_in.h reads it. Only what kpkg.h keeps is written to disk.
 */
#ifndef MINIVMM_RUNNER_RPMPKG_H
#define MINIVMM_RUNNER_RPMPKG_H

#include <stddef.h>
#include <stdint.h>

#include "minivmm/decompress.h"
#include "minivmm/runner/kpkg.h"
#include "minivmm/runner/rpmhdr.h"

struct rpm {
	const char *path;
	const uint8_t *map;          /* the whole file, read-only */
	size_t size;
	struct rpm_lead lead;
	struct rpm_header sig, hdr;
	uint64_t payload_off;
	enum decomp_format comp;     /* the payload's, set by rpm_read_info */
};

/*
 * Map and check @path: the lead and both headers whole. -errno with one
 * line in @err: unreadable, damaged or truncated.
 */
int rpm_open(struct rpm *r, const char *path, char *err, size_t errlen);
/* Unmap; a zeroed or half-opened @r is fine. */
void rpm_close(struct rpm *r);

/*
 * The header's name, version-release, arch, requires and file list into
 * @info (kpkg_note_path; %ghost files are not in the payload and not
 * noted). -EINVAL with @err for a source RPM, a payload that is no cpio
 * archive, a compressor minivmm does not decode or does not know.
 */
int rpm_read_info(struct rpm *r, struct kpkg_info *info, char *err, size_t errlen);

/* A cache key of the package: its main header (a digest of every file) and the payload's size. */
uint64_t rpm_key(const struct rpm *r, uint64_t h);

/* As deb_unpack, from the cpio payload (after rpm_read_info). */
int rpm_unpack(struct rpm *r, struct kpkg_info *info, int rootfd, int (*cancel)(void *), void *opaque,
	       char *err, size_t errlen);

#endif
