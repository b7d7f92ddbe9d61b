/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The control channel of a running VM: `--control PATH`, a Unix stream
 * socket speaking JSON lines (cmd.h has the request and reply format),
 * and the `--at TIME:COMMAND` schedule. It lives in the main loop: the
 * loop polls the fds ctl_server_pollfds() gives it and passes the result
 * to ctl_server_handle(). All socket I/O is non-blocking; a client that
 * sends garbage gets error replies, one that stops reading is dropped,
 * one too many is refused: none can stall or crash the VM.
 *
 * Events are pushed to every client as lines of their own:
 *     {"event": "guest-stopped", "time_ms": 5012, "status": 0, "message": "..."}
 * "time_ms" counts from the start of the guest (the first
 * ctl_server_pollfds()), as --at times do. To push one, from any thread:
 *
 *     struct json_out *ev = ctl_event_begin(vm->ctl, "fault-injected");
 *     json_kv_string(ev, "bdf", d->name);
 *     json_kv_int(ev, "vector", 3);
 *     ctl_event_end(vm->ctl, ev);
 *
 * (NULL-safe: without a control channel both are no-ops; do not nest them.)
 */
#ifndef MINIVMM_CTL_SERVER_H
#define MINIVMM_CTL_SERVER_H

#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "minivmm/ctl/cmd.h"
#include "minivmm/ctl/json.h"

#define CTL_LINE_MAX 16384           /* longest request line */
#define CTL_MAX_CLIENTS 16
#define CTL_OUT_THROTTLE (256 << 10) /* a client this far behind: its requests wait */
#define CTL_OUT_MAX (1 << 20)        /* ... this far: it is dropped */
#define CTL_REPLY_MAX (512 << 10)    /* longest reply or event line */
#define CTL_LOG_MAX 64               /* commands kept for --stats */
#define CTL_MAX_AT 32
/* listen socket, wake-up eventfd, --at timerfd, clients */
#define CTL_SERVER_POLLFDS (3 + CTL_MAX_CLIENTS)

struct ctl_server;

/*
 * A control channel: the socket at @path (NULL: none) and the --at
 * specs @at[@nat], commands from @table run with @ctx. Every --at is
 * checked here. -errno with a one-line @err (problem and fix) on failure.
 */
int ctl_server_create(struct ctl_server **out, const char *path, const char *const at[], unsigned int nat,
		      const struct ctl_cmd *table, void *ctx, char *err, size_t errlen);
/* Fills up to @max entries of @pfd (events set, revents cleared); returns how many. 0 for NULL. */
int ctl_server_pollfds(struct ctl_server *s, struct pollfd *pfd, int max);
/* After poll(): serve what the @n entries from ctl_server_pollfds() report. */
void ctl_server_handle(struct ctl_server *s, const struct pollfd *pfd, int n);
/* Milliseconds since the guest started (0 before). */
long ctl_server_time_ms(const struct ctl_server *s);

/* An event: add members to the writer returned, then end it. Any thread. */
struct json_out *ctl_event_begin(struct ctl_server *s, const char *name);
void ctl_event_end(struct ctl_server *s, struct json_out *ev);

/*
 * A sink for the VM's event log (eventlog.h; @opaque is the server): each
 * entry, a fault injected or a hotplug step, is pushed as
 *     {"event": KIND, "time_ms": T, "what": "..."}
 * with the log's time and kind ("drop-msi", "unplug", "unplugged", ...).
 */
void ctl_eventlog_sink(void *opaque, long t_ms, const char *kind, const char *what);

/*
 * The guest stopped: push "guest-stopped" with @status and @msg, stop
 * listening, give clients up to a second to read what is queued, close.
 */
void ctl_server_finish(struct ctl_server *s, int status, const char *msg);
/* `, "control": {...}` for the --stats JSON (nothing for NULL). */
void ctl_server_print_stats(struct ctl_server *s, FILE *f);
/*
 * The socket file @s made (@path, and its device and inode to tell it from
 * a later one at the same path); false when it has none (--at only, NULL).
 */
bool ctl_server_socket(const struct ctl_server *s, const char **path, dev_t *dev, ino_t *ino);
/*
 * Remove @path if it is still the socket file (@dev, @ino) a server made:
 * for whoever cleans up after a killed minivmm. True when it was removed.
 */
bool ctl_socket_remove(const char *path, dev_t dev, ino_t ino);
/* Closes everything, removes the socket file; accepts NULL and half-built servers. */
void ctl_server_destroy(struct ctl_server *s);

#endif
