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
 *   "invalid opcode:" after "kernel BUG at" do not start one; the WARN or
 *   BUG that NETDEV WATCHDOG, a hard lockup or a list corruption message
 *   is followed by belongs to it), at a kernel panic, or at its own end:
 *   "---[ end trace" of WARN and oopses, the closing "=====" of sanitizer
 *   reports, the "</TASK>" of the one stack the others dump, "Disabling
 *   IRQ #N" after "nobody cared", the line itself for one-line reports.
 *   One that never ends stops after KLOG_OPEN_LINES lines, and the end of
 *   the console (klog_finish) ends them all.
 *
 * One report may be open per context (KLOG_SLOTS contexts at a time, the
 * oldest is closed for a new one), each with its own lines (up to
 * KLOG_KEEP_LINES and KLOG_KEEP_BYTES). A closed report gets its title;
 * it is accepted when an ignore pattern matches the title or its first
 * line. Every report is counted; the lines of the earliest one of each
 * title are kept, for KLOG_REPORTS_MAX titles.
 */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "minivmm/ctl/json.h"
#include "minivmm/runner/klog.h"
#include "minivmm/runner/klog_format.h"

#define KLOG_CTX_MAX 16
#define KLOG_SLOTS 8
#define KLOG_ABSORB_LINES 4    /* a message-first report's WARN or BUG comes within these */
#define KLOG_OPEN_LINES 400
#define KLOG_JSON_MAX (64 * 1024)

static const char *const class_names[KLOG_NCLASSES] = {
	[KLOG_RCU_STALL] = "rcu-stall",
	[KLOG_SOFT_LOCKUP] = "soft-lockup",
	[KLOG_HARD_LOCKUP] = "hard-lockup",
	[KLOG_HUNG_TASK] = "hung-task",
	[KLOG_WARNING] = "warning",
	[KLOG_LOCKDEP] = "lockdep",
	[KLOG_BUG] = "bug",
	[KLOG_OOPS] = "oops",
	[KLOG_LIST_CORRUPTION] = "list-corruption",
	[KLOG_KASAN] = "kasan",
	[KLOG_KCSAN] = "kcsan",
	[KLOG_KMSAN] = "kmsan",
	[KLOG_KFENCE] = "kfence",
	[KLOG_UBSAN] = "ubsan",
	[KLOG_NETDEV_WATCHDOG] = "netdev-watchdog",
	[KLOG_NETDEV_UNREGISTER] = "netdev-unregister",
	[KLOG_IRQ_NOBODY_CARED] = "irq-nobody-cared",
};

/* A report still receiving lines. */
struct klog_slot {
	bool open;
	bool absorb;                 /* its own WARN or BUG may still come */
	bool cpu_traceback;          /* "Sending NMI from CPU": other CPUs' lines belong */
	enum klog_kind kind;
	enum klog_end end;
	unsigned int lines;          /* of its context since the header */
	unsigned long used;          /* for replacing the oldest */
	unsigned long line;          /* console line of the header */
	char ctx[KLOG_CTX_MAX];
	char header[KLOG_LINE_MAX];  /* the console line as printed */
	size_t len;
	unsigned int nlines;
	bool truncated;
	char text[KLOG_KEEP_BYTES];
};

/* A closed report of a title seen for the first time (or earlier than the one kept). */
struct klog_entry {
	struct klog_report rep;
	char title[KLOG_TITLE_MAX];
	char header[KLOG_LINE_MAX];
	char text[KLOG_KEEP_BYTES];
};

struct klog_parser {
	char *ignore[KLOG_IGNORE_MAX];
	unsigned int nignore;
	bool timestamps;             /* a kernel line with a timestamp was seen */
	unsigned long lineno;        /* console lines fed */
	unsigned long clock;
	unsigned int counts[KLOG_NCLASSES];
	unsigned int failing;        /* closed reports no pattern accepts */
	unsigned int unlisted;
	struct klog_slot slots[KLOG_SLOTS];
	struct klog_entry *entries[KLOG_REPORTS_MAX]; /* by console line */
	size_t nentries;
};

struct klog_parser *klog_new(void)
{
	return calloc(1, sizeof(struct klog_parser));
}

void klog_free(struct klog_parser *p)
{
	if (!p)
		return;
	for (unsigned int i = 0; i < p->nignore; i++)
		free(p->ignore[i]);
	for (size_t i = 0; i < p->nentries; i++)
		free(p->entries[i]);
	free(p);
}

int klog_ignore(struct klog_parser *p, const char *pattern)
{
	if (!pattern || !pattern[0])
		return -EINVAL;
	if (p->nignore == KLOG_IGNORE_MAX)
		return -ENOSPC;
	p->ignore[p->nignore] = strdup(pattern);
	if (!p->ignore[p->nignore])
		return -ENOMEM;
	p->nignore++;
	return 0;
}

const char *klog_class_name(enum klog_class cls)
{
	return (unsigned int)cls < KLOG_NCLASSES ? class_names[cls] : NULL;
}

unsigned int klog_count(const struct klog_parser *p, enum klog_class cls)
{
	return p && (unsigned int)cls < KLOG_NCLASSES ? p->counts[cls] : 0;
}

unsigned int klog_failing(const struct klog_parser *p)
{
	return p ? p->failing : 0;
}

unsigned int klog_unlisted(const struct klog_parser *p)
{
	return p ? p->unlisted : 0;
}

size_t klog_nreports(const struct klog_parser *p)
{
	return p ? p->nentries : 0;
}

const struct klog_report *klog_report_at(const struct klog_parser *p, size_t i)
{
	return p && i < p->nentries ? &p->entries[i]->rep : NULL;
}

const struct klog_report *klog_first(const struct klog_parser *p)
{
	for (size_t i = 0; p && i < p->nentries; i++)
		if (!p->entries[i]->rep.ignored_by)
			return &p->entries[i]->rep;
	return NULL;
}

void klog_write_json(const struct klog_parser *p, struct json_out *o, bool with_text)
{
	unsigned int total = 0;

	json_begin_object(o);
	for (unsigned int c = 0; p && c < KLOG_NCLASSES; c++)
		total += p->counts[c];
	json_kv_uint(o, "reports", total);
	json_kv_uint(o, "failing", klog_failing(p));
	json_key(o, "classes");
	json_begin_object(o);
	for (unsigned int c = 0; p && c < KLOG_NCLASSES; c++)
		if (p->counts[c])
			json_kv_uint(o, class_names[c], p->counts[c]);
	json_end_object(o);
	json_key(o, "titles");
	json_begin_array(o);
	for (size_t i = 0; i < klog_nreports(p); i++) {
		const struct klog_report *r = klog_report_at(p, i);
		struct json_mark m = json_out_mark(o);

		json_begin_object(o);
		json_kv_string(o, "title", r->title);
		json_kv_string(o, "class", class_names[r->cls]);
		json_kv_uint(o, "count", r->count);
		json_kv_uint(o, "line", r->line);
		json_kv_bool(o, "ignored", r->ignored_by != NULL);
		if (with_text) {
			json_kv_string(o, "header", r->header);
			if (r->ignored_by)
				json_kv_string(o, "ignored_by", r->ignored_by);
			json_kv_string(o, "text", r->text);
			json_kv_bool(o, "truncated", r->truncated);
		}
		json_end_object(o);
		if (o->failed) {
			/* out of room: the list ends with what fitted */
			json_out_rewind(o, &m);
			break;
		}
	}
	json_end_array(o);
	if (klog_unlisted(p))
		json_kv_uint(o, "unlisted", klog_unlisted(p));
	json_end_object(o);
}

void klog_print_json(const struct klog_parser *p, FILE *f)
{
	struct json_out o;

	json_out_init(&o, KLOG_JSON_MAX);
	klog_write_json(p, &o, false);
	fputs(o.failed ? "{}" : json_out_text(&o), f);
	json_out_free(&o);
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

static void keep(struct klog_slot *s, const char *msg)
{
	size_t n = strlen(msg);

	if (s->truncated)
		return;
	if (s->nlines == KLOG_KEEP_LINES || s->len + n + 2 > sizeof(s->text)) {
		s->truncated = true;
		return;
	}
	memcpy(s->text + s->len, msg, n);
	s->len += n;
	s->text[s->len++] = '\n';
	s->text[s->len] = 0;
	s->nlines++;
}

/* The pattern that accepts a report titled @title whose first line is @first, or NULL. */
static const char *ignored_by(const struct klog_parser *p, const char *title, const char *first)
{
	for (unsigned int i = 0; i < p->nignore; i++)
		if (!fnmatch(p->ignore[i], title, 0) || !fnmatch(p->ignore[i], first, 0))
			return p->ignore[i];
	return NULL;
}

static void entry_fill(struct klog_entry *e, const struct klog_slot *s)
{
	memcpy(e->header, s->header, sizeof(e->header));
	memcpy(e->text, s->text, s->len + 1);
	e->rep.cls = klog_kinds[s->kind].cls;
	e->rep.line = s->line;
	e->rep.nlines = s->nlines;
	e->rep.truncated = s->truncated;
	e->rep.title = e->title;
	e->rep.header = e->header;
	e->rep.text = e->text;
}

/* Keep the list ordered by console line after entry @i got an earlier one. */
static void entry_move_up(struct klog_parser *p, size_t i)
{
	while (i && p->entries[i - 1]->rep.line > p->entries[i]->rep.line) {
		struct klog_entry *t = p->entries[i - 1];

		p->entries[i - 1] = p->entries[i];
		p->entries[i] = t;
		i--;
	}
}

static void close_slot(struct klog_parser *p, struct klog_slot *s)
{
	char title[KLOG_TITLE_MAX], first[KLOG_LINE_MAX];
	struct klog_entry *e;
	const char *by;
	size_t i;

	s->open = false;
	klog_title(s->kind, s->text, title, sizeof(title));
	snprintf(first, sizeof(first), "%.*s", (int)strcspn(s->text, "\n"), s->text);
	by = ignored_by(p, title, first);
	if (!by)
		p->failing++;
	for (i = 0; i < p->nentries; i++) {
		e = p->entries[i];
		if (strcmp(e->title, title))
			continue;
		e->rep.count++;
		if (s->line < e->rep.line) {
			/* an earlier one of this title closed later: it is the one kept */
			entry_fill(e, s);
			e->rep.ignored_by = by;
			entry_move_up(p, i);
		}
		return;
	}
	if (p->nentries == KLOG_REPORTS_MAX || !(e = calloc(1, sizeof(*e)))) {
		p->unlisted++;
		return;
	}
	snprintf(e->title, sizeof(e->title), "%s", title);
	entry_fill(e, s);
	e->rep.count = 1;
	e->rep.ignored_by = by;
	p->entries[p->nentries++] = e;
	entry_move_up(p, p->nentries - 1);
}

static struct klog_slot *find_slot(struct klog_parser *p, const char *ctx)
{
	for (unsigned int i = 0; i < KLOG_SLOTS; i++)
		if (p->slots[i].open && !strcmp(p->slots[i].ctx, ctx))
			return &p->slots[i];
	return NULL;
}

static void start(struct klog_parser *p, enum klog_kind kind, const char *ctx, const char *msg,
		  const char *line)
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
	s->open = true;
	s->kind = kind;
	s->end = k->end;
	s->absorb = k->message_first;
	s->cpu_traceback = false;
	s->lines = 0;
	s->used = ++p->clock;
	s->line = p->lineno;
	s->len = 0;
	s->nlines = 0;
	s->truncated = false;
	s->text[0] = 0;
	snprintf(s->ctx, sizeof(s->ctx), "%s", ctx);
	snprintf(s->header, sizeof(s->header), "%s", line);
	keep(s, msg);
	if (s->end == KE_LINE)
		close_slot(p, s);
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
	case KE_LINE:
		return true;
	}
	return false;
}

/* A report a message-first one is followed by, which belongs to it. */
static bool absorbable(enum klog_kind kind)
{
	return kind == KK_WARN || kind == KK_WARN_NETDEV || kind == KK_KERNEL_BUG || kind == KK_LIST_BUG;
}

void klog_feed(struct klog_parser *p, const char *raw)
{
	char line[KLOG_LINE_MAX], ctx[KLOG_CTX_MAX];
	struct klog_slot *slot;
	enum klog_kind kind;
	const char *msg;
	size_t n = 0;

	if (!p || !raw)
		return;
	for (const char *c = raw; *c && n < sizeof(line) - 1; c++)
		if (*c != '\r' && *c != '\n')
			line[n++] = *c;
	line[n] = 0;
	p->lineno++;
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
	/* No WARN or BUG came after the message (NETDEV WATCHDOG of 6.9+ prints one line). */
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
		} else if (slot->absorb && absorbable(kind)) {
			kind = KK_NONE; /* the report's own WARN or BUG: it now ends with it */
			slot->absorb = false;
			slot->end = KE_TRACE;
		} else {
			close_slot(p, slot);
			slot = NULL;
		}
	}
	if (kind != KK_NONE) {
		start(p, kind, ctx, msg, line);
		return;
	}

	for (unsigned int i = 0; i < KLOG_SLOTS; i++) {
		struct klog_slot *s = &p->slots[i];

		if (s->open && (s == slot || (s->cpu_traceback && ctx[0] == 'C' && strcmp(ctx, s->ctx))))
			keep(s, msg);
	}
	if (slot && strstr(msg, "Sending NMI from CPU"))
		slot->cpu_traceback = true;
	if (slot && (++slot->lines >= KLOG_OPEN_LINES || ends_with(slot, msg)))
		close_slot(p, slot);
}

void klog_finish(struct klog_parser *p)
{
	struct klog_slot *first;

	if (!p)
		return;
	/* in the order they started, so that equal titles keep the earliest */
	for (;;) {
		first = NULL;
		for (unsigned int i = 0; i < KLOG_SLOTS; i++)
			if (p->slots[i].open && (!first || p->slots[i].line < first->line))
				first = &p->slots[i];
		if (!first)
			return;
		close_slot(p, first);
	}
}
