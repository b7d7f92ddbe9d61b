/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Libraries loaded when first needed. minivmm's run-time path links only
 * libc: the kernel-payload decoders (zlib, liblzma, libzstd) are loaded on
 * a kernel-cache miss, libkmod (with libcrypto behind it) in a short-lived
 * child process. A VM that needs none of them keeps their pages out of
 * its resident set and its start-up.
 */
#ifndef MINIVMM_DL_H
#define MINIVMM_DL_H

#include <stddef.h>

/* A function to look up, and where its address goes: { "inflate", (void **)&api.inflate }. */
struct dl_sym {
	const char *name;
	void **slot;
};

/*
 * dlopen @soname and resolve @n symbols. Returns the handle (for
 * dl_close), or NULL with "cannot load SONAME (...): install PACKAGE"
 * in @err.
 */
void *dl_open(const char *soname, const char *package, const struct dl_sym *syms, size_t n, char *err,
	      size_t errlen);
void dl_close(void *handle);

#endif
