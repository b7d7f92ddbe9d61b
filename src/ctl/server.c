// SPDX-License-Identifier: GPL-2.0-only
/*
 * The control socket and the --at schedule, served from the main loop.
 *
 * Threads: only the main loop reads sockets, accepts and closes clients
 * and runs commands. Events may come from any thread: they append to the
 * clients' output queues under @lock and wake the main loop through
 * @wake_fd, which then writes them out. Commands run without @lock held,
 * so a handler may push events.
 */
#define _GNU_SOURCE /* accept4 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "minivmm/ctl/at.h"
#include "minivmm/ctl/line.h"
#include "minivmm/ctl/server.h"
#include "minivmm/log.h"

#define LOG_REQUEST_MAX 512          /* longer requests are logged by name */
#define ACCEPT_PAUSE_MS 1000         /* after accept ran out of fds or memory */
#define FINISH_FLUSH_MS 1000
#define READ_ROUNDS 16               /* 4 KiB reads per client per loop turn */

struct ctl_client {
	int fd;                      /* -1: free slot */
	unsigned long id;
	struct ctl_linebuf in;
	char *out;                   /* queued replies and events */
	size_t out_len, out_cap;
	bool eof;                    /* it shut its side: close once the queue is out */
	bool dead;                   /* to be closed (error, or too far behind) */
};

struct ctl_at_entry {
	long ms;
	char source[48];             /* "--at 5s" */
	char *request;               /* one JSON line */
	bool done;
};

struct ctl_log_entry {
	long time_ms;
	char source[48];
	const char *cmd;             /* the table's name */
	char *request;               /* as sent; NULL when too long */
	bool ok;
	char error[CTL_ERROR_MAX];
};

enum slot_kind { SLOT_LISTEN, SLOT_WAKE, SLOT_TIMER, SLOT_CLIENT };

struct ctl_server {
	const struct ctl_cmd *table;
	void *ctx;
	char *path;                  /* the socket file we made, NULL: none */
	dev_t dev;
	ino_t ino;
	bool removed;                /* ... and removed it */
	int listen_fd, wake_fd, timer_fd;
	pthread_mutex_t lock;
	bool lock_ready;
	struct ctl_client client[CTL_MAX_CLIENTS];
	unsigned long next_id;
	struct ctl_at_entry at[CTL_MAX_AT];
	unsigned int nat, at_next;
	/* CLOCK_MONOTONIC ms of the guest's start, then started (events read them from any thread) */
	atomic_long t0;
	atomic_bool started;
	bool finishing;
	long accept_paused_until;
	struct json_out reply, event; /* main loop's reply, events' line (under lock) */
	struct {
		enum slot_kind kind;
		int client;
	} slot[CTL_SERVER_POLLFDS];
	int nslots;
	unsigned long long accepted, refused, dropped, requests, errors, events;
	struct ctl_log_entry log[CTL_LOG_MAX];
	unsigned int nlog;
	unsigned long long log_dropped;
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long ctl_server_time_ms(const struct ctl_server *s)
{
	return s && atomic_load(&s->started) ? now_ms() - atomic_load(&s->t0) : 0;
}

static void lock(struct ctl_server *s)
{
	pthread_mutex_lock(&s->lock);
}

static void unlock(struct ctl_server *s)
{
	pthread_mutex_unlock(&s->lock);
}

static void wake(struct ctl_server *s)
{
	uint64_t one = 1;

	if (s->wake_fd >= 0 && write(s->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		pr_warn("control: cannot wake the main loop: %s", strerror(errno));
}

/* ---- clients' output (under lock) ---- */

static void client_queue(struct ctl_server *s, struct ctl_client *c, const char *text, size_t len)
{
	if (c->fd < 0 || c->dead)
		return;
	if (c->out_len + len + 1 > CTL_OUT_MAX) {
		pr_warn("control: client %lu reads neither its replies nor events (%zu bytes queued): dropped",
			c->id, c->out_len);
		c->dead = true;
		s->dropped++;
		return;
	}
	if (c->out_len + len + 1 > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		char *b;

		while (cap < c->out_len + len + 1)
			cap *= 2;
		b = realloc(c->out, cap);
		if (!b) {
			pr_warn("control: out of memory for client %lu's replies: dropped", c->id);
			c->dead = true;
			s->dropped++;
			return;
		}
		c->out = b;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, text, len);
	c->out[c->out_len + len] = '\n';
	c->out_len += len + 1;
}

/* Write what the socket takes now; -errno when the client is gone. */
static int client_flush(struct ctl_client *c)
{
	size_t done = 0;
	int ret = 0;

	while (done < c->out_len) {
		ssize_t n = send(c->fd, c->out + done, c->out_len - done, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				ret = -errno;
			break;
		}
		done += n;
	}
	memmove(c->out, c->out + done, c->out_len - done);
	c->out_len -= done;
	return ret;
}

static void client_close(struct ctl_client *c)
{
	if (c->fd >= 0) {
		pr_debug("control: client %lu closed", c->id);
		close(c->fd);
	}
	c->fd = -1;
	ctl_linebuf_free(&c->in);
	free(c->out);
	c->out = NULL;
	c->out_len = c->out_cap = 0;
	c->eof = c->dead = false;
}

/* ---- commands ---- */

static void log_command(struct ctl_server *s, const char *source, const struct ctl_result *res,
			const char *line, size_t len)
{
	struct ctl_log_entry *e;

	if (s->nlog == CTL_LOG_MAX) {
		s->log_dropped++;
		return;
	}
	e = &s->log[s->nlog++];
	e->time_ms = ctl_server_time_ms(s);
	snprintf(e->source, sizeof(e->source), "%s", source);
	e->cmd = res->cmd ? res->cmd->name : NULL;
	e->request = len <= LOG_REQUEST_MAX ? strndup(line, len) : NULL;
	e->ok = res->ok;
	snprintf(e->error, sizeof(e->error), "%s", res->ok ? "" : res->error);
}

/* Run one request; its reply is in s->reply. */
static void serve(struct ctl_server *s, const char *source, const char *line, size_t len, bool always_log,
		  struct ctl_result *res)
{
	json_out_reset(&s->reply);
	ctl_dispatch(s->table, s->ctx, source, line, len, &s->reply, res);
	s->requests++;
	if (!res->ok)
		s->errors++;
	if (always_log || (res->cmd && res->cmd->record))
		log_command(s, source, res, line, len);
}

struct line_ctx {
	struct ctl_server *s;
	struct ctl_client *c;
};

static bool blank(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
			return false;
	return true;
}

static void client_line(void *opaque, const char *line, size_t len, bool too_long)
{
	struct line_ctx *lc = opaque;
	struct ctl_server *s = lc->s;
	struct ctl_result res;

	if (too_long) {
		json_out_reset(&s->reply);
		json_begin_object(&s->reply);
		json_kv_bool(&s->reply, "ok", false);
		json_key(&s->reply, "error");
		json_stringf(&s->reply, "the request line is longer than %d bytes: send one JSON object of at most %d bytes per line",
			     CTL_LINE_MAX, CTL_LINE_MAX);
		json_end_object(&s->reply);
		s->requests++;
		s->errors++;
	} else if (blank(line, len)) {
		return; /* not a request */
	} else {
		serve(s, "socket", line, len, false, &res);
	}
	lock(s);
	client_queue(s, lc->c, json_out_text(&s->reply), s->reply.len);
	unlock(s);
}

static void client_read(struct ctl_server *s, struct ctl_client *c)
{
	struct line_ctx lc = { s, c };
	char buf[4096];

	for (int round = 0; round < READ_ROUNDS && !c->eof && !c->dead; round++) {
		ssize_t n;
		bool behind;

		lock(s);
		behind = c->out_len > CTL_OUT_THROTTLE;
		unlock(s);
		if (behind)
			return; /* its requests wait until it reads its replies */
		n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0) {
			ctl_linebuf_feed(&c->in, buf, n, client_line, &lc);
		} else if (n == 0) {
			/* It shut its side: a last request without a newline counts. */
			ctl_linebuf_finish(&c->in, client_line, &lc);
			c->eof = true;
		} else if (errno == EINTR) {
			continue;
		} else {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				c->dead = true;
			return;
		}
	}
}

/* ---- listening ---- */

static void refuse(struct ctl_server *s, int fd)
{
	char line[200];
	int n = snprintf(line, sizeof(line),
			 "{\"ok\": false, \"error\": \"too many control clients (%d connected): close one and retry\"}\n",
			 CTL_MAX_CLIENTS);

	/* A fresh socket's buffer takes one short line; if not, the close says enough. */
	if (send(fd, line, n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		pr_debug("control: refusing a client: %s", strerror(errno));
	close(fd);
	s->refused++;
}

static void arm_timer(struct ctl_server *s);

static void accept_clients(struct ctl_server *s)
{
	for (;;) {
		int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct ctl_client *c = NULL;

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				/* Out of fds or memory: the socket stays readable, so wait a little. */
				pr_warn("control: cannot accept a client: %s", strerror(errno));
				s->accept_paused_until = now_ms() + ACCEPT_PAUSE_MS;
				arm_timer(s);
			}
			return;
		}
		for (int i = 0; i < CTL_MAX_CLIENTS; i++)
			if (s->client[i].fd < 0) {
				c = &s->client[i];
				break;
			}
		if (!c) {
			refuse(s, fd);
			continue;
		}
		lock(s);
		c->fd = fd;
		c->id = ++s->next_id;
		ctl_linebuf_init(&c->in, CTL_LINE_MAX);
		unlock(s);
		s->accepted++;
		pr_debug("control: client %lu connected", c->id);
	}
}

static int socket_fail(char *err, size_t errlen, int ret, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int socket_fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

/* Someone listens on @addr? (a stale file of an exited minivmm: no) */
static bool socket_in_use(const struct sockaddr_un *addr)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool used;

	if (fd < 0)
		return true; /* cannot tell: do not remove it */
	used = !connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) || errno != ECONNREFUSED;
	close(fd);
	return used;
}

static int open_socket(struct ctl_server *s, const char *path, char *err, size_t errlen)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old;
	int ret;

	if (!path[0] || strlen(path) >= sizeof(addr.sun_path))
		return socket_fail(err, errlen, -ENAMETOOLONG,
				   "--control '%s': a Unix socket path has 1 to %zu bytes: use a shorter one, e.g. /run/minivmm.sock",
				   path, sizeof(addr.sun_path) - 1);
	memcpy(addr.sun_path, path, strlen(path) + 1);
	s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->listen_fd < 0)
		return socket_fail(err, errlen, -errno, "--control: cannot create a Unix socket: %s", strerror(errno));
	if (!lstat(path, &st)) {
		if (!S_ISSOCK(st.st_mode))
			return socket_fail(err, errlen, -EEXIST,
					   "--control %s exists and is not a socket: remove it or choose another path", path);
		if (socket_in_use(&addr))
			return socket_fail(err, errlen, -EADDRINUSE,
					   "--control %s is in use (another minivmm listens there): stop it or choose another path",
					   path);
		/* Left behind by a minivmm that was killed: ours to replace. */
		unlink(path);
	}
	/* Only our user may connect: the socket can stop the VM. (No threads yet.) */
	old = umask(0177);
	ret = bind(s->listen_fd, (struct sockaddr *)&addr, sizeof(addr));
	umask(old);
	if (ret) {
		ret = -errno;
		if (errno == ENOENT || errno == ENOTDIR)
			return socket_fail(err, errlen, ret, "--control %s: its directory does not exist: create it or choose another path",
					   path);
		if (errno == EACCES || errno == EROFS)
			return socket_fail(err, errlen, ret, "--control %s: cannot create it there (%s): choose a directory you can write",
					   path, strerror(errno));
		return socket_fail(err, errlen, ret, "--control %s: cannot bind: %s", path, strerror(errno));
	}
	s->path = strdup(path);
	if (!s->path || stat(path, &st)) {
		unlink(path);
		return socket_fail(err, errlen, -ENOMEM, "--control %s: out of memory", path);
	}
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	if (listen(s->listen_fd, CTL_MAX_CLIENTS))
		return socket_fail(err, errlen, -errno, "--control %s: cannot listen: %s", path, strerror(errno));
	return 0;
}

/* ---- --at ---- */

static void arm_timer(struct ctl_server *s)
{
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };
	long when = 0;

	if (s->timer_fd < 0 || !s->started)
		return;
	if (s->at_next < s->nat)
		when = s->t0 + s->at[s->at_next].ms;
	if (s->accept_paused_until && (!when || s->accept_paused_until < when))
		when = s->accept_paused_until;
	if (when) {
		its.it_value.tv_sec = when / 1000;
		its.it_value.tv_nsec = (when % 1000) * 1000000L;
		if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
			its.it_value.tv_nsec = 1; /* zero would disarm it */
	}
	if (timerfd_settime(s->timer_fd, TFD_TIMER_ABSTIME, &its, NULL))
		pr_warn("control: cannot arm the --at timer: %s", strerror(errno));
}

static void run_at(struct ctl_server *s, struct ctl_at_entry *a)
{
	struct ctl_result res;
	char line[1024];

	serve(s, a->source, a->request, strlen(a->request), true, &res);
	a->done = true;
	/* One line at the default verbosity, so that CI logs show what was done
	 * when; with --quiet only a command that failed. */
	snprintf(line, sizeof(line), "minivmm: %s: %s -> %s\n", a->source, a->request, json_out_text(&s->reply));
	if (!res.ok || log_shown(LOG_NOTICE))
		fputs(line, stderr);
}

static void timer_due(struct ctl_server *s)
{
	long t = now_ms();

	if (s->accept_paused_until && t >= s->accept_paused_until)
		s->accept_paused_until = 0;
	while (s->at_next < s->nat && s->t0 + s->at[s->at_next].ms <= t && !s->finishing)
		run_at(s, &s->at[s->at_next++]);
	arm_timer(s);
}

static int add_at(struct ctl_server *s, const char *spec, char *err, size_t errlen)
{
	struct json_out req;
	struct ctl_at_entry e = { 0 };
	const char *colon = strchr(spec, ':');
	unsigned int i;
	int ret;

	if (s->nat == CTL_MAX_AT)
		return socket_fail(err, errlen, -E2BIG, "more than %d --at: combine or drop some", CTL_MAX_AT);
	json_out_init(&req, CTL_LINE_MAX);
	ret = ctl_at_request(s->table, spec, &e.ms, &req, err, errlen);
	if (!ret) {
		e.request = strdup(json_out_text(&req));
		if (!e.request)
			ret = socket_fail(err, errlen, -ENOMEM, "out of memory");
	}
	json_out_free(&req);
	if (ret)
		return ret;
	snprintf(e.source, sizeof(e.source), "--at %.*s", (int)(colon - spec), spec);
	/* Sorted by time, in the order given for equal times. */
	for (i = s->nat; i > 0 && s->at[i - 1].ms > e.ms; i--)
		s->at[i] = s->at[i - 1];
	s->at[i] = e;
	s->nat++;
	return 0;
}

/* ---- the interface ---- */

int ctl_server_create(struct ctl_server **out, const char *path, const char *const at[], unsigned int nat,
		      const struct ctl_cmd *table, void *ctx, char *err, size_t errlen)
{
	struct ctl_server *s = calloc(1, sizeof(*s));
	int ret;

	*out = NULL;
	if (!s)
		return socket_fail(err, errlen, -ENOMEM, "out of memory");
	s->table = table;
	s->ctx = ctx;
	s->listen_fd = s->wake_fd = s->timer_fd = -1;
	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		s->client[i].fd = -1;
	json_out_init(&s->reply, CTL_REPLY_MAX);
	json_out_init(&s->event, CTL_REPLY_MAX);
	ret = -pthread_mutex_init(&s->lock, NULL);
	s->lock_ready = !ret;
	for (unsigned int i = 0; !ret && i < nat; i++)
		ret = add_at(s, at[i], err, errlen);
	if (!ret) {
		s->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (s->wake_fd < 0)
			ret = socket_fail(err, errlen, -errno, "control: cannot create an eventfd: %s", strerror(errno));
	}
	if (!ret) {
		s->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
		if (s->timer_fd < 0)
			ret = socket_fail(err, errlen, -errno, "control: cannot create a timerfd: %s", strerror(errno));
	}
	if (!ret && path)
		ret = open_socket(s, path, err, errlen);
	if (ret) {
		ctl_server_destroy(s);
		return ret;
	}
	*out = s;
	return 0;
}

int ctl_server_pollfds(struct ctl_server *s, struct pollfd *pfd, int max)
{
	int n = 0;

	if (!s)
		return 0;
	if (!atomic_load(&s->started)) {
		atomic_store(&s->t0, now_ms());
		atomic_store(&s->started, true);
		arm_timer(s);
	}
#define ADD_SLOT(fd_, events_, kind_, client_)                                               \
	do {                                                                                  \
		if (n < max) {                                                                \
			pfd[n] = (struct pollfd){ .fd = (fd_), .events = (events_) };         \
			s->slot[n].kind = (kind_);                                            \
			s->slot[n].client = (client_);                                        \
			n++;                                                                  \
		}                                                                             \
	} while (0)
	if (s->listen_fd >= 0 && !s->accept_paused_until && !s->finishing)
		ADD_SLOT(s->listen_fd, POLLIN, SLOT_LISTEN, -1);
	ADD_SLOT(s->wake_fd, POLLIN, SLOT_WAKE, -1);
	ADD_SLOT(s->timer_fd, POLLIN, SLOT_TIMER, -1);
	lock(s);
	for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
		struct ctl_client *c = &s->client[i];
		short events = 0;

		if (c->fd < 0)
			continue;
		if (!c->eof && !c->dead && c->out_len <= CTL_OUT_THROTTLE)
			events |= POLLIN;
		if (c->out_len && !c->dead)
			events |= POLLOUT;
		ADD_SLOT(c->fd, events, SLOT_CLIENT, i);
	}
	unlock(s);
#undef ADD_SLOT
	s->nslots = n;
	return n;
}

void ctl_server_handle(struct ctl_server *s, const struct pollfd *pfd, int n)
{
	uint64_t count;

	if (!s)
		return;
	for (int i = 0; i < n && i < s->nslots; i++) {
		short re = pfd[i].revents;

		if (!re)
			continue;
		switch (s->slot[i].kind) {
		case SLOT_WAKE:
			if (read(s->wake_fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
				pr_warn("control: reading the wake-up eventfd: %s", strerror(errno));
			break;
		case SLOT_TIMER:
			if (read(s->timer_fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
				pr_warn("control: reading the --at timer: %s", strerror(errno));
			timer_due(s);
			break;
		case SLOT_LISTEN:
			accept_clients(s);
			break;
		case SLOT_CLIENT: {
			struct ctl_client *c = &s->client[s->slot[i].client];

			/* Clients close only below, so the slot still holds this fd. */
			if (c->fd == pfd[i].fd && (re & (POLLIN | POLLHUP | POLLERR)))
				client_read(s, c);
			break;
		}
		}
	}
	lock(s);
	for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
		struct ctl_client *c = &s->client[i];

		if (c->fd < 0)
			continue;
		if (!c->dead && c->out_len && client_flush(c))
			c->dead = true;
		if (c->dead || (c->eof && !c->out_len))
			client_close(c);
	}
	unlock(s);
}

static struct json_out *event_begin_at(struct ctl_server *s, const char *name, long t_ms)
{
	lock(s);
	json_out_reset(&s->event);
	json_begin_object(&s->event);
	json_kv_string(&s->event, "event", name);
	json_kv_int(&s->event, "time_ms", t_ms);
	return &s->event;
}

struct json_out *ctl_event_begin(struct ctl_server *s, const char *name)
{
	return s ? event_begin_at(s, name, ctl_server_time_ms(s)) : NULL;
}

void ctl_event_end(struct ctl_server *s, struct json_out *ev)
{
	if (!s || !ev)
		return;
	json_end_object(ev);
	if (ev->failed) {
		pr_warn("control: an event did not fit in %d bytes: not sent", CTL_REPLY_MAX);
	} else {
		for (int i = 0; i < CTL_MAX_CLIENTS; i++)
			client_queue(s, &s->client[i], json_out_text(ev), ev->len);
		s->events++;
	}
	unlock(s);
	wake(s);
}

void ctl_eventlog_sink(void *opaque, long t_ms, const char *kind, const char *what)
{
	struct ctl_server *s = opaque;
	struct json_out *ev;

	if (!s)
		return;
	/* The log's own time, so the event and the --stats entry agree. */
	ev = event_begin_at(s, kind, t_ms);
	json_kv_string(ev, "what", what);
	ctl_event_end(s, ev);
}

/* Queued output reaches the clients that still read, for up to FINISH_FLUSH_MS. */
static void flush_before_close(struct ctl_server *s)
{
	long deadline = now_ms() + FINISH_FLUSH_MS;

	for (;;) {
		struct pollfd pfd[CTL_MAX_CLIENTS];
		int n = 0;
		long left = deadline - now_ms();

		lock(s);
		for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
			struct ctl_client *c = &s->client[i];

			if (c->fd < 0 || c->dead || !c->out_len)
				continue;
			if (client_flush(c))
				c->dead = true;
			else if (c->out_len)
				pfd[n++] = (struct pollfd){ .fd = c->fd, .events = POLLOUT };
		}
		unlock(s);
		if (!n || left <= 0)
			return;
		if (poll(pfd, n, (int)left) < 0 && errno != EINTR)
			return;
	}
}

/* The socket file goes, if it still is the one we made. */
bool ctl_socket_remove(const char *path, dev_t dev, ino_t ino)
{
	struct stat st;

	return !lstat(path, &st) && S_ISSOCK(st.st_mode) && st.st_dev == dev && st.st_ino == ino && !unlink(path);
}

bool ctl_server_socket(const struct ctl_server *s, const char **path, dev_t *dev, ino_t *ino)
{
	if (!s || !s->path || s->removed)
		return false;
	*path = s->path;
	*dev = s->dev;
	*ino = s->ino;
	return true;
}

static void remove_socket_file(struct ctl_server *s)
{
	if (s->path && !s->removed)
		ctl_socket_remove(s->path, s->dev, s->ino);
	s->removed = true;
}

void ctl_server_finish(struct ctl_server *s, int status, const char *msg)
{
	struct json_out *ev;

	if (!s || s->finishing)
		return;
	ev = ctl_event_begin(s, "guest-stopped");
	json_kv_int(ev, "status", status);
	json_kv_string(ev, "message", msg);
	ctl_event_end(s, ev);
	s->finishing = true;
	/* New clients now find no socket rather than a VM that does not answer. */
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	s->listen_fd = -1;
	remove_socket_file(s);
	for (unsigned int i = s->at_next; i < s->nat; i++) {
		struct ctl_result res = { .ok = false };

		snprintf(res.error, sizeof(res.error), "not run: the guest stopped at %ld ms", ctl_server_time_ms(s));
		res.cmd = NULL;
		log_command(s, s->at[i].source, &res, s->at[i].request, strlen(s->at[i].request));
		pr_warn("%s: %s not run: the guest stopped first", s->at[i].source, s->at[i].request);
	}
	s->at_next = s->nat;
	flush_before_close(s);
	lock(s);
	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		client_close(&s->client[i]);
	unlock(s);
}

void ctl_server_print_stats(struct ctl_server *s, FILE *f)
{
	struct json_out o;

	if (!s)
		return;
	json_out_init(&o, 1 << 20);
	json_begin_object(&o); /* only the members are printed, see below */
	json_key(&o, "control");
	json_begin_object(&o);
	json_kv_string(&o, "socket", s->path);
	json_kv_uint(&o, "clients", s->accepted);
	json_kv_uint(&o, "refused", s->refused);
	json_kv_uint(&o, "dropped", s->dropped);
	json_kv_uint(&o, "requests", s->requests);
	json_kv_uint(&o, "errors", s->errors);
	json_kv_uint(&o, "events", s->events);
	json_key(&o, "commands");
	json_begin_array(&o);
	for (unsigned int i = 0; i < s->nlog; i++) {
		const struct ctl_log_entry *e = &s->log[i];

		json_begin_object(&o);
		json_kv_int(&o, "time_ms", e->time_ms);
		json_kv_string(&o, "source", e->source);
		json_kv_string(&o, "cmd", e->cmd);
		json_kv_string(&o, "request", e->request);
		json_kv_bool(&o, "ok", e->ok);
		if (!e->ok)
			json_kv_string(&o, "error", e->error);
		json_end_object(&o);
	}
	json_end_array(&o);
	json_kv_uint(&o, "commands_not_logged", s->log_dropped);
	json_end_object(&o);
	json_end_object(&o);
	/* Without the outer braces: members of the --stats object. */
	if (!o.failed && o.len > 2)
		fprintf(f, ", %.*s", (int)(o.len - 2), o.buf + 1);
	json_out_free(&o);
}

void ctl_server_destroy(struct ctl_server *s)
{
	if (!s)
		return;
	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		client_close(&s->client[i]);
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	if (s->wake_fd >= 0)
		close(s->wake_fd);
	if (s->timer_fd >= 0)
		close(s->timer_fd);
	remove_socket_file(s);
	free(s->path);
	for (unsigned int i = 0; i < s->nat; i++)
		free(s->at[i].request);
	for (unsigned int i = 0; i < s->nlog; i++)
		free(s->log[i].request);
	json_out_free(&s->reply);
	json_out_free(&s->event);
	if (s->lock_ready)
		pthread_mutex_destroy(&s->lock);
	free(s);
}
