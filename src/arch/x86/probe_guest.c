// SPDX-License-Identifier: GPL-2.0-only
/*
 * The x86 KVM probe guest's pure half: its image (the code of
 * probe_guest.S, a GDT, an IDT, identity page tables) and what each of its
 * exits means. See include/minivmm/x86/probe_guest.h for the protocol.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "minivmm/arch_probe.h"
#include "minivmm/x86/probe_guest.h"

/* Step N's words; PROBE_GUEST_STEPS of them, 1-based. */
static const char *const step_names[PROBE_GUEST_STEPS + 1] = {
	[1] = "real mode and an I/O port exit",
	[2] = "a GDT and 32-bit protected mode",
	[3] = "CPUID reporting long mode",
	[4] = "CR4.PAE, CR3 and EFER.LME (WRMSR)",
	[5] = "paging on: 64-bit long mode",
	[6] = "an IDT (LIDT)",
	[7] = "LOCK CMPXCHG16B, as the slab allocator does",
	[8] = "an MMIO read and write where no memory slot is",
	[9] = "the in-kernel local APIC",
	[10] = "an interrupt through an irqfd, waited for in HLT",
};

/* Step 8's exits, in order. */
enum { MMIO_WANT_READ, MMIO_WANT_WRITE, MMIO_DONE };

/* Steps with exits or checks of their own; after STEP_LAPIC the host raises the interrupt. */
#define STEP_CPUID 3
#define STEP_CX16 7
#define STEP_MMIO 8
#define STEP_LAPIC 9

/* x86 paging and descriptor bits. */
#define PTE_P 0x1ULL
#define PTE_RW 0x2ULL
#define PTE_PS 0x80ULL           /* a 2 MiB page in a PD entry */
#define DESC_ACCESS_CODE 0x9a    /* present, ring 0, code, execute/read */
#define DESC_ACCESS_DATA 0x92    /* present, ring 0, data, read/write */
#define DESC_FLAGS_32 0xc        /* 4 KiB granularity, 32-bit */
#define DESC_FLAGS_64 0xa        /* 4 KiB granularity, long mode (L) */
#define GATE_INTERRUPT 0x8e      /* present, ring 0, 64-bit interrupt gate */
#define IDT_ENTRIES 256
#define EXC_VECTORS 32

static const char *const exception_names[EXC_VECTORS] = {
	[0] = "#DE divide error", [1] = "#DB debug", [2] = "NMI", [3] = "#BP breakpoint",
	[4] = "#OF overflow", [5] = "#BR bound range", [6] = "#UD invalid opcode",
	[7] = "#NM no FPU", [8] = "#DF double fault", [10] = "#TS invalid TSS",
	[11] = "#NP segment not present", [12] = "#SS stack fault", [13] = "#GP general protection",
	[14] = "#PF page fault", [16] = "#MF FPU error", [17] = "#AC alignment check",
	[18] = "#MC machine check", [19] = "#XM SIMD exception", [20] = "#VE virtualization exception",
	[21] = "#CP control protection",
};

size_t arch_probe_ram_size(void)
{
	return PROBE_RAM_SIZE;
}

unsigned int arch_probe_steps(void)
{
	return PROBE_GUEST_STEPS;
}

const char *arch_probe_step_name(unsigned int step)
{
	return step >= 1 && step <= PROBE_GUEST_STEPS ? step_names[step] : "?";
}

/* A flat segment descriptor: base 0, limit 4 GiB. */
static uint64_t gdt_flat(uint8_t access, uint8_t flags)
{
	return 0xffffULL | ((uint64_t)access << 40) | (0xfULL << 48) | ((uint64_t)flags << 52);
}

static void idt_gate(uint8_t *gate, uint64_t handler)
{
	memset(gate, 0, 16);
	gate[0] = handler & 0xff;
	gate[1] = (handler >> 8) & 0xff;
	gate[2] = PROBE_SEL_CODE64;
	gate[5] = GATE_INTERRUPT;
	gate[6] = (handler >> 16) & 0xff;
	gate[7] = (handler >> 24) & 0xff;
	for (unsigned int i = 0; i < 4; i++)
		gate[8 + i] = (handler >> (32 + 8 * i)) & 0xff;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
}

static void put64(uint8_t *p, uint64_t v)
{
	for (unsigned int i = 0; i < 8; i++)
		p[i] = (v >> (8 * i)) & 0xff;
}

int arch_probe_build(void *ram, size_t len)
{
	size_t code_size = (size_t)(probe_guest_code_end - probe_guest_code);
	uint8_t *m = ram;

	if (len < PROBE_RAM_SIZE || code_size > PROBE_CODE_MAX)
		return -EINVAL;
	memset(m, 0, PROBE_RAM_SIZE);
	memcpy(m + PROBE_CODE, probe_guest_code, code_size);

	put64(m + PROBE_GDT + 8 * (PROBE_SEL_CODE32 / 8), gdt_flat(DESC_ACCESS_CODE, DESC_FLAGS_32));
	put64(m + PROBE_GDT + 8 * (PROBE_SEL_DATA / 8), gdt_flat(DESC_ACCESS_DATA, DESC_FLAGS_32));
	put64(m + PROBE_GDT + 8 * (PROBE_SEL_CODE64 / 8), gdt_flat(DESC_ACCESS_CODE, DESC_FLAGS_64));
	put16(m + PROBE_GDTR, 8 * PROBE_GDT_ENTRIES - 1);
	put64(m + PROBE_GDTR + 2, PROBE_GDT); /* LGDT in 32-bit form reads 4 bytes of it */

	for (unsigned int v = 0; v < EXC_VECTORS; v++)
		idt_gate(m + PROBE_IDT + 16 * v,
			 probe_guest_addr(probe_guest_exc_stubs) + v * PROBE_EXC_STUB_SIZE);
	idt_gate(m + PROBE_IDT + 16 * PROBE_VECTOR, probe_guest_addr(probe_guest_irq_entry));
	put16(m + PROBE_IDTR, 16 * IDT_ENTRIES - 1);
	put64(m + PROBE_IDTR + 2, PROBE_IDT);

	/* The first 4 GiB identity-mapped with 2 MiB pages: RAM, PROBE_MMIO, the LAPIC. */
	put64(m + PROBE_PML4, PROBE_PDPT | PTE_P | PTE_RW);
	for (unsigned int g = 0; g < 4; g++) {
		put64(m + PROBE_PDPT + 8 * g, (PROBE_PD + 0x1000ULL * g) | PTE_P | PTE_RW);
		for (unsigned int i = 0; i < 512; i++)
			put64(m + PROBE_PD + 0x1000 * g + 8 * i,
			      (((uint64_t)g << 30) | ((uint64_t)i << 21)) | PTE_P | PTE_RW | PTE_PS);
	}
	return 0;
}

void arch_probe_irq_route(struct kvm_irq_routing_entry *e, unsigned int gsi)
{
	/* An MSI to APIC ID 0, fixed delivery, edge: what an MSI-X vector is. */
	*e = (struct kvm_irq_routing_entry){ .gsi = gsi, .type = KVM_IRQ_ROUTING_MSI };
	e->u.msi.address_lo = PROBE_LAPIC;
	e->u.msi.data = PROBE_VECTOR;
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

static enum probe_next step_done(struct arch_probe_state *s, struct probe_result *r, unsigned int step)
{
	if (step != s->done + 1)
		return fail(r, PROBE_UNEXPECTED, "the guest reported step %u after step %u", step, s->done);
	if (step == STEP_MMIO && s->phase != MMIO_DONE)
		return fail(r, PROBE_UNEXPECTED, "the guest finished its MMIO step without %s exit at %#x",
			    s->phase == MMIO_WANT_READ ? "a read" : "a write", PROBE_MMIO);
	s->done = step;
	s->phase = 0;
	if (step == PROBE_GUEST_STEPS)
		return PROBE_NEXT_DONE;
	return step == STEP_LAPIC ? PROBE_NEXT_IRQ : PROBE_NEXT_RUN;
}

static enum probe_next probe_io(struct arch_probe_state *s, struct kvm_run *run, struct probe_result *r)
{
	const uint8_t *data = (const uint8_t *)run + run->io.data_offset;
	bool out = run->io.direction == KVM_EXIT_IO_OUT;

	if (out && run->io.size == 1 && run->io.count == 1 && run->io.port == PROBE_PORT) {
		if (!(data[0] & PROBE_CHECK_FAILED))
			return step_done(s, r, data[0]);
		if ((data[0] & ~PROBE_CHECK_FAILED) == STEP_CPUID)
			return fail(r, PROBE_CHECK_FAILED,
				    "CPUID 0x80000001 does not report long mode (EDX bit %d)", PROBE_CPUID_LM_BIT);
		if ((data[0] & ~PROBE_CHECK_FAILED) == STEP_CX16)
			return fail(r, PROBE_CHECK_FAILED, "LOCK CMPXCHG16B did not swap the 16 bytes");
		return fail(r, PROBE_CHECK_FAILED, "the guest's check in step %u failed",
			    data[0] & ~PROBE_CHECK_FAILED);
	}
	if (out && run->io.size == 1 && run->io.count == 1 && run->io.port == PROBE_EXC_PORT) {
		unsigned int v = data[0];

		return fail(r, PROBE_EXCEPTION, "the guest took exception %s (vector %u)",
			    v < EXC_VECTORS && exception_names[v] ? exception_names[v] : "(reserved)", v);
	}
	return fail(r, PROBE_UNEXPECTED, "an I/O port %s of %u byte(s) at port %#x, which the guest does not do",
		    out ? "write" : "read", run->io.size, run->io.port);
}

static enum probe_next probe_mmio(struct arch_probe_state *s, struct kvm_run *run, struct probe_result *r)
{
	uint64_t addr = run->mmio.phys_addr;
	uint32_t magic = PROBE_MMIO_MAGIC, got;

	if (s->done == STEP_MMIO - 1 && addr == PROBE_MMIO && run->mmio.len == 4) {
		if (s->phase == MMIO_WANT_READ && !run->mmio.is_write) {
			memcpy(run->mmio.data, &magic, 4);
			s->phase = MMIO_WANT_WRITE;
			return PROBE_NEXT_RUN;
		}
		if (s->phase == MMIO_WANT_WRITE && run->mmio.is_write) {
			memcpy(&got, run->mmio.data, 4);
			if (got != magic)
				return fail(r, PROBE_CHECK_FAILED,
					    "the guest's MMIO read returned %#x, not the %#x minivmm answered",
					    got, magic);
			s->phase = MMIO_DONE;
			return PROBE_NEXT_RUN;
		}
	}
	return fail(r, PROBE_UNEXPECTED, "an MMIO %s of %u byte(s) at %#llx reached minivmm%s",
		    run->mmio.is_write ? "write" : "read", run->mmio.len, (unsigned long long)addr,
		    (addr & ~0xfffULL) == PROBE_LAPIC ? " (the local APIC is not in the kernel)" : "");
}

enum probe_next arch_probe_exit(struct arch_probe_state *s, struct kvm_run *run, struct probe_result *r)
{
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		return probe_io(s, run, r);
	case KVM_EXIT_MMIO:
		return probe_mmio(s, run, r);
	case KVM_EXIT_INTR:
		return PROBE_NEXT_RUN;
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
	case KVM_EXIT_SHUTDOWN:
		r->outcome = PROBE_TRIPLE_FAULT;
		return PROBE_NEXT_FAIL;
	case KVM_EXIT_HLT:
		return fail(r, PROBE_UNEXPECTED, "a HLT exit to minivmm: KVM did not keep HLT in the kernel");
	default:
		return fail(r, PROBE_UNEXPECTED, "KVM exit reason %u, which the guest does not cause",
			    run->exit_reason);
	}
}
