// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which KVM this is (the module behind /dev/kvm) and what a probe result
 * or a failed real boot means, in one line with the fix. Pure.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "minivmm/arch_probe.h"
#include "minivmm/runner/kvm_probe.h"

/* Of an instruction KVM could not emulate: enough to tell which it was. */
#define KVM_INSN_BYTES_SHOWN 8

#define HW_FIX "run minivmm where KVM uses hardware virtualization (kvm_intel or kvm_amd)"
/* Where that is, for doctor (one line of its own is allowed more words). */
#define HW_WHERE "on bare metal, or in a VM with nested virtualization (e.g. minivmm's nested test host, " \
		 "tests/rig/host.sh in its sources)"

/* Known not to run stock kernels first: a host may show more than one. */
static const struct kvm_impl impls[] = {
	{ .module = "kvm_pvm",
	  .what = "PVM, a KVM without hardware virtualization that runs only kernels built as PVM guests "
		  "(CONFIG_PVM_GUEST)",
	  .stock_kernels = false,
	  .fix = HW_FIX },
	{ .module = "kvm_intel", .what = "Intel VT-x", .stock_kernels = true },
	{ .module = "kvm_amd", .what = "AMD-V", .stock_kernels = true },
};

const struct kvm_impl *kvm_impl_detect(const char *sys)
{
	char path[512];
	struct stat st;

	for (size_t i = 0; i < sizeof(impls) / sizeof(impls[0]); i++) {
		snprintf(path, sizeof(path), "%s/module/%s", sys, impls[i].module);
		if (!stat(path, &st) && S_ISDIR(st.st_mode))
			return &impls[i];
	}
	return NULL;
}

const char *kvm_no_device_fix(const struct kvm_impl *impl)
{
	if (!impl)
		return "modprobe kvm_intel (or kvm_amd) and enable virtualization (VT-x/AMD-V) in the firmware";
	if (!impl->stock_kernels)
		return impl->fix;
	/* KVM_MINOR, fixed in include/linux/miscdevice.h. */
	return "create its device node (mknod /dev/kvm c 10 232; udev makes it at boot)";
}

const char *kvm_internal_error_name(uint32_t suberror)
{
	switch (suberror) {
	case KVM_INTERNAL_ERROR_EMULATION:
		return "emulation failure: an instruction KVM could not emulate";
	case KVM_INTERNAL_ERROR_SIMUL_EX:
		return "an exception while delivering an exception";
	case KVM_INTERNAL_ERROR_DELIVERY_EV:
		return "an exit while delivering an event";
	case KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON:
		return "an exit reason KVM does not handle";
	default:
		return "unknown suberror";
	}
}

void kvm_internal_error_text(char *buf, size_t len, uint32_t suberror, uint32_t ndata, const uint64_t *data)
{
	size_t o = (size_t)snprintf(buf, len, "KVM internal error %u (%s", suberror, kvm_internal_error_name(suberror));

	if (suberror == KVM_INTERNAL_ERROR_EMULATION && ndata >= 3 &&
	    (data[0] & KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES)) {
		/* data[1..2]: the instruction's size in bytes, then its first 15 bytes. */
		uint8_t insn[16];
		unsigned int n;

		memcpy(insn, &data[1], sizeof(insn));
		n = insn[0] < KVM_INSN_BYTES_SHOWN ? insn[0] : KVM_INSN_BYTES_SHOWN;
		for (unsigned int i = 0; i < n && o < len; i++)
			o += (size_t)snprintf(buf + o, len - o, "%s%02x", i ? " " : ", bytes ", insn[1 + i]);
	} else {
		for (uint32_t i = 0; i < ndata && i < 4 && o < len; i++)
			o += (size_t)snprintf(buf + o, len - o, "%s%#llx", i ? " " : ", data ",
					      (unsigned long long)data[i]);
	}
	if (o < len)
		snprintf(buf + o, len - o, ")");
}

/* How the probe failed, without the step. */
static void describe_failure(const struct probe_result *r, char *buf, size_t len)
{
	switch (r->outcome) {
	case PROBE_SETUP_FAILED:
		snprintf(buf, len, "%s failed: %s", r->call ? r->call : "set-up", strerror(r->err));
		return;
	case PROBE_RUN_FAILED:
		snprintf(buf, len, "KVM_RUN failed: %s", strerror(r->err));
		return;
	case PROBE_INTERNAL_ERROR:
		kvm_internal_error_text(buf, len, r->suberror, r->ndata, r->data);
		return;
	case PROBE_ENTRY_FAILED:
		snprintf(buf, len, "VM entry failed (hardware reason %#llx)", (unsigned long long)r->hw_reason);
		return;
	case PROBE_TRIPLE_FAULT:
		snprintf(buf, len, "the guest triple-faulted (KVM_EXIT_SHUTDOWN)");
		return;
	case PROBE_TIMEOUT:
		snprintf(buf, len, "no progress for %d ms (the vCPU stayed in KVM_RUN)", KVM_PROBE_TIMEOUT_MS);
		return;
	case PROBE_EXCEPTION:
	case PROBE_CHECK_FAILED:
	case PROBE_UNEXPECTED:
	case PROBE_PASSED:
		snprintf(buf, len, "%s", r->detail);
		return;
	}
	snprintf(buf, len, "outcome %d", (int)r->outcome);
}

bool kvm_probe_report(const struct probe_result *r, const struct kvm_impl *impl, char *detail,
		      size_t detail_len, char *fix, size_t fix_len)
{
	unsigned int steps = arch_probe_steps();
	char how[320], at[48] = "", kind[200] = "";

	if (impl)
		snprintf(kind, sizeof(kind), "; /dev/kvm is %s, %s", impl->module, impl->what);
	if (r->outcome == PROBE_PASSED) {
		snprintf(detail, detail_len, "a probe guest ran all %u steps, from %s to %s%s", steps,
			 arch_probe_step_name(1), arch_probe_step_name(steps), kind);
		fix[0] = 0;
		return true;
	}
	describe_failure(r, how, sizeof(how));
	if (r->outcome == PROBE_SETUP_FAILED && r->err == ENOENT && r->call && !strcmp(r->call, "open /dev/kvm")) {
		/* No /dev/kvm: the module loaded (if any) is named, not what /dev/kvm is. */
		if (impl)
			snprintf(kind, sizeof(kind), "; the KVM module loaded is %s, %s", impl->module, impl->what);
		snprintf(detail, detail_len, "not run: no /dev/kvm%s", kind);
		snprintf(fix, fix_len, "%s", kvm_no_device_fix(impl));
		return false;
	}
	if (r->outcome == PROBE_SETUP_FAILED) {
		snprintf(detail, detail_len, "could not set up the probe guest: %s%s", how, kind);
		if (r->err == EACCES || r->err == EPERM)
			snprintf(fix, fix_len, "run as root or join the kvm group");
		else
			snprintf(fix, fix_len, "%s, %s", impl && !impl->stock_kernels ? impl->fix : HW_FIX, HW_WHERE);
		return false;
	}
	if (r->pc_known)
		snprintf(at, sizeof(at), " at guest address %#llx", (unsigned long long)r->pc);
	snprintf(detail, detail_len, "this KVM cannot run a stock kernel: step %u of %u (%s) failed%s: %s%s",
		 r->done + 1, steps, arch_probe_step_name(r->done + 1), at, how, kind);
	snprintf(fix, fix_len, "%s, %s", impl && !impl->stock_kernels ? impl->fix : HW_FIX, HW_WHERE);
	return false;
}

void kvm_run_failure_msg(char *buf, size_t len, const char *how, unsigned int vcpu_id, bool printed,
			 const struct kvm_impl *impl)
{
	if (impl && !impl->stock_kernels)
		snprintf(buf, len, "this KVM cannot run a stock kernel: %s on vCPU %u; /dev/kvm is %s, %s: %s",
			 how, vcpu_id, impl->module, impl->what, impl->fix);
	else if (!printed)
		snprintf(buf, len, "this KVM cannot run a stock kernel: %s on vCPU %u before the guest printed "
			 "anything: %s (minivmm doctor tests it)", how, vcpu_id, HW_FIX);
	else
		snprintf(buf, len, "%s on vCPU %u (guest state KVM cannot run)", how, vcpu_id);
}
