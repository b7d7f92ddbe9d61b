/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Lines out of a byte stream that arrives in pieces (a control client's
 * requests, the client's replies). Pure. A line longer than @max is
 * reported once, as soon as it passes @max, and its bytes are dropped up
 * to its newline; the lines after it are read normally. A trailing CR is
 * stripped.
 */
#ifndef MINIVMM_CTL_LINE_H
#define MINIVMM_CTL_LINE_H

#include <stdbool.h>
#include <stddef.h>

struct ctl_linebuf {
	char *buf;                   /* grows up to @max bytes */
	size_t len, cap, max;
	bool overlong;               /* inside a line that passed @max */
};

/* @too_long: the line passed @max (@line is its first @max bytes). */
typedef void (*ctl_line_fn)(void *opaque, const char *line, size_t len, bool too_long);

void ctl_linebuf_init(struct ctl_linebuf *lb, size_t max);
void ctl_linebuf_free(struct ctl_linebuf *lb);
/* -ENOMEM when the buffer could not grow (the bytes are dropped). */
int ctl_linebuf_feed(struct ctl_linebuf *lb, const char *data, size_t n, ctl_line_fn fn, void *opaque);
/* End of the stream: a last line without its newline is a line too. */
void ctl_linebuf_finish(struct ctl_linebuf *lb, ctl_line_fn fn, void *opaque);

#endif
