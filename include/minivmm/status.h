/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest status register: the guest's minivmm-exit tool (and
 * minivmm's guest init) write a command's exit status here; minivmm then
 * stops with that status.
 */
#ifndef MINIVMM_STATUS_H
#define MINIVMM_STATUS_H

#include <stdint.h>

struct bus;
struct devctx;

/* Highest status a guest command may report; above are minivmm's own. */
#define GUEST_STATUS_MAX 123

/* The register at @base on @bus (port I/O or MMIO), @len bytes wide. */
int status_reg_create(const struct devctx *ctx, struct bus *bus, uint64_t base, unsigned int len);

#endif
