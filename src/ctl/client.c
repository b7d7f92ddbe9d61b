// SPDX-License-Identifier: GPL-2.0-only
/* `minivmm ctl`: a control-socket client for scripts (see client.h). */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "minivmm/config.h"
#include "minivmm/ctl/client.h"
#include "minivmm/ctl/commands.h"
#include "minivmm/ctl/json.h"
#include "minivmm/ctl/line.h"
#include "minivmm/ctl/server.h"
#include "minivmm/ctl/words.h"

enum { CTL_EXIT_OK = 0, CTL_EXIT_ERROR_REPLY = 1 };

struct client {
	bool pretty;
	const char *wait_event;
	bool want_reply, got_reply, reply_ok, got_event;
	bool bad_line;
};

static void usage(FILE *f)
{
	fputs("Usage: minivmm ctl [OPTIONS] PATH COMMAND [ARGS...]\n"
	      "       minivmm ctl [OPTIONS] --wait-event NAME PATH [COMMAND [ARGS...]]\n"
	      "Send one command to the minivmm started with --control PATH; print its reply\n"
	      "(one JSON line) on stdout.\n"
	      "\n"
	      "Options (before PATH):\n"
	      "  --json             COMMAND ARGS... are a JSON request, sent as they are\n"
	      "  -p, --pretty       print the reply indented\n"
	      "  --wait-event NAME  also wait for event NAME (e.g. guest-stopped) and print it\n"
	      "  --timeout SECS     give up after SECS (default 60; 0: wait forever)\n"
	      "  -h, --help         this text\n"
	      "\n", f);
	ctl_usage_commands(ctl_vm_commands, f);
	fputs("\n"
	      "Exit status: 0 ok, 1 error reply, 124 no reply (or event) within --timeout,\n"
	      "125 cannot connect, bad usage, or the connection closed first.\n", f);
}

static const char *arg_placeholder(const struct ctl_arg *a)
{
	switch (a->type) {
	case CTL_ARG_INT: return "N";
	case CTL_ARG_NUMBER: return "X";
	case CTL_ARG_BOOL: return "true|false";
	case CTL_ARG_BDF: return "BDF";
	default: return "TEXT";
	}
}

void ctl_usage_commands(const struct ctl_cmd *table, FILE *f)
{
	fputs("Commands (arguments as NAME=VALUE, or values alone in this order):\n", f);
	for (const struct ctl_cmd *c = table; c->name; c++) {
		char line[256];
		size_t n = snprintf(line, sizeof(line), "  %s", c->name);

		for (int i = 0; i < CTL_MAX_ARGS && c->args[i].name && n < sizeof(line); i++) {
			const struct ctl_arg *a = &c->args[i];

			n += snprintf(line + n, sizeof(line) - n, a->required ? " %s=%s%s" : " [%s=%s%s]", a->name,
				      arg_placeholder(a), a->type == CTL_ARG_STRINGS ? "..." : "");
		}
		fprintf(f, "%s\n      %s\n", line, c->help);
		for (int i = 0; i < CTL_MAX_ARGS && c->args[i].name; i++) {
			char want[96];

			ctl_arg_describe(&c->args[i], want, sizeof(want));
			fprintf(f, "        %s: %s; %s\n", c->args[i].name, want, c->args[i].help ? c->args[i].help : "");
		}
	}
}

static int fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(int status, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "minivmm: ctl: %s\n", line);
	return status;
}

static int connect_socket(const char *path, int *out)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	if (!path[0] || strlen(path) >= sizeof(addr.sun_path))
		return fail(EXIT_VMM_ERROR, "'%s' is no Unix socket path (1 to %zu bytes): give the --control PATH of the minivmm",
			    path, sizeof(addr.sun_path) - 1);
	memcpy(addr.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail(EXIT_VMM_ERROR, "cannot create a Unix socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		int e = errno;

		close(fd);
		if (e == ENOENT)
			return fail(EXIT_VMM_ERROR, "no control socket at %s: start minivmm with --control %s (or check the path)",
				    path, path);
		if (e == ECONNREFUSED)
			return fail(EXIT_VMM_ERROR, "nothing listens on %s: the minivmm that made it has stopped", path);
		if (e == EACCES || e == EPERM)
			return fail(EXIT_VMM_ERROR, "%s: permission denied: run as the user that started minivmm (the socket is mode 0600)",
				    path);
		if (e == ENOTSOCK || e == EPROTOTYPE)
			return fail(EXIT_VMM_ERROR, "%s is not a control socket: give the --control PATH of the minivmm", path);
		return fail(EXIT_VMM_ERROR, "cannot connect to %s: %s", path, strerror(e));
	}
	*out = fd;
	return 0;
}

static int send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= n;
	}
	return 0;
}

static void print_line(struct client *cl, const struct json_val *v, const char *line, size_t len)
{
	if (cl->pretty) {
		struct json_out o;

		json_out_init(&o, CTL_CLIENT_LINE_MAX * 2);
		o.pretty = true;
		json_value(&o, v);
		if (!o.failed) {
			printf("%s\n", json_out_text(&o));
			json_out_free(&o);
			fflush(stdout);
			return;
		}
		json_out_free(&o);
	}
	fwrite(line, 1, len, stdout);
	fputc('\n', stdout);
	fflush(stdout);
}

/* One line from minivmm: the reply, an event, or something wrong. */
static void on_line(void *opaque, const char *line, size_t len, bool too_long)
{
	struct client *cl = opaque;
	struct json_val *nodes;
	char *strs;
	const struct json_val *root, *ev, *ok, *err;
	struct json_error jerr;
	struct json_doc doc;

	if (too_long) {
		fail(0, "a line from minivmm is longer than %d bytes: ignored", CTL_CLIENT_LINE_MAX);
		return;
	}
	nodes = malloc((len + 2) * sizeof(*nodes));
	strs = malloc(len + 1);
	if (!nodes || !strs) {
		cl->bad_line = true;
		fail(0, "out of memory for a %zu-byte line", len);
		goto free_storage;
	}
	json_doc_init(&doc, nodes, len + 2, strs, len + 1, 64);
	if (json_parse(&doc, line, len, &root, &jerr) || root->type != JSON_OBJECT) {
		cl->bad_line = true;
		fail(0, "minivmm sent a line that is no JSON object (%s at byte %zu): %.200s",
		     jerr.msg[0] ? jerr.msg : "not an object", jerr.pos, line);
		goto free_storage;
	}
	ev = json_member(root, "event");
	if (ev) {
		if (cl->wait_event && !cl->got_event && ev->type == JSON_STRING && !strcmp(ev->str, cl->wait_event)) {
			cl->got_event = true;
			print_line(cl, root, line, len);
		}
		goto free_storage;
	}
	if (!cl->want_reply || cl->got_reply) {
		/* A refusal (too many clients) comes unasked. */
		err = json_member(root, "error");
		if (!cl->want_reply && err && err->type == JSON_STRING) {
			cl->got_reply = true;
			print_line(cl, root, line, len);
			fail(0, "%s", err->str);
		}
		goto free_storage;
	}
	cl->got_reply = true;
	ok = json_member(root, "ok");
	cl->reply_ok = ok && ok->type == JSON_BOOL && ok->b;
	print_line(cl, root, line, len);
	err = json_member(root, "error");
	if (!cl->reply_ok && err && err->type == JSON_STRING)
		fail(0, "%s", err->str);
free_storage:
	free(nodes);
	free(strs);
}

static bool done(const struct client *cl)
{
	if (cl->got_reply && !cl->reply_ok)
		return true; /* an error reply ends it, awaited event or not */
	return (!cl->want_reply || cl->got_reply) && (!cl->wait_event || cl->got_event);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read lines until done; returns the exit status. */
static int converse(int fd, struct client *cl, unsigned int timeout, const char *path)
{
	struct ctl_linebuf lb;
	long deadline = timeout ? now_ms() + timeout * 1000L : 0;
	char buf[65536];
	int status = -1;

	ctl_linebuf_init(&lb, CTL_CLIENT_LINE_MAX);
	while (status < 0 && !done(cl)) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long left = deadline ? deadline - now_ms() : -1;
		ssize_t n;

		if (deadline && left <= 0) {
			if (cl->want_reply && !cl->got_reply)
				status = fail(EXIT_TIMEOUT, "no reply from %s within %u s: is that minivmm stuck? (--timeout SECS waits longer)",
					      path, timeout);
			else
				status = fail(EXIT_TIMEOUT, "no event %s within %u s (--timeout SECS waits longer)",
					      cl->wait_event, timeout);
			break;
		}
		if (poll(&pfd, 1, left < 0 ? -1 : (int)left) < 0) {
			if (errno == EINTR)
				continue;
			status = fail(EXIT_VMM_ERROR, "poll: %s", strerror(errno));
			break;
		}
		if (!pfd.revents)
			continue;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0) {
			ctl_linebuf_feed(&lb, buf, n, on_line, cl);
			continue;
		}
		ctl_linebuf_finish(&lb, on_line, cl);
		if (done(cl))
			break;
		if (n < 0)
			status = fail(EXIT_VMM_ERROR, "reading from %s: %s", path, strerror(errno));
		else if (cl->want_reply && !cl->got_reply)
			status = fail(EXIT_VMM_ERROR, "minivmm closed %s before replying: it stopped, or refused this client (see its stderr)",
				      path);
		else
			status = fail(EXIT_VMM_ERROR, "minivmm closed %s before event %s came: the guest stopped without it",
				      path, cl->wait_event);
	}
	ctl_linebuf_free(&lb);
	if (status >= 0)
		return status;
	if (cl->got_reply && !cl->reply_ok)
		return CTL_EXIT_ERROR_REPLY;
	return cl->bad_line && !cl->got_reply && !cl->got_event ? EXIT_VMM_ERROR : CTL_EXIT_OK;
}

/* The words after PATH as one raw JSON request. */
static char *join_words(int argc, char *argv[])
{
	size_t len = 1;
	char *s;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = calloc(1, len);
	for (int i = 0; s && i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

int ctl_client_main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "wait-event", required_argument, NULL, 'w' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct client cl = { 0 };
	unsigned int timeout = CTL_CLIENT_DEFAULT_TIMEOUT;
	bool raw = false;
	struct json_out req;
	char err[CTL_ERROR_MAX], *end, *raw_text = NULL;
	const char *path, *request = "";
	int c, fd = -1, status;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:ph", opts, NULL)) != -1) {
		switch (c) {
		case 'j': raw = true; break;
		case 'p': cl.pretty = true; break;
		case 'w':
			if (!optarg[0])
				return fail(EXIT_VMM_ERROR, "--wait-event needs an event name, e.g. --wait-event guest-stopped");
			cl.wait_event = optarg;
			break;
		case 't': {
			unsigned long v;

			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || !optarg[0] || optarg[0] == '-' || v > CONFIG_MAX_TIMEOUT)
				return fail(EXIT_VMM_ERROR, "--timeout '%s' is not a number of seconds (0 to %d): give e.g. --timeout 30",
					    optarg, CONFIG_MAX_TIMEOUT);
			timeout = v;
			break;
		}
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			return fail(EXIT_VMM_ERROR, "option '%s' needs a value: see minivmm ctl --help", argv[optind - 1]);
		default:
			return fail(EXIT_VMM_ERROR, "unknown option '%s': see minivmm ctl --help", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return fail(EXIT_VMM_ERROR, "no socket given: minivmm ctl PATH COMMAND, PATH as given to --control (see --help)");
	path = argv[optind++];
	for (int i = optind; i < argc; i++)
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "--pretty") || !strcmp(argv[i], "--wait-event") ||
		    !strcmp(argv[i], "--timeout"))
			return fail(EXIT_VMM_ERROR, "%s after PATH: put options before PATH, e.g. minivmm ctl %s ... PATH COMMAND",
				    argv[i], argv[i]);
	cl.want_reply = optind < argc;
	if (!cl.want_reply && !cl.wait_event)
		return fail(EXIT_VMM_ERROR, "no command after %s: e.g. minivmm ctl %s status (help lists the commands)", path, path);

	json_out_init(&req, CTL_LINE_MAX);
	if (cl.want_reply && raw) {
		char *text = join_words(argc - optind, argv + optind);

		if (!text)
			return fail(EXIT_VMM_ERROR, "out of memory");
		if (!text[strspn(text, " \t")] || strchr(text, '\n') || strlen(text) >= CTL_LINE_MAX) {
			free(text);
			return fail(EXIT_VMM_ERROR, "--json: the request must be one non-empty line of less than %d bytes, e.g. '{\"cmd\": \"status\"}'",
				    CTL_LINE_MAX);
		}
		/* Sent as it is: garbage gets minivmm's error reply. */
		request = raw_text = text;
	} else if (cl.want_reply &&
		   ctl_words_request(ctl_vm_commands, argc - optind, argv + optind, &req, err, sizeof(err))) {
		json_out_free(&req);
		return fail(EXIT_VMM_ERROR, "%s", err);
	} else {
		request = json_out_text(&req);
	}
	status = connect_socket(path, &fd);
	if (status) {
		json_out_free(&req);
		free(raw_text);
		return status;
	}
	if (cl.want_reply) {
		status = send_all(fd, request, strlen(request));
		if (!status)
			status = send_all(fd, "\n", 1);
		if (status) {
			close(fd);
			json_out_free(&req);
			free(raw_text);
			return fail(EXIT_VMM_ERROR, "sending to %s: %s", path, strerror(-status));
		}
	}
	json_out_free(&req);
	free(raw_text);
	status = converse(fd, &cl, timeout, path);
	close(fd);
	return status;
}
