/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Direct boot of the uncompressed kernel. A bzImage carries vmlinux
 * compressed; its decompressor, run in the guest, is most of the time a
 * guest spends before start_kernel (an xz'ed distribution kernel is 60+
 * MiB of output). minivmm decompresses the payload once on the host,
 * keeps the ELF in its cache keyed by the payload, and loads its segments
 * at their physical addresses: the guest enters startup_64 directly, as
 * the decompressor would have at the default load address (no KASLR).
 * A vmlinux ELF given as --kernel (a kernel tree's build output) boots the
 * same way, from the file itself.
 */
#ifndef MINIVMM_X86_VMLINUX_H
#define MINIVMM_X86_VMLINUX_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "minivmm/mem.h"

#define VMLINUX_MAX_SEGS 16
/* Largest uncompressed kernel accepted (distribution kernels: ~70 MiB). */
#define VMLINUX_MAX_SIZE (1ULL << 30)

struct vmlinux_seg {
	uint64_t paddr, offset, filesz, memsz;
};

struct vmlinux {
	int fd;                      /* the uncompressed kernel; -1 when closed */
	char path[PATH_MAX];
	uint64_t entry;              /* physical address of startup_64 */
	uint64_t end;                /* highest paddr + memsz */
	unsigned int nsegs;
	struct vmlinux_seg seg[VMLINUX_MAX_SEGS];
};

/*
 * Pure: check the ELF header and program headers in @hdr (the first @len
 * bytes of a file of @file_size bytes) and fill @v's entry and segments.
 * -ENOEXEC with the reason in @err if it is not a loadable x86_64 kernel.
 */
int vmlinux_parse(struct vmlinux *v, const uint8_t *hdr, size_t len, uint64_t file_size, char *err,
		  size_t errlen);

/*
 * Open the ELF kernel @path and parse it into @v. -errno with the reason
 * (to follow the file's name, e.g. "is not an ELF file") in @why.
 */
int vmlinux_open(struct vmlinux *v, const char *path, char *why, size_t whylen);

/*
 * The uncompressed kernel for bzImage payload @payload: from @cache_dir, or
 * decompressed into it first (@progress: say so on stderr). Opened and
 * parsed into @v. -ENOTSUP when the payload's format is not one minivmm
 * decodes; other -errno with the reason in @err.
 */
int vmlinux_from_payload(struct vmlinux *v, const uint8_t *payload, size_t n, const char *cache_dir,
			 bool progress, char *err, size_t errlen);

/* Copy the segments into guest RAM (bss zeroed); errors are logged. */
int vmlinux_load(const struct vmlinux *v, const struct guest_mem *mem);
void vmlinux_close(struct vmlinux *v);

#endif
