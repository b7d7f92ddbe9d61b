// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE /* pthread_setname_np */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "minivmm/arch.h"
#include "minivmm/kvm.h"
#include "minivmm/log.h"
#include "minivmm/runner/kvm_probe.h"
#include "minivmm/vcpu.h"
#include "minivmm/vm.h"

/*
 * Which vCPU this thread runs (-1: none): per thread, not per VM, so that
 * device handlers can tell who made an access (access traces) without the
 * bus passing it along.
 */
static __thread int current_vcpu = -1;

int vcpu_current(void)
{
	return current_vcpu;
}

/* The signal that knocks a vCPU thread out of KVM_RUN. */
#define VCPU_KICK_SIGNAL SIGUSR1

static const char *const exit_names[VCPU_EXIT_REASONS] = {
	[KVM_EXIT_UNKNOWN] = "unknown",
	[KVM_EXIT_EXCEPTION] = "exception",
	[KVM_EXIT_IO] = "io",
	[KVM_EXIT_HYPERCALL] = "hypercall",
	[KVM_EXIT_DEBUG] = "debug",
	[KVM_EXIT_HLT] = "hlt",
	[KVM_EXIT_MMIO] = "mmio",
	[KVM_EXIT_IRQ_WINDOW_OPEN] = "irq_window_open",
	[KVM_EXIT_SHUTDOWN] = "shutdown",
	[KVM_EXIT_FAIL_ENTRY] = "fail_entry",
	[KVM_EXIT_INTR] = "intr",
	[KVM_EXIT_SET_TPR] = "set_tpr",
	[KVM_EXIT_TPR_ACCESS] = "tpr_access",
	[KVM_EXIT_NMI] = "nmi",
	[KVM_EXIT_INTERNAL_ERROR] = "internal_error",
	[KVM_EXIT_SYSTEM_EVENT] = "system_event",
	[KVM_EXIT_IOAPIC_EOI] = "ioapic_eoi",
	[KVM_EXIT_X86_RDMSR] = "x86_rdmsr",
	[KVM_EXIT_X86_WRMSR] = "x86_wrmsr",
};

const char *vcpu_exit_name(unsigned int reason)
{
	return reason < VCPU_EXIT_REASONS && exit_names[reason] ? exit_names[reason] : NULL;
}

int vcpu_create(struct vm *vm, struct vcpu *vcpu, unsigned int id)
{
	void *run;
	int ret;

	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->run = NULL;
	ret = vm_ioctl(vm, KVM_CREATE_VCPU, (unsigned long)id);
	if (ret < 0) {
		vcpu->fd = -1;
		return ret;
	}
	vcpu->fd = ret;
	run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
	if (run == MAP_FAILED) {
		ret = -errno;
		pr_err("mmap of vCPU %u's kvm_run failed: %s", id, strerror(errno));
		return ret;
	}
	vcpu->run = run;
	return 0;
}

void vcpu_destroy(struct vcpu *vcpu)
{
	if (vcpu->run)
		munmap(vcpu->run, vcpu->vm->run_size);
	vcpu->run = NULL;
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	vcpu->fd = -1;
}

static void vcpu_handle_io(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool is_write = run->io.direction == KVM_EXIT_IO_OUT;

	for (uint32_t i = 0; i < run->io.count; i++)
		bus_access(&vcpu->vm->pio, run->io.port, data + i * run->io.size, run->io.size, is_write);
}

static void vcpu_handle_mmio(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint32_t len = run->mmio.len > sizeof(run->mmio.data) ? sizeof(run->mmio.data) : run->mmio.len;

	bus_access(&vcpu->vm->mmio, run->mmio.phys_addr, run->mmio.data, len, run->mmio.is_write);
}

static void vcpu_handle_system_event(struct vcpu *vcpu)
{
	switch (vcpu->run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		runstate_stop(&vcpu->vm->run, EXIT_GUEST_OK, "guest powered off");
		break;
	case KVM_SYSTEM_EVENT_RESET:
		runstate_reset(&vcpu->vm->run, "system reset");
		break;
	default:
		runstate_stop(&vcpu->vm->run, EXIT_GUEST_CRASH, "guest crashed (system event %u on vCPU %u)",
			vcpu->run->system_event.type, vcpu->id);
	}
}

/* KVM could not run the guest: on a KVM that cannot run a stock kernel, say so. */
static void vcpu_kvm_failed(struct vcpu *vcpu, int status, const char *how)
{
	char line[1][CONSOLE_LINE_MAX], msg[RUNSTATE_MSG_MAX];
	bool printed = console_tail(&vcpu->vm->console, line, 1) > 0;
	const struct kvm_impl *impl = kvm_impl_detect("/sys");

	kvm_run_failure_msg(msg, sizeof(msg), how, vcpu->id, printed, impl);
	/* A KVM that cannot run a stock kernel is the host's problem, not the guest's crash. */
	if (!printed || (impl && !impl->stock_kernels))
		status = EXIT_VMM_ERROR;
	runstate_stop(&vcpu->vm->run, status, "%s", msg);
}

/* Returns false when the vCPU must stop. */
static bool vcpu_handle_exit(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct vm *vm = vcpu->vm;

	if (run->exit_reason < VCPU_EXIT_REASONS)
		vcpu->exits[run->exit_reason]++;
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		vcpu_handle_io(vcpu);
		return true;
	case KVM_EXIT_MMIO:
		vcpu_handle_mmio(vcpu);
		return true;
	case KVM_EXIT_INTR:
		return true;
	case KVM_EXIT_SYSTEM_EVENT:
		vcpu_handle_system_event(vcpu);
		return false;
	case KVM_EXIT_FAIL_ENTRY:
		runstate_stop(&vm->run, EXIT_GUEST_CRASH, "vCPU %u failed VM entry (hardware reason %#llx)", vcpu->id,
			(unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		return false;
	case KVM_EXIT_INTERNAL_ERROR: {
		char how[160];

		kvm_internal_error_text(how, sizeof(how), run->internal.suberror, run->internal.ndata,
					(const uint64_t *)run->internal.data);
		vcpu_kvm_failed(vcpu, EXIT_GUEST_CRASH, how);
		return false;
	}
	default:
		return arch_vcpu_exit(vcpu);
	}
}

static void vcpu_do_hold(struct vcpu *vcpu)
{
	struct timespec end, now;
	unsigned int us;

	/* Re-armed first: a hold asked for from now on kicks the next KVM_RUN out. */
	vcpu->run->immediate_exit = 0;
	us = atomic_exchange(&vcpu->hold_us, 0);
	if (!us || runstate_stopping(&vcpu->vm->run))
		return;
	vcpu->held++;
	if (!atomic_load(&vcpu->hold_spin)) {
		struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000L };

		nanosleep(&ts, NULL);
		return;
	}
	/* A noisy neighbour: the thread keeps its host CPU busy meanwhile. */
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += us / 1000000;
	end.tv_nsec += (us % 1000000) * 1000L;
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	do
		clock_gettime(CLOCK_MONOTONIC, &now);
	while (now.tv_sec < end.tv_sec || (now.tv_sec == end.tv_sec && now.tv_nsec < end.tv_nsec));
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;
	struct vm *vm = vcpu->vm;
	sigset_t kick;

	current_vcpu = vcpu->id;
	sigemptyset(&kick);
	sigaddset(&kick, VCPU_KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &kick, NULL);

	while (!runstate_stopping(&vm->run)) {
		int ret = quiet_ioctl_once(vcpu->fd, KVM_RUN);

		if (ret == -EINTR || ret == -EAGAIN) {
			vcpu->exits[KVM_EXIT_INTR]++;
			/* Only a kick gets here: a hold (jitter) is the one thing to check. */
			if (atomic_load_explicit(&vcpu->hold_us, memory_order_relaxed))
				vcpu_do_hold(vcpu);
			continue;
		}
		if (ret < 0) {
			char how[96];

			snprintf(how, sizeof(how), "KVM_RUN failed (%s)", strerror(-ret));
			vcpu_kvm_failed(vcpu, EXIT_VMM_ERROR, how);
			break;
		}
		if (!vcpu_handle_exit(vcpu))
			break;
	}
	return NULL;
}

static void vcpu_kick_handler(int sig)
{
	(void)sig; /* only here to interrupt KVM_RUN */
}

int vcpu_start(struct vcpu *vcpu)
{
	struct sigaction sa = { .sa_handler = vcpu_kick_handler };
	int ret;

	sigemptyset(&sa.sa_mask);
	sigaction(VCPU_KICK_SIGNAL, &sa, NULL);
	ret = pthread_create(&vcpu->thread, NULL, vcpu_thread, vcpu);
	if (ret) {
		pr_err("cannot start the thread of vCPU %u: %s", vcpu->id, strerror(ret));
		return -ret;
	}
	vcpu->thread_started = true;
	{
		char name[16];

		/* "vcpu7" in ps, top and /proc/PID/task/TID/comm. */
		snprintf(name, sizeof(name), "vcpu%u", vcpu->id);
		pthread_setname_np(vcpu->thread, name);
	}
	return 0;
}

void vcpu_hold(struct vcpu *vcpu, unsigned int us, bool spin)
{
	if (!vcpu->thread_started || !us)
		return;
	atomic_store(&vcpu->hold_spin, spin);
	atomic_store(&vcpu->hold_us, us);
	vcpu->run->immediate_exit = 1;
	pthread_kill(vcpu->thread, VCPU_KICK_SIGNAL);
}

void vcpu_kick(struct vcpu *vcpu)
{
	if (!vcpu->thread_started)
		return;
	vcpu->run->immediate_exit = 1;
	pthread_kill(vcpu->thread, VCPU_KICK_SIGNAL);
}

int vcpu_describe(struct vcpu *vcpu, char *buf, size_t len)
{
	uint64_t exits = 0;
	size_t n;
	int ret;

	if (vcpu->thread_started || vcpu->fd < 0)
		return -EBUSY;
	ret = arch_vcpu_describe(vcpu, buf, len);
	if (ret)
		return ret;
	for (unsigned int r = 0; r < VCPU_EXIT_REASONS; r++)
		exits += vcpu->exits[r];
	n = strlen(buf);
	snprintf(buf + n, len - n, ", %llu exits", (unsigned long long)exits);
	return 0;
}

void vcpu_join(struct vcpu *vcpu)
{
	if (vcpu->thread_started)
		pthread_join(vcpu->thread, NULL);
	vcpu->thread_started = false;
}
