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
	{ "unplug", "ask the guest to give the function up (attention button); it is reset and held for a replug, or handed back to its host driver (release)",
	  ctl_cmd_unplug, .record = true,
	  .args = { { "bdf", CTL_ARG_BDF, .required = true, .help = "the assigned function" },
		    { "release", CTL_ARG_BOOL, .help = "back to the host driver once ejected (default false)" } } },
	{ "plug", "give a held function back to the guest (it scans the slot)", ctl_cmd_plug, .record = true,
	  .args = { { "bdf", CTL_ARG_BDF, .required = true, .help = "the assigned function" } } },
	{ "surprise", "the function vanishes without notice: config and BARs read all-ones, interrupts stop",
	  ctl_cmd_surprise, .record = true,
	  .args = { { "bdf", CTL_ARG_BDF, .required = true, .help = "the assigned function" },
		    { "presence_lost", CTL_ARG_BOOL, .help = "then the slot reports it empty (default false)" } } },
	{ "drop-msi", "swallow the next AMOUNT interrupts of an MSI/MSI-X vector (AMOUNT < 1: each with that probability; 0: stop)",
	  ctl_cmd_drop_msi, .record = true,
	  .args = { { "bdf", CTL_ARG_BDF, .required = true, .help = "the assigned function" },
		    { "vector", CTL_ARG_INT, .required = true, .min = 0, .max = 2047, .help = "the vector" },
		    { "amount", CTL_ARG_NUMBER, .min = 0, .max = 1000000, .help = "how many, or a probability (default 1)" } } },
	{ "spurious-msi", "an interrupt on an MSI/MSI-X vector with no device event behind it", ctl_cmd_spurious_msi,
	  .record = true,
	  .args = { { "bdf", CTL_ARG_BDF, .required = true, .help = "the assigned function" },
		    { "vector", CTL_ARG_INT, .required = true, .min = 0, .max = 2047, .help = "the vector" },
		    { "count", CTL_ARG_INT, .min = 1, .max = 1000, .help = "how many (default 1)" } } },
	{ "drop-intx", "swallow the next AMOUNT INTx assertions (AMOUNT < 1: each with that probability; 0: stop)",
	  ctl_cmd_drop_intx, .record = true,
	  .args = { { "bdf", CTL_ARG_BDF, .required = true, .help = "the assigned function" },
		    { "amount", CTL_ARG_NUMBER, .min = 0, .max = 1000000, .help = "how many, or a probability (default 1)" } } },
	{ "spurious-intx", "an INTx assertion with no device event behind it", ctl_cmd_spurious_intx, .record = true,
	  .args = { { "bdf", CTL_ARG_BDF, .required = true, .help = "the assigned function" },
		    { "count", CTL_ARG_INT, .min = 1, .max = 1000, .help = "how many (default 1)" } } },
	{ "trace", "trace a range from now on (only its pages trap): BDF:REGION[:OFFSET[+LEN]], REGION bar0..bar5 or config",
	  ctl_cmd_trace, .record = true,
	  .args = { { "range", CTL_ARG_STRING, .required = true, .max = 80, .help = "e.g. 0000:00:01.0:bar0:0x0+0x100" } } },
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
