// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the x86 KVM probe guest (src/arch/x86/probe_guest.{S,c}):
 * its image (code placement, GDT, IDT gates to the right stubs, identity
 * page tables walked as the CPU would), that the assembly reports the
 * steps the C side names, in order, and the exit protocol fed with the
 * kvm_run exits a KVM produces, good and bad.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "minivmm/arch_probe.h"
#include "minivmm/x86/probe_guest.h"

static uint8_t ram[PROBE_RAM_SIZE];

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* The handler address and attributes of IDT gate @v. */
static uint64_t gate_offset(unsigned int v)
{
	const uint8_t *g = ram + PROBE_IDT + 16 * v;

	return get16(g) | (uint64_t)get16(g + 6) << 16 | get64(g + 8) << 32;
}

/* The 4-level walk of @va on the probe's tables; -1 when not mapped. */
static int64_t walk(uint64_t va)
{
	uint64_t e = get64(ram + PROBE_PML4 + 8 * ((va >> 39) & 511));

	if (!(e & 1))
		return -1;
	e = get64(ram + (e & ~0xfffULL) + 8 * ((va >> 30) & 511));
	if (!(e & 1) || (e & 0x80)) /* no 1 GiB pages: CPUID may not have them */
		return -1;
	e = get64(ram + (e & ~0xfffULL) + 8 * ((va >> 21) & 511));
	if (!(e & 1) || !(e & 0x80) || !(e & 2))
		return -1;
	return (int64_t)((e & ~0x1fffffULL) | (va & 0x1fffff));
}

static void test_build_too_small(void **state)
{
	(void)state;
	assert_int_equal(arch_probe_build(ram, PROBE_RAM_SIZE - 1), -EINVAL);
	assert_int_equal(arch_probe_ram_size(), PROBE_RAM_SIZE);
}

static void test_build_code_and_gdt(void **state)
{
	size_t size = (size_t)(probe_guest_code_end - probe_guest_code);

	(void)state;
	memset(ram, 0xcc, sizeof(ram));
	assert_int_equal(arch_probe_build(ram, sizeof(ram)), 0);
	assert_true(size > 100 && size <= PROBE_CODE_MAX);
	assert_memory_equal(ram + PROBE_CODE, probe_guest_code, size);
	assert_int_equal(ram[PROBE_CODE], 0xfa); /* cli, the first instruction */
	assert_int_equal(ram[PROBE_CODE + size], 0); /* the rest is zeroed */
	assert_int_equal(ram[PROBE_FLAG], 0);
	assert_int_equal(get64(ram + PROBE_CX16), 0);
	assert_int_equal(get64(ram + PROBE_CX16 + 8), 0);

	assert_int_equal(get64(ram + PROBE_GDT), 0);
	/* base 0, limit 4 GiB: 32-bit code, data, 64-bit code (L set, D clear) */
	assert_int_equal(get64(ram + PROBE_GDT + PROBE_SEL_CODE32), 0x00cf9a000000ffffULL);
	assert_int_equal(get64(ram + PROBE_GDT + PROBE_SEL_DATA), 0x00cf92000000ffffULL);
	assert_int_equal(get64(ram + PROBE_GDT + PROBE_SEL_CODE64), 0x00af9a000000ffffULL);
	assert_int_equal(get16(ram + PROBE_GDTR), 8 * PROBE_GDT_ENTRIES - 1);
	assert_int_equal(get64(ram + PROBE_GDTR + 2), PROBE_GDT);
}

static void test_build_idt(void **state)
{
	(void)state;
	assert_int_equal(arch_probe_build(ram, sizeof(ram)), 0);
	assert_int_equal(get16(ram + PROBE_IDTR), 256 * 16 - 1);
	assert_int_equal(get64(ram + PROBE_IDTR + 2), PROBE_IDT);
	for (unsigned int v = 0; v < 32; v++) {
		const uint8_t *g = ram + PROBE_IDT + 16 * v;
		uint64_t handler = gate_offset(v);

		assert_int_equal(get16(g + 2), PROBE_SEL_CODE64);
		assert_int_equal(g[4], 0);    /* no IST */
		assert_int_equal(g[5], 0x8e); /* present interrupt gate */
		/* The stub pushes its own vector: push imm8. */
		assert_true(handler >= PROBE_CODE && handler < PROBE_CODE + PROBE_CODE_MAX);
		assert_int_equal(ram[handler], 0x6a);
		assert_int_equal(ram[handler + 1], v);
	}
	assert_int_equal(gate_offset(PROBE_VECTOR), probe_guest_addr(probe_guest_irq_entry));
	assert_int_equal(ram[PROBE_IDT + 16 * PROBE_VECTOR + 5], 0x8e);
	/* Other vectors are not present. */
	assert_int_equal(ram[PROBE_IDT + 16 * 32 + 5], 0);
	assert_int_equal(ram[PROBE_IDT + 16 * 255 + 5], 0);
}

static void test_build_page_tables(void **state)
{
	static const uint64_t addrs[] = {
		0, PROBE_CODE, PROBE_STACK_TOP - 8, PROBE_RAM_SIZE - 1, PROBE_MMIO,
		PROBE_LAPIC + PROBE_APIC_SVR, PROBE_LAPIC + PROBE_APIC_EOI, 0xffffffffULL,
	};

	(void)state;
	assert_int_equal(arch_probe_build(ram, sizeof(ram)), 0);
	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++)
		assert_int_equal(walk(addrs[i]), (int64_t)addrs[i]);
	assert_int_equal(walk(0x100000000ULL), -1);
	/* The tables themselves live in the RAM slot. */
	assert_true(PROBE_PD + 4 * 0x1000 <= PROBE_RAM_SIZE);
}

/* The code's "mov $N, %al; out %al, $PROBE_PORT" reports, in code order. */
static void test_code_reports_every_step(void **state)
{
	size_t size = (size_t)(probe_guest_code_end - probe_guest_code);
	unsigned int next = 1, checks = 0;

	(void)state;
	for (size_t i = 0; i + 4 <= size; i++) {
		const uint8_t *c = probe_guest_code + i;

		if (c[0] != 0xb0 || c[2] != 0xe6 || c[3] != PROBE_PORT)
			continue;
		if (c[1] & PROBE_CHECK_FAILED) {
			/* A failed check belongs to a step that exists. */
			assert_true((c[1] & ~PROBE_CHECK_FAILED) >= 1 &&
				    (c[1] & ~PROBE_CHECK_FAILED) <= PROBE_GUEST_STEPS);
			checks++;
		} else {
			assert_int_equal(c[1], next);
			next++;
		}
	}
	assert_int_equal(next, PROBE_GUEST_STEPS + 1);
	assert_int_equal(checks, 2); /* no long mode, CMPXCHG16B */
	assert_int_equal(arch_probe_steps(), PROBE_GUEST_STEPS);
}

static void test_step_names(void **state)
{
	(void)state;
	for (unsigned int s = 1; s <= PROBE_GUEST_STEPS; s++)
		assert_string_not_equal(arch_probe_step_name(s), "?");
	assert_string_equal(arch_probe_step_name(0), "?");
	assert_string_equal(arch_probe_step_name(PROBE_GUEST_STEPS + 1), "?");
	assert_non_null(strstr(arch_probe_step_name(1), "real mode"));
	assert_non_null(strstr(arch_probe_step_name(7), "CMPXCHG16B"));
	assert_non_null(strstr(arch_probe_step_name(PROBE_GUEST_STEPS), "irqfd"));
}

static void test_irq_route(void **state)
{
	struct kvm_irq_routing_entry e;

	(void)state;
	memset(&e, 0xff, sizeof(e));
	arch_probe_irq_route(&e, 24);
	assert_int_equal(e.gsi, 24);
	assert_int_equal(e.type, KVM_IRQ_ROUTING_MSI);
	assert_int_equal(e.flags, 0);
	assert_int_equal(e.u.msi.address_lo, 0xfee00000);
	assert_int_equal(e.u.msi.address_hi, 0);
	assert_int_equal(e.u.msi.data, PROBE_VECTOR);
}

/* ---- the exit protocol ---- */

#define RUN_SIZE 4096
#define IO_DATA 2048

struct fixture {
	union {
		struct kvm_run run;
		uint8_t bytes[RUN_SIZE];
	} u;
	struct arch_probe_state s;
	struct probe_result r;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	*state = f;
	return f ? 0 : -1;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static enum probe_next io(struct fixture *f, uint16_t port, uint8_t dir, uint8_t size, uint8_t value)
{
	memset(&f->u, 0, sizeof(f->u));
	f->u.run.exit_reason = KVM_EXIT_IO;
	f->u.run.io.direction = dir;
	f->u.run.io.size = size;
	f->u.run.io.port = port;
	f->u.run.io.count = 1;
	f->u.run.io.data_offset = IO_DATA;
	f->u.bytes[IO_DATA] = value;
	return arch_probe_exit(&f->s, &f->u.run, &f->r);
}

static enum probe_next post(struct fixture *f, uint8_t value)
{
	return io(f, PROBE_PORT, KVM_EXIT_IO_OUT, 1, value);
}

static enum probe_next mmio(struct fixture *f, uint64_t addr, uint32_t len, bool write, uint32_t value)
{
	memset(&f->u, 0, sizeof(f->u));
	f->u.run.exit_reason = KVM_EXIT_MMIO;
	f->u.run.mmio.phys_addr = addr;
	f->u.run.mmio.len = len;
	f->u.run.mmio.is_write = write;
	memcpy(f->u.run.mmio.data, &value, sizeof(value));
	return arch_probe_exit(&f->s, &f->u.run, &f->r);
}

static enum probe_next exit_reason(struct fixture *f, uint32_t reason)
{
	memset(&f->u, 0, sizeof(f->u));
	f->u.run.exit_reason = reason;
	return arch_probe_exit(&f->s, &f->u.run, &f->r);
}

/* The guest up to and including step @n, as a working KVM runs it. */
static void run_to(struct fixture *f, unsigned int n)
{
	for (unsigned int step = 1; step <= n; step++) {
		if (step == 8) {
			uint32_t got;

			assert_int_equal(mmio(f, PROBE_MMIO, 4, false, 0), PROBE_NEXT_RUN);
			memcpy(&got, f->u.run.mmio.data, 4);
			assert_int_equal(got, PROBE_MMIO_MAGIC);
			assert_int_equal(mmio(f, PROBE_MMIO, 4, true, got), PROBE_NEXT_RUN);
		}
		assert_int_equal(post(f, step), step == 9 ? PROBE_NEXT_IRQ :
						step == PROBE_GUEST_STEPS ? PROBE_NEXT_DONE : PROBE_NEXT_RUN);
		assert_int_equal(f->s.done, step);
	}
}

static void test_exit_all_steps(void **state)
{
	struct fixture *f = *state;

	run_to(f, PROBE_GUEST_STEPS);
	assert_int_equal(f->r.outcome, PROBE_PASSED);
	assert_string_equal(f->r.detail, "");
}

static void test_exit_intr_is_harmless(void **state)
{
	struct fixture *f = *state;

	run_to(f, 3);
	assert_int_equal(exit_reason(f, KVM_EXIT_INTR), PROBE_NEXT_RUN);
	assert_int_equal(f->s.done, 3);
}

static void test_exit_out_of_order(void **state)
{
	struct fixture *f = *state;

	run_to(f, 2);
	assert_int_equal(post(f, 4), PROBE_NEXT_FAIL);
	assert_int_equal(f->r.outcome, PROBE_UNEXPECTED);
	assert_string_equal(f->r.detail, "the guest reported step 4 after step 2");
	assert_int_equal(f->s.done, 2);
}

static void test_exit_mmio_step_without_exits(void **state)
{
	struct fixture *f = *state;

	run_to(f, 7);
	assert_int_equal(post(f, 8), PROBE_NEXT_FAIL);
	assert_int_equal(f->r.outcome, PROBE_UNEXPECTED);
	assert_non_null(strstr(f->r.detail, "without a read exit at 0xd0000000"));
}

static void test_exit_mmio_wrong_write(void **state)
{
	struct fixture *f = *state;

	run_to(f, 7);
	assert_int_equal(mmio(f, PROBE_MMIO, 4, false, 0), PROBE_NEXT_RUN);
	assert_int_equal(mmio(f, PROBE_MMIO, 4, true, 0x1234), PROBE_NEXT_FAIL);
	assert_int_equal(f->r.outcome, PROBE_CHECK_FAILED);
	assert_non_null(strstr(f->r.detail, "returned 0x1234"));
}

static void test_exit_mmio_elsewhere(void **state)
{
	struct fixture *f = *state;

	/* An MMIO exit before its step. */
	run_to(f, 5);
	assert_int_equal(mmio(f, PROBE_MMIO, 4, false, 0), PROBE_NEXT_FAIL);
	assert_int_equal(f->r.outcome, PROBE_UNEXPECTED);
	/* The LAPIC page reaching minivmm: no in-kernel LAPIC. */
	memset(f, 0, sizeof(*f));
	run_to(f, 8);
	assert_int_equal(mmio(f, PROBE_LAPIC + PROBE_APIC_SVR, 4, true, 0x1ff), PROBE_NEXT_FAIL);
	assert_string_equal(f->r.detail, "an MMIO write of 4 byte(s) at 0xfee000f0 reached minivmm "
					 "(the local APIC is not in the kernel)");
	/* A read of the wrong size. */
	memset(f, 0, sizeof(*f));
	run_to(f, 7);
	assert_int_equal(mmio(f, PROBE_MMIO, 8, false, 0), PROBE_NEXT_FAIL);
}

static void test_exit_exception(void **state)
{
	struct fixture *f = *state;

	run_to(f, 6);
	assert_int_equal(io(f, PROBE_EXC_PORT, KVM_EXIT_IO_OUT, 1, 13), PROBE_NEXT_FAIL);
	assert_int_equal(f->r.outcome, PROBE_EXCEPTION);
	assert_string_equal(f->r.detail, "the guest took exception #GP general protection (vector 13)");
	assert_int_equal(io(f, PROBE_EXC_PORT, KVM_EXIT_IO_OUT, 1, 15), PROBE_NEXT_FAIL);
	assert_non_null(strstr(f->r.detail, "(reserved) (vector 15)"));
}

static void test_exit_guest_checks(void **state)
{
	struct fixture *f = *state;

	run_to(f, 2);
	assert_int_equal(post(f, PROBE_CHECK_FAILED | 3), PROBE_NEXT_FAIL);
	assert_int_equal(f->r.outcome, PROBE_CHECK_FAILED);
	assert_non_null(strstr(f->r.detail, "long mode"));
	memset(f, 0, sizeof(*f));
	run_to(f, 6);
	assert_int_equal(post(f, PROBE_CHECK_FAILED | 7), PROBE_NEXT_FAIL);
	assert_non_null(strstr(f->r.detail, "CMPXCHG16B"));
}

static void test_exit_other_io(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(io(f, PROBE_PORT, KVM_EXIT_IO_IN, 1, 0), PROBE_NEXT_FAIL);
	assert_string_equal(f->r.detail, "an I/O port read of 1 byte(s) at port 0x80, which the guest does not do");
	assert_int_equal(io(f, 0x3f8, KVM_EXIT_IO_OUT, 1, 'x'), PROBE_NEXT_FAIL);
	assert_int_equal(io(f, PROBE_PORT, KVM_EXIT_IO_OUT, 2, 1), PROBE_NEXT_FAIL);
	assert_int_equal(f->r.outcome, PROBE_UNEXPECTED);
}

static void test_exit_internal_error(void **state)
{
	struct fixture *f = *state;

	run_to(f, 6);
	memset(&f->u, 0, sizeof(f->u));
	f->u.run.exit_reason = KVM_EXIT_INTERNAL_ERROR;
	f->u.run.internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
	f->u.run.internal.ndata = 6;
	for (unsigned int i = 0; i < 6; i++)
		f->u.run.internal.data[i] = 100 + i;
	assert_int_equal(arch_probe_exit(&f->s, &f->u.run, &f->r), PROBE_NEXT_FAIL);
	assert_int_equal(f->r.outcome, PROBE_INTERNAL_ERROR);
	assert_int_equal(f->r.suberror, KVM_INTERNAL_ERROR_EMULATION);
	assert_int_equal(f->r.ndata, 4);
	assert_int_equal(f->r.data[0], 100);
	assert_int_equal(f->r.data[3], 103);
	assert_int_equal(f->s.done, 6);
}

static void test_exit_other_reasons(void **state)
{
	struct fixture *f = *state;

	memset(&f->u, 0, sizeof(f->u));
	f->u.run.exit_reason = KVM_EXIT_FAIL_ENTRY;
	f->u.run.fail_entry.hardware_entry_failure_reason = 0x21;
	assert_int_equal(arch_probe_exit(&f->s, &f->u.run, &f->r), PROBE_NEXT_FAIL);
	assert_int_equal(f->r.outcome, PROBE_ENTRY_FAILED);
	assert_int_equal(f->r.hw_reason, 0x21);
	assert_int_equal(exit_reason(f, KVM_EXIT_SHUTDOWN), PROBE_NEXT_FAIL);
	assert_int_equal(f->r.outcome, PROBE_TRIPLE_FAULT);
	assert_int_equal(exit_reason(f, KVM_EXIT_HLT), PROBE_NEXT_FAIL);
	assert_int_equal(f->r.outcome, PROBE_UNEXPECTED);
	assert_non_null(strstr(f->r.detail, "HLT"));
	assert_int_equal(exit_reason(f, 99), PROBE_NEXT_FAIL);
	assert_string_equal(f->r.detail, "KVM exit reason 99, which the guest does not cause");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_too_small),
		cmocka_unit_test(test_build_code_and_gdt),
		cmocka_unit_test(test_build_idt),
		cmocka_unit_test(test_build_page_tables),
		cmocka_unit_test(test_code_reports_every_step),
		cmocka_unit_test(test_step_names),
		cmocka_unit_test(test_irq_route),
		T(test_exit_all_steps),
		T(test_exit_intr_is_harmless),
		T(test_exit_out_of_order),
		T(test_exit_mmio_step_without_exits),
		T(test_exit_mmio_wrong_write),
		T(test_exit_mmio_elsewhere),
		T(test_exit_exception),
		T(test_exit_guest_checks),
		T(test_exit_other_io),
		T(test_exit_internal_error),
		T(test_exit_other_reasons),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
