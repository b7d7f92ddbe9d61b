/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Claims on assigned PCI functions: one state file per function in
 * /run/minivmm (state.h), written before minivmm changes the function's
 * binding and removed once it is given back.
 *
 * A claim is created whole or not at all: the text goes to a temporary
 * file, which is locked and then linked to BDF.state (link, unlike
 * rename, fails when another run's claim is there). The owner holds a
 * POSIX write lock on it for as long as it lives, so "is the owner alive"
 * is a lock test the kernel answers (F_GETLK, which also names the
 * holder), whatever happened to the owner. Whoever gives a leftover back
 * (the supervisor, `minivmm restore`, a later run wanting the device)
 * locks it first, re-checks that it is still linked, and unlinks it
 * before unlocking.
 */
#ifndef MINIVMM_VFIO_CLAIM_H
#define MINIVMM_VFIO_CLAIM_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "minivmm/vfio/state.h"

#define CLAIM_DIR "/run/minivmm"
#define CLAIM_SUFFIX ".state"

struct dev_claim {
	bool held;                   /* @fd is open and locked */
	int fd;
	char path[PATH_MAX];
};

/* @dir/@bdf.state */
void claim_path(const char *dir, const char *bdf, char *out, size_t len);
/* Does @name (a directory entry) look like a state file? Its BDF into @bdf. */
bool claim_name_bdf(const char *name, char bdf[PCI_BDF_STRLEN]);

/*
 * Fill in the owner fields of @st for this process: pid, its start time
 * and the boot id. -errno when /proc does not tell.
 */
int claim_owner_self(struct dev_state *st);
/* Start time (field 22 of /proc/PID/stat) of a live, non-zombie @pid; -ESRCH if none. */
int claim_pid_starttime(int pid, unsigned long long *starttime);
/* This boot's id into @out (DEV_STATE_BOOT_ID_LEN + 1 bytes). */
int claim_boot_id(char *out, size_t len);

/*
 * Create @dir (if needed) and @st's state file there, locked, in @c.
 * -EEXIST: there is one already (nothing was changed).
 */
int claim_create(const char *dir, const struct dev_state *st, struct dev_claim *c);
/* The function is back: remove the state file, then unlock. */
void claim_release(struct dev_claim *c);
/* The function could not be given back: unlock, keep the file. */
void claim_drop(struct dev_claim *c);

/* Outcome of claim_take(). */
enum claim_take_result {
	CLAIM_TAKEN,                 /* locked and parsed: @st is valid */
	CLAIM_GONE,                  /* no such file (or it was just given back) */
	CLAIM_LOCKED,                /* another process holds it: *holder */
	CLAIM_BAD,                   /* not a valid state file: @err says why (locked) */
};
/*
 * Open the state file @path and lock it (waiting up to @wait_ms for a
 * holder to finish), then read it into @st. For CLAIM_TAKEN and CLAIM_BAD
 * the caller holds @c and must claim_release() or claim_drop() it.
 * -errno for I/O errors.
 */
int claim_take(const char *path, int wait_ms, struct dev_claim *c, struct dev_state *st, int *holder, char *err,
	       size_t errlen);

/*
 * Read the state file @path without locking it (for a look only): @st
 * and the pid holding its lock (*holder, 0 if none). CLAIM_TAKEN, _GONE
 * or _BAD (with @err), or -errno. Never on a claim this process holds:
 * closing any descriptor of a file drops the process's POSIX locks on it.
 */
int claim_peek(const char *path, struct dev_state *st, int *holder, char *err, size_t errlen);

/* What to do with a state file nobody holds the lock of. */
enum claim_verdict {
	CLAIM_LIVE,                  /* its owner still runs: leave it */
	CLAIM_STALE,                 /* from an earlier boot: remove it, touch nothing */
	CLAIM_LEFTOVER,              /* its owner is gone: give the function back */
};
/*
 * Pure: @st against this boot's id and what /proc says of its pid
 * (@owner_alive: the pid runs, @owner_start: its start time then).
 */
enum claim_verdict claim_judge(const struct dev_state *st, const char *boot_id, bool owner_alive,
			       unsigned long long owner_start);
/* claim_judge() with the facts read from /proc. */
enum claim_verdict claim_judge_now(const struct dev_state *st);

#endif
