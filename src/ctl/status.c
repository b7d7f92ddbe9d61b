// SPDX-License-Identifier: GPL-2.0-only
/* The `status` control command: what the VM is doing, through vm_view. */
#include <stdio.h>

#include "minivmm/ctl/commands.h"
#include "minivmm/ctl/vm_view.h"

static void status_vcpus(struct ctl_call *c)
{
	struct json_out *o = c->reply;
	struct vm_view_vcpu v;

	json_key(o, "vcpus");
	json_begin_array(o);
	for (unsigned int i = 0; i < vm_view_ncpus(c->ctx); i++) {
		vm_view_vcpu(c->ctx, i, &v);
		json_begin_object(o);
		json_kv_uint(o, "id", v.id);
		json_kv_string(o, "state", v.state);
		json_kv_uint(o, "exits", v.exits);
		json_key(o, "exit_reasons");
		json_begin_object(o);
		for (unsigned int r = 0; r < VCPU_EXIT_REASONS; r++) {
			if (!v.exit[r])
				continue;
			if (vcpu_exit_name(r)) {
				json_kv_uint(o, vcpu_exit_name(r), v.exit[r]);
			} else {
				char name[16];

				snprintf(name, sizeof(name), "exit_%u", r);
				json_kv_uint(o, name, v.exit[r]);
			}
		}
		json_end_object(o);
		json_end_object(o);
	}
	json_end_array(o);
}

static void status_devices(struct ctl_call *c)
{
	struct json_out *o = c->reply;
	struct vm_view_dev d;

	json_key(o, "devices");
	json_begin_array(o);
	for (unsigned int i = 0; i < vm_view_ndevs(c->ctx); i++) {
		vm_view_dev(c->ctx, i, &d);
		json_begin_object(o);
		json_kv_string(o, "bdf", d.bdf);
		json_kv_string(o, "guest_bdf", d.guest_bdf);
		json_kv_string(o, "hotplug", d.hotplug);
		json_kv_string(o, "irq_mode", d.irq_mode);
		json_key(o, "irq_modes_used");
		json_begin_array(o);
		for (unsigned int m = 0; m < d.nmodes_used; m++)
			json_string(o, d.modes_used[m]);
		json_end_array(o);
		json_kv_uint(o, "vectors", d.vectors);
		json_kv_uint(o, "interrupts", d.interrupts);
		json_kv_uint(o, "irq_mode_changes", d.mode_changes);
		json_end_object(o);
	}
	json_end_array(o);
}

int ctl_cmd_status(struct ctl_call *c)
{
	const char *msg;
	int status;
	bool stopping = vm_view_stopping(c->ctx, &status, &msg);

	json_kv_string(c->reply, "state", stopping ? "stopping" : "running");
	json_kv_int(c->reply, "uptime_ms", vm_view_uptime_ms(c->ctx));
	json_kv_uint(c->reply, "mem_bytes", vm_view_mem_bytes(c->ctx));
	if (stopping) {
		json_kv_int(c->reply, "exit_status", status);
		json_kv_string(c->reply, "exit_message", msg);
	}
	if (vm_view_panicked(c->ctx, &msg))
		json_kv_string(c->reply, "panic", msg);
	status_vcpus(c);
	status_devices(c);
	return 0;
}
