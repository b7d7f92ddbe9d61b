/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest console as minivmm sees it: bytes from the UART go to stdout
 * (or --console FILE), are split into lines for the watchers (kernel panic
 * detection), and the last lines are kept for error reports. Keystrokes
 * come from stdin when it is a terminal (raw mode, restored on exit).
 */
#ifndef MINIVMM_CONSOLE_H
#define MINIVMM_CONSOLE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <termios.h>

#define CONSOLE_LINE_MAX 256
#define CONSOLE_TAIL_LINES 16

struct console {
	int out_fd;                  /* -1 until opened */
	bool out_owned;              /* opened by us (--console FILE) */
	int in_fd;                   /* stdin when it is a terminal, else -1 */
	bool raw;                    /* termios changed, restore at destroy */
	struct termios saved;
	bool escape;                 /* Ctrl-A seen: next key is a command */

	pthread_mutex_t lock;
	bool lock_ready;
	char line[CONSOLE_LINE_MAX];
	size_t linelen;
	char tail[CONSOLE_TAIL_LINES][CONSOLE_LINE_MAX];
	unsigned int tail_next;      /* ring index of the oldest line */
	unsigned int tail_count;

	/* Called, under the console lock, for every complete line. */
	void (*on_line)(void *opaque, const char *line);
	void *opaque;
	/* Where keystrokes go (the console UART); returns how many it took. */
	size_t (*input)(void *opaque, const uint8_t *buf, size_t n);
	void *input_opaque;
};

/* @path NULL: stdout. Puts a terminal stdin into raw mode. */
int console_init(struct console *c, const char *path);
void console_destroy(struct console *c);
/* Guest output. */
void console_output(struct console *c, const void *buf, size_t n);
/* Copy the last lines (oldest first), one per entry; returns how many. */
unsigned int console_tail(struct console *c, char out[][CONSOLE_LINE_MAX], unsigned int max);

/* Ctrl-A x quits, Ctrl-A Ctrl-A sends a Ctrl-A. */
#define CONSOLE_ESCAPE_KEY 0x01
enum console_key { CONSOLE_KEY_SEND, CONSOLE_KEY_DROP, CONSOLE_KEY_QUIT };
enum console_key console_filter_key(struct console *c, unsigned char *key);

#endif
