// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for src/irq_routes.c: the GSI routing table as data. The
 * default irqchip routes (ISA IRQs to PIC + IOAPIC, IOAPIC pins 0-23),
 * MSI GSI allocation from LAYOUT_GSI_MSI_FIRST, adding/updating/removing
 * MSI routes and growing the table past its initial capacity.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "minivmm/arch.h"
#include "minivmm/irq.h"
#include "minivmm/x86/layout.h"

/* 15 ISA IRQs (all but the cascade, 2) on a PIC + all 24 IOAPIC pins. */
#define DEFAULT_ROUTES (15 + LAYOUT_IOAPIC_PINS)
/* The table holds at most IRQ_MAX_ROUTES entries, defaults included. */
#define MSI_GSIS (IRQ_MAX_ROUTES - DEFAULT_ROUTES)
#define LAST_MSI_GSI (LAYOUT_GSI_MSI_FIRST + MSI_GSIS - 1)

static int setup(void **state)
{
	static struct irq_routes r;

	if (irq_routes_init(&r, LAYOUT_GSI_MSI_FIRST, false) || arch_irq_default_routes(&r))
		return -1;
	*state = &r;
	return 0;
}

static int teardown(void **state)
{
	struct irq_routes *r = *state;

	irq_routes_destroy(r);
	assert_null(r->table);
	return 0;
}

/* An MSI route; 1 (the table changed), 0 (it did not) or -errno. */
static int set_msi(struct irq_routes *r, unsigned int gsi, uint64_t addr, uint32_t data)
{
	struct msi_msg m = { .addr = addr, .data = data, .devid = 0x1234 };

	return irq_routes_set_msi(r, gsi, &m);
}

static bool gsi_used(const struct irq_routes *r, unsigned int gsi)
{
	return r->msi_used[gsi / 64] & (1ULL << (gsi % 64));
}

/* Every default route exactly once, and nothing else below the MSI range. */
static void check_default_routes(const struct irq_routes *r)
{
	unsigned int pic[LAYOUT_IOAPIC_PINS] = { 0 }, ioapic[LAYOUT_IOAPIC_PINS] = { 0 }, n = 0;

	for (unsigned int i = 0; i < r->table->nr; i++) {
		const struct kvm_irq_routing_entry *e = &r->table->entries[i];

		if (e->type == KVM_IRQ_ROUTING_MSI) {
			assert_true(e->gsi >= LAYOUT_GSI_MSI_FIRST);
			continue;
		}
		assert_int_equal(e->type, KVM_IRQ_ROUTING_IRQCHIP);
		assert_true(e->gsi < LAYOUT_IOAPIC_PINS);
		assert_int_equal(e->flags, 0);
		n++;
		switch (e->u.irqchip.irqchip) {
		case KVM_IRQCHIP_PIC_MASTER:
			assert_true(e->gsi < 8);
			assert_int_equal(e->u.irqchip.pin, e->gsi);
			pic[e->gsi]++;
			break;
		case KVM_IRQCHIP_PIC_SLAVE:
			assert_true(e->gsi >= 8 && e->gsi < 16);
			assert_int_equal(e->u.irqchip.pin, e->gsi - 8);
			pic[e->gsi]++;
			break;
		case KVM_IRQCHIP_IOAPIC:
			assert_int_equal(e->u.irqchip.pin, e->gsi);
			ioapic[e->gsi]++;
			break;
		default:
			fail_msg("gsi %u: unknown irqchip %u", e->gsi, e->u.irqchip.irqchip);
		}
	}
	assert_int_equal(n, DEFAULT_ROUTES);
	for (unsigned int gsi = 0; gsi < LAYOUT_IOAPIC_PINS; gsi++) {
		assert_int_equal(ioapic[gsi], 1);
		assert_int_equal(pic[gsi], gsi < 16 && gsi != 2 ? 1 : 0);
	}
}

static void test_init_default_routes(void **state)
{
	struct irq_routes *r = *state;

	assert_non_null(r->table);
	assert_int_equal(r->table->nr, DEFAULT_ROUTES);
	assert_true(r->cap >= r->table->nr);
	check_default_routes(r);
	for (unsigned int i = 0; i < IRQ_MAX_ROUTES / 64; i++)
		assert_int_equal(r->msi_used[i], 0);
	/* The timer (0) and COM1 are routed; GSI 2 only via the IOAPIC. */
	assert_non_null(irq_routes_find(r, 0, KVM_IRQ_ROUTING_IRQCHIP));
	assert_non_null(irq_routes_find(r, LAYOUT_IRQ_COM1, KVM_IRQ_ROUTING_IRQCHIP));
	assert_int_equal(irq_routes_find(r, 2, KVM_IRQ_ROUTING_IRQCHIP)->u.irqchip.irqchip,
			 KVM_IRQCHIP_IOAPIC);
	assert_null(irq_routes_find(r, LAYOUT_IOAPIC_PINS, KVM_IRQ_ROUTING_IRQCHIP));
}

static void test_alloc_increasing_and_reuse(void **state)
{
	struct irq_routes *r = *state;

	assert_int_equal(irq_routes_alloc_msi(r), LAYOUT_GSI_MSI_FIRST);
	assert_int_equal(irq_routes_alloc_msi(r), LAYOUT_GSI_MSI_FIRST + 1);
	assert_int_equal(irq_routes_alloc_msi(r), LAYOUT_GSI_MSI_FIRST + 2);
	assert_true(gsi_used(r, LAYOUT_GSI_MSI_FIRST + 1));
	/* Allocation alone adds no route. */
	assert_int_equal(r->table->nr, DEFAULT_ROUTES);

	irq_routes_free_msi(r, LAYOUT_GSI_MSI_FIRST + 1);
	assert_false(gsi_used(r, LAYOUT_GSI_MSI_FIRST + 1));
	assert_true(gsi_used(r, LAYOUT_GSI_MSI_FIRST));
	assert_true(gsi_used(r, LAYOUT_GSI_MSI_FIRST + 2));
	/* Lowest free first. */
	assert_int_equal(irq_routes_alloc_msi(r), LAYOUT_GSI_MSI_FIRST + 1);
	assert_int_equal(irq_routes_alloc_msi(r), LAYOUT_GSI_MSI_FIRST + 3);
}

static void test_alloc_exhaustion(void **state)
{
	struct irq_routes *r = *state;
	int prev = -1, gsi;

	for (unsigned int i = 0; i < MSI_GSIS; i++) {
		gsi = irq_routes_alloc_msi(r);
		assert_int_equal(gsi, LAYOUT_GSI_MSI_FIRST + i);
		assert_true(gsi > prev);
		prev = gsi;
	}
	assert_int_equal(prev, LAST_MSI_GSI);
	assert_int_equal(irq_routes_alloc_msi(r), -ENOSPC);
	assert_int_equal(irq_routes_alloc_msi(r), -ENOSPC);

	/* One freed in the middle and the last one come back, then full again. */
	irq_routes_free_msi(r, 500);
	irq_routes_free_msi(r, LAST_MSI_GSI);
	assert_int_equal(irq_routes_alloc_msi(r), 500);
	assert_int_equal(irq_routes_alloc_msi(r), LAST_MSI_GSI);
	assert_int_equal(irq_routes_alloc_msi(r), -ENOSPC);
	/* The bitmap never spilled onto the ISA/IOAPIC GSIs. */
	for (unsigned int g = 0; g < LAYOUT_GSI_MSI_FIRST; g++)
		assert_false(gsi_used(r, g));
}

static void test_set_msi_add_then_update(void **state)
{
	struct irq_routes *r = *state;
	const struct kvm_irq_routing_entry *e;
	int gsi = irq_routes_alloc_msi(r);

	assert_int_equal(set_msi(r, gsi, 0xfee01000ULL, 0x4041), 1);
	assert_int_equal(r->table->nr, DEFAULT_ROUTES + 1);
	e = irq_routes_find(r, gsi, KVM_IRQ_ROUTING_MSI);
	assert_non_null(e);
	assert_int_equal(e->gsi, gsi);
	assert_int_equal(e->type, KVM_IRQ_ROUTING_MSI);
	assert_int_equal(e->flags, 0);
	assert_int_equal(e->u.msi.address_lo, 0xfee01000u);
	assert_int_equal(e->u.msi.address_hi, 0);
	assert_int_equal(e->u.msi.data, 0x4041);

	/* The guest moved the IRQ to another CPU: updated in place. */
	assert_int_equal(set_msi(r, gsi, 0x12345678fee02000ULL, 0x4052), 1);
	assert_int_equal(r->table->nr, DEFAULT_ROUTES + 1);
	assert_ptr_equal(irq_routes_find(r, gsi, KVM_IRQ_ROUTING_MSI), e);
	assert_int_equal(e->u.msi.address_lo, 0xfee02000u);
	assert_int_equal(e->u.msi.address_hi, 0x12345678u);
	assert_int_equal(e->u.msi.data, 0x4052);
	assert_null(irq_routes_find(r, gsi, KVM_IRQ_ROUTING_IRQCHIP));
	check_default_routes(r);
}

static void test_set_msi_rejects(void **state)
{
	struct irq_routes *r = *state;
	int gsi = irq_routes_alloc_msi(r);

	assert_int_equal(gsi, LAYOUT_GSI_MSI_FIRST);
	/* Not allocated. */
	assert_int_equal(set_msi(r, gsi + 1, 0xfee00000ULL, 0x30), -EINVAL);
	/* Not an MSI GSI: must not disturb the default routes. */
	assert_int_equal(set_msi(r, 4, 0xfee00000ULL, 0x30), -EINVAL);
	assert_int_equal(set_msi(r, 0, 0xfee00000ULL, 0x30), -EINVAL);
	assert_int_equal(set_msi(r, LAYOUT_GSI_MSI_FIRST - 1, 0xfee00000ULL, 0x30), -EINVAL);
	/* Out of range (would index past msi_used). */
	assert_int_equal(set_msi(r, IRQ_MAX_ROUTES, 0xfee00000ULL, 0x30), -EINVAL);
	assert_int_equal(set_msi(r, IRQ_MAX_ROUTES + 64, 0xfee00000ULL, 0x30), -EINVAL);
	assert_int_equal(set_msi(r, UINT_MAX, 0xfee00000ULL, 0x30), -EINVAL);
	assert_int_equal(r->table->nr, DEFAULT_ROUTES);
	check_default_routes(r);
	/* A freed GSI can no longer be routed. */
	irq_routes_free_msi(r, gsi);
	assert_int_equal(set_msi(r, gsi, 0xfee00000ULL, 0x30), -EINVAL);
	assert_int_equal(r->table->nr, DEFAULT_ROUTES);
}

static void test_free_removes_route(void **state)
{
	struct irq_routes *r = *state;
	int g[3];

	for (unsigned int i = 0; i < 3; i++) {
		g[i] = irq_routes_alloc_msi(r);
		assert_int_equal(set_msi(r, g[i], 0xfee00000ULL | (i << 12), 0x40 + i), 1);
	}
	assert_int_equal(r->table->nr, DEFAULT_ROUTES + 3);

	irq_routes_free_msi(r, g[1]);
	assert_int_equal(r->table->nr, DEFAULT_ROUTES + 2);
	assert_null(irq_routes_find(r, g[1], KVM_IRQ_ROUTING_MSI));
	assert_false(gsi_used(r, g[1]));
	/* The neighbours kept their messages across the compaction. */
	for (unsigned int i = 0; i < 3; i += 2) {
		const struct kvm_irq_routing_entry *e = irq_routes_find(r, g[i], KVM_IRQ_ROUTING_MSI);

		assert_non_null(e);
		assert_int_equal(e->u.msi.address_lo, 0xfee00000u | (i << 12));
		assert_int_equal(e->u.msi.data, 0x40 + i);
	}
	check_default_routes(r);

	/* Freed GSI comes back and routes afresh. */
	assert_int_equal(irq_routes_alloc_msi(r), g[1]);
	assert_null(irq_routes_find(r, g[1], KVM_IRQ_ROUTING_MSI));
	assert_int_equal(set_msi(r, g[1], 0xfee0f000ULL, 0x99), 1);
	assert_int_equal(r->table->nr, DEFAULT_ROUTES + 3);

	/* Freeing the last entry, and freeing an allocated GSI without a route. */
	irq_routes_free_msi(r, g[2]);
	assert_int_equal(r->table->nr, DEFAULT_ROUTES + 2);
	int unrouted = irq_routes_alloc_msi(r);
	irq_routes_free_msi(r, unrouted);
	assert_false(gsi_used(r, unrouted));
	assert_int_equal(r->table->nr, DEFAULT_ROUTES + 2);
}

static void test_free_leaves_irqchip_routes(void **state)
{
	struct irq_routes *r = *state;

	/* Not MSI routes: nothing removed, no out-of-bounds bitmap access. */
	irq_routes_free_msi(r, 4);
	irq_routes_free_msi(r, 2);
	irq_routes_free_msi(r, IRQ_MAX_ROUTES);
	irq_routes_free_msi(r, UINT_MAX);
	assert_int_equal(r->table->nr, DEFAULT_ROUTES);
	check_default_routes(r);
}

static void test_find_by_type(void **state)
{
	struct irq_routes *r = *state;
	const struct kvm_irq_routing_entry *e;
	int gsi = irq_routes_alloc_msi(r);

	e = irq_routes_find(r, 4, KVM_IRQ_ROUTING_IRQCHIP);
	assert_non_null(e);
	assert_int_equal(e->gsi, 4);
	assert_null(irq_routes_find(r, 4, KVM_IRQ_ROUTING_MSI));

	assert_null(irq_routes_find(r, gsi, KVM_IRQ_ROUTING_MSI));
	assert_int_equal(set_msi(r, gsi, 0xfee00000ULL, 0x21), 1);
	e = irq_routes_find(r, gsi, KVM_IRQ_ROUTING_MSI);
	assert_non_null(e);
	assert_int_equal(e->u.msi.data, 0x21);
	assert_null(irq_routes_find(r, gsi, KVM_IRQ_ROUTING_IRQCHIP));
	assert_null(irq_routes_find(r, 999, KVM_IRQ_ROUTING_MSI));
}

static void test_growth_keeps_entries(void **state)
{
	struct irq_routes *r = *state;
	unsigned int initial_cap = r->cap, n = 400;

	/* Well past the initial capacity: several reallocations. */
	assert_true(DEFAULT_ROUTES + n > 4 * initial_cap);
	for (unsigned int i = 0; i < n; i++) {
		int gsi = irq_routes_alloc_msi(r);

		assert_int_equal(gsi, LAYOUT_GSI_MSI_FIRST + i);
		assert_int_equal(set_msi(r, gsi, 0xfee00000ULL | (i << 12), 0x1000 + i), 1);
		assert_int_equal(r->table->nr, DEFAULT_ROUTES + i + 1);
		assert_true(r->cap >= r->table->nr);
	}
	assert_true(r->cap > initial_cap);
	check_default_routes(r);
	for (unsigned int i = 0; i < n; i++) {
		const struct kvm_irq_routing_entry *e =
			irq_routes_find(r, LAYOUT_GSI_MSI_FIRST + i, KVM_IRQ_ROUTING_MSI);

		assert_non_null(e);
		assert_int_equal(e->u.msi.address_lo, 0xfee00000u | (i << 12));
		assert_int_equal(e->u.msi.data, 0x1000 + i);
	}
	/* Every MSI GSI routed at once still fits. */
	for (unsigned int i = n; i < MSI_GSIS; i++) {
		int gsi = irq_routes_alloc_msi(r);

		assert_int_equal(set_msi(r, gsi, 0xfee00000ULL, i), 1);
	}
	assert_int_equal(r->table->nr, DEFAULT_ROUTES + MSI_GSIS);
	assert_int_equal(irq_routes_find(r, LAST_MSI_GSI, KVM_IRQ_ROUTING_MSI)->u.msi.data, MSI_GSIS - 1);
	check_default_routes(r);
}

static void test_set_same_message_is_no_change(void **state)
{
	struct irq_routes *r = *state;
	int gsi = irq_routes_alloc_msi(r);

	assert_int_equal(set_msi(r, gsi, 0xfee01000ULL, 0x41), 1);
	/* Unchanged: nothing to hand to KVM. */
	assert_int_equal(set_msi(r, gsi, 0xfee01000ULL, 0x41), 0);
	assert_int_equal(set_msi(r, gsi, 0xfee01000ULL, 0x42), 1);
	assert_int_equal(r->table->nr, DEFAULT_ROUTES + 1);
}

static void test_devid_when_the_irqchip_needs_it(void **state)
{
	struct irq_routes r;
	struct msi_msg m = { .addr = 0x8090040, .data = 3, .devid = 0x0018 };
	const struct kvm_irq_routing_entry *e;
	int gsi;

	(void)state;
	/* An ITS-like irqchip: MSI GSIs from 32, device IDs in every route. */
	assert_int_equal(irq_routes_init(&r, 32, true), 0);
	assert_int_equal(irq_routes_add_irqchip(&r, 5, 0, 5), 0);
	assert_int_equal(irq_routes_add_irqchip(&r, 32, 0, 0), -EINVAL); /* an MSI GSI */
	gsi = irq_routes_alloc_msi(&r);
	assert_int_equal(gsi, 32);
	/* The irqchip's routes come before any MSI GSI is handed out. */
	assert_int_equal(irq_routes_add_irqchip(&r, 6, 0, 6), -EINVAL);
	assert_int_equal(irq_routes_set_msi(&r, gsi, &m), 1);
	e = irq_routes_find(&r, gsi, KVM_IRQ_ROUTING_MSI);
	assert_non_null(e);
	assert_int_equal(e->flags, KVM_MSI_VALID_DEVID);
	assert_int_equal(e->u.msi.devid, 0x0018);
	/* Another requester, same message: a different route. */
	m.devid = 0x0020;
	assert_int_equal(irq_routes_set_msi(&r, gsi, &m), 1);
	assert_int_equal(e->u.msi.devid, 0x0020);
	irq_routes_destroy(&r);

	/* x86 (no device IDs): flags stay 0 whatever the devid. */
	assert_int_equal(irq_routes_init(&r, 24, false), 0);
	gsi = irq_routes_alloc_msi(&r);
	assert_int_equal(irq_routes_set_msi(&r, gsi, &m), 1);
	assert_int_equal(irq_routes_find(&r, gsi, KVM_IRQ_ROUTING_MSI)->flags, 0);
	irq_routes_destroy(&r);
}

static void test_table_never_exceeds_kvm_limit(void **state)
{
	struct irq_routes *r = *state;

	for (unsigned int i = 0; i < MSI_GSIS; i++)
		assert_int_equal(set_msi(r, irq_routes_alloc_msi(r), 0xfee00000ULL, i), 1);
	assert_int_equal(r->table->nr, IRQ_MAX_ROUTES);
	assert_int_equal(irq_routes_alloc_msi(r), -ENOSPC);
	/* 2048 MSI-X vectors of one device plus others fit. */
	assert_true(MSI_GSIS >= 2048 + 1024);
}

static void test_msi_route_address(void **state)
{
	(void)state;
	/* No extended ID: unchanged. */
	assert_int_equal(arch_msi_route_address(0xfee03000), 0xfee03000);
	/* Dest 300 = 0x12c: 0x2c in bits 19:12, 0x1 in bits 11:5 -> address_hi bit 8. */
	assert_int_equal(arch_msi_route_address(0xfee2c000 | (1u << 5)), 0xfee2c000ULL | (1ULL << 40));
	assert_int_equal(arch_msi_route_address(0xfee00000 | (0x7fu << 5)), 0xfee00000ULL | (0x7fULL << 40));
	/* Remappable format: left alone; an upper word: its bits 7:0 dropped. */
	assert_int_equal(arch_msi_route_address(0xfee00010 | (1u << 5)), 0xfee00010 | (1u << 5));
	assert_int_equal(arch_msi_route_address((1ULL << 32) | 0xfee00020), 0xfee00020);
	/* A guest's garbage upper word: bits 7:0 never reach KVM, bits 31:8 do. */
	assert_int_equal(arch_msi_route_address(0xdeadbeefULL << 32 | 0x12345678), 0xdeadbe00ULL << 32 | 0x12345678);
	/* Logical/redirection hints (bits 3:2) stay where they are. */
	assert_int_equal(arch_msi_route_address(0xfee0000c | (1u << 5)), 0xfee0000cULL | (1ULL << 40));
}

static void test_msi_dest_cpu(void **state)
{
	(void)state;
	assert_int_equal(arch_msi_dest_cpu(0xfee00000, 0x41), 0);
	assert_int_equal(arch_msi_dest_cpu(0xfee03000, 0x41), 3);
	assert_int_equal(arch_msi_dest_cpu(0xfeeff000, 0x41), 255);
	/* Extended destination ID: APIC ID 0x1 << 8 | 0x2c = 300. */
	assert_int_equal(arch_msi_dest_cpu(0xfee2c000 | (1u << 5), 0x41), 300);
	/* Flat logical mode: the lowest CPU of the mask. */
	assert_int_equal(arch_msi_dest_cpu(0xfee0c004, 0x41), 2);
	assert_int_equal(arch_msi_dest_cpu(0xfee00004, 0x41), -1);
	/* Not an MSI address. */
	assert_int_equal(arch_msi_dest_cpu(0x12345000, 0x41), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init_default_routes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_increasing_and_reuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_exhaustion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_msi_add_then_update, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_msi_rejects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_removes_route, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_leaves_irqchip_routes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_by_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_growth_keeps_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_same_message_is_no_change, setup, teardown),
		cmocka_unit_test(test_devid_when_the_irqchip_needs_it),
		cmocka_unit_test(test_msi_dest_cpu),
		cmocka_unit_test(test_msi_route_address),
		cmocka_unit_test_setup_teardown(test_table_never_exceeds_kvm_limit, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
