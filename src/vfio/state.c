// SPDX-License-Identifier: GPL-2.0-only
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "minivmm/vfio/state.h"

#define MAGIC_KEY "minivmm-state"

enum { K_MAGIC, K_BDF, K_DRIVER, K_OVERRIDE, K_PID, K_STARTTIME, K_BOOT_ID, K_COUNT };

static const char *const keys[K_COUNT] = {
	[K_MAGIC] = MAGIC_KEY, [K_BDF] = "bdf", [K_DRIVER] = "driver", [K_OVERRIDE] = "override",
	[K_PID] = "pid", [K_STARTTIME] = "starttime", [K_BOOT_ID] = "boot_id",
};

bool dev_state_name_valid(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= HOST_DRIVER_MAX)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.:+-", *s))
			return false;
	return true;
}

static bool bdf_canonical(const char *s)
{
	struct pci_bdf b;
	char canon[PCI_BDF_STRLEN];

	if (pci_bdf_parse(s, &b))
		return false;
	pci_bdf_format(&b, canon);
	return !strcmp(canon, s);
}

static bool boot_id_valid(const char *s)
{
	if (strlen(s) != DEV_STATE_BOOT_ID_LEN)
		return false;
	for (int i = 0; i < DEV_STATE_BOOT_ID_LEN; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	}
	return true;
}

int dev_state_format(const struct dev_state *st, char *buf, size_t len)
{
	int n;

	if (!bdf_canonical(st->bdf) || (st->driver[0] && !dev_state_name_valid(st->driver)) ||
	    (st->override[0] && !dev_state_name_valid(st->override)) || st->pid <= 0 ||
	    st->pid > DEV_STATE_PID_MAX || !boot_id_valid(st->boot_id))
		return -EINVAL;
	n = snprintf(buf, len, MAGIC_KEY "=%d\nbdf=%s\ndriver=%s\noverride=%s\npid=%d\nstarttime=%llu\nboot_id=%s\n",
		     DEV_STATE_VERSION, st->bdf, st->driver, st->override, st->pid, st->starttime, st->boot_id);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}

/* A decimal number with no sign, no leading zero (but "0"), at most @max. */
static bool parse_dec(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;

	if (!*s || (s[0] == '0' && s[1]))
		return false;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s) || v > (max - (unsigned)(*s - '0')) / 10)
			return false;
		v = v * 10 + (unsigned)(*s - '0');
	}
	*out = v;
	return true;
}

static int bad(char *err, size_t errlen, unsigned int line, const char *what)
{
	if (line)
		snprintf(err, errlen, "line %u: %s", line, what);
	else
		snprintf(err, errlen, "%s", what);
	return -EINVAL;
}

/* One "key=value" line into @st; 0 or an error message. */
static const char *parse_field(int k, const char *v, struct dev_state *st)
{
	unsigned long long n;

	switch (k) {
	case K_MAGIC:
		if (!parse_dec(v, 1000000, &n))
			return "not a version number";
		if (n != DEV_STATE_VERSION)
			return "version not known to this minivmm (written by a newer one?)";
		return NULL;
	case K_BDF:
		if (!bdf_canonical(v))
			return "bdf is not a PCI address DDDD:BB:DD.F";
		snprintf(st->bdf, sizeof(st->bdf), "%s", v);
		return NULL;
	case K_DRIVER:
	case K_OVERRIDE:
		if (v[0] && !dev_state_name_valid(v))
			return k == K_DRIVER ? "driver is not a driver name" : "override is not a driver name";
		snprintf(k == K_DRIVER ? st->driver : st->override, HOST_DRIVER_MAX, "%s", v);
		return NULL;
	case K_PID:
		if (!parse_dec(v, DEV_STATE_PID_MAX, &n) || !n)
			return "pid is not a process id";
		st->pid = (int)n;
		return NULL;
	case K_STARTTIME:
		if (!parse_dec(v, ~0ULL, &n))
			return "starttime is not a number";
		st->starttime = n;
		return NULL;
	case K_BOOT_ID:
		if (!boot_id_valid(v))
			return "boot_id is not a boot id";
		snprintf(st->boot_id, sizeof(st->boot_id), "%s", v);
		return NULL;
	}
	return "unknown key";
}

/* Into @st, which stays as it was unless all of @buf is good. */
static int parse_all(const char *buf, size_t len, struct dev_state *st, char *err, size_t errlen)
{
	unsigned int seen = 0, line = 0;
	size_t pos = 0;

	if (!len)
		return bad(err, errlen, 0, "empty");
	if (len > DEV_STATE_MAX)
		return bad(err, errlen, 0, "too long for a state file");
	if (memchr(buf, 0, len))
		return bad(err, errlen, 0, "binary data (a NUL byte)");
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos), *eq;
		char text[DEV_STATE_MAX + 1];
		const char *msg;
		size_t n;
		int k;

		line++;
		if (!nl)
			return bad(err, errlen, line, "truncated (no end of line)");
		n = (size_t)(nl - (buf + pos));
		memcpy(text, buf + pos, n);
		text[n] = 0;
		pos += n + 1;
		eq = strchr(text, '=');
		if (!eq)
			return bad(err, errlen, line, "not key=value");
		for (k = 0; k < K_COUNT; k++)
			if (strlen(keys[k]) == (size_t)(eq - text) && !memcmp(text, keys[k], eq - text))
				break;
		if (k == K_COUNT)
			return bad(err, errlen, line, "unknown key");
		if (line == 1 && k != K_MAGIC)
			return bad(err, errlen, line, "not a minivmm state file (no " MAGIC_KEY "= first)");
		if (seen & (1u << k))
			return bad(err, errlen, line, "key given twice");
		msg = parse_field(k, eq + 1, st);
		if (msg)
			return bad(err, errlen, line, msg);
		seen |= 1u << k;
	}
	for (int k = 0; k < K_COUNT; k++) {
		if (!(seen & (1u << k))) {
			char what[64];

			snprintf(what, sizeof(what), "truncated (no %s=)", keys[k]);
			return bad(err, errlen, 0, what);
		}
	}
	return 0;
}

int dev_state_parse(const char *buf, size_t len, struct dev_state *st, char *err, size_t errlen)
{
	struct dev_state tmp;
	int ret;

	memset(&tmp, 0, sizeof(tmp));
	memset(st, 0, sizeof(*st));
	err[0] = 0;
	ret = parse_all(buf, len, &tmp, err, errlen);
	if (!ret)
		*st = tmp;
	return ret;
}
