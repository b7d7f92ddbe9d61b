// SPDX-License-Identifier: GPL-2.0-only
/*
 * stamp: time from exec'ing a command to the first occurrence of a string
 * on its stdout, and sample its memory at that moment.
 *
 * usage: stamp [-t TIMEOUT_S] [-m GUEST_RAM_MB] [-o LOG] STRING -- CMD [ARG]...
 *
 * The child's stdout and stderr go to LOG (default /dev/null); stdin is
 * /dev/null. When STRING first appears, stamp reads /proc/PID/smaps_rollup
 * (Rss) and /proc/PID/smaps: the guest RAM is taken to be the mappings of
 * size between GUEST_RAM/4 and GUEST_RAM + 64 MiB (one anonymous mapping
 * of exactly --mem bytes for minivmm; pc.ram for QEMU). Then it waits for
 * the child to exit (killing it after TIMEOUT_S, default 120).
 * Prints one line:
 *   first_ms=F exit_ms=E status=S rss_kb=R ram_map_kb=M ram_rss_kb=G overhead_kb=R-G
 *   anon_overhead_kb=(anonymous Rss)-G
 * (status: exit status, 128+signal, or "timeout"). Exits 0 if STRING was
 * seen, 1 if not, 2 on usage or system errors.
 * Built static by bench/boot.sh (busybox hosts have no glibc otherwise).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * Rss, and the anonymous part of it: the process's own memory, without the
 * pages of its executable and libraries (which another process running the
 * same programs shares; the test host's files are all in RAM, so "private"
 * would count them too).
 */
static long rollup_rss_kb(pid_t pid, long *anon_kb)
{
	char path[64], line[256];
	long kb = -1, v;
	FILE *f;

	*anon_kb = 0;
	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Rss: %ld kB", &v) == 1)
			kb = v;
		else if (sscanf(line, "Anonymous: %ld kB", &v) == 1)
			*anon_kb = v;
	}
	fclose(f);
	return kb;
}

/* Sum Size and Rss of the mappings that look like guest RAM. */
static void guest_ram_kb(pid_t pid, long ram_kb, long *map_kb, long *rss_kb)
{
	char path[64], line[512];
	long size = 0, v;
	int in = 0;
	FILE *f;

	*map_kb = *rss_kb = 0;
	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Size: %ld kB", &v) == 1) {
			size = v;
			in = ram_kb > 0 && size >= ram_kb / 4 && size <= ram_kb + 64 * 1024;
			if (in)
				*map_kb += size;
		} else if (in && sscanf(line, "Rss: %ld kB", &v) == 1) {
			*rss_kb += v;
			in = 0;
		}
	}
	fclose(f);
}

static void usage(void)
{
	fprintf(stderr, "usage: stamp [-t TIMEOUT_S] [-m GUEST_RAM_MB] [-o LOG] STRING -- CMD [ARG]...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *log = "/dev/null", *needle;
	long timeout_s = 120, ram_mb = 0;
	int opt, pfd[2], logfd, status = 0, seen = 0, timed_out = 0, eof = 0;
	double t0, first = -1, end;
	long rss = -1, map_kb = 0, ram_rss = 0, anon = 0;
	char buf[65536], *win;
	size_t nlen, have = 0;
	pid_t pid;

	while ((opt = getopt(argc, argv, "+t:m:o:")) != -1) {
		switch (opt) {
		case 't': timeout_s = atol(optarg); break;
		case 'm': ram_mb = atol(optarg); break;
		case 'o': log = optarg; break;
		default: usage();
		}
	}
	if (argc - optind < 3 || strcmp(argv[optind + 1], "--"))
		usage();
	needle = argv[optind];
	nlen = strlen(needle);
	if (!nlen)
		usage();
	win = malloc(nlen + sizeof(buf));
	logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (!win || logfd < 0 || pipe2(pfd, O_CLOEXEC)) {
		perror("stamp");
		return 2;
	}

	t0 = now_ms();
	pid = fork();
	if (pid < 0) {
		perror("stamp: fork");
		return 2;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		dup2(devnull, 0);
		dup2(pfd[1], 1);
		dup2(logfd, 2);
		execvp(argv[optind + 2], argv + optind + 2);
		fprintf(stderr, "stamp: exec %s: %s\n", argv[optind + 2], strerror(errno));
		_exit(127);
	}
	close(pfd[1]);

	while (!eof) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		int left = (int)(t0 + timeout_s * 1000.0 - now_ms());
		ssize_t n;

		if (left <= 0) {
			timed_out = 1;
			kill(pid, SIGKILL);
			break;
		}
		if (poll(&p, 1, left) <= 0)
			continue;
		n = read(pfd[0], buf, sizeof(buf));
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			eof = 1;
			break;
		}
		if (write(logfd, buf, n) < 0) {
			/* the log is best effort */
		}
		if (seen)
			continue;
		/* Search the carried-over tail plus the new data. */
		memcpy(win + have, buf, n);
		have += n;
		win[have] = 0;
		if (memmem(win, have, needle, nlen)) {
			first = now_ms();
			seen = 1;
			rss = rollup_rss_kb(pid, &anon);
			guest_ram_kb(pid, ram_mb * 1024, &map_kb, &ram_rss);
			continue;
		}
		if (have >= nlen) {
			memmove(win, win + have - (nlen - 1), nlen - 1);
			have = nlen - 1;
		}
	}
	/* Stdout closed (or timeout): reap, with what is left of the timeout. */
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		if (r < 0) {
			perror("stamp: waitpid");
			return 2;
		}
		if (now_ms() > t0 + timeout_s * 1000.0) {
			timed_out = 1;
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		usleep(10000);
	}
	end = now_ms();

	if (seen)
		printf("first_ms=%.1f", first - t0);
	else
		printf("first_ms=NA");
	printf(" exit_ms=%.1f status=", end - t0);
	if (timed_out)
		printf("timeout");
	else if (WIFEXITED(status))
		printf("%d", WEXITSTATUS(status));
	else
		printf("%d", 128 + WTERMSIG(status));
	printf(" rss_kb=%ld ram_map_kb=%ld ram_rss_kb=%ld overhead_kb=%ld anon_overhead_kb=%ld\n", rss,
	       map_kb, ram_rss, rss >= 0 ? rss - ram_rss : -1, rss >= 0 ? anon - ram_rss : -1);
	return seen ? 0 : 1;
}
