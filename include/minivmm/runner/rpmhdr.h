/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The layout of an RPM package (rpm's lib/rpmlead.c, lib/header.c): a
 * 96-byte lead, the signature header padded to 8 bytes, the main
 * header, then the compressed cpio payload. A header is a magic
 * (8e ad e8 01), 4 reserved bytes, the entry count and data size (big
 * endian), the 16-byte index entries (tag, type, offset, count), then
 * the data store. Pure: reads a buffer (the mapped file), never copies.
 */
#ifndef MINIVMM_RUNNER_RPMHDR_H
#define MINIVMM_RUNNER_RPMHDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RPM_LEAD_SIZE 96
#define RPM_HDR_INTRO 16             /* magic, reserved, count, data size */
#define RPM_HDR_ENTRY 16
#define RPM_HDR_MAX_ENTRIES 65536    /* rpm's own limits (lib/header.c) */
#define RPM_HDR_MAX_DATA (256u << 20)

/* Tags minivmm reads (rpm's include/rpm/rpmtag.h). */
enum {
	RPMTAG_NAME = 1000,
	RPMTAG_VERSION = 1001,
	RPMTAG_RELEASE = 1002,
	RPMTAG_OS = 1021,
	RPMTAG_ARCH = 1022,
	RPMTAG_OLDFILENAMES = 1027,
	RPMTAG_FILEMODES = 1030,
	RPMTAG_FILEFLAGS = 1037,     /* RPMFILE_GHOST (1 << 6): not in the payload */
	RPMTAG_SOURCERPM = 1044,
	RPMTAG_REQUIRENAME = 1049,
	RPMTAG_SOURCEPACKAGE = 1106,
	RPMTAG_DIRINDEXES = 1116,
	RPMTAG_BASENAMES = 1117,
	RPMTAG_DIRNAMES = 1118,
	RPMTAG_PAYLOADFORMAT = 1124,
	RPMTAG_PAYLOADCOMPRESSOR = 1125,
};

/* Of the signature header. */
enum {
	RPMSIGTAG_SIZE = 1000,       /* main header and payload, in bytes */
};

enum rpm_type {
	RPM_NULL_TYPE, RPM_CHAR_TYPE, RPM_INT8_TYPE, RPM_INT16_TYPE, RPM_INT32_TYPE, RPM_INT64_TYPE,
	RPM_STRING_TYPE, RPM_BIN_TYPE, RPM_STRING_ARRAY_TYPE, RPM_I18NSTRING_TYPE,
};

struct rpm_lead {
	unsigned int major, minor;
	bool source;                 /* type 1: a source package */
	char name[67];               /* NUL-terminated */
};

struct rpm_header {
	const uint8_t *index;        /* the entries */
	const uint8_t *store;        /* the data */
	uint32_t count, data_size;
	uint64_t size;               /* intro, index and store */
};

/* Whether @p starts with the RPM lead magic (ed ab ee db). */
bool rpm_is_package(const uint8_t *p, size_t n);

/* The lead; -EINVAL (not an RPM, a lead cut off, no header signature type 5) with @why. */
int rpm_lead_parse(const uint8_t *p, size_t n, struct rpm_lead *lead, const char **why);

/*
 * The header at @p (@n bytes to the end of the buffer): its magic, sizes
 * and every index entry checked (a type minivmm knows, its data inside
 * the store, strings terminated in it). 0, -ENODATA when the buffer ends
 * first (truncated), -EINVAL when damaged; @why says what.
 */
int rpm_header_parse(const uint8_t *p, size_t n, struct rpm_header *h, const char **why);

/*
 * The parts of a package of @n bytes: the lead, the signature and main
 * headers and the payload's offset. Errors as rpm_header_parse.
 */
int rpm_layout(const uint8_t *p, size_t n, struct rpm_lead *lead, struct rpm_header *sig, struct rpm_header *main_hdr,
	       uint64_t *payload_off, const char **why);

/*
 * Entry @tag: -ENOENT if absent, else 0 with its type, count and data
 * (inside the store, checked by rpm_header_parse).
 */
int rpm_header_get(const struct rpm_header *h, uint32_t tag, uint32_t *type, uint32_t *count, const uint8_t **data);

/* A STRING (or the first of a STRING_ARRAY / I18NSTRING) tag, NULL if absent. */
const char *rpm_header_string(const struct rpm_header *h, uint32_t tag);

/*
 * The @i-th string of a STRING_ARRAY tag (of *@count, set when not NULL),
 * NULL when absent or out of range. Strings are walked from the start:
 * callers that walk all of them use rpm_strings_next.
 */
const char *rpm_header_string_at(const struct rpm_header *h, uint32_t tag, uint32_t i, uint32_t *count);

/* The string after @s of a STRING_ARRAY (checked terminated): s + strlen(s) + 1. */
const char *rpm_strings_next(const char *s);

/*
 * The @i-th number of an INT8, INT16 (FILEMODES) or INT32 tag: 0 with
 * *@v, or -ENOENT (absent, another type, out of range).
 */
int rpm_header_uint(const struct rpm_header *h, uint32_t tag, uint32_t i, uint32_t *v);

#endif
