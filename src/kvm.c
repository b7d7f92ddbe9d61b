// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "minivmm/kvm.h"
#include "minivmm/log.h"

int quiet_ioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do
		ret = ioctl(fd, req, arg);
	while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : ret;
}

int named_ioctl(int fd, unsigned long req, void *arg, const char *name)
{
	int ret = quiet_ioctl(fd, req, arg);

	if (ret < 0)
		pr_err("%s failed: %s", name, strerror(-ret));
	return ret;
}

int quiet_ioctl_once(int fd, unsigned long req)
{
	return ioctl(fd, req, 0) < 0 ? -errno : 0;
}
