/* SPDX-License-Identifier: GPL-2.0-only */
/* Size units. */
#ifndef MINIVMM_UNITS_H
#define MINIVMM_UNITS_H

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

#endif
