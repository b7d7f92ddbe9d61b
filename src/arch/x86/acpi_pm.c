// SPDX-License-Identifier: GPL-2.0-only
/*
 * ACPI hardware-reduced power management: the FADT's sleep control and
 * status registers (poweroff is S5) and its reset register (reboot).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "minivmm/bus.h"
#include "minivmm/config.h"
#include "minivmm/device.h"
#include "minivmm/runstate.h"
#include "minivmm/x86/acpi.h"
#include "minivmm/x86/layout.h"
#include "minivmm/x86/platform.h"

struct acpi_pm {
	struct device dev;
	struct runstate *run;
	struct stats *stats;
	struct bus *pio;
	bool registered;
	struct stat_counter counter;
};

static void acpi_pm_io(void *opaque, uint64_t offset, void *data, unsigned int len, bool is_write)
{
	struct acpi_pm *p = opaque;
	uint64_t port = LAYOUT_PORT_ACPI_SLEEP_CTL + offset;
	uint8_t v = *(uint8_t *)data;

	if (!is_write) {
		/* Sleep status reads "woken", nothing else has state. */
		memset(data, 0, len);
		return;
	}
	if (port == LAYOUT_PORT_ACPI_SLEEP_CTL && (v & ACPI_SLP_EN) &&
	    ((v & ACPI_SLP_TYP_MASK) >> ACPI_SLP_TYP_SHIFT) == ACPI_S5_SLP_TYP)
		runstate_stop(p->run, EXIT_GUEST_OK, "guest powered off");
	else if (port == LAYOUT_PORT_ACPI_RESET && v == LAYOUT_ACPI_RESET_VALUE)
		runstate_reset(p->run, "ACPI reset register");
}

static void acpi_pm_destroy(struct device *dev)
{
	struct acpi_pm *p = (struct acpi_pm *)dev;

	if (p->registered)
		bus_unregister(p->pio, LAYOUT_PORT_ACPI_SLEEP_CTL, p);
	stats_remove(p->stats, &p->counter);
	free(p);
}

int acpi_pm_create(const struct devctx *ctx)
{
	struct acpi_pm *p = calloc(1, sizeof(*p));
	int ret;

	if (!p)
		return -ENOMEM;
	*p = (struct acpi_pm){
		.dev = { .name = "acpi-pm", .destroy = acpi_pm_destroy },
		.run = ctx->run, .stats = ctx->stats, .pio = ctx->pio,
	};
	device_add(ctx, &p->dev);
	stats_add(ctx->stats, &p->counter, "acpi-pm");
	ret = bus_register(ctx->pio, LAYOUT_PORT_ACPI_SLEEP_CTL,
			   LAYOUT_PORT_ACPI_RESET - LAYOUT_PORT_ACPI_SLEEP_CTL + 1, acpi_pm_io, p, &p->counter);
	p->registered = !ret;
	return ret;
}
