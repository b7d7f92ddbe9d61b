// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <string.h>

#include "minivmm/runner/ar.h"

/* A member header: name[16] mtime[12] uid[6] gid[6] mode[8] size[10] "`\n". */
#define AR_HDR 60

int ar_is_archive(const uint8_t *p, size_t n)
{
	return n >= sizeof(AR_MAGIC) - 1 && !memcmp(p, AR_MAGIC, sizeof(AR_MAGIC) - 1);
}

static int bad(const char **why, const char *what, int ret)
{
	if (why)
		*why = what;
	return ret;
}

int ar_next(const uint8_t *p, size_t n, uint64_t *pos, struct ar_member *m, const char **why)
{
	const char *h;
	uint64_t size = 0;
	size_t len;
	int i;

	if (!ar_is_archive(p, n))
		return bad(why, "not an ar archive", -EINVAL);
	if (*pos < sizeof(AR_MAGIC) - 1)
		*pos = sizeof(AR_MAGIC) - 1;
	/* Members start on even offsets: a newline pads an odd one. */
	if (*pos & 1)
		(*pos)++;
	if (*pos >= n)
		return 0;
	if (n - *pos < AR_HDR)
		return bad(why, "a member header is cut off", -ENODATA);
	h = (const char *)p + *pos;
	if (h[58] != '`' || h[59] != '\n')
		return bad(why, "a member header is damaged", -EINVAL);
	/* Size: decimal, blank-padded on the right. */
	for (i = 48; i < 58 && h[i] != ' '; i++) {
		if (h[i] < '0' || h[i] > '9')
			return bad(why, "a member size is not a number", -EINVAL);
		size = size * 10 + (uint64_t)(h[i] - '0');
	}
	if (i == 48)
		return bad(why, "a member size is empty", -EINVAL);
	for (; i < 58; i++)
		if (h[i] != ' ')
			return bad(why, "a member size is not a number", -EINVAL);
	memcpy(m->name, h, AR_NAME_MAX);
	m->name[AR_NAME_MAX] = 0;
	len = AR_NAME_MAX;
	while (len && m->name[len - 1] == ' ')
		len--;
	if (len && m->name[len - 1] == '/' && len > 1) /* GNU ar ends names with '/' */
		len--;
	m->name[len] = 0;
	m->off = *pos + AR_HDR;
	m->size = size;
	if (size > n - m->off)
		return bad(why, "a member runs past the end of the file", -ENODATA);
	*pos = m->off + size;
	return 1;
}
