// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ACPI hotplug registers as the guest's GED handler and _EJ0 see them:
 * which event sets which register, the line while anything is pending, the
 * acknowledge, and the eject reaching the slot's owner.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <linux/kvm.h>

#include "minivmm/bus.h"
#include "minivmm/device.h"
#include "minivmm/hotplug.h"
#include "minivmm/irq.h"
#include "minivmm/kvm.h"
#include "minivmm/stats.h"
#include "minivmm/x86/acpi.h"
#include "minivmm/x86/layout.h"
#include "minivmm/x86/platform.h"

/* The units under test are not in the core test library (they need the VM). */
#include "../../src/arch/x86/acpi_hotplug.c"
#include "../../src/device.c"
#include "../../src/irq.c"

#define FAKE_VM_FD 902

static int line_level = -1;          /* the GED line as KVM_IRQ_LINE last set it */
static unsigned int ejected_slots;   /* bit N: the owner heard slot N ejected */

static int fake_ioctl(int fd, unsigned long req, void *arg)
{
	if (fd == FAKE_VM_FD && req == KVM_SET_GSI_ROUTING)
		return 0;
	if (fd == FAKE_VM_FD && req == KVM_IRQ_LINE) {
		const struct kvm_irq_level *l = arg;

		assert_int_equal(l->irq, LAYOUT_GSI_HOTPLUG);
		line_level = l->level;
		return 0;
	}
	fail_msg("unexpected ioctl %#lx on fd %d", req, fd);
	return -ENOTTY;
}

int named_ioctl(int fd, unsigned long req, void *arg, const char *name)
{
	(void)name;
	return fake_ioctl(fd, req, arg);
}

int quiet_ioctl(int fd, unsigned long req, void *arg)
{
	return fake_ioctl(fd, req, arg);
}

static void owner_ejected(void *owner, unsigned int slot)
{
	assert_ptr_equal(owner, &ejected_slots);
	ejected_slots |= 1u << slot;
}

struct fx {
	struct bus pio;
	struct irq_router irq;
	struct stats stats;
	struct device *devices;
	struct devctx ctx;
	struct hotplug *hp;
};

static uint32_t reg_read(struct fx *f, unsigned int off)
{
	uint32_t v = 0xdeadbeef;

	bus_access(&f->pio, LAYOUT_PORT_HOTPLUG + off, &v, 4, false);
	return v;
}

static void reg_write(struct fx *f, unsigned int off, uint32_t v)
{
	bus_access(&f->pio, LAYOUT_PORT_HOTPLUG + off, &v, 4, true);
}

static int setup(void **state)
{
	static struct fx f;

	memset(&f, 0, sizeof(f));
	line_level = -1;
	ejected_slots = 0;
	assert_int_equal(bus_init(&f.pio, "pio"), 0);
	assert_int_equal(irq_router_init(&f.irq, FAKE_VM_FD), 0);
	f.ctx = (struct devctx){ .pio = &f.pio, .irq = &f.irq, .stats = &f.stats, .devices = &f.devices };
	assert_int_equal(acpi_hotplug_create(&f.ctx, (1u << 1) | (1u << 2), &f.hp), 0);
	f.hp->ejected = owner_ejected;
	f.hp->owner = &ejected_slots;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	device_destroy_all(&f->devices);
	irq_router_destroy(&f->irq);
	bus_destroy(&f->pio);
	return 0;
}

/* An insert is a device check (UP); the line stays up until acknowledged. */
static void test_insert(void **state)
{
	struct fx *f = *state;

	assert_int_equal(f->hp->notify(f->hp, 1, HOTPLUG_INSERTED), 0);
	assert_int_equal(line_level, 1);
	assert_int_equal(reg_read(f, ACPI_HOTPLUG_UP), 1u << 1);
	assert_int_equal(reg_read(f, ACPI_HOTPLUG_DOWN), 0);
	reg_write(f, ACPI_HOTPLUG_ACK, 1u << 1);
	assert_int_equal(line_level, 0);
	assert_int_equal(reg_read(f, ACPI_HOTPLUG_UP), 0);
}

/*
 * A removal request and a vanished function are both eject requests (DOWN):
 * Linux's acpiphp keeps a dead function on a mere device check.
 */
static void test_remove_and_gone_ask_for_eject(void **state)
{
	struct fx *f = *state;

	assert_int_equal(f->hp->notify(f->hp, 1, HOTPLUG_REMOVE_REQUEST), 0);
	assert_int_equal(f->hp->notify(f->hp, 2, HOTPLUG_GONE), 0);
	assert_int_equal(reg_read(f, ACPI_HOTPLUG_DOWN), (1u << 1) | (1u << 2));
	assert_int_equal(reg_read(f, ACPI_HOTPLUG_UP), 0);
	/* Half acknowledged: the line stays up for the rest. */
	reg_write(f, ACPI_HOTPLUG_ACK, 1u << 1);
	assert_int_equal(line_level, 1);
	reg_write(f, ACPI_HOTPLUG_ACK, 1u << 2);
	assert_int_equal(line_level, 0);
	/* The guest's _EJ0: the owner hears of its slots only. */
	reg_write(f, ACPI_HOTPLUG_EJECT, (1u << 2) | (1u << 5));
	assert_int_equal(ejected_slots, 1u << 2);
}

/* Slots the controller does not serve are refused; odd accesses read all-ones. */
static void test_bad_slot_and_access(void **state)
{
	struct fx *f = *state;
	uint16_t half = 0;

	assert_int_equal(f->hp->notify(f->hp, 3, HOTPLUG_GONE), -EINVAL);
	assert_int_equal(f->hp->notify(f->hp, 40, HOTPLUG_INSERTED), -EINVAL);
	bus_access(&f->pio, LAYOUT_PORT_HOTPLUG + ACPI_HOTPLUG_DOWN, &half, 2, false);
	assert_int_equal(half, 0xffff);
	assert_int_equal(line_level, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_insert, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_and_gone_ask_for_eject, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_slot_and_access, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
