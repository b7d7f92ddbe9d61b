/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What control commands know of the VM, copied out through accessors: the
 * one file (src/ctl/vm_view.c) that reads struct vm for them, so the core
 * can change under the commands. Main loop thread.
 */
#ifndef MINIVMM_CTL_VM_VIEW_H
#define MINIVMM_CTL_VM_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "minivmm/pci_bdf.h"
#include "minivmm/vcpu.h"

struct vm;

#define VM_VIEW_IRQ_MODES 3          /* INTx, MSI, MSI-X */

struct vm_view_dev {
	char bdf[PCI_BDF_STRLEN];    /* on the host */
	char guest_bdf[PCI_BDF_STRLEN];
	const char *hotplug;         /* "present", "unplugged", ... (vfio_hp_state_name) */
	const char *irq_mode;        /* now: "none", "INTx", "MSI", "MSI-X" */
	const char *modes_used[VM_VIEW_IRQ_MODES];
	unsigned int nmodes_used;
	unsigned int vectors;        /* enabled in VFIO */
	uint64_t interrupts;         /* taken by its vectors on the host (/proc/interrupts) */
	unsigned int mode_changes;
	uint64_t faults_dropped;     /* interrupts swallowed by drop-msi/drop-intx */
	uint64_t faults_spurious;    /* interrupts made up by spurious-msi/spurious-intx */
	unsigned int flrs;           /* function-level resets the guest asked for */
	unsigned int d3_entries;     /* guest moves into D3hot */
};

struct vm_view_vcpu {
	unsigned int id;
	const char *state;           /* "running", "stopping", "triple-faulted", "not running" */
	uint64_t exits;
	uint64_t exit[VCPU_EXIT_REASONS]; /* per KVM_EXIT_* reason (vcpu_exit_name) */
};

unsigned int vm_view_ndevs(const struct vm *vm);
void vm_view_dev(struct vm *vm, unsigned int i, struct vm_view_dev *out);
unsigned int vm_view_ncpus(const struct vm *vm);
void vm_view_vcpu(const struct vm *vm, unsigned int i, struct vm_view_vcpu *out);
long vm_view_uptime_ms(const struct vm *vm);
uint64_t vm_view_mem_bytes(const struct vm *vm);
/* Stopping: true with the exit status and why. */
bool vm_view_stopping(const struct vm *vm, int *status, const char **msg);
/* The guest kernel panicked (console or pvpanic): true with its message. */
bool vm_view_panicked(const struct vm *vm, const char **msg);
/* A trace file is open (--trace or --trace-file). */
bool vm_view_tracing(const struct vm *vm);
/* The assigned functions' manager, for hotplug, faults and traces; NULL: none assigned. */
struct vfio_mgr *vm_view_vfio(struct vm *vm);
/* Orderly stop, as a poweroff: minivmm exits with @status. First stop wins. */
void vm_view_stop(struct vm *vm, int status, const char *msg);

#endif
