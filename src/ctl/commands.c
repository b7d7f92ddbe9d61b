// SPDX-License-Identifier: GPL-2.0-only
/* The VM's control command table, and `stop`. */
#include <stdio.h>

#include "minivmm/ctl/commands.h"
#include "minivmm/ctl/vm_view.h"

const struct ctl_cmd ctl_vm_commands[] = {
	{ "status", "devices and their interrupts, vCPUs, uptime; the exit status once stopping",
	  ctl_cmd_status },
	{ "stop", "stop the guest in order, as if it powered off; minivmm exits with STATUS", ctl_cmd_stop,
	  .record = true,
	  .args = { { "status", CTL_ARG_INT, .min = 0, .max = 255, .help = "minivmm's exit status (default 0)" },
		    { "message", CTL_ARG_STRING, .max = 200, .help = "why, in minivmm's last words" } } },
	CTL_HELP_ENTRY,
	{ NULL },
};

int ctl_cmd_stop(struct ctl_call *c)
{
	int status = (int)ctl_arg_int(c, "status", 0);
	const char *why = ctl_arg_string(c, "message", NULL), *msg;
	bool already;
	char text[300];

	already = vm_view_stopping(c->ctx, &status, &msg);
	if (!already) {
		if (why)
			snprintf(text, sizeof(text), "stopped by the control command stop (%s): %s", c->source, why);
		else
			snprintf(text, sizeof(text), "stopped by the control command stop (%s)", c->source);
		vm_view_stop(c->ctx, status, text);
		vm_view_stopping(c->ctx, &status, &msg);
	}
	json_kv_int(c->reply, "status", status);
	json_kv_bool(c->reply, "already_stopping", already);
	json_kv_string(c->reply, "message", msg);
	return 0;
}
