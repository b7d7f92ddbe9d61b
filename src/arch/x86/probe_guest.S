/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The KVM probe guest: what a stock x86_64 kernel does first, in a few
 * hundred bytes, each step reported on PROBE_PORT so that `minivmm doctor`
 * can say which one a KVM does not run. The map, the protocol and the step
 * list are in include/minivmm/x86/probe_guest.h; probe_guest.c copies this
 * code to PROBE_CODE and writes the GDT, IDT and page tables around it.
 *
 * Assembled into minivmm's read-only data: the host never executes it.
 * Addresses the guest jumps to are computed from label differences (GA),
 * so the code needs no relocation.
 */
#include "minivmm/x86/probe_guest.h"

/* Guest address of a label. */
#define GA(label) ((label) - probe_guest_code + PROBE_CODE)

/* Report step \n done. */
.macro step n
	movb	$\n, %al
	outb	%al, $PROBE_PORT
.endm

	.section .rodata, "a"
	.globl	probe_guest_code, probe_guest_code_end
	.globl	probe_guest_exc_stubs, probe_guest_irq_entry

probe_guest_code:
	/* ---- 16-bit real mode, CS = DS = SS = 0 ---- */
	.code16
	cli
	xorw	%ax, %ax
	movw	%ax, %ds
	movw	%ax, %ss
	movw	$PROBE_STACK_TOP, %sp
	step	1			/* an I/O exit from real mode */

	lgdtl	PROBE_GDTR		/* a GDT, then protected mode */
	movl	%cr0, %eax
	orl	$PROBE_CR0_PE, %eax
	movl	%eax, %cr0
	ljmpl	$PROBE_SEL_CODE32, $GA(pm32)

	/* ---- 32-bit protected mode, flat segments ---- */
	.code32
pm32:
	movl	$PROBE_SEL_DATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	$PROBE_STACK_TOP, %esp
	step	2

	/* Long mode in CPUID, as the kernel's verify_cpu checks. */
	movl	$0x80000000, %eax
	cpuid
	cmpl	$0x80000001, %eax
	jb	no_long_mode
	movl	$0x80000001, %eax
	cpuid
	btl	$PROBE_CPUID_LM_BIT, %edx
	jnc	no_long_mode
	step	3

	/* PAE, the page tables, EFER.LME: long mode armed, paging still off. */
	movl	%cr4, %eax
	orl	$PROBE_CR4_PAE, %eax
	movl	%eax, %cr4
	movl	$PROBE_PML4, %eax
	movl	%eax, %cr3
	movl	$PROBE_MSR_EFER, %ecx
	rdmsr
	orl	$PROBE_EFER_LME, %eax
	wrmsr
	step	4

	/* Paging on activates long mode (compatibility mode until CS is 64-bit). */
	movl	%cr0, %eax
	orl	$PROBE_CR0_PG, %eax
	movl	%eax, %cr0
	ljmpl	$PROBE_SEL_CODE64, $GA(lm64)

no_long_mode:
	movb	$(PROBE_CHECK_FAILED | 3), %al
	outb	%al, $PROBE_PORT
1:	hlt
	jmp	1b

	/* ---- 64-bit long mode ---- */
	.code64
lm64:
	movl	$PROBE_STACK_TOP, %esp
	step	5

	movl	$PROBE_IDTR, %eax
	lidtq	(%rax)
	step	6

	/*
	 * LOCK CMPXCHG16B, which the slab allocator of a stock kernel runs from
	 * its first allocations (when CPUID has CX16): KVM's instruction
	 * emulator cannot do it, so a KVM that emulates the guest's kernel
	 * code stops here.
	 */
	movl	$1, %eax
	cpuid
	btl	$PROBE_CPUID_CX16_BIT, %ecx
	jnc	5f
	movl	$PROBE_CX16, %edi	/* 16 zero bytes */
	xorl	%eax, %eax
	xorl	%edx, %edx
	movl	$PROBE_CX16_LO, %ebx
	movl	$PROBE_CX16_HI, %ecx
	lock cmpxchg16b (%rdi)
	jnz	cx16_failed
	cmpq	%rbx, (%rdi)
	jne	cx16_failed
	cmpq	%rcx, 8(%rdi)
	jne	cx16_failed
5:	step	7

	/* MMIO where no memslot is: the read comes back with the host's answer. */
	movl	$PROBE_MMIO, %ebx
	movl	(%rbx), %eax
	movl	%eax, (%rbx)
	step	8

	/* The local APIC on, then wait in HLT for the host's interrupt. */
	movl	$PROBE_LAPIC, %ebx
	movl	$(PROBE_APIC_SVR_ENABLE | 0xff), PROBE_APIC_SVR(%rbx)
	step	9
	movl	$PROBE_FLAG, %ebx
2:	sti
	hlt				/* STI's shadow: no interrupt slips in between */
	cli
	cmpl	$0, (%rbx)
	je	2b
	step	10
3:	hlt
	jmp	3b

cx16_failed:
	movb	$(PROBE_CHECK_FAILED | 7), %al
	outb	%al, $PROBE_PORT
6:	hlt
	jmp	6b

	/* Exceptions 0-31: report the vector and stop. */
	.balign	PROBE_EXC_STUB_SIZE
probe_guest_exc_stubs:
	vector = 0
	.rept	32
	.balign	PROBE_EXC_STUB_SIZE
	pushq	$vector
	jmp	exception
	vector = vector + 1
	.endr
exception:
	popq	%rax
	outb	%al, $PROBE_EXC_PORT
4:	cli
	hlt
	jmp	4b

	/* PROBE_VECTOR: note it, EOI, return to the HLT loop. */
	.balign	PROBE_EXC_STUB_SIZE
probe_guest_irq_entry:
	pushq	%rax
	pushq	%rbx
	movl	$PROBE_FLAG, %ebx
	movl	$1, (%rbx)
	movl	$PROBE_LAPIC, %ebx
	movl	$0, PROBE_APIC_EOI(%rbx)
	popq	%rbx
	popq	%rax
	iretq
probe_guest_code_end:

	.section .note.GNU-stack, "", @progbits
