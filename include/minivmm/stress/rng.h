/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one seeded random number generator of a stress run (xoshiro256**,
 * seeded through splitmix64): every random choice minivmm makes for a run
 * comes from streams derived from --seed, so the same seed makes the same
 * choices. Pure.
 */
#ifndef MINIVMM_STRESS_RNG_H
#define MINIVMM_STRESS_RNG_H

#include <stdint.h>

struct rng {
	uint64_t s[4];
};

/* Stream @stream of @seed: independent sequences for independent stressors. */
void rng_seed(struct rng *r, uint64_t seed, uint64_t stream);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, n) without modulo bias; 0 when n is 0. */
uint64_t rng_below(struct rng *r, uint64_t n);

#endif
