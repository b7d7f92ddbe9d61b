// SPDX-License-Identifier: GPL-2.0-only
/* Line framing of a byte stream (see line.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "minivmm/ctl/line.h"

void ctl_linebuf_init(struct ctl_linebuf *lb, size_t max)
{
	memset(lb, 0, sizeof(*lb));
	lb->max = max;
}

void ctl_linebuf_free(struct ctl_linebuf *lb)
{
	free(lb->buf);
	lb->buf = NULL;
	lb->len = lb->cap = 0;
}

static void emit(struct ctl_linebuf *lb, ctl_line_fn fn, void *opaque)
{
	size_t n = lb->len;

	if (n && lb->buf[n - 1] == '\r')
		n--;
	fn(opaque, lb->buf ? lb->buf : "", n, false);
	lb->len = 0;
}

static int append(struct ctl_linebuf *lb, const char *data, size_t n)
{
	if (!n)
		return 0;
	if (lb->len + n > lb->cap) {
		size_t cap = lb->cap ? lb->cap : 256;
		char *b;

		while (cap < lb->len + n)
			cap *= 2;
		if (cap > lb->max)
			cap = lb->max;
		b = realloc(lb->buf, cap);
		if (!b)
			return -ENOMEM;
		lb->buf = b;
		lb->cap = cap;
	}
	memcpy(lb->buf + lb->len, data, n);
	lb->len += n;
	return 0;
}

int ctl_linebuf_feed(struct ctl_linebuf *lb, const char *data, size_t n, ctl_line_fn fn, void *opaque)
{
	int ret = 0;

	while (n) {
		const char *nl = memchr(data, '\n', n);
		size_t chunk = nl ? (size_t)(nl - data) : n;

		if (lb->overlong) {
			/* Dropping the rest of a line that was too long. */
		} else if (lb->len + chunk > lb->max) {
			size_t room = lb->max - lb->len;

			if (append(lb, data, room))
				ret = -ENOMEM;
			fn(opaque, lb->buf ? lb->buf : "", lb->len, true);
			lb->len = 0;
			lb->overlong = true;
		} else if (append(lb, data, chunk)) {
			ret = -ENOMEM;
			lb->len = 0;
			lb->overlong = true;
		}
		if (!nl)
			break;
		if (lb->overlong)
			lb->overlong = false;
		else
			emit(lb, fn, opaque);
		n -= chunk + 1;
		data = nl + 1;
	}
	return ret;
}

void ctl_linebuf_finish(struct ctl_linebuf *lb, ctl_line_fn fn, void *opaque)
{
	if (!lb->overlong && lb->len)
		emit(lb, fn, opaque);
	lb->len = 0;
	lb->overlong = false;
}
