/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A tiny ACPI Machine Language (AML) byte-code encoder: enough to write a
 * static DSDT (names, integers, strings, packages, buffers, devices, scopes
 * and resource templates). It emits into a fixed caller buffer and never
 * writes past it.
 *
 * Errors are sticky: the first failure (-ENOSPC when the buffer is full,
 * -EINVAL for a malformed argument) is kept in the emitter and every later
 * call becomes a no-op returning it, so a caller may emit a whole block and
 * check aml_error() once. Every function returns 0 or -errno.
 *
 * Objects with a PkgLength (Scope, Device, Package, Buffer) are written as
 * a *_begin() / *_end() pair; *_begin() hands back a mark, *_end() inserts
 * the PkgLength (minimal 1-4 byte encoding) in front of the body. Because
 * nothing is reserved in advance, the emitter never needs more room than
 * the final byte code occupies.
 */
#ifndef MINIVMM_X86_AML_H
#define MINIVMM_X86_AML_H

#include <stddef.h>
#include <stdint.h>

/* Opcodes and prefixes (ACPI 6.x, section 20 "ACPI Machine Language"). */
#define AML_ZERO_OP 0x00
#define AML_ONE_OP 0x01
#define AML_NAME_OP 0x08
#define AML_BYTE_PREFIX 0x0a
#define AML_WORD_PREFIX 0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_STRING_PREFIX 0x0d
#define AML_QWORD_PREFIX 0x0e
#define AML_SCOPE_OP 0x10
#define AML_BUFFER_OP 0x11
#define AML_PACKAGE_OP 0x12
#define AML_DUAL_NAME_PREFIX 0x2e
#define AML_MULTI_NAME_PREFIX 0x2f
#define AML_EXT_OP_PREFIX 0x5b
#define AML_DEVICE_OP 0x82 /* after AML_EXT_OP_PREFIX */
#define AML_ROOT_CHAR 0x5c /* '\' */
#define AML_PARENT_PREFIX 0x5e /* '^' */
#define AML_NULL_NAME 0x00

/* A PkgLength is 1 to 4 bytes and encodes at most 28 bits. */
#define AML_PKGLEN_MAX_BYTES 4
#define AML_PKGLEN_MAX 0x0fffffffu

/* Resource descriptors (ACPI 6.x, section 6.4). */
#define AML_RES_IO 0x47 /* small item 0x08, length 7 */
#define AML_RES_END_TAG 0x79 /* small item 0x0f, length 1 */
#define AML_RES_DWORD_ADDR 0x87
#define AML_RES_WORD_ADDR 0x88
#define AML_RES_QWORD_ADDR 0x8a

/* Address space descriptor: resource type. */
#define AML_ADDR_MEMORY 0
#define AML_ADDR_IO 1
#define AML_ADDR_BUS 2

/* Address space descriptor: general flags. */
#define AML_ADDR_CONSUMER (1u << 0) /* clear: ResourceProducer (a bridge window) */
#define AML_ADDR_SUB_DECODE (1u << 1) /* clear: PosDecode */
#define AML_ADDR_MIN_FIXED (1u << 2)
#define AML_ADDR_MAX_FIXED (1u << 3)
#define AML_ADDR_WINDOW (AML_ADDR_MIN_FIXED | AML_ADDR_MAX_FIXED)

/* Memory type-specific flags: read/write and caching (_MEM). */
#define AML_MEM_READ_WRITE (1u << 0)
#define AML_MEM_NON_CACHEABLE (0u << 1)
#define AML_MEM_CACHEABLE (1u << 1)
#define AML_MEM_WRITE_COMBINING (2u << 1)
#define AML_MEM_PREFETCHABLE (3u << 1)

/* I/O type-specific flags: _RNG = EntireRange (ISA and non-ISA ports). */
#define AML_IO_ENTIRE_RANGE 3u

struct aml {
	uint8_t *buf;
	size_t size;
	size_t len;
	int err; /* first error, sticky */
};

void aml_init(struct aml *a, uint8_t *buf, size_t size);
/* 0 if everything emitted so far fit and was valid, else the first -errno. */
int aml_error(const struct aml *a);
/* Record @err (the first error sticks) and return it. */
int aml_set_error(struct aml *a, int err);

int aml_byte(struct aml *a, uint8_t v);
int aml_bytes(struct aml *a, const void *p, size_t n);

/* Encode PkgLength value @len (which counts the encoding's own bytes) into
 * @out; returns the number of bytes (1-4) or -EINVAL if @len is too big. */
int aml_pkglen_encode(uint32_t len, uint8_t out[AML_PKGLEN_MAX_BYTES]);

/* Data objects. */
int aml_integer(struct aml *a, uint64_t v); /* Zero/One/Byte/Word/DWord/QWord */
int aml_string(struct aml *a, const char *s);
/* Compress a 7-character EISA id such as "PNP0A03" (0x030ad041). */
int aml_eisaid(const char *id, uint32_t *out);
int aml_eisaid_emit(struct aml *a, const char *id);

/* NameString: "_S5", "PCI0", "\\_SB.PCI0", "^^FOO", "\\" (root). Segments
 * shorter than 4 characters are padded with '_'. */
int aml_namestring(struct aml *a, const char *path);

/* Name(@name, <next object emitted by the caller>) */
int aml_name(struct aml *a, const char *name);

/* Close any PkgLength object whose body began at @mark (a->len then). */
int aml_pkg_end(struct aml *a, size_t mark);

int aml_scope_begin(struct aml *a, const char *name, size_t *mark);
int aml_scope_end(struct aml *a, size_t mark);
int aml_device_begin(struct aml *a, const char *name, size_t *mark);
int aml_device_end(struct aml *a, size_t mark);
/* Package(@nelems){...}: the caller emits exactly @nelems data objects
 * between begin and end (at most 255: no VarPackage support). */
int aml_package_begin(struct aml *a, size_t *mark);
int aml_package_end(struct aml *a, size_t mark, unsigned int nelems);
/* Buffer(){ raw bytes }: the BufferSize is the number of bytes emitted. */
int aml_buffer_begin(struct aml *a, size_t *mark);
int aml_buffer_end(struct aml *a, size_t mark);

/* ResourceTemplate(){...}: a Buffer closed by an EndTag (checksum 0). */
int aml_restemplate_begin(struct aml *a, size_t *mark);
int aml_restemplate_end(struct aml *a, size_t mark);

/* IRQNoFlags(){@irq}: an ISA IRQ 0-15, edge-triggered active-high. */
int aml_res_irq_noflags(struct aml *a, unsigned int irq);
/* IO(Decode16, @min, @max, @align, @len) */
int aml_res_io(struct aml *a, uint16_t min, uint16_t max, uint8_t align, uint8_t len);
/*
 * Word/DWord/QWord address space descriptor for [@min, @max] with zero
 * granularity and translation: @width is 16, 32 or 64, @type one of
 * AML_ADDR_*, @gflags the general flags, @tflags the type-specific flags.
 */
int aml_res_addr(struct aml *a, unsigned int width, uint8_t type, uint8_t gflags,
		 uint8_t tflags, uint64_t min, uint64_t max);
/* Bridge windows (ResourceProducer, PosDecode, MinFixed, MaxFixed). */
int aml_res_word_bus(struct aml *a, uint16_t min, uint16_t max);
int aml_res_word_io(struct aml *a, uint16_t min, uint16_t max);
int aml_res_dword_mem(struct aml *a, uint8_t tflags, uint32_t min, uint32_t max);
int aml_res_qword_mem(struct aml *a, uint8_t tflags, uint64_t min, uint64_t max);

#endif
