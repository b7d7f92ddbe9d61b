// SPDX-License-Identifier: GPL-2.0-only
/*
 * An assigned function's BARs and expansion ROM in the guest: each BAR's
 * region from VFIO, its place in the guest's PCI windows, KVM memory slots
 * over the parts VFIO lets us mmap (never the MSI-X table, the PBA or a
 * traced range: those pages trap), trapped accesses forwarded to the
 * device, mapping and unmapping as the guest moves the BAR or turns
 * decoding off and on; the ROM as a read-only copy taken on first read.
 */
#include <errno.h>
#include <linux/pci_regs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "minivmm/fileio.h"
#include "minivmm/log.h"
#include "minivmm/memslot.h"
#include "minivmm/runstate.h"
#include "minivmm/units.h"
#include "minivmm/vfio/vfio.h"

/* 64-bit BARs at least this large go above 4 GiB. */
#define BAR_HIGH_THRESHOLD (64 * MiB)

/* ---- BAR traps ---- */

static void bar_forward(struct vfio_bar *b, uint64_t off, void *data, unsigned int len, bool is_write)
{
	ssize_t n;

	if (is_write)
		n = pwrite(b->dev->fd, data, len, b->region_offset + off);
	else
		n = pread(b->dev->fd, data, len, b->region_offset + off);
	if (n != (ssize_t)len && !is_write)
		memset(data, 0xff, len);
}

static void bar_io_dispatch(struct vfio_bar *b, uint64_t off, void *data, unsigned int len, bool is_write);

static void bar_io(void *opaque, uint64_t off, void *data, unsigned int len, bool is_write)
{
	struct vfio_bar *b = opaque;

	bar_io_dispatch(b, off, data, len, is_write);
	if (b->dev->ntrace)
		vfio_dev_trace(b->dev, b->index, off, data, len, is_write);
}

static void bar_io_dispatch(struct vfio_bar *b, uint64_t off, void *data, unsigned int len, bool is_write)
{
	struct vfio_dev *d = b->dev;

	if (d->has_msix && b->index == d->msix_bar && off >= d->msix_off &&
	    off - d->msix_off < d->msix_size) {
		vfio_intr_table_access(d, off - d->msix_off, data, len, is_write);
		return;
	}
	if (d->has_msix && b->index == d->pba_bar && off >= d->pba_off && off - d->pba_off < d->pba_size) {
		vfio_intr_sync_pba(d);
		msix_pba_access(&d->msix, off - d->pba_off, data, len, is_write);
		return;
	}
	if (off + len > b->info.size) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	bar_forward(b, off, data, len, is_write);
}

/* Cut [hole_start, hole_end) out of the BAR's mmap areas. */
static void bar_areas_punch(struct vfio_bar *b, uint64_t hole_start, uint64_t hole_end)
{
	struct vfio_bar_area out[VFIO_BAR_MAX_AREAS];
	unsigned int n = 0;

	for (unsigned int i = 0; i < b->nareas; i++) {
		uint64_t s = b->area[i].offset, e = s + b->area[i].size;

		if (e <= hole_start || s >= hole_end) {
			if (n < VFIO_BAR_MAX_AREAS)
				out[n++] = b->area[i];
			continue;
		}
		if (s < hole_start && n < VFIO_BAR_MAX_AREAS)
			out[n++] = (struct vfio_bar_area){ .offset = s, .size = hole_start - s };
		if (e > hole_end && n < VFIO_BAR_MAX_AREAS)
			out[n++] = (struct vfio_bar_area){ .offset = hole_end, .size = e - hole_end };
	}
	memcpy(b->area, out, n * sizeof(out[0]));
	b->nareas = n;
}

void vfio_bar_areas_setup(struct vfio_dev *d, struct vfio_bar *b, struct vfio_region_info *info)
{
	struct vfio_region_info_cap_sparse_mmap *sparse;

	b->nareas = 0;
	if (b->info.is_io || !(info->flags & VFIO_REGION_INFO_FLAG_MMAP) || b->info.size < d->ctx->page_size)
		return;
	sparse = (void *)vfio_region_cap(info, VFIO_REGION_INFO_CAP_SPARSE_MMAP);
	if (sparse) {
		for (uint32_t i = 0; i < sparse->nr_areas && b->nareas < VFIO_BAR_MAX_AREAS; i++)
			if (sparse->areas[i].size)
				b->area[b->nareas++] = (struct vfio_bar_area){
					.offset = sparse->areas[i].offset, .size = sparse->areas[i].size,
				};
	} else {
		b->area[b->nareas++] = (struct vfio_bar_area){ .offset = 0, .size = b->info.size };
	}
	/* The MSI-X table and PBA are emulated: their pages always trap. */
	if (d->has_msix && d->msix_bar == b->index)
		bar_areas_punch(b, PAGE_ALIGN_DOWN(d->ctx, d->msix_off), PAGE_ALIGN_UP(d->ctx, d->msix_off + d->msix_size));
	if (d->has_msix && d->pba_bar == b->index)
		bar_areas_punch(b, PAGE_ALIGN_DOWN(d->ctx, d->pba_off), PAGE_ALIGN_UP(d->ctx, d->pba_off + d->pba_size));
	/* Traced ranges trap too: only the pages they cover. */
	for (unsigned int i = 0; i < d->ntrace; i++) {
		const struct trace_spec *t = &d->trace[i];

		if (t->region == b->index)
			bar_areas_punch(b, PAGE_ALIGN_DOWN(d->ctx, t->off),
					t->len ? PAGE_ALIGN_UP(d->ctx, t->off + t->len) : b->info.size);
	}
	for (unsigned int i = 0; i < b->nareas; i++) {
		struct vfio_bar_area *a = &b->area[i];
		void *p = mmap(NULL, a->size, PROT_READ | PROT_WRITE, MAP_SHARED, d->fd,
			       b->region_offset + a->offset);

		if (p == MAP_FAILED) {
			dev_warn(d->name, "BAR %u: mmap of [%#llx+%#llx] failed (%s): accesses will trap",
				 b->index, (unsigned long long)a->offset, (unsigned long long)a->size,
				 strerror(errno));
			a->hva = NULL;
			continue;
		}
		a->hva = p;
	}
}

void vfio_bar_unmap(struct vfio_bar *b)
{
	const struct devctx *ctx = b->dev->ctx;

	if (!b->mapped)
		return;
	for (unsigned int i = 0; i < b->nareas; i++) {
		if (b->area[i].installed)
			memslot_del(ctx->slots, b->area[i].slot);
		b->area[i].installed = false;
	}
	bus_unregister(b->info.is_io ? ctx->pio : ctx->mmio, b->gpa, b);
	b->mapped = false;
}

static void bar_map(struct vfio_bar *b, uint64_t gpa)
{
	struct vfio_dev *d = b->dev;
	const struct devctx *ctx = d->ctx;
	int ret;

	ret = bus_register(b->info.is_io ? ctx->pio : ctx->mmio, gpa, b->info.size, bar_io, b, &b->counter);
	if (ret) {
		/* A guest may park a BAR somewhere odd while sizing it; it stays off. */
		dev_debug(d->name, "BAR %u at %#llx not mapped: %s", b->index, (unsigned long long)gpa,
			  strerror(-ret));
		return;
	}
	b->mapped = true;
	b->gpa = gpa;
	for (unsigned int i = 0; i < b->nareas; i++) {
		struct vfio_bar_area *a = &b->area[i];

		if (!a->hva || ((gpa + a->offset) & (ctx->page_size - 1)))
			continue;
		ret = memslot_add(ctx->slots, gpa + a->offset, a->size, a->hva, &a->slot);
		a->installed = !ret;
		/* The guest put the BAR where it clashes: its accesses trap instead. */
		if (ret && ratelimit_allow(&d->log_limit, now_ms(), NULL))
			dev_warn(d->name, "BAR %u at %#llx: no memory slot (%s): its accesses trap", b->index,
				 (unsigned long long)(gpa + a->offset), strerror(-ret));
	}
}

/* Bring BAR @i's mapping in line with its address and the decode bits. */
void vfio_bar_update(struct vfio_dev *d, unsigned int i)
{
	struct vfio_bar *b = &d->bar[i];
	uint64_t gpa = vconfig_bar_addr(&d->vc, i);
	bool on = b->info.size && (d->decode & (b->info.is_io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY));

	/* All-ones sizing patterns and unprogrammed BARs are not addresses. */
	if (!gpa || gpa + b->info.size < gpa || (!b->info.is_io && gpa + b->info.size > (1ULL << 52)) ||
	    (b->info.is_io && gpa + b->info.size > 0x10000))
		on = false;
	if (b->mapped && (!on || b->gpa != gpa))
		vfio_bar_unmap(b);
	if (on && !b->mapped)
		bar_map(b, gpa);
}

/* ---- Expansion ROM: a read-only copy, trapped ---- */

/*
 * The copy is taken when the guest first reads the ROM (as QEMU does): most
 * drivers never look, and a ROM is up to a few MiB the VMM need not hold.
 * The guest has memory decode on by then, which VFIO needs to read it.
 */
static const uint8_t *rom_fetch(struct vfio_dev *d)
{
	uint8_t *buf = atomic_load(&d->rom), *none = NULL;
	int64_t n;

	if (buf || atomic_load(&d->rom_failed))
		return buf;
	buf = malloc(d->rom_size);
	n = buf ? file_pread_full(d->fd, buf, d->rom_size, d->rom_offset) : -ENOMEM;
	if (n != (int64_t)d->rom_size) {
		dev_warn(d->name, "reading the expansion ROM failed (%s): the guest reads it as all ones",
			 n < 0 ? strerror((int)-n) : "short read");
		free(buf);
		atomic_store(&d->rom_failed, true);
		return NULL;
	}
	/* Two vCPUs may have raced here: one copy wins, the other goes. */
	if (!atomic_compare_exchange_strong(&d->rom, &none, buf)) {
		free(buf);
		return none;
	}
	return buf;
}

static void rom_io(void *opaque, uint64_t off, void *data, unsigned int len, bool is_write)
{
	struct vfio_dev *d = opaque;
	const uint8_t *rom;

	if (is_write)
		return;
	if (off + len <= d->rom_size && (rom = rom_fetch(d)))
		memcpy(data, rom + off, len);
	else
		memset(data, 0xff, len);
}

void vfio_rom_update(struct vfio_dev *d)
{
	bool enabled;
	uint64_t gpa = vconfig_rom_addr(&d->vc, &enabled);
	bool on = d->rom_size && enabled && gpa && (d->decode & PCI_COMMAND_MEMORY);

	if (d->rom_mapped && (!on || gpa != d->rom_gpa)) {
		bus_unregister(d->ctx->mmio, d->rom_gpa, d);
		d->rom_mapped = false;
	}
	if (on && !d->rom_mapped &&
	    !bus_register(d->ctx->mmio, gpa, d->vc.rom_size, rom_io, d, &d->rom_counter)) {
		d->rom_mapped = true;
		d->rom_gpa = gpa;
	}
}

/* Is there a ROM with the 0x55aa signature? Memory decode must be on. */
void vfio_rom_probe(struct vfio_dev *d)
{
	struct vfio_region_info *info;
	uint8_t sig[2] = { 0, 0 };

	d->rom_size = 0;
	if (vfio_dev_region_info(d, VFIO_PCI_ROM_REGION_INDEX, &info))
		return;
	if (info->size && (file_pread_full(d->fd, sig, 2, info->offset) != 2 || sig[0] != 0x55 || sig[1] != 0xaa)) {
		dev_warn(d->name, "expansion ROM (%llu KiB) unreadable or without signature: the guest sees no ROM",
			 (unsigned long long)info->size >> 10);
	} else if (info->size) {
		d->rom_size = info->size;
		d->rom_offset = info->offset;
	}
	free(info);
}

void vfio_bars_setup(struct vfio_dev *d, const uint8_t *cfg, struct vconfig_bar bars[VCONFIG_BARS])
{
	memset(bars, 0, VCONFIG_BARS * sizeof(bars[0]));
	for (unsigned int i = 0; i < VCONFIG_BARS; i++)
		d->bar[i] = (struct vfio_bar){ .dev = d, .index = i, .home = d->bar[i].home };
	for (unsigned int i = 0; i < VCONFIG_BARS; i++) {
		struct vfio_region_info *info;
		uint32_t raw;

		if (vfio_dev_region_info(d, VFIO_PCI_BAR0_REGION_INDEX + i, &info))
			continue;
		memcpy(&raw, cfg + PCI_BASE_ADDRESS_0 + 4 * i, 4);
		if (info->size) {
			bars[i].size = info->size;
			bars[i].is_io = raw & PCI_BASE_ADDRESS_SPACE_IO;
			bars[i].is_64 = !bars[i].is_io &&
					(raw & PCI_BASE_ADDRESS_MEM_TYPE_MASK) == PCI_BASE_ADDRESS_MEM_TYPE_64;
			bars[i].prefetch = !bars[i].is_io && (raw & PCI_BASE_ADDRESS_MEM_PREFETCH);
			d->bar[i].info = bars[i];
			d->bar[i].region_offset = info->offset;
			d->bar[i].region_flags = info->flags;
		}
		free(info);
		if (bars[i].is_64)
			i++; /* the upper half has no region of its own */
	}
}

int vfio_bars_place(struct vfio_dev *d)
{
	struct pci_bus *pci = d->ctx->pci;

	for (unsigned int i = 0; i < VCONFIG_BARS; i++) {
		struct vfio_bar *b = &d->bar[i];
		struct pci_window *w;
		uint64_t addr;
		int ret;

		if (!b->info.size)
			continue;
		snprintf(b->counter.name, sizeof(b->counter.name), "%s/bar%u", d->name, i);
		stats_add(d->ctx->stats, &b->counter, b->counter.name);
		if (b->home)
			continue; /* placed before (taken again after a release) */
		if (b->info.is_io)
			w = &pci->io;
		else if (b->info.is_64 && b->info.size >= BAR_HIGH_THRESHOLD)
			w = &pci->mmio64;
		else
			w = &pci->mmio32;
		/* Page alignment lets every memory BAR be a KVM memory slot. */
		ret = pci_window_alloc(w, b->info.size, b->info.is_io ? 4 : d->ctx->page_size, &addr);
		if (ret) {
			dev_err(d->name, "BAR %u (%llu KiB) does not fit in the guest's PCI %s window", i,
				(unsigned long long)b->info.size >> 10,
				b->info.is_io ? "I/O" : w == &pci->mmio64 ? "64-bit" : "32-bit");
			return ret;
		}
		b->home = addr;
	}
	return 0;
}

/* The BARs at the addresses minivmm gave them, as firmware would. */
void vfio_bars_seed(struct vfio_dev *d)
{
	for (unsigned int i = 0; i < VCONFIG_BARS; i++) {
		const struct vfio_bar *b = &d->bar[i];

		if (!b->info.size)
			continue;
		vconfig_set32(&d->vc, PCI_BASE_ADDRESS_0 + 4 * i,
			      (uint32_t)b->home | (vconfig_get32(&d->vc, PCI_BASE_ADDRESS_0 + 4 * i) & 0xf));
		if (b->info.is_64)
			vconfig_set32(&d->vc, PCI_BASE_ADDRESS_0 + 4 * (i + 1), (uint32_t)(b->home >> 32));
	}
}
