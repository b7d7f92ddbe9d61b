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

#endif
