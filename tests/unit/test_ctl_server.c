// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for src/ctl/server.c over real Unix sockets in a temporary
 * directory, driven by the same pollfds/handle calls the main loop makes:
 * replies, partial and pipelined lines, garbage, huge lines, clients that
 * vanish, too many clients, a client that never reads, events from other
 * threads, --at, finishing, and the socket file's life.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "minivmm/ctl/server.h"

struct tctx {
	struct ctl_server *s;
	int runs;
};

static int run_echo(struct ctl_call *c)
{
	struct tctx *x = c->ctx;

	x->runs++;
	json_kv_int(c->reply, "n", ctl_arg_int(c, "n", -1));
	return 0;
}

/* Pushes an event from inside a command, as fault injections will. */
static int run_emit(struct ctl_call *c)
{
	struct tctx *x = c->ctx;
	struct json_out *ev = ctl_event_begin(x->s, "test-event");

	json_kv_string(ev, "from", c->source);
	ctl_event_end(x->s, ev);
	return 0;
}

static const struct ctl_cmd table[] = {
	{ "echo", "echo n", run_echo, .args = { { "n", CTL_ARG_INT, .min = 0, .max = 100 } } },
	{ "emit", "push an event", run_emit, .record = true },
	CTL_HELP_ENTRY,
	{ NULL },
};

static char dir[64], path[96];
static struct tctx ctx;

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One turn of the main loop. */
static void turn(struct ctl_server *s, int timeout_ms)
{
	struct pollfd pfd[CTL_SERVER_POLLFDS];
	int n = ctl_server_pollfds(s, pfd, CTL_SERVER_POLLFDS);

	assert_true(poll(pfd, n, timeout_ms) >= 0 || errno == EINTR);
	ctl_server_handle(s, pfd, n);
}

static void pump(struct ctl_server *s, int ms)
{
	long end = now_ms() + ms;

	while (now_ms() < end)
		turn(s, 5);
}

static int client(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	return fd;
}

static void send_n(int fd, const char *s, size_t n)
{
	assert_int_equal(send(fd, s, n, MSG_NOSIGNAL), (ssize_t)n);
}

static void send_str(int fd, const char *s)
{
	send_n(fd, s, strlen(s));
}

/*
 * The next line from @fd into @buf, serving @s meanwhile; "" at EOF.
 * Bytes after the line stay in the socket (one byte at a time).
 */
static const char *read_line(struct ctl_server *s, int fd, char *buf, size_t len)
{
	long end = now_ms() + 3000;
	size_t n = 0;

	while (now_ms() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (s)
			turn(s, 2);
		if (poll(&p, 1, s ? 0 : 50) <= 0)
			continue;
		if (recv(fd, buf + n, 1, 0) != 1) {
			buf[n] = 0;
			return buf; /* EOF (or reset) */
		}
		if (buf[n] == '\n') {
			buf[n] = 0;
			return buf;
		}
		if (++n == len - 1)
			fail_msg("line longer than %zu", len);
	}
	fail_msg("no line within 3 s");
	return NULL;
}

static struct ctl_server *server(const char *const at[], unsigned int nat)
{
	struct ctl_server *s;
	char err[512];

	if (ctl_server_create(&s, path, at, nat, table, &ctx, err, sizeof(err)))
		fail_msg("create: %s", err);
	ctx.s = s;
	return s;
}

static char *stats(struct ctl_server *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	ctl_server_print_stats(s, f);
	fclose(f);
	return text;
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/minivmm-ctl-test.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ctl.sock", dir);
	memset(&ctx, 0, sizeof(ctx));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	rmdir(dir);
	return 0;
}

static void test_request_reply(void **state)
{
	struct ctl_server *s = server(NULL, 0);
	char line[4096];
	struct stat st;
	int fd;

	(void)state;
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	fd = client();
	send_str(fd, "{\"cmd\": \"echo\", \"n\": 3, \"id\": 1}\n");
	assert_string_equal(read_line(s, fd, line, sizeof(line)), "{\"id\": 1, \"ok\": true, \"n\": 3}");
	/* Byte by byte, then two requests in one write. */
	for (const char *p = "{\"cmd\":\"echo\",\"n\":4}\r\n"; *p; p++) {
		send_n(fd, p, 1);
		turn(s, 0);
	}
	assert_string_equal(read_line(s, fd, line, sizeof(line)), "{\"ok\": true, \"n\": 4}");
	send_str(fd, "{\"cmd\":\"echo\",\"n\":5}\n\n   \n{\"cmd\":\"echo\",\"n\":6}\n");
	assert_string_equal(read_line(s, fd, line, sizeof(line)), "{\"ok\": true, \"n\": 5}");
	assert_string_equal(read_line(s, fd, line, sizeof(line)), "{\"ok\": true, \"n\": 6}");
	assert_int_equal(ctx.runs, 4);
	close(fd);
	ctl_server_destroy(s);
	assert_int_equal(stat(path, &st), -1); /* the socket file is gone */
}

static void test_garbage(void **state)
{
	struct ctl_server *s = server(NULL, 0);
	char line[4096], *big;
	int fd = client();

	(void)state;
	send_n(fd, "\xff\xfe\x00garbage\n", 11);
	read_line(s, fd, line, sizeof(line));
	assert_non_null(strstr(line, "\"ok\": false, \"error\": \"the request is not valid JSON: expected a value"));
	send_str(fd, "{\"cmd\": \"\xc3\x28\"}\n");
	read_line(s, fd, line, sizeof(line));
	assert_non_null(strstr(line, "invalid UTF-8"));
	send_str(fd, "{\"cmd\": \"echo\", \"n\": 1000}\n");
	read_line(s, fd, line, sizeof(line));
	assert_non_null(strstr(line, "give an integer from 0 to 100"));
	/* A huge line: one error as soon as it passes the limit, then normal service. */
	big = malloc(CTL_LINE_MAX * 3);
	memset(big, '[', CTL_LINE_MAX * 3);
	send_n(fd, big, CTL_LINE_MAX * 3);
	read_line(s, fd, line, sizeof(line));
	assert_non_null(strstr(line, "longer than 16384 bytes"));
	send_n(fd, big, CTL_LINE_MAX);
	send_str(fd, "\n{\"cmd\": \"echo\", \"n\": 9}\n");
	assert_string_equal(read_line(s, fd, line, sizeof(line)), "{\"ok\": true, \"n\": 9}");
	free(big);
	close(fd);
	ctl_server_destroy(s);
}

static void test_disconnects(void **state)
{
	struct ctl_server *s = server(NULL, 0);
	char line[4096];
	int fd, fds[CTL_MAX_CLIENTS + 1];
	char *st;

	(void)state;
	/* Gone in the middle of a request. */
	fd = client();
	send_str(fd, "{\"cmd\": \"ec");
	pump(s, 20);
	close(fd);
	pump(s, 20);
	/* Gone before reading its reply (the write fails, the server goes on). */
	fd = client();
	send_str(fd, "{\"cmd\": \"echo\", \"n\": 1}\n");
	close(fd);
	pump(s, 20);
	/* Shut its side: a last request without a newline still gets its reply, then EOF. */
	fd = client();
	send_str(fd, "{\"cmd\": \"echo\", \"n\": 2}");
	shutdown(fd, SHUT_WR);
	assert_string_equal(read_line(s, fd, line, sizeof(line)), "{\"ok\": true, \"n\": 2}");
	assert_string_equal(read_line(s, fd, line, sizeof(line)), "");
	close(fd);
	/* All the slots: one more client is refused with a reason. */
	for (int i = 0; i < CTL_MAX_CLIENTS + 1; i++) {
		fds[i] = client();
		pump(s, 2);
	}
	pump(s, 20);
	read_line(s, fds[CTL_MAX_CLIENTS], line, sizeof(line));
	assert_non_null(strstr(line, "too many control clients (16 connected): close one and retry"));
	assert_string_equal(read_line(s, fds[CTL_MAX_CLIENTS], line, sizeof(line)), "");
	send_str(fds[0], "{\"cmd\": \"echo\", \"n\": 7}\n");
	assert_string_equal(read_line(s, fds[0], line, sizeof(line)), "{\"ok\": true, \"n\": 7}");
	for (int i = 0; i <= CTL_MAX_CLIENTS; i++)
		close(fds[i]);
	pump(s, 20);
	/* The slots are free again. */
	fd = client();
	send_str(fd, "{\"cmd\": \"echo\", \"n\": 8}\n");
	assert_string_equal(read_line(s, fd, line, sizeof(line)), "{\"ok\": true, \"n\": 8}");
	close(fd);
	st = stats(s);
	assert_non_null(strstr(st, "\"clients\": 20, \"refused\": 1"));
	free(st);
	ctl_server_destroy(s);
}

static void *event_thread(void *arg)
{
	struct ctl_server *s = arg;

	for (int i = 0; i < 3; i++) {
		struct json_out *ev = ctl_event_begin(s, "from-thread");

		json_kv_int(ev, "i", i);
		ctl_event_end(s, ev);
	}
	return NULL;
}

static void test_events(void **state)
{
	struct ctl_server *s = server(NULL, 0);
	char line[4096];
	pthread_t t;
	int a, b;

	(void)state;
	a = client();
	b = client();
	pump(s, 20);
	/* From a command: the event, then the reply, to the asker; the event to the other. */
	send_str(a, "{\"cmd\": \"emit\"}\n");
	read_line(s, a, line, sizeof(line));
	assert_true(!strncmp(line, "{\"event\": \"test-event\", \"time_ms\": ", 35));
	assert_non_null(strstr(line, "\"from\": \"socket\"}"));
	assert_string_equal(read_line(s, a, line, sizeof(line)), "{\"ok\": true}");
	read_line(s, b, line, sizeof(line));
	assert_non_null(strstr(line, "\"event\": \"test-event\""));
	/* From another thread: the wake-up eventfd gets them out. */
	assert_int_equal(pthread_create(&t, NULL, event_thread, s), 0);
	pthread_join(t, NULL);
	for (int i = 0; i < 3; i++) {
		char want[32];

		snprintf(want, sizeof(want), "\"i\": %d}", i);
		read_line(s, b, line, sizeof(line));
		assert_non_null(strstr(line, want));
		read_line(s, a, line, sizeof(line));
		assert_non_null(strstr(line, want));
	}
	/* The VM's event log as events, with the log's time and kind. */
	ctl_eventlog_sink(s, 1234, "drop-msi", "0000:00:03.0 vector 1: next 2 interrupts");
	assert_string_equal(read_line(s, a, line, sizeof(line)),
			    "{\"event\": \"drop-msi\", \"time_ms\": 1234, \"what\": \"0000:00:03.0 vector 1: next 2 interrupts\"}");
	read_line(s, b, line, sizeof(line));
	assert_non_null(strstr(line, "\"event\": \"drop-msi\""));
	ctl_eventlog_sink(NULL, 0, "x", "y");
	/* NULL server: no-ops. */
	json_kv_int(ctl_event_begin(NULL, "x"), "y", 1);
	ctl_event_end(NULL, NULL);
	close(a);
	close(b);
	ctl_server_destroy(s);
}

static void test_slow_client_dropped(void **state)
{
	struct ctl_server *s = server(NULL, 0);
	char line[4096], *payload, *st;
	int lazy, good;

	(void)state;
	lazy = client();
	good = client();
	pump(s, 20);
	/* A client that sends requests but never reads: it is throttled, not served past the limit. */
	for (int i = 0; i < 2000; i++)
		send(lazy, "{\"cmd\": \"help\"}\n", 16, MSG_DONTWAIT | MSG_NOSIGNAL);
	pump(s, 100);
	/* Events pile up behind it until it is dropped; the good client reads and stays. */
	payload = malloc(64 << 10);
	memset(payload, 'x', (64 << 10) - 1);
	payload[(64 << 10) - 1] = 0;
	for (int i = 0; i < 40; i++) {
		struct json_out *ev = ctl_event_begin(s, "big");

		json_kv_string(ev, "data", payload);
		ctl_event_end(s, ev);
		for (int k = 0; k < 40; k++) {
			turn(s, 0);
			while (recv(good, line, sizeof(line), MSG_DONTWAIT) > 0)
				;
		}
	}
	free(payload);
	pump(s, 50);
	while (recv(good, line, sizeof(line), MSG_DONTWAIT) > 0)
		;
	send_str(good, "{\"cmd\": \"echo\", \"n\": 1}\n");
	assert_string_equal(read_line(s, good, line, sizeof(line)), "{\"ok\": true, \"n\": 1}");
	st = stats(s);
	assert_non_null(strstr(st, "\"dropped\": 1,"));
	free(st);
	close(lazy);
	close(good);
	ctl_server_destroy(s);
}

static void test_at_and_finish(void **state)
{
	static const char *const at[] = { "60ms:echo 2", "0ms:echo 1", "10m:echo 3", "30ms:emit" };
	struct ctl_server *s;
	char line[4096], *st;
	const char *p1, *p2;
	struct stat sb;
	int fd;

	(void)state;
	s = server(at, 4);
	fd = client();
	pump(s, 200);
	assert_int_equal(ctx.runs, 2); /* 0 ms and 60 ms; not the one ten minutes away */
	read_line(s, fd, line, sizeof(line));
	assert_non_null(strstr(line, "\"event\": \"test-event\""));
	assert_non_null(strstr(line, "\"from\": \"--at 30ms\""));
	ctl_server_finish(s, 3, "guest \"bye\"");
	read_line(NULL, fd, line, sizeof(line));
	assert_true(!strncmp(line, "{\"event\": \"guest-stopped\", \"time_ms\": ", 38));
	assert_non_null(strstr(line, "\"status\": 3, \"message\": \"guest \\\"bye\\\"\"}"));
	assert_string_equal(read_line(NULL, fd, line, sizeof(line)), ""); /* closed */
	assert_int_equal(stat(path, &sb), -1);                             /* no new clients */
	close(fd);
	st = stats(s);
	/* In time order, with sources; the one not reached says so. */
	p1 = strstr(st, "\"source\": \"--at 0ms\", \"cmd\": \"echo\", \"request\": \"{\\\"cmd\\\": \\\"echo\\\", \\\"n\\\": 1}\", \"ok\": true}");
	p2 = strstr(st, "\"source\": \"--at 60ms\"");
	assert_non_null(p1);
	assert_non_null(p2);
	assert_true(p1 < p2);
	assert_non_null(strstr(st, "\"source\": \"--at 10m\", \"cmd\": null, \"request\": \"{\\\"cmd\\\": \\\"echo\\\", \\\"n\\\": 3}\", "
				   "\"ok\": false, \"error\": \"not run: the guest stopped at"));
	assert_non_null(strstr(st, "\"source\": \"--at 30ms\", \"cmd\": \"emit\""));
	assert_true(!strncmp(st, ", \"control\": {\"socket\": \"", 25));
	/* The --stats piece is valid JSON inside an object. */
	{
		struct json_val nodes[256];
		char strs[4096], doc_text[8192];
		struct json_doc doc;
		struct json_error err;
		const struct json_val *root;

		snprintf(doc_text, sizeof(doc_text), "{%s}", st + 2);
		json_doc_init(&doc, nodes, 256, strs, sizeof(strs), 8);
		if (json_parse(&doc, doc_text, strlen(doc_text), &root, &err))
			fail_msg("stats: %s at %zu: %s", err.msg, err.pos, doc_text);
		assert_int_equal(json_member(json_member(root, "control"), "commands")->count, 4);
	}
	free(st);
	ctl_server_destroy(s);
}

static void test_create_errors(void **state)
{
	static const char *const bad_at[] = { "5s:stop" };
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct ctl_server *s, *s2;
	char err[512], longpath[200], line[4096];
	int fd;

	(void)state;
	/* A socket file left by a killed minivmm is replaced. */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	close(fd);
	s = server(NULL, 0);
	/* One that is listening is not. */
	assert_int_equal(ctl_server_create(&s2, path, NULL, 0, table, &ctx, err, sizeof(err)), -EADDRINUSE);
	assert_null(s2);
	assert_non_null(strstr(err, "is in use (another minivmm listens there): stop it or choose another path"));
	fd = client(); /* and the first still works */
	send_str(fd, "{\"cmd\": \"echo\"}\n");
	assert_string_equal(read_line(s, fd, line, sizeof(line)), "{\"ok\": true, \"n\": -1}");
	close(fd);
	ctl_server_destroy(s);

	fd = creat(path, 0600);
	close(fd);
	assert_int_equal(ctl_server_create(&s, path, NULL, 0, table, &ctx, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "exists and is not a socket: remove it or choose another path"));
	unlink(path);
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = 0;
	assert_int_equal(ctl_server_create(&s, longpath, NULL, 0, table, &ctx, err, sizeof(err)), -ENAMETOOLONG);
	assert_non_null(strstr(err, "use a shorter one"));
	assert_int_equal(ctl_server_create(&s, "/nonexistent-dir/x.sock", NULL, 0, table, &ctx, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "its directory does not exist"));
	/* --at commands are checked against the table before anything runs. */
	assert_int_equal(ctl_server_create(&s, NULL, bad_at, 1, table, &ctx, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--at '5s:stop': unknown command \"stop\""));
	/* No socket, --at only: works, and NULL is harmless everywhere. */
	assert_int_equal(ctl_server_create(&s, NULL, NULL, 0, table, &ctx, err, sizeof(err)), 0);
	ctl_server_destroy(s);
	assert_int_equal(ctl_server_pollfds(NULL, NULL, 0), 0);
	ctl_server_handle(NULL, NULL, 0);
	ctl_server_finish(NULL, 0, "");
	ctl_server_print_stats(NULL, stderr);
	ctl_server_destroy(NULL);
}

/* What a supervisor removes after a killed minivmm: that server's socket file, nothing else. */
static void test_socket_cleanup(void **state)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct ctl_server *s;
	const char *p;
	struct stat st;
	dev_t dev;
	ino_t ino;
	char err[512];
	int fd;

	(void)state;
	s = server(NULL, 0);
	assert_true(ctl_server_socket(s, &p, &dev, &ino));
	assert_string_equal(p, path);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_dev == dev && st.st_ino == ino);
	/* Another inode at that path (a later minivmm's socket) stays. */
	assert_false(ctl_socket_remove(path, dev, ino + 1));
	assert_int_equal(stat(path, &st), 0);
	/* The server's own goes; a second time there is nothing. */
	assert_true(ctl_socket_remove(path, dev, ino));
	assert_int_equal(stat(path, &st), -1);
	assert_false(ctl_socket_remove(path, dev, ino));
	/* The server destroyed after that leaves a newer socket there alone. */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	ctl_server_destroy(s);
	assert_int_equal(stat(path, &st), 0);
	close(fd);
	unlink(path);
	/* No socket: --at only, or no server at all. */
	assert_int_equal(ctl_server_create(&s, NULL, NULL, 0, table, &ctx, err, sizeof(err)), 0);
	assert_false(ctl_server_socket(s, &p, &dev, &ino));
	ctl_server_destroy(s);
	assert_false(ctl_server_socket(NULL, &p, &dev, &ino));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_request_reply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disconnects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow_client_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_at_and_finish, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_cleanup, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
