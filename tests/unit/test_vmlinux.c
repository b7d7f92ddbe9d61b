// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for direct boot: payload decoders (src/decompress.c), the
 * vmlinux ELF checks and loader (src/arch/x86/vmlinux.c), and the whole
 * bzImage -> cache -> guest RAM path through boot.c, and a vmlinux ELF as
 * the kernel, on synthetic kernels compressed here with the same libraries
 * Linux's build uses.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cmocka.h>

#include "minivmm/decompress.h"
#include "minivmm/x86/layout.h"
#include "minivmm/mem.h"
#include "minivmm/x86/boot.h"
#include "minivmm/x86/vmlinux.h"

#include "small_mem.h"

/* ---- a synthetic vmlinux: text at 16 MiB, data + bss at 20 MiB ---- */

#define K_TEXT_PADDR 0x1000000ULL
#define K_TEXT_OFF 0x1000
#define K_TEXT_SIZE 0x3000
#define K_DATA_PADDR 0x1400000ULL
#define K_DATA_OFF 0x4000
#define K_DATA_FILESZ 0x800
#define K_DATA_MEMSZ 0x2000
#define K_FILE_SIZE (K_DATA_OFF + K_DATA_FILESZ)
#define K_NPHDR 3 /* text, data, and a PT_NOTE that is not loaded */

static uint8_t kernel[K_FILE_SIZE];

static Elf64_Phdr *phdr(uint8_t *elf, unsigned int i)
{
	return (Elf64_Phdr *)(elf + sizeof(Elf64_Ehdr) + i * sizeof(Elf64_Phdr));
}

static void make_kernel(uint8_t *elf)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)elf;

	memset(elf, 0, K_FILE_SIZE);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = K_TEXT_PADDR; /* phys_startup_64, as Linux links it */
	eh->e_phoff = sizeof(Elf64_Ehdr);
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = K_NPHDR;
	*phdr(elf, 0) = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = K_TEXT_OFF,
				      .p_vaddr = 0xffffffff81000000ULL, .p_paddr = K_TEXT_PADDR,
				      .p_filesz = K_TEXT_SIZE, .p_memsz = K_TEXT_SIZE };
	*phdr(elf, 1) = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = K_TEXT_OFF, .p_paddr = 0,
				      .p_filesz = 16, .p_memsz = 16 };
	*phdr(elf, 2) = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_offset = K_DATA_OFF,
				      .p_vaddr = 0, .p_paddr = K_DATA_PADDR, /* percpu-style vaddr 0 */
				      .p_filesz = K_DATA_FILESZ, .p_memsz = K_DATA_MEMSZ };
	for (unsigned int i = 0; i < K_TEXT_SIZE; i++)
		elf[K_TEXT_OFF + i] = (uint8_t)(i * 13 + 1);
	for (unsigned int i = 0; i < K_DATA_FILESZ; i++)
		elf[K_DATA_OFF + i] = (uint8_t)(i * 5 + 2);
}

/* ---- compressors, with Linux's size_append trailer ---- */

static size_t append_size(uint8_t *out, size_t n, uint32_t size)
{
	memcpy(out + n, &size, 4);
	return n + 4;
}

static size_t compress_gzip(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	z_stream z = { .next_in = (Bytef *)in, .avail_in = n, .next_out = out, .avail_out = cap - 4 };

	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	deflateEnd(&z);
	return append_size(out, z.total_out, n);
}

static size_t compress_xz(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	size_t pos = 0;

	/* As scripts/xz_wrap.sh: CRC32 check. */
	assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, in, n, out, &pos, cap - 4), LZMA_OK);
	return append_size(out, pos, n);
}

static size_t compress_zstd(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	size_t r = ZSTD_compress(out, cap - 4, in, n, 19);

	assert_false(ZSTD_isError(r));
	return append_size(out, r, n);
}

static char tmpdir[64];
static char err[512];

static int setup_tmp(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/minivmm-test-vmlinux-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *path, const void *data, size_t n)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, n), (ssize_t)n);
	assert_int_equal(close(fd), 0);
}

/* Decode @in to a temp file and compare it with @want. */
static int decode_to_file(enum decomp_format f, const uint8_t *in, size_t n, uint64_t max, uint8_t *got,
			  uint64_t *size)
{
	char path[128];
	int fd, ret;

	snprintf(path, sizeof(path), "%s/out", tmpdir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	ret = decomp_to_fd(f, in, n, fd, max, size, err, sizeof(err));
	if (ret)
		assert_true(err[0] != 0 && !strchr(err, '\n'));
	if (!ret)
		assert_int_equal(pread(fd, got, *size, 0), (ssize_t)*size);
	close(fd);
	return ret;
}

/* ---- decomp_detect ---- */

static void test_detect_magics(void **state)
{
	static const struct {
		uint8_t magic[6];
		size_t len;
		enum decomp_format f;
	} cases[] = {
		{ { 0x1f, 0x8b, 0x08 }, 3, DECOMP_GZIP },
		{ { 0xfd, '7', 'z', 'X', 'Z', 0 }, 6, DECOMP_XZ },
		{ { 0x28, 0xb5, 0x2f, 0xfd }, 4, DECOMP_ZSTD },
		{ { 0x5d, 0, 0, 0x80 }, 4, DECOMP_LZMA },
		{ { 'B', 'Z', 'h', '9' }, 4, DECOMP_BZIP2 },
		{ { 0x02, 0x21, 0x4c, 0x18 }, 4, DECOMP_LZ4 },
		{ { 0x89, 'L', 'Z', 'O' }, 4, DECOMP_LZO },
		{ { 0x7f, 'E', 'L', 'F' }, 4, DECOMP_UNKNOWN },
		{ { 0xfd, '7', 'z' }, 3, DECOMP_UNKNOWN }, /* a cut-off xz magic */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(decomp_detect(cases[i].magic, cases[i].len), cases[i].f);
	assert_int_equal(decomp_detect(NULL, 0), DECOMP_UNKNOWN);
	assert_string_equal(decomp_name(DECOMP_XZ), "xz");
	assert_string_equal(decomp_name(DECOMP_LZ4), "lz4");
	assert_true(decomp_supported(DECOMP_GZIP) && decomp_supported(DECOMP_XZ) && decomp_supported(DECOMP_ZSTD));
	assert_false(decomp_supported(DECOMP_LZ4) || decomp_supported(DECOMP_UNKNOWN));
}

/* ---- decomp_to_fd: each format round trip, truncation, limits ---- */

typedef size_t (*compress_fn)(const uint8_t *, size_t, uint8_t *, size_t);

static void roundtrip(enum decomp_format f, compress_fn compress)
{
	static uint8_t in[3 << 20], packed[4 << 20], got[3 << 20];
	uint64_t size = 0;
	size_t n;

	/* More than one output chunk (1 MiB), not too compressible. */
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)((i * 2654435761u) >> 13) & (i % 3 ? 0xff : 0x0f);
	n = compress(in, sizeof(in), packed, sizeof(packed));
	assert_int_equal(decomp_detect(packed, n), f);
	assert_int_equal(decode_to_file(f, packed, n, sizeof(in), got, &size), 0);
	assert_int_equal(size, sizeof(in));
	assert_memory_equal(got, in, sizeof(in));
	/* Truncated streams (the 4-byte trailer and then some) are corrupt. */
	assert_int_equal(decode_to_file(f, packed, n / 2, sizeof(in), got, &size), -EINVAL);
	assert_int_equal(decode_to_file(f, packed, n - 12, sizeof(in), got, &size), -EINVAL);
	/* More output than allowed. */
	assert_int_equal(decode_to_file(f, packed, n, sizeof(in) - 1, got, &size), -EFBIG);
	/* A flipped bit in the middle: the format's own checks catch it. */
	packed[n / 2] ^= 0x10;
	assert_int_not_equal(decode_to_file(f, packed, n, sizeof(in), got, &size), 0);
}

static void test_gzip_roundtrip(void **state)
{
	(void)state;
	roundtrip(DECOMP_GZIP, compress_gzip);
}

static void test_xz_roundtrip(void **state)
{
	(void)state;
	roundtrip(DECOMP_XZ, compress_xz);
}

static void test_zstd_roundtrip(void **state)
{
	(void)state;
	roundtrip(DECOMP_ZSTD, compress_zstd);
}

static void test_unsupported_format(void **state)
{
	const uint8_t lz4[] = { 0x02, 0x21, 0x4c, 0x18, 0, 0, 0, 0 };
	uint64_t size;

	(void)state;
	assert_int_equal(decomp_to_fd(DECOMP_LZ4, lz4, sizeof(lz4), -1, 1 << 20, &size, err, sizeof(err)), -ENOTSUP);
	assert_int_equal(decomp_to_fd(DECOMP_UNKNOWN, lz4, sizeof(lz4), -1, 1 << 20, &size, err, sizeof(err)),
			 -ENOTSUP);
}

static void test_write_error(void **state)
{
	static uint8_t in[4096], packed[8192];
	uint64_t size;
	size_t n;
	int fd = open("/dev/full", O_WRONLY);

	(void)state;
	if (fd < 0)
		skip();
	n = compress_gzip(in, sizeof(in), packed, sizeof(packed));
	assert_int_equal(decomp_to_fd(DECOMP_GZIP, packed, n, fd, sizeof(in), &size, err, sizeof(err)), -ENOSPC);
	assert_non_null(strstr(err, "space"));
	close(fd);
}

/* ---- vmlinux_parse ---- */

static struct vmlinux v;

static int parse(const uint8_t *elf, uint64_t file_size)
{
	memset(&v, 0, sizeof(v));
	memset(err, 0, sizeof(err));
	return vmlinux_parse(&v, elf, K_FILE_SIZE, file_size, err, sizeof(err));
}

static void assert_refused(const char *needle)
{
	int ret = parse(kernel, K_FILE_SIZE);

	if (ret != -ENOEXEC)
		fail_msg("kernel accepted (%d), expected a refusal mentioning \"%s\"", ret, needle);
	if (!strstr(err, needle))
		fail_msg("message \"%s\" does not mention \"%s\"", err, needle);
	assert_null(strchr(err, '\n'));
	make_kernel(kernel);
}

static void test_parse_valid(void **state)
{
	(void)state;
	make_kernel(kernel);
	assert_int_equal(parse(kernel, K_FILE_SIZE), 0);
	assert_int_equal(v.entry, K_TEXT_PADDR);
	assert_int_equal(v.nsegs, 2); /* PT_NOTE skipped */
	assert_int_equal(v.seg[0].paddr, K_TEXT_PADDR);
	assert_int_equal(v.seg[0].offset, K_TEXT_OFF);
	assert_int_equal(v.seg[0].filesz, K_TEXT_SIZE);
	assert_int_equal(v.seg[1].paddr, K_DATA_PADDR); /* physical, not the vaddr 0 */
	assert_int_equal(v.seg[1].filesz, K_DATA_FILESZ);
	assert_int_equal(v.seg[1].memsz, K_DATA_MEMSZ);
	assert_int_equal(v.end, K_DATA_PADDR + K_DATA_MEMSZ);
}

static void test_parse_refusals(void **state)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)kernel;

	(void)state;
	make_kernel(kernel);
	assert_int_equal(vmlinux_parse(&v, kernel, 10, K_FILE_SIZE, err, sizeof(err)), -ENOEXEC);
	assert_non_null(strstr(err, "too short"));

	kernel[0] = 'X';
	assert_refused("not an ELF");
	eh->e_machine = EM_386;
	assert_refused("x86_64");
	eh->e_ident[EI_CLASS] = ELFCLASS32;
	assert_refused("x86_64");
	eh->e_type = ET_DYN;
	assert_refused("x86_64");
	eh->e_phoff = K_FILE_SIZE - 10;
	assert_refused("program headers");
	eh->e_phnum = 0;
	assert_refused("program headers");
	eh->e_phentsize = 32;
	assert_refused("program headers");

	phdr(kernel, 2)->p_filesz = K_FILE_SIZE; /* runs past the end */
	assert_refused("beyond the end");
	phdr(kernel, 2)->p_offset = UINT64_MAX - 4; /* offset + size overflows */
	assert_refused("beyond the end");
	phdr(kernel, 2)->p_filesz = K_DATA_MEMSZ + 1; /* filesz > memsz */
	assert_refused("beyond the end");
	phdr(kernel, 0)->p_paddr = 0x7000; /* over the zero page */
	assert_refused("outside 1 MiB");
	phdr(kernel, 2)->p_paddr = LAYOUT_LOWMEM_END - 0x1000; /* into the PCI hole */
	assert_refused("outside 1 MiB");
	phdr(kernel, 2)->p_paddr = 0xfffffffffffff000ULL;
	assert_refused("outside 1 MiB");
	eh->e_entry = K_DATA_PADDR + K_DATA_FILESZ; /* in bss only */
	assert_refused("entry point");
	phdr(kernel, 0)->p_vaddr = 0x401000; /* a static program, not a kernel */
	assert_refused("not a Linux kernel");
	phdr(kernel, 0)->p_type = PT_NOTE;
	phdr(kernel, 2)->p_type = PT_NOTE;
	assert_refused("no loadable segment");
}

static void test_parse_too_many_segments(void **state)
{
	static uint8_t big[sizeof(Elf64_Ehdr) + (VMLINUX_MAX_SEGS + 1) * sizeof(Elf64_Phdr)];
	Elf64_Ehdr *eh = (Elf64_Ehdr *)big;

	(void)state;
	make_kernel(kernel);
	memcpy(big, kernel, sizeof(Elf64_Ehdr));
	eh->e_phnum = VMLINUX_MAX_SEGS + 1;
	for (unsigned int i = 0; i < eh->e_phnum; i++)
		*phdr(big, i) = (Elf64_Phdr){ .p_type = PT_LOAD, .p_offset = 0, .p_paddr = K_TEXT_PADDR + i * 0x1000,
					      .p_filesz = 0x100, .p_memsz = 0x1000 };
	assert_int_equal(vmlinux_parse(&v, big, sizeof(big), K_FILE_SIZE, err, sizeof(err)), -ENOEXEC);
	assert_non_null(strstr(err, "too many"));
}

/* ---- the whole path: bzImage with a payload -> cache -> guest RAM ---- */

#define BZ_SETUP_SECTS 4
#define BZ_SETUP_SIZE ((BZ_SETUP_SECTS + 1) * 512)
#define BZ_PAYLOAD_OFF 0x100 /* within the protected-mode part */
#define HDR_OFF 0x1f1

#define HDR_SET(buf, field, val)                                                          \
	do {                                                                              \
		__typeof__(((struct setup_header *)0)->field) v_ = (val);                 \
		memcpy((buf) + HDR_OFF + offsetof(struct setup_header, field), &v_, sizeof(v_)); \
	} while (0)

static uint8_t bz[BZ_SETUP_SIZE + BZ_PAYLOAD_OFF + 2 * K_FILE_SIZE + 0x2000];

/* A bzImage whose payload is @payload; returns its size. */
static size_t make_bzimage(const uint8_t *payload, size_t n)
{
	size_t size = BZ_SETUP_SIZE + BZ_PAYLOAD_OFF + n + 0x1000; /* bzImages are at least 4 KiB */

	assert_true(size <= sizeof(bz));
	memset(bz, 0x90, sizeof(bz));
	memset(bz, 0, 0x300);
	HDR_SET(bz, setup_sects, BZ_SETUP_SECTS);
	HDR_SET(bz, boot_flag, 0xaa55);
	bz[0x200] = 0xeb;
	bz[0x201] = 0x6a;
	HDR_SET(bz, header, 0x53726448);
	HDR_SET(bz, version, 0x020f);
	HDR_SET(bz, loadflags, LOADED_HIGH);
	HDR_SET(bz, initrd_addr_max, 0x7fffffff);
	HDR_SET(bz, kernel_alignment, 0x200000);
	HDR_SET(bz, relocatable_kernel, 1);
	HDR_SET(bz, xloadflags, XLF_KERNEL_64);
	HDR_SET(bz, cmdline_size, 2047);
	HDR_SET(bz, pref_address, 0x1000000);
	HDR_SET(bz, init_size, 0x2000000);
	HDR_SET(bz, payload_offset, BZ_PAYLOAD_OFF);
	HDR_SET(bz, payload_length, n);
	memcpy(bz + BZ_SETUP_SIZE + BZ_PAYLOAD_OFF, payload, n);
	return size;
}

static void check_bzimage(struct boot_image *img, size_t size)
{
	memset(img, 0, sizeof(*img));
	img->fd = -1;
	if (boot_image_check(img, bz, size, err, sizeof(err)))
		fail_msg("synthetic bzImage refused: %s", err);
}

static void test_payload_bounds(void **state)
{
	struct boot_image img;
	const uint8_t *p;
	size_t n, size;

	(void)state;
	size = make_bzimage((const uint8_t *)"\x1f\x8bxx", 4);
	check_bzimage(&img, size);
	assert_int_equal(boot_image_payload(&img, &p, &n), 0);
	assert_ptr_equal(p, bz + BZ_SETUP_SIZE + BZ_PAYLOAD_OFF);
	assert_int_equal(n, 4);

	HDR_SET(bz, payload_length, size); /* past the end of the file */
	check_bzimage(&img, size);
	assert_int_equal(boot_image_payload(&img, &p, &n), -ENOENT);
	HDR_SET(bz, payload_length, 4);
	HDR_SET(bz, payload_offset, 0xfffffff0u);
	check_bzimage(&img, size);
	assert_int_equal(boot_image_payload(&img, &p, &n), -ENOENT);
	HDR_SET(bz, payload_offset, BZ_PAYLOAD_OFF);
	HDR_SET(bz, version, 0x0207); /* protocol before payload fields: refused earlier too */
	memset(&img, 0, sizeof(img));
	img.data = bz;
	img.size = size;
	img.setup_size = BZ_SETUP_SIZE;
	img.version = 0x0207;
	assert_int_equal(boot_image_payload(&img, &p, &n), -ENOENT);
}


static int count_cache_entries(void)
{
	char cmd[160];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls '%s/cache' | grep -c '^vmlinux-'", tmpdir);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
}

static void boot_direct(compress_fn compress)
{
	static uint8_t packed[2 * K_FILE_SIZE];
	char cache[128];
	struct boot_image img;
	struct small_mem m;
	struct stat st1, st2;
	size_t n, size;

	make_kernel(kernel);
	n = compress(kernel, sizeof(kernel), packed, sizeof(packed));
	size = make_bzimage(packed, n);
	snprintf(cache, sizeof(cache), "%s/cache", tmpdir);

	/* First start: decompressed into the (new) cache directory. */
	check_bzimage(&img, size);
	assert_int_equal(boot_entry(&img), LAYOUT_KERNEL_START + 0x200);
	assert_int_equal(boot_image_use_vmlinux(&img, cache, false), 0);
	assert_true(img.direct);
	assert_int_equal(boot_entry(&img), K_TEXT_PADDR);
	assert_int_equal(img.kernel_end, K_DATA_PADDR + K_DATA_MEMSZ);
	assert_int_equal(stat(img.vmlinux.path, &st1), 0);
	assert_int_equal(st1.st_size, K_FILE_SIZE);

	small_mem_init_fill(&m, 64 * MiB, 0xee); /* not zero: the loader must clear bss */
	assert_int_equal(boot_load(&m.mem, &img, "console=ttyS0", NULL, 0xe0000), 0);
	assert_memory_equal(m.buf + K_TEXT_PADDR, kernel + K_TEXT_OFF, K_TEXT_SIZE);
	assert_memory_equal(m.buf + K_DATA_PADDR, kernel + K_DATA_OFF, K_DATA_FILESZ);
	for (unsigned int i = K_DATA_FILESZ; i < K_DATA_MEMSZ; i++)
		assert_int_equal(m.buf[K_DATA_PADDR + i], 0);
	/* Nothing where the bzImage's protected-mode code would have gone. */
	assert_int_equal(m.buf[LAYOUT_KERNEL_START], 0xee);
	/* The zero page still carries the bzImage's setup header. */
	assert_int_equal(((struct boot_params *)(m.buf + LAYOUT_ZERO_PAGE))->hdr.header, 0x53726448);
	boot_image_close(&img);
	assert_int_equal(img.vmlinux.fd, -1);

	/* Second start: the same file, not decompressed again. */
	check_bzimage(&img, size);
	assert_int_equal(boot_image_use_vmlinux(&img, cache, false), 0);
	assert_int_equal(stat(img.vmlinux.path, &st2), 0);
	assert_int_equal(st1.st_ino, st2.st_ino);
	assert_int_equal(st1.st_mtim.tv_nsec, st2.st_mtim.tv_nsec);
	boot_image_close(&img);
	assert_int_equal(count_cache_entries(), 1);

	/* A damaged cache entry (cut short) is rebuilt, not booted. */
	assert_int_equal(truncate(img.vmlinux.path, K_DATA_OFF), 0);
	check_bzimage(&img, size);
	assert_int_equal(boot_image_use_vmlinux(&img, cache, false), 0);
	assert_int_equal(stat(img.vmlinux.path, &st2), 0);
	assert_int_equal(st2.st_size, K_FILE_SIZE);
	boot_image_close(&img);
	assert_int_equal(count_cache_entries(), 1);
	free(m.buf);
}

static void test_direct_gzip(void **state)
{
	(void)state;
	boot_direct(compress_gzip);
}

static void test_direct_xz(void **state)
{
	(void)state;
	boot_direct(compress_xz);
}

static void test_direct_zstd(void **state)
{
	(void)state;
	boot_direct(compress_zstd);
}

/* Formats minivmm does not decode, and broken payloads: the bzImage way. */
static void test_fallbacks(void **state)
{
	static uint8_t packed[2 * K_FILE_SIZE];
	const uint8_t lz4[] = { 0x02, 0x21, 0x4c, 0x18, 1, 2, 3, 4 };
	char cache[128], ro[128];
	struct boot_image img;
	size_t n, size;

	(void)state;
	snprintf(cache, sizeof(cache), "%s/cache", tmpdir);
	size = make_bzimage(lz4, sizeof(lz4));
	check_bzimage(&img, size);
	assert_int_equal(boot_image_use_vmlinux(&img, cache, false), -ENOTSUP);
	assert_false(img.direct);
	assert_int_equal(boot_entry(&img), LAYOUT_KERNEL_START + 0x200);
	boot_image_close(&img);

	/* Corrupt xz: decoding fails, nothing is left in the cache. */
	make_kernel(kernel);
	n = compress_xz(kernel, sizeof(kernel), packed, sizeof(packed));
	packed[n / 2] ^= 0xff;
	size = make_bzimage(packed, n);
	check_bzimage(&img, size);
	assert_int_not_equal(boot_image_use_vmlinux(&img, cache, false), 0);
	assert_false(img.direct);
	boot_image_close(&img);
	assert_int_equal(count_cache_entries(), 0);

	/* A payload that decodes to something that is not a kernel. */
	memset(kernel, 'k', sizeof(kernel));
	n = compress_gzip(kernel, sizeof(kernel), packed, sizeof(packed));
	size = make_bzimage(packed, n);
	check_bzimage(&img, size);
	assert_int_equal(boot_image_use_vmlinux(&img, cache, false), -ENOEXEC);
	assert_false(img.direct);
	boot_image_close(&img);
	assert_int_equal(count_cache_entries(), 0);

	/* A cache directory that cannot be created. */
	snprintf(ro, sizeof(ro), "%s/file", tmpdir);
	assert_int_equal(close(open(ro, O_CREAT | O_WRONLY, 0644)), 0);
	snprintf(ro, sizeof(ro), "%s/file/cache", tmpdir);
	make_kernel(kernel);
	n = compress_gzip(kernel, sizeof(kernel), packed, sizeof(packed));
	size = make_bzimage(packed, n);
	check_bzimage(&img, size);
	assert_int_equal(boot_image_use_vmlinux(&img, ro, false), -ENOTDIR);
	assert_false(img.direct);
	boot_image_close(&img);
}

/* A vmlinux ELF as --kernel: loaded from the file itself, with a zero page
 * whose setup header minivmm wrote (there is none in the file). */
static void test_elf_kernel(void **state)
{
	const uint8_t initrd[] = "initrd contents";
	char path[128], ipath[128];
	struct boot_params *bp;
	struct boot_image img;
	struct small_mem m;
	uint64_t gpa;

	(void)state;
	make_kernel(kernel);
	snprintf(path, sizeof(path), "%s/vmlinux", tmpdir);
	write_file(path, kernel, sizeof(kernel));
	snprintf(ipath, sizeof(ipath), "%s/initrd", tmpdir);
	write_file(ipath, initrd, sizeof(initrd));

	assert_int_equal(boot_image_open(&img, path, err, sizeof(err)), 0);
	assert_true(img.direct);
	assert_null(img.data);
	assert_int_equal(img.fd, -1);
	assert_int_equal(boot_entry(&img), K_TEXT_PADDR);
	assert_int_equal(img.kernel_end, K_DATA_PADDR + K_DATA_MEMSZ);
	assert_string_equal(img.vmlinux.path, path);
	/* Already direct: nothing to decompress, the cache is not touched. */
	assert_int_equal(boot_image_use_vmlinux(&img, "/nonexistent/cache", false), 0);
	assert_string_equal(img.vmlinux.path, path);

	small_mem_init_fill(&m, 64 * MiB, 0xee);
	assert_int_equal(boot_load(&m.mem, &img, "console=ttyS0", ipath, 0xe0000), 0);
	assert_memory_equal(m.buf + K_TEXT_PADDR, kernel + K_TEXT_OFF, K_TEXT_SIZE);
	assert_memory_equal(m.buf + K_DATA_PADDR, kernel + K_DATA_OFF, K_DATA_FILESZ);
	for (unsigned int i = K_DATA_FILESZ; i < K_DATA_MEMSZ; i++)
		assert_int_equal(m.buf[K_DATA_PADDR + i], 0);

	bp = (struct boot_params *)(m.buf + LAYOUT_ZERO_PAGE);
	assert_int_equal(bp->hdr.header, 0x53726448);
	assert_int_equal(bp->hdr.boot_flag, 0xaa55);
	assert_int_equal(bp->hdr.version, 0x020f);
	assert_true(bp->hdr.loadflags & LOADED_HIGH);
	assert_true(bp->hdr.xloadflags & XLF_KERNEL_64);
	assert_int_equal(bp->hdr.type_of_loader, 0xff);
	assert_int_equal(bp->hdr.cmdline_size, 2047);
	assert_int_equal(bp->hdr.cmd_line_ptr, LAYOUT_CMDLINE);
	assert_string_equal((char *)m.buf + LAYOUT_CMDLINE, "console=ttyS0");
	assert_int_equal(bp->acpi_rsdp_addr, 0xe0000);
	assert_int_not_equal(bp->e820_entries, 0);
	/* The initrd: at the top of low RAM, above the kernel, intact. */
	gpa = bp->hdr.ramdisk_image | (uint64_t)bp->ext_ramdisk_image << 32;
	assert_int_equal(bp->hdr.ramdisk_size, sizeof(initrd));
	assert_true(gpa >= img.kernel_end);
	assert_true(gpa + sizeof(initrd) <= 64 * MiB);
	assert_memory_equal(m.buf + gpa, initrd, sizeof(initrd));
	/* Nothing where a bzImage's protected-mode code would have gone. */
	assert_int_equal(m.buf[LAYOUT_KERNEL_START], 0xee);
	boot_image_close(&img);
	assert_int_equal(img.vmlinux.fd, -1);
	free(m.buf);

	/* An ELF that is not an x86_64 kernel: refused, naming why and the fix. */
	kernel[EI_CLASS] = ELFCLASS32;
	write_file(path, kernel, sizeof(kernel));
	assert_int_equal(boot_image_open(&img, path, err, sizeof(err)), -ENOEXEC);
	assert_non_null(strstr(err, "is not an x86_64 executable ELF"));
	assert_non_null(strstr(err, "pass an x86_64 vmlinux or the kernel's bzImage"));
	assert_non_null(strstr(err, path));
	boot_image_close(&img);
}

/* Guest RAM too small for the kernel's segments. */
static void test_load_needs_ram(void **state)
{
	static uint8_t packed[2 * K_FILE_SIZE];
	char cache[128];
	struct boot_image img;
	struct small_mem m;
	size_t n, size;

	(void)state;
	snprintf(cache, sizeof(cache), "%s/cache", tmpdir);
	make_kernel(kernel);
	n = compress_gzip(kernel, sizeof(kernel), packed, sizeof(packed));
	size = make_bzimage(packed, n);
	check_bzimage(&img, size);
	assert_int_equal(boot_image_use_vmlinux(&img, cache, false), 0);
	small_mem_init_fill(&m, K_DATA_PADDR + 0x1000, 0xee); /* data segment's bss runs past the end */
	assert_int_equal(vmlinux_load(&img.vmlinux, &m.mem), -ENOSPC);
	boot_image_close(&img);
	free(m.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detect_magics),
		cmocka_unit_test_setup_teardown(test_gzip_roundtrip, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_xz_roundtrip, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_zstd_roundtrip, setup_tmp, teardown_tmp),
		cmocka_unit_test(test_unsupported_format),
		cmocka_unit_test(test_write_error),
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_parse_refusals),
		cmocka_unit_test(test_parse_too_many_segments),
		cmocka_unit_test(test_payload_bounds),
		cmocka_unit_test_setup_teardown(test_direct_gzip, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_direct_xz, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_direct_zstd, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_fallbacks, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_load_needs_ram, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_elf_kernel, setup_tmp, teardown_tmp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
