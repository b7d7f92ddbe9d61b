// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for src/vfio/msix.c: the emulated MSI-X table and PBA (PCI
 * Local Bus 3.0 section 6.8.2) and MSI capability decoding (6.8.1). The
 * update callback is recorded so each test can check exactly which vectors
 * the device code would (re)wire, with which message.
 */
#include <errno.h>
#include <linux/pci_regs.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "minivmm/vfio/msix.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Entry fields, offsets inside a 16-byte table entry. */
#define E_ADDR_LO 0
#define E_ADDR_HI 4
#define E_DATA 8
#define E_CTRL 12

/* ---- Recording the update callback ---- */

struct call {
	unsigned int vec;
	bool live;
	uint64_t addr;
	uint32_t data;
	bool deliver;
};

struct fx {
	struct msix_table t;
	struct call calls[4096];
	unsigned int ncalls;
};

static void record(void *opaque, unsigned int vec, bool live, uint64_t addr, uint32_t data, bool deliver)
{
	struct fx *f = opaque;

	assert_true(f->ncalls < ARRAY_SIZE(f->calls));
	f->calls[f->ncalls++] = (struct call){ vec, live, addr, data, deliver };
}

static struct fx *fx_new(unsigned int nvec)
{
	struct fx *f = test_calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(msix_table_init(&f->t, nvec, record, f), 0);
	return f;
}

static void fx_free(struct fx *f)
{
	msix_table_destroy(&f->t);
	test_free(f);
}

static uint32_t rd32(struct fx *f, uint64_t off)
{
	uint32_t v = 0xa5a5a5a5;

	msix_table_access(&f->t, off, &v, 4, false);
	return v;
}

static uint64_t rd64(struct fx *f, uint64_t off)
{
	uint64_t v = 0xa5a5a5a5a5a5a5a5ULL;

	msix_table_access(&f->t, off, &v, 8, false);
	return v;
}

static void wr32(struct fx *f, uint64_t off, uint32_t v)
{
	msix_table_access(&f->t, off, &v, 4, true);
}

static void wr64(struct fx *f, uint64_t off, uint64_t v)
{
	msix_table_access(&f->t, off, &v, 8, true);
}

/* Program @vec's message and vector control (as a guest driver does). */
static void program(struct fx *f, unsigned int vec, uint64_t addr, uint32_t data, bool masked)
{
	wr32(f, vec * 16 + E_ADDR_LO, (uint32_t)addr);
	wr32(f, vec * 16 + E_ADDR_HI, (uint32_t)(addr >> 32));
	wr32(f, vec * 16 + E_DATA, data);
	wr32(f, vec * 16 + E_CTRL, masked ? MSIX_CTRL_MASKBIT : 0);
}

static uint64_t pba_rd(struct fx *f, uint64_t off, unsigned int len)
{
	uint64_t v = 0xa5a5a5a5a5a5a5a5ULL;

	msix_pba_access(&f->t, off, &v, len, false);
	if (len < 8)
		v &= (1ULL << (8 * len)) - 1;
	return v;
}

static void assert_call(const struct call *c, unsigned int vec, bool live, uint64_t addr, uint32_t data,
			bool deliver)
{
	assert_int_equal(c->vec, vec);
	assert_int_equal(c->live, live);
	if (live) {
		assert_int_equal(c->addr, addr);
		assert_int_equal(c->data, data);
	}
	assert_int_equal(c->deliver, deliver);
}

#define MSG(v) (0xfee00000ULL | ((uint64_t)(v) << 12))

/* ---- init / destroy ---- */

static void test_init_all_masked(void **state)
{
	struct fx *f = fx_new(8);

	(void)state;
	assert_int_equal(f->t.nvec, 8);
	assert_false(f->t.enabled);
	assert_false(f->t.fmask);
	for (unsigned int v = 0; v < 8; v++) {
		assert_int_equal(rd32(f, v * 16 + E_ADDR_LO), 0);
		assert_int_equal(rd32(f, v * 16 + E_ADDR_HI), 0);
		assert_int_equal(rd32(f, v * 16 + E_DATA), 0);
		assert_int_equal(rd32(f, v * 16 + E_CTRL), MSIX_CTRL_MASKBIT);
		assert_false(msix_is_live(&f->t, v));
	}
	assert_int_equal(pba_rd(f, 0, 8), 0);
	/* Enabling with every vector masked makes nothing live. */
	msix_set_control(&f->t, true, false);
	assert_int_equal(f->ncalls, 0);
	for (unsigned int v = 0; v < 8; v++)
		assert_false(msix_is_live(&f->t, v));
	fx_free(f);
}

static void test_init_bad_nvec(void **state)
{
	struct msix_table t;

	(void)state;
	assert_int_equal(msix_table_init(&t, 0, record, NULL), -EINVAL);
	assert_null(t.entry);
	assert_null(t.pba);
	assert_null(t.live);
	assert_int_equal(t.nvec, 0);
	msix_table_destroy(&t);
	assert_int_equal(msix_table_init(&t, MSIX_MAX_VECTORS + 1, record, NULL), -EINVAL);
	assert_null(t.entry);
	assert_int_equal(msix_table_init(&t, 0xffffffffu, record, NULL), -EINVAL);
	assert_null(t.entry);
	/* The limits themselves are fine. */
	assert_int_equal(msix_table_init(&t, 1, record, NULL), 0);
	msix_table_destroy(&t);
	assert_null(t.entry);
	assert_null(t.pba);
	assert_null(t.live);
	assert_int_equal(t.nvec, 0);
	assert_int_equal(msix_table_init(&t, MSIX_MAX_VECTORS, record, NULL), 0);
	msix_table_destroy(&t);
}

/* ---- Table accesses ---- */

static void test_table_dword_qword(void **state)
{
	struct fx *f = fx_new(4);

	(void)state;
	wr32(f, 2 * 16 + E_ADDR_LO, 0xfee01004);
	wr32(f, 2 * 16 + E_ADDR_HI, 0x00000001);
	wr32(f, 2 * 16 + E_DATA, 0x00004062);
	assert_int_equal(rd32(f, 2 * 16 + E_ADDR_LO), 0xfee01004);
	assert_int_equal(rd32(f, 2 * 16 + E_ADDR_HI), 0x00000001);
	assert_int_equal(rd32(f, 2 * 16 + E_DATA), 0x00004062);
	assert_int_equal(rd32(f, 2 * 16 + E_CTRL), MSIX_CTRL_MASKBIT);
	/* Qword reads: little-endian pairs of dwords. */
	assert_int_equal(rd64(f, 2 * 16 + 0), 0x00000001fee01004ULL);
	assert_int_equal(rd64(f, 2 * 16 + 8), (uint64_t)MSIX_CTRL_MASKBIT << 32 | 0x4062);
	/* Qword writes: address at once, then data + vector control. */
	wr64(f, 1 * 16 + 0, 0x12345678fee02000ULL);
	wr64(f, 1 * 16 + 8, 0x0000000000004071ULL);
	assert_int_equal(rd32(f, 1 * 16 + E_ADDR_LO), 0xfee02000);
	assert_int_equal(rd32(f, 1 * 16 + E_ADDR_HI), 0x12345678);
	assert_int_equal(rd32(f, 1 * 16 + E_DATA), 0x4071);
	assert_int_equal(rd32(f, 1 * 16 + E_CTRL), 0);
	/* Neighbours untouched. */
	for (unsigned int v = 0; v < 4; v += 3) {
		assert_int_equal(rd64(f, v * 16), 0);
		assert_int_equal(rd64(f, v * 16 + 8), (uint64_t)MSIX_CTRL_MASKBIT << 32);
	}
	/* Not enabled: nothing reported. */
	assert_int_equal(f->ncalls, 0);
	fx_free(f);
}

static void test_ctrl_only_mask_bit_writable(void **state)
{
	struct fx *f = fx_new(2);

	(void)state;
	wr32(f, E_CTRL, 0xffffffff);
	assert_int_equal(rd32(f, E_CTRL), MSIX_CTRL_MASKBIT);
	wr32(f, E_CTRL, 0xfffffffe);
	assert_int_equal(rd32(f, E_CTRL), 0);
	wr32(f, E_CTRL, 0x80000001);
	assert_int_equal(rd32(f, E_CTRL), MSIX_CTRL_MASKBIT);
	/* Through a qword write of data + control too; data is fully writable. */
	wr64(f, 8, 0xfffffffeffffffffULL);
	assert_int_equal(rd32(f, E_DATA), 0xffffffff);
	assert_int_equal(rd32(f, E_CTRL), 0);
	wr64(f, 8, 0xffffffff00000000ULL);
	assert_int_equal(rd64(f, 8), (uint64_t)MSIX_CTRL_MASKBIT << 32);
	fx_free(f);
}

static void test_bad_accesses_ignored(void **state)
{
	static const struct {
		uint64_t off;
		unsigned int len;
	} bad[] = {
		{ 2, 4 },  { 1, 4 },  { 15, 4 }, { 4, 8 }, { 12, 8 }, { 6, 8 },
		{ 0, 2 },  { 12, 2 }, { 0, 1 },  { 12, 1 }, { 0, 3 }, { 0, 16 },
	};
	struct fx *f = fx_new(2);
	uint8_t buf[16], zero[16];
	uint64_t before[4], after[4];

	(void)state;
	program(f, 0, 0x00000001fee01000ULL, 0x4041, false);
	program(f, 1, 0x00000002fee02000ULL, 0x4042, true);
	msix_set_control(&f->t, true, false);
	f->ncalls = 0;
	memset(zero, 0, sizeof(zero));
	memset(buf, 0xcc, sizeof(buf));
	msix_table_access(&f->t, 0, buf, 16, false); /* a whole entry at once: refused, reads 0 */
	assert_memory_equal(buf, zero, 16);
	for (unsigned int v = 0; v < 2; v++) {
		before[v * 2] = rd64(f, v * 16);
		before[v * 2 + 1] = rd64(f, v * 16 + 8);
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		/* Reads return 0 in exactly @len bytes. */
		memset(buf, 0xcc, sizeof(buf));
		msix_table_access(&f->t, bad[i].off, buf, bad[i].len, false);
		for (unsigned int b = 0; b < sizeof(buf); b++)
			assert_int_equal(buf[b], b < bad[i].len ? 0 : 0xcc);
		/* Writes change nothing: zeros to vector 0, ones to vector 1. */
		memset(buf, 0, sizeof(buf));
		msix_table_access(&f->t, bad[i].off, buf, bad[i].len, true);
		memset(buf, 0xff, sizeof(buf));
		msix_table_access(&f->t, 16 + bad[i].off, buf, bad[i].len, true);
	}
	for (unsigned int v = 0; v < 2; v++) {
		after[v * 2] = rd64(f, v * 16);
		after[v * 2 + 1] = rd64(f, v * 16 + 8);
	}
	assert_int_equal(before[0], 0x00000001fee01000ULL);
	assert_int_equal(before[1], 0x4041);
	assert_int_equal(before[3], (uint64_t)MSIX_CTRL_MASKBIT << 32 | 0x4042);
	assert_memory_equal(before, after, sizeof(before));
	assert_int_equal(f->ncalls, 0);
	assert_true(msix_is_live(&f->t, 0));
	assert_false(msix_is_live(&f->t, 1));
	fx_free(f);
}

static void test_out_of_range_vector(void **state)
{
	struct fx *f = fx_new(3);

	(void)state;
	msix_set_control(&f->t, true, false);
	/* Just past the table, and far past it. */
	for (uint64_t off = 3 * 16; off < 5 * 16; off += 4) {
		assert_int_equal(rd32(f, off), 0);
		wr32(f, off, 0);
	}
	assert_int_equal(rd64(f, 3 * 16), 0);
	wr64(f, 3 * 16 + 8, 0);
	assert_int_equal(rd32(f, 0x10000), 0);
	wr32(f, 0x10000 + E_CTRL, 0);
	/* Offsets whose entry number does not fit 32 bits are past the table
	 * too, not entry 0 again (found by tests/fuzz/msix_fuzz.c). */
	wr32(f, (1ULL << 36) + E_CTRL, 0);
	wr64(f, 1ULL << 36, MSG(1));
	assert_int_equal(rd32(f, 1ULL << 36), 0);
	assert_int_equal(rd32(f, E_CTRL), MSIX_CTRL_MASKBIT);
	assert_int_equal(rd32(f, E_ADDR_LO), 0);
	assert_int_equal(f->ncalls, 0);
	assert_false(msix_is_live(&f->t, 3));
	assert_false(msix_is_live(&f->t, 100000));
	assert_false(msix_vector_fired(&f->t, 3));
	assert_false(msix_vector_fired(&f->t, 64));
	assert_int_equal(pba_rd(f, 0, 8), 0);
	fx_free(f);
}

/* ---- Liveness and the update callback ---- */

static void test_nothing_live_until_enabled(void **state)
{
	struct fx *f = fx_new(4);

	(void)state;
	program(f, 0, MSG(1), 0x4021, false);
	program(f, 2, MSG(2), 0x4022, false);
	assert_int_equal(f->ncalls, 0);
	assert_false(msix_is_live(&f->t, 0));
	/* Function mask set while enabling: still nothing. */
	msix_set_control(&f->t, true, true);
	assert_int_equal(f->ncalls, 0);
	msix_set_control(&f->t, true, false);
	assert_int_equal(f->ncalls, 2);
	assert_call(&f->calls[0], 0, true, MSG(1), 0x4021, false);
	assert_call(&f->calls[1], 2, true, MSG(2), 0x4022, false);
	assert_true(msix_is_live(&f->t, 0));
	assert_false(msix_is_live(&f->t, 1));
	assert_true(msix_is_live(&f->t, 2));
	assert_false(msix_is_live(&f->t, 3));
	/* Writing the same control again reports nothing new. */
	msix_set_control(&f->t, true, false);
	assert_int_equal(f->ncalls, 2);
	fx_free(f);
}

static void test_unmask_after_enable(void **state)
{
	struct fx *f = fx_new(4);

	(void)state;
	msix_set_control(&f->t, true, false);
	program(f, 3, 0x00000001fee0c000ULL, 0x40a3, true);
	assert_int_equal(f->ncalls, 0);
	wr32(f, 3 * 16 + E_CTRL, 0);
	assert_int_equal(f->ncalls, 1);
	assert_call(&f->calls[0], 3, true, 0x00000001fee0c000ULL, 0x40a3, false);
	assert_true(msix_is_live(&f->t, 3));
	fx_free(f);
}

static void test_function_mask(void **state)
{
	struct fx *f = fx_new(4);

	(void)state;
	program(f, 0, MSG(1), 0x4031, false);
	program(f, 1, MSG(2), 0x4032, true);
	program(f, 3, MSG(3), 0x4033, false);
	msix_set_control(&f->t, true, false);
	f->ncalls = 0;

	msix_set_control(&f->t, true, true);
	assert_int_equal(f->ncalls, 2);
	assert_call(&f->calls[0], 0, false, 0, 0, false);
	assert_call(&f->calls[1], 3, false, 0, 0, false);
	for (unsigned int v = 0; v < 4; v++)
		assert_false(msix_is_live(&f->t, v));
	/* Unmasking a vector under the function mask does not make it live. */
	wr32(f, 1 * 16 + E_CTRL, 0);
	assert_int_equal(f->ncalls, 2);
	assert_false(msix_is_live(&f->t, 1));

	msix_set_control(&f->t, true, false);
	assert_int_equal(f->ncalls, 5);
	assert_call(&f->calls[2], 0, true, MSG(1), 0x4031, false);
	assert_call(&f->calls[3], 1, true, MSG(2), 0x4032, false);
	assert_call(&f->calls[4], 3, true, MSG(3), 0x4033, false);
	fx_free(f);
}

static void test_live_message_rewrite(void **state)
{
	struct fx *f = fx_new(4);

	(void)state;
	for (unsigned int v = 0; v < 4; v++)
		program(f, v, MSG(v), 0x4040 + v, false);
	msix_set_control(&f->t, true, false);
	assert_int_equal(f->ncalls, 4);
	f->ncalls = 0;

	/* IRQ affinity change: the guest rewrites the destination of vector 2. */
	wr32(f, 2 * 16 + E_ADDR_LO, (uint32_t)MSG(7));
	assert_int_equal(f->ncalls, 1);
	assert_call(&f->calls[0], 2, true, MSG(7), 0x4042, false);
	/* And its data (new vector number on the new CPU). */
	wr32(f, 2 * 16 + E_DATA, 0x40e2);
	assert_int_equal(f->ncalls, 2);
	assert_call(&f->calls[1], 2, true, MSG(7), 0x40e2, false);
	/* Upper address dword. */
	wr32(f, 2 * 16 + E_ADDR_HI, 0x5);
	assert_int_equal(f->ncalls, 3);
	assert_call(&f->calls[2], 2, true, 0x500000000ULL | MSG(7), 0x40e2, false);
	/* A qword address write is one update with the whole new address. */
	wr64(f, 1 * 16, MSG(9));
	assert_int_equal(f->ncalls, 4);
	assert_call(&f->calls[3], 1, true, MSG(9), 0x4041, false);
	/* Rewriting identical values, or the (unchanged) control, is silent. */
	wr32(f, 1 * 16 + E_ADDR_LO, (uint32_t)MSG(9));
	wr32(f, 1 * 16 + E_DATA, 0x4041);
	wr32(f, 1 * 16 + E_CTRL, 0);
	wr64(f, 1 * 16 + 8, 0x4041);
	assert_int_equal(f->ncalls, 4);
	/* The other vectors keep their messages. */
	assert_int_equal(rd64(f, 0 * 16), MSG(0));
	assert_int_equal(rd64(f, 3 * 16), MSG(3));
	assert_int_equal(rd32(f, 3 * 16 + E_DATA), 0x4043);
	fx_free(f);
}

static void test_mask_unmask(void **state)
{
	struct fx *f = fx_new(2);

	(void)state;
	program(f, 1, MSG(1), 0x4051, false);
	msix_set_control(&f->t, true, false);
	f->ncalls = 0;

	wr32(f, 1 * 16 + E_CTRL, MSIX_CTRL_MASKBIT);
	assert_int_equal(f->ncalls, 1);
	assert_call(&f->calls[0], 1, false, 0, 0, false);
	assert_false(msix_is_live(&f->t, 1));
	/* Masking again: no news. */
	wr32(f, 1 * 16 + E_CTRL, MSIX_CTRL_MASKBIT);
	assert_int_equal(f->ncalls, 1);
	/* Message changed while masked: silent until unmasked, then the new one. */
	wr32(f, 1 * 16 + E_ADDR_LO, (uint32_t)MSG(3));
	wr32(f, 1 * 16 + E_DATA, 0x4061);
	assert_int_equal(f->ncalls, 1);
	wr32(f, 1 * 16 + E_CTRL, 0);
	assert_int_equal(f->ncalls, 2);
	assert_call(&f->calls[1], 1, true, MSG(3), 0x4061, false);
	assert_true(msix_is_live(&f->t, 1));
	fx_free(f);
}

static void test_pending_while_masked(void **state)
{
	struct fx *f = fx_new(16);
	uint64_t junk = ~0ULL;

	(void)state;
	program(f, 3, MSG(3), 0x4073, true);
	program(f, 12, MSG(4), 0x407c, true);
	msix_set_control(&f->t, true, false);
	assert_int_equal(f->ncalls, 0);

	assert_false(msix_vector_fired(&f->t, 3));
	assert_false(msix_vector_fired(&f->t, 3)); /* twice: still one bit */
	assert_false(msix_vector_fired(&f->t, 12));
	/* PBA at byte, dword and qword granularity. */
	assert_int_equal(pba_rd(f, 0, 1), 0x08);
	assert_int_equal(pba_rd(f, 1, 1), 0x10);
	assert_int_equal(pba_rd(f, 0, 2), 0x1008);
	assert_int_equal(pba_rd(f, 0, 4), 0x1008);
	assert_int_equal(pba_rd(f, 0, 8), 0x1008);
	assert_int_equal(pba_rd(f, 4, 4), 0);
	/* The PBA is read-only. */
	msix_pba_access(&f->t, 0, &junk, 8, true);
	junk = 0;
	msix_pba_access(&f->t, 0, &junk, 8, true);
	assert_int_equal(pba_rd(f, 0, 8), 0x1008);
	/* Past the PBA reads 0. */
	assert_int_equal(pba_rd(f, 8, 8), 0);
	assert_int_equal(f->ncalls, 0);

	/* Unmask: live, the pending message delivered once, bit cleared. */
	wr32(f, 3 * 16 + E_CTRL, 0);
	assert_int_equal(f->ncalls, 1);
	assert_call(&f->calls[0], 3, true, MSG(3), 0x4073, true);
	assert_int_equal(pba_rd(f, 0, 8), 0x1000);
	/* Mask and unmask again: nothing pending any more. */
	wr32(f, 3 * 16 + E_CTRL, MSIX_CTRL_MASKBIT);
	wr32(f, 3 * 16 + E_CTRL, 0);
	assert_int_equal(f->ncalls, 3);
	assert_call(&f->calls[2], 3, true, MSG(3), 0x4073, false);
	/* Vector 12 still pending, and delivered with its (new) message. */
	wr64(f, 12 * 16, MSG(5));
	assert_int_equal(pba_rd(f, 1, 1), 0x10);
	wr64(f, 12 * 16 + 8, 0x407c);
	assert_int_equal(f->ncalls, 4);
	assert_call(&f->calls[3], 12, true, MSG(5), 0x407c, true);
	assert_int_equal(pba_rd(f, 0, 8), 0);
	fx_free(f);
}

static void test_fired_while_live(void **state)
{
	struct fx *f = fx_new(4);

	(void)state;
	program(f, 2, MSG(2), 0x4082, false);
	msix_set_control(&f->t, true, false);
	f->ncalls = 0;
	assert_true(msix_vector_fired(&f->t, 2));
	assert_int_equal(pba_rd(f, 0, 8), 0);
	assert_int_equal(f->ncalls, 0);
	/* A masked neighbour does pend. */
	assert_false(msix_vector_fired(&f->t, 1));
	assert_int_equal(pba_rd(f, 0, 8), 0x2);
	fx_free(f);
}

static void test_pending_under_fmask_and_disable(void **state)
{
	struct fx *f = fx_new(4);

	(void)state;
	program(f, 0, MSG(0), 0x4090, false);
	program(f, 1, MSG(1), 0x4091, false);
	/* Disabled: fires pend. */
	assert_false(msix_vector_fired(&f->t, 0));
	msix_set_control(&f->t, true, true);
	/* Function-masked: fires pend. */
	assert_false(msix_vector_fired(&f->t, 1));
	assert_int_equal(pba_rd(f, 0, 1), 0x3);
	assert_int_equal(f->ncalls, 0);
	/* Function unmasked: both live and delivered. */
	msix_set_control(&f->t, true, false);
	assert_int_equal(f->ncalls, 2);
	assert_call(&f->calls[0], 0, true, MSG(0), 0x4090, true);
	assert_call(&f->calls[1], 1, true, MSG(1), 0x4091, true);
	assert_int_equal(pba_rd(f, 0, 8), 0);
	fx_free(f);
}

static void test_disable_clears_liveness(void **state)
{
	struct fx *f = fx_new(4);

	(void)state;
	program(f, 0, MSG(0), 0x40a0, false);
	program(f, 3, MSG(3), 0x40a3, false);
	msix_set_control(&f->t, true, false);
	f->ncalls = 0;
	msix_set_control(&f->t, false, false);
	assert_int_equal(f->ncalls, 2);
	assert_call(&f->calls[0], 0, false, 0, 0, false);
	assert_call(&f->calls[1], 3, false, 0, 0, false);
	for (unsigned int v = 0; v < 4; v++)
		assert_false(msix_is_live(&f->t, v));
	/* Disabled: message writes are silent; the table keeps its contents. */
	wr32(f, 0 * 16 + E_DATA, 0x40b0);
	assert_int_equal(f->ncalls, 2);
	assert_int_equal(rd32(f, 0 * 16 + E_DATA), 0x40b0);
	assert_false(msix_vector_fired(&f->t, 3));
	/* Re-enable: both back with current messages, 3 delivers its pending fire. */
	msix_set_control(&f->t, true, false);
	assert_int_equal(f->ncalls, 4);
	assert_call(&f->calls[2], 0, true, MSG(0), 0x40b0, false);
	assert_call(&f->calls[3], 3, true, MSG(3), 0x40a3, true);
	fx_free(f);
}

static void test_large_table(void **state)
{
	static const unsigned int fire[] = { 0, 63, 64, 130, 1000, 2046, 2047 };
	struct fx *f = fx_new(MSIX_MAX_VECTORS);
	uint64_t want[MSIX_MAX_VECTORS / 64] = { 0 };

	(void)state;
	for (unsigned int v = 0; v < MSIX_MAX_VECTORS; v++) {
		wr64(f, (uint64_t)v * 16, MSG(v & 0xff));
		wr32(f, (uint64_t)v * 16 + E_DATA, v);
	}
	msix_set_control(&f->t, true, false);
	assert_int_equal(f->ncalls, 0);
	for (unsigned int i = 0; i < ARRAY_SIZE(fire); i++) {
		assert_false(msix_vector_fired(&f->t, fire[i]));
		want[fire[i] / 64] |= 1ULL << (fire[i] % 64);
	}
	for (unsigned int w = 0; w < MSIX_MAX_VECTORS / 64; w++) {
		assert_int_equal(pba_rd(f, w * 8, 8), want[w]);
		assert_int_equal(pba_rd(f, w * 8, 4), (uint32_t)want[w]);
		assert_int_equal(pba_rd(f, w * 8 + 4, 4), want[w] >> 32);
	}
	assert_int_equal(pba_rd(f, 255, 1), 0xc0); /* 2046, 2047 */
	assert_int_equal(pba_rd(f, 16, 1), 0x04);  /* 130 */
	assert_int_equal(pba_rd(f, 256, 8), 0);    /* past the PBA */
	/* A qword straddling the end: only the in-range byte is set. */
	assert_int_equal(pba_rd(f, 255, 8), 0xc0);

	/* The last entry is reachable, one past it is not. */
	assert_int_equal(rd32(f, 2047 * 16 + E_DATA), 2047);
	assert_int_equal(rd32(f, 2047 * 16 + E_CTRL), MSIX_CTRL_MASKBIT);
	assert_int_equal(rd32(f, 2048 * 16 + E_DATA), 0);
	wr32(f, 2047 * 16 + E_CTRL, 0);
	assert_int_equal(f->ncalls, 1);
	assert_call(&f->calls[0], 2047, true, MSG(2047 & 0xff), 2047, true);
	assert_int_equal(pba_rd(f, 255, 1), 0x40);
	wr32(f, 64 * 16 + E_CTRL, 0);
	assert_int_equal(f->ncalls, 2);
	assert_call(&f->calls[1], 64, true, MSG(64), 64, true);
	assert_int_equal(pba_rd(f, 8, 8), 0);
	assert_int_equal(pba_rd(f, 0, 8), want[0]);
	assert_true(msix_vector_fired(&f->t, 64));
	assert_true(msix_is_live(&f->t, 2047));
	assert_false(msix_is_live(&f->t, 2046));
	fx_free(f);
}

/* ---- MSI capability decoding ---- */

#define CAP 0x50

static void put16(uint8_t *cfg, unsigned int off, uint16_t v)
{
	cfg[off] = v;
	cfg[off + 1] = v >> 8;
}

static void put32(uint8_t *cfg, unsigned int off, uint32_t v)
{
	put16(cfg, off, v);
	put16(cfg, off + 2, v >> 16);
}

/* Config space with an MSI capability at CAP; fields outside it are junk. */
static void msi_cfg(uint8_t *cfg, uint16_t flags)
{
	memset(cfg, 0xee, 256);
	cfg[CAP + PCI_CAP_LIST_ID] = PCI_CAP_ID_MSI;
	cfg[CAP + PCI_CAP_LIST_NEXT] = 0;
	put16(cfg, CAP + PCI_MSI_FLAGS, flags);
}

#define MMC(n) ((n) << 1)
#define MME(n) ((n) << 4)

static void test_msi_decode_32(void **state)
{
	uint8_t cfg[256];
	struct msi_state s;

	(void)state;
	msi_cfg(cfg, PCI_MSI_FLAGS_ENABLE | MMC(2) | MME(1));
	put32(cfg, CAP + PCI_MSI_ADDRESS_LO, 0xfee0100c);
	put16(cfg, CAP + PCI_MSI_DATA_32, 0x4123);
	/* The rest of the dword after data, and what would be the mask, are junk. */
	put16(cfg, CAP + PCI_MSI_DATA_32 + 2, 0xdead);
	put32(cfg, CAP + PCI_MSI_MASK_32, 0xffffffff);
	msi_decode(cfg, CAP, &s);
	assert_true(s.enabled);
	assert_false(s.is_64);
	assert_false(s.has_mask);
	assert_int_equal(s.nvec, 2);
	assert_int_equal(s.addr, 0xfee0100c);
	assert_int_equal(s.data, 0x4123);
	assert_int_equal(s.mask, 0);
	assert_int_equal(msi_cap_size(cfg, CAP), 10);
	assert_int_equal(msi_mask_offset(cfg, CAP), CAP + 12);

	/* Same, with per-vector masking. */
	msi_cfg(cfg, PCI_MSI_FLAGS_MASKBIT | MMC(3) | MME(3));
	put32(cfg, CAP + PCI_MSI_ADDRESS_LO, 0xfee02000);
	put16(cfg, CAP + PCI_MSI_DATA_32, 0x4130);
	put32(cfg, CAP + PCI_MSI_MASK_32, 0x000000a5);
	msi_decode(cfg, CAP, &s);
	assert_false(s.enabled);
	assert_false(s.is_64);
	assert_true(s.has_mask);
	assert_int_equal(s.nvec, 8);
	assert_int_equal(s.addr, 0xfee02000);
	assert_int_equal(s.data, 0x4130);
	assert_int_equal(s.mask, 0xa5);
	assert_int_equal(msi_cap_size(cfg, CAP), 20);
	assert_int_equal(msi_mask_offset(cfg, CAP), CAP + PCI_MSI_MASK_32);
}

static void test_msi_decode_64(void **state)
{
	uint8_t cfg[256];
	struct msi_state s;

	(void)state;
	msi_cfg(cfg, PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_64BIT | MMC(0) | MME(0));
	put32(cfg, CAP + PCI_MSI_ADDRESS_LO, 0xfee03000);
	put32(cfg, CAP + PCI_MSI_ADDRESS_HI, 0x00000012);
	put16(cfg, CAP + PCI_MSI_DATA_64, 0x4140);
	put16(cfg, CAP + PCI_MSI_DATA_64 + 2, 0xbeef);
	msi_decode(cfg, CAP, &s);
	assert_true(s.enabled);
	assert_true(s.is_64);
	assert_false(s.has_mask);
	assert_int_equal(s.nvec, 1);
	assert_int_equal(s.addr, 0x12fee03000ULL);
	assert_int_equal(s.data, 0x4140);
	assert_int_equal(s.mask, 0);
	assert_int_equal(msi_cap_size(cfg, CAP), 14);
	assert_int_equal(msi_mask_offset(cfg, CAP), CAP + 16);

	msi_cfg(cfg, PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_MASKBIT | MMC(5) | MME(5));
	put32(cfg, CAP + PCI_MSI_ADDRESS_LO, 0xfee04000);
	put32(cfg, CAP + PCI_MSI_ADDRESS_HI, 0xabcdef01);
	put16(cfg, CAP + PCI_MSI_DATA_64, 0x4150);
	put32(cfg, CAP + PCI_MSI_MASK_64, 0x80000001);
	put32(cfg, CAP + PCI_MSI_PENDING_64, 0x12345678);
	msi_decode(cfg, CAP, &s);
	assert_true(s.enabled);
	assert_true(s.is_64);
	assert_true(s.has_mask);
	assert_int_equal(s.nvec, 32);
	assert_int_equal(s.addr, 0xabcdef01fee04000ULL);
	assert_int_equal(s.data, 0x4150);
	assert_int_equal(s.mask, 0x80000001);
	assert_int_equal(msi_cap_size(cfg, CAP), 24);
	assert_int_equal(msi_mask_offset(cfg, CAP), CAP + PCI_MSI_MASK_64);
}

static void test_msi_mme_clamped(void **state)
{
	static const struct {
		unsigned int mmc, mme, nvec;
	} c[] = {
		{ 0, 0, 1 },  { 0, 3, 1 },  { 1, 3, 2 },  { 2, 2, 4 },  { 3, 7, 8 },  { 4, 4, 16 },
		{ 5, 5, 32 }, { 5, 7, 32 }, { 7, 7, 32 }, { 6, 6, 32 }, { 7, 2, 4 },  { 5, 0, 1 },
	};
	uint8_t cfg[256];
	struct msi_state s;

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(c); i++) {
		msi_cfg(cfg, PCI_MSI_FLAGS_ENABLE | MMC(c[i].mmc) | MME(c[i].mme));
		msi_decode(cfg, CAP, &s);
		assert_int_equal(s.nvec, c[i].nvec);
	}
}

static void test_msi_cap_at_other_offsets(void **state)
{
	uint8_t cfg[256];
	struct msi_state s;

	(void)state;
	/* Capability at 0x40 in a 64-bit + mask layout, junk everywhere else. */
	memset(cfg, 0x77, sizeof(cfg));
	put16(cfg, 0x40 + PCI_MSI_FLAGS, PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_MASKBIT | MMC(1) | MME(1));
	put32(cfg, 0x40 + PCI_MSI_ADDRESS_LO, 0xfee05000);
	put32(cfg, 0x40 + PCI_MSI_ADDRESS_HI, 0);
	put16(cfg, 0x40 + PCI_MSI_DATA_64, 0x4160);
	put32(cfg, 0x40 + PCI_MSI_MASK_64, 0x2);
	msi_decode(cfg, 0x40, &s);
	assert_int_equal(s.addr, 0xfee05000);
	assert_int_equal(s.data, 0x4160);
	assert_int_equal(s.mask, 0x2);
	assert_int_equal(s.nvec, 2);
	assert_int_equal(msi_mask_offset(cfg, 0x40), 0x50);
	assert_int_equal(msi_cap_size(cfg, 0x40), 24);
}

static void test_msi_block(void **state)
{
	static const unsigned int in[] = { 0, 1, 2, 3, 4, 5, 7, 8, 31, 32, 33, 1000 };
	static const unsigned int out[] = { 0, 1, 2, 2, 4, 4, 4, 8, 16, 32, 32, 32 };

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(in); i++)
		assert_int_equal(msi_block(in[i]), out[i]);
}

/* After a function-level reset: all masked, nothing pending, disabled, nothing live. */
static void test_reset(void **state)
{
	struct fx *f = fx_new(8);
	uint8_t pba = 0xff;

	(void)state;
	msix_set_control(&f->t, true, false);
	wr32(f, 3 * 16 + E_ADDR_LO, 0xfee00000);
	wr32(f, 3 * 16 + E_CTRL, 0);
	assert_true(msix_is_live(&f->t, 3));
	wr32(f, 5 * 16 + E_DATA, 0x41);
	assert_false(msix_vector_fired(&f->t, 5));
	msix_reset(&f->t);
	assert_false(f->t.enabled);
	for (unsigned int v = 0; v < 8; v++) {
		assert_false(msix_is_live(&f->t, v));
		assert_int_equal(rd32(f, v * 16 + E_CTRL), MSIX_CTRL_MASKBIT);
		assert_int_equal(rd32(f, v * 16 + E_DATA), 0);
	}
	msix_pba_access(&f->t, 0, &pba, 1, false);
	assert_int_equal(pba, 0);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_all_masked),
		cmocka_unit_test(test_init_bad_nvec),
		cmocka_unit_test(test_table_dword_qword),
		cmocka_unit_test(test_ctrl_only_mask_bit_writable),
		cmocka_unit_test(test_bad_accesses_ignored),
		cmocka_unit_test(test_out_of_range_vector),
		cmocka_unit_test(test_nothing_live_until_enabled),
		cmocka_unit_test(test_unmask_after_enable),
		cmocka_unit_test(test_function_mask),
		cmocka_unit_test(test_live_message_rewrite),
		cmocka_unit_test(test_mask_unmask),
		cmocka_unit_test(test_pending_while_masked),
		cmocka_unit_test(test_fired_while_live),
		cmocka_unit_test(test_pending_under_fmask_and_disable),
		cmocka_unit_test(test_disable_clears_liveness),
		cmocka_unit_test(test_large_table),
		cmocka_unit_test(test_msi_decode_32),
		cmocka_unit_test(test_msi_decode_64),
		cmocka_unit_test(test_msi_mme_clamped),
		cmocka_unit_test(test_msi_cap_at_other_offsets),
		cmocka_unit_test(test_msi_block),
		cmocka_unit_test(test_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
