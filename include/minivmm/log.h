/* SPDX-License-Identifier: GPL-2.0-only */
/* Logging to stderr with a component prefix ("minivmm: 0000:00:03.0: ..."). */
#ifndef MINIVMM_LOG_H
#define MINIVMM_LOG_H

#include <stdbool.h>
#include <stdio.h>

/* LOG_NOTICE: what a run says by default besides warnings (progress lines,
 * the tests: summary); --quiet shows LOG_ERROR only. */
enum log_level { LOG_ERROR, LOG_WARN, LOG_NOTICE, LOG_INFO, LOG_DEBUG };

/* Verbosity of this process; set once by main() from the options. */
void log_set_level(enum log_level level);
/* Whether messages of @level are printed. */
bool log_shown(enum log_level level);
void log_msg(enum log_level level, const char *prefix, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define pr_err(...) log_msg(LOG_ERROR, NULL, __VA_ARGS__)
#define pr_warn(...) log_msg(LOG_WARN, NULL, __VA_ARGS__)
#define pr_notice(...) log_msg(LOG_NOTICE, NULL, __VA_ARGS__)
#define pr_info(...) log_msg(LOG_INFO, NULL, __VA_ARGS__)
#define pr_debug(...) log_msg(LOG_DEBUG, NULL, __VA_ARGS__)
/* Per-device variants: @p is the device's name, e.g. its BDF. */
#define dev_err(p, ...) log_msg(LOG_ERROR, p, __VA_ARGS__)
#define dev_warn(p, ...) log_msg(LOG_WARN, p, __VA_ARGS__)
#define dev_info(p, ...) log_msg(LOG_INFO, p, __VA_ARGS__)
#define dev_debug(p, ...) log_msg(LOG_DEBUG, p, __VA_ARGS__)

#endif
