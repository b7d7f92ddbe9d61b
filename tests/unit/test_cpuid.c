// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests for src/arch/x86/cpuid.c: the topology a guest of N vCPUs sees. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "minivmm/x86/cpu.h"

#define HTT (1u << 28)
#define HYPERVISOR (1u << 31)
#define CMP_LEGACY (1u << 1)
#define SIG KVM_CPUID_FLAG_SIGNIFCANT_INDEX

#define MAX_ENT 32

static struct kvm_cpuid2 *cpuid_new(void)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + MAX_ENT * sizeof(struct kvm_cpuid_entry2));

	assert_non_null(c);
	return c;
}

static struct kvm_cpuid_entry2 *add(struct kvm_cpuid2 *c, uint32_t fn, uint32_t idx, uint32_t flags,
				    uint32_t eax, uint32_t ebx, uint32_t ecx, uint32_t edx)
{
	struct kvm_cpuid_entry2 *e;

	assert_true(c->nent < MAX_ENT);
	e = &c->entries[c->nent++];
	*e = (struct kvm_cpuid_entry2){ .function = fn, .index = idx, .flags = flags,
					.eax = eax, .ebx = ebx, .ecx = ecx, .edx = edx };
	return e;
}

/* Leaf 4 EAX for a cache: type (1 data, 2 code, 3 unified), level, plus
 * host-like sharing/cores fields that the fix-up must replace. */
static uint32_t cache_eax(unsigned int type, unsigned int level)
{
	return type | level << 5 | 1u << 8 /* self-initialising */ | 0x3fu << 26 | 0x1fu << 14;
}

/* A KVM_GET_SUPPORTED_CPUID-like list with the topology leaves. */
static struct kvm_cpuid2 *host_like(void)
{
	struct kvm_cpuid2 *c = cpuid_new();

	add(c, 0x0, 0, 0, 0x1f, 0x756e6547, 0x6c65746e, 0x49656e69);
	/* Leaf 1: stepping in EAX, brand/clflush in EBX[15:0], junk in [31:16]. */
	add(c, 0x1, 0, 0, 0x000906ea, 0x12340800 | 0xab00ffu, 0x7ffafbff & ~HYPERVISOR, 0xbfebfbff);
	add(c, 0x4, 0, SIG, cache_eax(1, 1), 0x01c0003f, 0x3f, 0);
	add(c, 0x4, 1, SIG, cache_eax(2, 1), 0x01c0003f, 0x3f, 0);
	add(c, 0x4, 2, SIG, cache_eax(3, 2), 0x00c0003f, 0x3ff, 0);
	add(c, 0x4, 3, SIG, cache_eax(3, 3), 0x03c0003f, 0x2fff, 0x6);
	add(c, 0x4, 4, SIG, 0, 0, 0, 0); /* no more caches */
	add(c, 0xb, 0, SIG, 1, 2, 0x100, 0x77);
	add(c, 0xb, 1, SIG, 4, 12, 0x201, 0x77);
	add(c, 0xb, 2, SIG, 0, 0, 2, 0x77);
	add(c, 0x80000001, 0, 0, 0, 0, 0x121, 0x2c100800);
	add(c, 0x80000008, 0, 0, 0x3027, 0, 0xdead7007, 0);
	add(c, 0x8000001e, 0, 0, 0x55, 0x0166, 0x0102, 0);
	return c;
}

static struct kvm_cpuid_entry2 *find(struct kvm_cpuid2 *c, uint32_t fn, uint32_t idx)
{
	struct kvm_cpuid_entry2 *e = cpu_cpuid_find(c, fn, idx);

	assert_non_null(e);
	return e;
}

/* ---- cpu_order ---- */

static void test_order(void **state)
{
	(void)state;
	assert_int_equal(cpu_order(1), 0);
	assert_int_equal(cpu_order(2), 1);
	assert_int_equal(cpu_order(3), 2);
	assert_int_equal(cpu_order(4), 2);
	assert_int_equal(cpu_order(5), 3);
	assert_int_equal(cpu_order(8), 3);
	assert_int_equal(cpu_order(9), 4);
	assert_int_equal(cpu_order(128), 7);
	assert_int_equal(cpu_order(129), 8);
	assert_int_equal(cpu_order(255), 8);
}

/* ---- cpu_cpuid_find ---- */

static void test_find_with_and_without_index(void **state)
{
	struct kvm_cpuid2 *c = host_like();

	(void)state;
	/* Leaves with a significant index match only their own subleaf. */
	assert_ptr_equal(cpu_cpuid_find(c, 0x4, 0), &c->entries[2]);
	assert_ptr_equal(cpu_cpuid_find(c, 0x4, 3), &c->entries[5]);
	assert_ptr_equal(cpu_cpuid_find(c, 0xb, 1), &c->entries[8]);
	assert_null(cpu_cpuid_find(c, 0x4, 5));
	assert_null(cpu_cpuid_find(c, 0xb, 3));
	/* Leaves without one match whatever index is asked. */
	assert_ptr_equal(cpu_cpuid_find(c, 0x1, 0), &c->entries[1]);
	assert_ptr_equal(cpu_cpuid_find(c, 0x1, 7), &c->entries[1]);
	assert_ptr_equal(cpu_cpuid_find(c, 0x80000008, 0xffffffff), &c->entries[11]);
	/* Absent leaves. */
	assert_null(cpu_cpuid_find(c, 0x2, 0));
	assert_null(cpu_cpuid_find(c, 0x40000000, 0));
	c->nent = 0;
	assert_null(cpu_cpuid_find(c, 0x1, 0));
	free(c);
}

/* ---- cpu_cpuid_fixup ---- */

static void test_leaf1_apic_id_count_htt(void **state)
{
	struct kvm_cpuid2 *c = host_like();
	struct kvm_cpuid_entry2 *e;

	(void)state;
	cpu_cpuid_fixup(c, 5, 8);
	e = find(c, 0x1, 0);
	assert_int_equal(e->ebx >> 24, 5);            /* initial APIC id */
	assert_int_equal((e->ebx >> 16) & 0xff, 8);   /* logical processors */
	assert_int_equal(e->ebx & 0xffff, 0x08ff);    /* brand/CLFLUSH kept */
	assert_true(e->edx & HTT);
	assert_true(e->ecx & HYPERVISOR);
	assert_int_equal(e->eax, 0x000906ea);         /* signature untouched */
	assert_int_equal(e->edx & ~HTT, 0xbfebfbff & ~HTT);
	free(c);
}

static void test_leaf1_single_cpu_clears_htt(void **state)
{
	struct kvm_cpuid2 *c = host_like();
	struct kvm_cpuid_entry2 *e;

	(void)state;
	e = find(c, 0x1, 0);
	assert_true(e->edx & HTT); /* the host has it */
	cpu_cpuid_fixup(c, 0, 1);
	assert_false(e->edx & HTT);
	assert_int_equal(e->ebx >> 24, 0);
	assert_int_equal((e->ebx >> 16) & 0xff, 1);
	assert_true(e->ecx & HYPERVISOR);
	free(c);
}

static void test_leaf1_max_cpus(void **state)
{
	struct kvm_cpuid2 *c = host_like();
	struct kvm_cpuid_entry2 *e;

	(void)state;
	cpu_cpuid_fixup(c, 254, 255);
	e = find(c, 0x1, 0);
	assert_int_equal(e->ebx >> 24, 254);
	assert_int_equal((e->ebx >> 16) & 0xff, 255);
	free(c);
}

static void test_leaf4_cores_and_sharing(void **state)
{
	struct kvm_cpuid2 *c = host_like();

	(void)state;
	cpu_cpuid_fixup(c, 2, 6);
	for (uint32_t i = 0; i < 4; i++) {
		struct kvm_cpuid_entry2 *e = find(c, 0x4, i);
		unsigned int level = (e->eax >> 5) & 7;

		assert_int_equal(e->eax >> 26, 6 - 1);           /* cores per package - 1 */
		/* L1/L2 private to a core (1 thread), L3 shared by all. */
		assert_int_equal((e->eax >> 14) & 0xfff, level >= 3 ? 6 - 1 : 0);
		/* Type, level, self-init bits preserved. */
		assert_int_equal(e->eax & 0x3fff, cache_eax(i == 1 ? 2 : i == 0 ? 1 : 3, level) & 0x3fff);
	}
	/* The terminating subleaf stays all zero. */
	assert_int_equal(find(c, 0x4, 4)->eax, 0);
	/* Cache geometry registers untouched. */
	assert_int_equal(find(c, 0x4, 3)->ebx, 0x03c0003f);
	assert_int_equal(find(c, 0x4, 3)->ecx, 0x2fff);
	free(c);
}

static void test_leaf4_cores_field_caps_at_64(void **state)
{
	struct kvm_cpuid2 *c = host_like();

	(void)state;
	cpu_cpuid_fixup(c, 0, 100);
	assert_int_equal(find(c, 0x4, 0)->eax >> 26, 63);
	assert_int_equal((find(c, 0x4, 3)->eax >> 14) & 0xfff, 99);
	cpu_cpuid_fixup(c, 0, 1);
	assert_int_equal(find(c, 0x4, 0)->eax >> 26, 0);
	assert_int_equal((find(c, 0x4, 3)->eax >> 14) & 0xfff, 0);
	free(c);
}

static void test_leaf_b_topology(void **state)
{
	const unsigned int counts[] = { 1, 2, 3, 4, 5, 8, 9, 255 };

	(void)state;
	for (size_t k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
		unsigned int n = counts[k], id = n - 1;
		struct kvm_cpuid2 *c = host_like();
		struct kvm_cpuid_entry2 *smt, *core, *inval;

		cpu_cpuid_fixup(c, id, n);
		smt = find(c, 0xb, 0);
		core = find(c, 0xb, 1);
		inval = find(c, 0xb, 2);
		/* Level 0: SMT, one thread, shift 0. */
		assert_int_equal(smt->eax & 0x1f, 0);
		assert_int_equal(smt->ebx & 0xffff, 1);
		assert_int_equal((smt->ecx >> 8) & 0xff, 1);
		assert_int_equal(smt->ecx & 0xff, 0);
		/* Level 1: cores, shift = bits to number n cores. */
		assert_int_equal(core->eax & 0x1f, cpu_order(n));
		assert_true((1u << (core->eax & 0x1f)) >= n);
		assert_int_equal(core->ebx & 0xffff, n);
		assert_int_equal((core->ecx >> 8) & 0xff, 2);
		assert_int_equal(core->ecx & 0xff, 1);
		/* Level 2: invalid, echoes the level number. */
		assert_int_equal((inval->ecx >> 8) & 0xff, 0);
		assert_int_equal(inval->ecx & 0xff, 2);
		assert_int_equal(inval->ebx & 0xffff, 0);
		/* x2APIC id everywhere. */
		assert_int_equal(smt->edx, id);
		assert_int_equal(core->edx, id);
		assert_int_equal(inval->edx, id);
		/* Consistent with leaf 1's initial APIC id. */
		assert_int_equal(find(c, 0x1, 0)->ebx >> 24, id);
		free(c);
	}
}

static void test_leaf_80000001_cmp_legacy(void **state)
{
	struct kvm_cpuid2 *c = host_like();
	struct kvm_cpuid_entry2 *e = find(c, 0x80000001, 0);

	(void)state;
	cpu_cpuid_fixup(c, 0, 4);
	assert_true(e->ecx & CMP_LEGACY);
	assert_int_equal(e->ecx & ~CMP_LEGACY, 0x121 & ~CMP_LEGACY);
	assert_int_equal(e->edx, 0x2c100800);
	cpu_cpuid_fixup(c, 0, 1);
	assert_false(e->ecx & CMP_LEGACY);
	free(c);
}

static void test_leaf_80000008_nc(void **state)
{
	struct kvm_cpuid2 *c = host_like();
	struct kvm_cpuid_entry2 *e = find(c, 0x80000008, 0);

	(void)state;
	cpu_cpuid_fixup(c, 3, 6);
	assert_int_equal(e->ecx & 0xff, 5);                /* NC = cores - 1 */
	assert_int_equal((e->ecx >> 12) & 0xf, cpu_order(6)); /* ApicIdCoreIdSize */
	assert_int_equal(e->ecx & 0xffff0f00, 0xdead7007 & 0xffff0f00); /* rest kept */
	assert_int_equal(e->eax, 0x3027);                  /* address sizes untouched */
	cpu_cpuid_fixup(c, 0, 1);
	assert_int_equal(e->ecx & 0xff, 0);
	assert_int_equal((e->ecx >> 12) & 0xf, 0);
	cpu_cpuid_fixup(c, 0, 255);
	assert_int_equal(e->ecx & 0xff, 254);
	assert_int_equal((e->ecx >> 12) & 0xf, 8);
	free(c);
}

static void test_leaf_8000001e_ext_apic(void **state)
{
	struct kvm_cpuid2 *c = host_like();
	struct kvm_cpuid_entry2 *e = find(c, 0x8000001e, 0);

	(void)state;
	cpu_cpuid_fixup(c, 7, 8);
	assert_int_equal(e->eax, 7);                 /* extended APIC id */
	assert_int_equal(e->ebx & 0xff, 7);          /* core id */
	assert_int_equal((e->ebx >> 8) & 0xff, 0);   /* threads per core - 1 */
	assert_int_equal(e->ecx & 0xff, 0);          /* node 0 */
	assert_int_equal((e->ecx >> 8) & 7, 0);      /* one node */
	free(c);
}

static void test_fixup_leaves_other_leaves_alone(void **state)
{
	struct kvm_cpuid2 *c = host_like();
	struct kvm_cpuid_entry2 before = c->entries[0];

	(void)state;
	cpu_cpuid_fixup(c, 1, 2);
	assert_memory_equal(&c->entries[0], &before, sizeof(before));
	assert_int_equal(c->nent, 13);
	free(c);
}

static void test_fixup_per_vcpu_ids_differ(void **state)
{
	struct kvm_cpuid2 *a = host_like(), *b = host_like();

	(void)state;
	cpu_cpuid_fixup(a, 0, 4);
	cpu_cpuid_fixup(b, 3, 4);
	assert_int_equal(find(a, 0x1, 0)->ebx >> 24, 0);
	assert_int_equal(find(b, 0x1, 0)->ebx >> 24, 3);
	assert_int_equal(find(a, 0xb, 1)->edx, 0);
	assert_int_equal(find(b, 0xb, 1)->edx, 3);
	/* Everything but the ids is the same for all vCPUs. */
	assert_int_equal(find(a, 0xb, 1)->eax, find(b, 0xb, 1)->eax);
	assert_int_equal(find(a, 0x4, 3)->eax, find(b, 0x4, 3)->eax);
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_find_with_and_without_index),
		cmocka_unit_test(test_leaf1_apic_id_count_htt),
		cmocka_unit_test(test_leaf1_single_cpu_clears_htt),
		cmocka_unit_test(test_leaf1_max_cpus),
		cmocka_unit_test(test_leaf4_cores_and_sharing),
		cmocka_unit_test(test_leaf4_cores_field_caps_at_64),
		cmocka_unit_test(test_leaf_b_topology),
		cmocka_unit_test(test_leaf_80000001_cmp_legacy),
		cmocka_unit_test(test_leaf_80000008_nc),
		cmocka_unit_test(test_leaf_8000001e_ext_apic),
		cmocka_unit_test(test_fixup_leaves_other_leaves_alone),
		cmocka_unit_test(test_fixup_per_vcpu_ids_differ),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
