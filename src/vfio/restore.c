// SPDX-License-Identifier: GPL-2.0-only
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "minivmm/vfio/restore.h"

static bool owner_matches(const struct dev_state *st, const struct dev_state *owner)
{
	return !owner || (st->pid == owner->pid && st->starttime == owner->starttime);
}

static bool owner_alive(const struct dev_state *st)
{
	return claim_judge_now(st) == CLAIM_LIVE;
}

enum restore_outcome restore_device(const struct restore_ctx *ctx, const char *bdf, bool force, int wait_ms,
				    const struct dev_state *owner, struct restore_report *r)
{
	char path[512], err[256];
	struct dev_claim c;
	int res, ret;

	memset(r, 0, sizeof(*r));
	snprintf(r->bdf, sizeof(r->bdf), "%s", bdf);
	claim_path(ctx->dir, bdf, path, sizeof(path));
	res = claim_take(path, 0, &c, &r->st, &r->holder, err, sizeof(err));
	if (res == CLAIM_LOCKED) {
		/* Its owner, or someone giving it back right now (then wait)? */
		int peek = claim_peek(path, &r->st, &r->holder, err, sizeof(err));

		if (peek == CLAIM_TAKEN && !owner_matches(&r->st, owner)) {
			snprintf(r->msg, sizeof(r->msg), "its state file belongs to another minivmm (pid %d)", r->st.pid);
			return r->what = RESTORE_BUSY;
		}
		if (force)
			res = peek; /* without the lock: its holder may be a hung owner */
		else if (peek == CLAIM_TAKEN && owner_alive(&r->st)) {
			snprintf(r->msg, sizeof(r->msg), "in use by minivmm pid %d",
				 r->st.pid);
			return r->what = RESTORE_BUSY;
		} else
			res = claim_take(path, wait_ms, &c, &r->st, &r->holder, err, sizeof(err));
	}
	switch (res) {
	case CLAIM_GONE:
		snprintf(r->msg, sizeof(r->msg), "no state file: nothing to give back");
		return r->what = RESTORE_NONE;
	case CLAIM_LOCKED:
		snprintf(r->msg, sizeof(r->msg), "its state file is held by pid %d", r->holder);
		return r->what = RESTORE_BUSY;
	case CLAIM_BAD:
		claim_drop(&c);
		snprintf(r->msg, sizeof(r->msg),
			 "%s is not a valid minivmm state file (%s): check the device's driver, then remove the file",
			 path, err);
		return r->what = RESTORE_BAD;
	case CLAIM_TAKEN:
		break;
	default:
		snprintf(r->msg, sizeof(r->msg), "cannot open %s: %s", path, strerror(-res));
		return r->what = RESTORE_ERROR;
	}
	if (strcmp(r->st.bdf, bdf)) {
		claim_drop(&c);
		snprintf(r->msg, sizeof(r->msg),
			 "%s is not a valid minivmm state file (it names %s): check the device's driver, then remove the file",
			 path, r->st.bdf);
		return r->what = RESTORE_BAD;
	}
	if (!owner_matches(&r->st, owner)) {
		claim_drop(&c);
		snprintf(r->msg, sizeof(r->msg), "its state file belongs to another minivmm (pid %d)", r->st.pid);
		return r->what = RESTORE_BUSY;
	}
	switch (force ? CLAIM_LEFTOVER : claim_judge_now(&r->st)) {
	case CLAIM_LIVE:
		claim_drop(&c);
		r->holder = r->st.pid;
		snprintf(r->msg, sizeof(r->msg), "in use by minivmm pid %d", r->st.pid);
		return r->what = RESTORE_BUSY;
	case CLAIM_STALE:
		claim_release(&c);
		snprintf(r->msg, sizeof(r->msg), "state file from an earlier boot removed (nothing changed)");
		return r->what = RESTORE_STALE;
	case CLAIM_LEFTOVER:
		break;
	}
	ret = host_pci_restore_to(ctx->fs, bdf, r->st.driver, r->st.override, r->msg, sizeof(r->msg));
	if (ret) {
		claim_drop(&c);
		return r->what = RESTORE_FAILED;
	}
	if (c.held)
		claim_release(&c);
	else
		unlink(path); /* --force past a holder */
	return r->what = RESTORE_DONE;
}

int restore_scan(const char *dir, void (*fn)(const char *bdf, void *opaque), void *opaque)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);

	if (n < 0)
		return -errno;
	for (int i = 0; i < n; i++) {
		char bdf[PCI_BDF_STRLEN];

		if (claim_name_bdf(names[i]->d_name, bdf))
			fn(bdf, opaque);
		free(names[i]);
	}
	free(names);
	return 0;
}
