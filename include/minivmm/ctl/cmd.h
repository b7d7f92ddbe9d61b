/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Control commands: a table of commands, each with its argument schema and
 * a handler. The generic code parses a request line, finds the command,
 * checks every argument against the schema and writes the error replies;
 * handlers only see validated values. Pure (handlers aside): the table is
 * the caller's, the context pointer goes to the handlers untouched.
 *
 * Request:  {"cmd": "stop", "status": 3, "id": 7}
 *           one JSON object per line; "id" (a string or a number) is
 *           optional and echoed in the reply; the other members are the
 *           command's arguments.
 * Reply:    {"id": 7, "ok": true, ...the handler's members}
 *           {"id": 7, "ok": false, "error": "one line: the problem and the fix"}
 *
 * Adding a command is one table entry and its handler:
 *
 *     static int cmd_unplug(struct ctl_call *c)
 *     {
 *             const struct pci_bdf *bdf = ctl_arg_bdf(c, "bdf");
 *             ...
 *             if (failed)
 *                     return ctl_fail(c, "%s is not assigned: ...", name);
 *             json_kv_string(c->reply, "state", "unplugged");
 *             return 0;
 *     }
 *     { "unplug", "take BDF away from the guest", cmd_unplug, .record = true,
 *       .args = { { "bdf", CTL_ARG_BDF, .required = true, .help = "the function" } } },
 */
#ifndef MINIVMM_CTL_CMD_H
#define MINIVMM_CTL_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include "minivmm/ctl/json.h"
#include "minivmm/pci_bdf.h"

#define CTL_MAX_ARGS 8
#define CTL_MAX_LIST 32          /* elements of a CTL_ARG_STRINGS argument */
#define CTL_ERROR_MAX 320
/* A request: values, decoded string bytes and nesting it may have. */
#define CTL_MAX_NODES 512
#define CTL_MAX_DEPTH 8

enum ctl_arg_type {
	CTL_ARG_STRING,              /* max: longest length in bytes (0: any) */
	CTL_ARG_INT,                 /* an integral number in [min, max] */
	CTL_ARG_NUMBER,              /* any number in [min, max] (both 0: any) */
	CTL_ARG_BOOL,
	CTL_ARG_BDF,                 /* a string DDDD:BB:DD.F or BB:DD.F, parsed */
	CTL_ARG_STRINGS,             /* an array of [min, max] strings (max 0: CTL_MAX_LIST) */
};

struct ctl_arg {
	const char *name;            /* NULL ends the list */
	enum ctl_arg_type type;
	bool required;
	long long min, max;
	const char *help;            /* a few words for `help` */
};

struct ctl_call;

struct ctl_cmd {
	const char *name;            /* NULL ends the table */
	const char *help;            /* one line for `help` */
	/* 0: ok (members added to c->reply); < 0: ctl_fail()'s message is the error */
	int (*run)(struct ctl_call *c);
	bool record;                 /* changes the VM: logged with its time in --stats */
	struct ctl_arg args[CTL_MAX_ARGS];
};

/* One validated argument. */
struct ctl_value {
	bool given;
	const struct json_val *json; /* as sent */
	long long i;                 /* CTL_ARG_INT */
	double num;                  /* CTL_ARG_NUMBER (also set for INT) */
	bool b;                      /* CTL_ARG_BOOL */
	const char *str;             /* CTL_ARG_STRING, CTL_ARG_BDF (as sent) */
	struct pci_bdf bdf;          /* CTL_ARG_BDF */
	const char *list[CTL_MAX_LIST]; /* CTL_ARG_STRINGS */
	unsigned int nlist;
};

struct ctl_call {
	const struct ctl_cmd *table; /* every command (for help) */
	const struct ctl_cmd *cmd;
	void *ctx;                   /* the dispatcher's caller's context (struct vm *) */
	const char *source;          /* who asks: "socket", "--at 3s" */
	const struct json_val *request;
	struct ctl_value val[CTL_MAX_ARGS]; /* in the order of cmd->args */
	struct json_out *reply;      /* inside the reply object, after "ok": true */
	char error[CTL_ERROR_MAX];
	bool no_positions;           /* messages without "(at byte N)" */
	char where[32];
};

/* Handlers: argument @name (one of the command's) as validated. */
const struct ctl_value *ctl_arg(const struct ctl_call *c, const char *name);
long long ctl_arg_int(const struct ctl_call *c, const char *name, long long dflt);
double ctl_arg_number(const struct ctl_call *c, const char *name, double dflt);
bool ctl_arg_bool(const struct ctl_call *c, const char *name, bool dflt);
const char *ctl_arg_string(const struct ctl_call *c, const char *name, const char *dflt);
/* NULL when not given. */
const struct pci_bdf *ctl_arg_bdf(const struct ctl_call *c, const char *name);
/* Set the error reply's text; returns -EINVAL for `return ctl_fail(...)`. */
int ctl_fail(struct ctl_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* What a dispatch did, for logs and statistics. */
struct ctl_result {
	const struct ctl_cmd *cmd;   /* NULL when the request named no known command */
	bool ok;
	char error[CTL_ERROR_MAX];   /* the error reply's text when !ok */
};

/*
 * One request (@line without its newline) -> one reply object (no newline)
 * appended to @reply. Never fails: a bad request gets an error reply.
 */
void ctl_dispatch(const struct ctl_cmd *table, void *ctx, const char *source, const char *line,
		  size_t len, struct json_out *reply, struct ctl_result *res);
/*
 * The request would be accepted (command and arguments): 0, or -EINVAL and
 * the reason; with @positions, naming the byte where the problem is.
 */
int ctl_validate(const struct ctl_cmd *table, const char *line, size_t len, bool positions, char *err,
		 size_t errlen);
const struct ctl_cmd *ctl_find(const struct ctl_cmd *table, const char *name);
/* "an integer from 0 to 255", "a PCI address", ... */
void ctl_arg_describe(const struct ctl_arg *a, char *buf, size_t len);
const char *ctl_arg_type_name(enum ctl_arg_type type);

/* The generic `help` handler: the table as JSON (optional "command": one of them). */
int ctl_cmd_help(struct ctl_call *c);
#define CTL_HELP_ENTRY                                                                        \
	{ "help", "list the commands and their arguments", ctl_cmd_help,                      \
	  .args = { { "command", CTL_ARG_STRING, .max = 64, .help = "only this command" } } }

#endif
