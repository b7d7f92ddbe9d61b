// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "minivmm/console.h"
#include "minivmm/log.h"

int console_init(struct console *c, const char *path)
{
	memset(c, 0, sizeof(*c));
	c->out_fd = c->in_fd = -1;
	if (pthread_mutex_init(&c->lock, NULL))
		return -ENOMEM;
	c->lock_ready = true;
	if (path) {
		c->out_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (c->out_fd < 0) {
			int ret = -errno;

			pr_err("cannot write console file '%s': %s; check --console", path, strerror(errno));
			return ret;
		}
		c->out_owned = true;
	} else {
		c->out_fd = STDOUT_FILENO;
	}
	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &c->saved) == 0) {
		struct termios raw = c->saved;

		cfmakeraw(&raw);
		raw.c_oflag |= OPOST | ONLCR; /* keep our own messages readable */
		if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0) {
			c->raw = true;
			c->in_fd = STDIN_FILENO;
		}
	}
	return 0;
}

void console_destroy(struct console *c)
{
	if (c->raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &c->saved);
	c->raw = false;
	if (c->out_owned && c->out_fd >= 0)
		close(c->out_fd);
	c->out_fd = -1;
	if (c->lock_ready)
		pthread_mutex_destroy(&c->lock);
	c->lock_ready = false;
}

static void console_end_line(struct console *c)
{
	c->line[c->linelen] = 0;
	memcpy(c->tail[(c->tail_next + c->tail_count) % CONSOLE_TAIL_LINES], c->line, c->linelen + 1);
	if (c->tail_count < CONSOLE_TAIL_LINES)
		c->tail_count++;
	else
		c->tail_next = (c->tail_next + 1) % CONSOLE_TAIL_LINES;
	if (c->on_line)
		c->on_line(c->opaque, c->line);
	c->linelen = 0;
}

void console_output(struct console *c, const void *buf, size_t n)
{
	const char *p = buf;

	pthread_mutex_lock(&c->lock);
	if (c->out_fd >= 0) {
		size_t done = 0;

		while (done < n) {
			ssize_t w = write(c->out_fd, p + done, n - done);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break; /* a closed stdout must not stop the guest */
			done += w;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n') {
			console_end_line(c);
		} else if (p[i] != '\r' && c->linelen < CONSOLE_LINE_MAX - 1) {
			c->line[c->linelen++] = p[i];
		}
	}
	pthread_mutex_unlock(&c->lock);
}

unsigned int console_tail(struct console *c, char out[][CONSOLE_LINE_MAX], unsigned int max)
{
	unsigned int n;

	pthread_mutex_lock(&c->lock);
	n = c->tail_count < max ? c->tail_count : max;
	for (unsigned int i = 0; i < n; i++)
		memcpy(out[i], c->tail[(c->tail_next + c->tail_count - n + i) % CONSOLE_TAIL_LINES],
		       CONSOLE_LINE_MAX);
	pthread_mutex_unlock(&c->lock);
	return n;
}

enum console_key console_filter_key(struct console *c, unsigned char *key)
{
	if (c->escape) {
		c->escape = false;
		if (*key == 'x' || *key == 'X')
			return CONSOLE_KEY_QUIT;
		return *key == CONSOLE_ESCAPE_KEY ? CONSOLE_KEY_SEND : CONSOLE_KEY_DROP;
	}
	if (*key == CONSOLE_ESCAPE_KEY) {
		c->escape = true;
		return CONSOLE_KEY_DROP;
	}
	return CONSOLE_KEY_SEND;
}
