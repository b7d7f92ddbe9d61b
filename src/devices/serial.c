// SPDX-License-Identifier: GPL-2.0-only
/*
 * 16550A UART. Transmission is instantaneous (a written byte goes straight
 * to the console), so the transmitter is always empty and THR-empty
 * interrupts fire as soon as the guest enables or acknowledges them.
 */
#include <errno.h>
#include <string.h>

#include "minivmm/serial.h"

/* Register offsets (DLAB=0 unless noted). */
enum {
	UART_RX = 0, UART_TX = 0, UART_DLL = 0, /* DLAB=1 */
	UART_IER = 1, UART_DLM = 1,             /* DLAB=1 */
	UART_IIR = 2, UART_FCR = 2,
	UART_LCR = 3, UART_MCR = 4, UART_LSR = 5, UART_MSR = 6, UART_SCR = 7,
};

#define IER_RDI 0x01
#define IER_THRI 0x02
#define IER_MASK 0x0f
#define IIR_NO_INT 0x01
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_FIFO_ENABLED 0xc0
#define FCR_ENABLE_FIFO 0x01
#define FCR_CLEAR_RCVR 0x02
#define LCR_DLAB 0x80
#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define MCR_MASK 0x1f
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80

int serial_init(struct serial *s, void (*out)(void *, const void *, size_t),
		void (*set_irq)(void *, int), void *opaque)
{
	memset(s, 0, sizeof(*s));
	if (pthread_mutex_init(&s->lock, NULL))
		return -ENOMEM;
	s->lock_ready = true;
	s->out = out;
	s->set_irq = set_irq;
	s->opaque = opaque;
	s->mcr = MCR_OUT2;
	return 0;
}

void serial_destroy(struct serial *s)
{
	if (s->lock_ready)
		pthread_mutex_destroy(&s->lock);
	s->lock_ready = false;
}

/* Highest-priority pending interrupt, as IIR reports it. */
static uint8_t serial_iir(const struct serial *s)
{
	uint8_t fifo = (s->fcr & FCR_ENABLE_FIFO) ? IIR_FIFO_ENABLED : 0;

	if ((s->ier & IER_RDI) && s->rx_count)
		return fifo | IIR_RDI;
	if ((s->ier & IER_THRI) && s->thr_ipending)
		return fifo | IIR_THRI;
	return fifo | IIR_NO_INT;
}

/* Called with the lock held after every change; raises edges only on change. */
static void serial_update_irq(struct serial *s)
{
	int level = !(serial_iir(s) & IIR_NO_INT);

	if (level != s->irq_level) {
		s->irq_level = level;
		s->set_irq(s->opaque, level);
	}
}

static uint8_t serial_read(struct serial *s, unsigned int reg)
{
	uint8_t v;

	switch (reg) {
	case UART_RX:
		if (s->lcr & LCR_DLAB)
			return s->dll;
		if (!s->rx_count)
			return 0;
		v = s->rx[s->rx_head];
		s->rx_head = (s->rx_head + 1) % SERIAL_FIFO_SIZE;
		s->rx_count--;
		return v;
	case UART_IER:
		return (s->lcr & LCR_DLAB) ? s->dlm : s->ier;
	case UART_IIR:
		v = serial_iir(s);
		/* Reading IIR acknowledges a THR-empty interrupt. */
		if ((v & 0x0f) == IIR_THRI)
			s->thr_ipending = false;
		return v;
	case UART_LCR:
		return s->lcr;
	case UART_MCR:
		return s->mcr;
	case UART_LSR:
		return LSR_THRE | LSR_TEMT | (s->rx_count ? LSR_DR : 0);
	case UART_MSR:
		if (s->mcr & MCR_LOOP)
			/* Loopback: modem outputs come back as inputs (Linux probes this). */
			return ((s->mcr & MCR_DTR) ? MSR_DSR : 0) | ((s->mcr & MCR_RTS) ? MSR_CTS : 0) |
			       ((s->mcr & MCR_OUT1) ? MSR_RI : 0) | ((s->mcr & MCR_OUT2) ? MSR_DCD : 0);
		return MSR_DCD | MSR_DSR | MSR_CTS;
	default:
		return s->scr;
	}
}

static void serial_write(struct serial *s, unsigned int reg, uint8_t v)
{
	switch (reg) {
	case UART_TX:
		if (s->lcr & LCR_DLAB) {
			s->dll = v;
			break;
		}
		/* Writing THR acknowledges THR-empty; the byte leaves at once and
		 * THR-empty rises again: a fresh edge on the edge-triggered ISA line. */
		s->thr_ipending = false;
		serial_update_irq(s);
		if (s->mcr & MCR_LOOP) {
			if (s->rx_count < SERIAL_FIFO_SIZE)
				s->rx[(s->rx_head + s->rx_count++) % SERIAL_FIFO_SIZE] = v;
		} else {
			s->out(s->opaque, &v, 1);
		}
		s->thr_ipending = true;
		break;
	case UART_IER:
		if (s->lcr & LCR_DLAB) {
			s->dlm = v;
			break;
		}
		/* Enabling THR-empty interrupts with an empty THR raises one. */
		if (!(s->ier & IER_THRI) && (v & IER_THRI))
			s->thr_ipending = true;
		s->ier = v & IER_MASK;
		break;
	case UART_FCR:
		s->fcr = v & FCR_ENABLE_FIFO;
		if (v & FCR_CLEAR_RCVR)
			s->rx_count = 0;
		break;
	case UART_LCR:
		s->lcr = v;
		break;
	case UART_MCR:
		s->mcr = v & MCR_MASK;
		break;
	case UART_LSR:
	case UART_MSR:
		break; /* read-only */
	default:
		s->scr = v;
	}
}

void serial_io(void *opaque, uint64_t offset, void *data, unsigned int len, bool is_write)
{
	struct serial *s = opaque;
	uint8_t *p = data;

	pthread_mutex_lock(&s->lock);
	/* Wider accesses touch consecutive registers, as on an 8-bit bus. */
	for (unsigned int i = 0; i < len; i++) {
		unsigned int reg = (offset + i) % SERIAL_PORTS;

		if (is_write)
			serial_write(s, reg, p[i]);
		else
			p[i] = serial_read(s, reg);
	}
	serial_update_irq(s);
	pthread_mutex_unlock(&s->lock);
}

size_t serial_receive(struct serial *s, const uint8_t *buf, size_t n)
{
	size_t done = 0;

	pthread_mutex_lock(&s->lock);
	while (done < n && s->rx_count < SERIAL_FIFO_SIZE)
		s->rx[(s->rx_head + s->rx_count++) % SERIAL_FIFO_SIZE] = buf[done++];
	serial_update_irq(s);
	pthread_mutex_unlock(&s->lock);
	return done;
}
