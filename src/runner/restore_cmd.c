// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "minivmm/config.h"
#include "minivmm/log.h"
#include "minivmm/runner/restore_cmd.h"
#include "minivmm/vfio/restore.h"

/* How long to wait for a supervisor that is giving a device back right now. */
#define RESTORE_WAIT_MS 10000

struct restore_run {
	struct restore_ctx ctx;
	bool force, named;
	unsigned int done, left, busy;
};

static void restore_one(const char *bdf, void *opaque)
{
	struct restore_run *run = opaque;
	struct restore_report r;

	switch (restore_device(&run->ctx, bdf, run->force, RESTORE_WAIT_MS, NULL, &r)) {
	case RESTORE_NONE:
		if (run->named)
			printf("%s: nothing to restore (no state file: minivmm left it as it was)\n", bdf);
		return;
	case RESTORE_DONE:
		run->done++;
		printf("%s: %s (left behind by minivmm pid %d)\n", bdf, r.msg, r.st.pid);
		return;
	case RESTORE_STALE:
		run->done++;
		printf("%s: %s\n", bdf, r.msg);
		return;
	case RESTORE_BUSY:
		/* A running minivmm's device is no leftover: it gives it back itself. */
		if (!run->named) {
			run->busy++;
			printf("%s: in use by minivmm pid %d, which gives it back itself: left alone\n", bdf,
			       r.holder ? r.holder : r.st.pid);
			return;
		}
		run->left++;
		printf("%s: in use by minivmm pid %d: stop it first, or minivmm restore --force %s if it hangs\n", bdf,
		       r.holder ? r.holder : r.st.pid, bdf);
		return;
	case RESTORE_ERROR:
		run->left++;
		printf("%s: %s; run as root\n", bdf, r.msg);
		return;
	case RESTORE_BAD:
	case RESTORE_FAILED:
		run->left++;
		printf("%s: %s\n", bdf, r.msg);
		return;
	}
}

int restore_main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct host_sysfs sysfs = { .root = "/sys" };
	struct restore_run run = { .ctx = { .fs = &sysfs, .dir = CLAIM_DIR } };
	int c, ret;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+fh", opts, NULL)) != -1) {
		switch (c) {
		case 'f': run.force = true; break;
		case 'h':
			printf("Usage: minivmm restore [--force] [BDF...]\n"
			       "Give back to their host drivers the devices a killed minivmm left on vfio-pci,\n"
			       "as their state files in " CLAIM_DIR " record (all of them, or those named).\n"
			       "Devices of a minivmm that still runs are left alone unless --force.\n"
			       "Status 0 when nothing is left behind (a running minivmm's devices are not),\n"
			       "1 when something is or a device named is in use, 125 for bad arguments.\n");
			return 0;
		default:
			pr_err("unknown restore option: see minivmm restore --help");
			return EXIT_VMM_ERROR;
		}
	}
	for (int i = optind; i < argc; i++) {
		struct pci_bdf b;

		if (pci_bdf_parse(argv[i], &b)) {
			pr_err("'%s' is not a PCI address: write DDDD:BB:DD.F or BB:DD.F as in lspci -D", argv[i]);
			return EXIT_VMM_ERROR;
		}
	}
	if (optind < argc) {
		run.named = true;
		for (int i = optind; i < argc; i++) {
			struct pci_bdf b;
			char bdf[PCI_BDF_STRLEN];

			pci_bdf_parse(argv[i], &b);
			pci_bdf_format(&b, bdf);
			restore_one(bdf, &run);
		}
	} else {
		ret = restore_scan(CLAIM_DIR, restore_one, &run);
		if (ret && ret != -ENOENT) {
			pr_err("cannot read " CLAIM_DIR ": %s; run as root", strerror(-ret));
			return 1;
		}
		if (!run.done && !run.left)
			printf("nothing to restore: no device left behind by minivmm%s\n",
			       run.busy ? " (the devices above are in use)" : "");
	}
	return run.left ? 1 : 0;
}
