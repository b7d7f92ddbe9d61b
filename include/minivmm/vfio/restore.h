/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Giving back what state files (claim.h) record, for those who find one
 * whose owner is gone: the supervisor when its VM process ended, `minivmm
 * restore`, and a run that wants a device another run left behind.
 */
#ifndef MINIVMM_VFIO_RESTORE_H
#define MINIVMM_VFIO_RESTORE_H

#include <stdbool.h>

#include "minivmm/vfio/claim.h"
#include "minivmm/vfio/host.h"

struct restore_ctx {
	const struct host_sysfs *fs;
	const char *dir;             /* CLAIM_DIR normally */
};

enum restore_outcome {
	RESTORE_NONE,                /* no state file for it */
	RESTORE_DONE,                /* as recorded again (or gone from the bus); file removed */
	RESTORE_STALE,               /* a file from an earlier boot: removed, nothing touched */
	RESTORE_BUSY,                /* its owner still runs: left alone */
	RESTORE_BAD,                 /* not a valid state file: left alone */
	RESTORE_FAILED,              /* could not give it back: file kept */
	RESTORE_ERROR,               /* the state file could not be opened */
};

struct restore_report {
	enum restore_outcome what;
	char bdf[PCI_BDF_STRLEN];
	struct dev_state st;         /* what the file said (DONE, STALE, BUSY, FAILED) */
	int holder;                  /* BUSY: the pid that holds it */
	char msg[1024];              /* one line, no BDF prefix */
};

/*
 * Give @bdf back as its state file says, unless its owner still runs
 * (lock held, or the recorded pid alive with its start time) and not
 * @force. A lock held by someone who is not the owner (another restorer)
 * is waited for up to @wait_ms. @owner: act only on a file of that pid
 * and start time (NULL: any). Returns the outcome (also in @r).
 */
enum restore_outcome restore_device(const struct restore_ctx *ctx, const char *bdf, bool force, int wait_ms,
				    const struct dev_state *owner, struct restore_report *r);

/* Call @fn for the BDF of each state file in @dir, sorted; -errno if @dir is unreadable (-ENOENT: none). */
int restore_scan(const char *dir, void (*fn)(const char *bdf, void *opaque), void *opaque);

#endif
