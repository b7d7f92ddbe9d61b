// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the arm64 KVM probe guest (src/arch/arm64/probe_guest.c):
 * its image (the A64 words at the entry, little endian), the step names,
 * the irqfd's route to the GIC, and the exit protocol fed with the kvm_run
 * exits a KVM produces for it, good and bad.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "minivmm/arm64/probe_guest.h"

static uint8_t ram[PROBE_RAM_SIZE];
static struct kvm_run run;

static uint32_t word(unsigned int i)
{
	const uint8_t *p = ram + PROBE_CODE + 4 * i;

	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void mmio(uint64_t addr, bool write, uint32_t v)
{
	memset(&run, 0, sizeof(run));
	run.exit_reason = KVM_EXIT_MMIO;
	run.mmio.phys_addr = addr;
	run.mmio.len = 4;
	run.mmio.is_write = write;
	for (int i = 0; i < 4; i++)
		run.mmio.data[i] = (uint8_t)(v >> (8 * i));
}

static void system_event(uint32_t type)
{
	memset(&run, 0, sizeof(run));
	run.exit_reason = KVM_EXIT_SYSTEM_EVENT;
	run.system_event.type = type;
}

static void test_build(void **state)
{
	(void)state;
	assert_int_equal(arm64_probe_ram_size(), PROBE_RAM_SIZE);
	assert_int_equal(arm64_probe_build(ram, sizeof(ram) - 1), -EINVAL);
	memset(ram, 0xaa, sizeof(ram));
	assert_int_equal(arm64_probe_build(ram, sizeof(ram)), 0);
	assert_int_equal(word(0), 0xd2a00213); /* mov x19, #PROBE_MMIO */
	/* movz x19, #imm16, lsl #16: the immediate is PROBE_MMIO >> 16 */
	assert_int_equal((word(0) >> 5) & 0xffff, PROBE_MMIO >> 16);
	/*
	 * Every load and store (unsigned offset) goes through that register,
	 * one an HVC keeps: SMCCC lets a call change x0-x17, and KVM's PSCI
	 * sets x1-x3 to 0 (a store through x1 after PSCI_VERSION then went
	 * to guest RAM at 0xc, and the probe failed on every arm64 host).
	 */
	for (unsigned int i = 0; i < 11; i++)
		if ((word(i) & 0xffc00000) == 0xb9000000 || (word(i) & 0xffc00000) == 0xb9400000)
			assert_int_equal((word(i) >> 5) & 0x1f, 19);
	assert_int_equal(word(6), 0xd4000002); /* hvc #0 */
	assert_int_equal(word(10), 0xd4000002);
	assert_int_equal(word(11), 0x14000000); /* b . */
	assert_int_equal(word(12), 0); /* the rest is zeroed */
	assert_int_equal(ram[PROBE_RAM_SIZE - 1], 0);
}

static void test_names_route(void **state)
{
	struct kvm_irq_routing_entry e;

	(void)state;
	assert_int_equal(arm64_probe_steps(), 4);
	for (unsigned int s = 1; s <= arm64_probe_steps(); s++)
		assert_string_not_equal(arm64_probe_step_name(s), "?");
	assert_string_equal(arm64_probe_step_name(0), "?");
	assert_string_equal(arm64_probe_step_name(5), "?");
	arm64_probe_irq_route(&e, 24);
	assert_int_equal(e.gsi, 24);
	assert_int_equal(e.type, KVM_IRQ_ROUTING_IRQCHIP);
	assert_int_equal(e.u.irqchip.irqchip, 0);
	assert_int_equal(e.u.irqchip.pin, PROBE_SPI);
}

/* Steps 1 and 2 as the guest does them; returns after the echo. */
static void good_start(struct arch_probe_state *s, struct probe_result *r)
{
	mmio(PROBE_MMIO, true, 1);
	assert_int_equal(arm64_probe_exit(s, &run, r), PROBE_NEXT_RUN);
	assert_int_equal(s->done, 1);
	mmio(PROBE_MMIO + 4, false, 0);
	assert_int_equal(arm64_probe_exit(s, &run, r), PROBE_NEXT_RUN);
	assert_int_equal(run.mmio.data[0] | run.mmio.data[1] << 8 | run.mmio.data[2] << 16 | (uint32_t)run.mmio.data[3] << 24,
			 PROBE_MMIO_MAGIC);
	mmio(PROBE_MMIO + 8, true, PROBE_MMIO_MAGIC);
	assert_int_equal(arm64_probe_exit(s, &run, r), PROBE_NEXT_RUN);
	assert_int_equal(s->done, 2);
}

static void test_pass(void **state)
{
	struct arch_probe_state s = { 0 };
	struct probe_result r = { 0 };

	(void)state;
	good_start(&s, &r);
	run.exit_reason = KVM_EXIT_INTR;
	assert_int_equal(arm64_probe_exit(&s, &run, &r), PROBE_NEXT_RUN);
	mmio(PROBE_MMIO + 12, true, 0x10001); /* PSCI 1.1 */
	assert_int_equal(arm64_probe_exit(&s, &run, &r), PROBE_NEXT_RUN);
	assert_int_equal(s.done, 3);
	system_event(KVM_SYSTEM_EVENT_SHUTDOWN);
	assert_int_equal(arm64_probe_exit(&s, &run, &r), PROBE_NEXT_DONE);
	assert_int_equal(s.done, 4);
}

static void test_failures(void **state)
{
	struct arch_probe_state s = { 0 };
	struct probe_result r = { 0 };

	(void)state;
	/* PSCI 0.1 (no PSCI_0_2 feature): PSCI_VERSION is NOT_SUPPORTED (-1). */
	good_start(&s, &r);
	mmio(PROBE_MMIO + 12, true, 0xffffffff);
	assert_int_equal(arm64_probe_exit(&s, &run, &r), PROBE_NEXT_FAIL);
	assert_int_equal(r.outcome, PROBE_CHECK_FAILED);
	assert_non_null(strstr(r.detail, "PSCI 0.2"));

	/* The host's answer did not reach the guest's register. */
	memset(&s, 0, sizeof(s));
	mmio(PROBE_MMIO, true, 1);
	arm64_probe_exit(&s, &run, &r);
	mmio(PROBE_MMIO + 4, false, 0);
	arm64_probe_exit(&s, &run, &r);
	mmio(PROBE_MMIO + 8, true, 0xffffffff);
	assert_int_equal(arm64_probe_exit(&s, &run, &r), PROBE_NEXT_FAIL);
	assert_int_equal(r.outcome, PROBE_CHECK_FAILED);

	/* A system event too early, a reset, a stray access, an unknown exit. */
	memset(&s, 0, sizeof(s));
	system_event(KVM_SYSTEM_EVENT_SHUTDOWN);
	assert_int_equal(arm64_probe_exit(&s, &run, &r), PROBE_NEXT_FAIL);
	assert_int_equal(r.outcome, PROBE_UNEXPECTED);
	s.done = 3;
	system_event(KVM_SYSTEM_EVENT_RESET);
	assert_int_equal(arm64_probe_exit(&s, &run, &r), PROBE_NEXT_FAIL);
	memset(&s, 0, sizeof(s));
	mmio(0x9000000, true, 1);
	assert_int_equal(arm64_probe_exit(&s, &run, &r), PROBE_NEXT_FAIL);
	assert_int_equal(r.outcome, PROBE_UNEXPECTED);
	mmio(PROBE_MMIO + 4, false, 0); /* a read before step 1 */
	assert_int_equal(arm64_probe_exit(&s, &run, &r), PROBE_NEXT_FAIL);
	memset(&run, 0, sizeof(run));
	run.exit_reason = KVM_EXIT_ARM_NISV;
	assert_int_equal(arm64_probe_exit(&s, &run, &r), PROBE_NEXT_FAIL);
	assert_int_equal(r.outcome, PROBE_UNEXPECTED);
	memset(&run, 0, sizeof(run));
	run.exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run.internal.suberror = 1;
	assert_int_equal(arm64_probe_exit(&s, &run, &r), PROBE_NEXT_FAIL);
	assert_int_equal(r.outcome, PROBE_INTERNAL_ERROR);
	assert_int_equal(r.suberror, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_names_route),
		cmocka_unit_test(test_pass),
		cmocka_unit_test(test_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
