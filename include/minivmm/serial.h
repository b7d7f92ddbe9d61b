/* SPDX-License-Identifier: GPL-2.0-only */
/* 16550A UART on COM1: the guest console. Pure device model + callbacks. */
#ifndef MINIVMM_SERIAL_H
#define MINIVMM_SERIAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "minivmm/bus.h"

#define SERIAL_FIFO_SIZE 64
#define SERIAL_PORTS 8

struct serial {
	pthread_mutex_t lock;
	bool lock_ready;
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	bool thr_ipending;           /* THR-empty interrupt not yet acknowledged */
	uint8_t rx[SERIAL_FIFO_SIZE];
	unsigned int rx_head, rx_count;
	int irq_level;

	void (*out)(void *opaque, const void *buf, size_t n);
	void (*set_irq)(void *opaque, int level);
	void *opaque;
	struct stat_counter counter;
};

int serial_init(struct serial *s, void (*out)(void *, const void *, size_t),
		void (*set_irq)(void *, int), void *opaque);
void serial_destroy(struct serial *s);
/* bus handler for the 8 ports at its base */
void serial_io(void *opaque, uint64_t offset, void *data, unsigned int len, bool is_write);
/* Keystrokes for the guest; returns how many bytes fit in the FIFO. */
size_t serial_receive(struct serial *s, const uint8_t *buf, size_t n);

struct devctx;

/* The device: the UART at @base on @bus, the console's, raising @gsi (serial_dev.c). */
int serial_create(const struct devctx *ctx, struct bus *bus, uint64_t base, unsigned int gsi);

#endif
