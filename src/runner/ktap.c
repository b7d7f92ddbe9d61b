// SPDX-License-Identifier: GPL-2.0-only
/*
 * Streaming KTAP / TAP parser for guest console output.
 *
 * Lines arrive one at a time from the serial console, maybe prefixed by a
 * printk timestamp and mixed with unrelated console noise. Only lines that
 * look like (K)TAP change the state; everything else is ignored.
 *
 * Structure: a stack of levels, one per nesting depth, keyed by indentation
 * (KTAP: 4 spaces per level). A TAP line indented deeper than the innermost
 * level opens a new level; a line indented less closes levels. A result line
 * that closes levels is the summary line of the block it closes
 * (has_subtests). Subtest names come from "# Subtest: NAME", either on the
 * child's own indentation (KUnit) or on the parent's (node-tap/TAP 14);
 * unnamed blocks are called "subtest-N" after the result number they await.
 *
 * Decisions:
 * - The summary counts leaf cases only. A parent "not ok" whose subtests
 *   had no FAIL/ERROR (e.g. a crash after the last subtest, suite exit
 *   failure) is turned into KTAP_ERROR and counted as one error.
 * - "# TODO" makes a case KTAP_TODO whether it is "ok" or "not ok".
 *   "# SKIP" (any case, "skipped" too) makes it KTAP_SKIP, ok or not ok.
 * - A block's plan is checked when the block closes (parent line, a new
 *   header or plan at that level, or ktap_finish): each missing test is a
 *   KTAP_ERROR "missing test K" (at most KTAP_MISSING_MAX of them, then one
 *   "missing tests K..N"); more results than planned is one error "plan".
 * - Diagnostics ("# ...") go to the level with the closest indentation not
 *   deeper than the line, and are attached to that level's next result.
 *   Those before a level's plan (its header, e.g. "# module: x") are dropped.
 *   Diagnostics left in a closing block move to its parent (before the
 *   parent's own).
 * - "Bail out!" is one KTAP_ERROR case; open blocks are then dropped without
 *   "missing" errors and parsing restarts from scratch.
 * - A second "KTAP version"/"TAP version" or plan at a level that already has
 *   content starts a new run there (several suites/runs on one console).
 * - Lines nested deeper than KTAP_MAX_DEPTH are ignored; the summary line of
 *   the deepest tracked level then counts as a leaf.
 * - YAML blocks ("---" indented under a result, up to "...") are skipped; an
 *   unterminated one ends at the next TAP line indented less than "---".
 * - At most KTAP_CASES_MAX cases are stored for ktap_case_at(); later ones
 *   are still reported through on_case and counted.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "minivmm/runner/ktap.h"
#include "minivmm/runner/ktap_line.h"

#define KTAP_DIAG_MAX		8192
#define KTAP_MISSING_MAX	100
#define KTAP_CASES_MAX		(1u << 17)
#define KTAP_TRUNC_MARK		"[diagnostics truncated]"

struct ktap_level {
	unsigned int indent;
	char name[KTAP_NAME_MAX];	/* "" only at level 0 */
	char pending_sub[KTAP_NAME_MAX]; /* "# Subtest:" announcing a child */
	bool named;			/* name came from "# Subtest:" */
	bool version;			/* saw its "KTAP version" header */
	bool has_plan;
	unsigned int plan;
	unsigned int count;		/* result lines seen at this level */
	unsigned int max_num;
	unsigned int synth;		/* error cases made up for it */
	unsigned int bad;		/* FAIL/ERROR cases here and below */
	char *diag;
	size_t diag_len;
	size_t diag_cap;
	bool diag_trunc;
};

struct ktap_parser {
	void (*on_case)(void *opaque, const struct ktap_case *c);
	void *opaque;
	struct ktap_level lv[KTAP_MAX_DEPTH];
	unsigned int depth;		/* index of the innermost open level */
	bool last_result;		/* last TAP line was a result */
	unsigned int last_indent;
	bool in_yaml;
	unsigned int yaml_indent;
	struct ktap_case *cases;
	size_t ncases;
	size_t cap;
	struct ktap_summary sum;
};

/* ---- diagnostics ---- */

static void diag_clear(struct ktap_level *l)
{
	free(l->diag);
	l->diag = NULL;
	l->diag_len = 0;
	l->diag_cap = 0;
	l->diag_trunc = false;
}

static bool diag_reserve(struct ktap_level *l, size_t want)
{
	size_t cap = l->diag_cap ? l->diag_cap : 256;
	char *d;

	if (want <= l->diag_cap)
		return true;
	while (cap < want)
		cap *= 2;
	if (cap > KTAP_DIAG_MAX)
		cap = KTAP_DIAG_MAX;
	d = realloc(l->diag, cap);
	if (!d)
		return false;
	l->diag = d;
	l->diag_cap = cap;
	return true;
}

static void diag_raw(struct ktap_level *l, const char *s, size_t n)
{
	memcpy(l->diag + l->diag_len, s, n);
	l->diag_len += n;
	l->diag[l->diag_len] = '\0';
}

/* Append one line (or a block of lines) to @l's pending diagnostics. */
static void diag_append(struct ktap_level *l, const char *s, size_t n)
{
	const size_t body_max = KTAP_DIAG_MAX - sizeof(KTAP_TRUNC_MARK) - 1;
	size_t sep = l->diag_len ? 1 : 0;
	size_t room;

	if (l->diag_trunc)
		return;
	if (l->diag_len + sep + n <= body_max) {
		if (!diag_reserve(l, l->diag_len + sep + n + 1)) {
			l->diag_trunc = true;
			return;
		}
		if (sep)
			diag_raw(l, "\n", 1);
		diag_raw(l, s, n);
		return;
	}
	l->diag_trunc = true;
	if (!diag_reserve(l, KTAP_DIAG_MAX))
		return;
	room = body_max > l->diag_len + sep ? body_max - l->diag_len - sep : 0;
	n = ktap_utf8_cut(s, n, room);
	if (sep)
		diag_raw(l, "\n", 1);
	diag_raw(l, s, n);
	if (l->diag_len)
		diag_raw(l, "\n", 1);
	diag_raw(l, KTAP_TRUNC_MARK, sizeof(KTAP_TRUNC_MARK) - 1);
}

/* Hand the pending diagnostics over to a case (NULL if none). */
static char *diag_take(struct ktap_level *l)
{
	char *d = l->diag, *shrunk;

	if (!d || !l->diag_len) {
		diag_clear(l);
		return NULL;
	}
	shrunk = realloc(d, l->diag_len + 1);
	l->diag = NULL;
	diag_clear(l);
	return shrunk ? shrunk : d;
}

/* ---- levels and cases ---- */

static void level_reset(struct ktap_level *l, unsigned int indent)
{
	diag_clear(l);
	memset(l, 0, sizeof(*l));
	l->indent = indent;
}

static bool level_started(const struct ktap_level *l)
{
	return l->version || l->named || l->has_plan || l->count || l->synth;
}

static void case_init(struct ktap_parser *p, unsigned int d, struct ktap_case *c)
{
	unsigned int i;

	memset(c, 0, sizeof(*c));
	c->depth = d;
	for (i = 0; i <= d; i++) {
		const char *name = p->lv[i].name;

		if (!name[0])
			continue;
		if (c->suite[0])
			ktap_str_append(c->suite, sizeof(c->suite), ".", 1);
		ktap_str_append(c->suite, sizeof(c->suite), name, strlen(name));
	}
}

static bool counted(const struct ktap_case *c)
{
	return !c->has_subtests || c->status == KTAP_ERROR;
}

/* Record @c (takes its diag), update the summary, tell the caller. */
static void emit(struct ktap_parser *p, struct ktap_case *c)
{
	struct ktap_summary *s = &p->sum;
	struct ktap_case *stored = NULL;

	if (counted(c)) {
		switch (c->status) {
		case KTAP_PASS:
			s->passed++;
			break;
		case KTAP_FAIL:
			s->failed++;
			break;
		case KTAP_SKIP:
			s->skipped++;
			break;
		case KTAP_TODO:
			s->todo++;
			break;
		case KTAP_ERROR:
			s->errors++;
			break;
		}
	}
	if (c->status == KTAP_FAIL || c->status == KTAP_ERROR)
		p->lv[c->depth].bad++;

	if (p->ncases < KTAP_CASES_MAX) {
		if (p->ncases == p->cap) {
			size_t cap = p->cap ? p->cap * 2 : 64;
			struct ktap_case *n = realloc(p->cases, cap * sizeof(*n));

			if (n) {
				p->cases = n;
				p->cap = cap;
			}
		}
		if (p->ncases < p->cap) {
			stored = &p->cases[p->ncases++];
			*stored = *c;
		}
	}
	if (p->on_case)
		p->on_case(p->opaque, stored ? stored : c);
	if (!stored)
		free(c->diag);
	c->diag = NULL;
}

static void emit_error(struct ktap_parser *p, unsigned int d, unsigned int num,
		       const char *name, const char *reason)
{
	struct ktap_case c;

	case_init(p, d, &c);
	c.number = num;
	c.status = KTAP_ERROR;
	ktap_str_set(c.name, sizeof(c.name), name, strlen(name));
	ktap_str_set(c.reason, sizeof(c.reason), reason, strlen(reason));
	p->lv[d].synth++;
	emit(p, &c);
}

/* The block at level @d ends: report what its plan promised but never came. */
static void level_finalize(struct ktap_parser *p, unsigned int d)
{
	struct ktap_level *l = &p->lv[d];
	unsigned long long k, deficit, n = 0;
	char name[96];

	if (!l->has_plan)
		return;
	if (l->count > l->plan) {
		snprintf(name, sizeof(name), "planned %u tests, got %u",
			 l->plan, l->count);
		emit_error(p, d, 0, "plan", name);
		return;
	}
	deficit = l->plan - l->count;
	for (k = (unsigned long long)l->max_num + 1;
	     k <= l->plan && n < deficit && n < KTAP_MISSING_MAX; k++, n++) {
		snprintf(name, sizeof(name), "missing test %llu", k);
		emit_error(p, d, (unsigned int)k, name,
			   "announced by the plan but never reported");
	}
	if (n >= deficit)
		return;
	if (k <= l->plan && deficit - n == l->plan - k + 1)
		snprintf(name, sizeof(name), "missing tests %llu..%u", k, l->plan);
	else
		snprintf(name, sizeof(name), "missing %llu tests", deficit - n);
	emit_error(p, d, 0, name, "announced by the plan but never reported");
}

struct closed {
	bool closed;		/* at least one level was closed */
	bool had;		/* the last one closed had results */
	unsigned int bad;	/* its FAIL/ERROR count */
};

/* Close the innermost level (depth > 0). */
static void level_pop(struct ktap_parser *p, struct closed *cl)
{
	struct ktap_level *l = &p->lv[p->depth];
	struct ktap_level *parent = &p->lv[p->depth - 1];

	level_finalize(p, p->depth);
	cl->closed = true;
	cl->had = l->count || l->synth;
	cl->bad = l->bad;
	parent->bad += l->bad;
	if (l->diag_len) {
		/* the block's leftovers came before the parent's own lines */
		char *pd = parent->diag;
		size_t pl = parent->diag_len;
		bool pt = parent->diag_trunc;

		parent->diag = l->diag;
		parent->diag_len = l->diag_len;
		parent->diag_cap = l->diag_cap;
		parent->diag_trunc = l->diag_trunc;
		l->diag = NULL;
		if (pl)
			diag_append(parent, pd, pl);
		parent->diag_trunc |= pt;
		free(pd);
	}
	level_reset(l, 0);
	p->depth--;
}

static void level_push(struct ktap_parser *p, unsigned int indent)
{
	struct ktap_level *parent = &p->lv[p->depth];
	struct ktap_level *l = &p->lv[++p->depth];

	level_reset(l, indent);
	if (parent->pending_sub[0]) {
		memcpy(l->name, parent->pending_sub, sizeof(l->name));
		l->named = true;
		parent->pending_sub[0] = '\0';
	} else {
		snprintf(l->name, sizeof(l->name), "subtest-%llu",
			 (unsigned long long)parent->count + 1);
	}
}

/* Start a new run at the innermost level (it already has content). */
static void level_restart(struct ktap_parser *p)
{
	unsigned int indent = p->lv[p->depth].indent;
	struct closed cl;

	if (p->depth == 0) {
		level_finalize(p, 0);
		level_reset(&p->lv[0], indent);
		return;
	}
	level_pop(p, &cl);
	level_push(p, indent);
}

enum place { PLACE_IGNORE, PLACE_SAME, PLACE_PUSHED };

/* Make the innermost level the one for a TAP line indented by @indent. */
static enum place place(struct ktap_parser *p, unsigned int indent,
			struct closed *cl)
{
	memset(cl, 0, sizeof(*cl));
	while (p->depth > 0 && indent < p->lv[p->depth].indent)
		level_pop(p, cl);
	if (indent <= p->lv[p->depth].indent)
		return PLACE_SAME;
	if (p->depth + 1 >= KTAP_MAX_DEPTH)
		return PLACE_IGNORE;
	level_push(p, indent);
	memset(cl, 0, sizeof(*cl));
	return PLACE_PUSHED;
}

/* ---- line handlers ---- */

static void on_version(struct ktap_parser *p, unsigned int indent)
{
	struct closed cl;
	enum place r = place(p, indent, &cl);

	if (r == PLACE_IGNORE)
		return;
	if (r == PLACE_SAME && level_started(&p->lv[p->depth]))
		level_restart(p);
	p->lv[p->depth].version = true;
}

static void on_subtest(struct ktap_parser *p, unsigned int indent,
		       const struct tap_line *t)
{
	struct closed cl;
	enum place r = place(p, indent, &cl);
	struct ktap_level *l = &p->lv[p->depth];

	if (r == PLACE_IGNORE)
		return;
	if (r == PLACE_PUSHED ||
	    (p->depth > 0 && !l->named && !l->has_plan && !l->count && !l->synth)) {
		/* KUnit: "# Subtest:" on the block's own indentation */
		ktap_str_set(l->name, sizeof(l->name), t->text, t->text_len);
		l->named = true;
	} else {
		/* TAP 14 / node-tap: on the parent's, before the block */
		ktap_str_set(l->pending_sub, sizeof(l->pending_sub), t->text,
			t->text_len);
	}
}

static void on_plan(struct ktap_parser *p, unsigned int indent,
		    const struct tap_line *t)
{
	struct closed cl;
	struct ktap_level *l;
	struct ktap_case c;

	if (place(p, indent, &cl) == PLACE_IGNORE)
		return;
	if (p->lv[p->depth].has_plan)
		level_restart(p);
	l = &p->lv[p->depth];
	l->has_plan = true;
	l->plan = t->plan;
	if (!l->count)
		diag_clear(l);	/* the block's header */
	if (t->plan == 0 && t->directive == KTAP_SKIP && p->depth == 0) {
		/* "1..0 # SKIP why": the whole run is skipped */
		case_init(p, 0, &c);
		c.status = KTAP_SKIP;
		ktap_str_set(c.name, sizeof(c.name), "all", 3);
		ktap_str_set(c.reason, sizeof(c.reason), t->text, t->text_len);
		emit(p, &c);
	}
}

static void on_result(struct ktap_parser *p, unsigned int indent,
		      const struct tap_line *t)
{
	struct closed cl;
	struct ktap_level *l;
	struct ktap_case c;

	if (place(p, indent, &cl) == PLACE_IGNORE)
		return;
	l = &p->lv[p->depth];
	case_init(p, p->depth, &c);
	if (t->has_num)
		c.number = t->num;
	else
		c.number = l->count < UINT_MAX ? l->count + 1 : UINT_MAX;
	if (t->directive != KTAP_PASS)
		c.status = t->directive;
	else
		c.status = t->ok ? KTAP_PASS : KTAP_FAIL;
	ktap_name_set(c.name, sizeof(c.name), t->name, t->name_len);
	if (t->directive != KTAP_PASS)
		ktap_str_set(c.reason, sizeof(c.reason), t->text, t->text_len);
	c.has_subtests = cl.closed && cl.had;
	if (c.has_subtests && c.status == KTAP_FAIL && !cl.bad) {
		c.status = KTAP_ERROR;
		ktap_str_set(c.reason, sizeof(c.reason), "not ok although all its subtests passed",
			strlen("not ok although all its subtests passed"));
	}
	if (l->count < UINT_MAX)
		l->count++;
	if (c.number > l->max_num)
		l->max_num = c.number;
	l->pending_sub[0] = '\0';
	c.diag = diag_take(l);
	emit(p, &c);
}

static void reset_all(struct ktap_parser *p)
{
	unsigned int i;

	for (i = 0; i < KTAP_MAX_DEPTH; i++)
		level_reset(&p->lv[i], 0);
	p->depth = 0;
	p->in_yaml = false;
	p->last_result = false;
}

static void on_bail(struct ktap_parser *p, const struct tap_line *t)
{
	struct ktap_case c;

	case_init(p, p->depth, &c);
	c.status = KTAP_ERROR;
	ktap_str_set(c.name, sizeof(c.name), "Bail out!", 9);
	if (t->text_len)
		ktap_str_set(c.reason, sizeof(c.reason), t->text, t->text_len);
	else
		ktap_str_set(c.reason, sizeof(c.reason), "bailed out", 10);
	c.diag = diag_take(&p->lv[p->depth]);
	p->sum.bail_out = true;
	emit(p, &c);
	reset_all(p);
}

static void on_diag(struct ktap_parser *p, unsigned int indent,
		    const struct tap_line *t)
{
	unsigned int d = p->depth;

	while (d > 0 && p->lv[d].indent > indent)
		d--;
	diag_append(&p->lv[d], t->text, t->text_len);
}

/* ---- public API ---- */

struct ktap_parser *ktap_new(void (*on_case)(void *opaque, const struct ktap_case *c),
			     void *opaque)
{
	struct ktap_parser *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->on_case = on_case;
	p->opaque = opaque;
	return p;
}

void ktap_free(struct ktap_parser *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->ncases; i++)
		free(p->cases[i].diag);
	free(p->cases);
	reset_all(p);
	free(p);
}

void ktap_feed(struct ktap_parser *p, const char *line)
{
	struct tap_line t;
	unsigned int indent = 0;
	const char *s;
	size_t n;

	if (!p || !line)
		return;
	s = ktap_strip_timestamp(line);
	for (; *s == ' ' || *s == '\t'; s++) {
		unsigned int w = *s == '\t' ? 4 : 1;

		indent = indent > UINT_MAX - w ? UINT_MAX : indent + w;
	}
	n = strlen(s);
	while (n && ktap_is_ws(s[n - 1]))
		n--;
	if (!n)
		return;
	ktap_line_classify(s, n, &t);

	if (p->in_yaml) {
		if (t.kind == L_YAML_END) {
			p->in_yaml = false;
			return;
		}
		if (indent >= p->yaml_indent || t.kind == L_NONE ||
		    t.kind == L_DIAG || t.kind == L_YAML_START)
			return;
		p->in_yaml = false;	/* unterminated: this line ends it */
	}

	switch (t.kind) {
	case L_NONE:
	case L_YAML_END:
		return;			/* console noise */
	case L_YAML_START:
		if (p->last_result && indent > p->last_indent) {
			p->in_yaml = true;
			p->yaml_indent = indent;
		}
		return;
	case L_DIAG:
		on_diag(p, indent, &t);
		p->last_result = false;	/* YAML must follow its result */
		return;
	case L_VERSION:
		on_version(p, indent);
		break;
	case L_SUBTEST:
		on_subtest(p, indent, &t);
		break;
	case L_PLAN:
		on_plan(p, indent, &t);
		break;
	case L_RESULT:
		on_result(p, indent, &t);
		p->sum.seen = true;
		p->last_result = true;
		p->last_indent = indent;
		return;
	case L_BAIL:
		on_bail(p, &t);
		break;
	}
	p->sum.seen = true;
	p->last_result = false;
}

void ktap_finish(struct ktap_parser *p)
{
	struct closed cl;

	if (!p)
		return;
	while (p->depth > 0)
		level_pop(p, &cl);
	level_finalize(p, 0);
	reset_all(p);
}

const struct ktap_summary *ktap_summary(const struct ktap_parser *p)
{
	static const struct ktap_summary none;

	return p ? &p->sum : &none;
}

size_t ktap_ncases(const struct ktap_parser *p)
{
	return p ? p->ncases : 0;
}

const struct ktap_case *ktap_case_at(const struct ktap_parser *p, size_t i)
{
	if (!p || i >= p->ncases)
		return NULL;
	return &p->cases[i];
}
