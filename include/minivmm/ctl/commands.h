/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The control commands of a VM: the table the control socket, --at and
 * `minivmm ctl` use (context: struct vm *). A new command is an entry in
 * ctl_vm_commands[] (src/ctl/commands.c) and its handler.
 */
#ifndef MINIVMM_CTL_COMMANDS_H
#define MINIVMM_CTL_COMMANDS_H

#include "minivmm/ctl/cmd.h"

extern const struct ctl_cmd ctl_vm_commands[];

int ctl_cmd_status(struct ctl_call *c);  /* src/ctl/status.c */
int ctl_cmd_stop(struct ctl_call *c);
/* src/ctl/devices.c */
int ctl_cmd_unplug(struct ctl_call *c);
int ctl_cmd_plug(struct ctl_call *c);
int ctl_cmd_surprise(struct ctl_call *c);
int ctl_cmd_drop_msi(struct ctl_call *c);
int ctl_cmd_drop_intx(struct ctl_call *c);
int ctl_cmd_spurious_msi(struct ctl_call *c);
int ctl_cmd_spurious_intx(struct ctl_call *c);
int ctl_cmd_trace(struct ctl_call *c);

#endif
