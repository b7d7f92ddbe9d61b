/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Assigned PCI functions: one VFIO type1v2 container for the VM, a group
 * per IOMMU group, a device per assigned function. Guest RAM is mapped for
 * DMA at IOVA == guest-physical before the first vCPU runs.
 */
#ifndef MINIVMM_VFIO_H
#define MINIVMM_VFIO_H

#include <linux/vfio.h>
#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "minivmm/bus.h"
#include "minivmm/config.h"
#include "minivmm/device.h"
#include "minivmm/pci.h"
#include "minivmm/ratelimit.h"
#include "minivmm/trace.h"
#include "minivmm/vfio/claim.h"
#include "minivmm/vfio/host.h"
#include "minivmm/vfio/msix.h"
#include "minivmm/vfio/vconfig.h"

#define VFIO_MAX_GROUPS CONFIG_MAX_ASSIGN
#define VFIO_BAR_MAX_AREAS 8

struct vfio_dev;
struct vfio_mgr;

struct vfio_group {
	int id;
	int fd;
};

struct vfio_container {
	int fd;                      /* -1 until opened */
	struct vfio_group group[VFIO_MAX_GROUPS];
	unsigned int ngroups;
	bool iommu_set;
	bool dma_mapped;
};

/* A host mmap of part of a BAR, installed as a KVM memory slot. */
struct vfio_bar_area {
	uint64_t offset, size;       /* inside the BAR */
	void *hva;
	unsigned int slot;
	bool installed;
};

struct vfio_bar {
	struct vfio_dev *dev;
	unsigned int index;
	struct vconfig_bar info;
	uint64_t region_offset;      /* in the device fd */
	uint32_t region_flags;
	struct vfio_bar_area area[VFIO_BAR_MAX_AREAS];
	unsigned int nareas;
	bool mapped;                 /* trap (and slots) live at @gpa */
	uint64_t gpa;
	uint64_t home;               /* the address minivmm gave it (after reset, replug) */
	struct stat_counter counter; /* trapped guest accesses */
};

enum vfio_irq_mode { VFIO_IRQ_NONE, VFIO_IRQ_INTX, VFIO_IRQ_MSI, VFIO_IRQ_MSIX };

/* One interrupt vector: VFIO trigger eventfd -> KVM irqfd on @gsi. */
struct vfio_vector {
	int efd;                     /* -1: not wired */
	unsigned int gsi;
	bool gsi_valid;
	bool irqfd;                  /* KVM_IRQFD assigned */
	bool routed;                 /* MSI route holds addr/data */
	uint64_t addr;
	uint32_t data;
	uint64_t count_base;         /* host count when the route last changed */
	/* Fault injection (faults.c): minivmm relays VFIO's interrupts to KVM. */
	int relay_fd;                /* the irqfd's eventfd while relayed, else -1 */
	unsigned int drop_left;      /* the next this many are swallowed */
	unsigned int drop_permille;  /* then each with this probability */
	uint64_t dropped, relayed, spurious;
};

struct vfio_intr {
	pthread_mutex_t lock;        /* table MMIO and config writes race */
	bool lock_ready;             /* vfio_intr_prepare done */
	bool ready;                  /* vfio_intr_init done, until vfio_intr_destroy */
	enum vfio_irq_mode mode;
	unsigned int nvec;           /* vectors enabled in VFIO */
	struct vfio_vector *vec;     /* MSI-X: table size; MSI: 32; INTx: 1 */
	unsigned int max_vec;
	bool msix_noresize;          /* VFIO_IRQ_INFO_NORESIZE: growing means re-enabling */
	unsigned int msix_denied;    /* the host refused this many: do not ask again */
	int intx_unmask_fd;          /* INTx resamplefd -> VFIO unmask */
	unsigned int intx_gsi;
	uint64_t host_count_retired; /* host interrupts of vectors since torn down */
	struct ratelimit log_limit;  /* what the guest can make us say */
	/* --stats */
	unsigned int mode_changes;
	unsigned int modes_used;     /* 1 << vfio_irq_mode of every mode enabled */
	unsigned int msix_grows;     /* vectors added in place */
	unsigned int msix_reenables; /* MSI-X re-enabled with more vectors (NORESIZE) */
	unsigned int partial_grants; /* the host granted fewer vectors than asked */
	unsigned int failed_enables; /* MSI/MSI-X could not be enabled: INTx instead */
	uint64_t pba_pending;        /* masked vectors seen pending at a PBA read */
	/* Called (lock held) when a relayed vector goes away: faults.c stops watching it. */
	void (*relay_released)(struct vfio_dev *d, unsigned int vec);
	uint64_t faults_dropped, faults_spurious; /* the run's, whatever vectors came and went */
	uint64_t *vec_irqs;          /* MSI/MSI-X interrupts per vector */
	uint64_t *cpu_irqs;          /* ... per vCPU their routes named */
	unsigned int ncpus;
};

/* Where a function is in its hotplug life (hotplug.c). */
enum vfio_hp_state {
	VFIO_HP_PRESENT,             /* on the guest's bus */
	VFIO_HP_REMOVING,            /* the guest was asked to give it up */
	VFIO_HP_UNPLUGGED,           /* ejected, reset, held on vfio-pci */
	VFIO_HP_GONE,                /* removed by surprise */
	VFIO_HP_RELEASED,            /* handed back to its host driver */
};

struct vfio_dev {
	struct vfio_mgr *mgr;
	const struct devctx *ctx;    /* what the function may use of the VM */
	struct pci_bdf bdf;
	struct host_pci host;
	struct dev_claim claim;      /* its state file in /run/minivmm */
	char name[PCI_BDF_STRLEN];
	struct pci_dev pdev;
	uint32_t requester_id;       /* guest bus << 8 | devfn: the MSI device ID */
	struct vfio_group *group;
	int fd;                      /* -1 until opened */
	struct vfio_device_info info;
	uint64_t cfg_offset;
	unsigned int cfg_size;       /* 256 or 4096 */
	bool attached;               /* the guest sees it on its bus */
	struct vconfig vc;
	struct vfio_bar bar[VCONFIG_BARS];
	/* Copy of the expansion ROM, read at first use (any vCPU: atomic). */
	_Atomic(uint8_t *) rom;
	atomic_bool rom_failed;      /* that read failed */
	uint64_t rom_size;           /* 0: no (readable) ROM */
	uint64_t rom_offset;         /* of the ROM region in the device fd */
	bool rom_mapped;
	uint64_t rom_gpa;
	struct stat_counter rom_counter;
	uint16_t decode;             /* PCI_COMMAND_MEMORY/IO as last applied */
	bool multifunction;
	/* MSI-X table and PBA location (BAR index, offset, size) */
	bool has_msix;
	unsigned int msix_bar, pba_bar;
	uint64_t msix_off, msix_size, pba_off, pba_size;
	struct msix_table msix;
	struct vfio_intr intr;
	bool reset_works;            /* VFIO_DEVICE_RESET (FLR, PM, ...) */
	bool reset_warned;
	enum config_irq irq_mode;    /* --assign BDF,irq=MODE */
	unsigned int hide;           /* VCONFIG_HIDE_*: interrupt modes the guest must not see */
	unsigned int flrs;           /* function-level resets the guest asked for */
	unsigned int d3_entries;     /* guest moves into D3hot (PMCSR), slots removed first */
	/* --trace ranges of this function (their BAR pages trap). */
	struct trace_spec trace[TRACE_MAX_RANGES];
	unsigned int ntrace;
	enum vfio_hp_state hp_state;
	bool hp_release;             /* at the eject: back to the host, not held */
	struct ratelimit log_limit;  /* what the guest can make us say */
};

/*
 * Every assigned function of a VM: one device in the VM's list owning the
 * container, its groups and the functions.
 */
struct vfio_mgr {
	struct device dev;
	const struct devctx *ctx;
	pthread_mutex_t lock;        /* hotplug state: ctl (main thread) and ejects (vCPUs) */
	struct vfio_container container;
	struct vfio_dev *devs;
	unsigned int ndevs;
	bool no_rebind;
};

/*
 * Bind the functions @bdfs to vfio-pci (checking everything first), open
 * them (showing each guest no interrupt mode above @irq[i]),
 * them, set them up on the guest's PCI bus and map guest RAM for DMA.
 * None (@n == 0): nothing is done. On failure the VM's destruction
 * hands back whatever was taken.
 */
int vfio_mgr_create(const struct devctx *ctx, const struct pci_bdf *bdfs, const enum config_irq *irq, unsigned int n,
		    bool no_rebind, const struct trace_spec *trace, unsigned int ntrace, struct vfio_mgr **out);
/* The assigned function @bdf ("DDDD:BB:DD.F" or "BB:DD.F"), NULL if none. */
struct vfio_dev *vfio_mgr_find(struct vfio_mgr *m, const char *bdf);

/* Hotplug (hotplug.c); errors: one line in @err naming the problem and the fix. */
void vfio_hp_register(struct vfio_mgr *m);
int vfio_hp_unplug(struct vfio_mgr *m, const char *bdf, bool release, char *err, size_t len);
int vfio_hp_surprise(struct vfio_mgr *m, const char *bdf, bool presence_lost, char *err, size_t len);
int vfio_hp_plug(struct vfio_mgr *m, const char *bdf, char *err, size_t len);
const char *vfio_hp_state_name(const struct vfio_dev *d);
/* Back to the host driver, and from it again (container.c). */
void vfio_dev_give_back(struct vfio_mgr *m, struct vfio_dev *d);
int vfio_dev_take_again(struct vfio_mgr *m, struct vfio_dev *d);

/* One function: regions, config space, BARs, reset (device.c). */
int vfio_dev_setup(struct vfio_dev *d);
void vfio_dev_release(struct vfio_dev *d);
/* Hot-unplug: off the guest's bus, BARs and interrupts gone, reset; the fd stays. */
void vfio_dev_detach(struct vfio_dev *d);
/* Replug: back on its slot as after reset (BARs at their homes). */
int vfio_dev_attach(struct vfio_dev *d);
/* Trace @sp too (from now on): its BAR pages trap. -ENOSPC when full. */
int vfio_dev_trace_add(struct vfio_dev *d, const struct trace_spec *sp);
/* --stats: each memory BAR's trapped ranges and trapped accesses, as a JSON member. */
void vfio_dev_print_bar_stats(struct vfio_dev *d, FILE *f);

/* Host pages (4, 16 or 64 KiB): the unit of mmap and of KVM memory slots. */
#define PAGE_ALIGN_DOWN(ctx, x) ((x) & ~((ctx)->page_size - 1))
#define PAGE_ALIGN_UP(ctx, x) (((x) + (ctx)->page_size - 1) & ~((ctx)->page_size - 1))

/* A VFIO region's info with its capabilities (free() it); -EINVAL when VFIO refuses (device.c). */
int vfio_dev_region_info(struct vfio_dev *d, unsigned int index, struct vfio_region_info **out);
/* Capability @id of a region's info, NULL when absent. */
struct vfio_info_cap_header *vfio_region_cap(struct vfio_region_info *info, uint16_t id);
/* An access to a traced range goes to the trace file (after it happened: reads show the value). */
void vfio_dev_trace(struct vfio_dev *d, unsigned int region, uint64_t off, const void *data, unsigned int len,
		    bool is_write);

/* BARs and the expansion ROM in the guest (bars.c). */
/* BAR sizes and kinds from VFIO's regions and the snapshot @cfg, into @bars and d->bar. */
void vfio_bars_setup(struct vfio_dev *d, const uint8_t *cfg, struct vconfig_bar bars[VCONFIG_BARS]);
/* Each BAR's home in the guest's PCI windows (kept across a release). */
int vfio_bars_place(struct vfio_dev *d);
/* The BARs at their homes in the virtual config space, as firmware would. */
void vfio_bars_seed(struct vfio_dev *d);
/* mmap what VFIO allows of BAR @b, less the pages that must trap. */
void vfio_bar_areas_setup(struct vfio_dev *d, struct vfio_bar *b, struct vfio_region_info *info);
/* BAR @i's mapping in line with its address and d->decode. */
void vfio_bar_update(struct vfio_dev *d, unsigned int i);
void vfio_bar_unmap(struct vfio_bar *b);
/* Is there a ROM with the 0x55aa signature? Memory decode must be on. */
void vfio_rom_probe(struct vfio_dev *d);
/* The ROM's mapping in line with its BAR and d->decode. */
void vfio_rom_update(struct vfio_dev *d);

/* Device internals shared between device.c and intr.c. */
int vfio_dev_cfg_pread(struct vfio_dev *d, unsigned int reg, void *buf, unsigned int len);
int vfio_dev_cfg_pwrite(struct vfio_dev *d, unsigned int reg, const void *buf, unsigned int len);
void vfio_intr_cfg_event(struct vfio_dev *d, unsigned int events);
/* Once per function: the lock; vfio_intr_free undoes it. */
int vfio_intr_prepare(struct vfio_dev *d);
void vfio_intr_free(struct vfio_dev *d);
/* INTx live, MSI/MSI-X as the guest enables them; destroy tears it all down (replug: init again). */
int vfio_intr_init(struct vfio_dev *d);
void vfio_intr_destroy(struct vfio_dev *d);
/*
 * Vector @vec's interrupts through minivmm (@on) or straight from VFIO to
 * KVM again. Caller holds the intr lock. The relay's eventfd is the irqfd's.
 */
int vfio_vec_relay(struct vfio_dev *d, unsigned int vec, bool on);
/* Fault injection (faults.c); errors: one line in @err. @vec -1: INTx. */
int vfio_fault_drop(struct vfio_mgr *m, const char *bdf, int vec, unsigned int count, unsigned int permille,
		    char *err, size_t len);
int vfio_fault_spurious(struct vfio_mgr *m, const char *bdf, int vec, unsigned int count, char *err, size_t len);
/* The function was reset (FLR): interrupts back to their reset state. */
void vfio_intr_reset(struct vfio_dev *d);
/* Fold vectors that fired while masked into the emulated PBA. */
void vfio_intr_sync_pba(struct vfio_dev *d);
/* Guest access to the emulated MSI-X table. */
void vfio_intr_table_access(struct vfio_dev *d, uint64_t off, void *data, unsigned int len, bool is_write);
/* Host interrupts taken by the device's vectors so far (/proc/interrupts). */
uint64_t vfio_intr_host_count(struct vfio_dev *d);
const char *vfio_intr_mode_name(const struct vfio_dev *d);
/* `"BDF": {"mode": ..., "modes_used": [...], "delivered": N, ...}` for --stats. */
void vfio_intr_print_stats(struct vfio_dev *d, FILE *f);
/* "none", "INTx", "MSI", "MSI-X". */
const char *vfio_irq_mode_str(enum vfio_irq_mode mode);

#endif
