/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The supervisor: a small process that gives assigned devices back to
 * their host drivers when the VM process ends without doing so itself
 * (SIGKILL, a crash, the OOM killer).
 *
 * The VM process is the one the user started: it keeps the guest's exit
 * status and the user's signals. Before it touches a device it spawns the
 * supervisor ("minivmm supervise", /proc/self/exe run anew: no threads,
 * no guest memory, its own session so that terminal and process-group
 * signals miss it, oom_score_adj -1000, stdin/stdout on /dev/null). The
 * VM process records each device in a state file before changing it
 * (claim.h); the supervisor waits on a pidfd of the VM process and, once
 * that is gone, gives back every device whose state file names it.
 * The VM process watches a pidfd of the supervisor in turn and starts a
 * new one if it dies. With both killed, the state files remain for
 * `minivmm restore` (and `minivmm doctor` names them).
 */
#ifndef MINIVMM_SUPERVISOR_H
#define MINIVMM_SUPERVISOR_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct loop;

/* Supervisors started after the first before minivmm gives up on them. */
#define SUPERVISOR_MAX_RESPAWNS 8

struct supervisor {
	bool started;
	int pid;
	int pidfd;                   /* -1: the kernel has no pidfds: no watching */
	unsigned int respawns;
	struct loop *loop;           /* where @pidfd is watched, NULL: not */
	/* The control socket file to remove, if the VM has one. */
	bool has_socket;
	char socket[PATH_MAX];
	unsigned long long socket_dev, socket_ino;
};

/*
 * VM side: start the supervisor of this process, before any device is
 * touched; @socket (NULL: none) with its device and inode is the control
 * socket file it removes. 0, or -errno with one line (problem and fix) in @err.
 */
int supervisor_start(struct supervisor *s, const char *socket, dev_t dev, ino_t ino, char *err, size_t errlen);
/* Watch it from the VM's main loop @l: one that dies is reaped, named and replaced. */
void supervisor_watch(struct supervisor *s, struct loop *l);
/* Let go (the supervisor itself ends after this process does). Accepts one never started. */
void supervisor_destroy(struct supervisor *s);

/* `minivmm supervise --pid PID --start STARTTIME [--socket PATH DEV:INO]`: the process itself; its exit status. */
int supervisor_main(int argc, char *argv[]);

#endif
