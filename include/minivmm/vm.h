/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VM: every piece of per-VM state hangs off struct vm. The core owns
 * KVM's fds, guest RAM and memory slots, the two buses, the interrupt
 * router, PCI bus 0, the console and the vCPUs; the arch (vm->arch, see
 * arch.h) and the devices (a list, each seeing only vm->ctx) do the rest.
 */
#ifndef MINIVMM_VM_H
#define MINIVMM_VM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "minivmm/bus.h"
#include "minivmm/config.h"
#include "minivmm/console.h"
#include "minivmm/device.h"
#include "minivmm/eventlog.h"
#include "minivmm/irq.h"
#include "minivmm/loop.h"
#include "minivmm/mem.h"
#include "minivmm/memslot.h"
#include "minivmm/pci.h"
#include "minivmm/runstate.h"
#include "minivmm/stats.h"
#include "minivmm/stress/jitter.h"
#include "minivmm/trace.h"
#include "minivmm/vcpu.h"

struct arch_kernel;
struct arch_vm;
struct vfio_mgr;
struct ctl_server;

struct vm {
	const struct config *cfg;
	int kvm_fd, vm_fd;           /* -1 until opened */
	int run_size;                /* KVM_GET_VCPU_MMAP_SIZE */
	struct arch_vm *arch;        /* the arch's own state */

	struct guest_mem mem;
	struct memslots slots;
	struct bus pio, mmio;
	struct irq_router irq;
	struct pci_bus pci;
	struct console console;
	struct stats stats;          /* --stats counters */
	struct runstate run;         /* why and how the VM stops */
	struct loop loop;            /* what else the main loop watches */
	struct event_log events;     /* faults injected, hotplug: when and what */
	struct trace_log trace;      /* --trace */
	struct vfio_mgr *vfio;       /* the assigned functions (a device of the list), NULL: none */
	struct device *devices;      /* newest first */
	struct devctx ctx;           /* the narrow interface devices get */

	struct vcpu *vcpus;
	unsigned int ncpus;
	struct jitter jitter;        /* --jitter */
	struct ctl_server *ctl;      /* --control/--at (main creates it), NULL: none */
	long started_ms;
};

/* Create everything up to runnable vCPUs. On failure @vm can be destroyed. */
int vm_create(struct vm *vm, const struct config *cfg, struct arch_kernel *kernel, const char *initrd,
	      const char *cmdline);
/*
 * Run until the guest stops or a signal arrives on @signal_fd (a signalfd
 * for SIGINT/SIGTERM, blocked by the caller); returns the exit status.
 */
int vm_run(struct vm *vm, int signal_fd);
void vm_destroy(struct vm *vm);
/* Some SMP stressor is on (the seed matters). */
bool vm_stressed(const struct config *cfg);
/* --stats JSON on @f; @more (optional) adds members of its own. */
void vm_print_stats(struct vm *vm, FILE *f, void (*more)(void *opaque, FILE *f), void *opaque);

#endif
