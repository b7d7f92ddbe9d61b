// SPDX-License-Identifier: GPL-2.0-only
/*
 * One assigned PCI function: its VFIO regions, the guest's view of its
 * config space (vconfig) and what its writes set off (decoding, FLR,
 * interrupt modes), reset, set-up, hot-unplug and replug. Its BARs and
 * expansion ROM in the guest are bars.c's.
 */
#include <errno.h>
#include <linux/pci_regs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "minivmm/kvm.h"
#include "minivmm/log.h"
#include "minivmm/vfio/vfio.h"

#define PMCSR_D3HOT 3 /* PowerState field of the PM control/status register */

int vfio_dev_region_info(struct vfio_dev *d, unsigned int index, struct vfio_region_info **out)
{
	struct vfio_region_info *info = calloc(1, sizeof(*info));
	uint32_t argsz;

	if (!info)
		return -ENOMEM;
	info->argsz = sizeof(*info);
	info->index = index;
	if (quiet_ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, info)) {
		free(info);
		return -EINVAL;
	}
	argsz = info->argsz;
	if (argsz > sizeof(*info)) {
		/* There are capabilities (sparse mmap): fetch them too. */
		free(info);
		info = calloc(1, argsz);
		if (!info)
			return -ENOMEM;
		info->argsz = argsz;
		info->index = index;
		if (quiet_ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, info)) {
			free(info);
			return -EINVAL;
		}
	}
	*out = info;
	return 0;
}

struct vfio_info_cap_header *vfio_region_cap(struct vfio_region_info *info, uint16_t id)
{
	if (!(info->flags & VFIO_REGION_INFO_FLAG_CAPS))
		return NULL;
	for (uint32_t off = info->cap_offset; off && off + sizeof(struct vfio_info_cap_header) <= info->argsz;) {
		struct vfio_info_cap_header *h = (void *)((char *)info + off);

		if (h->id == id)
			return h;
		off = h->next;
	}
	return NULL;
}

int vfio_dev_cfg_pread(struct vfio_dev *d, unsigned int reg, void *buf, unsigned int len)
{
	ssize_t n = pread(d->fd, buf, len, d->cfg_offset + reg);

	return n == (ssize_t)len ? 0 : -EIO;
}

int vfio_dev_cfg_pwrite(struct vfio_dev *d, unsigned int reg, const void *buf, unsigned int len)
{
	ssize_t n = pwrite(d->fd, buf, len, d->cfg_offset + reg);

	return n == (ssize_t)len ? 0 : -EIO;
}

/* An access to a traced range goes to the trace file (after it happened: reads show the value). */
void vfio_dev_trace(struct vfio_dev *d, unsigned int region, uint64_t off, const void *data, unsigned int len,
		    bool is_write)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < d->ntrace; i++) {
		if (trace_spec_hits(&d->trace[i], region, off, len)) {
			memcpy(&v, data, len > 8 ? 8 : len);
			trace_log_access(d->ctx->trace, d->name, region, off, len, v, is_write);
			return;
		}
	}
}

/* ---- Config space ---- */

static void dev_cfg_read_raw(struct pci_dev *pdev, unsigned int reg, void *data, unsigned int len);

static void dev_cfg_read(struct pci_dev *pdev, unsigned int reg, void *data, unsigned int len)
{
	struct vfio_dev *d = pdev->opaque;

	dev_cfg_read_raw(pdev, reg, data, len);
	if (d->ntrace)
		vfio_dev_trace(d, TRACE_CONFIG, reg, data, len, false);
}

static void dev_cfg_read_raw(struct pci_dev *pdev, unsigned int reg, void *data, unsigned int len)
{
	struct vfio_dev *d = pdev->opaque;
	uint32_t devval = 0, v;

	if (vconfig_needs_device(&d->vc, reg, len) && vfio_dev_cfg_pread(d, reg, &devval, len))
		devval = 0xffffffff;
	v = vconfig_read(&d->vc, reg, len, devval);
	/* Header type: multifunction as laid out in the guest, not the host. */
	if (reg <= PCI_HEADER_TYPE && reg + len > PCI_HEADER_TYPE) {
		unsigned int shift = (PCI_HEADER_TYPE - reg) * 8;

		v &= ~(0x80u << shift);
		if (d->multifunction)
			v |= 0x80u << shift;
	}
	memcpy(data, &v, len);
}

/* What the BARs decode: the command register's bits, nothing outside D0. */
static uint16_t dev_decode_wanted(struct vfio_dev *d, uint16_t cmd)
{
	return vconfig_power_state(&d->vc) ? 0 : cmd & (PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
}

/* Bring every BAR and the ROM in line with @decode. */
static void dev_apply_decode(struct vfio_dev *d, uint16_t decode)
{
	d->decode = decode;
	for (unsigned int i = 0; i < VCONFIG_BARS; i++)
		vfio_bar_update(d, i);
	vfio_rom_update(d);
}

static void dev_reset(struct vfio_dev *d);

/*
 * The guest asked for a function-level reset: VFIO resets the function
 * (FLR, PM or bus reset, whatever it has), and the guest then sees it as
 * after reset: decoding off, interrupts back to INTx, MSI-X vectors masked.
 */
static void dev_flr(struct vfio_dev *d)
{
	uint16_t cmd;

	dev_apply_decode(d, 0); /* before VFIO zaps the BAR mappings */
	vfio_intr_reset(d);
	dev_reset(d);
	vconfig_reset(&d->vc);
	cmd = vconfig_get16(&d->vc, PCI_COMMAND);
	vfio_dev_cfg_pwrite(d, PCI_COMMAND, &cmd, 2);
	d->flrs++;
}

static void dev_cfg_write(struct pci_dev *pdev, unsigned int reg, const void *data, unsigned int len)
{
	struct vfio_dev *d = pdev->opaque;
	uint32_t val = 0, mask = 0, old;
	uint16_t cmd = 0, off;
	unsigned int ev;

	unsigned int power = vconfig_power_state(&d->vc);

	memcpy(&val, data, len);
	if (d->ntrace)
		vfio_dev_trace(d, TRACE_CONFIG, reg, data, len, true);
	ev = vconfig_write(&d->vc, reg, len, val, &mask);
	if ((ev & VCONFIG_EV_PM) && power != PMCSR_D3HOT && vconfig_power_state(&d->vc) == PMCSR_D3HOT)
		d->d3_entries++;
	/*
	 * Decoding off (command register or a D3 power state) takes the BARs
	 * away before the write reaches the device: vfio-pci zaps their
	 * mappings then, and a vCPU must not find them as memory slots.
	 */
	off = d->decode & ~dev_decode_wanted(d, vconfig_get16(&d->vc, PCI_COMMAND));
	if ((ev & (VCONFIG_EV_COMMAND | VCONFIG_EV_PM)) && off)
		dev_apply_decode(d, d->decode & ~off);
	if (mask && !vfio_dev_cfg_pread(d, reg, &old, len)) {
		uint32_t nv = (old & ~mask) | (val & mask);

		vfio_dev_cfg_pwrite(d, reg, &nv, len);
	}
	if (ev & VCONFIG_EV_FLR) {
		dev_flr(d);
		return;
	}
	/* Decoding on: after the device has it, as the device took it. */
	if (ev & (VCONFIG_EV_COMMAND | VCONFIG_EV_PM)) {
		vfio_dev_cfg_pread(d, PCI_COMMAND, &cmd, 2);
		dev_apply_decode(d, dev_decode_wanted(d, cmd));
	} else {
		for (unsigned int i = 0; i < VCONFIG_BARS; i++)
			if (ev & VCONFIG_EV_BAR(i))
				vfio_bar_update(d, i);
		if (ev & VCONFIG_EV_ROM)
			vfio_rom_update(d);
	}
	if (ev & (VCONFIG_EV_MSI | VCONFIG_EV_MSIX | VCONFIG_EV_COMMAND))
		vfio_intr_cfg_event(d, ev);
}

/* ---- Set-up ---- */

static void msix_locate(struct vfio_dev *d, const uint8_t *cfg)
{
	unsigned int cap = d->vc.msix_cap;
	uint16_t ctrl;
	uint32_t table, pba;

	d->has_msix = false;
	if (!cap)
		return;
	memcpy(&ctrl, cfg + cap + PCI_MSIX_FLAGS, 2);
	memcpy(&table, cfg + cap + PCI_MSIX_TABLE, 4);
	memcpy(&pba, cfg + cap + PCI_MSIX_PBA, 4);
	d->msix_bar = table & PCI_MSIX_TABLE_BIR;
	d->msix_off = table & PCI_MSIX_TABLE_OFFSET;
	d->msix_size = ((ctrl & PCI_MSIX_FLAGS_QSIZE) + 1) * MSIX_ENTRY_SIZE;
	d->pba_bar = pba & PCI_MSIX_PBA_BIR;
	d->pba_off = pba & PCI_MSIX_PBA_OFFSET;
	d->pba_size = (((ctrl & PCI_MSIX_FLAGS_QSIZE) + 1 + 63) / 64) * 8;
	d->has_msix = d->msix_bar < VCONFIG_BARS && d->pba_bar < VCONFIG_BARS;
}

/*
 * Secondary bus reset through VFIO: allowed when every function it would
 * reset belongs to a group this VM holds. Returns 0 or -errno.
 */
static int dev_hot_reset(struct vfio_dev *d)
{
	struct vfio_pci_hot_reset_info *info;
	struct vfio_pci_hot_reset *reset;
	struct vfio_container *c = &d->mgr->container;
	size_t sz = sizeof(*info) + 32 * sizeof(struct vfio_pci_dependent_device);
	int ret;

	info = calloc(1, sz);
	if (!info)
		return -ENOMEM;
	info->argsz = sz;
	ret = quiet_ioctl(d->fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, info);
	if (ret)
		goto out_free;
	for (uint32_t i = 0; i < info->count; i++) {
		bool ours = false;

		for (unsigned int g = 0; g < c->ngroups; g++)
			ours |= c->group[g].id == (int)info->devices[i].group_id;
		if (!ours) {
			ret = -EPERM; /* it would reset a device we do not own */
			goto out_free;
		}
	}
	reset = calloc(1, sizeof(*reset) + c->ngroups * sizeof(int));
	if (!reset) {
		ret = -ENOMEM;
		goto out_free;
	}
	reset->argsz = sizeof(*reset) + c->ngroups * sizeof(int);
	reset->count = c->ngroups;
	for (unsigned int g = 0; g < c->ngroups; g++)
		reset->group_fds[g] = c->group[g].fd;
	ret = quiet_ioctl(d->fd, VFIO_DEVICE_PCI_HOT_RESET, reset);
	free(reset);
out_free:
	free(info);
	return ret;
}

static void dev_reset(struct vfio_dev *d)
{
	if (d->reset_works) {
		if (quiet_ioctl(d->fd, VFIO_DEVICE_RESET, NULL))
			dev_warn(d->name, "VFIO_DEVICE_RESET failed: the device keeps its state");
		return;
	}
	/* No function-level method: a bus reset is the only one left. */
	if (dev_hot_reset(d) && !d->reset_warned) {
		dev_warn(d->name, "no reset method (no FLR/PM reset, no bus reset we may do): the guest gets the device in the state the host left it");
		d->reset_warned = true;
	}
}

/* Guest slot: functions of one host device share a slot and keep their numbers. */
static int dev_place_on_bus(struct vfio_dev *d)
{
	struct vfio_mgr *m = d->mgr;
	struct pci_bus *pci = d->ctx->pci;
	int slot = -1;
	bool fn0 = false, siblings = false;

	/* Taken again after a release: the same slot and number as before. */
	if (d->pdev.opaque)
		return pci_bus_add(pci, &d->pdev, d->pdev.devfn);
	for (unsigned int i = 0; i < m->ndevs; i++) {
		struct vfio_dev *o = &m->devs[i];

		if (o == d || o->bdf.seg != d->bdf.seg || o->bdf.bus != d->bdf.bus || o->bdf.dev != d->bdf.dev)
			continue;
		siblings = true;
		fn0 |= o->bdf.fn == 0;
		if (o->pdev.opaque)
			slot = PCI_SLOT_OF(o->pdev.devfn);
	}
	fn0 |= d->bdf.fn == 0;
	if (slot < 0)
		slot = pci_bus_free_slot(pci, 1);
	if (slot < 0) {
		dev_err(d->name, "no free slot on the guest's PCI bus");
		return -ENOSPC;
	}
	/* Without function 0 the guest would never scan the slot. */
	d->multifunction = siblings && fn0;
	d->pdev.opaque = d;
	snprintf(d->pdev.name, sizeof(d->pdev.name), "%s", d->name);
	d->pdev.cfg_read = dev_cfg_read;
	d->pdev.cfg_write = dev_cfg_write;
	d->requester_id = PCI_DEVFN(slot, d->multifunction ? d->bdf.fn : 0); /* bus 0 */
	return pci_bus_add(pci, &d->pdev, d->requester_id);
}

/*
 * The function's config space as after a reset, into @cfg: decoding and
 * bus mastering off until the guest's driver asks. *@size: 256 or 4096.
 */
static int dev_snapshot(struct vfio_dev *d, uint8_t cfg[VCONFIG_SIZE], unsigned int *size, bool probe_rom)
{
	uint16_t cmd;

	memset(cfg, 0, VCONFIG_SIZE);
	*size = d->cfg_size;
	if (vfio_dev_cfg_pread(d, 0, cfg, d->cfg_size)) {
		dev_err(d->name, "cannot read its config space");
		return -EIO;
	}
	memcpy(&cmd, cfg + PCI_COMMAND, 2);
	if (probe_rom) {
		/* VFIO reads the ROM only with memory decode on. */
		cmd |= PCI_COMMAND_MEMORY;
		vfio_dev_cfg_pwrite(d, PCI_COMMAND, &cmd, 2);
		vfio_rom_probe(d);
	}
	cmd &= ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	vfio_dev_cfg_pwrite(d, PCI_COMMAND, &cmd, 2);
	memcpy(cfg + PCI_COMMAND, &cmd, 2);
	return 0;
}

/* The guest's view of config space from a snapshot; the interrupt-mode checks. */
static int dev_config_init(struct vfio_dev *d, const uint8_t *cfg, unsigned int cfg_size)
{
	struct vconfig_bar bars[VCONFIG_BARS];
	int ret;

	for (unsigned int i = 0; i < VCONFIG_BARS; i++)
		bars[i] = d->bar[i].info;
	ret = vconfig_init(&d->vc, cfg, cfg_size, bars, d->rom_size, d->hide);
	if (ret) {
		dev_err(d->name, "cannot make sense of its config space");
		return ret;
	}
	if ((d->irq_mode == CONFIG_IRQ_MSIX && !d->vc.dev_has_msix) ||
	    (d->irq_mode == CONFIG_IRQ_MSI && !d->vc.dev_has_msi)) {
		dev_err(d->name, "--assign %s,irq=%s: the device has no %s capability; pick a mode it has (%s%s%s)",
			d->name, d->irq_mode == CONFIG_IRQ_MSI ? "msi" : "msix",
			d->irq_mode == CONFIG_IRQ_MSI ? "MSI" : "MSI-X", d->vc.dev_has_msix ? "msix, " : "",
			d->vc.dev_has_msi ? "msi, " : "", "intx");
		return -EINVAL;
	}
	msix_locate(d, cfg);
	vfio_bars_seed(d);
	return 0;
}

/* Interrupts as after reset (INTx live), then checks that want them set up. */
static int dev_intr_attach(struct vfio_dev *d)
{
	int ret = vfio_intr_init(d);

	if (!ret && d->irq_mode == CONFIG_IRQ_INTX && !d->intr.intx_gsi) {
		dev_err(d->name, "--assign %s,irq=intx: the device has no INTx (interrupt pin 0, or VFIO offers none); pick irq=msi or irq=msix",
			d->name);
		return -EINVAL;
	}
	return ret;
}

int vfio_dev_setup(struct vfio_dev *d)
{
	struct vconfig_bar bars[VCONFIG_BARS];
	struct vfio_region_info *cfginfo;
	uint8_t cfg[VCONFIG_SIZE];
	unsigned int cfg_size;
	int ret;

	d->info.argsz = sizeof(d->info);
	ret = named_ioctl(d->fd, VFIO_DEVICE_GET_INFO, &d->info, "VFIO_DEVICE_GET_INFO");
	if (ret)
		return ret;
	if (!(d->info.flags & VFIO_DEVICE_FLAGS_PCI)) {
		dev_err(d->name, "VFIO says this is not a PCI device");
		return -ENODEV;
	}
	d->reset_works = d->info.flags & VFIO_DEVICE_FLAGS_RESET;
	dev_reset(d);

	ret = vfio_dev_region_info(d, VFIO_PCI_CONFIG_REGION_INDEX, &cfginfo);
	if (ret) {
		dev_err(d->name, "VFIO_DEVICE_GET_REGION_INFO for config space failed");
		return ret;
	}
	d->cfg_offset = cfginfo->offset;
	d->cfg_size = cfginfo->size >= VCONFIG_SIZE ? VCONFIG_SIZE : 256;
	free(cfginfo);
	ret = dev_snapshot(d, cfg, &cfg_size, true);
	if (ret)
		return ret;
	vfio_bars_setup(d, cfg, bars);
	/* Where the MSI-X table sits decides which BAR pages trap: first the
	 * config (MSI-X location), then the mappings, then the addresses. */
	ret = dev_config_init(d, cfg, cfg_size);
	for (unsigned int i = 0; !ret && i < VCONFIG_BARS; i++) {
		struct vfio_region_info *info;

		if (!d->bar[i].info.size || vfio_dev_region_info(d, VFIO_PCI_BAR0_REGION_INDEX + i, &info))
			continue;
		vfio_bar_areas_setup(d, &d->bar[i], info);
		free(info);
	}
	if (!ret)
		ret = vfio_bars_place(d);
	if (ret)
		return ret;
	vfio_bars_seed(d);
	snprintf(d->rom_counter.name, sizeof(d->rom_counter.name), "%s/rom", d->name);
	stats_add(d->ctx->stats, &d->rom_counter, d->rom_counter.name);
	/* The guest starts with decoding off, as after reset. */
	d->decode = 0;
	ret = dev_place_on_bus(d);
	if (!ret)
		ret = dev_intr_attach(d);
	d->attached = !ret;
	return ret;
}

/*
 * --stats: each memory BAR's pages that trap (all but its mmap'ed areas:
 * the MSI-X table and PBA, traced ranges, what VFIO would not map) and how
 * many guest accesses trapped there.
 */
void vfio_dev_print_bar_stats(struct vfio_dev *d, FILE *f)
{
	bool first = true;

	fprintf(f, "\"%s\": {", d->name);
	for (unsigned int i = 0; i < VCONFIG_BARS; i++) {
		const struct vfio_bar *b = &d->bar[i];
		uint64_t at = 0;
		bool any = false;

		if (!b->info.size || b->info.is_io)
			continue;
		fprintf(f, "%s\"bar%u\": {\"size\": %llu, \"trapped\": [", first ? "" : ", ", i,
			(unsigned long long)b->info.size);
		first = false;
		/* The gaps between mapped areas, in offset order. */
		while (at < b->info.size) {
			uint64_t next = b->info.size, end = b->info.size;

			for (unsigned int j = 0; j < b->nareas; j++) {
				const struct vfio_bar_area *a = &b->area[j];

				if (a->hva && a->offset + a->size > at && a->offset < next) {
					next = a->offset > at ? a->offset : at;
					end = a->offset + a->size;
				}
			}
			if (next > at) {
				fprintf(f, "%s\"0x%llx+0x%llx\"", any ? ", " : "", (unsigned long long)at,
					(unsigned long long)(next - at));
				any = true;
			}
			at = end;
		}
		fprintf(f, "], \"accesses\": %llu}", (unsigned long long)atomic_load(&b->counter.count));
	}
	fputc('}', f);
}

int vfio_dev_trace_add(struct vfio_dev *d, const struct trace_spec *sp)
{
	struct vfio_region_info *info;
	struct vfio_bar *b;

	if (d->ntrace == TRACE_MAX_RANGES)
		return -ENOSPC;
	d->trace[d->ntrace++] = *sp;
	if (sp->region >= VCONFIG_BARS || d->fd < 0 || !d->bar[sp->region].info.size)
		return 0;
	/* The BAR's mappings again, with the traced pages cut out. */
	b = &d->bar[sp->region];
	vfio_bar_unmap(b);
	for (unsigned int j = 0; j < b->nareas; j++)
		if (b->area[j].hva)
			munmap(b->area[j].hva, b->area[j].size);
	b->nareas = 0;
	if (!vfio_dev_region_info(d, VFIO_PCI_BAR0_REGION_INDEX + sp->region, &info)) {
		vfio_bar_areas_setup(d, b, info);
		free(info);
	}
	if (d->attached)
		vfio_bar_update(d, sp->region);
	return 0;
}

void vfio_dev_detach(struct vfio_dev *d)
{
	if (!d->attached)
		return;
	/* Off the guest's bus first: no config access reaches the function. */
	pci_bus_remove(d->ctx->pci, &d->pdev);
	dev_apply_decode(d, 0);
	vfio_intr_destroy(d);
	dev_reset(d);
	d->attached = false;
}

int vfio_dev_attach(struct vfio_dev *d)
{
	uint8_t cfg[VCONFIG_SIZE];
	unsigned int cfg_size;
	int ret;

	if (d->attached)
		return 0;
	if (d->fd < 0)
		return -ENODEV;
	ret = dev_snapshot(d, cfg, &cfg_size, false);
	if (!ret)
		ret = dev_config_init(d, cfg, cfg_size);
	if (ret)
		return ret;
	d->decode = 0;
	ret = pci_bus_add(d->ctx->pci, &d->pdev, d->pdev.devfn);
	if (!ret)
		ret = dev_intr_attach(d);
	if (ret) {
		pci_bus_remove(d->ctx->pci, &d->pdev);
		vfio_intr_destroy(d);
		return ret;
	}
	d->attached = true;
	return 0;
}

void vfio_dev_release(struct vfio_dev *d)
{
	if (d->fd < 0)
		return;
	vfio_dev_detach(d);
	vfio_intr_destroy(d); /* a set-up that failed half-way */
	if (d->pdev.opaque)
		pci_bus_remove(d->ctx->pci, &d->pdev);
	for (unsigned int i = 0; i < VCONFIG_BARS; i++) {
		struct vfio_bar *b = &d->bar[i];

		vfio_bar_unmap(b);
		stats_remove(d->ctx->stats, &b->counter);
		for (unsigned int j = 0; j < b->nareas; j++)
			if (b->area[j].hva)
				munmap(b->area[j].hva, b->area[j].size);
		b->nareas = 0;
	}
	if (d->rom_mapped)
		bus_unregister(d->ctx->mmio, d->rom_gpa, d);
	d->rom_mapped = false;
	stats_remove(d->ctx->stats, &d->rom_counter);
	free(atomic_exchange(&d->rom, NULL));
	atomic_store(&d->rom_failed, false);
	/* Leave the device quiet for its host driver. */
	dev_reset(d);
	close(d->fd);
	d->fd = -1;
}
