/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PCI hotplug between a slot's owner (the VFIO manager) and the arch's
 * hotplug controller (x86: ACPI slots and a Generic Event Device). The
 * owner asks the controller to tell the guest that a slot gained a
 * function or should give one up; the guest's eject comes back through
 * @ejected. Slots are bus 0's, 1-31.
 */
#ifndef MINIVMM_HOTPLUG_H
#define MINIVMM_HOTPLUG_H

#include <stdint.h>

enum hotplug_event {
	HOTPLUG_INSERTED,            /* a function is there now: the guest scans the slot */
	HOTPLUG_REMOVE_REQUEST,      /* the attention button: the guest removes, then ejects */
	HOTPLUG_GONE,                /* it vanished (surprise removal): the guest removes what is left */
};

struct hotplug {
	/* Set by the controller. */
	int (*notify)(struct hotplug *hp, unsigned int slot, enum hotplug_event ev);
	uint32_t slots;              /* the slots it serves (bit N: slot N) */
	/* Set by the owner: the guest ejected @slot (its driver let go). */
	void (*ejected)(void *owner, unsigned int slot);
	void *owner;
};

#endif
