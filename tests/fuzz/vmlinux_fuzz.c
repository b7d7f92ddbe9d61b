// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the ELF vmlinux loader (src/arch/x86/vmlinux.c and
 * the direct-boot path of boot.c): the input is the kernel ELF (a --kernel
 * vmlinux, or what a bzImage's payload decompressed to). It is parsed from
 * its first 4 KiB as vmlinux_open does, then its segments are loaded into
 * a small fake guest RAM (64 MiB) with the zero page minivmm synthesizes.
 *
 * Checked: a refused file gets a reason; an accepted one has 1 to 16
 * loadable segments inside the file, between 1 MiB and 3 GiB, file size
 * within memory size, an entry point inside a segment's file part and an
 * end that covers every segment; a successful load put each segment's
 * bytes at its physical address with the rest (bss) zeroed, and the zero
 * page carries the synthesized setup header.
 */
#include <asm/bootparam.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "minivmm/x86/layout.h"
#include "minivmm/mem.h"
#include "minivmm/x86/boot.h"
#include "minivmm/x86/vmlinux.h"

#define RAM_SIZE (64 * MiB)
#define HDR_READ 4096 /* as vmlinux_open */

static struct guest_mem mem;
/* Guest RAM: one malloc'd buffer holding the single region below 3 GiB. */
static uint8_t *ram;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	mem_layout(&mem, RAM_SIZE);
	ram = malloc(RAM_SIZE);
	FUZZ_CHECK(ram);
	mem.region[0].hva = ram;
	return 0;
}

FUZZ_NOCOV static void check_parsed(const struct vmlinux *v, uint64_t size)
{
	bool entry_ok = false;
	uint64_t end = 0;

	FUZZ_CHECK(v->nsegs >= 1 && v->nsegs <= VMLINUX_MAX_SEGS);
	for (unsigned int i = 0; i < v->nsegs; i++) {
		const struct vmlinux_seg *s = &v->seg[i];

		FUZZ_CHECK(s->filesz <= s->memsz && s->memsz);
		FUZZ_CHECK(s->offset <= size && s->filesz <= size - s->offset);
		FUZZ_CHECK(s->paddr >= LAYOUT_HIGH_RAM_START && s->paddr < LAYOUT_LOWMEM_END &&
			   s->memsz <= LAYOUT_LOWMEM_END - s->paddr);
		entry_ok = entry_ok || (v->entry >= s->paddr && v->entry - s->paddr < s->filesz);
		if (s->paddr + s->memsz > end)
			end = s->paddr + s->memsz;
	}
	FUZZ_CHECK(entry_ok);
	FUZZ_CHECK(v->end == end);
}

FUZZ_NOCOV static void check_loaded(const struct boot_image *img, const uint8_t *data)
{
	const struct vmlinux *v = &img->vmlinux;
	const struct boot_params *bp = mem_gpa_to_hva(&mem, LAYOUT_ZERO_PAGE, sizeof(*bp));

	/* Segments may overlap: the last one loaded wins, check that one. */
	if (v->nsegs) {
		const struct vmlinux_seg *s = &v->seg[v->nsegs - 1];
		const uint8_t *p = ram + s->paddr;

		FUZZ_CHECK(!memcmp(p, data + s->offset, s->filesz));
		for (uint64_t i = s->filesz; i < s->memsz; i++)
			FUZZ_CHECK(!p[i]);
	}
	FUZZ_CHECK(bp->hdr.boot_flag == 0xaa55 && bp->hdr.header == 0x53726448);
	FUZZ_CHECK(bp->hdr.version == img->version && bp->hdr.init_size == img->init_size);
	FUZZ_CHECK((bp->hdr.loadflags & LOADED_HIGH) && (bp->hdr.xloadflags & XLF_KERNEL_64));
	FUZZ_CHECK(boot_entry(img) == v->entry);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct boot_image img = { .fd = -1 };
	char path[64], err[512] = "";
	int ret;

	/* What vmlinux_open sees of the file, without a file. */
	ret = vmlinux_parse(&img.vmlinux, data, size < HDR_READ ? size : HDR_READ, size, err, sizeof(err));
	if (ret) {
		FUZZ_CHECK(ret == -ENOEXEC && err[0]);
		return 0;
	}
	check_parsed(&img.vmlinux, size);

	/* Through the file, as --kernel VMLINUX is opened, and loaded. */
	fuzz_file(data, size, path, sizeof(path));
	memset(&img, 0, sizeof(img));
	err[0] = 0;
	img.vmlinux.fd = -1;
	ret = vmlinux_open(&img.vmlinux, path, err, sizeof(err));
	FUZZ_CHECK(!ret);
	check_parsed(&img.vmlinux, size);
	boot_image_from_vmlinux(&img);
	FUZZ_CHECK(img.direct && !img.data && img.kernel_end == img.vmlinux.end);
	ret = boot_load(&mem, &img, "console=ttyS0", NULL, 0xe0000);
	if (!ret)
		check_loaded(&img, data);
	else
		FUZZ_CHECK(ret == -ENOSPC || ret == -E2BIG || ret == -EIO || ret == -EFAULT);
	boot_image_close(&img);
	FUZZ_CHECK(img.vmlinux.fd < 0);
	return 0;
}
