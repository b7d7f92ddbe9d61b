// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the AML encoder (src/arch/x86/aml.c). Expected byte
 * strings are written out by hand from the ACPI specification.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "minivmm/x86/aml.h"
#include "minivmm/x86/aml_code.h"

#define BIG (64 * 1024)

/* Independent PkgLength decoder; returns the number of bytes used. */
static unsigned int decode_pkglen(const uint8_t *p, uint32_t *len)
{
	unsigned int n = (p[0] >> 6) + 1, i;

	if (n == 1) {
		*len = p[0] & 0x3f;
		return 1;
	}
	*len = p[0] & 0x0f;
	for (i = 1; i < n; i++)
		*len |= (uint32_t)p[i] << (4 + 8 * (i - 1));
	return n;
}

/* What was emitted into @a is exactly @want, without error. */
#define EXPECT_BYTES(a, want)                                               \
	do {                                                                \
		const uint8_t w_[] = want;                                  \
		assert_int_equal(aml_error(a), 0);                          \
		assert_int_equal((a)->len, sizeof(w_));                     \
		assert_memory_equal((a)->buf, w_, sizeof(w_));              \
	} while (0)
#define B(...) { __VA_ARGS__ }

static void check_pkglen(uint32_t v, unsigned int nbytes, const uint8_t *want)
{
	uint8_t out[AML_PKGLEN_MAX_BYTES];
	uint32_t back;

	assert_int_equal(aml_pkglen_encode(v, out), (int)nbytes);
	assert_memory_equal(out, want, nbytes);
	assert_int_equal(decode_pkglen(out, &back), nbytes);
	assert_int_equal(back, v);
}

static void test_pkglen_boundaries(void **state)
{
	uint8_t out[AML_PKGLEN_MAX_BYTES];

	(void)state;
	check_pkglen(0, 1, (const uint8_t[]){ 0x00 });
	check_pkglen(63, 1, (const uint8_t[]){ 0x3f });
	check_pkglen(64, 2, (const uint8_t[]){ 0x40, 0x04 });
	check_pkglen(4095, 2, (const uint8_t[]){ 0x4f, 0xff });
	check_pkglen(4096, 3, (const uint8_t[]){ 0x80, 0x00, 0x01 });
	check_pkglen(0xfffff, 3, (const uint8_t[]){ 0x8f, 0xff, 0xff });
	check_pkglen(0x100000, 4, (const uint8_t[]){ 0xc0, 0x00, 0x00, 0x01 });
	check_pkglen(0x0fffffff, 4, (const uint8_t[]){ 0xcf, 0xff, 0xff, 0xff });
	assert_int_equal(aml_pkglen_encode(0x10000000, out), -EINVAL);
}

/*
 * A Buffer of @n raw bytes: check the inserted PkgLength is the minimal
 * encoding of (its own size + BufferSize + @n) and the data follow it.
 */
static void check_buffer_of(uint8_t *mem, size_t memsize, size_t n)
{
	struct aml a;
	size_t mark, i, isz;
	uint32_t len;
	unsigned int k;

	aml_init(&a, mem, memsize);
	aml_buffer_begin(&a, &mark);
	for (i = 0; i < n; i++)
		aml_byte(&a, (uint8_t)i);
	assert_int_equal(aml_buffer_end(&a, mark), 0);
	assert_int_equal(mem[0], AML_BUFFER_OP);
	k = decode_pkglen(mem + 1, &len);
	assert_int_equal(a.len, 1 + len);
	/* BufferSize integer, then the data intact. */
	isz = n == 0 || n == 1 ? 1 : n <= 0xff ? 2 : n <= 0xffff ? 3 : 5;
	assert_int_equal(len, k + isz + n);
	for (i = 0; i < n; i += 997)
		assert_int_equal(mem[1 + k + isz + i], (uint8_t)i);
	/* Minimal: one byte fewer would not have been enough. */
	if (k > 1)
		assert_true(len - 1 > (k == 2 ? 0x3fu : k == 3 ? 0xfffu : 0xfffffu));
}

static void test_pkglen_insertion(void **state)
{
	uint8_t *mem = malloc(2 * 1024 * 1024);
	size_t n;

	(void)state;
	assert_non_null(mem);
	for (n = 0; n < 5000; n++)
		check_buffer_of(mem, 2 * 1024 * 1024, n);
	for (n = 0xfffff - 16; n < 0xfffff + 4; n++)
		check_buffer_of(mem, 2 * 1024 * 1024, n);
	free(mem);
}

static void check_int(uint64_t v, const uint8_t *want, size_t n)
{
	uint8_t buf[16];
	struct aml a;

	aml_init(&a, buf, sizeof(buf));
	assert_int_equal(aml_integer(&a, v), 0);
	assert_int_equal(a.len, n);
	assert_memory_equal(buf, want, n);
}

static void test_integers(void **state)
{
	(void)state;
	check_int(0, (const uint8_t[]){ 0x00 }, 1);
	check_int(1, (const uint8_t[]){ 0x01 }, 1);
	check_int(2, (const uint8_t[]){ 0x0a, 0x02 }, 2);
	check_int(0xff, (const uint8_t[]){ 0x0a, 0xff }, 2);
	check_int(0x100, (const uint8_t[]){ 0x0b, 0x00, 0x01 }, 3);
	check_int(0xffff, (const uint8_t[]){ 0x0b, 0xff, 0xff }, 3);
	check_int(0x10000, (const uint8_t[]){ 0x0c, 0x00, 0x00, 0x01, 0x00 }, 5);
	check_int(0xffffffff, (const uint8_t[]){ 0x0c, 0xff, 0xff, 0xff, 0xff }, 5);
	check_int(0x100000000ULL,
		  (const uint8_t[]){ 0x0e, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00 }, 9);
	check_int(0x123456789abcdef0ULL,
		  (const uint8_t[]){ 0x0e, 0xf0, 0xde, 0xbc, 0x9a, 0x78, 0x56, 0x34, 0x12 }, 9);
}

static void test_eisaid(void **state)
{
	uint8_t buf[16];
	struct aml a;
	uint32_t v;

	(void)state;
	assert_int_equal(aml_eisaid("PNP0A03", &v), 0);
	assert_int_equal(v, 0x030ad041);
	assert_int_equal(aml_eisaid("PNP0A08", &v), 0);
	assert_int_equal(v, 0x080ad041);
	assert_int_equal(aml_eisaid("PNP0C02", &v), 0);
	assert_int_equal(v, 0x020cd041);
	assert_int_equal(aml_eisaid("pnp0a03", &v), -EINVAL);
	assert_int_equal(aml_eisaid("PNP0A0", &v), -EINVAL);
	assert_int_equal(aml_eisaid("PNP0A0G", &v), -EINVAL);
	assert_int_equal(aml_eisaid("PNP0A033", &v), -EINVAL);

	aml_init(&a, buf, sizeof(buf));
	aml_eisaid_emit(&a, "PNP0A03");
	EXPECT_BYTES(&a, B(0x0c, 0x41, 0xd0, 0x0a, 0x03));
	/* A bad id is a sticky error. */
	assert_int_equal(aml_eisaid_emit(&a, "XYZ"), -EINVAL);
	assert_int_equal(aml_integer(&a, 0), -EINVAL);
	assert_int_equal(a.len, 5);
}

static void check_name(const char *path, const uint8_t *want, size_t n)
{
	uint8_t buf[64];
	struct aml a;

	aml_init(&a, buf, sizeof(buf));
	assert_int_equal(aml_namestring(&a, path), 0);
	assert_int_equal(a.len, n);
	assert_memory_equal(buf, want, n);
}

static void check_bad_name(const char *path)
{
	uint8_t buf[64];
	struct aml a;

	aml_init(&a, buf, sizeof(buf));
	assert_int_equal(aml_namestring(&a, path), -EINVAL);
	assert_int_equal(a.len, 0);
}

static void test_namestrings(void **state)
{
	(void)state;
	check_name("_S5", (const uint8_t[]){ '_', 'S', '5', '_' }, 4);
	check_name("PCI0", (const uint8_t[]){ 'P', 'C', 'I', '0' }, 4);
	check_name("\\_SB", (const uint8_t[]){ 0x5c, '_', 'S', 'B', '_' }, 5);
	check_name("\\_SB.PCI0",
		   (const uint8_t[]){ 0x5c, 0x2e, '_', 'S', 'B', '_', 'P', 'C', 'I', '0' }, 10);
	check_name("_SB.PCI0", (const uint8_t[]){ 0x2e, '_', 'S', 'B', '_', 'P', 'C', 'I', '0' },
		   9);
	check_name("\\_SB.PCI0.S1",
		   (const uint8_t[]){ 0x5c, 0x2f, 0x03, '_', 'S', 'B', '_', 'P', 'C', 'I', '0',
				      'S', '1', '_', '_' },
		   15);
	check_name("^^FOO", (const uint8_t[]){ 0x5e, 0x5e, 'F', 'O', 'O', '_' }, 6);
	check_name("\\", (const uint8_t[]){ 0x5c, 0x00 }, 2);

	check_bad_name("");
	check_bad_name("^");
	check_bad_name("1ABC");
	check_bad_name("ABCDE");
	check_bad_name("A..B");
	check_bad_name("A.");
	check_bad_name(".A");
	check_bad_name("pci0");
	check_bad_name("\\^A");
	check_bad_name("\\\\A");
	check_bad_name(NULL);
}

static void test_string(void **state)
{
	uint8_t buf[16];
	struct aml a;

	(void)state;
	aml_init(&a, buf, sizeof(buf));
	aml_string(&a, "ab");
	EXPECT_BYTES(&a, B(0x0d, 'a', 'b', 0x00));
	aml_init(&a, buf, sizeof(buf));
	aml_string(&a, "");
	EXPECT_BYTES(&a, B(0x0d, 0x00));
	aml_init(&a, buf, sizeof(buf));
	assert_int_equal(aml_string(&a, "\xff"), -EINVAL);
}

static void test_name_package(void **state)
{
	uint8_t buf[64];
	struct aml a;
	size_t m;

	(void)state;
	aml_init(&a, buf, sizeof(buf));
	aml_name(&a, "_S5");
	aml_package_begin(&a, &m);
	aml_integer(&a, 5);
	aml_integer(&a, 0);
	aml_integer(&a, 0);
	aml_integer(&a, 0);
	aml_package_end(&a, m, 4);
	EXPECT_BYTES(&a, B(0x08, '_', 'S', '5', '_', 0x12, 0x07, 0x04, 0x0a, 0x05, 0x00, 0x00,
			   0x00));

	aml_init(&a, buf, sizeof(buf));
	aml_package_begin(&a, &m);
	aml_package_end(&a, m, 0);
	EXPECT_BYTES(&a, B(0x12, 0x02, 0x00));

	aml_init(&a, buf, sizeof(buf));
	aml_package_begin(&a, &m);
	assert_int_equal(aml_package_end(&a, m, 256), -EINVAL);
}

static void test_device_scope(void **state)
{
	uint8_t buf[64];
	struct aml a;
	size_t s, d;

	(void)state;
	aml_init(&a, buf, sizeof(buf));
	aml_scope_begin(&a, "\\_SB", &s);
	aml_device_begin(&a, "PCI0", &d);
	aml_name(&a, "_UID");
	aml_integer(&a, 0);
	aml_device_end(&a, d);
	aml_scope_end(&a, s);
	EXPECT_BYTES(&a, B(0x10, 0x13, 0x5c, '_', 'S', 'B', '_',
			   0x5b, 0x82, 0x0b, 'P', 'C', 'I', '0',
			   0x08, '_', 'U', 'I', 'D', 0x00));
}

static void test_resources(void **state)
{
	uint8_t buf[256];
	struct aml a;
	size_t m;

	(void)state;
	aml_init(&a, buf, sizeof(buf));
	aml_restemplate_begin(&a, &m);
	aml_res_io(&a, 0xcf8, 0xcf8, 1, 8);
	aml_restemplate_end(&a, m);
	EXPECT_BYTES(&a, B(0x11, 0x0d, 0x0a, 0x0a,
			   0x47, 0x01, 0xf8, 0x0c, 0xf8, 0x0c, 0x01, 0x08,
			   0x79, 0x00));

	aml_init(&a, buf, sizeof(buf));
	aml_res_word_bus(&a, 0, 0xff);
	EXPECT_BYTES(&a, B(0x88, 0x0d, 0x00, 0x02, 0x0c, 0x00,
			   0x00, 0x00, 0x00, 0x00, 0xff, 0x00, 0x00, 0x00, 0x00, 0x01));

	aml_init(&a, buf, sizeof(buf));
	aml_res_word_io(&a, 0xc000, 0xffff);
	EXPECT_BYTES(&a, B(0x88, 0x0d, 0x00, 0x01, 0x0c, 0x03,
			   0x00, 0x00, 0x00, 0xc0, 0xff, 0xff, 0x00, 0x00, 0x00, 0x40));

	aml_init(&a, buf, sizeof(buf));
	aml_res_dword_mem(&a, AML_MEM_READ_WRITE, 0xc0000000, 0xdfffffff);
	EXPECT_BYTES(&a, B(0x87, 0x17, 0x00, 0x00, 0x0c, 0x01,
			   0x00, 0x00, 0x00, 0x00,
			   0x00, 0x00, 0x00, 0xc0,
			   0xff, 0xff, 0xff, 0xdf,
			   0x00, 0x00, 0x00, 0x00,
			   0x00, 0x00, 0x00, 0x20));

	aml_init(&a, buf, sizeof(buf));
	aml_res_qword_mem(&a, AML_MEM_READ_WRITE | AML_MEM_CACHEABLE, 0x4000000000ULL,
			  0x7fffffffffULL);
	EXPECT_BYTES(&a, B(0x8a, 0x2b, 0x00, 0x00, 0x0c, 0x03,
			   0, 0, 0, 0, 0, 0, 0, 0,
			   0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00,
			   0xff, 0xff, 0xff, 0xff, 0x7f, 0x00, 0x00, 0x00,
			   0, 0, 0, 0, 0, 0, 0, 0,
			   0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00));

	/* Ranges that do not fit their descriptor. */
	aml_init(&a, buf, sizeof(buf));
	assert_int_equal(aml_res_addr(&a, 16, AML_ADDR_IO, 0, 0, 0, 0x10000), -EINVAL);
	aml_init(&a, buf, sizeof(buf));
	assert_int_equal(aml_res_addr(&a, 16, AML_ADDR_IO, 0, 0, 0, 0xffff), -EINVAL);
	aml_init(&a, buf, sizeof(buf));
	assert_int_equal(aml_res_addr(&a, 32, AML_ADDR_MEMORY, 0, 0, 2, 1), -EINVAL);
	aml_init(&a, buf, sizeof(buf));
	assert_int_equal(aml_res_addr(&a, 8, AML_ADDR_MEMORY, 0, 0, 0, 1), -EINVAL);
	aml_init(&a, buf, sizeof(buf));
	assert_int_equal(aml_res_addr(&a, 64, AML_ADDR_MEMORY, 0, 0, 0, UINT64_MAX), -EINVAL);
	aml_init(&a, buf, sizeof(buf));
	assert_int_equal(aml_res_io(&a, 2, 1, 1, 1), -EINVAL);
}

/* Something with every kind of nesting, for the out-of-space sweep. */
static int emit_sample(uint8_t *buf, size_t size, size_t *len)
{
	struct aml a;
	size_t s, d, p, q, r;
	int i;

	aml_init(&a, buf, size);
	aml_name(&a, "_S5");
	aml_package_begin(&a, &p);
	aml_integer(&a, 5);
	aml_integer(&a, 0);
	aml_package_end(&a, p, 2);
	aml_scope_begin(&a, "\\_SB", &s);
	aml_device_begin(&a, "PCI0", &d);
	aml_name(&a, "_HID");
	aml_eisaid_emit(&a, "PNP0A08");
	aml_name(&a, "_STR");
	aml_string(&a, "minivmm");
	aml_name(&a, "_CRS");
	aml_restemplate_begin(&a, &r);
	aml_res_word_bus(&a, 0, 0);
	aml_res_qword_mem(&a, AML_MEM_READ_WRITE, 1ULL << 40, (1ULL << 41) - 1);
	aml_restemplate_end(&a, r);
	aml_name(&a, "_PRT");
	aml_package_begin(&a, &p);
	for (i = 0; i < 20; i++) {
		aml_package_begin(&a, &q);
		aml_integer(&a, ((uint32_t)i << 16) | 0xffff);
		aml_integer(&a, (uint64_t)i % 4);
		aml_integer(&a, 0);
		aml_integer(&a, 16 + (uint64_t)i % 8);
		aml_package_end(&a, q, 4);
	}
	aml_package_end(&a, p, 20);
	aml_device_end(&a, d);
	aml_scope_end(&a, s);
	*len = a.len;
	return aml_error(&a);
}

static void test_enospc_sweep(void **state)
{
	static uint8_t ref[BIG];
	size_t full, len, size;
	uint8_t *buf;

	(void)state;
	assert_int_equal(emit_sample(ref, sizeof(ref), &full), 0);
	/* The outer Scope needed a 2-byte PkgLength: the sweep crosses it. */
	assert_true(full > 64);
	for (size = 0; size <= full; size++) {
		buf = malloc(size ? size : 1);
		assert_non_null(buf);
		if (size < full) {
			assert_int_equal(emit_sample(buf, size, &len), -ENOSPC);
			assert_true(len <= size);
		} else {
			assert_int_equal(emit_sample(buf, size, &len), 0);
			assert_int_equal(len, full);
			assert_memory_equal(buf, ref, full);
		}
		free(buf);
	}
	/* No buffer at all. */
	assert_int_equal(emit_sample(NULL, 0, &len), -ENOSPC);
}

static void test_sticky_error(void **state)
{
	uint8_t buf[4];
	struct aml a;

	(void)state;
	aml_init(&a, buf, sizeof(buf));
	assert_int_equal(aml_integer(&a, 0x10000), -ENOSPC);
	assert_int_equal(a.len, 0);
	assert_int_equal(aml_byte(&a, 0), -ENOSPC);
	assert_int_equal(a.len, 0);
	assert_int_equal(aml_error(&a), -ENOSPC);
}

/* Method(PCNT, 0){ Store(PCIU, Local0); If(And(Local0, 2, Zero)){ Notify(S01, 1) } } */
static void test_method_if_notify(void **state)
{
	uint8_t buf[128];
	struct aml a;
	size_t m, i;

	(void)state;
	aml_init(&a, buf, sizeof(buf));
	aml_method_begin(&a, "PCNT", 0, &m);
	aml_op(&a, AML_STORE_OP);
	aml_namestring(&a, "PCIU");
	aml_local(&a, 0);
	aml_if_begin(&a, &i);
	aml_op(&a, AML_AND_OP);
	aml_local(&a, 0);
	aml_integer(&a, 2);
	aml_no_target(&a);
	aml_op(&a, AML_NOTIFY_OP);
	aml_namestring(&a, "S01");
	aml_integer(&a, 1);
	aml_if_end(&a, i);
	aml_method_end(&a, m);
	EXPECT_BYTES(&a, B(0x14, 0x19, 'P', 'C', 'N', 'T', 0x00,        /* Method, PkgLength 25, flags */
			    0x70, 'P', 'C', 'I', 'U', 0x60,              /* Store(PCIU, Local0) */
			    0xa0, 0x0c, 0x7b, 0x60, 0x0a, 0x02, 0x00,    /* If(And(Local0, 2, Zero)) */
			    0x86, 'S', '0', '1', '_', 0x01));          /* Notify(S01_, One) */
}

static void test_region_field_interrupt(void **state)
{
	static const char *const names[] = { "PCIU", "PCID" };
	uint8_t buf[128];
	struct aml a;

	(void)state;
	aml_init(&a, buf, sizeof(buf));
	aml_opregion_io(&a, "PCHP", 0x610, 16);
	aml_field_dwords(&a, "PCHP", names, 2);
	aml_res_interrupt_level_high(&a, 10);
	EXPECT_BYTES(&a, B(0x5b, 0x80, 'P', 'C', 'H', 'P', 0x01, 0x0b, 0x10, 0x06, 0x0a, 0x10,
			    0x5b, 0x81, 0x10, 'P', 'C', 'H', 'P', 0x03, 'P', 'C', 'I', 'U', 0x20,
			    'P', 'C', 'I', 'D', 0x20,
			    0x89, 0x06, 0x00, 0x01, 0x01, 0x0a, 0x00, 0x00, 0x00));
	/* Bad arguments are sticky errors, not bytes. */
	aml_init(&a, buf, sizeof(buf));
	assert_int_equal(aml_local(&a, 8), -EINVAL);
	assert_int_equal(aml_error(&a), -EINVAL);
	aml_init(&a, buf, sizeof(buf));
	assert_int_equal(aml_field_dwords(&a, "PCHP", (const char *const[]){ "TOOLONG" }, 1), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pkglen_boundaries),
		cmocka_unit_test(test_pkglen_insertion),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_eisaid),
		cmocka_unit_test(test_namestrings),
		cmocka_unit_test(test_string),
		cmocka_unit_test(test_name_package),
		cmocka_unit_test(test_device_scope),
		cmocka_unit_test(test_resources),
		cmocka_unit_test(test_enospc_sweep),
		cmocka_unit_test(test_sticky_error),
		cmocka_unit_test(test_method_if_notify),
		cmocka_unit_test(test_region_field_interrupt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
