// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE /* pipe2, F_SETPIPE_SZ */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "minivmm/cache.h"
#include "minivmm/decompress.h"
#include "minivmm/runner/debpkg.h"
#include "minivmm/runner/tar.h"

/* An RPM package's lead (rpm's lib/rpmlead.c: 0xedabeedb). */
static const uint8_t rpm_magic[4] = { 0xed, 0xab, 0xee, 0xdb };
#define CONTROL_FILE_MAX (16u << 20) /* control, md5sums */
#define DATA_MAX (64ULL << 30)       /* decoded data.tar */
#define CANCEL_EVERY 64              /* entries between two cancel checks */

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

void deb_close(struct deb *d)
{
	if (d->map && d->map != MAP_FAILED)
		munmap((void *)d->map, d->size);
	d->map = NULL;
	d->size = 0;
}

int deb_open(struct deb *d, const char *path, char *err, size_t errlen)
{
	const char *file = base_name(path), *why = NULL;
	bool have_control = false, have_data = false;
	struct ar_member m;
	uint64_t pos = 0;
	struct stat st;
	int fd, ret, i;

	memset(d, 0, sizeof(*d));
	d->path = path;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		ret = -errno;
		snprintf(err, errlen, "--kernel-package %s: %s: give the path of a kernel package (.deb)", path,
			 strerror(-ret));
		if (fd >= 0)
			close(fd);
		return ret;
	}
	if (!S_ISREG(st.st_mode) || st.st_size < 8) {
		close(fd);
		snprintf(err, errlen, "%s is %s, not a Debian package: pass a linux-image-*.deb", path,
			 S_ISREG(st.st_mode) ? "(nearly) empty" : "no regular file");
		return -EINVAL;
	}
	d->size = (size_t)st.st_size;
	d->map = mmap(NULL, d->size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (d->map == MAP_FAILED) {
		ret = -errno;
		d->map = NULL;
		snprintf(err, errlen, "cannot map %s: %s", path, strerror(-ret));
		return ret;
	}
	if (!memcmp(d->map, rpm_magic, sizeof(rpm_magic))) {
		snprintf(err, errlen,
			 "%s is an RPM package; minivmm reads .deb kernel packages only: unpack it (rpm2cpio %s | cpio -idm; depmod -b . VERSION) and pass --kernel lib/modules/VERSION/vmlinuz --modules lib/modules/VERSION",
			 file, file);
		ret = -ENOTSUP;
		goto fail;
	}
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

/* ---- a member's tar stream: in place, or decoded by a child into a pipe ---- */

struct stream {
	const uint8_t *mem;          /* an uncompressed member: read in place */
	uint64_t left;
	int fd, errfd;               /* else: the decoder's output and its error line */
	pid_t pid;
};

static ssize_t stream_read(void *opaque, void *buf, size_t n)
{
	struct stream *s = opaque;
	ssize_t r;

	if (s->mem) {
		if (n > s->left)
			n = s->left;
		memcpy(buf, s->mem, n);
		s->mem += n;
		s->left -= n;
		return (ssize_t)n;
	}
	do
		r = read(s->fd, buf, n);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : r;
}

static int stream_open(struct stream *s, const struct deb *d, const struct ar_member *m, uint64_t max,
		       char *err, size_t errlen)
{
	const uint8_t *p = d->map + m->off;
	enum decomp_format f = decomp_detect(p, m->size);
	int pfd[2], efd[2], ret;

	memset(s, 0, sizeof(*s));
	s->fd = s->errfd = -1;
	if (f == DECOMP_UNKNOWN) {
		s->mem = p;
		s->left = m->size;
		return 0;
	}
	if (!decomp_supported(f)) {
		char name[AR_NAME_MAX * 4 + 1];

		kpkg_printable(name, sizeof(name), m->name);
		snprintf(err, errlen, "%s: its %s is %s-compressed, which minivmm does not decode: repack it with dpkg-deb -Zxz",
			 base_name(d->path), name, decomp_name(f));
		return -ENOTSUP;
	}
	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	if (pipe2(efd, O_CLOEXEC)) {
		ret = -errno;
		close(pfd[0]);
		close(pfd[1]);
		return ret;
	}
	fcntl(pfd[1], F_SETPIPE_SZ, 1 << 20); /* fewer round trips; a failure only costs speed */
	fflush(NULL);
	s->pid = fork();
	if (s->pid < 0) {
		char name[AR_NAME_MAX * 4 + 1];

		ret = -errno;
		kpkg_printable(name, sizeof(name), m->name);
		snprintf(err, errlen, "cannot fork to decompress %s: %s", name, strerror(-ret));
		close(pfd[0]);
		close(pfd[1]);
		close(efd[0]);
		close(efd[1]);
		return ret;
	}
	if (s->pid == 0) {
		char why[256];
		uint64_t out;

		close(pfd[0]);
		close(efd[0]);
		why[0] = 0;
		ret = decomp_to_fd(f, p, m->size, pfd[1], max, &out, why, sizeof(why));
		/* EPIPE: the reader stopped early, its own error says why. */
		if (ret && ret != -EPIPE && write(efd[1], why, strlen(why)) < 0)
			_exit(2);
		_exit(ret ? 1 : 0);
	}
	close(pfd[1]);
	close(efd[1]);
	s->fd = pfd[0];
	s->errfd = efd[0];
	return 0;
}

/*
 * End the stream: after a complete read the decoder's tail (tar padding)
 * is drained, else the decoder is stopped. Returns the decoder's failure
 * (-EINVAL, its reason in @why) or 0.
 */
static int stream_close(struct stream *s, bool complete, char *why, size_t whylen)
{
	char buf[4096];
	int status = 0;
	ssize_t r;

	why[0] = 0;
	if (s->pid <= 0)
		return 0;
	if (complete) {
		while ((r = read(s->fd, buf, sizeof(buf))) > 0 || (r < 0 && errno == EINTR))
			;
	} else {
		kill(s->pid, SIGKILL);
	}
	close(s->fd);
	while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
		;
	r = read(s->errfd, why, whylen - 1);
	why[r > 0 ? r : 0] = 0;
	close(s->errfd);
	s->pid = 0;
	if (complete && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		return -EINVAL;
	return why[0] ? -EINVAL : 0;
}

/* The member failed to read: one line, the decoder's reason before the tar reader's. */
static void damaged(const struct deb *d, const struct ar_member *m, const char *decoder, const char *tarwhy,
		    char *err, size_t errlen)
{
	char name[AR_NAME_MAX * 4 + 1];

	kpkg_printable(name, sizeof(name), m->name);
	snprintf(err, errlen, "%s is damaged: its %s %s (%s): download it again", base_name(d->path), name,
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
	struct stream s;
	struct tar t;
	int ret;

	ret = stream_open(&s, d, &d->control, CONTROL_FILE_MAX * 4, err, errlen);
	if (ret)
		return ret;
	tar_init(&t, stream_read, &s);
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
	if (stream_close(&s, ret == 0, why, sizeof(why)) || ret < 0) {
		damaged(d, &d->control, why, t.why, err, errlen);
		ret = -EINVAL;
	} else if (!control) {
		char name[AR_NAME_MAX * 4 + 1];

		kpkg_printable(name, sizeof(name), d->control.name);
		snprintf(err, errlen, "%s is damaged: its %s has no control file: download it again",
			 base_name(d->path), name);
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

/*
 * The directory that will hold @rel (under @rootfd), created as needed,
 * never through a symlink; *@leaf points at the last component. An O_PATH
 * fd, or -errno.
 */
static int open_parent(int rootfd, char *rel, char **leaf)
{
	int dfd = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	char *c = rel, *slash;

	while (dfd >= 0 && (slash = strchr(c, '/'))) {
		int next;

		*slash = 0;
		if (mkdirat(dfd, c, 0755) && errno != EEXIST) {
			*slash = '/';
			close(dfd);
			return -errno;
		}
		next = openat(dfd, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		*slash = '/';
		close(dfd);
		dfd = next;
		c = slash + 1;
	}
	*leaf = c;
	return dfd >= 0 ? dfd : -errno;
}

static int write_entry(struct tar *t, const struct tar_entry *e, int dfd, const char *leaf)
{
	char buf[65536];
	int fd = openat(dfd, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			(e->mode & 0111) ? 0755 : 0644);
	ssize_t r;
	int ret = 0;

	if (fd < 0)
		return -errno;
	while (!ret && (r = tar_read(t, buf, sizeof(buf))) != 0) {
		if (r < 0) {
			ret = (int)r;
			break;
		}
		for (ssize_t off = 0; off < r;) {
			ssize_t w = write(fd, buf + off, (size_t)(r - off));

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				ret = w ? -errno : -EIO;
				break;
			}
			off += w;
		}
	}
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

int deb_unpack(struct deb *d, struct kpkg_info *info, int rootfd, int (*cancel)(void *), void *opaque,
	       char *err, size_t errlen)
{
	char rel[PATH_MAX], target[PATH_MAX], why[256], *leaf = NULL;
	unsigned long n = 0;
	struct tar_entry e;
	struct stream s;
	struct tar t;
	int ret, io = 0, dfd;

	ret = stream_open(&s, d, &d->data, DATA_MAX, err, errlen);
	if (ret)
		return ret;
	tar_init(&t, stream_read, &s);
	err[0] = 0;
	while ((ret = tar_next(&t, &e)) == 1) {
		int keep = kpkg_note_path(info, e.path, e.type == TAR_DIR, rel, sizeof(rel));

		if (cancel && ++n % CANCEL_EVERY == 0 && (io = cancel(opaque)))
			break;
		if (keep < 0) {
			char shown[256];

			kpkg_printable(shown, sizeof(shown), e.path);
			snprintf(err, errlen, "%s holds an unsafe path (%s): not unpacked; it is no distribution package",
				 base_name(d->path), shown);
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
		dfd = open_parent(rootfd, rel, &leaf);
		if (dfd < 0) {
			io = dfd;
		} else if (e.type == TAR_FILE) {
			io = write_entry(&t, &e, dfd, leaf);
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
				snprintf(err, errlen, "cannot unpack %s of %s: %s", shown, base_name(d->path),
					 strerror(-io));
			}
			break;
		}
	}
	if (stream_close(&s, ret == 0 && !io, why, sizeof(why)) || ret < 0) {
		damaged(d, &d->data, why, t.why, err, errlen);
		return -EINVAL;
	}
	if (io && !err[0])
		snprintf(err, errlen, "unpacking %s stopped: %s", base_name(d->path), strerror(-io));
	return io;
}
