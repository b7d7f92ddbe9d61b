// SPDX-License-Identifier: GPL-2.0-only
/* --trace specifications (pure). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "minivmm/trace.h"

static const char *const region_names[] = { "bar0", "bar1", "bar2", "bar3", "bar4", "bar5", "config" };

const char *trace_region_name(unsigned int region)
{
	return region <= TRACE_CONFIG ? region_names[region] : "?";
}

/* Decimal or 0x-hex digits filling [s, end): no blanks, no sign, no octal. */
static int parse_u64(const char *s, const char *end, uint64_t *v)
{
	unsigned int base = 10;

	if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (s == end)
		return -EINVAL;
	for (*v = 0; s < end; s++) {
		unsigned char c = (unsigned char)*s;
		unsigned int d = isdigit(c) ? (unsigned int)(c - '0') : isxdigit(c) ? (unsigned int)(tolower(c) - 'a' + 10) : 16u;

		if (d >= base || *v > (UINT64_MAX - d) / base)
			return -EINVAL;
		*v = *v * base + d;
	}
	return 0;
}

int trace_spec_parse(const char *s, struct trace_spec *out, char *err, size_t errlen)
{
	const char *c1, *c2, *plus, *end;
	char bdf[64], region[16];

	memset(out, 0, sizeof(*out));
	/* The BDF has colons of its own: the region is the last "barN" or "config" field. */
	c1 = strstr(s, ":bar");
	if (!c1)
		c1 = strstr(s, ":config");
	if (!c1 || (size_t)(c1 - s) >= sizeof(bdf))
		goto bad;
	snprintf(bdf, sizeof(bdf), "%.*s", (int)(c1 - s), s);
	if (pci_bdf_parse(bdf, &out->bdf))
		goto bad;
	c1++;
	c2 = strchr(c1, ':');
	end = c2 ? c2 : c1 + strlen(c1);
	if ((size_t)(end - c1) >= sizeof(region))
		goto bad;
	snprintf(region, sizeof(region), "%.*s", (int)(end - c1), c1);
	out->region = TRACE_CONFIG + 1;
	for (unsigned int r = 0; r <= TRACE_CONFIG; r++)
		if (!strcmp(region, region_names[r]))
			out->region = r;
	if (out->region > TRACE_CONFIG)
		goto bad;
	if (!c2)
		return 0;
	end = c2 + 1 + strlen(c2 + 1);
	plus = strchr(c2 + 1, '+');
	if (parse_u64(c2 + 1, plus ? plus : end, &out->off))
		goto bad;
	if (plus && (parse_u64(plus + 1, end, &out->len) || !out->len || out->off + out->len < out->off))
		goto bad;
	return 0;
bad:
	snprintf(err, errlen,
		 "--trace '%s' is not BDF:REGION[:OFFSET[+LEN]]: REGION is bar0..bar5 or config, e.g. --trace 0000:03:00.0:bar0:0x0+0x100",
		 s);
	return -EINVAL;
}

bool trace_spec_hits(const struct trace_spec *sp, unsigned int region, uint64_t off, unsigned int len)
{
	if (sp->region != region || off + len <= sp->off)
		return false;
	return !sp->len || off < sp->off + sp->len;
}

