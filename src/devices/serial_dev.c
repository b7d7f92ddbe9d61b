// SPDX-License-Identifier: GPL-2.0-only
/* The console UART as a device: the 16550A model on a bus, wired to the console and an interrupt line. */
#include <errno.h>
#include <stdlib.h>

#include "minivmm/bus.h"
#include "minivmm/console.h"
#include "minivmm/device.h"
#include "minivmm/irq.h"
#include "minivmm/serial.h"

struct serial_dev {
	struct device dev;
	struct serial uart;
	struct console *console;
	struct irq_router *irq;
	unsigned int gsi;
	struct stats *stats;
	struct bus *bus;
	uint64_t base;
	bool registered;
};

static void serial_dev_out(void *opaque, const void *buf, size_t n)
{
	struct serial_dev *s = opaque;

	console_output(s->console, buf, n);
}

static void serial_dev_irq(void *opaque, int level)
{
	struct serial_dev *s = opaque;

	irq_set_line(s->irq, s->gsi, level);
}

static size_t serial_dev_input(void *opaque, const uint8_t *buf, size_t n)
{
	struct serial_dev *s = opaque;

	return serial_receive(&s->uart, buf, n);
}

static void serial_dev_destroy(struct device *dev)
{
	struct serial_dev *s = (struct serial_dev *)dev;

	if (s->registered)
		bus_unregister(s->bus, s->base, &s->uart);
	if (s->console->input_opaque == s) {
		s->console->input = NULL;
		s->console->input_opaque = NULL;
	}
	stats_remove(s->stats, &s->uart.counter);
	serial_destroy(&s->uart);
	free(s);
}

int serial_create(const struct devctx *ctx, struct bus *bus, uint64_t base, unsigned int gsi)
{
	struct serial_dev *s = calloc(1, sizeof(*s));
	int ret;

	if (!s)
		return -ENOMEM;
	s->dev = (struct device){ .name = "serial", .destroy = serial_dev_destroy };
	s->console = ctx->console;
	s->irq = ctx->irq;
	s->gsi = gsi;
	s->stats = ctx->stats;
	s->bus = bus;
	s->base = base;
	ret = serial_init(&s->uart, serial_dev_out, serial_dev_irq, s);
	if (ret) {
		free(s);
		return ret;
	}
	device_add(ctx, &s->dev);
	stats_add(ctx->stats, &s->uart.counter, "serial");
	ret = bus_register(bus, base, SERIAL_PORTS, serial_io, &s->uart, &s->uart.counter);
	s->registered = !ret;
	if (!ret) {
		ctx->console->input = serial_dev_input;
		ctx->console->input_opaque = s;
	}
	return ret;
}
