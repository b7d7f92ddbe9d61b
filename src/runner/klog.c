// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel-log parser's stream: console lines -> reports, following the
 * rules of syzkaller's pkg/report (linux.go) for where a report starts and
 * which lines belong to it:
 *
 * - A console line may carry the kernel's prefix, "[   12.345678] " with
 *   CONFIG_PRINTK_TIME, "[   12.345678][  T123] " or "[  C1] " with
 *   CONFIG_PRINTK_CALLER (optionally after "<4>" or "** N printk messages
 *   dropped ** "). The caller id is the line's context; a timestamp alone
 *   gives the context "console", no prefix the empty one (user space). A
 *   prefix further into the line (a program's partial line in front of a
 *   kernel line) counts from there.
 * - A report's lines are those of its own context: another task's or
 *   CPU's lines in between are left out, and so is user-space output when
 *   the kernel's lines are timestamped. After "Sending NMI from CPU" the
 *   other CPUs' lines ("[  Cn]") belong to it too (their backtraces).
 * - Once the console has shown a timestamped kernel line, a report starts
 *   only on a timestamped line: what a program prints is no kernel report.
 * - A report ends at the next report in its context (lines such as
 *   "invalid opcode:" after "kernel BUG at" do not start one; NETDEV
 *   WATCHDOG's and a hard lockup's own WARN belongs to them), at a kernel
 *   panic, or at its own end: "---[ end trace" of WARN and oopses, the
 *   closing "=====" of sanitizer reports, the "</TASK>" of the one stack
 *   the others dump, "Disabling IRQ #N" after "nobody cared". One that
 *   never ends stops after KLOG_OPEN_LINES lines.
 *
 * One report may be open per context (KLOG_SLOTS contexts at a time, the
 * oldest is closed for a new one). Every report is counted; the lines of
 * the first one of a class not ignored are kept, up to KLOG_KEEP_LINES and
 * KLOG_KEEP_BYTES.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "minivmm/runner/klog.h"
#include "minivmm/runner/klog_format.h"

#define KLOG_CTX_MAX 16
#define KLOG_SLOTS 8
#define KLOG_ABSORB_LINES 4    /* a message-first report's WARN comes within these */
#define KLOG_OPEN_LINES 400

static const char *const class_names[KLOG_NCLASSES] = {
	[KLOG_RCU_STALL] = "rcu-stall",
	[KLOG_SOFT_LOCKUP] = "soft-lockup",
	[KLOG_HARD_LOCKUP] = "hard-lockup",
	[KLOG_HUNG_TASK] = "hung-task",
	[KLOG_WARNING] = "warning",
	[KLOG_LOCKDEP] = "lockdep",
	[KLOG_BUG] = "bug",
	[KLOG_OOPS] = "oops",
	[KLOG_KASAN] = "kasan",
	[KLOG_KCSAN] = "kcsan",
	[KLOG_KMSAN] = "kmsan",
	[KLOG_KFENCE] = "kfence",
	[KLOG_UBSAN] = "ubsan",
	[KLOG_NETDEV_WATCHDOG] = "netdev-watchdog",
	[KLOG_IRQ_NOBODY_CARED] = "irq-nobody-cared",
};

struct klog_slot {
	bool open;
	bool first;                  /* the kept report */
	bool absorb;                 /* its own WARN may still come */
	enum klog_kind kind;
	enum klog_end end;
	unsigned int lines;          /* of its context since the header */
	unsigned long used;          /* for replacing the oldest */
	char ctx[KLOG_CTX_MAX];
};

struct klog_parser {
	unsigned int ignore;
	bool timestamps;             /* a kernel line with a timestamp was seen */
	unsigned int counts[KLOG_NCLASSES];
	struct klog_slot slots[KLOG_SLOTS];
	unsigned long clock;

	/* The first report not ignored. */
	bool have;
	bool keeping;                /* still open: lines may follow */
	bool cpu_traceback;          /* "Sending NMI from CPU": other CPUs' lines belong */
	enum klog_kind kind;
	char ctx[KLOG_CTX_MAX];
	size_t len;
	struct klog_report rep;
	char text[KLOG_KEEP_BYTES];
	char title[KLOG_TITLE_MAX];
};

struct klog_parser *klog_new(unsigned int ignore_mask)
{
	struct klog_parser *p = calloc(1, sizeof(*p));

	if (p)
		p->ignore = ignore_mask & KLOG_ALL_CLASSES;
	return p;
}

void klog_free(struct klog_parser *p)
{
	free(p);
}

const char *klog_class_name(enum klog_class cls)
{
	return (unsigned int)cls < KLOG_NCLASSES ? class_names[cls] : NULL;
}

int klog_class_parse(const char *list, unsigned int *mask, char *err, size_t errlen)
{
	const char *p = list;

	*mask = 0;
	if (!strcmp(list, "all")) {
		*mask = KLOG_ALL_CLASSES;
		return 0;
	}
	for (;;) {
		size_t n = strcspn(p, ",");
		unsigned int c;

		for (c = 0; c < KLOG_NCLASSES; c++)
			if (strlen(class_names[c]) == n && !strncmp(p, class_names[c], n))
				break;
		if (c == KLOG_NCLASSES) {
			char names[512];
			size_t used = 0;

			names[0] = 0;
			for (unsigned int i = 0; i < KLOG_NCLASSES && used < sizeof(names); i++)
				used += snprintf(names + used, sizeof(names) - used, "%s%s", i ? "," : "",
						 class_names[i]);
			snprintf(err, errlen, "'%.*s' is no kernel-log class: give 'all' or a comma-separated list of %s",
				 (int)(n > 64 ? 64 : n), p, names);
			return -EINVAL;
		}
		*mask |= 1u << c;
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

unsigned int klog_count(const struct klog_parser *p, enum klog_class cls)
{
	return (unsigned int)cls < KLOG_NCLASSES ? p->counts[cls] : 0;
}

void klog_print_json(const struct klog_parser *p, FILE *f)
{
	const char *sep = "";

	fputc('{', f);
	for (unsigned int c = 0; p && c < KLOG_NCLASSES; c++) {
		if (!p->counts[c])
			continue;
		fprintf(f, "%s\"%s\": %u", sep, class_names[c], p->counts[c]);
		sep = ", ";
	}
	fputc('}', f);
}

/* "[ 12.345678]" or "[ 12.345678][  T123]" + ' ' at @s: the message after it, else NULL. */
static const char *prefix_at(const char *s, char ctx[KLOG_CTX_MAX])
{
	const char *p = s + 1;
	size_t n;

	if (*s != '[')
		return NULL;
	while (*p == ' ')
		p++;
	if (!isdigit((unsigned char)*p))
		return NULL;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p++ != '.' || !isdigit((unsigned char)*p))
		return NULL;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p++ != ']')
		return NULL;
	snprintf(ctx, KLOG_CTX_MAX, "console");
	if (*p == '[') {
		const char *q = p + 1;

		while (*q == ' ')
			q++;
		if ((*q == 'C' || *q == 'T') && isdigit((unsigned char)q[1])) {
			for (n = 1; isdigit((unsigned char)q[n]); n++)
				;
			if (q[n] == ']' && n < KLOG_CTX_MAX) {
				memcpy(ctx, q, n);
				ctx[n] = 0;
				p = q + n + 1;
			}
		}
	}
	if (*p != ' ')
		return NULL;
	return p + 1;
}

/* Split @line into context and message (see the top of the file). */
static const char *split_prefix(const char *line, char ctx[KLOG_CTX_MAX])
{
	const char *s = line, *msg;

	if (!strncmp(s, "** ", 3)) {
		const char *e = strstr(s + 3, " printk messages dropped ** ");

		if (e)
			s = e + strlen(" printk messages dropped ** ");
	}
	if (s[0] == '<' && isdigit((unsigned char)s[1])) {
		const char *e = s + 1;

		while (isdigit((unsigned char)*e))
			e++;
		if (*e == '>')
			s = e + 1;
	}
	for (const char *b = strchr(s, '['); b; b = strchr(b + 1, '[')) {
		msg = prefix_at(b, ctx);
		if (msg)
			return msg;
	}
	ctx[0] = 0;
	return line;
}

static bool is_bracket(const char *msg)
{
	size_t n;

	msg += strspn(msg, " \t");
	n = strspn(msg, "=");
	return n >= 20 && msg[n + strspn(msg + n, " \t")] == 0;
}

static void keep(struct klog_parser *p, const char *msg)
{
	size_t n = strlen(msg);

	if (p->rep.truncated)
		return;
	if (p->rep.nlines == KLOG_KEEP_LINES || p->len + n + 2 > sizeof(p->text)) {
		p->rep.truncated = true;
		return;
	}
	memcpy(p->text + p->len, msg, n);
	p->len += n;
	p->text[p->len++] = '\n';
	p->text[p->len] = 0;
	p->rep.nlines++;
}

static void close_slot(struct klog_parser *p, struct klog_slot *s)
{
	if (s->first)
		p->keeping = false;
	s->open = s->first = false;
}

static struct klog_slot *find_slot(struct klog_parser *p, const char *ctx)
{
	for (unsigned int i = 0; i < KLOG_SLOTS; i++)
		if (p->slots[i].open && !strcmp(p->slots[i].ctx, ctx))
			return &p->slots[i];
	return NULL;
}

static void start(struct klog_parser *p, enum klog_kind kind, const char *ctx, const char *msg)
{
	const struct klog_kind_info *k = &klog_kinds[kind];
	struct klog_slot *s = &p->slots[0];

	p->counts[k->cls]++;
	for (unsigned int i = 0; i < KLOG_SLOTS; i++) {
		if (!p->slots[i].open) {
			s = &p->slots[i];
			break;
		}
		if (p->slots[i].used < s->used)
			s = &p->slots[i];
	}
	if (s->open)
		close_slot(p, s);
	memset(s, 0, sizeof(*s));
	s->open = true;
	s->kind = kind;
	s->end = k->end;
	s->absorb = k->message_first;
	s->used = ++p->clock;
	snprintf(s->ctx, sizeof(s->ctx), "%s", ctx);
	if (p->have || (p->ignore & (1u << k->cls)))
		return;
	p->have = p->keeping = true;
	s->first = true;
	p->kind = kind;
	p->rep.cls = k->cls;
	snprintf(p->ctx, sizeof(p->ctx), "%s", ctx);
	keep(p, msg);
}

/* A line of the kept report: its context, or another CPU's in a backtrace of all. */
static bool belongs(const struct klog_parser *p, const char *ctx)
{
	if (!p->keeping)
		return false;
	return !strcmp(ctx, p->ctx) || (p->cpu_traceback && ctx[0] == 'C');
}

static bool ends_with(const struct klog_slot *s, const char *msg)
{
	switch (s->end) {
	case KE_TRACE:
		return strstr(msg, "---[ end trace") != NULL;
	case KE_BRACKET:
		return is_bracket(msg);
	case KE_STACK:
		return strstr(msg, "</TASK>") != NULL;
	case KE_IRQ_DISABLED:
		return strstr(msg, "Disabling IRQ #") != NULL;
	}
	return false;
}

void klog_feed(struct klog_parser *p, const char *raw)
{
	char line[KLOG_LINE_MAX], ctx[KLOG_CTX_MAX];
	struct klog_slot *slot;
	enum klog_kind kind;
	const char *msg;
	size_t n = 0;

	for (const char *c = raw; *c && n < sizeof(line) - 1; c++)
		if (*c != '\r' && *c != '\n')
			line[n++] = *c;
	line[n] = 0;
	msg = split_prefix(line, ctx);
	if (ctx[0])
		p->timestamps = true;
	slot = find_slot(p, ctx);
	if (slot)
		slot->used = ++p->clock;

	if (klog_is_panic(msg)) {
		if (slot)
			close_slot(p, slot);
		return;
	}
	/* NETDEV WATCHDOG without its WARN (6.9+ prints one line). */
	if (slot && slot->absorb && slot->lines >= KLOG_ABSORB_LINES) {
		slot->absorb = false;
		if (slot->end == KE_TRACE) {
			close_slot(p, slot);
			slot = NULL;
		}
	}

	kind = klog_match(msg);
	if (kind != KK_NONE && !ctx[0] && (p->timestamps || klog_kinds[kind].needs_prefix))
		kind = KK_NONE; /* a program's output */
	if (kind != KK_NONE && slot) {
		if (klog_kinds[kind].follows_other) {
			kind = KK_NONE;
		} else if (slot->absorb && (kind == KK_WARN || kind == KK_WARN_NETDEV)) {
			kind = KK_NONE; /* the report's own WARN: it now ends with it */
			slot->absorb = false;
			slot->end = KE_TRACE;
		} else {
			close_slot(p, slot);
			slot = NULL;
		}
	}
	if (kind != KK_NONE) {
		start(p, kind, ctx, msg);
		return;
	}

	if (belongs(p, ctx)) {
		keep(p, msg);
		if (!strcmp(ctx, p->ctx) && strstr(msg, "Sending NMI from CPU"))
			p->cpu_traceback = true;
	}
	if (slot && (++slot->lines >= KLOG_OPEN_LINES || ends_with(slot, msg)))
		close_slot(p, slot);
}

const struct klog_report *klog_first(struct klog_parser *p)
{
	if (!p || !p->have)
		return NULL;
	klog_title(p->kind, p->text, p->title, sizeof(p->title));
	p->rep.title = p->title;
	p->rep.text = p->text;
	return &p->rep;
}
