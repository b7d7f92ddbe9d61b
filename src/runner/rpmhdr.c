// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <string.h>

#include "minivmm/runner/rpmhdr.h"

static const uint8_t lead_magic[4] = { 0xed, 0xab, 0xee, 0xdb };
static const uint8_t header_magic[4] = { 0x8e, 0xad, 0xe8, 0x01 };
#define RPMSIGTYPE_HEADERSIG 5

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int bad(const char **why, const char *what, int ret)
{
	if (why)
		*why = what;
	return ret;
}

bool rpm_is_package(const uint8_t *p, size_t n)
{
	return n >= sizeof(lead_magic) && !memcmp(p, lead_magic, sizeof(lead_magic));
}

int rpm_lead_parse(const uint8_t *p, size_t n, struct rpm_lead *lead, const char **why)
{
	if (!rpm_is_package(p, n))
		return bad(why, "no RPM lead", -EINVAL);
	if (n < RPM_LEAD_SIZE)
		return bad(why, "the lead is cut off", -ENODATA);
	memset(lead, 0, sizeof(*lead));
	lead->major = p[4];
	lead->minor = p[5];
	lead->source = (p[6] << 8 | p[7]) == 1;
	memcpy(lead->name, p + 10, 66);
	lead->name[66] = 0;
	/* rpm reads leads of version 3 and 4 (lib/rpmlead.c); 6 is let through: v6 headers are alike. */
	if (lead->major != 3 && lead->major != 4 && lead->major != 6)
		return bad(why, "a lead version other than 3, 4 or 6", -EINVAL);
	if ((p[78] << 8 | p[79]) != RPMSIGTYPE_HEADERSIG)
		return bad(why, "the lead names no header signature", -EINVAL);
	return 0;
}

/* Each string of @count ends inside @store (of @size bytes from @off): the bytes used, or 0. */
static uint64_t strings_len(const uint8_t *store, uint32_t size, uint32_t off, uint32_t count)
{
	uint64_t pos = off;

	if (!count)
		return 0;
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *nul;

		if (pos >= size)
			return 0;
		nul = memchr(store + pos, 0, size - pos);
		if (!nul)
			return 0;
		pos = (uint64_t)(nul - store) + 1;
	}
	return pos - off;
}

static int entry_check(const uint8_t *e, const uint8_t *store, uint32_t size, const char **why)
{
	static const uint8_t width[] = {
		[RPM_CHAR_TYPE] = 1, [RPM_INT8_TYPE] = 1, [RPM_INT16_TYPE] = 2, [RPM_INT32_TYPE] = 4,
		[RPM_INT64_TYPE] = 8, [RPM_BIN_TYPE] = 1,
	};
	uint32_t type = be32(e + 4), off = be32(e + 8), count = be32(e + 12);

	if (type == RPM_NULL_TYPE || type > RPM_I18NSTRING_TYPE)
		return bad(why, "a header entry has an unknown type", -EINVAL);
	if (off > size)
		return bad(why, "a header entry points outside the data store", -EINVAL);
	if (type == RPM_STRING_TYPE || type == RPM_STRING_ARRAY_TYPE || type == RPM_I18NSTRING_TYPE) {
		if (type == RPM_STRING_TYPE && count != 1)
			return bad(why, "a header string entry has a count other than 1", -EINVAL);
		if (!strings_len(store, size, off, count))
			return bad(why, "a header string runs past the data store", -EINVAL);
		return 0;
	}
	if (!count || (uint64_t)count * width[type] > size - off)
		return bad(why, "a header entry points outside the data store", -EINVAL);
	return 0;
}

int rpm_header_parse(const uint8_t *p, size_t n, struct rpm_header *h, const char **why)
{
	uint64_t size;
	int ret;

	memset(h, 0, sizeof(*h));
	if (n < RPM_HDR_INTRO)
		return bad(why, "a header is cut off", -ENODATA);
	if (memcmp(p, header_magic, sizeof(header_magic)))
		return bad(why, "a header has no header magic", -EINVAL);
	h->count = be32(p + 8);
	h->data_size = be32(p + 12);
	if (h->count == 0 || h->count > RPM_HDR_MAX_ENTRIES || h->data_size > RPM_HDR_MAX_DATA)
		return bad(why, "a header's size is out of range", -EINVAL);
	size = RPM_HDR_INTRO + (uint64_t)h->count * RPM_HDR_ENTRY + h->data_size;
	if (size > n)
		return bad(why, "a header runs past the end of the file", -ENODATA);
	h->index = p + RPM_HDR_INTRO;
	h->store = h->index + (size_t)h->count * RPM_HDR_ENTRY;
	h->size = size;
	for (uint32_t i = 0; i < h->count; i++) {
		ret = entry_check(h->index + (size_t)i * RPM_HDR_ENTRY, h->store, h->data_size, why);
		if (ret)
			return ret;
	}
	return 0;
}

int rpm_layout(const uint8_t *p, size_t n, struct rpm_lead *lead, struct rpm_header *sig, struct rpm_header *main_hdr,
	       uint64_t *payload_off, const char **why)
{
	uint64_t off = RPM_LEAD_SIZE;
	int ret = rpm_lead_parse(p, n, lead, why);

	if (ret)
		return ret;
	ret = rpm_header_parse(p + off, n - off, sig, why);
	if (ret)
		return ret;
	/* The signature header is padded to 8 bytes. */
	off += (sig->size + 7) & ~7ULL;
	if (off > n)
		return bad(why, "the file ends after the signature", -ENODATA);
	ret = rpm_header_parse(p + off, n - off, main_hdr, why);
	if (ret)
		return ret;
	*payload_off = off + main_hdr->size;
	return 0;
}

int rpm_header_get(const struct rpm_header *h, uint32_t tag, uint32_t *type, uint32_t *count, const uint8_t **data)
{
	for (uint32_t i = 0; i < h->count; i++) {
		const uint8_t *e = h->index + (size_t)i * RPM_HDR_ENTRY;

		if (be32(e) != tag)
			continue;
		*type = be32(e + 4);
		*count = be32(e + 12);
		*data = h->store + be32(e + 8);
		return 0;
	}
	return -ENOENT;
}

static bool is_strings(uint32_t type)
{
	return type == RPM_STRING_TYPE || type == RPM_STRING_ARRAY_TYPE || type == RPM_I18NSTRING_TYPE;
}

const char *rpm_header_string(const struct rpm_header *h, uint32_t tag)
{
	const uint8_t *data;
	uint32_t type, count;

	if (rpm_header_get(h, tag, &type, &count, &data) || !is_strings(type))
		return NULL;
	return (const char *)data;
}

const char *rpm_strings_next(const char *s)
{
	return s + strlen(s) + 1;
}

const char *rpm_header_string_at(const struct rpm_header *h, uint32_t tag, uint32_t i, uint32_t *count)
{
	const uint8_t *data;
	const char *s;
	uint32_t type, n;

	if (count)
		*count = 0;
	if (rpm_header_get(h, tag, &type, &n, &data) || type != RPM_STRING_ARRAY_TYPE)
		return NULL;
	if (count)
		*count = n;
	if (i >= n)
		return NULL;
	s = (const char *)data;
	while (i--)
		s = rpm_strings_next(s);
	return s;
}

int rpm_header_uint(const struct rpm_header *h, uint32_t tag, uint32_t i, uint32_t *v)
{
	const uint8_t *data;
	uint32_t type, count;

	if (rpm_header_get(h, tag, &type, &count, &data) || i >= count)
		return -ENOENT;
	if (type == RPM_INT32_TYPE)
		*v = be32(data + (size_t)i * 4);
	else if (type == RPM_INT16_TYPE)
		*v = (uint32_t)data[i * 2] << 8 | data[i * 2 + 1];
	else if (type == RPM_INT8_TYPE || type == RPM_CHAR_TYPE)
		*v = data[i];
	else
		return -ENOENT;
	return 0;
}
