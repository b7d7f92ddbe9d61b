/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `minivmm restore [--force] [BDF...]`: give back the devices whose state
 * files in /run/minivmm outlived their minivmm (both minivmm and its
 * supervisor killed, or a restore that failed); `minivmm doctor` lists them.
 */
#ifndef MINIVMM_RUNNER_RESTORE_CMD_H
#define MINIVMM_RUNNER_RESTORE_CMD_H

#include <stdio.h>

/* Returns the process exit status: 0 nothing left behind, 1 some left, 125 bad usage. */
int restore_main(int argc, char *argv[]);

#endif
