// SPDX-License-Identifier: GPL-2.0-only
#include <string.h>

#include "minivmm/x86/layout.h"
#include "minivmm/pvpanic.h"
#include "minivmm/vm.h"

static void pvpanic_io(void *opaque, uint64_t offset, void *data, unsigned int len, bool is_write)
{
	struct pvpanic *p = opaque;
	uint8_t v = *(uint8_t *)data;

	(void)offset;
	if (!is_write) {
		/* Only "panicked": a crash kernel (kdump) would be stopped anyway. */
		memset(data, 0, len);
		*(uint8_t *)data = PVPANIC_PANICKED;
		return;
	}
	if (v & PVPANIC_PANICKED)
		vm_guest_panicked(p->vm, "guest kernel panic (reported through pvpanic)");
}

int pvpanic_init(struct pvpanic *p, struct vm *vm)
{
	p->vm = vm;
	vm_add_counter(vm, &p->counter, "pvpanic");
	return bus_register(&vm->pio, LAYOUT_PORT_PVPANIC, 1, pvpanic_io, p, &p->counter);
}
