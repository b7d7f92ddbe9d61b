/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Content-keyed files in the user's cache directory
 * ($XDG_CACHE_HOME/minivmm, else ~/.cache/minivmm): the zero-config
 * initramfs and the uncompressed guest kernel. A file is written under a
 * temporary name and renamed into place, so a reader sees it whole or not
 * at all, and two minivmm processes may fill the same entry at once.
 */
#ifndef MINIVMM_CACHE_H
#define MINIVMM_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* FNV-1a, 64-bit: start from CACHE_HASH_INIT, chain the calls. */
#define CACHE_HASH_INIT 0xcbf29ce484222325ULL
uint64_t cache_hash(uint64_t h, const void *p, size_t n);
/* A string with its terminator (NULL hashes like ""). */
uint64_t cache_hash_str(uint64_t h, const char *s);
/* A file by its path, size and modification time (not its contents). */
uint64_t cache_hash_file(uint64_t h, const char *path);

/* The cache directory's path (not created). */
void cache_dir(char *out, size_t len);
/* mkdir -p @dir; 0 or -errno. */
int cache_mkdir(const char *dir);

/*
 * A new entry: cache_create() opens "@path.PID.tmp" for writing (fd or
 * -errno); cache_commit() renames it to @path when @keep (0 or -errno) or
 * removes it (a failed write).
 */
int cache_create(const char *path, char *tmp, size_t tmplen);
int cache_commit(const char *tmp, const char *path, bool keep);

#endif
