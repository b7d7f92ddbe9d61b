// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for src/runner/kvm_report.c: naming the KVM implementation
 * from a fake /sys/module, KVM internal errors in words, doctor's "KVM runs
 * a guest" line for each way the probe guest can fail, and the error of a
 * real boot that KVM could not run.
 */
#define _GNU_SOURCE /* nftw() */
#include <errno.h>
#include <ftw.h>
#include <linux/kvm.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "minivmm/arch_probe.h"
#include "minivmm/runner/kvm_probe.h"

static char sysroot[64];

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	(void)state;
	snprintf(sysroot, sizeof(sysroot), "/tmp/minivmm-kvm-XXXXXX");
	if (!mkdtemp(sysroot))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return nftw(sysroot, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static void add_module(const char *name, bool dir)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/module", sysroot);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/module/%s", sysroot, name);
	if (dir) {
		assert_int_equal(mkdir(path, 0755), 0);
	} else {
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fclose(f);
	}
}

static void test_impl_detect(void **state)
{
	const struct kvm_impl *impl;

	(void)state;
	assert_null(kvm_impl_detect(sysroot));
	add_module("kvm", true); /* the common module names no implementation */
	assert_null(kvm_impl_detect(sysroot));
	add_module("kvm_intel", false); /* not a directory: not a module */
	assert_null(kvm_impl_detect(sysroot));
	add_module("kvm_amd", true);
	impl = kvm_impl_detect(sysroot);
	assert_non_null(impl);
	assert_string_equal(impl->module, "kvm_amd");
	assert_true(impl->stock_kernels);
	/* kvm_pvm can sit next to a hardware one: it is the one to name. */
	add_module("kvm_pvm", true);
	impl = kvm_impl_detect(sysroot);
	assert_string_equal(impl->module, "kvm_pvm");
	assert_false(impl->stock_kernels);
	assert_non_null(strstr(impl->what, "PVM guests"));
	assert_non_null(strstr(impl->fix, "kvm_intel or kvm_amd"));
}

static void test_internal_error_text(void **state)
{
	/* flags, then size 15 and the bytes of lock cmpxchg16b (%rdi); jne ... */
	uint64_t emul[4] = { KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES, 0x43750fc70f48f00fULL,
			     0x4f39483e751f3948ULL, 0x1000 };
	uint64_t words[2] = { 0x80000b0e, 0x2 };
	char buf[256];

	(void)state;
	kvm_internal_error_text(buf, sizeof(buf), KVM_INTERNAL_ERROR_EMULATION, 4, emul);
	assert_string_equal(buf, "KVM internal error 1 (emulation failure: an instruction KVM could not "
				 "emulate, bytes f0 48 0f c7 0f 75 43 48)");
	/* Without the instruction-bytes flag the data words are shown. */
	emul[0] = 0;
	kvm_internal_error_text(buf, sizeof(buf), KVM_INTERNAL_ERROR_EMULATION, 2, emul);
	assert_string_equal(buf, "KVM internal error 1 (emulation failure: an instruction KVM could not "
				 "emulate, data 0 0x43750fc70f48f00f)");
	kvm_internal_error_text(buf, sizeof(buf), KVM_INTERNAL_ERROR_DELIVERY_EV, 2, words);
	assert_string_equal(buf, "KVM internal error 3 (an exit while delivering an event, data 0x80000b0e 0x2)");
	kvm_internal_error_text(buf, sizeof(buf), 77, 0, NULL);
	assert_string_equal(buf, "KVM internal error 77 (unknown suberror)");
	/* Truncation stays a terminated string. */
	kvm_internal_error_text(buf, 20, KVM_INTERNAL_ERROR_EMULATION, 4, emul);
	assert_int_equal(strlen(buf), 19);
}

static void test_report_passed(void **state)
{
	struct probe_result r = { .outcome = PROBE_PASSED, .done = 10 };
	char detail[512], fix[400] = "stale";

	(void)state;
	add_module("kvm_amd", true);
	assert_true(kvm_probe_report(&r, kvm_impl_detect(sysroot), detail, sizeof(detail), fix, sizeof(fix)));
	assert_string_equal(fix, "");
	assert_non_null(strstr(detail, "a probe guest ran all"));
	assert_non_null(strstr(detail, arch_probe_step_name(1)));
	assert_non_null(strstr(detail, "/dev/kvm is kvm_amd, AMD-V"));
}

static void test_report_pvm_internal_error(void **state)
{
	struct probe_result r = { .outcome = PROBE_INTERNAL_ERROR, .done = 6, .suberror = 1, .ndata = 0,
				  .pc_known = true, .pc = 0x10ca };
	char detail[512], fix[400], want[512];

	(void)state;
	add_module("kvm_pvm", true);
	assert_false(kvm_probe_report(&r, kvm_impl_detect(sysroot), detail, sizeof(detail), fix, sizeof(fix)));
	snprintf(want, sizeof(want),
		 "this KVM cannot run a stock kernel: step 7 of %u (%s) failed at guest address 0x10ca: "
		 "KVM internal error 1 (emulation failure: an instruction KVM could not emulate); "
		 "/dev/kvm is kvm_pvm, PVM, a KVM without hardware virtualization that runs only kernels "
		 "built as PVM guests (CONFIG_PVM_GUEST)",
		 arch_probe_steps(), arch_probe_step_name(7));
	assert_string_equal(detail, want);
	assert_non_null(strstr(fix, "kvm_intel or kvm_amd"));
	assert_non_null(strstr(fix, "nested test host"));
}

static void test_report_failures(void **state)
{
	static const struct {
		struct probe_result r;
		const char *how;
	} cases[] = {
		{ { .outcome = PROBE_RUN_FAILED, .err = EFAULT }, "step 1 of" },
		{ { .outcome = PROBE_RUN_FAILED, .err = EFAULT }, "KVM_RUN failed: Bad address" },
		{ { .outcome = PROBE_ENTRY_FAILED, .done = 1, .hw_reason = 0x21 },
		  "step 2 of" },
		{ { .outcome = PROBE_ENTRY_FAILED, .done = 1, .hw_reason = 0x21 },
		  "VM entry failed (hardware reason 0x21)" },
		{ { .outcome = PROBE_TRIPLE_FAULT, .done = 4 }, "triple-faulted" },
		{ { .outcome = PROBE_TIMEOUT, .done = 9 }, "step 10 of" },
		{ { .outcome = PROBE_TIMEOUT, .done = 9 }, "no progress for 5000 ms" },
		{ { .outcome = PROBE_EXCEPTION, .done = 5, .detail = "the guest took exception #GP" },
		  "failed: the guest took exception #GP" },
		{ { .outcome = PROBE_UNEXPECTED, .done = 8, .detail = "an MMIO write" }, "failed: an MMIO write" },
	};
	char detail[512], fix[400];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_false(kvm_probe_report(&cases[i].r, NULL, detail, sizeof(detail), fix, sizeof(fix)));
		if (!strstr(detail, cases[i].how))
			fail_msg("case %zu: '%s' lacks '%s'", i, detail, cases[i].how);
		assert_non_null(strstr(detail, "this KVM cannot run a stock kernel"));
		assert_null(strstr(detail, "guest address")); /* no pc known */
		assert_null(strstr(detail, "/dev/kvm is"));   /* no module known */
		assert_non_null(strstr(fix, "kvm_intel or kvm_amd"));
	}
}

static void test_report_setup(void **state)
{
	struct probe_result r = { .outcome = PROBE_SETUP_FAILED, .call = "open /dev/kvm", .err = EACCES };
	char detail[512], fix[400];

	(void)state;
	assert_false(kvm_probe_report(&r, NULL, detail, sizeof(detail), fix, sizeof(fix)));
	assert_string_equal(detail, "could not set up the probe guest: open /dev/kvm failed: Permission denied");
	assert_string_equal(fix, "run as root or join the kvm group");
	r.call = "KVM_CREATE_IRQCHIP";
	r.err = EINVAL;
	assert_false(kvm_probe_report(&r, NULL, detail, sizeof(detail), fix, sizeof(fix)));
	assert_string_equal(detail, "could not set up the probe guest: KVM_CREATE_IRQCHIP failed: Invalid argument");
	assert_non_null(strstr(fix, "kvm_intel or kvm_amd"));
}

/* No /dev/kvm: the probe did not run; the fix depends on the module loaded. */
static void test_report_no_device(void **state)
{
	struct probe_result r = { .outcome = PROBE_SETUP_FAILED, .call = "open /dev/kvm", .err = ENOENT };
	char detail[512], fix[400];

	(void)state;
	assert_false(kvm_probe_report(&r, kvm_impl_detect(sysroot), detail, sizeof(detail), fix, sizeof(fix)));
	assert_string_equal(detail, "not run: no /dev/kvm");
	assert_string_equal(fix, "modprobe kvm_intel (or kvm_amd) and enable virtualization (VT-x/AMD-V) in the "
				 "firmware");
	assert_string_equal(fix, kvm_no_device_fix(NULL));
	/* kvm_amd loaded without its node: only the node is missing. */
	add_module("kvm_amd", true);
	assert_false(kvm_probe_report(&r, kvm_impl_detect(sysroot), detail, sizeof(detail), fix, sizeof(fix)));
	assert_string_equal(detail, "not run: no /dev/kvm; the KVM module loaded is kvm_amd, AMD-V");
	assert_non_null(strstr(fix, "mknod /dev/kvm c 10 232"));
	/* kvm_pvm loaded: not "/dev/kvm is kvm_pvm", and its own fix. */
	add_module("kvm_pvm", true);
	assert_false(kvm_probe_report(&r, kvm_impl_detect(sysroot), detail, sizeof(detail), fix, sizeof(fix)));
	assert_string_equal(detail, "not run: no /dev/kvm; the KVM module loaded is kvm_pvm, PVM, a KVM without "
				 "hardware virtualization that runs only kernels built as PVM guests "
				 "(CONFIG_PVM_GUEST)");
	assert_string_equal(fix, "run minivmm where KVM uses hardware virtualization (kvm_intel or kvm_amd)");
}

static void test_run_failure_msg(void **state)
{
	const char *how = "KVM internal error 1 (emulation failure)";
	char buf[512];

	(void)state;
	/* No known module, the guest printed nothing: KVM cannot run stock kernels. */
	kvm_run_failure_msg(buf, sizeof(buf), how, 0, false, kvm_impl_detect(sysroot));
	assert_string_equal(buf, "this KVM cannot run a stock kernel: KVM internal error 1 (emulation failure) "
				 "on vCPU 0 before the guest printed anything: run minivmm where KVM uses "
				 "hardware virtualization (kvm_intel or kvm_amd) (minivmm doctor tests it)");
	/* A guest that ran for a while on a hardware KVM: only what happened. */
	add_module("kvm_amd", true);
	kvm_run_failure_msg(buf, sizeof(buf), how, 3, true, kvm_impl_detect(sysroot));
	assert_string_equal(buf, "KVM internal error 1 (emulation failure) on vCPU 3 (guest state KVM cannot run)");
	/* kvm_pvm: named with the fix, however far the guest got. */
	add_module("kvm_pvm", true);
	kvm_run_failure_msg(buf, sizeof(buf), how, 0, true, kvm_impl_detect(sysroot));
	assert_string_equal(buf, "this KVM cannot run a stock kernel: KVM internal error 1 (emulation failure) "
				 "on vCPU 0; /dev/kvm is kvm_pvm, PVM, a KVM without hardware virtualization "
				 "that runs only kernels built as PVM guests (CONFIG_PVM_GUEST): run minivmm "
				 "where KVM uses hardware virtualization (kvm_intel or kvm_amd)");
	assert_true(strlen(buf) < 512);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_impl_detect),
		T(test_internal_error_text),
		T(test_report_passed),
		T(test_report_pvm_internal_error),
		T(test_report_failures),
		T(test_report_setup),
		T(test_report_no_device),
		T(test_run_failure_msg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
