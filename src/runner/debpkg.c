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
#include "minivmm/decompress.h"
#include "minivmm/runner/pkgmap.h"
#include "minivmm/runner/debpkg.h"
#include "minivmm/runner/pkgstream.h"
#include "minivmm/runner/tar.h"
#include "minivmm/runner/unpack.h"

#define CONTROL_FILE_MAX (16u << 20) /* control, md5sums */
#define DATA_MAX (64ULL << 30)       /* decoded data.tar */
#define CANCEL_EVERY 64              /* entries between two cancel checks */

void deb_close(struct deb *d)
{
	pkg_unmap(&d->map, &d->size);
}

int deb_open(struct deb *d, const char *path, char *err, size_t errlen)
{
	const char *file = pkg_base_name(path), *why = NULL;
	bool have_control = false, have_data = false;
	struct ar_member m;
	uint64_t pos = 0;
	int ret, i;

	memset(d, 0, sizeof(*d));
	d->path = path;
	ret = pkg_map(path, KPKG_DEB, 8, &d->map, &d->size, err, errlen);
	if (ret)
		return ret;
	if (!ar_is_archive(d->map, d->size)) {
		enum decomp_format f = decomp_detect(d->map, d->size);

		snprintf(err, errlen, "%s is not a Debian package (%s%s): pass a linux-image-*.deb", file,
			 f == DECOMP_UNKNOWN ? "no ar archive" : decomp_name(f),
			 f == DECOMP_UNKNOWN ? "" : "-compressed data, no ar archive");
		ret = -EINVAL;
		goto fail;
	}
	for (i = 0; (ret = ar_next(d->map, d->size, &pos, &m, &why)) == 1; i++) {
		if (i == 0) {
			if (strcmp(m.name, "debian-binary") || m.size < 2 || memcmp(d->map + m.off, "2.", 2)) {
				snprintf(err, errlen,
					 "%s is not a Debian package (an ar archive without debian-binary 2.x first): pass a linux-image-*.deb",
					 file);
				ret = -EINVAL;
				goto fail;
			}
		} else if (!strncmp(m.name, "control.tar", 11) && !have_control) {
			d->control = m;
			have_control = true;
		} else if (!strncmp(m.name, "data.tar", 8) && !have_data) {
			d->data = m;
			have_data = true;
		}
	}
	if (ret < 0) {
		snprintf(err, errlen, "%s is %s (%s): download it again", file,
			 ret == -ENODATA ? "truncated" : "damaged", why);
		goto fail;
	}
	if (!have_control || !have_data) {
		snprintf(err, errlen, "%s is damaged (no %s member): download it again", file,
			 have_control ? "data.tar" : "control.tar");
		ret = -EINVAL;
		goto fail;
	}
	return 0;
fail:
	deb_close(d);
	return ret;
}

uint64_t deb_key(const struct deb *d, uint64_t h)
{
	h = cache_hash(h, d->map + d->control.off, d->control.size);
	h = cache_hash_str(h, d->data.name);
	h = cache_hash(h, &d->data.size, sizeof(d->data.size));
	return h;
}

/* A member's tar stream: in place, or decoded by a child into a pipe. */
static int stream_open(struct pkgstream *s, const struct deb *d, const struct ar_member *m, uint64_t max,
		       char *err, size_t errlen)
{
	const uint8_t *p = d->map + m->off;
	enum decomp_format f = decomp_detect(p, m->size);
	char name[AR_NAME_MAX * 4 + 1];

	kpkg_printable(name, sizeof(name), m->name);
	if (f != DECOMP_UNKNOWN && !decomp_supported(f)) {
		snprintf(err, errlen, "%s: its %s is %s-compressed, which minivmm does not decode: repack it with dpkg-deb -Zxz",
			 pkg_base_name(d->path), name, decomp_name(f));
		return -ENOTSUP;
	}
	return pkgstream_open(s, p, m->size, f, max, name, err, errlen);
}

/* The member failed to read: one line, the decoder's reason before the tar reader's. */
static void damaged(const struct deb *d, const struct ar_member *m, const char *decoder, const char *tarwhy,
		    char *err, size_t errlen)
{
	char name[AR_NAME_MAX * 4 + 1];

	kpkg_printable(name, sizeof(name), m->name);
	snprintf(err, errlen, "%s is damaged: its %s %s (%s): download it again", pkg_base_name(d->path), name,
		 decoder[0] ? "does not decompress" : "is no valid tar archive", decoder[0] ? decoder : tarwhy);
}

/* Read the current entry (at most @max bytes) into a NUL-terminated buffer. */
static char *slurp_entry(struct tar *t, const struct tar_entry *e, size_t max)
{
	char *buf;
	size_t done = 0;

	if (e->size > max)
		return NULL;
	buf = malloc(e->size + 1);
	while (buf && done < e->size) {
		ssize_t r = tar_read(t, buf + done, e->size - done);

		if (r <= 0) {
			free(buf);
			return NULL;
		}
		done += (size_t)r;
	}
	if (buf)
		buf[done] = 0;
	return buf;
}

static bool entry_is(const char *path, const char *name)
{
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	return !strcmp(path, name);
}

int deb_read_control(struct deb *d, struct kpkg_info *info, char *err, size_t errlen)
{
	char *control = NULL, *md5sums = NULL, why[256];
	struct tar_entry e;
	struct pkgstream s;
	struct tar t;
	int ret;

	ret = stream_open(&s, d, &d->control, CONTROL_FILE_MAX * 4, err, errlen);
	if (ret)
		return ret;
	tar_init(&t, pkgstream_read, &s);
	while ((ret = tar_next(&t, &e)) == 1) {
		char **slot = entry_is(e.path, "control") ? &control : entry_is(e.path, "md5sums") ? &md5sums : NULL;

		if (!slot || e.type != TAR_FILE || *slot)
			continue;
		*slot = slurp_entry(&t, &e, CONTROL_FILE_MAX);
		if (!*slot) {
			ret = -EINVAL;
			snprintf(t.why, sizeof(t.why), "its %s cannot be read", slot == &control ? "control" : "md5sums");
			break;
		}
	}
	if (pkgstream_close(&s, ret == 0, why, sizeof(why)) || ret < 0) {
		damaged(d, &d->control, why, t.why, err, errlen);
		ret = -EINVAL;
	} else if (!control) {
		char name[AR_NAME_MAX * 4 + 1];

		kpkg_printable(name, sizeof(name), d->control.name);
		snprintf(err, errlen, "%s is damaged: its %s has no control file: download it again",
			 pkg_base_name(d->path), name);
		ret = -EINVAL;
	} else {
		kpkg_parse_control(info, control);
		if (md5sums)
			kpkg_note_md5sums(info, md5sums);
	}
	free(control);
	free(md5sums);
	return ret;
}

static ssize_t entry_read(void *opaque, void *buf, size_t n)
{
	return tar_read(opaque, buf, n);
}

int deb_unpack(struct deb *d, struct kpkg_info *info, int rootfd, int (*cancel)(void *), void *opaque,
	       char *err, size_t errlen)
{
	char rel[PATH_MAX], target[PATH_MAX], why[256], *leaf = NULL;
	unsigned long n = 0;
	struct tar_entry e;
	struct pkgstream s;
	struct tar t;
	int ret, io = 0, dfd;

	ret = stream_open(&s, d, &d->data, DATA_MAX, err, errlen);
	if (ret)
		return ret;
	tar_init(&t, pkgstream_read, &s);
	err[0] = 0;
	while ((ret = tar_next(&t, &e)) == 1) {
		int keep = kpkg_note_path(info, e.path, e.type == TAR_DIR, rel, sizeof(rel));

		if (cancel && ++n % CANCEL_EVERY == 0 && (io = cancel(opaque)))
			break;
		if (keep < 0) {
			char shown[256];

			kpkg_printable(shown, sizeof(shown), e.path);
			snprintf(err, errlen, "%s holds an unsafe path (%s): not unpacked; it is no distribution package",
				 pkg_base_name(d->path), shown);
			io = -EINVAL;
			break;
		}
		/* A kernel and its modules are files; links and devices are not needed. */
		if (!keep || (e.type != TAR_FILE && e.type != TAR_DIR && e.type != TAR_HARDLINK))
			continue;
		if (e.type == TAR_HARDLINK) {
			struct kpkg_info scratch = { .file = NULL };

			if (kpkg_note_path(&scratch, e.link, false, target, sizeof(target)) != 1)
				continue;
		}
		if (e.type == TAR_DIR)
			strcat(rel, "/.");
		dfd = unpack_parent(rootfd, rel, &leaf);
		if (dfd < 0) {
			io = dfd;
		} else if (e.type == TAR_FILE) {
			io = unpack_file(dfd, leaf, e.mode, entry_read, &t);
		} else if (e.type == TAR_HARDLINK) {
			io = linkat(rootfd, target, dfd, leaf, 0) ? -errno : 0;
			if (io == -ENOENT)
				io = 0; /* its target was not unpacked */
		}
		if (dfd >= 0)
			close(dfd);
		if (io) {
			/* The tar reader's errors are the archive's, not the disk's. */
			if (t.why[0])
				ret = -EINVAL;
			else {
				char shown[256];

				kpkg_printable(shown, sizeof(shown), rel);
				snprintf(err, errlen, "cannot unpack %s of %s: %s", shown, pkg_base_name(d->path),
					 strerror(-io));
			}
			break;
		}
	}
	if (pkgstream_close(&s, ret == 0 && !io, why, sizeof(why)) || ret < 0) {
		damaged(d, &d->data, why, t.why, err, errlen);
		return -EINVAL;
	}
	if (io && !err[0])
		snprintf(err, errlen, "unpacking %s stopped: %s", pkg_base_name(d->path), strerror(-io));
	return io;
}
