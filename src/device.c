// SPDX-License-Identifier: GPL-2.0-only
#include "minivmm/device.h"

void device_add(const struct devctx *ctx, struct device *dev)
{
	dev->next = *ctx->devices;
	*ctx->devices = dev;
}

void device_destroy_all(struct device **list)
{
	while (*list) {
		struct device *d = *list;

		*list = d->next;
		d->destroy(d);
	}
}
