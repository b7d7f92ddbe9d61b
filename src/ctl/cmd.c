// SPDX-License-Identifier: GPL-2.0-only
/*
 * The generic half of the control commands: request parsing, schema
 * checks, error replies, the reply envelope, and `help` from the table.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "minivmm/ctl/cmd.h"

#define EXAMPLE "e.g. {\"cmd\": \"status\"}"

const char *ctl_arg_type_name(enum ctl_arg_type type)
{
	static const char *const names[] = {
		[CTL_ARG_STRING] = "string", [CTL_ARG_INT] = "integer", [CTL_ARG_NUMBER] = "number",
		[CTL_ARG_BOOL] = "boolean", [CTL_ARG_BDF] = "bdf", [CTL_ARG_STRINGS] = "strings",
	};

	return (unsigned int)type < sizeof(names) / sizeof(names[0]) ? names[type] : "?";
}

static unsigned long long list_max(const struct ctl_arg *a)
{
	return a->max > 0 && a->max < CTL_MAX_LIST ? (unsigned long long)a->max : CTL_MAX_LIST;
}

void ctl_arg_describe(const struct ctl_arg *a, char *buf, size_t len)
{
	switch (a->type) {
	case CTL_ARG_STRING:
		if (a->max > 0)
			snprintf(buf, len, "a string of at most %lld bytes", a->max);
		else
			snprintf(buf, len, "a string");
		break;
	case CTL_ARG_INT:
		snprintf(buf, len, "an integer from %lld to %lld", a->min, a->max);
		break;
	case CTL_ARG_NUMBER:
		if (a->min || a->max)
			snprintf(buf, len, "a number from %lld to %lld", a->min, a->max);
		else
			snprintf(buf, len, "a number");
		break;
	case CTL_ARG_BOOL:
		snprintf(buf, len, "true or false");
		break;
	case CTL_ARG_BDF:
		snprintf(buf, len, "a PCI address DDDD:BB:DD.F or BB:DD.F as a string");
		break;
	case CTL_ARG_STRINGS:
		snprintf(buf, len, "an array of %lld to %llu strings", a->min > 0 ? a->min : 0, list_max(a));
		break;
	}
}

/* A JSON value of the argument's type, for "e.g." in errors. */
static const char *arg_example(const struct ctl_arg *a, char *buf, size_t len)
{
	switch (a->type) {
	case CTL_ARG_INT:
	case CTL_ARG_NUMBER: snprintf(buf, len, "%lld", a->min); break;
	case CTL_ARG_BOOL: snprintf(buf, len, "true"); break;
	case CTL_ARG_BDF: snprintf(buf, len, "\"0000:00:03.0\""); break;
	case CTL_ARG_STRINGS: snprintf(buf, len, "[\"...\"]"); break;
	default: snprintf(buf, len, "\"...\""); break;
	}
	return buf;
}

const struct ctl_cmd *ctl_find(const struct ctl_cmd *table, const char *name)
{
	for (const struct ctl_cmd *c = table; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

int ctl_fail(struct ctl_call *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->error, sizeof(c->error), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int arg_index(const struct ctl_cmd *cmd, const char *name)
{
	for (int i = 0; i < CTL_MAX_ARGS && cmd->args[i].name; i++)
		if (!strcmp(cmd->args[i].name, name))
			return i;
	return -1;
}

const struct ctl_value *ctl_arg(const struct ctl_call *c, const char *name)
{
	static const struct ctl_value absent;
	int i = arg_index(c->cmd, name);

	return i < 0 ? &absent : &c->val[i];
}

long long ctl_arg_int(const struct ctl_call *c, const char *name, long long dflt)
{
	const struct ctl_value *v = ctl_arg(c, name);

	return v->given ? v->i : dflt;
}

double ctl_arg_number(const struct ctl_call *c, const char *name, double dflt)
{
	const struct ctl_value *v = ctl_arg(c, name);

	return v->given ? v->num : dflt;
}

bool ctl_arg_bool(const struct ctl_call *c, const char *name, bool dflt)
{
	const struct ctl_value *v = ctl_arg(c, name);

	return v->given ? v->b : dflt;
}

const char *ctl_arg_string(const struct ctl_call *c, const char *name, const char *dflt)
{
	const struct ctl_value *v = ctl_arg(c, name);

	return v->given ? v->str : dflt;
}

const struct pci_bdf *ctl_arg_bdf(const struct ctl_call *c, const char *name)
{
	const struct ctl_value *v = ctl_arg(c, name);

	return v->given ? &v->bdf : NULL;
}

/* The names of @cmd's arguments, "a, b, c". */
static void arg_names(const struct ctl_cmd *cmd, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = 0;
	for (int i = 0; i < CTL_MAX_ARGS && cmd->args[i].name && n < len; i++)
		n += snprintf(buf + n, len - n, "%s%s", i ? ", " : "", cmd->args[i].name);
}

static void cmd_names(const struct ctl_cmd *table, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = 0;
	for (const struct ctl_cmd *c = table; c->name && n < len; c++)
		n += snprintf(buf + n, len - n, "%s%s", c == table ? "" : ", ", c->name);
}

/* " (at byte N)" for messages, unless the request was built from words. */
static const char *at_byte(struct ctl_call *c, size_t pos)
{
	if (c->no_positions)
		return "";
	snprintf(c->where, sizeof(c->where), " (at byte %zu)", pos);
	return c->where;
}

/* One argument against its schema; fills @out. */
static int check_arg(struct ctl_call *c, const struct ctl_arg *a, const struct json_val *v,
		     struct ctl_value *out)
{
	char want[96], ex[32];

	ctl_arg_describe(a, want, sizeof(want));
	out->given = true;
	out->json = v;
	switch (a->type) {
	case CTL_ARG_STRING:
		if (v->type != JSON_STRING)
			break;
		if (a->max > 0 && v->len > (unsigned long long)a->max)
			return ctl_fail(c, "argument \"%s\" of %s is %zu bytes long%s: give %s",
					a->name, c->cmd->name, v->len, at_byte(c, v->pos), want);
		out->str = v->str;
		return 0;
	case CTL_ARG_INT:
		if (v->type != JSON_NUMBER)
			break;
		if (!v->is_int)
			return ctl_fail(c, "argument \"%s\" of %s is %g%s, not an integer: give %s",
					a->name, c->cmd->name, v->num, at_byte(c, v->pos), want);
		if (v->i < a->min || v->i > a->max)
			return ctl_fail(c, "argument \"%s\" of %s is %lld%s: give %s", a->name,
					c->cmd->name, v->i, at_byte(c, v->pos), want);
		out->i = v->i;
		out->num = v->num;
		return 0;
	case CTL_ARG_NUMBER:
		if (v->type != JSON_NUMBER)
			break;
		if ((a->min || a->max) && (v->num < (double)a->min || v->num > (double)a->max))
			return ctl_fail(c, "argument \"%s\" of %s is %g%s: give %s", a->name,
					c->cmd->name, v->num, at_byte(c, v->pos), want);
		out->num = v->num;
		return 0;
	case CTL_ARG_BOOL:
		if (v->type != JSON_BOOL)
			break;
		out->b = v->b;
		return 0;
	case CTL_ARG_BDF:
		if (v->type != JSON_STRING)
			break;
		if (pci_bdf_parse(v->str, &out->bdf))
			return ctl_fail(c, "argument \"%s\" of %s is \"%.40s\"%s, not a PCI address: "
					"write DDDD:BB:DD.F or BB:DD.F, e.g. \"0000:00:03.0\"",
					a->name, c->cmd->name, v->str, at_byte(c, v->pos));
		out->str = v->str;
		return 0;
	case CTL_ARG_STRINGS:
		if (v->type != JSON_ARRAY)
			break;
		if (v->count < (a->min > 0 ? (unsigned long long)a->min : 0) || v->count > list_max(a))
			return ctl_fail(c, "argument \"%s\" of %s has %u elements%s: give %s",
					a->name, c->cmd->name, v->count, at_byte(c, v->pos), want);
		for (const struct json_val *e = v->child; e; e = e->next) {
			if (e->type != JSON_STRING)
				return ctl_fail(c, "argument \"%s\" of %s holds %s%s: give %s",
						a->name, c->cmd->name, json_type_name(e->type), at_byte(c, e->pos), want);
			out->list[out->nlist++] = e->str;
		}
		return 0;
	}
	return ctl_fail(c, "argument \"%s\" of %s is %s%s: give %s, e.g. \"%s\": %s", a->name,
			c->cmd->name, json_type_name(v->type), at_byte(c, v->pos), want, a->name,
			arg_example(a, ex, sizeof(ex)));
}

/* Checks against the table; fills c->cmd and c->val. */
static int check_request(struct ctl_call *c, const struct json_val *root)
{
	const struct json_val *cmd;
	char names[256], want[96], ex[32];

	if (root->type != JSON_OBJECT)
		return ctl_fail(c, "the request is %s, not an object: send one object per line, " EXAMPLE,
				json_type_name(root->type));
	cmd = json_member(root, "cmd");
	if (!cmd)
		return ctl_fail(c, "the request has no \"cmd\": name the command, " EXAMPLE
				" ({\"cmd\": \"help\"} lists them)");
	if (cmd->type != JSON_STRING)
		return ctl_fail(c, "\"cmd\" is %s%s: give the command's name as a string, " EXAMPLE,
				json_type_name(cmd->type), at_byte(c, cmd->pos));
	c->cmd = ctl_find(c->table, cmd->str);
	if (!c->cmd) {
		cmd_names(c->table, names, sizeof(names));
		return ctl_fail(c, "unknown command \"%.40s\": the commands are %s ({\"cmd\": \"help\"} describes them)",
				cmd->str, names);
	}
	for (const struct json_val *m = root->child; m; m = m->next) {
		int i;

		if (!strcmp(m->key, "cmd") || !strcmp(m->key, "id"))
			continue;
		i = arg_index(c->cmd, m->key);
		if (i < 0) {
			arg_names(c->cmd, names, sizeof(names));
			if (!names[0])
				return ctl_fail(c, "%s takes no arguments: drop \"%.40s\"%s",
						c->cmd->name, m->key, at_byte(c, m->key_pos));
			return ctl_fail(c, "%s has no argument \"%.40s\"%s: its arguments are %s",
					c->cmd->name, m->key, at_byte(c, m->key_pos), names);
		}
		if (check_arg(c, &c->cmd->args[i], m, &c->val[i]))
			return -EINVAL;
	}
	for (int i = 0; i < CTL_MAX_ARGS && c->cmd->args[i].name; i++) {
		const struct ctl_arg *a = &c->cmd->args[i];

		if (a->required && !c->val[i].given) {
			ctl_arg_describe(a, want, sizeof(want));
			return ctl_fail(c, "%s needs argument \"%s\" (%s): e.g. {\"cmd\": \"%s\", \"%s\": %s}",
					c->cmd->name, a->name, want, c->cmd->name, a->name,
					arg_example(a, ex, sizeof(ex)));
		}
	}
	return 0;
}

/* Parse @line into freshly allocated storage; *@nodes and *@strs to free. */
static int parse_request(const char *line, size_t len, struct json_val **nodes, char **strs,
			 const struct json_val **root, char *err, size_t errlen)
{
	struct json_error jerr;
	struct json_doc doc;

	*nodes = malloc(CTL_MAX_NODES * sizeof(**nodes));
	*strs = malloc(len + 1);
	if (!*nodes || !*strs) {
		snprintf(err, errlen, "out of memory for the request: send a shorter one");
		return -ENOMEM;
	}
	json_doc_init(&doc, *nodes, CTL_MAX_NODES, *strs, len + 1, CTL_MAX_DEPTH);
	if (json_parse(&doc, line, len, root, &jerr)) {
		snprintf(err, errlen, "the request is not valid JSON: %s at byte %zu: send one JSON object per line, " EXAMPLE,
			 jerr.msg, jerr.pos);
		return -EINVAL;
	}
	return 0;
}

void ctl_dispatch(const struct ctl_cmd *table, void *ctx, const char *source, const char *line,
		  size_t len, struct json_out *reply, struct ctl_result *res)
{
	struct ctl_call *c = calloc(1, sizeof(*c));
	const struct json_val *root = NULL, *id;
	struct json_val *nodes = NULL;
	struct json_mark mark;
	char *strs = NULL;
	int ret;

	memset(res, 0, sizeof(*res));
	json_begin_object(reply);
	if (!c) {
		snprintf(res->error, sizeof(res->error), "out of memory: the request was not run");
		goto free_request;
	}
	c->table = table;
	c->ctx = ctx;
	c->source = source;
	c->reply = reply;
	if (parse_request(line, len, &nodes, &strs, &root, res->error, sizeof(res->error)))
		goto free_request;
	c->request = root;
	id = json_member(root, "id");
	if (id && id->type != JSON_STRING && id->type != JSON_NUMBER) {
		snprintf(res->error, sizeof(res->error),
			 "\"id\" is %s (at byte %zu): make it a string or a number, or leave it out",
			 json_type_name(id->type), id->pos);
		goto free_request;
	}
	if (id) {
		json_key(reply, "id");
		json_value(reply, id);
	}
	mark = json_out_mark(reply);
	ret = check_request(c, root);
	res->cmd = c->cmd;
	if (ret) {
		snprintf(res->error, sizeof(res->error), "%s", c->error);
		goto free_request;
	}
	json_kv_bool(reply, "ok", true);
	ret = c->cmd->run(c);
	if (!ret && reply && reply->failed) {
		/* Nothing partial: a reply that did not fit is an error. */
		json_out_rewind(reply, &mark);
		snprintf(res->error, sizeof(res->error), "the reply to %s is larger than %zu bytes: ask for less",
			 c->cmd->name, reply->max);
		goto free_request;
	}
	if (ret) {
		json_out_rewind(reply, &mark);
		if (c->error[0])
			snprintf(res->error, sizeof(res->error), "%s", c->error);
		else
			snprintf(res->error, sizeof(res->error), "%s failed: %s", c->cmd->name, strerror(-ret));
		goto free_request;
	}
	res->ok = true;
free_request:
	if (!res->ok) {
		json_kv_bool(reply, "ok", false);
		json_kv_string(reply, "error", res->error);
	}
	json_end_object(reply);
	free(nodes);
	free(strs);
	free(c);
}

int ctl_validate(const struct ctl_cmd *table, const char *line, size_t len, bool positions, char *err,
		 size_t errlen)
{
	struct ctl_call *c = calloc(1, sizeof(*c));
	const struct json_val *root;
	struct json_val *nodes = NULL;
	char *strs = NULL;
	int ret = -ENOMEM;

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return ret;
	}
	c->table = table;
	c->no_positions = !positions;
	ret = parse_request(line, len, &nodes, &strs, &root, err, errlen);
	if (!ret) {
		ret = check_request(c, root);
		if (ret)
			snprintf(err, errlen, "%s", c->error);
	}
	free(nodes);
	free(strs);
	free(c);
	return ret;
}

static void help_command(struct json_out *o, const struct ctl_cmd *cmd)
{
	char want[96];

	json_begin_object(o);
	json_kv_string(o, "name", cmd->name);
	json_kv_string(o, "help", cmd->help);
	json_key(o, "args");
	json_begin_array(o);
	for (int i = 0; i < CTL_MAX_ARGS && cmd->args[i].name; i++) {
		const struct ctl_arg *a = &cmd->args[i];

		ctl_arg_describe(a, want, sizeof(want));
		json_begin_object(o);
		json_kv_string(o, "name", a->name);
		json_kv_string(o, "type", ctl_arg_type_name(a->type));
		json_kv_bool(o, "required", a->required);
		json_kv_string(o, "accepts", want);
		json_kv_string(o, "help", a->help ? a->help : "");
		json_end_object(o);
	}
	json_end_array(o);
	json_end_object(o);
}

int ctl_cmd_help(struct ctl_call *c)
{
	const char *only = ctl_arg_string(c, "command", NULL);
	const struct ctl_cmd *one = only ? ctl_find(c->table, only) : NULL;
	char names[256];

	if (only && !one) {
		cmd_names(c->table, names, sizeof(names));
		return ctl_fail(c, "no command \"%.40s\" to describe: the commands are %s", only, names);
	}
	json_key(c->reply, "commands");
	json_begin_array(c->reply);
	for (const struct ctl_cmd *cmd = c->table; cmd->name; cmd++)
		if (!one || cmd == one)
			help_command(c->reply, cmd);
	json_end_array(c->reply);
	return 0;
}
