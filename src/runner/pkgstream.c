// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE /* pipe2, F_SETPIPE_SZ */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "minivmm/runner/pkgstream.h"

ssize_t pkgstream_read(void *opaque, void *buf, size_t n)
{
	struct pkgstream *s = opaque;
	ssize_t r;

	if (s->mem) {
		if (n > s->left)
			n = s->left;
		memcpy(buf, s->mem, n);
		s->mem += n;
		s->left -= n;
		return (ssize_t)n;
	}
	do
		r = read(s->fd, buf, n);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : r;
}

int pkgstream_open(struct pkgstream *s, const uint8_t *p, size_t n, enum decomp_format f, uint64_t max,
		   const char *what, char *err, size_t errlen)
{
	int pfd[2], efd[2], ret;

	memset(s, 0, sizeof(*s));
	s->fd = s->errfd = -1;
	if (f == DECOMP_UNKNOWN) {
		s->mem = p;
		s->left = n;
		return 0;
	}
	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	if (pipe2(efd, O_CLOEXEC)) {
		ret = -errno;
		close(pfd[0]);
		close(pfd[1]);
		return ret;
	}
	fcntl(pfd[1], F_SETPIPE_SZ, 1 << 20); /* fewer round trips; a failure only costs speed */
	fflush(NULL);
	s->pid = fork();
	if (s->pid < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot fork to decompress %s: %s", what, strerror(-ret));
		close(pfd[0]);
		close(pfd[1]);
		close(efd[0]);
		close(efd[1]);
		return ret;
	}
	if (s->pid == 0) {
		char why[256];
		uint64_t out;

		close(pfd[0]);
		close(efd[0]);
		why[0] = 0;
		ret = decomp_to_fd(f, p, n, pfd[1], max, &out, why, sizeof(why));
		/* EPIPE: the reader stopped early, its own error says why. */
		if (ret && ret != -EPIPE && write(efd[1], why, strlen(why)) < 0)
			_exit(2);
		_exit(ret ? 1 : 0);
	}
	close(pfd[1]);
	close(efd[1]);
	s->fd = pfd[0];
	s->errfd = efd[0];
	return 0;
}

int pkgstream_close(struct pkgstream *s, bool complete, char *why, size_t whylen)
{
	char buf[4096];
	int status = 0;
	ssize_t r;

	why[0] = 0;
	if (s->pid <= 0)
		return 0;
	if (complete) {
		while ((r = read(s->fd, buf, sizeof(buf))) > 0 || (r < 0 && errno == EINTR))
			;
	} else {
		kill(s->pid, SIGKILL);
	}
	close(s->fd);
	while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
		;
	r = read(s->errfd, why, whylen - 1);
	why[r > 0 ? r : 0] = 0;
	close(s->errfd);
	s->pid = 0;
	if (complete && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		return -EINVAL;
	return why[0] ? -EINVAL : 0;
}
