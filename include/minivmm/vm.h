/* SPDX-License-Identifier: GPL-2.0-only */
/* The VM: every piece of per-VM state hangs off struct vm. */
#ifndef MINIVMM_VM_H
#define MINIVMM_VM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdint.h>

#include "minivmm/bus.h"
#include "minivmm/config.h"
#include "minivmm/console.h"
#include "minivmm/mem.h"
#include "minivmm/pci.h"
#include "minivmm/power.h"
#include "minivmm/pvpanic.h"
#include "minivmm/serial.h"
#include "minivmm/irq.h"
#include "minivmm/vcpu.h"
#include "minivmm/vfio/vfio.h"
#include "minivmm/x86/boot.h"

struct kvm_cpuid2;
struct ktap_parser;

struct vm {
	const struct config *cfg;
	int kvm_fd, vm_fd;           /* -1 until opened */
	int run_size;                /* KVM_GET_VCPU_MMAP_SIZE */
	struct kvm_cpuid2 *cpuid;    /* KVM_GET_SUPPORTED_CPUID, per-vCPU copies derive */
	pthread_mutex_t slot_lock;   /* memory slots change at run time (BARs) */
	uint64_t slots_used[4];      /* bitmap of KVM memory slot ids */

	struct guest_mem mem;
	struct bus pio, mmio;
	struct pci_bus pci;
	struct console console;
	struct serial serial;
	struct power power;
	struct pvpanic pvpanic;

	struct irq_router irq;
	struct vfio_container vfio;
	struct vfio_dev *assigned;   /* --assign devices */
	unsigned int nassigned;
	/* Next free guest address in each PCI window (pure bump allocators). */
	struct pci_window win_mmio32, win_mmio64, win_io;

	struct vcpu *vcpus;
	unsigned int ncpus;

	/* Stopping: the first vm_stop() decides the status and message. */
	int stop_fd;                 /* eventfd the main loop waits on */
	atomic_bool stopping;
	int exit_status;
	char exit_msg[256];
	atomic_bool panic_claimed;   /* the first panic report writes panic_msg */
	atomic_bool panic_seen;      /* ... and then sets this */
	long panic_at_ms;            /* CLOCK_MONOTONIC of that report */
	char panic_msg[CONSOLE_LINE_MAX];

	struct stat_counter *counters; /* --stats device list */
	struct ktap_parser *ktap;    /* KTAP/TAP results seen on the console */
	long started_ms;
};

/* Create everything up to runnable vCPUs. On failure @vm can be destroyed. */
int vm_create(struct vm *vm, const struct config *cfg, const struct boot_image *kernel,
	      const char *initrd, const char *cmdline);
/*
 * Run until the guest stops or a signal arrives on @signal_fd (a signalfd
 * for SIGINT/SIGTERM, blocked by the caller); returns the exit status.
 */
int vm_run(struct vm *vm, int signal_fd);
void vm_destroy(struct vm *vm);

/*
 * Ask the VM to stop with @status; the first call wins. Safe from any
 * thread. @fmt describes why (printed by main when status != 0).
 */
void vm_stop(struct vm *vm, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/*
 * The guest kernel panicked (its console said so, or pvpanic): the guest
 * gets a grace period for its last words, then stops with 126. Any thread;
 * the first report's @msg is kept.
 */
void vm_guest_panicked(struct vm *vm, const char *msg);
/* The guest asked for a reset: a clean reboot, or the tail of a panic. */
void vm_guest_reset(struct vm *vm, const char *how);
/* Level of an in-kernel irqchip input (KVM_IRQ_LINE). */
int vm_irq_line(struct vm *vm, unsigned int gsi, int level);
/* Install host memory as guest-physical memory (a KVM memory slot). */
int vm_add_memslot(struct vm *vm, uint64_t gpa, uint64_t size, void *hva, unsigned int *slot);
int vm_del_memslot(struct vm *vm, unsigned int slot);
/* Make a counter appear in --stats. */
void vm_add_counter(struct vm *vm, struct stat_counter *c, const char *name);
/* CLOCK_MONOTONIC in milliseconds. */
long vm_now_ms(void);
/* --stats JSON on @f. */
void vm_print_stats(struct vm *vm, FILE *f);

#endif
