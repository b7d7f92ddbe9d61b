// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests for src/console.c: output, line splitting, tail ring, escape keys. */
#include <fcntl.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "minivmm/console.h"

/*
 * The console is built by hand (memset + lock) rather than with
 * console_init(NULL), which would write to the test's stdout and could put
 * a terminal stdin into raw mode. Output goes to a pipe we read back.
 */
struct fixture {
	struct console c;
	int pipe_rd;
	char lines[64][CONSOLE_LINE_MAX];
	unsigned int nlines;
};

static void record_line(void *opaque, const char *line)
{
	struct fixture *f = opaque;

	assert_true(f->nlines < 64);
	assert_true(strlen(line) < CONSOLE_LINE_MAX);
	strcpy(f->lines[f->nlines++], line);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	int p[2];

	if (!f || pipe(p))
		return -1;
	if (pthread_mutex_init(&f->c.lock, NULL))
		return -1;
	f->c.lock_ready = true;
	f->c.out_fd = p[1];
	f->c.out_owned = true; /* console_destroy closes the write end */
	f->c.in_fd = -1;
	f->pipe_rd = p[0];
	f->c.on_line = record_line;
	f->c.opaque = f;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	console_destroy(&f->c);
	close(f->pipe_rd);
	free(f);
	return 0;
}

static void out(struct fixture *f, const char *s)
{
	console_output(&f->c, s, strlen(s));
}

/* What reached the output fd so far. */
static size_t drain(struct fixture *f, char *buf, size_t cap)
{
	size_t n = 0;
	int fl = fcntl(f->pipe_rd, F_GETFL);

	fcntl(f->pipe_rd, F_SETFL, fl | O_NONBLOCK);
	for (;;) {
		ssize_t r = read(f->pipe_rd, buf + n, cap - n);

		if (r <= 0)
			break;
		n += r;
	}
	return n;
}

static void test_output_written_verbatim(void **state)
{
	struct fixture *f = *state;
	char buf[128];
	const char raw[] = "boot\r\nok\0x"; /* \r and even a NUL go out as they are */

	console_output(&f->c, raw, sizeof(raw) - 1);
	assert_int_equal(drain(f, buf, sizeof(buf)), sizeof(raw) - 1);
	assert_memory_equal(buf, raw, sizeof(raw) - 1);
}

static void test_lines_split_and_cr_dropped(void **state)
{
	struct fixture *f = *state;

	out(f, "Linux version 6.1\r\nsecond line\n\nthird");
	assert_int_equal(f->nlines, 3);
	assert_string_equal(f->lines[0], "Linux version 6.1");
	assert_string_equal(f->lines[1], "second line");
	assert_string_equal(f->lines[2], "");
	/* "third" is incomplete until its newline arrives, possibly byte by byte. */
	out(f, " pa");
	out(f, "rt\r");
	assert_int_equal(f->nlines, 3);
	out(f, "\n");
	assert_int_equal(f->nlines, 4);
	assert_string_equal(f->lines[3], "third part");
	/* A lone \r in the middle is dropped too. */
	out(f, "a\rb\n");
	assert_string_equal(f->lines[4], "ab");
}

static void test_long_line_truncated(void **state)
{
	struct fixture *f = *state;
	char big[1000];
	char buf[2048];

	memset(big, 'A', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	console_output(&f->c, big, sizeof(big));
	assert_int_equal(f->nlines, 1);
	assert_int_equal(strlen(f->lines[0]), CONSOLE_LINE_MAX - 1);
	assert_int_equal(f->lines[0][0], 'A');
	/* The output itself is not truncated. */
	assert_int_equal(drain(f, buf, sizeof(buf)), sizeof(big));
	/* The next line starts clean. */
	out(f, "short\n");
	assert_string_equal(f->lines[1], "short");
}

static void test_line_exactly_max_minus_one(void **state)
{
	struct fixture *f = *state;
	char line[CONSOLE_LINE_MAX + 1];

	memset(line, 'b', CONSOLE_LINE_MAX - 1);
	line[CONSOLE_LINE_MAX - 1] = '\n';
	console_output(&f->c, line, CONSOLE_LINE_MAX);
	assert_int_equal(strlen(f->lines[0]), CONSOLE_LINE_MAX - 1);
}

static void test_tail_oldest_first(void **state)
{
	struct fixture *f = *state;
	char t[CONSOLE_TAIL_LINES][CONSOLE_LINE_MAX];

	assert_int_equal(console_tail(&f->c, t, CONSOLE_TAIL_LINES), 0);
	out(f, "one\ntwo\nthree\npartial");
	assert_int_equal(console_tail(&f->c, t, CONSOLE_TAIL_LINES), 3);
	assert_string_equal(t[0], "one");
	assert_string_equal(t[1], "two");
	assert_string_equal(t[2], "three");
	/* Fewer than available: the most recent ones, oldest first. */
	assert_int_equal(console_tail(&f->c, t, 2), 2);
	assert_string_equal(t[0], "two");
	assert_string_equal(t[1], "three");
	assert_int_equal(console_tail(&f->c, t, 0), 0);
}

static void test_tail_across_ring_wrap(void **state)
{
	struct fixture *f = *state;
	char t[CONSOLE_TAIL_LINES][CONSOLE_LINE_MAX];
	const unsigned int total = 2 * CONSOLE_TAIL_LINES + 5;
	char line[32];

	for (unsigned int i = 0; i < total; i++) {
		snprintf(line, sizeof(line), "line %u\r\n", i);
		out(f, line);
	}
	assert_int_equal(console_tail(&f->c, t, CONSOLE_TAIL_LINES), CONSOLE_TAIL_LINES);
	for (unsigned int i = 0; i < CONSOLE_TAIL_LINES; i++) {
		snprintf(line, sizeof(line), "line %u", total - CONSOLE_TAIL_LINES + i);
		assert_string_equal(t[i], line);
	}
	assert_int_equal(console_tail(&f->c, t, 3), 3);
	for (unsigned int i = 0; i < 3; i++) {
		snprintf(line, sizeof(line), "line %u", total - 3 + i);
		assert_string_equal(t[i], line);
	}
	/* Every line was also handed to the watcher. */
	assert_int_equal(f->nlines, total > 64 ? 64 : total);
}

static void test_output_without_fd_or_callback(void **state)
{
	struct fixture *f = *state;
	char t[CONSOLE_TAIL_LINES][CONSOLE_LINE_MAX];
	int saved = f->c.out_fd;

	f->c.on_line = NULL;
	f->c.out_fd = -1;
	out(f, "quiet\n");
	assert_int_equal(console_tail(&f->c, t, 1), 1);
	assert_string_equal(t[0], "quiet");
	assert_int_equal(f->nlines, 0);
	f->c.out_fd = saved;
}

static void test_output_to_closed_pipe_does_not_stop(void **state)
{
	struct fixture *f = *state;
	char t[CONSOLE_TAIL_LINES][CONSOLE_LINE_MAX];
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);

	close(f->pipe_rd);
	f->pipe_rd = open("/dev/null", O_RDONLY); /* keep teardown's close valid */
	out(f, "still recorded\n");
	assert_int_equal(console_tail(&f->c, t, 1), 1);
	assert_string_equal(t[0], "still recorded");
	signal(SIGPIPE, old);
}

static void test_filter_ctrl_a_x_quits(void **state)
{
	struct fixture *f = *state;
	unsigned char k;

	k = CONSOLE_ESCAPE_KEY;
	assert_int_equal(console_filter_key(&f->c, &k), CONSOLE_KEY_DROP);
	k = 'x';
	assert_int_equal(console_filter_key(&f->c, &k), CONSOLE_KEY_QUIT);
	k = CONSOLE_ESCAPE_KEY;
	assert_int_equal(console_filter_key(&f->c, &k), CONSOLE_KEY_DROP);
	k = 'X';
	assert_int_equal(console_filter_key(&f->c, &k), CONSOLE_KEY_QUIT);
}

static void test_filter_ctrl_a_twice_sends_one(void **state)
{
	struct fixture *f = *state;
	unsigned char k;

	k = CONSOLE_ESCAPE_KEY;
	assert_int_equal(console_filter_key(&f->c, &k), CONSOLE_KEY_DROP);
	k = CONSOLE_ESCAPE_KEY;
	assert_int_equal(console_filter_key(&f->c, &k), CONSOLE_KEY_SEND);
	assert_int_equal(k, CONSOLE_ESCAPE_KEY);
	/* The escape is over: plain keys pass, 'x' included. */
	k = 'x';
	assert_int_equal(console_filter_key(&f->c, &k), CONSOLE_KEY_SEND);
	assert_int_equal(k, 'x');
}

static void test_filter_other_keys_pass(void **state)
{
	struct fixture *f = *state;

	for (unsigned int v = 0; v < 256; v++) {
		unsigned char k = v;

		if (v == CONSOLE_ESCAPE_KEY)
			continue;
		assert_int_equal(console_filter_key(&f->c, &k), CONSOLE_KEY_SEND);
		assert_int_equal(k, v);
	}
	/* Ctrl-A then an unknown command key: both swallowed, then back to normal. */
	{
		unsigned char k = CONSOLE_ESCAPE_KEY;

		assert_int_equal(console_filter_key(&f->c, &k), CONSOLE_KEY_DROP);
		k = 'c';
		assert_int_equal(console_filter_key(&f->c, &k), CONSOLE_KEY_DROP);
		k = 'c';
		assert_int_equal(console_filter_key(&f->c, &k), CONSOLE_KEY_SEND);
	}
}

static void test_init_with_file_path(void **state)
{
	char path[] = "/tmp/minivmm-test-console-XXXXXX";
	struct console c;
	char buf[64] = { 0 };
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	/* stdin is not a terminal under ctest; if it is, skip rather than go raw. */
	if (isatty(STDIN_FILENO)) {
		unlink(path);
		skip();
	}
	assert_int_equal(console_init(&c, path), 0);
	assert_true(c.out_owned);
	assert_int_equal(c.in_fd, -1);
	console_output(&c, "to file\n", 8);
	console_destroy(&c);
	assert_int_equal(c.out_fd, -1);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, sizeof(buf)), 8);
	assert_string_equal(buf, "to file\n");
	close(fd);
	unlink(path);

	assert_true(console_init(&c, "/nonexistent-dir/console.log") < 0);
	console_destroy(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_output_written_verbatim, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lines_split_and_cr_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_line_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_line_exactly_max_minus_one, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tail_oldest_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tail_across_ring_wrap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_without_fd_or_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_to_closed_pipe_does_not_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filter_ctrl_a_x_quits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filter_ctrl_a_twice_sends_one, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filter_other_keys_pass, setup, teardown),
		cmocka_unit_test(test_init_with_file_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
