// SPDX-License-Identifier: GPL-2.0-only
/* AML code: methods, regions, fields and terms; see include/minivmm/x86/aml_code.h. */
#include <errno.h>
#include <string.h>

#include "minivmm/x86/aml_code.h"

#define AML_METHOD_MAX_ARGS 7
#define AML_MAX_LOCALS 8
#define AML_REGION_SYSTEM_IO 1
#define AML_FIELD_DWORD_ACC 3   /* AccessType, bits 3:0 */
#define AML_FIELD_NO_LOCK 0     /* bit 4 */
#define AML_FIELD_PRESERVE 0    /* UpdateRule, bits 6:5 */
#define AML_EXT_IRQ_CONSUMER (1u << 0)
#define AML_EXT_IRQ_EDGE (1u << 1)
#define AML_EXT_IRQ_ACTIVE_LOW (1u << 2)

static int bad(struct aml *a)
{
	return aml_set_error(a, -EINVAL);
}

int aml_method_begin(struct aml *a, const char *name, unsigned int nargs, size_t *mark)
{
	if (nargs > AML_METHOD_MAX_ARGS)
		return bad(a);
	aml_byte(a, AML_METHOD_OP);
	*mark = aml_error(a) ? 0 : a->len;
	aml_namestring(a, name);
	return aml_byte(a, (uint8_t)nargs); /* NotSerialized, SyncLevel 0 */
}

int aml_method_end(struct aml *a, size_t mark)
{
	return aml_pkg_end(a, mark);
}

int aml_if_begin(struct aml *a, size_t *mark)
{
	aml_byte(a, AML_IF_OP);
	*mark = a->len;
	return aml_error(a);
}

int aml_if_end(struct aml *a, size_t mark)
{
	return aml_pkg_end(a, mark);
}

int aml_op(struct aml *a, uint8_t op)
{
	return aml_byte(a, op);
}

int aml_local(struct aml *a, unsigned int n)
{
	return n < AML_MAX_LOCALS ? aml_byte(a, AML_LOCAL0_OP + n) : bad(a);
}

int aml_arg(struct aml *a, unsigned int n)
{
	return n < AML_METHOD_MAX_ARGS ? aml_byte(a, AML_ARG0_OP + n) : bad(a);
}

int aml_no_target(struct aml *a)
{
	return aml_byte(a, AML_NULL_NAME);
}

int aml_opregion_io(struct aml *a, const char *name, uint16_t base, uint16_t len)
{
	aml_byte(a, AML_EXT_OP_PREFIX);
	aml_byte(a, AML_OPREGION_OP);
	aml_namestring(a, name);
	aml_byte(a, AML_REGION_SYSTEM_IO);
	aml_integer(a, base);
	return aml_integer(a, len);
}

int aml_field_dwords(struct aml *a, const char *region, const char *const *names, unsigned int n)
{
	size_t mark;

	aml_byte(a, AML_EXT_OP_PREFIX);
	aml_byte(a, AML_FIELD_OP);
	mark = a->len;
	aml_namestring(a, region);
	aml_byte(a, AML_FIELD_DWORD_ACC | AML_FIELD_NO_LOCK | AML_FIELD_PRESERVE);
	for (unsigned int i = 0; i < n; i++) {
		/* NamedField: a bare NameSeg (exactly four characters) and its width. */
		if (!names[i] || strlen(names[i]) != 4)
			return bad(a);
		aml_bytes(a, names[i], 4);
		aml_byte(a, 32); /* PkgLength of 32 bits, one byte */
	}
	return aml_pkg_end(a, mark);
}

int aml_res_interrupt_level_high(struct aml *a, uint32_t gsi)
{
	/* Extended Interrupt Descriptor (ACPI 6.4.3.6): one interrupt number. */
	const uint8_t d[] = {
		AML_RES_EXT_IRQ, 6, 0, AML_EXT_IRQ_CONSUMER, 1,
		(uint8_t)gsi, (uint8_t)(gsi >> 8), (uint8_t)(gsi >> 16), (uint8_t)(gsi >> 24),
	};

	return aml_bytes(a, d, sizeof(d));
}
