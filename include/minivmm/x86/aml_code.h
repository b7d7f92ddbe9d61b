/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * AML code on top of aml.h: methods, I/O operation regions and their
 * fields, and the few terms minivmm's ACPI hotplug needs (Store, And, Or,
 * If, Notify, locals and arguments). Expressions are emitted in prefix
 * order: the opcode first, then its operands, as AML encodes them.
 */
#ifndef MINIVMM_X86_AML_CODE_H
#define MINIVMM_X86_AML_CODE_H

#include <stddef.h>
#include <stdint.h>

#include "minivmm/x86/aml.h"

#define AML_STORE_OP 0x70
#define AML_SHIFT_LEFT_OP 0x79
#define AML_AND_OP 0x7b
#define AML_OR_OP 0x7d
#define AML_NOTIFY_OP 0x86
#define AML_LNOT_OP 0x92
#define AML_LEQUAL_OP 0x93
#define AML_IF_OP 0xa0
#define AML_RETURN_OP 0xa4
#define AML_METHOD_OP 0x14
#define AML_LOCAL0_OP 0x60
#define AML_ARG0_OP 0x68
#define AML_OPREGION_OP 0x80 /* after AML_EXT_OP_PREFIX */
#define AML_FIELD_OP 0x81    /* after AML_EXT_OP_PREFIX */
#define AML_RES_EXT_IRQ 0x89

/* Notify values (ACPI 5.6.6). */
#define AML_NOTIFY_DEVICE_CHECK 1
#define AML_NOTIFY_EJECT_REQUEST 3

/* Method(@name, @nargs, NotSerialized){ ... } */
int aml_method_begin(struct aml *a, const char *name, unsigned int nargs, size_t *mark);
int aml_method_end(struct aml *a, size_t mark);
/* If(<predicate emitted by the caller>){ ... } */
int aml_if_begin(struct aml *a, size_t *mark);
int aml_if_end(struct aml *a, size_t mark);

/* An opcode (Store, And, Or, Notify, ...): its operands follow. */
int aml_op(struct aml *a, uint8_t op);
int aml_local(struct aml *a, unsigned int n); /* Local0-7 */
int aml_arg(struct aml *a, unsigned int n);   /* Arg0-6 */
/* No target (NullName) for an operator's result. */
int aml_no_target(struct aml *a);

/* OperationRegion(@name, SystemIO, @base, @len) */
int aml_opregion_io(struct aml *a, const char *name, uint16_t base, uint16_t len);
/* Field(@region, DWordAcc, NoLock, Preserve){ @names[i], 32, ... } */
int aml_field_dwords(struct aml *a, const char *region, const char *const *names, unsigned int n);

/* Interrupt(ResourceConsumer, Level, ActiveHigh, Exclusive){@gsi} */
int aml_res_interrupt_level_high(struct aml *a, uint32_t gsi);

#endif
