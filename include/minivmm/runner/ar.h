/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The ar archive format a Debian package is (deb(5): "!<arch>\n", then
 * members debian-binary, control.tar.*, data.tar.*). Pure: reads a buffer
 * (the mapped file), never copies member data.
 */
#ifndef MINIVMM_RUNNER_AR_H
#define MINIVMM_RUNNER_AR_H

#include <stddef.h>
#include <stdint.h>

#define AR_MAGIC "!<arch>\n"
#define AR_NAME_MAX 16

struct ar_member {
	char name[AR_NAME_MAX + 1];  /* trailing blanks and a GNU '/' dropped */
	uint64_t off;                /* of the member's data in the buffer */
	uint64_t size;
};

/* Whether @p (of @n bytes) starts like an ar archive. */
int ar_is_archive(const uint8_t *p, size_t n);

/*
 * The member after *@pos (start with *@pos = 0). Returns 1 with @m filled
 * and *@pos advanced, 0 after the last member, -EINVAL when the archive
 * is not ar or a header is damaged, -ENODATA when a member runs past the
 * end of the buffer (a truncated file). @why (may be NULL) says what was
 * wrong in a few words.
 */
int ar_next(const uint8_t *p, size_t n, uint64_t *pos, struct ar_member *m, const char **why);

#endif
