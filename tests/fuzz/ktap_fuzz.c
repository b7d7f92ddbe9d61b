// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the KTAP parser and JUnit writer: the input is a
 * console capture, split into lines at '\n' (and NUL). ktap_fuzz_one()
 * aborts on any broken invariant, the sanitizers catch the rest.
 * See tests/fuzz/README.md.
 */
#include <stddef.h>
#include <stdint.h>

#include "minivmm/runner/ktap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return ktap_fuzz_one(data, size);
}
