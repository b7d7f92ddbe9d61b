/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Does this KVM run a guest the way a stock kernel needs? `minivmm doctor`
 * runs a tiny probe guest (include/minivmm/arch_probe.h, per architecture)
 * and names the KVM implementation (the loaded module), so that a host whose
 * /dev/kvm opens but cannot run a distribution kernel (kvm_pvm) says so with
 * the fix. The KVM part is kvm_probe_run (src/runner/kvm_probe.c); naming
 * the module and turning results into messages is pure
 * (src/runner/kvm_report.c).
 */
#ifndef MINIVMM_RUNNER_KVM_PROBE_H
#define MINIVMM_RUNNER_KVM_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How long the probe guest may run without finishing. */
#define KVM_PROBE_TIMEOUT_MS 5000

enum probe_outcome {
	PROBE_PASSED,
	PROBE_SETUP_FAILED,   /* @call failed with @err before the guest ran */
	PROBE_RUN_FAILED,     /* KVM_RUN returned -@err */
	PROBE_INTERNAL_ERROR, /* KVM_EXIT_INTERNAL_ERROR: @suberror, @data */
	PROBE_ENTRY_FAILED,   /* KVM_EXIT_FAIL_ENTRY: @hw_reason */
	PROBE_TRIPLE_FAULT,   /* KVM_EXIT_SHUTDOWN */
	PROBE_EXCEPTION,      /* the guest's IDT caught an exception: @detail */
	PROBE_CHECK_FAILED,   /* a check the guest made failed: @detail */
	PROBE_UNEXPECTED,     /* an exit the probe does not do: @detail */
	PROBE_TIMEOUT,        /* not done within KVM_PROBE_TIMEOUT_MS */
};

struct probe_result {
	enum probe_outcome outcome;
	unsigned int done;    /* steps the guest reported done; the next one failed */
	const char *call;     /* PROBE_SETUP_FAILED: the ioctl (or "open /dev/kvm") */
	int err;              /* errno of @call or of KVM_RUN */
	uint32_t suberror;
	uint32_t ndata;       /* of @data */
	uint64_t data[4];
	uint64_t hw_reason;
	bool pc_known;        /* the vCPU's program counter when it failed */
	uint64_t pc;
	unsigned int exits;   /* KVM_RUN returns that the probe handled */
	char detail[160];
};

/* A KVM implementation, as its module names it. */
struct kvm_impl {
	const char *module;
	const char *what;     /* what it is, for a message */
	bool stock_kernels;   /* runs a distribution's kernel */
	const char *fix;      /* when it does not */
};

/*
 * Pure: the KVM implementation module under @sys ("/sys": /sys/module/NAME
 * of the modules known here), NULL when none is known (a KVM built into
 * the kernel, another architecture).
 */
const struct kvm_impl *kvm_impl_detect(const char *sys);

/*
 * Pure: the fix when /dev/kvm does not exist, given the KVM module that is
 * loaded (@impl, may be NULL): a module that cannot run stock kernels
 * gets its own fix, a loaded hardware KVM only lacks its device node.
 */
const char *kvm_no_device_fix(const struct kvm_impl *impl);

/* Pure: KVM_INTERNAL_ERROR_* @suberror in words. */
const char *kvm_internal_error_name(uint32_t suberror);
/*
 * Pure: a KVM_EXIT_INTERNAL_ERROR (kvm_run's internal.*) in words, with the
 * first bytes of the instruction KVM could not emulate when it gave them.
 */
void kvm_internal_error_text(char *buf, size_t len, uint32_t suberror, uint32_t ndata, const uint64_t *data);

/*
 * Pure: @r as doctor's check line: what happened (@detail) and, when it
 * failed, @fix. @impl may be NULL. Returns true when the probe passed.
 */
bool kvm_probe_report(const struct probe_result *r, const struct kvm_impl *impl, char *detail,
		      size_t detail_len, char *fix, size_t fix_len);

/*
 * Pure: the error of a real boot whose vCPU @vcpu_id stopped with @how
 * ("KVM internal error 1 (emulation failure)"). When @impl is known not to
 * run stock kernels, or the guest has not printed anything yet (@printed),
 * it says "this KVM cannot run a stock kernel" and why.
 */
void kvm_run_failure_msg(char *buf, size_t len, const char *how, unsigned int vcpu_id, bool printed,
			 const struct kvm_impl *impl);

/*
 * Create a VM with the probe guest and run it until it is done, fails, or
 * KVM_PROBE_TIMEOUT_MS pass. Everything it made is gone on return. Returns
 * 0 (the verdict is in @r), or -errno when this process could not run it
 * (no memory).
 */
int kvm_probe_run(struct probe_result *r);

#endif
