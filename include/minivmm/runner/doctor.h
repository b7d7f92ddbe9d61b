/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `minivmm doctor [--json] [--mem SIZE] [BDF...]`: is this host ready to
 * run minivmm with those devices? Each check says what is wrong and the fix.
 */
#ifndef MINIVMM_RUNNER_DOCTOR_H
#define MINIVMM_RUNNER_DOCTOR_H

/* Returns the process exit status: 0 only when everything needed is there. */
int doctor_main(int argc, char *argv[]);

#endif
