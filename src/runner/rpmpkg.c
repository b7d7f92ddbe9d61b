// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "minivmm/cache.h"
#include "minivmm/runner/pkgmap.h"
#include "minivmm/runner/cpio_in.h"
#include "minivmm/runner/pkgstream.h"
#include "minivmm/runner/rpmpkg.h"
#include "minivmm/runner/unpack.h"

#define PAYLOAD_MAX (64ULL << 30)    /* decoded cpio archive */
#define CANCEL_EVERY 64              /* entries between two cancel checks */
#define LINKS_MAX 64                 /* hard-linked files remembered */
#define RPMFILE_GHOST (1u << 6)

void rpm_close(struct rpm *r)
{
	pkg_unmap(&r->map, &r->size);
}

int rpm_open(struct rpm *r, const char *path, char *err, size_t errlen)
{
	const char *file = pkg_base_name(path), *why = "";
	uint32_t signed_size;
	int ret;

	memset(r, 0, sizeof(*r));
	r->path = path;
	ret = pkg_map(path, KPKG_RPM, 4, &r->map, &r->size, err, errlen);
	if (ret)
		return ret;
	ret = rpm_layout(r->map, r->size, &r->lead, &r->sig, &r->hdr, &r->payload_off, &why);
	if (!ret && r->payload_off >= r->size) {
		why = "it has no payload";
		ret = -ENODATA;
	}
	/* The signature's size of the main header and payload: a short file is cut off. */
	if (!ret && !rpm_header_uint(&r->sig, RPMSIGTAG_SIZE, 0, &signed_size) &&
	    signed_size > r->size - (r->payload_off - r->hdr.size)) {
		why = "shorter than its signature says";
		ret = -ENODATA;
	}
	if (ret) {
		snprintf(err, errlen, "%s is %s (%s): download it again", file, ret == -ENODATA ? "truncated" : "damaged",
			 why);
		rpm_close(r);
		return ret;
	}
	return 0;
}

uint64_t rpm_key(const struct rpm *r, uint64_t h)
{
	uint64_t payload = r->size - r->payload_off;

	h = cache_hash_str(h, "rpm");
	h = cache_hash(h, r->hdr.index - RPM_HDR_INTRO, r->hdr.size);
	return cache_hash(h, &payload, sizeof(payload));
}

static void copy_tag(char *out, size_t outlen, const struct rpm_header *h, uint32_t tag)
{
	const char *s = rpm_header_string(h, tag);

	snprintf(out, outlen, "%s", s ? s : "");
}

/* The requires as a Depends line: "kernel-core-uname-r, kernel-modules-uname-r, ...". */
static void note_requires(struct kpkg_info *info, const struct rpm_header *h)
{
	uint32_t n = 0;
	const char *s = rpm_header_string_at(h, RPMTAG_REQUIRENAME, 0, &n);
	size_t pos = 0;

	info->depends[0] = 0;
	for (uint32_t i = 0; s && i < n && pos < sizeof(info->depends); i++, s = rpm_strings_next(s)) {
		int w;

		if (!strncmp(s, "rpmlib(", 7) || s[0] == '/')
			continue;
		w = snprintf(info->depends + pos, sizeof(info->depends) - pos, "%s%s", pos ? ", " : "", s);
		if (w < 0)
			break;
		pos += (size_t)w;
	}
	if (pos >= sizeof(info->depends))
		info->depends[sizeof(info->depends) - 1] = 0;
}

/* Every file the header lists (but %ghost ones) through kpkg_note_path. */
static void note_files(struct kpkg_info *info, const struct rpm_header *h)
{
	char path[PATH_MAX], out[PATH_MAX];
	uint32_t n = 0, ndirs = 0, di, mode, flags;
	const char *base = rpm_header_string_at(h, RPMTAG_BASENAMES, 0, &n);
	const char *dir0 = rpm_header_string_at(h, RPMTAG_DIRNAMES, 0, &ndirs);
	const char *old = NULL;

	if (!base) /* packages of rpm before 4.0 list whole names */
		old = rpm_header_string_at(h, RPMTAG_OLDFILENAMES, 0, &n);
	for (uint32_t i = 0; i < n; i++) {
		bool is_dir = !rpm_header_uint(h, RPMTAG_FILEMODES, i, &mode) && S_ISDIR(mode & 0xffff);
		bool ghost = !rpm_header_uint(h, RPMTAG_FILEFLAGS, i, &flags) && (flags & RPMFILE_GHOST);
		int w = -1;

		if (old) {
			w = snprintf(path, sizeof(path), "%s", old);
			old = rpm_strings_next(old);
		} else {
			const char *dir = NULL;

			if (!rpm_header_uint(h, RPMTAG_DIRINDEXES, i, &di) && di < ndirs)
				dir = di ? rpm_header_string_at(h, RPMTAG_DIRNAMES, di, NULL) : dir0;
			if (dir)
				w = snprintf(path, sizeof(path), "%s%s", dir, base);
			base = rpm_strings_next(base);
		}
		if (w < 0 || (size_t)w >= sizeof(path) || ghost)
			continue;
		kpkg_note_path(info, path, is_dir, out, sizeof(out));
	}
}

static const struct {
	const char *name;
	enum decomp_format f;
} compressors[] = {
	{ "gzip", DECOMP_GZIP }, { "xz", DECOMP_XZ }, { "zstd", DECOMP_ZSTD },
	{ "lzma", DECOMP_LZMA }, { "bzip2", DECOMP_BZIP2 },
};

int rpm_read_info(struct rpm *r, struct kpkg_info *info, char *err, size_t errlen)
{
	const char *file = pkg_base_name(r->path), *fmt, *comp;
	char shown[KPKG_SHOWN_MAX], version[KPKG_NAME_MAX], release[KPKG_NAME_MAX];
	const uint8_t *payload = r->map + r->payload_off;
	size_t payload_size = r->size - r->payload_off;
	enum decomp_format magic;
	uint32_t type, count;
	const uint8_t *data;

	info->format = KPKG_RPM;
	copy_tag(info->package, sizeof(info->package), &r->hdr, RPMTAG_NAME);
	copy_tag(version, sizeof(version), &r->hdr, RPMTAG_VERSION);
	copy_tag(release, sizeof(release), &r->hdr, RPMTAG_RELEASE);
	snprintf(info->version, sizeof(info->version), "%.60s-%.60s", version, release);
	copy_tag(info->arch, sizeof(info->arch), &r->hdr, RPMTAG_ARCH);
	kpkg_printable(shown, sizeof(shown), info->package[0] ? info->package : "this package");
	/* A binary package names its source RPM; a source package has none (or says so). */
	if (r->lead.source || !rpm_header_get(&r->hdr, RPMTAG_SOURCEPACKAGE, &type, &count, &data) ||
	    !rpm_header_string(&r->hdr, RPMTAG_SOURCERPM)) {
		snprintf(err, errlen,
			 "%s is a source RPM (of %s), not a built kernel: pass the binary kernel-core-*.rpm (rpmbuild --rebuild %s builds it)",
			 file, shown, file);
		return -EINVAL;
	}
	fmt = rpm_header_string(&r->hdr, RPMTAG_PAYLOADFORMAT);
	if (fmt && strcmp(fmt, "cpio")) {
		kpkg_printable(shown, sizeof(shown), fmt);
		snprintf(err, errlen,
			 "%s: its payload is a %s archive, minivmm reads cpio payloads only: unpack it with rpm2archive and pass --kernel and --modules",
			 file, shown);
		return -ENOTSUP;
	}
	comp = rpm_header_string(&r->hdr, RPMTAG_PAYLOADCOMPRESSOR);
	if (!comp)
		comp = "gzip"; /* rpm's default when the tag is absent */
	r->comp = DECOMP_UNKNOWN;
	for (size_t i = 0; i < sizeof(compressors) / sizeof(compressors[0]); i++)
		if (!strcmp(comp, compressors[i].name))
			r->comp = compressors[i].f;
	kpkg_printable(shown, sizeof(shown), comp);
	if (r->comp == DECOMP_UNKNOWN) {
		snprintf(err, errlen,
			 "%s: its payload compressor \"%s\" is unknown (minivmm decodes gzip, xz, zstd): unpack it with rpm2cpio and pass --kernel and --modules",
			 file, shown);
		return -ENOTSUP;
	}
	if (!decomp_supported(r->comp)) {
		snprintf(err, errlen,
			 "%s: its payload is %s-compressed, which minivmm does not decode (gzip, xz, zstd): unpack it with rpm2cpio and pass --kernel and --modules",
			 file, shown);
		return -ENOTSUP;
	}
	magic = decomp_detect(payload, payload_size);
	if (magic != r->comp) {
		snprintf(err, errlen, "%s is damaged (its header names a %s payload, the payload is %s): download it again",
			 file, shown, magic == DECOMP_UNKNOWN ? "not compressed that way" : decomp_name(magic));
		return -EINVAL;
	}
	note_requires(info, &r->hdr);
	note_files(info, &r->hdr);
	return 0;
}

/* Hard-linked files: newc stores the data with one of the names (rpm: the last), the others empty. */
struct links {
	struct {
		uint32_t ino;
		bool data;
		char rel[PATH_MAX];
	} l[LINKS_MAX];
	unsigned int n;
};

/* @rel (just written, with data or empty) shares @ino with earlier names: link the empty ones to the data. */
static int link_names(struct links *k, int rootfd, uint32_t ino, const char *rel, bool data)
{
	int ret = 0;

	for (unsigned int i = 0; i < k->n; i++) {
		const char *empty, *full;

		if (k->l[i].ino != ino || k->l[i].data == data)
			continue;
		empty = data ? k->l[i].rel : rel;
		full = data ? rel : k->l[i].rel;
		if (unlinkat(rootfd, empty, 0) || linkat(rootfd, full, rootfd, empty, 0))
			ret = -errno;
	}
	if (k->n < LINKS_MAX) {
		k->l[k->n].ino = ino;
		k->l[k->n].data = data;
		snprintf(k->l[k->n].rel, sizeof(k->l[k->n].rel), "%s", rel);
		k->n++;
	}
	return ret;
}

static ssize_t entry_read(void *opaque, void *buf, size_t n)
{
	return cpio_in_read(opaque, buf, n);
}

int rpm_unpack(struct rpm *r, struct kpkg_info *info, int rootfd, int (*cancel)(void *), void *opaque,
	       char *err, size_t errlen)
{
	char rel[PATH_MAX], why[256], *leaf = NULL;
	struct links *links = NULL;
	struct cpio_in_entry e;
	struct pkgstream s;
	struct cpio_in c;
	unsigned long n = 0;
	int ret, io = 0, dfd;

	ret = pkgstream_open(&s, r->map + r->payload_off, r->size - r->payload_off, r->comp, PAYLOAD_MAX,
			     "its payload", err, errlen);
	if (ret)
		return ret;
	cpio_in_init(&c, pkgstream_read, &s);
	err[0] = 0;
	while ((ret = cpio_in_next(&c, &e)) == 1) {
		bool is_dir = S_ISDIR(e.mode), is_file = S_ISREG(e.mode);
		int keep = kpkg_note_path(info, e.path, is_dir, rel, sizeof(rel));

		if (cancel && ++n % CANCEL_EVERY == 0 && (io = cancel(opaque)))
			break;
		if (keep < 0) {
			char shown[256];

			kpkg_printable(shown, sizeof(shown), e.path);
			snprintf(err, errlen, "%s holds an unsafe path (%s): not unpacked; it is no distribution package",
				 pkg_base_name(r->path), shown);
			io = -EINVAL;
			break;
		}
		/* A kernel and its modules are files; links and devices are not needed. */
		if (!keep || (!is_file && !is_dir))
			continue;
		if (is_dir)
			strcat(rel, "/.");
		dfd = unpack_parent(rootfd, rel, &leaf);
		if (dfd < 0) {
			io = dfd;
		} else if (is_file) {
			io = unpack_file(dfd, leaf, e.mode, entry_read, &c);
			if (!io && e.nlink > 1) {
				if (!links)
					links = calloc(1, sizeof(*links));
				io = links ? link_names(links, rootfd, e.ino, rel, e.size > 0) : -ENOMEM;
			}
		}
		if (dfd >= 0)
			close(dfd);
		if (io) {
			/* The cpio reader's errors are the archive's, not the disk's. */
			if (c.why[0]) {
				ret = -EINVAL;
			} else {
				char shown[256];

				kpkg_printable(shown, sizeof(shown), rel);
				snprintf(err, errlen, "cannot unpack %s of %s: %s", shown, pkg_base_name(r->path), strerror(-io));
			}
			break;
		}
	}
	free(links);
	if (pkgstream_close(&s, ret == 0 && !io, why, sizeof(why)) || ret < 0) {
		snprintf(err, errlen, "%s is damaged: its payload %s (%s): download it again", pkg_base_name(r->path),
			 why[0] ? "does not decompress" : "is no valid cpio archive", why[0] ? why : c.why);
		return -EINVAL;
	}
	if (io && !err[0])
		snprintf(err, errlen, "unpacking %s stopped: %s", pkg_base_name(r->path), strerror(-io));
	return io;
}
