// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the 16550A UART (src/devices/serial.c): guest
 * register accesses of any width at any of its 8 ports, interleaved with
 * bytes arriving from the host (the console's keyboard), checked against
 * a model of the receive FIFO and the interrupt line.
 *
 * Input: operations until the input ends: op byte (kind, port, width),
 * value or received bytes.
 *
 * Checked: the FIFO never holds more than 64 bytes and hands out exactly
 * the bytes received (or looped back) in order, until the guest clears it;
 * LSR's data-ready bit says whether it holds any; a transmitted byte
 * reaches the console unless loopback is on; the interrupt line is raised
 * and lowered only on a change, alternately, and its level is IIR's
 * "interrupt pending" after every access; IIR reports a receive interrupt
 * whenever enabled and data waits; registers read back what was written
 * (IER's low nibble, MCR's five bits, LCR, SCR, the divisor latch).
 */
#include <string.h>

#include "fuzz.h"
#include "minivmm/serial.h"

enum { RBR = 0, IER = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };

static struct serial s;
static struct {
	uint8_t fifo[SERIAL_FIFO_SIZE];
	unsigned int head, count;
	uint8_t ier, lcr, mcr, scr, dll, dlm;
	int level;                   /* last level set_irq got */
	unsigned int irq_calls, out_bytes, expect_out;
	uint8_t last_out, expect_last;
} m;

static void out(void *opaque, const void *buf, size_t n)
{
	FUZZ_CHECK(opaque == &m && n == 1);
	m.out_bytes++;
	m.last_out = *(const uint8_t *)buf;
}

static void set_irq(void *opaque, int level)
{
	FUZZ_CHECK(opaque == &m);
	FUZZ_CHECK(level == !m.level); /* edges only */
	m.level = level;
	m.irq_calls++;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	return 0;
}

FUZZ_NOCOV static void push(uint8_t b)
{
	if (m.count < SERIAL_FIFO_SIZE)
		m.fifo[(m.head + m.count++) % SERIAL_FIFO_SIZE] = b;
}

/* One register access as the model sees it; checks what the guest reads. */
FUZZ_NOCOV static void model_reg(unsigned int reg, bool is_write, uint8_t v, uint8_t got)
{
	bool dlab = m.lcr & 0x80;

	if (is_write) {
		switch (reg) {
		case 0:
			if (dlab) {
				m.dll = v;
			} else if (m.mcr & 0x10) {
				push(v);
			} else {
				m.expect_out++;
				m.expect_last = v;
			}
			break;
		case 1:
			if (dlab)
				m.dlm = v;
			else
				m.ier = v & 0x0f;
			break;
		case 2:
			if (v & 0x02)
				m.count = 0;
			break;
		case 3: m.lcr = v; break;
		case 4: m.mcr = v & 0x1f; break;
		case 7: m.scr = v; break;
		}
		return;
	}
	switch (reg) {
	case 0:
		if (dlab) {
			FUZZ_CHECK(got == m.dll);
		} else if (m.count) {
			FUZZ_CHECK(got == m.fifo[m.head]);
			m.head = (m.head + 1) % SERIAL_FIFO_SIZE;
			m.count--;
		} else {
			FUZZ_CHECK(got == 0);
		}
		break;
	case 1:
		FUZZ_CHECK(got == (dlab ? m.dlm : m.ier));
		break;
	case 2:
		/* Receive data waiting and enabled: that interrupt comes first. */
		if ((m.ier & 1) && m.count)
			FUZZ_CHECK((got & 0x0f) == 0x04);
		else if (!(m.ier & 3))
			FUZZ_CHECK((got & 0x0f) == 0x01);
		FUZZ_CHECK((got & 0x0f) == 0x01 || (got & 0x0f) == 0x02 || (got & 0x0f) == 0x04);
		break;
	case 3: FUZZ_CHECK(got == m.lcr); break;
	case 4: FUZZ_CHECK(got == m.mcr); break;
	case 5: FUZZ_CHECK(got == (0x60 | (m.count ? 1 : 0))); break;
	case 6:
		if (m.mcr & 0x10)
			FUZZ_CHECK(got == ((m.mcr & 1 ? 0x20 : 0) | (m.mcr & 2 ? 0x10 : 0) | (m.mcr & 4 ? 0x40 : 0) |
					   (m.mcr & 8 ? 0x80 : 0)));
		else
			FUZZ_CHECK(got == 0xb0);
		break;
	case 7: FUZZ_CHECK(got == m.scr); break;
	}
}

FUZZ_NOCOV static void check_state(void)
{
	uint8_t iir;

	FUZZ_CHECK(s.rx_count == m.count && s.rx_count <= SERIAL_FIFO_SIZE && s.rx_head < SERIAL_FIFO_SIZE);
	for (unsigned int i = 0; i < m.count; i++)
		FUZZ_CHECK(s.rx[(s.rx_head + i) % SERIAL_FIFO_SIZE] == m.fifo[(m.head + i) % SERIAL_FIFO_SIZE]);
	/* The line follows IIR's "no interrupt" bit (without reading IIR, which
	 * would acknowledge a THR-empty interrupt). */
	iir = ((s.ier & 1) && s.rx_count) || ((s.ier & 2) && s.thr_ipending) ? 0 : 1;
	FUZZ_CHECK(m.level == !iir && s.irq_level == m.level);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz in = { data, size };

	memset(&m, 0, sizeof(m));
	FUZZ_CHECK(!serial_init(&s, out, set_irq, &m));
	m.mcr = 0x08; /* OUT2, as the reset value */
	check_state();
	while (fz_more(&in)) {
		uint8_t op = fz_u8(&in);

		if ((op & 3) == 3) {
			/* Keystrokes from the host. */
			uint8_t buf[80];
			size_t n = fz_bytes(&in, buf, (op >> 2) % sizeof(buf));
			size_t room = SERIAL_FIFO_SIZE - m.count, took = serial_receive(&s, buf, n);

			FUZZ_CHECK(took == (n < room ? n : room));
			for (size_t i = 0; i < took; i++)
				push(buf[i]);
		} else {
			static const unsigned int lens[4] = { 1, 1, 2, 4 };
			unsigned int port = (op >> 2) & 7, len = lens[op >> 6];
			bool is_write = op & 1;
			uint8_t buf[4] = { 0 }, val[4];

			fz_bytes(&in, buf, is_write ? len : 0);
			memcpy(val, buf, sizeof(val));
			serial_io(&s, port, buf, len, is_write);
			/* Wider accesses are consecutive registers (wrapping at 8). */
			for (unsigned int i = 0; i < len; i++)
				model_reg((port + i) % 8, is_write, val[i], buf[i]);
			FUZZ_CHECK(m.out_bytes == m.expect_out);
			if (m.out_bytes)
				FUZZ_CHECK(m.last_out == m.expect_last);
		}
		check_state();
	}
	serial_destroy(&s);
	return 0;
}
