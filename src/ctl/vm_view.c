// SPDX-License-Identifier: GPL-2.0-only
/* The control commands' window on struct vm (see vm_view.h). */
#include <stdatomic.h>
#include <string.h>

#include "minivmm/ctl/vm_view.h"
#include "minivmm/vfio/vfio.h"
#include "minivmm/vm.h"

/* The assigned functions, NULL: none. */
static struct vfio_mgr *vfio_of(const struct vm *vm)
{
	return vm->vfio;
}

bool vm_view_tracing(const struct vm *vm)
{
	return vm->trace.f != NULL;
}

struct vfio_mgr *vm_view_vfio(struct vm *vm)
{
	return vfio_of(vm);
}

unsigned int vm_view_ndevs(const struct vm *vm)
{
	struct vfio_mgr *m = vfio_of(vm);

	return m ? m->ndevs : 0;
}

void vm_view_dev(struct vm *vm, unsigned int i, struct vm_view_dev *out)
{
	struct vfio_dev *d = &vfio_of(vm)->devs[i];
	struct pci_bdf guest = { 0, d->requester_id >> 8, PCI_SLOT_OF(d->requester_id), PCI_FN_OF(d->requester_id) };
	struct vfio_intr *in = &d->intr;

	memset(out, 0, sizeof(*out));
	pci_bdf_format(&d->bdf, out->bdf);
	pci_bdf_format(&guest, out->guest_bdf);
	pthread_mutex_lock(&d->mgr->lock); /* hotplug state changes at the guest's eject too */
	out->hotplug = vfio_hp_state_name(d);
	pthread_mutex_unlock(&d->mgr->lock);
	/* vCPUs change the interrupt state under its lock (config and table writes). */
	if (in->lock_ready)
		pthread_mutex_lock(&in->lock);
	out->irq_mode = vfio_irq_mode_str(in->mode);
	for (unsigned int m = VFIO_IRQ_INTX; m <= VFIO_IRQ_MSIX; m++)
		if (in->modes_used & (1u << m))
			out->modes_used[out->nmodes_used++] = vfio_irq_mode_str(m);
	out->vectors = in->nvec;
	out->mode_changes = in->mode_changes;
	out->interrupts = in->host_count_retired + vfio_intr_host_count(d);
	out->faults_dropped = in->faults_dropped;
	out->faults_spurious = in->faults_spurious;
	out->flrs = d->flrs;
	out->d3_entries = d->d3_entries;
	if (in->lock_ready)
		pthread_mutex_unlock(&in->lock);
}

unsigned int vm_view_ncpus(const struct vm *vm)
{
	return vm->vcpus ? vm->ncpus : 0;
}

void vm_view_vcpu(const struct vm *vm, unsigned int i, struct vm_view_vcpu *out)
{
	const struct vcpu *v = &vm->vcpus[i];

	memset(out, 0, sizeof(*out));
	out->id = v->id;
	/*
	 * Halted or not is KVM_GET_MP_STATE, which waits for KVM_RUN to return:
	 * a running vCPU thread is only "running". Its exit counters are its
	 * thread's; a relaxed read gives a recent value.
	 */
	if (v->shut_down)
		out->state = "triple-faulted";
	else if (v->thread_started)
		out->state = atomic_load(&vm->run.stopping) ? "stopping" : "running";
	else
		out->state = "not running";
	for (unsigned int r = 0; r < VCPU_EXIT_REASONS; r++) {
		out->exit[r] = __atomic_load_n(&v->exits[r], __ATOMIC_RELAXED);
		out->exits += out->exit[r];
	}
}

long vm_view_uptime_ms(const struct vm *vm)
{
	return vm->started_ms ? now_ms() - vm->started_ms : 0;
}

uint64_t vm_view_mem_bytes(const struct vm *vm)
{
	return vm->cfg->mem;
}

bool vm_view_stopping(const struct vm *vm, int *status, const char **msg)
{
	if (!atomic_load(&vm->run.stopping))
		return false;
	*status = vm->run.exit_status;
	*msg = vm->run.exit_msg;
	return true;
}

bool vm_view_panicked(const struct vm *vm, const char **msg)
{
	if (!atomic_load(&vm->run.panic_seen))
		return false;
	*msg = vm->run.panic_msg;
	return true;
}

void vm_view_stop(struct vm *vm, int status, const char *msg)
{
	runstate_stop(&vm->run, status, "%s", msg);
}
