// SPDX-License-Identifier: GPL-2.0-only
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "minivmm/cache.h"
#include "minivmm/decompress.h"
#include "minivmm/fileio.h"
#include "minivmm/x86/layout.h"
#include "minivmm/log.h"
#include "minivmm/progress.h"
#include "minivmm/x86/vmlinux.h"

/* Enough of the file for the ELF header and the program headers. */
#define VMLINUX_HDR_READ 4096
/* Bytes of the payload's end in the cache key: the trailer of every
 * supported format (gzip CRC32 + size, xz block check + index, zstd
 * checksum) sums up the decoded contents. */
#define KEY_TAIL 4096
#define KEY_HEAD 64
/* __START_KERNEL_map: x86_64 Linux links its text here and up (a program
 * ELF, which must not be taken for a kernel, links low). */
#define VMLINUX_START_KERNEL_MAP 0xffffffff80000000ULL
/* Bump when what the cache holds changes meaning. */
#define CACHE_FORMAT "vmlinux-1"

static int bad(char *err, size_t errlen, const char *why)
{
	snprintf(err, errlen, "%s", why);
	return -ENOEXEC;
}

int vmlinux_parse(struct vmlinux *v, const uint8_t *hdr, size_t len, uint64_t file_size, char *err,
		  size_t errlen)
{
	Elf64_Ehdr eh;
	bool entry_ok = false, kernel_map = false;

	v->nsegs = 0;
	v->end = 0;
	if (len < sizeof(eh))
		return bad(err, errlen, "is too short for an ELF header");
	memcpy(&eh, hdr, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG))
		return bad(err, errlen, "is not an ELF file");
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh.e_machine != EM_X86_64 || eh.e_type != ET_EXEC)
		return bad(err, errlen, "is not an x86_64 executable ELF");
	if (eh.e_phentsize != sizeof(Elf64_Phdr) || !eh.e_phnum || eh.e_phoff > len ||
	    (len - eh.e_phoff) / sizeof(Elf64_Phdr) < eh.e_phnum)
		return bad(err, errlen, "has its program headers out of reach");
	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		struct vmlinux_seg *s;

		memcpy(&ph, hdr + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD || !ph.p_memsz)
			continue;
		if (v->nsegs == VMLINUX_MAX_SEGS)
			return bad(err, errlen, "has too many loadable segments");
		if (ph.p_filesz > ph.p_memsz || ph.p_offset > file_size || ph.p_filesz > file_size - ph.p_offset)
			return bad(err, errlen, "has a segment beyond the end of the file");
		/* Below 1 MiB live the zero page, command line and ACPI tables. */
		if (ph.p_paddr < LAYOUT_HIGH_RAM_START || ph.p_paddr >= LAYOUT_LOWMEM_END ||
		    ph.p_memsz > LAYOUT_LOWMEM_END - ph.p_paddr)
			return bad(err, errlen, "has a segment outside 1 MiB..3 GiB of guest RAM");
		s = &v->seg[v->nsegs++];
		*s = (struct vmlinux_seg){ .paddr = ph.p_paddr, .offset = ph.p_offset, .filesz = ph.p_filesz,
					   .memsz = ph.p_memsz };
		if (s->paddr + s->memsz > v->end)
			v->end = s->paddr + s->memsz;
		if (eh.e_entry >= s->paddr && eh.e_entry < s->paddr + s->filesz)
			entry_ok = true;
		if (ph.p_vaddr >= VMLINUX_START_KERNEL_MAP)
			kernel_map = true;
	}
	if (!v->nsegs)
		return bad(err, errlen, "has no loadable segment");
	if (!entry_ok)
		return bad(err, errlen, "has its entry point outside its loaded segments");
	if (!kernel_map)
		return bad(err, errlen, "is not a Linux kernel (nothing linked at 0xffffffff80000000 and up)");
	v->entry = eh.e_entry;
	return 0;
}

int vmlinux_open(struct vmlinux *v, const char *path, char *why, size_t whylen)
{
	uint8_t hdr[VMLINUX_HDR_READ];
	struct stat st;
	int64_t n;
	int ret;

	if (path != v->path)
		snprintf(v->path, sizeof(v->path), "%s", path);
	v->fd = open(v->path, O_RDONLY | O_CLOEXEC);
	if (v->fd < 0) {
		ret = -errno;
		snprintf(why, whylen, "cannot be opened: %s", strerror(-ret));
		return ret;
	}
	n = fstat(v->fd, &st) ? -errno : file_pread_full(v->fd, hdr, sizeof(hdr), 0);
	if (n < 0)
		snprintf(why, whylen, "cannot be read: %s", strerror((int)-n));
	ret = n < 0 ? (int)n : vmlinux_parse(v, hdr, n, st.st_size, why, whylen);
	if (ret)
		vmlinux_close(v);
	return ret;
}

/* The cache entry at @v->path, opened; a failure's reason in @err. */
static int vmlinux_open_cached(struct vmlinux *v, char *err, size_t errlen)
{
	char why[128];
	int ret = vmlinux_open(v, v->path, why, sizeof(why));

	if (ret)
		snprintf(err, errlen, "the cached kernel %s %s", v->path, why);
	return ret;
}

static int vmlinux_decompress(const struct vmlinux *v, enum decomp_format f, const uint8_t *payload,
			      size_t n, bool progress, char *err, size_t errlen)
{
	char tmp[PATH_MAX + 32], why[256];
	uint64_t size = 0;
	int fd, ret;

	fd = cache_create(v->path, tmp, sizeof(tmp));
	if (fd < 0) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(-fd));
		return fd;
	}
	if (progress)
		progress_begin("decompressing the kernel (%s) into the cache, once", decomp_name(f));
	ret = decomp_to_fd(f, payload, n, fd, VMLINUX_MAX_SIZE, &size, why, sizeof(why));
	if (progress)
		progress_end();
	if (close(fd) && !ret) {
		ret = -errno;
		snprintf(why, sizeof(why), "%s", strerror(-ret));
	}
	if (!ret && (ret = cache_commit(tmp, v->path, true)))
		snprintf(why, sizeof(why), "%s", strerror(-ret));
	else if (ret)
		cache_commit(tmp, v->path, false);
	if (ret)
		snprintf(err, errlen, "decompressing the kernel's %s payload into %s failed: %s", decomp_name(f),
			 v->path, why);
	else
		pr_info("kernel decompressed once: %llu MiB in %s", (unsigned long long)(size >> 20), v->path);
	return ret;
}

int vmlinux_from_payload(struct vmlinux *v, const uint8_t *payload, size_t n, const char *cache_dir,
			 bool progress, char *err, size_t errlen)
{
	enum decomp_format f = decomp_detect(payload, n);
	uint64_t h = cache_hash_str(CACHE_HASH_INIT, CACHE_FORMAT);
	int ret;

	memset(v, 0, sizeof(*v));
	v->fd = -1;
	if (!decomp_supported(f)) {
		snprintf(err, errlen, "the kernel's payload is %s-compressed, which minivmm does not decode",
			 decomp_name(f));
		return -ENOTSUP;
	}
	h = cache_hash(h, &n, sizeof(n));
	h = cache_hash(h, payload, n < KEY_HEAD ? n : KEY_HEAD);
	h = cache_hash(h, payload + (n > KEY_TAIL ? n - KEY_TAIL : 0), n < KEY_TAIL ? n : KEY_TAIL);
	snprintf(v->path, sizeof(v->path), "%s/vmlinux-%016llx", cache_dir, (unsigned long long)h);
	if (!vmlinux_open_cached(v, err, errlen))
		return 0;
	ret = cache_mkdir(cache_dir);
	if (ret) {
		snprintf(err, errlen, "cannot create the cache directory %s: %s", cache_dir, strerror(-ret));
		return ret;
	}
	ret = vmlinux_decompress(v, f, payload, n, progress, err, errlen);
	if (!ret && (ret = vmlinux_open_cached(v, err, errlen)))
		unlink(v->path); /* not a kernel we can load: leave nothing behind */
	return ret;
}

int vmlinux_load(const struct vmlinux *v, const struct guest_mem *mem)
{
	for (unsigned int i = 0; i < v->nsegs; i++) {
		const struct vmlinux_seg *s = &v->seg[i];
		uint8_t *dst = mem_gpa_to_hva(mem, s->paddr, s->memsz);
		int64_t n;

		if (!dst) {
			pr_err("the kernel needs RAM up to %llu MiB: give more --mem",
			       (unsigned long long)(v->end >> 20) + 1);
			return -ENOSPC;
		}
		n = file_pread_full(v->fd, dst, s->filesz, s->offset);
		if (n != (int64_t)s->filesz) {
			pr_err("cannot read the kernel %s: %s", v->path,
			       n < 0 ? strerror((int)-n) : "file shrank");
			return n < 0 ? (int)n : -EIO;
		}
		memset(dst + s->filesz, 0, s->memsz - s->filesz);
	}
	return 0;
}

void vmlinux_close(struct vmlinux *v)
{
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
}
