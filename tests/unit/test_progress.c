// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests for src/progress.c: \r and ESC[K on a terminal only, plain lines elsewhere. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "minivmm/log.h"
#include "minivmm/progress.h"

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 && *s != '\n')
			return true;
	return false;
}

static void test_style_decision(void **state)
{
	(void)state;
	assert_int_equal(progress_style(true, "xterm-256color", true), PROGRESS_TERMINAL);
	assert_int_equal(progress_style(true, NULL, true), PROGRESS_TERMINAL);
	assert_int_equal(progress_style(true, "dumb", true), PROGRESS_PLAIN);
	assert_int_equal(progress_style(false, "xterm", true), PROGRESS_PLAIN);
	assert_int_equal(progress_style(false, NULL, true), PROGRESS_PLAIN);
	/* --quiet wins over everything. */
	assert_int_equal(progress_style(true, "xterm", false), PROGRESS_OFF);
	assert_int_equal(progress_style(false, NULL, false), PROGRESS_OFF);
}

static void test_format_terminal(void **state)
{
	char buf[128];
	size_t n;

	(void)state;
	n = progress_format(PROGRESS_TERMINAL, "decompressing the kernel", buf, sizeof(buf));
	assert_string_equal(buf, "minivmm: decompressing the kernel...\r");
	assert_int_equal(n, strlen(buf));
	assert_null(strchr(buf, '\n'));
	assert_string_equal(progress_done(PROGRESS_TERMINAL), "\033[K");
}

static void test_format_plain(void **state)
{
	char buf[128];
	size_t n;

	(void)state;
	n = progress_format(PROGRESS_PLAIN, "preparing the guest initramfs", buf, sizeof(buf));
	assert_string_equal(buf, "minivmm: preparing the guest initramfs...\n");
	assert_int_equal(n, strlen(buf));
	assert_false(has_control(buf));
	assert_string_equal(progress_done(PROGRESS_PLAIN), "");
}

static void test_format_off(void **state)
{
	char buf[16] = "garbage";

	(void)state;
	assert_int_equal(progress_format(PROGRESS_OFF, "anything", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_string_equal(progress_done(PROGRESS_OFF), "");
}

/* A long text is cut; the line still ends as it must. */
static void test_format_truncates_message(void **state)
{
	char msg[300], buf[40];
	size_t n;

	(void)state;
	memset(msg, 'm', sizeof(msg) - 1);
	msg[sizeof(msg) - 1] = 0;
	n = progress_format(PROGRESS_TERMINAL, msg, buf, sizeof(buf));
	assert_int_equal(n, sizeof(buf) - 1);
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
	assert_memory_equal(buf + n - 4, "...\r", 4);
	n = progress_format(PROGRESS_PLAIN, msg, buf, sizeof(buf));
	assert_memory_equal(buf + n - 4, "...\n", 4);
	/* No room for the fixed parts: nothing rather than half a line. */
	assert_int_equal(progress_format(PROGRESS_PLAIN, "x", buf, 8), 0);
	assert_string_equal(buf, "");
	assert_int_equal(progress_format(PROGRESS_PLAIN, "x", buf, 0), 0);
}

/* Run progress_begin/end with stderr on @fd. */
static void emit_on(int fd)
{
	int saved = dup(STDERR_FILENO);

	assert_true(saved >= 0);
	fflush(stderr);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	progress_begin("mapping %d MiB of guest RAM for DMA", 2048);
	progress_end();
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
}

/* What is there to read on @fd (one read: the bytes were written at once). */
/*
 * What was written to the other end of @fd, up to @want bytes: a terminal
 * may hand a line over in pieces (the message, then its "\r\033[K"), so
 * reads go on until @want bytes came or none came for 2 s.
 */
static void read_back(int fd, char *out, size_t len, size_t want)
{
	size_t n = 0;

	while (n < want && n < len - 1) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (poll(&pfd, 1, 2000) <= 0)
			break;
		r = read(fd, out + n, len - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	assert_true(n > 0);
	out[n] = 0;
}

#define PLAIN_LINE "minivmm: mapping 2048 MiB of guest RAM for DMA...\n"
#define TERMINAL_LINE "minivmm: mapping 2048 MiB of guest RAM for DMA...\r\033[K"

static void test_stderr_pipe_gets_plain_line(void **state)
{
	char out[256];
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	log_set_level(LOG_NOTICE);
	emit_on(p[1]);
	close(p[1]);
	read_back(p[0], out, sizeof(out), sizeof(PLAIN_LINE) - 1);
	close(p[0]);
	assert_string_equal(out, PLAIN_LINE);
}

static void test_stderr_quiet_prints_nothing(void **state)
{
	char out[64];
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	log_set_level(LOG_ERROR);
	emit_on(p[1]);
	log_set_level(LOG_NOTICE);
	close(p[1]);
	assert_int_equal(read(p[0], out, sizeof(out)), 0);
	close(p[0]);
}

static void test_stderr_terminal_gets_cr_and_erase(void **state)
{
	char out[256];
	int master, slave;
	const char *old = getenv("TERM");
	char *saved_term = old ? strdup(old) : NULL;

	(void)state;
	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0) {
		free(saved_term);
		skip(); /* no pseudo-terminals in this build environment */
	}
	assert_int_equal(grantpt(master), 0);
	assert_int_equal(unlockpt(master), 0);
	slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	assert_true(slave >= 0);
	setenv("TERM", "xterm", 1);
	log_set_level(LOG_NOTICE);
	emit_on(slave);
	read_back(master, out, sizeof(out), sizeof(TERMINAL_LINE) - 1);
	/* The tty may turn \n into \r\n, but there is no \n here at all. */
	assert_string_equal(out, TERMINAL_LINE);
	if (saved_term)
		setenv("TERM", saved_term, 1);
	else
		unsetenv("TERM");
	free(saved_term);
	close(slave);
	close(master);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_style_decision),
		cmocka_unit_test(test_format_terminal),
		cmocka_unit_test(test_format_plain),
		cmocka_unit_test(test_format_off),
		cmocka_unit_test(test_format_truncates_message),
		cmocka_unit_test(test_stderr_pipe_gets_plain_line),
		cmocka_unit_test(test_stderr_quiet_prints_nothing),
		cmocka_unit_test(test_stderr_terminal_gets_cr_and_erase),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
