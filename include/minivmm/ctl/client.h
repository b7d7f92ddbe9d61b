/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `minivmm ctl [OPTIONS] PATH [COMMAND [ARGS...]]`: one request to a
 * running minivmm's control socket, its reply on stdout. Exit status: 0
 * the reply says ok (or the awaited event came), 1 it is an error reply,
 * 124 no reply or event within --timeout, 125 cannot connect, bad usage,
 * or the connection closed first.
 */
#ifndef MINIVMM_CTL_CLIENT_H
#define MINIVMM_CTL_CLIENT_H

#include <stdio.h>

#include "minivmm/ctl/cmd.h"

#define CTL_CLIENT_DEFAULT_TIMEOUT 60
#define CTL_CLIENT_LINE_MAX (4 << 20)

int ctl_client_main(int argc, char *argv[]);
/* The command list of the --help text, from @table. */
void ctl_usage_commands(const struct ctl_cmd *table, FILE *f);

#endif
