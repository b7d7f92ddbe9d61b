// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the MSI-X table and PBA emulation (src/vfio/msix.c):
 * guest accesses to the table and the PBA, message control changes and
 * vectors firing, checked against a model of PCI Local Bus 3.0 6.8.2.
 *
 * Input: the vector count (a byte: 1-128; with bit 7, 15 bits: 1-2048), then operations until the input ends:
 * op byte (kind, length code, whether the offset is any 64-bit value or
 * one near the table), offset, value.
 *
 * Checked: table reads return what was written (vector control: the mask
 * bit only) for aligned 4/8-byte accesses inside an entry and 0 elsewhere;
 * other writes change nothing; PBA reads show the pending bits and PBA
 * writes are ignored; the update callback is called exactly when a
 * vector's liveness changes or a live vector's message changes, with the
 * message in the table, and delivers a pending vector once when it goes
 * live (its pending bit then clears); a live vector is never pending;
 * msix_vector_fired() says "deliver" exactly for live vectors.
 */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "minivmm/vfio/msix.h"

struct model_vec {
	uint32_t addr_lo, addr_hi, data;
	bool masked, pending;
	/* What the callback last said. */
	bool live;
	uint64_t addr;
	uint32_t msg;
};

static struct {
	struct msix_table t;
	unsigned int nvec;
	bool enabled, fmask;
	struct model_vec v[MSIX_MAX_VECTORS];
	/* Set by the operation being run: may the callback report a new
	 * message for this vector without a liveness change? */
	int msg_vec;
	unsigned int calls;
} m;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct msix_table t;

	(void)argc;
	(void)argv;
	fuzz_quiet();
	FUZZ_CHECK(msix_table_init(&t, 0, NULL, NULL) == -EINVAL);
	FUZZ_CHECK(msix_table_init(&t, MSIX_MAX_VECTORS + 1, NULL, NULL) == -EINVAL);
	return 0;
}

FUZZ_NOCOV static bool model_live(unsigned int vec)
{
	return m.enabled && !m.fmask && !m.v[vec].masked;
}

static void update(void *opaque, unsigned int vec, bool live, uint64_t addr, uint32_t data, bool deliver)
{
	struct model_vec *v;

	FUZZ_CHECK(opaque == &m);
	FUZZ_CHECK(vec < m.nvec);
	v = &m.v[vec];
	m.calls++;
	FUZZ_CHECK(live == model_live(vec));
	/* Only on a change of liveness, or of a live vector's message. */
	FUZZ_CHECK(live != v->live || (live && (int)vec == m.msg_vec));
	if (live)
		FUZZ_CHECK(addr == ((uint64_t)v->addr_hi << 32 | v->addr_lo) && data == v->data);
	/* A pending vector is delivered once as it goes live. */
	FUZZ_CHECK(deliver == (live && !v->live && v->pending));
	if (deliver)
		v->pending = false;
	v->live = live;
	v->addr = addr;
	v->msg = data;
}

/* What the callback reported is the model's state. */
FUZZ_NOCOV static void check_vec(unsigned int i)
{
	const struct model_vec *v = &m.v[i];

	FUZZ_CHECK(v->live == model_live(i));
	FUZZ_CHECK(msix_is_live(&m.t, i) == v->live);
	FUZZ_CHECK(!(v->live && v->pending));
	if (v->live)
		FUZZ_CHECK(v->addr == ((uint64_t)v->addr_hi << 32 | v->addr_lo) && v->msg == v->data);
	FUZZ_CHECK(!!(m.t.pba[i / 64] & (1ull << (i % 64))) == v->pending);
}

FUZZ_NOCOV static void check_all(void)
{
	for (unsigned int i = 0; i < m.nvec; i++)
		check_vec(i);
	FUZZ_CHECK(!msix_is_live(&m.t, m.nvec));
}

static uint32_t field(const struct model_vec *v, unsigned int dw)
{
	switch (dw) {
	case 0:
		return v->addr_lo;
	case 1:
		return v->addr_hi;
	case 2:
		return v->data;
	default:
		return v->masked ? MSIX_CTRL_MASKBIT : 0;
	}
}

static bool table_ok(uint64_t off, unsigned int len)
{
	return off / MSIX_ENTRY_SIZE < m.nvec && (len == 4 || len == 8) && !(off % MSIX_ENTRY_SIZE & (len - 1));
}

static void table_read(uint64_t off, unsigned int len)
{
	uint8_t buf[8], want[8] = { 0 };

	memset(buf, 0xa5, sizeof(buf));
	msix_table_access(&m.t, off, buf, len, false);
	if (table_ok(off, len)) {
		const struct model_vec *v = &m.v[off / MSIX_ENTRY_SIZE];
		unsigned int dw = off % MSIX_ENTRY_SIZE / 4;

		for (unsigned int i = 0; i < len; i++)
			want[i] = field(v, dw + i / 4) >> (8 * (i % 4));
	}
	FUZZ_CHECK(!memcmp(buf, want, len));
}

static void table_write(uint64_t off, unsigned int len, uint64_t val)
{
	uint8_t buf[8];
	unsigned int calls = m.calls;
	struct model_vec *v, old;
	bool was_live;

	memcpy(buf, &val, sizeof(buf));
	if (!table_ok(off, len)) {
		msix_table_access(&m.t, off, buf, len, true);
		FUZZ_CHECK(m.calls == calls);
		return;
	}
	v = &m.v[off / MSIX_ENTRY_SIZE];
	old = *v;
	was_live = model_live(off / MSIX_ENTRY_SIZE);
	for (unsigned int i = 0; i < len / 4; i++) {
		uint32_t x = (uint32_t)(val >> (32 * i));

		switch (off % MSIX_ENTRY_SIZE / 4 + i) {
		case 0: v->addr_lo = x; break;
		case 1: v->addr_hi = x; break;
		case 2: v->data = x; break;
		default: v->masked = x & MSIX_CTRL_MASKBIT; break;
		}
	}
	/* The callback compares against the model's new values. */
	m.msg_vec = old.addr_lo != v->addr_lo || old.addr_hi != v->addr_hi || old.data != v->data ?
			    (int)(off / MSIX_ENTRY_SIZE) : -1;
	msix_table_access(&m.t, off, buf, len, true);
	/* A live vector whose message changed, or one whose liveness did: one call. */
	if (was_live != model_live(off / MSIX_ENTRY_SIZE) || (was_live && m.msg_vec >= 0))
		FUZZ_CHECK(m.calls == calls + 1);
	else
		FUZZ_CHECK(m.calls == calls);
	m.msg_vec = -1;
}

static void pba_access(uint64_t off, unsigned int len, bool is_write)
{
	uint8_t buf[8], want[8] = { 0 };
	uint64_t pba[MSIX_MAX_VECTORS / 64];

	memset(buf, 0xa5, sizeof(buf));
	memcpy(pba, m.t.pba, (m.nvec + 63) / 64 * 8);
	msix_pba_access(&m.t, off, buf, len, is_write);
	if (is_write) {
		FUZZ_CHECK(!memcmp(pba, m.t.pba, (m.nvec + 63) / 64 * 8));
		for (unsigned int i = 0; i < len; i++)
			FUZZ_CHECK(buf[i] == 0xa5);
		return;
	}
	for (unsigned int i = 0; i < len; i++) {
		uint64_t byte = off + i;

		for (unsigned int b = 0; b < 8; b++) {
			uint64_t vec = byte * 8 + b;

			if (byte < MSIX_MAX_VECTORS / 8 && vec < m.nvec && m.v[vec].pending)
				want[i] |= 1u << b;
		}
	}
	FUZZ_CHECK(!memcmp(buf, want, len));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz in = { data, size };
	uint8_t sel;

	memset(&m, 0, sizeof(m));
	m.msg_vec = -1;
	sel = fz_u8(&in);
	m.nvec = sel & 0x80 ? ((sel & 0x7fu) << 8 | fz_u8(&in)) % MSIX_MAX_VECTORS + 1 : sel + 1u;
	FUZZ_CHECK(msix_table_init(&m.t, m.nvec, update, &m) == 0);
	/* After reset every vector is masked. */
	for (unsigned int i = 0; i < m.nvec; i++)
		m.v[i].masked = true;
	check_all();

	while (fz_more(&in)) {
		static const unsigned int lens[8] = { 4, 8, 4, 8, 1, 2, 3, 16 };
		uint8_t op = fz_u8(&in);
		unsigned int len = lens[(op >> 3) & 7];
		uint64_t off, touched;

		if (len > 8)
			len = 8; /* the widest guest access */
		/* Mostly near the table, sometimes anything. */
		off = op & 0x40 ? fz_u64(&in) : fz_u16(&in) % (m.nvec * MSIX_ENTRY_SIZE + 64);
		/* The vector an operation touches is checked after it; all of
		 * them after control changes and at the end. */
		touched = off / MSIX_ENTRY_SIZE;
		switch (op & 7) {
		case 0:
		case 1:
			table_read(off, len);
			break;
		case 2:
		case 3:
			table_write(off, len, fz_u64(&in));
			break;
		case 4:
			pba_access(off % 512, len, op & 0x80);
			break;
		case 5: {
			bool en = op & 0x80, fm = op & 0x40;

			m.enabled = en;
			m.fmask = fm;
			msix_set_control(&m.t, en, fm);
			check_all();
			break;
		}
		case 6:
		case 7: {
			unsigned int vec = off % (m.nvec + 2);
			bool live = vec < m.nvec && model_live(vec);

			FUZZ_CHECK(msix_vector_fired(&m.t, vec) == live);
			if (vec < m.nvec && !live)
				m.v[vec].pending = true;
			touched = vec;
			break;
		}
		}
		if (touched < m.nvec)
			check_vec(touched);
	}
	check_all();
	msix_table_destroy(&m.t);
	FUZZ_CHECK(!m.t.entry && !m.t.pba && !m.t.live && !m.t.nvec);
	return 0;
}
