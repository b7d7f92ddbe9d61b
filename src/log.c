// SPDX-License-Identifier: GPL-2.0-only
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "minivmm/log.h"

/*
 * The one piece of process-wide state: how chatty stderr is. It is set
 * once before any thread starts, so it needs no locking.
 */
static enum log_level log_level = LOG_NOTICE;

void log_set_level(enum log_level level)
{
	log_level = level;
}

bool log_shown(enum log_level level)
{
	return level <= log_level;
}

void log_msg(enum log_level level, const char *prefix, const char *fmt, ...)
{
	static const char *const tag[] = {
		[LOG_ERROR] = "error: ", [LOG_WARN] = "warning: ",
		[LOG_NOTICE] = "", [LOG_INFO] = "", [LOG_DEBUG] = "debug: ",
	};
	char line[1024];
	int n;
	va_list ap;

	if (!log_shown(level))
		return;
	n = snprintf(line, sizeof(line), "minivmm: %s%s%s", prefix ? prefix : "",
		     prefix ? ": " : "", tag[level]);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < sizeof(line))
		vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	/* One write per line so lines from vCPU threads don't interleave. */
	n = strlen(line);
	if (n && line[n - 1] != '\n' && (size_t)n < sizeof(line) - 1) {
		line[n++] = '\n';
		line[n] = 0;
	}
	fputs(line, stderr);
}
