// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the readers of distribution kernel packages, the
 * parts that never write: the ar walk and the package check of a .deb
 * (src/runner/ar.c, deb_open in src/runner/debpkg.c), the streaming tar
 * reader (src/runner/tar.c) and what is made of the control file, the
 * md5sums list and the paths (src/runner/kpkg.c). Unpacking is
 * tests/fuzz/deb_fuzz.c's.
 *
 * Input: a mode byte, then the mode's bytes.
 *   mode & 3 == 0: an ar archive; walked with ar_next, and opened as a
 *     --kernel-package file (a memory file) with deb_open.
 *   mode & 3 == 1: a tar stream. Bit 2 set: every header's checksum is
 *     made right first (walking the headers as the reader does), so the
 *     fuzzer reaches past it. Bits 3-7 and the next 4 bytes: the sizes the
 *     read callback hands out (a pipe gives short reads) and the sizes
 *     the caller asks tar_read for.
 *   mode & 3 >= 2: up to four packages, each a control file, an md5sums
 *     list and paths (NUL-separated; a path's first byte says whether it
 *     is a directory), then classified for amd64 and grouped.
 *
 * Checked: ar members lie inside the archive, after each other, names
 * their header's without the trailing blanks and GNU '/'; a refusal says why; deb_open's members are
 * the ar walk's. The tar reader gives the same entries, data and errors
 * whatever the read sizes; entries have a name, links and directories no
 * data, mode only permission bits; an entry's data is exactly its size;
 * the reader never consumes more than the stream; after the end it stays
 * at the end. kpkg_note_path keeps only paths under boot/vmlinuz-* and
 * lib/modules/ (usr/lib/modules folded in), normalized (no empty or "."
 * component), never with a ".."
 * component, and the kernel version it records is the one in the path
 * kept; refusals are exactly the ".." and too-long paths (and versions). Control fields
 * are NUL-terminated, without surrounding blanks. A package classified
 * for booting is an image or a modules package of the version it
 * records; a refusal has its one line. Groups have distinct versions,
 * hold every package once, and at most one image each.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "minivmm/runner/ar.h"
#include "minivmm/runner/debpkg.h"
#include "minivmm/runner/kpkg.h"
#include "minivmm/runner/tar.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	return 0;
}

/* ---- ar ---- */

FUZZ_NOCOV static void check_ar(const uint8_t *p, size_t n)
{
	struct ar_member m, control = { .off = 0 }, data = { .off = 0 };
	const char *why = NULL;
	uint64_t pos = 0, last_end = 8;
	char path[64], err[1024] = "";
	unsigned int i = 0;
	struct deb d;
	int ret;

	while ((ret = ar_next(p, n, &pos, &m, &why)) == 1) {
		size_t len = strlen(m.name);

		/* The name field, without its trailing blanks and GNU '/'. */
		char want[AR_NAME_MAX + 1];
		size_t wl = AR_NAME_MAX;

		FUZZ_CHECK(m.off >= 68);
		memcpy(want, p + m.off - 60, AR_NAME_MAX);
		while (wl && want[wl - 1] == ' ')
			wl--;
		if (wl > 1 && want[wl - 1] == '/')
			wl--;
		want[wl] = 0;
		FUZZ_CHECK(len <= AR_NAME_MAX && !strcmp(m.name, want));
		FUZZ_CHECK(m.off >= last_end + 60 && m.off <= n && m.size <= n - m.off);
		FUZZ_CHECK(pos == m.off + m.size);
		last_end = pos;
		if (i && !strncmp(m.name, "control.tar", 11) && !control.off)
			control = m;
		if (i && !strncmp(m.name, "data.tar", 8) && !data.off)
			data = m;
		i++;
		FUZZ_CHECK(i <= n / 60);
	}
	FUZZ_CHECK(ret == 0 || ret == -EINVAL || ret == -ENODATA);
	if (ret)
		FUZZ_CHECK(why && why[0]);
	if (!ar_is_archive(p, n))
		FUZZ_CHECK(ret == -EINVAL);

	fuzz_file(p, n, path, sizeof(path));
	ret = deb_open(&d, path, err, sizeof(err));
	if (ret) {
		FUZZ_CHECK(ret < 0 && err[0] && !d.map);
		return;
	}
	/* Accepted: an ar archive whose walk ended cleanly, the members it found. */
	FUZZ_CHECK(d.size == n && d.map && !memcmp(d.map, p, n));
	FUZZ_CHECK(control.off && data.off);
	FUZZ_CHECK(d.control.off == control.off && d.control.size == control.size);
	FUZZ_CHECK(d.data.off == data.off && d.data.size == data.size);
	deb_close(&d);
	FUZZ_CHECK(!d.map);
}

/* ---- tar ---- */

struct src {
	const uint8_t *p;
	size_t n, pos;
	const uint8_t *sizes; /* NULL: whole requests */
	unsigned int k;
};

static ssize_t src_read(void *opaque, void *buf, size_t n)
{
	struct src *s = opaque;
	size_t left = s->n - s->pos;

	if (s->sizes) {
		size_t give = 1 + s->sizes[s->k++ % 4] % 64;

		if (n > give)
			n = give;
	}
	if (n > left)
		n = left;
	memcpy(buf, s->p + s->pos, n);
	s->pos += n;
	return (ssize_t)n;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

/* Everything a reader of @p sees: entries, their data, the end or error. */
FUZZ_NOCOV static uint64_t tar_walk(const uint8_t *p, size_t n, const uint8_t *sizes, const uint8_t *asks,
				    char *why, size_t whylen)
{
	struct src s = { .p = p, .n = n, .sizes = sizes };
	static struct tar_entry e;
	static uint8_t buf[4096];
	uint64_t h = 0xcbf29ce484222325ULL;
	unsigned int k = 0, entries = 0;
	struct tar t;
	int ret;

	tar_init(&t, src_read, &s);
	while ((ret = tar_next(&t, &e)) == 1) {
		size_t plen = strlen(e.path), llen = strlen(e.link);
		uint64_t got = 0;
		ssize_t r = 0;
		/* Some entries are read whole, some in part, some skipped. */
		unsigned int how = asks[entries++ % 4];

		FUZZ_CHECK(plen > 0 && plen < PATH_MAX && llen < PATH_MAX);
		FUZZ_CHECK(e.type <= TAR_OTHER);
		FUZZ_CHECK(e.mode <= 07777);
		if (e.type != TAR_FILE && e.type != TAR_OTHER)
			FUZZ_CHECK(e.size == 0);
		FUZZ_CHECK(t.offset <= n && t.offset % 512 == 0);
		h = fnv(h, &e.type, sizeof(e.type));
		h = fnv(h, &e.size, sizeof(e.size));
		h = fnv(h, &e.mode, sizeof(e.mode));
		h = fnv(h, e.path, plen + 1);
		h = fnv(h, e.link, llen + 1);
		while (how & 3) {
			size_t ask = 1 + asks[k++ % 4] * 16 % sizeof(buf);

			/* In part: the first 512 bytes, however they come. */
			if ((how & 3) == 1 && ask > 512 - got)
				ask = 512 - got;
			r = tar_read(&t, buf, ask);
			if (r <= 0)
				break;
			FUZZ_CHECK((size_t)r <= ask && (uint64_t)r <= e.size - got);
			h = fnv(h, buf, (size_t)r);
			got += (uint64_t)r;
			if ((how & 3) == 1 && got == 512)
				break;
		}
		if (r == 0 && (how & 3))
			FUZZ_CHECK(got == e.size);
		if (r < 0) {
			FUZZ_CHECK(r == -EINVAL && t.why[0]);
			ret = (int)r;
			break;
		}
		FUZZ_CHECK(entries <= n / 512);
	}
	FUZZ_CHECK(ret == 0 || ret == -EINVAL);
	FUZZ_CHECK(s.pos <= n && t.offset == s.pos);
	if (ret == 0) {
		FUZZ_CHECK(tar_next(&t, &e) == 0);
		FUZZ_CHECK(t.offset == s.pos);
	} else {
		FUZZ_CHECK(t.why[0]);
	}
	h = fnv(h, &ret, sizeof(ret));
	snprintf(why, whylen, "%s", ret ? t.why : "");
	return h;
}

FUZZ_NOCOV static void check_tar(struct fz *in, uint8_t mode)
{
	uint8_t sizes[4], asks[4];
	char why1[128], why2[128];
	uint8_t *p;
	size_t n;

	for (int i = 0; i < 4; i++)
		sizes[i] = fz_u8(in) ^ (mode >> 3);
	for (int i = 0; i < 4; i++)
		asks[i] = sizes[(i + 1) % 4] >> 2 | (uint8_t)(i << 6);
	n = in->n;
	p = malloc(n ? n : 1);
	FUZZ_CHECK(p);
	memcpy(p, in->p, n);
	if (mode & 4)
		fuzz_tar_fix_checksums(p, n);
	/* Short reads and whole ones: the same archive. */
	FUZZ_CHECK(tar_walk(p, n, sizes, asks, why1, sizeof(why1)) == tar_walk(p, n, NULL, asks, why2, sizeof(why2)));
	FUZZ_CHECK(!strcmp(why1, why2));
	free(p);
}

/* ---- kpkg ---- */

FUZZ_NOCOV static bool has_dotdot(const char *p)
{
	for (const char *c = p; c; c = strchr(c, '/')) {
		if (*c == '/')
			c++;
		if (c[0] == '.' && c[1] == '.' && (c[2] == '/' || !c[2]))
			return true;
	}
	return false;
}

/* Normalize as the path rules say: leading "./" and "/", trailing "/". */
FUZZ_NOCOV static size_t normalize(const char *path, const char **start)
{
	const char *p = path;
	size_t len;

	for (;;) {
		if (p[0] == '.' && p[1] == '/')
			p += 2;
		else if (p[0] == '/')
			p++;
		else
			break;
	}
	len = strlen(p);
	while (len && p[len - 1] == '/')
		len--;
	*start = p;
	return len;
}

/* The path without empty and "." components: "a//./b" is "a/b". */
FUZZ_NOCOV static void squeeze_model(char *path)
{
	char copy[PATH_MAX], *save = NULL;
	size_t o = 0;

	snprintf(copy, sizeof(copy), "%s", path);
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, "."))
			continue;
		o += (size_t)sprintf(path + o, "%s%s", o ? "/" : "", c);
	}
	path[o] = 0;
}

FUZZ_NOCOV static void check_path(struct kpkg_info *info, const char *path, bool is_dir)
{
	static char out[PATH_MAX], norm[PATH_MAX];
	const char *p, *v;
	size_t len = normalize(path, &p), vlen;
	int ret;

	memset(out, 0x5a, 16);
	ret = kpkg_note_path(info, path, is_dir, out, sizeof(out));
	FUZZ_CHECK(ret == -EINVAL || ret == 0 || ret == 1);
	if (!len || (len == 1 && p[0] == '.')) {
		FUZZ_CHECK(ret == 0);
		return;
	}
	if (len >= sizeof(norm)) {
		FUZZ_CHECK(ret == -EINVAL);
		return;
	}
	memcpy(norm, p, len);
	norm[len] = 0;
	squeeze_model(norm);
	if (!norm[0]) {
		FUZZ_CHECK(ret == 0);
		return;
	}
	if (has_dotdot(norm)) {
		FUZZ_CHECK(ret == -EINVAL);
		return;
	}
	if (!strncmp(norm, "usr/lib/modules/", 16))
		memmove(norm, norm + 4, strlen(norm + 4) + 1);
	if (ret != 1) {
		/* Refused only for a ".." or a length that does not fit: the
		 * path's, or its kernel version's. */
		if (ret < 0)
			FUZZ_CHECK((!strncmp(norm, "boot/vmlinuz-", 13) && strlen(norm + 13) >= KPKG_NAME_MAX) ||
				   (!strncmp(norm, "lib/modules/", 12) && strcspn(norm + 12, "/") >= KPKG_NAME_MAX));
		return;
	}
	FUZZ_CHECK(!strcmp(out, norm));
	FUZZ_CHECK(out[0] != '/' && !has_dotdot(out));
	if (!strncmp(out, "boot/vmlinuz-", 13)) {
		v = out + 13;
		vlen = strlen(v);
		FUZZ_CHECK(!is_dir && vlen && !memchr(v, '/', vlen));
	} else {
		FUZZ_CHECK(!strncmp(out, "lib/modules/", 12) && out[12]);
		v = out + 12;
		vlen = strcspn(v, "/");
	}
	/* The version recorded is the version of the path kept. */
	FUZZ_CHECK(info->kver[0] || !vlen);
	if (vlen)
		FUZZ_CHECK((strlen(info->kver) == vlen && !memcmp(info->kver, v, vlen)) || info->kver_mixed);
	FUZZ_CHECK(info->have_paths);
}

FUZZ_NOCOV static void check_field(const char *f, size_t size)
{
	size_t len = strnlen(f, size);

	FUZZ_CHECK(len < size);
	/* (A value cut to the field's size may end anywhere.) */
	if (len && len < size - 1)
		FUZZ_CHECK(f[0] != ' ' && f[0] != '\t' && f[len - 1] != ' ' && f[len - 1] != '\t' &&
			   f[len - 1] != '\n' && f[len - 1] != '\r');
}

#define NPKG 4

FUZZ_NOCOV static void check_kpkg(struct fz *in)
{
	static struct kpkg_info pkgs[NPKG], ok[NPKG];
	static char text[8192], path[PATH_MAX + 64];
	static const char *const files[NPKG] = { "a.deb", "dir/b.deb", "c", "/abs/d.deb" };
	struct kpkg_group groups[3];
	char err[1024], files_out[64];
	unsigned int npkg = 1 + fz_u8(in) % NPKG, nok = 0;
	int ng;

	for (unsigned int i = 0; i < npkg; i++) {
		struct kpkg_info *info = &pkgs[i];
		unsigned int npaths = fz_u8(in) % 16;

		memset(info, 0, sizeof(*info));
		info->file = files[i];
		fz_str(in, text, sizeof(text));
		kpkg_parse_control(info, text);
		check_field(info->package, sizeof(info->package));
		check_field(info->version, sizeof(info->version));
		check_field(info->arch, sizeof(info->arch));
		check_field(info->depends, sizeof(info->depends));
		fz_str(in, text, sizeof(text));
		kpkg_note_md5sums(info, text);
		for (unsigned int j = 0; j < npaths && fz_more(in); j++) {
			bool is_dir = fz_u8(in) & 1;

			fz_str(in, path, sizeof(path));
			check_path(info, path, is_dir);
		}
		err[0] = 0;
		if (kpkg_classify(info, "amd64", err, sizeof(err))) {
			FUZZ_CHECK(err[0] && strlen(err) < sizeof(err) - 1 && strchr(err, ':'));
			continue;
		}
		FUZZ_CHECK(info->kind == KPKG_IMAGE || info->kind == KPKG_MODULES);
		FUZZ_CHECK((info->kind == KPKG_IMAGE) == info->has_vmlinuz);
		FUZZ_CHECK(!info->kver_mixed);
		FUZZ_CHECK(!info->arch[0] || !strcmp(info->arch, "amd64"));
		ok[nok++] = *info;
	}
	ng = kpkg_group(ok, nok, groups, 3, err, sizeof(err));
	if (ng < 0) {
		FUZZ_CHECK(ng == -EINVAL && err[0]);
		return;
	}
	{
		unsigned int seen = 0;

		for (int g = 0; g < ng; g++) {
			unsigned int images = 0;

			for (int h = 0; h < g; h++)
				FUZZ_CHECK(strcmp(groups[g].kver, groups[h].kver));
			FUZZ_CHECK(groups[g].n >= 1 && groups[g].n <= KPKG_GROUP_MAX);
			for (unsigned int i = 0; i < groups[g].n; i++) {
				struct kpkg_info *p = groups[g].pkg[i];

				FUZZ_CHECK(p >= ok && p < ok + nok && !strcmp(p->kver, groups[g].kver));
				images += p->kind == KPKG_IMAGE;
				seen++;
			}
			FUZZ_CHECK(images <= 1);
			FUZZ_CHECK((groups[g].image >= 0) == (images == 1));
			if (groups[g].image >= 0)
				FUZZ_CHECK(groups[g].pkg[groups[g].image]->kind == KPKG_IMAGE);
			err[0] = 0;
			FUZZ_CHECK(!kpkg_group_check(&groups[g], err, sizeof(err)) == (images == 1));
			FUZZ_CHECK(images == 1 || err[0]);
			kpkg_group_files(&groups[g], files_out, sizeof(files_out));
			FUZZ_CHECK(strlen(files_out) < sizeof(files_out));
		}
		FUZZ_CHECK(seen == nok);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz in = { data, size };
	uint8_t mode = fz_u8(&in);

	switch (mode & 3) {
	case 0:
		check_ar(in.p, in.n);
		break;
	case 1:
		check_tar(&in, mode);
		break;
	default:
		check_kpkg(&in);
		break;
	}
	return 0;
}
