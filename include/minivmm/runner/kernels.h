/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * --kernel-package: the same guest run under each kernel of the given
 * distribution packages in turn. Every package is read and classified,
 * grouped by kernel version and unpacked into the cache first (so a bad
 * package is named in seconds, not after the other kernels ran); then
 * each kernel boots in a child process of its own, as if minivmm had
 * been started with --kernel VMLINUZ --modules TREE, while this process
 * forwards signals to it. The children report their status, test counts
 * and JUnit <testsuite> through a memfd.
 */
#ifndef MINIVMM_RUNNER_KERNELS_H
#define MINIVMM_RUNNER_KERNELS_H

#include "minivmm/config.h"
#include "minivmm/runner/kreport.h"

/* One kernel's run: what suite (may be NULL) and res are for. */
struct kernel_suite {
	FILE *f;                     /* where the <testsuite> goes */
	const char *kernel, *files;
};

/*
 * Boot one guest with @cfg (in the child), signals from @sigfd; write
 * its suite to @ks->f and fill @res (status and msg at least). Returns
 * the status.
 */
typedef int (*kernels_run_fn)(const struct config *cfg, int sigfd, const struct kernel_suite *ks,
			      struct kernel_result *res);

/*
 * Run @cfg under every kernel of cfg->kernel_packages; print the table,
 * write --junit. Returns the exit status (kreport_status).
 */
int kernels_main(const struct config *cfg, int sigfd, kernels_run_fn run);

#endif
