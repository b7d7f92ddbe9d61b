// SPDX-License-Identifier: GPL-2.0-only
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "minivmm/log.h"
#include "minivmm/progress.h"

#define PROGRESS_PREFIX "minivmm: "
#define PROGRESS_ELLIPSIS "..."
#define PROGRESS_LINE_MAX 256

enum progress_style progress_style(bool tty, const char *term, bool shown)
{
	if (!shown)
		return PROGRESS_OFF;
	if (!tty || (term && !strcmp(term, "dumb")))
		return PROGRESS_PLAIN;
	return PROGRESS_TERMINAL;
}

size_t progress_format(enum progress_style style, const char *msg, char *buf, size_t len)
{
	const char *end = style == PROGRESS_TERMINAL ? PROGRESS_ELLIPSIS "\r" : PROGRESS_ELLIPSIS "\n";
	size_t fixed = strlen(PROGRESS_PREFIX) + strlen(end);
	size_t n;

	if (!len)
		return 0;
	buf[0] = 0;
	if (style == PROGRESS_OFF || len <= fixed)
		return 0;
	n = strlen(msg);
	if (n > len - 1 - fixed)
		n = len - 1 - fixed;
	snprintf(buf, len, "%s%.*s%s", PROGRESS_PREFIX, (int)n, msg, end);
	return fixed + n;
}

const char *progress_done(enum progress_style style)
{
	return style == PROGRESS_TERMINAL ? "\033[K" : "";
}

/* Decided again at each call: stderr and the level do not change during a line. */
static enum progress_style progress_stderr_style(void)
{
	return progress_style(isatty(STDERR_FILENO), getenv("TERM"), log_shown(LOG_NOTICE));
}

void progress_begin(const char *fmt, ...)
{
	enum progress_style style = progress_stderr_style();
	char msg[PROGRESS_LINE_MAX], line[PROGRESS_LINE_MAX];
	va_list ap;

	if (style == PROGRESS_OFF)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* One write, as log lines are. */
	if (progress_format(style, msg, line, sizeof(line)))
		fputs(line, stderr);
}

void progress_end(void)
{
	fputs(progress_done(progress_stderr_style()), stderr);
}
