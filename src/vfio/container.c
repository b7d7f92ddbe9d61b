// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO container and groups: every assigned function's IOMMU group joins
 * one type1v2 container; guest RAM is mapped there at IOVA == GPA.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "minivmm/device.h"
#include "minivmm/hotplug.h"
#include "minivmm/kvm.h"
#include "minivmm/log.h"
#include "minivmm/mem.h"
#include "minivmm/progress.h"
#include "minivmm/runstate.h"
#include "minivmm/units.h"
#include "minivmm/vfio/restore.h"
#include "minivmm/vfio/vfio.h"

#define VFIO_CONTAINER_DEV "/dev/vfio/vfio"

static const struct host_sysfs sysfs = { .root = "/sys" };
/* How long to wait for someone giving a device back (a dead run's supervisor). */
#define CLAIM_WAIT_MS 10000

static int vfio_container_open(struct vfio_container *c)
{
	int ret;

	c->fd = open(VFIO_CONTAINER_DEV, O_RDWR | O_CLOEXEC);
	if (c->fd < 0) {
		ret = -errno;
		pr_err("cannot open " VFIO_CONTAINER_DEV ": %s; load VFIO (modprobe vfio-pci vfio_iommu_type1)",
		       strerror(errno));
		return ret;
	}
	if (named_ioctl(c->fd, VFIO_GET_API_VERSION, NULL, "VFIO_GET_API_VERSION") != VFIO_API_VERSION) {
		pr_err("unknown VFIO API version: use a newer host kernel");
		return -ENOTSUP;
	}
	if (quiet_ioctl(c->fd, VFIO_CHECK_EXTENSION, (void *)(long)VFIO_TYPE1v2_IOMMU) <= 0) {
		pr_err("VFIO lacks the type1v2 IOMMU backend: modprobe vfio_iommu_type1");
		return -ENOTSUP;
	}
	return 0;
}

/*
 * The kernel says the group is not viable (a member is on a host driver
 * that uses the group's DMA domain): name those members and the fix.
 */
static void vfio_group_not_viable(int id, const char *name)
{
	char others[512], fix[1024];

	if (host_group_check(&sysfs, id, name, others, sizeof(others), fix, sizeof(fix)) == -EBUSY)
		pr_err("IOMMU group %d of %s is not viable: it also holds %s, on a host driver that uses the group's DMA: %s",
		       id, name, others, fix);
	else
		pr_err("IOMMU group %d of %s is not viable: a host driver holds its DMA, but none of its members is on one now (ls -l /sys/kernel/iommu_groups/%d/devices/*/driver): unbind the members' host drivers or assign them too, then try again",
		       id, name, id);
}

/* The group holding @d, opened and attached to the container once. */
static int vfio_group_get(struct vfio_mgr *m, struct vfio_dev *d, int id)
{
	struct vfio_container *c = &m->container;
	struct vfio_group_status status = { .argsz = sizeof(status) };
	struct vfio_group *g;
	char path[64];
	int ret;

	g = NULL;
	for (unsigned int i = 0; i < c->ngroups; i++) {
		if (c->group[i].id != id)
			continue;
		d->group = &c->group[i];
		if (c->group[i].fd >= 0)
			return 0;
		g = &c->group[i]; /* dropped when its last device went back to the host: open it again */
	}
	if (!g) {
		g = &c->group[c->ngroups++];
		g->id = id;
	}
	snprintf(path, sizeof(path), "/dev/vfio/%d", id);
	g->fd = open(path, O_RDWR | O_CLOEXEC);
	if (g->fd < 0) {
		ret = -errno;
		if (errno == EBUSY)
			pr_err("%s is in use by another process (IOMMU group %d is open): stop the other VMM or test first",
			       d->name, id);
		else
			pr_err("cannot open %s for %s: %s", path, d->name, strerror(errno));
		return ret;
	}
	d->group = g;
	ret = named_ioctl(g->fd, VFIO_GROUP_GET_STATUS, &status, "VFIO_GROUP_GET_STATUS");
	if (ret)
		return ret;
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		vfio_group_not_viable(id, d->name);
		return -EBUSY;
	}
	ret = named_ioctl(g->fd, VFIO_GROUP_SET_CONTAINER, &c->fd, "VFIO_GROUP_SET_CONTAINER");
	if (ret)
		return ret;
	if (!c->iommu_set) {
		ret = quiet_ioctl(c->fd, VFIO_SET_IOMMU, (void *)(long)VFIO_TYPE1v2_IOMMU);
		if (ret == -EPERM) {
			/* vfio_iommu_type1 refuses an IOMMU that cannot isolate MSIs. */
			pr_err("VFIO_SET_IOMMU for %s failed: this IOMMU has no interrupt remapping, so the device could forge MSIs: enable it (intremap=on, VT-d/AMD-Vi interrupt remapping in the firmware) or accept that with the module option vfio_iommu_type1 allow_unsafe_interrupts=1",
			       d->name);
			return ret;
		}
		if (ret) {
			pr_err("VFIO_SET_IOMMU failed: %s", strerror(-ret));
			return ret;
		}
		c->iommu_set = true;
	}
	return 0;
}

/*
 * Another minivmm's state file for the device: refuse while that one
 * runs; give the device back first if it ended without doing so.
 */
static int vfio_check_claim(struct vfio_dev *d)
{
	const struct restore_ctx ctx = { .fs = &sysfs, .dir = CLAIM_DIR };
	struct restore_report r;

	switch (restore_device(&ctx, d->name, false, CLAIM_WAIT_MS, NULL, &r)) {
	case RESTORE_NONE:
	case RESTORE_STALE:
		return 0;
	case RESTORE_DONE:
		dev_warn(d->name, "minivmm (pid %d) had left it on vfio-pci: %s first", r.st.pid, r.msg);
		return 0;
	case RESTORE_BUSY:
		pr_err("%s is in use by minivmm pid %d: stop that one first (kill %d) or assign another device",
		       d->name, r.holder ? r.holder : r.st.pid, r.holder ? r.holder : r.st.pid);
		return -EBUSY;
	case RESTORE_FAILED:
		pr_err("%s was left behind by minivmm (pid %d); minivmm %s", d->name, r.st.pid, r.msg);
		return -EIO;
	case RESTORE_BAD:
		pr_err("%s: %s", d->name, r.msg);
		return -EINVAL;
	case RESTORE_ERROR:
		break;
	}
	pr_err("%s: %s; run as root", d->name, r.msg);
	return -EACCES;
}

/* Record how the device is bound (its state file) before anything changes it. */
static int vfio_claim(struct vfio_dev *d)
{
	struct dev_state st = { 0 };
	int ret;

	ret = host_pci_snapshot(&sysfs, &d->host);
	if (ret) {
		pr_err("no PCI device %s on this host (any more): check the address with lspci -D", d->name);
		return ret;
	}
	snprintf(st.bdf, sizeof(st.bdf), "%s", d->name);
	snprintf(st.driver, sizeof(st.driver), "%s", d->host.orig_driver);
	snprintf(st.override, sizeof(st.override), "%s", d->host.orig_override);
	ret = claim_owner_self(&st);
	if (!ret)
		ret = claim_create(CLAIM_DIR, &st, &d->claim);
	if (ret == -EEXIST) {
		pr_err("%s is in use by another minivmm (it has just claimed it in " CLAIM_DIR "): stop that one first or assign another device",
		       d->name);
		return -EBUSY;
	}
	if (ret && d->host.orig_vfio) {
		/* Nothing to change, so nothing to give back: no root needed. */
		dev_debug(d->name, "no state file (%s): it is on %s already", strerror(-ret), d->host.orig_driver);
		return 0;
	}
	if (ret)
		pr_err("%s: cannot record its state in " CLAIM_DIR " (%s), which minivmm does before moving it to vfio-pci: run as root",
		       d->name, strerror(-ret));
	return ret;
}

/* DMA pins all guest RAM: RLIMIT_MEMLOCK must allow that (or CAP_IPC_LOCK lift it). */
static int vfio_check_memlock(const struct guest_mem *mem)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_MEMLOCK, &rl) && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < mem->size &&
	    !host_has_cap_ipc_lock()) {
		pr_err("RLIMIT_MEMLOCK is %llu KiB but DMA needs all %llu KiB of guest RAM locked: raise it (ulimit -l %llu, or memlock in limits.conf) or run as root",
		       (unsigned long long)rl.rlim_cur >> 10, (unsigned long long)mem->size >> 10,
		       (unsigned long long)mem->size >> 10);
		return -ENOMEM;
	}
	return 0;
}

static int no_group(const struct vfio_dev *d)
{
	pr_err("%s has no IOMMU group: the IOMMU is absent or disabled; boot the host with intel_iommu=on (or amd_iommu=on; on arm64 an SMMU) and enable VT-d/AMD-Vi in the firmware",
	       d->name);
	return -ENODEV;
}

/*
 * Everything that can be checked without changing the host. A function
 * no driver has bound may have no group yet: with a device-tree IOMMU
 * (arm64's SMMU) it joins one when a driver probes it; its group is
 * looked up after vfio-pci binds it (*@group = -1).
 */
static int vfio_precheck(struct vfio_dev *d, int *group)
{
	char drv[HOST_DRIVER_MAX];
	int ret, claim;

	ret = host_pci_driver(&sysfs, d->name, drv, sizeof(drv));
	if (ret == -ENOENT) {
		pr_err("no PCI device %s on this host: check the address with lspci -D", d->name);
		return ret;
	}
	claim = vfio_check_claim(d);
	if (claim)
		return claim;
	*group = host_pci_iommu_group(&sysfs, d->name);
	if (*group < 0 && !ret && !drv[0]) {
		dev_debug(d->name, "no IOMMU group while unbound: looked up once vfio-pci has it");
		*group = -1;
		return 0;
	}
	if (*group < 0)
		return no_group(d);
	/* The group's viability is the kernel's to say, once the group is open (vfio_group_get). */
	return 0;
}

/* A group left to look up (-1 from vfio_precheck) once vfio-pci has @d. */
static int vfio_group_late(struct vfio_dev *d, int *group)
{
	if (*group >= 0)
		return 0;
	*group = host_pci_iommu_group(&sysfs, d->name);
	return *group < 0 ? no_group(d) : 0;
}

static int vfio_dev_open(struct vfio_mgr *m, struct vfio_dev *d, int group)
{
	int ret;

	ret = vfio_group_get(m, d, group);
	if (ret)
		return ret;
	d->fd = quiet_ioctl(d->group->fd, VFIO_GROUP_GET_DEVICE_FD, d->name);
	if (d->fd < 0) {
		ret = d->fd;
		d->fd = -1;
		if (ret == -EBUSY)
			pr_err("%s is in use by another process: stop the other VMM or test first", d->name);
		else
			pr_err("VFIO_GROUP_GET_DEVICE_FD for %s failed: %s", d->name, strerror(-ret));
		return ret;
	}
	return 0;
}

/* Back as it was: its state file goes; one that could not be given back keeps it. */
static void vfio_dev_restore(struct vfio_dev *d)
{
	if (host_pci_restore(&sysfs, &d->host))
		claim_drop(&d->claim);
	else
		claim_release(&d->claim);
}

/* Bind every device to vfio-pci, open it and set it up for the guest. */
static int vfio_assign_all(struct vfio_mgr *m)
{
	int groups[VFIO_MAX_GROUPS];
	int ret;

	/* Check all before changing anything, so a bad request leaves the host as it was. */
	for (unsigned int i = 0; i < m->ndevs; i++) {
		ret = vfio_precheck(&m->devs[i], &groups[i]);
		if (ret)
			return ret;
	}
	ret = vfio_check_memlock(m->ctx->mem);
	if (ret)
		return ret;
	for (unsigned int i = 0; i < m->ndevs; i++) {
		ret = vfio_claim(&m->devs[i]);
		if (!ret)
			ret = host_pci_bind_vfio(&sysfs, &m->devs[i].host, m->no_rebind);
		if (ret)
			return ret;
	}
	/* Groups that appeared with the binding (device-tree IOMMUs). */
	for (unsigned int i = 0; i < m->ndevs; i++) {
		ret = vfio_group_late(&m->devs[i], &groups[i]);
		if (ret)
			return ret;
	}
	ret = vfio_container_open(&m->container);
	for (unsigned int i = 0; !ret && i < m->ndevs; i++)
		ret = vfio_dev_open(m, &m->devs[i], groups[i]);
	for (unsigned int i = 0; !ret && i < m->ndevs; i++)
		ret = vfio_dev_setup(&m->devs[i]);
	return ret;
}

/* The usable IOVA ranges of the container; NULL when VFIO does not say. */
static struct vfio_iova_range *vfio_iova_ranges(int fd, unsigned int *n)
{
	struct vfio_iommu_type1_info *info;
	struct vfio_info_cap_header *hdr;
	struct vfio_iova_range *ranges = NULL;
	uint32_t argsz = sizeof(*info);

	*n = 0;
	for (int pass = 0; pass < 2; pass++) {
		info = calloc(1, argsz);
		if (!info)
			return NULL;
		info->argsz = argsz;
		if (quiet_ioctl(fd, VFIO_IOMMU_GET_INFO, info)) {
			free(info);
			return NULL;
		}
		if (info->argsz <= argsz)
			break;
		argsz = info->argsz;
		free(info);
		info = NULL;
	}
	if (!info)
		return NULL;
	if ((info->flags & VFIO_IOMMU_INFO_CAPS) && info->cap_offset) {
		for (uint32_t off = info->cap_offset; off && off + sizeof(*hdr) <= info->argsz; off = hdr->next) {
			hdr = (void *)((char *)info + off);
			if (hdr->id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
				struct vfio_iommu_type1_info_cap_iova_range *r = (void *)hdr;

				ranges = calloc(r->nr_iovas, sizeof(*ranges));
				if (ranges) {
					memcpy(ranges, r->iova_ranges, r->nr_iovas * sizeof(*ranges));
					*n = r->nr_iovas;
				}
				break;
			}
		}
	}
	free(info);
	return ranges;
}

/* Map guest RAM for DMA at IOVA == guest-physical. */
static int vfio_map_dma(struct vfio_mgr *m)
{
	const struct guest_mem *mem = m->ctx->mem;
	struct vfio_iova_range *ranges;
	unsigned int n;

	ranges = vfio_iova_ranges(m->container.fd, &n);
	for (unsigned int i = 0; ranges && i < mem->nregions; i++) {
		const struct mem_region *r = &mem->region[i];
		bool ok = false;

		for (unsigned int j = 0; j < n; j++)
			if (r->gpa >= ranges[j].start && r->gpa + r->size - 1 <= ranges[j].end)
				ok = true;
		if (!ok) {
			pr_err("guest RAM [%#llx-%#llx] overlaps an IOVA range the IOMMU reserves: use a smaller --mem",
			       (unsigned long long)r->gpa, (unsigned long long)(r->gpa + r->size - 1));
			free(ranges);
			return -ERANGE;
		}
	}
	free(ranges);
	long t0 = now_ms();

	/* Pinning every page of a large guest takes a while: say so. */
	if (mem->size >= GiB)
		progress_begin("mapping %llu MiB of guest RAM for DMA", (unsigned long long)(mem->size >> 20));
	for (unsigned int i = 0; i < mem->nregions; i++) {
		const struct mem_region *r = &mem->region[i];
		struct vfio_iommu_type1_dma_map map = {
			.argsz = sizeof(map),
			.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
			.vaddr = (uintptr_t)r->hva,
			.iova = r->gpa,
			.size = r->size,
		};
		int ret = quiet_ioctl(m->container.fd, VFIO_IOMMU_MAP_DMA, &map);

		if (ret) {
			if (mem->size >= GiB)
				progress_end(); /* the error line replaces it */
			if (ret == -ENOMEM)
				pr_err("VFIO_IOMMU_MAP_DMA of %llu MiB failed: out of lockable memory; raise RLIMIT_MEMLOCK or use a smaller --mem",
				       (unsigned long long)(r->size >> 20));
			else
				pr_err("VFIO_IOMMU_MAP_DMA of guest RAM at %#llx failed: %s",
				       (unsigned long long)r->gpa, strerror(-ret));
			return ret;
		}
		m->container.dma_mapped = true;
	}
	if (mem->size >= GiB)
		progress_end();
	pr_info("mapped %llu MiB of guest RAM for DMA in %ld ms", (unsigned long long)(mem->size >> 20), now_ms() - t0);
	return 0;
}

/*
 * Let go of @d's group once no other assigned function holds it open: the
 * kernel revokes a group whose last device leaves vfio-pci (its fd then
 * answers -ENODEV), and a host driver cannot bind while a container owns
 * it. The last group to leave takes the container's IOMMU and mappings.
 */
static void vfio_group_drop(struct vfio_mgr *m, struct vfio_dev *d)
{
	struct vfio_container *c = &m->container;
	struct vfio_group *g = d->group;
	bool any = false;

	if (!g || g->fd < 0)
		return;
	for (unsigned int i = 0; i < m->ndevs; i++)
		if (&m->devs[i] != d && m->devs[i].group == g && m->devs[i].fd >= 0)
			return;
	quiet_ioctl(g->fd, VFIO_GROUP_UNSET_CONTAINER, NULL);
	close(g->fd);
	g->fd = -1;
	for (unsigned int i = 0; i < c->ngroups; i++)
		any |= c->group[i].fd >= 0;
	if (!any) {
		c->iommu_set = false;
		c->dma_mapped = false;
	}
}

void vfio_dev_give_back(struct vfio_mgr *m, struct vfio_dev *d)
{
	vfio_dev_release(d);
	vfio_group_drop(m, d);
	vfio_dev_restore(d);
}

int vfio_dev_take_again(struct vfio_mgr *m, struct vfio_dev *d)
{
	int group, ret;

	/* A claim kept from a take-again that failed half-way: the function is as recorded. */
	if (d->claim.held && !d->host.changed)
		claim_release(&d->claim);
	ret = vfio_precheck(d, &group);
	if (!ret)
		ret = vfio_claim(d);
	if (!ret)
		ret = host_pci_bind_vfio(&sysfs, &d->host, m->no_rebind);
	if (!ret)
		ret = vfio_group_late(d, &group);
	if (!ret)
		ret = vfio_dev_open(m, d, group);
	/* The container lost its mappings with its last group: map guest RAM again. */
	if (!ret && !m->container.dma_mapped)
		ret = vfio_map_dma(m);
	if (!ret)
		ret = vfio_dev_setup(d);
	return ret;
}

static void vfio_release_all(struct vfio_mgr *m)
{
	const struct guest_mem *mem = m->ctx->mem;

	for (unsigned int i = 0; i < m->ndevs; i++)
		vfio_dev_release(&m->devs[i]);
	if (m->container.dma_mapped) {
		for (unsigned int i = 0; i < mem->nregions; i++) {
			struct vfio_iommu_type1_dma_unmap unmap = {
				.argsz = sizeof(unmap), .iova = mem->region[i].gpa, .size = mem->region[i].size,
			};

			quiet_ioctl(m->container.fd, VFIO_IOMMU_UNMAP_DMA, &unmap);
		}
		m->container.dma_mapped = false;
	}
	for (unsigned int i = 0; i < m->container.ngroups; i++) {
		if (m->container.group[i].fd >= 0) {
			quiet_ioctl(m->container.group[i].fd, VFIO_GROUP_UNSET_CONTAINER, NULL);
			close(m->container.group[i].fd);
		}
		m->container.group[i].fd = -1;
	}
	m->container.ngroups = 0;
	if (m->container.fd >= 0)
		close(m->container.fd);
	m->container.fd = -1;
	/* Last: the devices go back to their drivers once VFIO let go of them. */
	for (unsigned int i = 0; i < m->ndevs; i++)
		vfio_dev_restore(&m->devs[i]);
}

/* --stats: how each function's interrupts went, and which of its BAR pages trap. */
static void vfio_mgr_print_stats(struct device *dev, FILE *f)
{
	struct vfio_mgr *m = (struct vfio_mgr *)dev;

	fprintf(f, ", \"interrupts\": {");
	for (unsigned int i = 0; i < m->ndevs; i++) {
		if (i)
			fprintf(f, ", ");
		vfio_intr_print_stats(&m->devs[i], f);
	}
	fprintf(f, "}, \"bars\": {");
	for (unsigned int i = 0; i < m->ndevs; i++) {
		if (i)
			fprintf(f, ", ");
		vfio_dev_print_bar_stats(&m->devs[i], f);
	}
	fprintf(f, "}");
}

static void vfio_mgr_destroy(struct device *dev)
{
	struct vfio_mgr *m = (struct vfio_mgr *)dev;

	vfio_release_all(m);
	for (unsigned int i = 0; i < m->ndevs; i++)
		vfio_intr_free(&m->devs[i]);
	if (m->ctx->hotplug && m->ctx->hotplug->owner == m)
		m->ctx->hotplug->ejected = NULL;
	pthread_mutex_destroy(&m->lock);
	free(m->devs);
	free(m);
}

int vfio_mgr_create(const struct devctx *ctx, const struct pci_bdf *bdfs, const enum config_irq *irq, unsigned int n,
		    bool no_rebind, const struct trace_spec *trace, unsigned int ntrace, struct vfio_mgr **out)
{
	struct vfio_mgr *m;
	int ret;

	if (!n)
		return 0;
	if (n > VFIO_MAX_GROUPS)
		return -E2BIG;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->devs = calloc(n, sizeof(*m->devs));
	if (!m->devs) {
		free(m);
		return -ENOMEM;
	}
	m->dev = (struct device){ .name = "vfio", .destroy = vfio_mgr_destroy, .print_stats = vfio_mgr_print_stats };
	m->ctx = ctx;
	m->no_rebind = no_rebind;
	m->container.fd = -1;
	m->ndevs = n;
	for (unsigned int i = 0; i < n; i++) {
		struct vfio_dev *d = &m->devs[i];

		d->mgr = m;
		d->ctx = ctx;
		d->fd = -1;
		d->log_limit = (struct ratelimit)RATELIMIT_INIT;
		ret = vfio_intr_prepare(d);
		if (ret) {
			free(m->devs);
			free(m);
			return ret;
		}
		d->bdf = bdfs[i];
		for (unsigned int t = 0; t < ntrace; t++)
			if (!memcmp(&trace[t].bdf, &d->bdf, sizeof(d->bdf)))
				d->trace[d->ntrace++] = trace[t];
		d->irq_mode = irq[i];
		d->hide = irq[i] == CONFIG_IRQ_INTX ? VCONFIG_HIDE_MSI | VCONFIG_HIDE_MSIX :
			  irq[i] == CONFIG_IRQ_MSI ? VCONFIG_HIDE_MSIX : 0;
		pci_bdf_format(&d->bdf, d->name);
		snprintf(d->host.bdf, sizeof(d->host.bdf), "%s", d->name);
	}
	pthread_mutex_init(&m->lock, NULL);
	/* Registered first: whatever fails below, destroying the VM hands devices back. */
	device_add(ctx, &m->dev);
	*out = m;
	ret = vfio_assign_all(m);
	if (!ret)
		ret = vfio_map_dma(m);
	if (!ret)
		vfio_hp_register(m);
	return ret;
}
