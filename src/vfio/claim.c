// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "minivmm/vfio/claim.h"

#define WAIT_STEP_MS 50

void claim_path(const char *dir, const char *bdf, char *out, size_t len)
{
	snprintf(out, len, "%s/%s" CLAIM_SUFFIX, dir, bdf);
}

bool claim_name_bdf(const char *name, char bdf[PCI_BDF_STRLEN])
{
	size_t n = strlen(name), sl = strlen(CLAIM_SUFFIX);
	struct pci_bdf b;
	char text[PCI_BDF_STRLEN];

	if (n <= sl || n - sl >= PCI_BDF_STRLEN || strcmp(name + n - sl, CLAIM_SUFFIX))
		return false;
	memcpy(text, name, n - sl);
	text[n - sl] = 0;
	if (pci_bdf_parse(text, &b))
		return false;
	pci_bdf_format(&b, bdf);
	return !strcmp(bdf, text);
}

/* Field 22 of a /proc/PID/stat line: after the ")" that ends the name. */
static int stat_starttime(const char *line, char *state, unsigned long long *starttime)
{
	const char *p = strrchr(line, ')');

	/* state is field 3, starttime field 22: 19 fields after the state. */
	if (!p || sscanf(p + 1, " %c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu",
			 state, starttime) != 2)
		return -EINVAL;
	return 0;
}

int claim_pid_starttime(int pid, unsigned long long *starttime)
{
	char path[64], line[1024], state;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -ESRCH;
	n = read(fd, line, sizeof(line) - 1);
	close(fd);
	if (n <= 0)
		return -ESRCH;
	line[n] = 0;
	if (stat_starttime(line, &state, starttime))
		return -EINVAL;
	/* A zombie has closed its files: its devices are free. */
	return state == 'Z' || state == 'X' ? -ESRCH : 0;
}

int claim_boot_id(char *out, size_t len)
{
	char buf[64];
	ssize_t n;
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < DEV_STATE_BOOT_ID_LEN)
		return -EIO;
	if (len <= DEV_STATE_BOOT_ID_LEN)
		return -ENOSPC;
	buf[DEV_STATE_BOOT_ID_LEN] = 0;
	memcpy(out, buf, DEV_STATE_BOOT_ID_LEN + 1);
	return 0;
}

int claim_owner_self(struct dev_state *st)
{
	int ret;

	st->pid = (int)getpid();
	ret = claim_pid_starttime(st->pid, &st->starttime);
	if (!ret)
		ret = claim_boot_id(st->boot_id, sizeof(st->boot_id));
	return ret;
}

static int write_all(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = write(fd, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

static int lock_fd(int fd, bool wait)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

	return fcntl(fd, wait ? F_SETLKW : F_SETLK, &fl) ? -errno : 0;
}

/* Pid holding a lock on @fd's file, 0 if none. */
static int lock_holder(int fd)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

	if (fcntl(fd, F_GETLK, &fl))
		return 0;
	return fl.l_type == F_UNLCK ? 0 : fl.l_pid > 0 ? fl.l_pid : 1;
}

int claim_create(const char *dir, const struct dev_state *st, struct dev_claim *c)
{
	char text[DEV_STATE_MAX], tmp[PATH_MAX + 64];
	int n, fd, ret;

	c->held = false;
	c->fd = -1;
	n = dev_state_format(st, text, sizeof(text));
	if (n < 0)
		return n;
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	claim_path(dir, st->bdf, c->path, sizeof(c->path));
	snprintf(tmp, sizeof(tmp), "%s/.%s.%d.tmp", dir, st->bdf, (int)getpid());
	/* A temporary file by that name is an earlier process's with our pid. */
	unlink(tmp);
	fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	ret = write_all(fd, text, (size_t)n);
	if (!ret)
		ret = lock_fd(fd, false);
	if (!ret && link(tmp, c->path))
		ret = -errno;
	unlink(tmp);
	if (ret) {
		close(fd);
		return ret;
	}
	c->fd = fd;
	c->held = true;
	return 0;
}

void claim_release(struct dev_claim *c)
{
	if (!c->held)
		return;
	unlink(c->path);
	claim_drop(c);
}

void claim_drop(struct dev_claim *c)
{
	if (!c->held)
		return;
	close(c->fd);
	c->fd = -1;
	c->held = false;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int claim_take(const char *path, int wait_ms, struct dev_claim *c, struct dev_state *st, int *holder, char *err,
	       size_t errlen)
{
	char text[DEV_STATE_MAX + 1];
	struct stat st_fd;
	ssize_t n;
	int fd, ret;

	c->held = false;
	c->fd = -1;
	*holder = 0;
	err[0] = 0;
	snprintf(c->path, sizeof(c->path), "%s", path);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? CLAIM_GONE : -errno;
	for (int waited = 0;; waited += WAIT_STEP_MS) {
		ret = lock_fd(fd, false);
		if (!ret)
			break;
		if (ret != -EAGAIN && ret != -EACCES) {
			close(fd);
			return ret;
		}
		*holder = lock_holder(fd);
		if (waited >= wait_ms) {
			close(fd);
			return CLAIM_LOCKED;
		}
		sleep_ms(WAIT_STEP_MS);
	}
	*holder = 0;
	/* Given back (and unlinked) by whoever held it before us? */
	if (fstat(fd, &st_fd) || st_fd.st_nlink == 0) {
		close(fd);
		return CLAIM_GONE;
	}
	c->fd = fd;
	c->held = true;
	n = pread(fd, text, sizeof(text), 0);
	if (n < 0) {
		snprintf(err, errlen, "cannot read it: %s", strerror(errno));
		return CLAIM_BAD;
	}
	if (dev_state_parse(text, (size_t)n, st, err, errlen))
		return CLAIM_BAD;
	return CLAIM_TAKEN;
}

int claim_peek(const char *path, struct dev_state *st, int *holder, char *err, size_t errlen)
{
	char text[DEV_STATE_MAX + 1];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*holder = 0;
	err[0] = 0;
	if (fd < 0)
		return errno == ENOENT ? CLAIM_GONE : -errno;
	*holder = lock_holder(fd);
	n = pread(fd, text, sizeof(text), 0);
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "cannot read it: %s", strerror(errno));
		return CLAIM_BAD;
	}
	return dev_state_parse(text, (size_t)n, st, err, errlen) ? CLAIM_BAD : CLAIM_TAKEN;
}

enum claim_verdict claim_judge(const struct dev_state *st, const char *boot_id, bool owner_alive,
			       unsigned long long owner_start)
{
	if (strcmp(st->boot_id, boot_id))
		return CLAIM_STALE;
	if (owner_alive && owner_start == st->starttime)
		return CLAIM_LIVE;
	return CLAIM_LEFTOVER;
}

enum claim_verdict claim_judge_now(const struct dev_state *st)
{
	char boot_id[DEV_STATE_BOOT_ID_LEN + 1] = "";
	unsigned long long start = 0;
	bool alive = !claim_pid_starttime(st->pid, &start);

	/* Without a boot id to compare, assume this boot: never drop a record blindly. */
	if (claim_boot_id(boot_id, sizeof(boot_id)))
		snprintf(boot_id, sizeof(boot_id), "%s", st->boot_id);
	return claim_judge(st, boot_id, alive, start);
}
