// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE /* POSIX_SPAWN_SETSID, sigabbrev_np() */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "minivmm/config.h"
#include "minivmm/ctl/server.h"
#include "minivmm/log.h"
#include "minivmm/loop.h"
#include "minivmm/supervisor.h"
#include "minivmm/vfio/restore.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

/* How long the supervisor waits for someone else giving a device back. */
#define SUPERVISOR_LOCK_WAIT_MS 30000
#define SUPERVISOR_POLL_MS 100

extern char **environ;

static int pidfd_open(int pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* posix_spawn the supervisor for this process; 0 or -errno with @err. */
static int supervisor_spawn(struct supervisor *s, char *err, size_t errlen)
{
	char arg0[] = "minivmm", arg1[] = "supervise", arg2[] = "--pid", arg4[] = "--start", arg6[] = "--socket";
	char pid[16], start[24], id[48];
	char *argv[] = { arg0, arg1, arg2, pid, arg4, start, NULL, NULL, NULL, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	unsigned long long st;
	sigset_t none, all;
	pid_t child;
	int ret;

	s->started = false;
	s->pidfd = -1;
	ret = claim_pid_starttime((int)getpid(), &st);
	if (ret) {
		snprintf(err, errlen, "cannot read /proc/self/stat (%s): minivmm needs /proc to supervise its devices; mount /proc",
			 strerror(-ret));
		return ret;
	}
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	snprintf(start, sizeof(start), "%llu", st);
	if (s->has_socket) {
		snprintf(id, sizeof(id), "%llu:%llu", s->socket_dev, s->socket_ino);
		argv[6] = arg6;
		argv[7] = s->socket;
		argv[8] = id;
	}
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	/* stdout is the guest console: not the supervisor's. */
	ret = posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	if (!ret)
		ret = posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	if (!ret)
		ret = posix_spawnattr_setsigmask(&attr, &none);
	if (!ret)
		ret = posix_spawnattr_setsigdefault(&attr, &all);
	/* Its own session: Ctrl-C, Ctrl-\ and kill -- -PGID of minivmm's job miss it. */
	if (!ret)
		ret = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSID);
	if (!ret)
		ret = posix_spawn(&child, "/proc/self/exe", &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	if (ret) {
		snprintf(err, errlen,
			 "cannot start minivmm's supervisor (/proc/self/exe supervise: %s), which gives devices back if minivmm is killed: mount /proc",
			 strerror(ret));
		return -ret;
	}
	s->pid = child;
	s->started = true;
	/* Without pidfds (Linux < 5.3) a dead supervisor goes unnoticed. */
	s->pidfd = pidfd_open(child);
	if (s->pidfd < 0)
		pr_debug("cannot watch the supervisor (pid %d): pidfd_open: %s", child, strerror(errno));
	pr_debug("supervisor started, pid %d", child);
	return 0;
}

int supervisor_start(struct supervisor *s, const char *socket, dev_t dev, ino_t ino, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->pidfd = -1;
	if (socket && strlen(socket) < sizeof(s->socket)) {
		s->has_socket = true;
		snprintf(s->socket, sizeof(s->socket), "%s", socket);
		s->socket_dev = (unsigned long long)dev;
		s->socket_ino = (unsigned long long)ino;
	}
	return supervisor_spawn(s, err, errlen);
}

/* Its pidfd was readable: reap it, say so, start another (watched in turn). */
static void supervisor_ended(void *opaque, int fd, short revents)
{
	struct supervisor *s = opaque;
	char how[64], err[512];
	siginfo_t si;

	(void)revents;
	if (!s->started || fd != s->pidfd)
		return;
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, s->pid, &si, WEXITED | WNOHANG)) {
		if (errno != ECHILD)
			return;
		snprintf(how, sizeof(how), "ended");
	} else if (si.si_pid != s->pid) {
		return; /* still running */
	} else if (si.si_code == CLD_EXITED) {
		snprintf(how, sizeof(how), "exited with status %d", si.si_status);
	} else {
		const char *name = sigabbrev_np(si.si_status);

		snprintf(how, sizeof(how), "was killed by SIG%s", name ? name : "?");
	}
	loop_unwatch(s->loop, s->pidfd);
	close(s->pidfd);
	s->pidfd = -1;
	s->started = false;
	if (s->respawns >= SUPERVISOR_MAX_RESPAWNS) {
		pr_warn("minivmm's supervisor (pid %d) %s, the %u. time: no more; should minivmm be killed now, run minivmm restore",
			s->pid, how, s->respawns + 1);
		return;
	}
	s->respawns++;
	pr_warn("minivmm's supervisor (pid %d) %s: starting a new one", s->pid, how);
	if (supervisor_spawn(s, err, sizeof(err)))
		pr_warn("%s; should minivmm be killed now, run minivmm restore", err);
	else
		supervisor_watch(s, s->loop);
}

void supervisor_watch(struct supervisor *s, struct loop *l)
{
	s->loop = l;
	if (s->started && s->pidfd >= 0 && loop_watch(l, s->pidfd, POLLIN, supervisor_ended, s))
		pr_debug("cannot watch the supervisor (pid %d): the main loop is full", s->pid);
}

void supervisor_destroy(struct supervisor *s)
{
	if (s->started && s->pidfd >= 0) {
		if (s->loop)
			loop_unwatch(s->loop, s->pidfd);
		close(s->pidfd);
	}
	s->pidfd = -1;
	s->started = false;
	s->loop = NULL;
}

/* ---- The supervisor process ---- */

struct watch {
	struct restore_ctx ctx;
	struct dev_state owner;
	unsigned int failed;
};

static void give_back(const char *bdf, void *opaque)
{
	struct watch *w = opaque;
	struct restore_report r;
	char path[PATH_MAX], err[256];
	struct dev_state st;
	int holder;

	claim_path(w->ctx.dir, bdf, path, sizeof(path));
	if (claim_peek(path, &st, &holder, err, sizeof(err)) != CLAIM_TAKEN || st.pid != w->owner.pid ||
	    st.starttime != w->owner.starttime)
		return; /* another run's */
	switch (restore_device(&w->ctx, bdf, false, SUPERVISOR_LOCK_WAIT_MS, &w->owner, &r)) {
	case RESTORE_DONE:
		dev_warn(bdf, "minivmm (pid %d) ended without giving it back: %s", w->owner.pid, r.msg);
		break;
	case RESTORE_NONE:
	case RESTORE_STALE:
		break;
	case RESTORE_FAILED:
		w->failed++;
		dev_err(bdf, "minivmm (pid %d) ended without giving it back, and %s (or, once fixed, minivmm restore %s)",
			w->owner.pid, r.msg, bdf);
		break;
	default:
		w->failed++;
		dev_err(bdf, "minivmm (pid %d) ended without giving it back: %s", w->owner.pid, r.msg);
		break;
	}
}

/* The VM process still runs (not a zombie) with its start time? */
static bool vm_alive(const struct dev_state *owner)
{
	unsigned long long start;

	return !claim_pid_starttime(owner->pid, &start) && start == owner->starttime;
}

static void wait_for_vm(const struct dev_state *owner)
{
	struct pollfd pfd = { .events = POLLIN };

	pfd.fd = pidfd_open(owner->pid);
	/* Checked after opening the pidfd, so it names the VM process if that runs now. */
	if (!vm_alive(owner)) {
		if (pfd.fd >= 0)
			close(pfd.fd);
		return;
	}
	if (pfd.fd >= 0) {
		while (poll(&pfd, 1, -1) < 0 && errno == EINTR)
			;
		close(pfd.fd);
		return;
	}
	while (vm_alive(owner)) {
		struct timespec ts = { .tv_nsec = SUPERVISOR_POLL_MS * 1000000L };

		nanosleep(&ts, NULL);
	}
}

static int supervise_usage(void)
{
	pr_err("minivmm supervise is started by minivmm itself (minivmm supervise --pid PID --start STARTTIME [--socket PATH DEV:INO]): nothing to do by hand; see minivmm restore");
	return EXIT_VMM_ERROR;
}

/* The VM's control socket file, if it is still there and still the VM's. */
static void remove_socket(const char *path, const char *id)
{
	unsigned long long dev, ino;
	char end;

	if (sscanf(id, "%llu:%llu%c", &dev, &ino, &end) != 2)
		return;
	if (ctl_socket_remove(path, (dev_t)dev, (ino_t)ino))
		pr_info("removed the control socket %s of minivmm, which ended without doing so", path);
}

int supervisor_main(int argc, char *argv[])
{
	static const int ignored[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGUSR1, SIGUSR2,
				       SIGALRM, SIGTSTP, SIGTTIN, SIGTTOU, SIGWINCH };
	static const struct host_sysfs sysfs = { .root = "/sys" };
	struct watch w = { .ctx = { .fs = &sysfs, .dir = CLAIM_DIR } };
	char *end;
	int fd;

	if ((argc != 5 && argc != 8) || strcmp(argv[1], "--pid") || strcmp(argv[3], "--start") ||
	    (argc == 8 && strcmp(argv[5], "--socket")))
		return supervise_usage();
	w.owner.pid = (int)strtol(argv[2], &end, 10);
	if (*end || w.owner.pid <= 0)
		return supervise_usage();
	w.owner.starttime = strtoull(argv[4], &end, 10);
	if (*end)
		return supervise_usage();

	/* Only SIGKILL ends it before the VM process has. */
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		signal(ignored[i], SIG_IGN);
	setsid();
	prctl(PR_SET_NAME, "minivmm-sup", 0, 0, 0);
	/* The OOM killer takes the VM process (its guest RAM) long before this one. */
	fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "-1000", 5) < 0)
			pr_debug("supervisor: cannot lower oom_score_adj: %s", strerror(errno));
		close(fd);
	}
	/* Nothing of the VM process may stay open here (a VFIO fd would block the unbind). */
	syscall(SYS_close_range, 3, ~0U, 0);
	if (chdir("/"))
		pr_debug("supervisor: chdir /: %s", strerror(errno));

	wait_for_vm(&w.owner);
	restore_scan(w.ctx.dir, give_back, &w);
	if (argc == 8)
		remove_socket(argv[6], argv[7]);
	return w.failed ? 1 : 0;
}
