// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest's ways out: ACPI hardware-reduced sleep control (poweroff),
 * the FADT reset register (reboot), and the guest status port that the
 * guest's minivmm-exit tool writes a command's exit status to.
 */
#include <string.h>

#include "minivmm/x86/layout.h"
#include "minivmm/log.h"
#include "minivmm/power.h"
#include "minivmm/vm.h"
#include "minivmm/x86/acpi.h"

/* Highest status a guest command may report; above are minivmm's own. */
#define GUEST_STATUS_MAX 123

static void power_io(void *opaque, uint64_t offset, void *data, unsigned int len, bool is_write)
{
	struct power *p = opaque;
	uint64_t port = LAYOUT_PORT_ACPI_SLEEP_CTL + offset;
	uint8_t v = *(uint8_t *)data;

	if (!is_write) {
		/* Sleep status reads "woken", nothing else has state. */
		memset(data, 0, len);
		return;
	}
	if (port == LAYOUT_PORT_ACPI_SLEEP_CTL && (v & ACPI_SLP_EN) &&
	    ((v & ACPI_SLP_TYP_MASK) >> ACPI_SLP_TYP_SHIFT) == ACPI_S5_SLP_TYP)
		vm_stop(p->vm, EXIT_GUEST_OK, "guest powered off");
	else if (port == LAYOUT_PORT_ACPI_RESET && v == LAYOUT_ACPI_RESET_VALUE)
		vm_guest_reset(p->vm, "ACPI reset register");
}

static void guest_status_io(void *opaque, uint64_t offset, void *data, unsigned int len, bool is_write)
{
	struct power *p = opaque;
	uint32_t v = 0;

	(void)offset;
	if (!is_write) {
		memset(data, 0, len);
		return;
	}
	memcpy(&v, data, len > sizeof(v) ? sizeof(v) : len);
	if (v > GUEST_STATUS_MAX) {
		pr_warn("guest reported status %u, above %d: reporting %d", v, GUEST_STATUS_MAX,
			GUEST_STATUS_MAX);
		v = GUEST_STATUS_MAX;
	}
	vm_stop(p->vm, v, "guest command exited with status %u", v);
}

int power_init(struct power *p, struct vm *vm)
{
	int ret;

	p->vm = vm;
	vm_add_counter(vm, &p->counter, "power");
	ret = bus_register(&vm->pio, LAYOUT_PORT_ACPI_SLEEP_CTL,
			   LAYOUT_PORT_ACPI_RESET - LAYOUT_PORT_ACPI_SLEEP_CTL + 1, power_io, p, &p->counter);
	if (!ret)
		ret = bus_register(&vm->pio, LAYOUT_PORT_GUEST_STATUS, 1, guest_status_io, p, &p->counter);
	return ret;
}
