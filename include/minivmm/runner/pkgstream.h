/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A package member's bytes as a stream: read in place when it is not
 * compressed, else decoded by a child process (decompress.h loads the
 * decoder there) into a pipe. A .deb's control and data tar and an RPM's
 * cpio payload are read through it.
 */
#ifndef MINIVMM_RUNNER_PKGSTREAM_H
#define MINIVMM_RUNNER_PKGSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "minivmm/decompress.h"

struct pkgstream {
	const uint8_t *mem;          /* an uncompressed member: read in place */
	uint64_t left;
	int fd, errfd;               /* else: the decoder's output and its error line */
	pid_t pid;
};

/*
 * Stream @n bytes at @p, compressed in format @f (DECOMP_UNKNOWN: not
 * compressed; else one decomp_supported() decodes), decoding at most
 * @max bytes. 0, or -errno with @err (@what names the member).
 */
int pkgstream_open(struct pkgstream *s, const uint8_t *p, size_t n, enum decomp_format f, uint64_t max,
		   const char *what, char *err, size_t errlen);
/* A tar_read_fn / cpio_read_fn: up to @n bytes, 0 at the end, -errno. */
ssize_t pkgstream_read(void *opaque, void *buf, size_t n);
/*
 * End the stream: after a complete read the decoder's tail is drained,
 * else the decoder is stopped. Returns the decoder's failure (-EINVAL,
 * its reason in @why) or 0.
 */
int pkgstream_close(struct pkgstream *s, bool complete, char *why, size_t whylen);

#endif
