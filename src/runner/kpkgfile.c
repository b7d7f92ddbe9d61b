// SPDX-License-Identifier: GPL-2.0-only
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "minivmm/runner/kpkgfile.h"
#include "minivmm/runner/rpmhdr.h"

/* An RPM's lead magic in the first bytes; anything else is read as a .deb (whose errors name the file). */
static enum kpkg_format sniff(const char *path)
{
	uint8_t head[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, head, sizeof(head)) : -1;

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)sizeof(head) && rpm_is_package(head, sizeof(head)) ? KPKG_RPM : KPKG_DEB;
}

int kpkg_file_open(struct kpkg_file *f, const char *path, char *err, size_t errlen)
{
	memset(f, 0, sizeof(*f));
	f->path = path;
	f->format = sniff(path);
	return f->format == KPKG_RPM ? rpm_open(&f->rpm, path, err, errlen) : deb_open(&f->deb, path, err, errlen);
}

void kpkg_file_close(struct kpkg_file *f)
{
	deb_close(&f->deb);
	rpm_close(&f->rpm);
}

int kpkg_file_read_info(struct kpkg_file *f, struct kpkg_info *info, char *err, size_t errlen)
{
	info->format = f->format;
	return f->format == KPKG_RPM ? rpm_read_info(&f->rpm, info, err, errlen) :
				       deb_read_control(&f->deb, info, err, errlen);
}

uint64_t kpkg_file_key(const struct kpkg_file *f, uint64_t h)
{
	return f->format == KPKG_RPM ? rpm_key(&f->rpm, h) : deb_key(&f->deb, h);
}

int kpkg_file_unpack(struct kpkg_file *f, struct kpkg_info *info, int rootfd, int (*cancel)(void *), void *opaque,
		     char *err, size_t errlen)
{
	return f->format == KPKG_RPM ? rpm_unpack(&f->rpm, info, rootfd, cancel, opaque, err, errlen) :
				       deb_unpack(&f->deb, info, rootfd, cancel, opaque, err, errlen);
}
