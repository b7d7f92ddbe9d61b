// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests for src/devices/serial.c: the 16550A model seen from the guest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "minivmm/serial.h"

/* Register offsets and bits (DLAB=0 unless noted), as the guest driver sees them. */
enum { RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5,
       MSR = 6, SCR = 7 };
#define IER_RDI 0x01
#define IER_THRI 0x02
#define IIR_NO_INT 0x01
#define IIR_ID_MASK 0x0f
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define LCR_DLAB 0x80
#define MCR_LOOP 0x10
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

/* Fakes for the console and interrupt line; record everything. */
struct fixture {
	struct serial s;
	uint8_t out[256];
	size_t nout;
	unsigned int out_calls;
	int irq_log[64];
	unsigned int nirq;
};

static void fake_out(void *opaque, const void *buf, size_t n)
{
	struct fixture *f = opaque;

	assert_true(f->nout + n <= sizeof(f->out));
	memcpy(f->out + f->nout, buf, n);
	f->nout += n;
	f->out_calls++;
}

static void fake_irq(void *opaque, int level)
{
	struct fixture *f = opaque;

	assert_true(f->nirq < 64);
	f->irq_log[f->nirq++] = level;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f || serial_init(&f->s, fake_out, fake_irq, f))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	serial_destroy(&f->s);
	free(f);
	return 0;
}

static uint8_t rd(struct fixture *f, unsigned int reg)
{
	uint8_t v = 0xa5;

	serial_io(&f->s, reg, &v, 1, false);
	return v;
}

static void wr(struct fixture *f, unsigned int reg, uint8_t v)
{
	serial_io(&f->s, reg, &v, 1, true);
}

static int irq_now(const struct fixture *f)
{
	return f->nirq ? f->irq_log[f->nirq - 1] : 0;
}

static void test_thr_write_reaches_output(void **state)
{
	struct fixture *f = *state;

	wr(f, THR, 'h');
	wr(f, THR, 'i');
	wr(f, THR, '\n');
	assert_int_equal(f->nout, 3);
	assert_memory_equal(f->out, "hi\n", 3);
	assert_int_equal(f->nirq, 0); /* no interrupts enabled: line stays low */
}

static void test_lsr_transmitter_always_empty(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(rd(f, LSR), LSR_THRE | LSR_TEMT);
	wr(f, THR, 'x');
	assert_int_equal(rd(f, LSR), LSR_THRE | LSR_TEMT);
	/* LSR is read-only. */
	wr(f, LSR, 0x00);
	assert_int_equal(rd(f, LSR), LSR_THRE | LSR_TEMT);
}

static void test_reset_state(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(rd(f, IER), 0);
	assert_int_equal(rd(f, IIR), IIR_NO_INT);
	assert_int_equal(rd(f, LCR), 0);
	assert_int_equal(rd(f, MCR) & MCR_LOOP, 0);
	assert_int_equal(rd(f, RBR), 0); /* empty FIFO */
	/* Without loopback the modem lines say "connected". */
	assert_int_equal(rd(f, MSR) & 0xf0, 0xb0);
}

static void test_loopback_msr_linux_probe(void **state)
{
	struct fixture *f = *state;

	/* drivers/tty/serial/8250: MCR = LOOP | OUT2 | RTS, expect MSR & 0xf0 == 0x90. */
	wr(f, MCR, MCR_LOOP | 0x0a);
	assert_int_equal(rd(f, MSR) & 0xf0, 0x90);
	/* Each output maps to its input: DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD. */
	wr(f, MCR, MCR_LOOP | 0x01);
	assert_int_equal(rd(f, MSR) & 0xf0, 0x20);
	wr(f, MCR, MCR_LOOP | 0x02);
	assert_int_equal(rd(f, MSR) & 0xf0, 0x10);
	wr(f, MCR, MCR_LOOP | 0x04);
	assert_int_equal(rd(f, MSR) & 0xf0, 0x40);
	wr(f, MCR, MCR_LOOP | 0x08);
	assert_int_equal(rd(f, MSR) & 0xf0, 0x80);
	wr(f, MCR, MCR_LOOP);
	assert_int_equal(rd(f, MSR) & 0xf0, 0x00);
	wr(f, MCR, MCR_LOOP | 0x0f);
	assert_int_equal(rd(f, MSR) & 0xf0, 0xf0);
	/* MCR keeps its 5 defined bits. */
	wr(f, MCR, 0xff);
	assert_int_equal(rd(f, MCR), 0x1f);
}

static void test_loopback_tx_comes_back_as_rx(void **state)
{
	struct fixture *f = *state;

	wr(f, MCR, MCR_LOOP | 0x0a);
	wr(f, THR, 0x5a);
	assert_int_equal(f->nout, 0); /* not on the console */
	assert_true(rd(f, LSR) & LSR_DR);
	assert_int_equal(rd(f, RBR), 0x5a);
	assert_false(rd(f, LSR) & LSR_DR);
}

static void test_scratch_register(void **state)
{
	struct fixture *f = *state;

	wr(f, SCR, 0x55);
	assert_int_equal(rd(f, SCR), 0x55);
	wr(f, SCR, 0xaa);
	assert_int_equal(rd(f, SCR), 0xaa);
	assert_int_equal(f->nout, 0);
}

static void test_dlab_divisor_latch(void **state)
{
	struct fixture *f = *state;

	wr(f, IER, IER_RDI);
	wr(f, LCR, LCR_DLAB | 0x03);
	wr(f, DLL, 0x0c);
	wr(f, DLM, 0x01);
	assert_int_equal(rd(f, DLL), 0x0c);
	assert_int_equal(rd(f, DLM), 0x01);
	assert_int_equal(rd(f, LCR), LCR_DLAB | 0x03);
	assert_int_equal(f->nout, 0); /* DLL write is not a transmitted byte */
	wr(f, LCR, 0x03);
	/* Back to THR/IER: the latch did not clobber them. */
	assert_int_equal(rd(f, IER), IER_RDI);
	wr(f, THR, 'z');
	assert_int_equal(f->nout, 1);
	wr(f, LCR, LCR_DLAB | 0x03);
	assert_int_equal(rd(f, DLL), 0x0c);
	assert_int_equal(rd(f, DLM), 0x01);
}

static void test_iir_fifo_bits(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(rd(f, IIR) & 0xc0, 0);
	wr(f, FCR, 0x01 | 0x06 | 0xc0); /* enable, clear both, trigger 14 */
	assert_int_equal(rd(f, IIR), 0xc0 | IIR_NO_INT);
	wr(f, FCR, 0x00);
	assert_int_equal(rd(f, IIR), IIR_NO_INT);
}

static void test_ier_masks_reserved_bits(void **state)
{
	struct fixture *f = *state;

	wr(f, IER, 0xf0);
	assert_int_equal(rd(f, IER), 0x00);
	wr(f, IER, 0x0d);
	assert_int_equal(rd(f, IER), 0x0d);
}

static void test_thri_raised_and_acknowledged(void **state)
{
	struct fixture *f = *state;

	wr(f, IER, IER_THRI);
	assert_int_equal(f->nirq, 1);
	assert_int_equal(irq_now(f), 1);
	assert_int_equal(rd(f, IIR) & IIR_ID_MASK, IIR_THRI);
	/* The IIR read acknowledged it: line low, IIR empty. */
	assert_int_equal(irq_now(f), 0);
	assert_int_equal(rd(f, IIR) & IIR_ID_MASK, IIR_NO_INT);
	assert_int_equal(f->nirq, 2);
	/* A THR write: the byte leaves at once and THR-empty rises again. */
	wr(f, THR, 'a');
	assert_int_equal(irq_now(f), 1);
	assert_int_equal(f->nirq, 3);
	assert_int_equal(rd(f, IIR) & IIR_ID_MASK, IIR_THRI);
	/* Disabling THRI drops the line. */
	wr(f, THR, 'b');
	assert_int_equal(irq_now(f), 1);
	wr(f, IER, 0);
	assert_int_equal(irq_now(f), 0);
	assert_int_equal(rd(f, IIR) & IIR_ID_MASK, IIR_NO_INT);
}

static void test_thr_write_gives_fresh_edge(void **state)
{
	struct fixture *f = *state;

	wr(f, IER, IER_THRI);
	assert_int_equal(irq_now(f), 1);
	f->nirq = 0;
	/* Not acknowledged: the edge-triggered ISA line must still see 0 then 1. */
	wr(f, THR, 'x');
	assert_int_equal(f->nirq, 2);
	assert_int_equal(f->irq_log[0], 0);
	assert_int_equal(f->irq_log[1], 1);
	f->nirq = 0;
	wr(f, THR, 'y');
	assert_int_equal(f->nirq, 2);
	assert_int_equal(f->irq_log[0], 0);
	assert_int_equal(f->irq_log[1], 1);
}

static void test_thri_enable_twice_no_new_interrupt(void **state)
{
	struct fixture *f = *state;

	wr(f, IER, IER_THRI);
	(void)rd(f, IIR); /* acknowledge */
	assert_int_equal(irq_now(f), 0);
	wr(f, IER, IER_THRI | IER_RDI); /* THRI already enabled: no new one */
	assert_int_equal(irq_now(f), 0);
	wr(f, IER, 0);
	wr(f, IER, IER_THRI); /* re-enable: one fresh interrupt */
	assert_int_equal(irq_now(f), 1);
}

static void test_rx_data_ready_and_interrupt(void **state)
{
	struct fixture *f = *state;
	const uint8_t keys[] = "ls\r";

	assert_int_equal(serial_receive(&f->s, keys, 3), 3);
	assert_true(rd(f, LSR) & LSR_DR);
	assert_int_equal(f->nirq, 0); /* RDI not enabled yet */
	wr(f, IER, IER_RDI);
	assert_int_equal(irq_now(f), 1);
	assert_int_equal(rd(f, IIR) & IIR_ID_MASK, IIR_RDI);
	/* Reading IIR does not acknowledge received data. */
	assert_int_equal(rd(f, IIR) & IIR_ID_MASK, IIR_RDI);
	assert_int_equal(rd(f, RBR), 'l');
	assert_int_equal(rd(f, RBR), 's');
	assert_int_equal(irq_now(f), 1);
	assert_int_equal(rd(f, RBR), '\r');
	/* Drained: no data, line low. */
	assert_false(rd(f, LSR) & LSR_DR);
	assert_int_equal(irq_now(f), 0);
	assert_int_equal(rd(f, IIR) & IIR_ID_MASK, IIR_NO_INT);
	assert_int_equal(rd(f, RBR), 0);
}

static void test_rx_interrupt_when_enabled_first(void **state)
{
	struct fixture *f = *state;
	const uint8_t k = 'q';

	wr(f, IER, IER_RDI);
	assert_int_equal(f->nirq, 0);
	assert_int_equal(serial_receive(&f->s, &k, 1), 1);
	assert_int_equal(irq_now(f), 1);
	assert_int_equal(rd(f, RBR), 'q');
	assert_int_equal(irq_now(f), 0);
}

static void test_rdi_has_priority_over_thri(void **state)
{
	struct fixture *f = *state;
	const uint8_t k = 'k';

	wr(f, IER, IER_THRI | IER_RDI);
	assert_int_equal(serial_receive(&f->s, &k, 1), 1);
	assert_int_equal(rd(f, IIR) & IIR_ID_MASK, IIR_RDI);
	assert_int_equal(rd(f, RBR), 'k');
	/* THRI was not acknowledged by the RDI-reporting read: now it shows. */
	assert_int_equal(rd(f, IIR) & IIR_ID_MASK, IIR_THRI);
	assert_int_equal(rd(f, IIR) & IIR_ID_MASK, IIR_NO_INT);
}

static void test_rx_fifo_full_short_count(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[SERIAL_FIFO_SIZE + 10];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)i;
	assert_int_equal(serial_receive(&f->s, buf, 10), 10);
	assert_int_equal(serial_receive(&f->s, buf + 10, sizeof(buf) - 10), SERIAL_FIFO_SIZE - 10);
	assert_int_equal(serial_receive(&f->s, buf, 1), 0);
	/* Everything that fit comes out in order, nothing more. */
	for (size_t i = 0; i < SERIAL_FIFO_SIZE; i++)
		assert_int_equal(rd(f, RBR), buf[i]);
	assert_false(rd(f, LSR) & LSR_DR);
	/* Space again, and the ring wraps correctly. */
	assert_int_equal(serial_receive(&f->s, buf, 5), 5);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(rd(f, RBR), buf[i]);
}

static void test_fcr_clears_receiver(void **state)
{
	struct fixture *f = *state;
	const uint8_t keys[4] = "abcd";

	assert_int_equal(serial_receive(&f->s, keys, 4), 4);
	wr(f, FCR, 0x01 | 0x02);
	assert_false(rd(f, LSR) & LSR_DR);
	assert_int_equal(serial_receive(&f->s, keys + 3, 1), 1);
	assert_int_equal(rd(f, RBR), 'd');
}

static void test_wide_access_touches_consecutive_registers(void **state)
{
	struct fixture *f = *state;
	uint8_t w[2] = { 0x77, 0x03 }; /* SCR at 7 then RBR/THR at 0 (wraps) */
	uint8_t r[2];

	serial_io(&f->s, SCR, w, 2, true);
	assert_int_equal(rd(f, SCR), 0x77);
	assert_int_equal(f->nout, 1);
	assert_int_equal(f->out[0], 0x03);
	serial_io(&f->s, LCR, r, 2, false);
	assert_int_equal(r[0], 0);             /* LCR */
	assert_int_equal(r[1] & MCR_LOOP, 0);  /* MCR */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_thr_write_reaches_output, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lsr_transmitter_always_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loopback_msr_linux_probe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loopback_tx_comes_back_as_rx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scratch_register, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dlab_divisor_latch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iir_fifo_bits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ier_masks_reserved_bits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thri_raised_and_acknowledged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thr_write_gives_fresh_edge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thri_enable_twice_no_new_interrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx_data_ready_and_interrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx_interrupt_when_enabled_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rdi_has_priority_over_thri, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx_fifo_full_short_count, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fcr_clears_receiver, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wide_access_touches_consecutive_registers, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
