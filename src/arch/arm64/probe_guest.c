// SPDX-License-Identifier: GPL-2.0-only
/*
 * The arm64 KVM probe guest's pure half: its code (A64 instruction words,
 * listed with their assembly) and what each exit means. See
 * include/minivmm/arm64/probe_guest.h for the protocol.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "minivmm/arm64/probe_guest.h"

static const char *const step_names[PROBE_GUEST_STEPS + 1] = {
	[1] = "an MMIO write where no memory slot is",
	[2] = "an MMIO read answered by the host",
	[3] = "PSCI_VERSION through HVC (KVM's PSCI 0.2+)",
	[4] = "PSCI SYSTEM_OFF as a KVM system event",
};

/* The program (assembled with GNU as for AArch64; PROBE_MMIO = 0x100000). */
static const uint32_t probe_code[] = {
	0xd2a00213, /* mov  x19, #0x100000       PROBE_MMIO (x19: an HVC keeps it; KVM's PSCI zeroes x1-x3) */
	0x52800022, /* mov  w2, #1               */
	0xb9000262, /* str  w2, [x19]            step 1 */
	0xb9400663, /* ldr  w3, [x19, #4]        step 2: the host answers */
	0xb9000a63, /* str  w3, [x19, #8]        ... and sees it back */
	0x52b08000, /* mov  w0, #0x84000000      PSCI_VERSION */
	0xd4000002, /* hvc  #0                   */
	0xb9000e60, /* str  w0, [x19, #12]       step 3 */
	0x52b08000, /* mov  w0, #0x84000000      */
	0x72800100, /* movk w0, #0x8             PSCI SYSTEM_OFF (0x84000008) */
	0xd4000002, /* hvc  #0                   step 4: a system event */
	0x14000000, /* b    .                    */
};

/* Step 2's exits, in order. */
enum { MMIO_WANT_READ, MMIO_WANT_ECHO };

size_t arm64_probe_ram_size(void)
{
	return PROBE_RAM_SIZE;
}

unsigned int arm64_probe_steps(void)
{
	return PROBE_GUEST_STEPS;
}

const char *arm64_probe_step_name(unsigned int step)
{
	return step >= 1 && step <= PROBE_GUEST_STEPS ? step_names[step] : "?";
}

int arm64_probe_build(void *ram, size_t len)
{
	uint8_t *p = ram;

	if (len < PROBE_RAM_SIZE)
		return -EINVAL;
	memset(ram, 0, len);
	/* A64 instructions are little endian, as the words are here on any host byte order. */
	for (size_t i = 0; i < sizeof(probe_code) / sizeof(probe_code[0]); i++)
		for (unsigned int b = 0; b < 4; b++)
			p[PROBE_CODE + i * 4 + b] = (uint8_t)(probe_code[i] >> (8 * b));
	return 0;
}

void arm64_probe_irq_route(struct kvm_irq_routing_entry *e, unsigned int gsi)
{
	*e = (struct kvm_irq_routing_entry){
		.gsi = gsi, .type = KVM_IRQ_ROUTING_IRQCHIP, .u.irqchip = { .irqchip = 0, .pin = PROBE_SPI },
	};
}

static enum probe_next fail(struct probe_result *r, enum probe_outcome how, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum probe_next fail(struct probe_result *r, enum probe_outcome how, const char *fmt, ...)
{
	va_list ap;

	r->outcome = how;
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
	return PROBE_NEXT_FAIL;
}

static uint32_t mmio_value(const struct kvm_run *run)
{
	return (uint32_t)run->mmio.data[0] | (uint32_t)run->mmio.data[1] << 8 | (uint32_t)run->mmio.data[2] << 16 |
	       (uint32_t)run->mmio.data[3] << 24;
}

static enum probe_next probe_mmio(struct arch_probe_state *s, struct kvm_run *run, struct probe_result *r)
{
	uint64_t off = run->mmio.phys_addr - PROBE_MMIO;
	uint32_t v;

	if (run->mmio.phys_addr < PROBE_MMIO || off > 12 || run->mmio.len != 4)
		return fail(r, PROBE_UNEXPECTED, "an MMIO %s of %u bytes at %#llx, where the guest makes none",
			    run->mmio.is_write ? "write" : "read", run->mmio.len,
			    (unsigned long long)run->mmio.phys_addr);
	if (!run->mmio.is_write) {
		if (s->done != 1 || off != 4 || s->phase != MMIO_WANT_READ)
			return fail(r, PROBE_UNEXPECTED, "an MMIO read at %#llx after step %u",
				    (unsigned long long)run->mmio.phys_addr, s->done);
		for (unsigned int b = 0; b < 4; b++)
			run->mmio.data[b] = (uint8_t)(PROBE_MMIO_MAGIC >> (8 * b));
		s->phase = MMIO_WANT_ECHO;
		return PROBE_NEXT_RUN;
	}
	v = mmio_value(run);
	switch (off) {
	case 0:
		if (s->done != 0 || v != 1)
			return fail(r, PROBE_CHECK_FAILED, "the guest's first store wrote %#x after step %u", v, s->done);
		s->done = 1;
		return PROBE_NEXT_RUN;
	case 8:
		if (s->done != 1 || s->phase != MMIO_WANT_ECHO)
			return fail(r, PROBE_UNEXPECTED, "an MMIO write at %#llx after step %u",
				    (unsigned long long)run->mmio.phys_addr, s->done);
		if (v != PROBE_MMIO_MAGIC)
			return fail(r, PROBE_CHECK_FAILED, "the guest read %#x where the host answered %#x", v,
				    PROBE_MMIO_MAGIC);
		s->done = 2;
		return PROBE_NEXT_RUN;
	case 12:
		if (s->done != 2)
			return fail(r, PROBE_UNEXPECTED, "a PSCI version report after step %u", s->done);
		if ((int32_t)v < 0 || v < PROBE_PSCI_MIN)
			return fail(r, PROBE_CHECK_FAILED,
				    "PSCI_VERSION returned %#x: KVM does not give this vCPU PSCI 0.2 or later", v);
		s->done = 3;
		return PROBE_NEXT_RUN;
	default:
		return fail(r, PROBE_UNEXPECTED, "an MMIO write at %#llx, where the guest makes none",
			    (unsigned long long)run->mmio.phys_addr);
	}
}

enum probe_next arm64_probe_exit(struct arch_probe_state *s, struct kvm_run *run, struct probe_result *r)
{
	switch (run->exit_reason) {
	case KVM_EXIT_MMIO:
		return probe_mmio(s, run, r);
	case KVM_EXIT_INTR:
		return PROBE_NEXT_RUN;
	case KVM_EXIT_SYSTEM_EVENT:
		if (s->done == 3 && run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN) {
			s->done = 4;
			return PROBE_NEXT_DONE;
		}
		return fail(r, PROBE_UNEXPECTED, "system event %u after step %u", run->system_event.type, s->done);
	case KVM_EXIT_INTERNAL_ERROR:
		r->outcome = PROBE_INTERNAL_ERROR;
		r->suberror = run->internal.suberror;
		r->ndata = run->internal.ndata < 4 ? run->internal.ndata : 4;
		memcpy(r->data, run->internal.data, r->ndata * sizeof(r->data[0]));
		return PROBE_NEXT_FAIL;
	case KVM_EXIT_FAIL_ENTRY:
		r->outcome = PROBE_ENTRY_FAILED;
		r->hw_reason = run->fail_entry.hardware_entry_failure_reason;
		return PROBE_NEXT_FAIL;
	default:
		return fail(r, PROBE_UNEXPECTED, "KVM exit reason %u, which the guest does not cause", run->exit_reason);
	}
}
