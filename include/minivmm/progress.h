/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Progress lines on stderr ("preparing the guest initramfs..."): on a
 * terminal one line that is erased when the work is done (it ends in \r,
 * then ESC[K clears it); on a pipe or a file a plain line, so that CI logs
 * get no control bytes; nothing with --quiet.
 */
#ifndef MINIVMM_PROGRESS_H
#define MINIVMM_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

enum progress_style {
	PROGRESS_OFF,      /* --quiet: not shown */
	PROGRESS_PLAIN,    /* a line ending in \n */
	PROGRESS_TERMINAL, /* \r at the end, ESC[K once done */
};

/*
 * Pure: the style for stderr. @tty: it is a terminal; @term: $TERM (NULL
 * when unset; "dumb" terminals get plain lines); @shown: notices are shown
 * (not --quiet).
 */
enum progress_style progress_style(bool tty, const char *term, bool shown);

/*
 * Pure: the bytes that start a progress line saying @msg, NUL-terminated in
 * @buf (a too long @msg is cut, never the line's end). Returns their length.
 */
size_t progress_format(enum progress_style style, const char *msg, char *buf, size_t len);

/* Pure: the bytes that end it once the work is done ("" or ESC[K). */
const char *progress_done(enum progress_style style);

/* Start a progress line on stderr (printf-style text, no "..." needed). */
void progress_begin(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* End the progress line started last. */
void progress_end(void);

#endif
