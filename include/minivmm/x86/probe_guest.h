/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The x86 KVM probe guest (src/arch/x86/probe_guest.S): its guest-physical
 * map and the port protocol it reports its progress with. Shared by the
 * assembly (only #defines before __ASSEMBLER__) and the C that builds its
 * image and reads its exits (probe_guest.c).
 *
 * The guest starts in real mode at PROBE_CODE with CS = 0 and walks through
 * what a stock kernel does first; after each step it writes the step's
 * number to PROBE_PORT (probe_guest.c names them):
 *   1 real mode: an I/O port write
 *   2 LGDT, CR0.PE, far jump: 32-bit protected mode
 *   3 CPUID 0x80000001 says long mode (else it writes PROBE_CHECK_FAILED | 3)
 *   4 CR4.PAE, CR3, EFER.LME (RDMSR/WRMSR)
 *   5 CR0.PG, far jump: 64-bit long mode on the identity page tables
 *   6 LIDT: the IDT (exceptions 0-31 write their vector to PROBE_EXC_PORT)
 *   7 LOCK CMPXCHG16B on RAM when CPUID has CX16 (else skipped): a stock
 *     kernel's slab allocator uses it; KVM's instruction emulator cannot
 *     (PROBE_CHECK_FAILED | 7 when it gave a wrong result)
 *   8 a 4-byte MMIO read at PROBE_MMIO (no memslot: the host answers
 *     PROBE_MMIO_MAGIC), then a write of what it read to the same address
 *   9 the in-kernel local APIC software-enabled (SVR); the host then raises
 *     PROBE_VECTOR through an irqfd with an MSI route
 *  10 STI; HLT until the vector's handler ran (it sends the LAPIC an EOI)
 */
#ifndef MINIVMM_X86_PROBE_GUEST_H
#define MINIVMM_X86_PROBE_GUEST_H

/* ---- guest-physical map: one RAM slot at 0, identity-mapped ---- */
#define PROBE_CODE 0x1000        /* entry, real mode CS:IP = 0:0x1000; up to 0x3000 */
#define PROBE_CODE_MAX 0x2000
#define PROBE_GDT 0x3000         /* null, code32, data, code64 */
#define PROBE_GDTR 0x3100        /* LGDT operand: limit, 32-bit base */
#define PROBE_IDTR 0x3110        /* LIDT operand: limit, 64-bit base */
#define PROBE_FLAG 0x3200        /* set to 1 by the interrupt handler */
#define PROBE_CX16 0x3300        /* 16 bytes CMPXCHG16B swaps from 0 to PROBE_CX16_HI:LO */
#define PROBE_CX16_LO 0x636d7078 /* "xpmc" */
#define PROBE_CX16_HI 0x36316863 /* "ch16" */
#define PROBE_IDT 0x4000         /* 256 16-byte gates */
#define PROBE_STACK_TOP 0x6000   /* one page of stack below */
#define PROBE_PML4 0x8000
#define PROBE_PDPT 0x9000
#define PROBE_PD 0xa000          /* 4 pages: 2 MiB pages for the first 4 GiB */
#define PROBE_RAM_SIZE 0x10000

#define PROBE_MMIO 0xd0000000    /* in the 32-bit PCI hole: no memslot */
#define PROBE_MMIO_MAGIC 0x4b564d21 /* "!MVK": what the host answers the read with */
#define PROBE_LAPIC 0xfee00000   /* the in-kernel LAPIC's default base */
#define PROBE_APIC_EOI 0xb0
#define PROBE_APIC_SVR 0xf0
#define PROBE_APIC_SVR_ENABLE 0x100

/* ---- selectors of PROBE_GDT ---- */
#define PROBE_SEL_CODE32 0x08
#define PROBE_SEL_DATA 0x10
#define PROBE_SEL_CODE64 0x18
#define PROBE_GDT_ENTRIES 4

/* ---- the port protocol ---- */
#define PROBE_PORT 0x80          /* the POST-code port: the number of the step done */
#define PROBE_EXC_PORT 0x81      /* an exception's vector (then the guest stops) */
#define PROBE_CHECK_FAILED 0x80  /* | step: the guest's own check in that step failed */
#define PROBE_VECTOR 0x40        /* the interrupt the irqfd raises */
#define PROBE_GUEST_STEPS 10
#define PROBE_EXC_STUB_SIZE 8    /* exception stubs are this far apart */

/* ---- architectural bits the guest sets ---- */
#define PROBE_CR0_PE 0x1
#define PROBE_CR0_PG 0x80000000
#define PROBE_CR4_PAE 0x20
#define PROBE_MSR_EFER 0xc0000080
#define PROBE_EFER_LME 0x100
#define PROBE_CPUID_LM_BIT 29    /* CPUID 0x80000001 EDX */
#define PROBE_CPUID_CX16_BIT 13  /* CPUID 1 ECX */

#ifndef __ASSEMBLER__
#include <stdint.h>

/* The machine code, from probe_guest.S (data here, code in the guest). */
extern const uint8_t probe_guest_code[], probe_guest_code_end[];
extern const uint8_t probe_guest_exc_stubs[];  /* 32 stubs, 8 bytes apart */
extern const uint8_t probe_guest_irq_entry[];  /* the PROBE_VECTOR handler */

/* Guest-physical address of a label of the code. */
static inline uint64_t probe_guest_addr(const uint8_t *label)
{
	return PROBE_CODE + (uint64_t)(label - probe_guest_code);
}
#endif

#endif
