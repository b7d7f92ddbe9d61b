// SPDX-License-Identifier: GPL-2.0-only
/*
 * ACPI tables for a firmware-less x86_64 guest; see
 * include/minivmm/x86/acpi.h. Layout inside the caller's buffer, each
 * table 8-byte aligned:
 *
 *   RSDP (rev 2) -> XSDT -> { FADT -> DSDT, MADT, MCFG }
 *
 * The platform is "hardware-reduced" ACPI: no PM1/GPE blocks, no SCI, no
 * FACS; power-off goes through the FADT sleep control/status registers and
 * reboot through the FADT reset register, all plain I/O ports the VMM
 * traps. Multi-byte fields are little-endian, as is every x86 host.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "minivmm/x86/acpi.h"
#include "minivmm/x86/aml.h"
#include "minivmm/x86/aml_code.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "ACPI tables are built with host-endian packed structs"
#endif

#define __packed __attribute__((packed))

/* Identification common to every table. */
#define ACPI_OEM_ID "MINVMM" /* 6 bytes */
#define ACPI_OEM_TABLE_ID "MINIVMM " /* 8 bytes */
#define ACPI_OEM_REVISION 1
#define ACPI_CREATOR_ID "MVMM" /* 4 bytes */
#define ACPI_CREATOR_REVISION 1

/* Table revisions (ACPI 6.3). */
#define ACPI_RSDP_REVISION 2 /* ACPI 2.0+ RSDP, has the XSDT pointer */
#define ACPI_XSDT_REVISION 1
#define ACPI_FADT_REVISION 6
#define ACPI_FADT_MINOR_REVISION 3
#define ACPI_MADT_REVISION 5
#define ACPI_MCFG_REVISION 1
/* DSDT revision 2 or more makes AML integers 64 bits wide. */
#define ACPI_DSDT_REVISION 2

/* Tables are 8-byte aligned in the buffer; the RSDP must be 16-byte aligned. */
#define ACPI_TABLE_ALIGN 8
#define ACPI_RSDP_ALIGN 16
/* The RSDP's first checksum covers only the ACPI 1.0 part. */
#define ACPI_RSDP_V1_LEN 20

/* FADT Flags. */
#define ACPI_FADT_PWR_BUTTON (1u << 4) /* power button, if any, is a device */
#define ACPI_FADT_SLP_BUTTON (1u << 5) /* sleep button, if any, is a device */
#define ACPI_FADT_RESET_REG_SUP (1u << 10) /* RESET_REG is valid */
#define ACPI_FADT_HW_REDUCED_ACPI (1u << 20)
/* FADT IAPC_BOOT_ARCH. The 8042 bit (1) stays clear: there is no i8042,
 * and Linux skips probing it. MSI_NOT_SUPPORTED (3) stays clear. */
#define ACPI_FADT_VGA_NOT_PRESENT (1u << 2)
#define ACPI_FADT_CMOS_RTC_NOT_PRESENT (1u << 5)

/* Generic Address Structure. */
#define ACPI_GAS_SYSTEM_IO 1
#define ACPI_GAS_ACCESS_BYTE 1

/* MADT. */
#define ACPI_MADT_PCAT_COMPAT (1u << 0)
#define ACPI_MADT_TYPE_LAPIC 0
#define ACPI_MADT_TYPE_IOAPIC 1
#define ACPI_MADT_TYPE_LAPIC_NMI 4
#define ACPI_MADT_TYPE_X2APIC 9
#define ACPI_MADT_TYPE_X2APIC_NMI 10
#define ACPI_MADT_LAPIC_ENABLED (1u << 0)
/* Local APIC NMI entry: applies to all processors, wired to LINT1. */
#define ACPI_MADT_ALL_PROCESSORS 0xff
#define ACPI_MADT_LINT1 1
/* xAPIC ids are 8 bits and 0xff is the broadcast id: ids 0..254 only. */
#define ACPI_MAX_XAPIC_CPUS 255 /* APIC ids 0..254 fit a Local APIC entry */
#define ACPI_MAX_CPUS 4096       /* KVM's largest vCPU id space */
#define ACPI_MADT_ALL_X2APIC 0xffffffffu

/* PCI. */
#define ACPI_PCI_MAX_SLOT 31
#define ACPI_PCI_MAX_PIN 3 /* INTD */
#define ACPI_PRT_MAX 255 /* Package NumElements is one byte */
#define ACPI_PRT_ALL_FUNCTIONS 0xffff /* _PRT Address low word */
#define ACPI_ECAM_BUS_SIZE (1ULL << 20) /* 1 MiB of config space per bus */
/* Legacy CF8/CFC configuration mechanism ports, owned by the host bridge. */
#define ACPI_PCI_CONFIG_PORT 0xcf8
#define ACPI_PCI_CONFIG_PORT_LEN 8
/* Legacy (ISA) ports forwarded by the host bridge: everything below CF8. */
#define ACPI_PCI_LEGACY_IO_END 0xcf7
/* First port a PCI I/O window may start at (after the CF8-CFF block). */
#define ACPI_PCI_IO_WINDOW_MIN 0xd00

struct acpi_table_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	char creator_id[4];
	uint32_t creator_revision;
} __packed;
_Static_assert(sizeof(struct acpi_table_header) == 36, "ACPI header size");

struct acpi_rsdp {
	char signature[8];
	uint8_t checksum;
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt_address;
	uint32_t length;
	uint64_t xsdt_address;
	uint8_t extended_checksum;
	uint8_t reserved[3];
} __packed;
_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP size");

struct acpi_gas {
	uint8_t space_id;
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address;
} __packed;
_Static_assert(sizeof(struct acpi_gas) == 12, "GAS size");

struct acpi_fadt {
	struct acpi_table_header header;
	uint32_t firmware_ctrl;
	uint32_t dsdt;
	uint8_t reserved0;
	uint8_t preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable;
	uint8_t acpi_disable;
	uint8_t s4bios_req;
	uint8_t pstate_cnt;
	uint32_t pm1a_evt_blk;
	uint32_t pm1b_evt_blk;
	uint32_t pm1a_cnt_blk;
	uint32_t pm1b_cnt_blk;
	uint32_t pm2_cnt_blk;
	uint32_t pm_tmr_blk;
	uint32_t gpe0_blk;
	uint32_t gpe1_blk;
	uint8_t pm1_evt_len;
	uint8_t pm1_cnt_len;
	uint8_t pm2_cnt_len;
	uint8_t pm_tmr_len;
	uint8_t gpe0_blk_len;
	uint8_t gpe1_blk_len;
	uint8_t gpe1_base;
	uint8_t cst_cnt;
	uint16_t p_lvl2_lat;
	uint16_t p_lvl3_lat;
	uint16_t flush_size;
	uint16_t flush_stride;
	uint8_t duty_offset;
	uint8_t duty_width;
	uint8_t day_alrm;
	uint8_t mon_alrm;
	uint8_t century;
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_revision;
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	struct acpi_gas x_pm1a_evt_blk;
	struct acpi_gas x_pm1b_evt_blk;
	struct acpi_gas x_pm1a_cnt_blk;
	struct acpi_gas x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk;
	struct acpi_gas x_pm_tmr_blk;
	struct acpi_gas x_gpe0_blk;
	struct acpi_gas x_gpe1_blk;
	struct acpi_gas sleep_control_reg;
	struct acpi_gas sleep_status_reg;
	char hypervisor_vendor[8];
} __packed;
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT (revision 6) size");
_Static_assert(offsetof(struct acpi_fadt, flags) == 112, "FADT flags offset");
_Static_assert(offsetof(struct acpi_fadt, x_dsdt) == 140, "FADT X_DSDT offset");
_Static_assert(offsetof(struct acpi_fadt, sleep_control_reg) == 244, "FADT sleep offset");

struct acpi_madt {
	struct acpi_table_header header;
	uint32_t lapic_addr;
	uint32_t flags;
} __packed;
_Static_assert(sizeof(struct acpi_madt) == 44, "MADT size");

struct acpi_madt_lapic {
	uint8_t type;
	uint8_t length;
	uint8_t processor_uid;
	uint8_t apic_id;
	uint32_t flags;
} __packed;
_Static_assert(sizeof(struct acpi_madt_lapic) == 8, "MADT LAPIC size");

struct acpi_madt_ioapic {
	uint8_t type;
	uint8_t length;
	uint8_t ioapic_id;
	uint8_t reserved;
	uint32_t address;
	uint32_t gsi_base;
} __packed;
_Static_assert(sizeof(struct acpi_madt_ioapic) == 12, "MADT IOAPIC size");

struct acpi_madt_lapic_nmi {
	uint8_t type;
	uint8_t length;
	uint8_t processor_uid;
	uint16_t flags;
	uint8_t lint;
} __packed;
_Static_assert(sizeof(struct acpi_madt_lapic_nmi) == 6, "MADT LAPIC NMI size");

/* ACPI 6.x 5.2.12.12/13: for APIC ids 255 and up. */
struct acpi_madt_x2apic {
	uint8_t type;
	uint8_t length;
	uint16_t reserved;
	uint32_t x2apic_id;
	uint32_t flags;
	uint32_t processor_uid;
} __packed;
_Static_assert(sizeof(struct acpi_madt_x2apic) == 16, "MADT x2APIC size");

struct acpi_madt_x2apic_nmi {
	uint8_t type;
	uint8_t length;
	uint16_t flags;
	uint32_t processor_uid;
	uint8_t lint;
	uint8_t reserved[3];
} __packed;
_Static_assert(sizeof(struct acpi_madt_x2apic_nmi) == 12, "MADT x2APIC NMI size");

struct acpi_mcfg {
	struct acpi_table_header header;
	uint8_t reserved[8];
} __packed;
_Static_assert(sizeof(struct acpi_mcfg) == 44, "MCFG size");

struct acpi_mcfg_alloc {
	uint64_t base;
	uint16_t segment;
	uint8_t bus_start;
	uint8_t bus_end;
	uint32_t reserved;
} __packed;
_Static_assert(sizeof(struct acpi_mcfg_alloc) == 16, "MCFG allocation size");

/* Tables listed by the XSDT, in this order. */
enum { XSDT_FADT, XSDT_MADT, XSDT_MCFG, XSDT_NENTRIES };

/* Bump allocator over the caller's buffer; never hands out bytes past it. */
struct acpi_out {
	uint8_t *buf;
	size_t size;
	size_t len;
};

uint8_t acpi_checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum += *p++;
	return (uint8_t)-sum;
}

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* Reserve @n zeroed bytes at the next table boundary; NULL if they don't fit. */
static void *acpi_alloc(struct acpi_out *o, size_t n, size_t *off)
{
	size_t start = align_up(o->len, ACPI_TABLE_ALIGN);

	if (start > o->size || n > o->size - start)
		return NULL;
	memset(o->buf + o->len, 0, start + n - o->len);
	o->len = start + n;
	*off = start;
	return o->buf + start;
}

static void acpi_header(struct acpi_table_header *h, const char sig[4], size_t len,
			uint8_t revision)
{
	memcpy(h->signature, sig, sizeof(h->signature));
	h->length = (uint32_t)len;
	h->revision = revision;
	h->checksum = 0;
	memcpy(h->oem_id, ACPI_OEM_ID, sizeof(h->oem_id));
	memcpy(h->oem_table_id, ACPI_OEM_TABLE_ID, sizeof(h->oem_table_id));
	h->oem_revision = ACPI_OEM_REVISION;
	memcpy(h->creator_id, ACPI_CREATOR_ID, sizeof(h->creator_id));
	h->creator_revision = ACPI_CREATOR_REVISION;
}

/* Checksum a table whose header is complete and body written. */
static void acpi_seal(void *table)
{
	struct acpi_table_header *h = table;

	h->checksum = 0;
	h->checksum = acpi_checksum(table, h->length);
}

static void acpi_io_gas(struct acpi_gas *g, uint16_t port)
{
	g->space_id = ACPI_GAS_SYSTEM_IO;
	g->bit_width = 8;
	g->bit_offset = 0;
	g->access_size = ACPI_GAS_ACCESS_BYTE;
	g->address = port;
}

static int acpi_check_config(const struct acpi_config *cfg, uint64_t gpa)
{
	size_t i;

	if (!cfg || gpa % ACPI_RSDP_ALIGN)
		return -EINVAL;
	if (cfg->ncpus == 0 || cfg->ncpus > ACPI_MAX_CPUS)
		return -EINVAL;
	/* Hardware-reduced power-off needs both sleep registers (Linux
	 * checks both are non-zero); port 0 is never a valid choice. */
	if (!cfg->sleep_ctl_port || !cfg->sleep_sts_port || !cfg->reset_port)
		return -EINVAL;
	if (cfg->ecam_base % ACPI_ECAM_BUS_SIZE ||
	    cfg->ecam_base > UINT64_MAX - (cfg->ecam_bus_end + 1) * ACPI_ECAM_BUS_SIZE)
		return -EINVAL;
	/* The I/O window must sit above the legacy ports and CF8-CFF. */
	if (cfg->pci_io_size && (cfg->pci_io_base < ACPI_PCI_IO_WINDOW_MIN ||
				 cfg->pci_io_base + cfg->pci_io_size - 1 > UINT16_MAX))
		return -EINVAL;
	if (cfg->pci_mmio32_size &&
	    (cfg->pci_mmio32_base > UINT32_MAX ||
	     cfg->pci_mmio32_size > (uint64_t)UINT32_MAX + 1 - cfg->pci_mmio32_base))
		return -EINVAL;
	if (cfg->pci_mmio64_size && cfg->pci_mmio64_size - 1 > UINT64_MAX - cfg->pci_mmio64_base)
		return -EINVAL;
	if (cfg->nprt > ACPI_PRT_MAX || (cfg->nprt && !cfg->prt))
		return -EINVAL;
	for (i = 0; i < cfg->nprt; i++)
		if (cfg->prt[i].slot > ACPI_PCI_MAX_SLOT || cfg->prt[i].pin > ACPI_PCI_MAX_PIN)
			return -EINVAL;
	return 0;
}

/* \_SB.PCI0._CRS: what the host bridge decodes. */
static int acpi_pci0_crs(const struct acpi_config *cfg, struct aml *a)
{
	size_t crs;

	aml_name(a, "_CRS");
	aml_restemplate_begin(a, &crs);
	aml_res_word_bus(a, 0, cfg->ecam_bus_end);
	/* As QEMU: the bridge claims CF8-CFF and forwards the legacy ports
	 * below them, then the PCI I/O window for I/O BARs. */
	aml_res_io(a, ACPI_PCI_CONFIG_PORT, ACPI_PCI_CONFIG_PORT, 1, ACPI_PCI_CONFIG_PORT_LEN);
	aml_res_word_io(a, 0, ACPI_PCI_LEGACY_IO_END);
	if (cfg->pci_io_size)
		aml_res_word_io(a, cfg->pci_io_base,
				(uint16_t)(cfg->pci_io_base + cfg->pci_io_size - 1));
	if (cfg->pci_mmio32_size)
		aml_res_dword_mem(a, AML_MEM_READ_WRITE | AML_MEM_NON_CACHEABLE,
				  (uint32_t)cfg->pci_mmio32_base,
				  (uint32_t)(cfg->pci_mmio32_base + cfg->pci_mmio32_size - 1));
	/* Cacheable as QEMU marks its 64-bit hole; Linux ignores the bit for
	 * windows (only "prefetchable" would change BAR placement). */
	if (cfg->pci_mmio64_size)
		aml_res_qword_mem(a, AML_MEM_READ_WRITE | AML_MEM_CACHEABLE,
				  cfg->pci_mmio64_base,
				  cfg->pci_mmio64_base + cfg->pci_mmio64_size - 1);
	return aml_restemplate_end(a, crs);
}

/* \_SB.PCI0._PRT: Package(){ Package(){ Address, Pin, Source, Index } },
 * in the "direct GSI" form (Source = 0, Index = the GSI). */
static int acpi_pci0_prt(const struct acpi_config *cfg, struct aml *a)
{
	size_t prt, ent, i;

	aml_name(a, "_PRT");
	aml_package_begin(a, &prt);
	for (i = 0; i < cfg->nprt; i++) {
		aml_package_begin(a, &ent);
		aml_integer(a, ((uint32_t)cfg->prt[i].slot << 16) | ACPI_PRT_ALL_FUNCTIONS);
		aml_integer(a, cfg->prt[i].pin);
		aml_integer(a, 0);
		aml_integer(a, cfg->prt[i].gsi);
		aml_package_end(a, ent, 4);
	}
	return aml_package_end(a, prt, (unsigned int)cfg->nprt);
}

/* Name of slot @n's object under PCI0: "S01".."S1F". */
static void slot_name(unsigned int n, char out[8])
{
	snprintf(out, 8, "S%02X", n);
}

/*
 * Hotplug inside PCI0: the register fields, PCNT (what the GED runs:
 * Notify each slot with a pending insert (device check) or removal
 * (eject request), then acknowledge them), and one ejectable object per
 * hotplug slot whose _EJ0 writes the eject register.
 */
static int acpi_pci0_hotplug(const struct acpi_config *cfg, struct aml *a)
{
	static const char *const fields[] = { "PCIU", "PCID", "B0EJ", "PACK" };
	size_t m, mi, dev;
	char name[8];

	aml_opregion_io(a, "PCHP", cfg->hotplug_port, ACPI_HOTPLUG_LEN);
	aml_field_dwords(a, "PCHP", fields, 4);

	aml_method_begin(a, "PCNT", 0, &m);
	aml_op(a, AML_STORE_OP);
	aml_namestring(a, "PCIU");
	aml_local(a, 0);
	aml_op(a, AML_STORE_OP);
	aml_namestring(a, "PCID");
	aml_local(a, 1);
	for (unsigned int n = 1; n < 32; n++) {
		if (!(cfg->hotplug_slots & (1u << n)))
			continue;
		slot_name(n, name);
		for (unsigned int l = 0; l < 2; l++) {
			aml_if_begin(a, &mi);
			aml_op(a, AML_AND_OP);
			aml_local(a, l);
			aml_integer(a, 1u << n);
			aml_no_target(a);
			aml_op(a, AML_NOTIFY_OP);
			aml_namestring(a, name);
			aml_integer(a, l ? AML_NOTIFY_EJECT_REQUEST : AML_NOTIFY_DEVICE_CHECK);
			aml_if_end(a, mi);
		}
	}
	/* PACK = Local0 | Local1 */
	aml_op(a, AML_STORE_OP);
	aml_op(a, AML_OR_OP);
	aml_local(a, 0);
	aml_local(a, 1);
	aml_no_target(a);
	aml_namestring(a, "PACK");
	aml_method_end(a, m);

	for (unsigned int n = 1; n < 32; n++) {
		if (!(cfg->hotplug_slots & (1u << n)))
			continue;
		slot_name(n, name);
		aml_device_begin(a, name, &dev);
		aml_name(a, "_ADR");
		aml_integer(a, (uint32_t)n << 16);
		aml_name(a, "_SUN");
		aml_integer(a, n);
		aml_method_begin(a, "_EJ0", 1, &m);
		aml_op(a, AML_STORE_OP);
		aml_integer(a, 1u << n);
		aml_namestring(a, "B0EJ");
		aml_method_end(a, m);
		aml_device_end(a, dev);
	}
	return aml_error(a);
}

/* The Generic Event Device: its interrupt runs the hotplug check. */
static int acpi_ged(const struct acpi_config *cfg, struct aml *a)
{
	size_t dev, crs, m;

	aml_device_begin(a, "GED0", &dev);
	aml_name(a, "_HID");
	aml_string(a, "ACPI0013");
	aml_name(a, "_UID");
	aml_integer(a, 0);
	aml_name(a, "_CRS");
	aml_restemplate_begin(a, &crs);
	aml_res_interrupt_level_high(a, cfg->hotplug_gsi);
	aml_restemplate_end(a, crs);
	aml_method_begin(a, "_EVT", 1, &m);
	aml_namestring(a, "\\_SB.PCI0.PCNT");
	aml_method_end(a, m);
	return aml_device_end(a, dev);
}

static int acpi_dsdt_body(const struct acpi_config *cfg, struct aml *a)
{
	uint64_t ecam_end = cfg->ecam_base + (cfg->ecam_bus_end + 1) * ACPI_ECAM_BUS_SIZE - 1;
	size_t pkg, sb, dev, crs;

	/* \_S5: SLP_TYPa, SLP_TYPb, reserved, reserved. */
	aml_name(a, "_S5");
	aml_package_begin(a, &pkg);
	aml_integer(a, ACPI_S5_SLP_TYP);
	aml_integer(a, 0);
	aml_integer(a, 0);
	aml_integer(a, 0);
	aml_package_end(a, pkg, 4);

	aml_scope_begin(a, "\\_SB", &sb);

	/* PCI Express host bridge, segment 0, buses from 0. */
	aml_device_begin(a, "PCI0", &dev);
	aml_name(a, "_HID");
	aml_eisaid_emit(a, "PNP0A08");
	aml_name(a, "_CID");
	aml_eisaid_emit(a, "PNP0A03");
	aml_name(a, "_SEG");
	aml_integer(a, 0);
	aml_name(a, "_BBN");
	aml_integer(a, 0);
	aml_name(a, "_UID");
	aml_integer(a, 0);
	acpi_pci0_crs(cfg, a);
	acpi_pci0_prt(cfg, a);
	if (cfg->hotplug_slots)
		acpi_pci0_hotplug(cfg, a);
	aml_device_end(a, dev);
	if (cfg->hotplug_slots)
		acpi_ged(cfg, a);

	if (cfg->com1_port) {
		aml_device_begin(a, "COM1", &dev);
		aml_name(a, "_HID");
		aml_eisaid_emit(a, "PNP0501");
		aml_name(a, "_UID");
		aml_integer(a, 1);
		aml_name(a, "_CRS");
		aml_restemplate_begin(a, &crs);
		aml_res_io(a, cfg->com1_port, cfg->com1_port, 1, 8);
		aml_res_irq_noflags(a, cfg->com1_irq);
		aml_restemplate_end(a, crs);
		aml_device_end(a, dev);
	}

	if (cfg->pvpanic_port) {
		aml_device_begin(a, "PEVT", &dev);
		aml_name(a, "_HID");
		aml_string(a, "QEMU0001");
		aml_name(a, "_CRS");
		aml_restemplate_begin(a, &crs);
		aml_res_io(a, cfg->pvpanic_port, cfg->pvpanic_port, 1, 1);
		aml_restemplate_end(a, crs);
		aml_name(a, "_STA");
		aml_integer(a, 0xf); /* present, enabled, shown, functioning */
		aml_device_end(a, dev);
	}

	/* Motherboard resources: Linux only trusts MMCONFIG (MCFG) if the
	 * ECAM range is reserved here (or in e820). */
	aml_device_begin(a, "MRES", &dev);
	aml_name(a, "_HID");
	aml_eisaid_emit(a, "PNP0C02");
	aml_name(a, "_CRS");
	aml_restemplate_begin(a, &crs);
	aml_res_addr(a, 64, AML_ADDR_MEMORY, AML_ADDR_CONSUMER | AML_ADDR_WINDOW,
		     AML_MEM_READ_WRITE | AML_MEM_NON_CACHEABLE, cfg->ecam_base, ecam_end);
	aml_restemplate_end(a, crs);
	aml_device_end(a, dev);

	aml_scope_end(a, sb);
	return aml_error(a);
}

/* The DSDT at the next table boundary; returns its offset or -errno. */
static long acpi_build_dsdt(const struct acpi_config *cfg, struct acpi_out *o)
{
	struct acpi_table_header hdr;
	size_t off = align_up(o->len, ACPI_TABLE_ALIGN);
	struct aml a;
	int ret;

	if (off > o->size)
		return -ENOSPC;
	memset(o->buf + o->len, 0, off - o->len);
	aml_init(&a, o->buf + off, o->size - off);
	memset(&hdr, 0, sizeof(hdr));
	aml_bytes(&a, &hdr, sizeof(hdr));
	ret = acpi_dsdt_body(cfg, &a);
	if (ret)
		return ret;
	if (a.len > UINT32_MAX)
		return -EINVAL;
	acpi_header((struct acpi_table_header *)(o->buf + off), "DSDT", a.len,
		    ACPI_DSDT_REVISION);
	acpi_seal(o->buf + off);
	o->len = off + a.len;
	return (long)off;
}

/*
 * MADT flags: PCAT_COMPAT is set. It truthfully says a dual-8259 is present
 * (KVM's in-kernel irqchip has one) and that an OS switching to APIC mode
 * must mask it. Linux on a hardware-reduced FADT uses null_legacy_pic and
 * never touches the 8259 either way, so the bit only matters to other OSes,
 * for which "mask the PIC" is the safe instruction.
 *
 * CPUs with APIC ids 0..254 get Local APIC entries, the rest Local x2APIC
 * entries (255 is the xAPIC broadcast id); the guest then runs its APICs in
 * x2APIC mode, and MSIs reach ids above 255 through the extended
 * destination ID (KVM_FEATURE_MSI_EXT_DEST_ID). The IOAPIC only reaches
 * ids below 255, which Linux knows.
 */
static struct acpi_madt *acpi_build_madt(const struct acpi_config *cfg, struct acpi_out *o,
					 size_t *off)
{
	unsigned int nx = cfg->ncpus > ACPI_MAX_XAPIC_CPUS ? cfg->ncpus - ACPI_MAX_XAPIC_CPUS : 0;
	unsigned int nl = cfg->ncpus - nx;
	size_t len = sizeof(struct acpi_madt) + nl * sizeof(struct acpi_madt_lapic) + nx * sizeof(struct acpi_madt_x2apic) +
		     sizeof(struct acpi_madt_ioapic) + sizeof(struct acpi_madt_lapic_nmi) +
		     (nx ? sizeof(struct acpi_madt_x2apic_nmi) : 0);
	struct acpi_madt_lapic_nmi *nmi;
	struct acpi_madt_ioapic *io;
	struct acpi_madt_lapic *lapic;
	struct acpi_madt_x2apic *x2;
	struct acpi_madt *madt;
	unsigned int i;

	madt = acpi_alloc(o, len, off);
	if (!madt)
		return NULL;
	acpi_header(&madt->header, "APIC", len, ACPI_MADT_REVISION);
	madt->lapic_addr = cfg->lapic_addr;
	madt->flags = ACPI_MADT_PCAT_COMPAT;

	lapic = (struct acpi_madt_lapic *)(madt + 1);
	for (i = 0; i < nl; i++) {
		lapic[i].type = ACPI_MADT_TYPE_LAPIC;
		lapic[i].length = sizeof(lapic[i]);
		lapic[i].processor_uid = (uint8_t)i;
		lapic[i].apic_id = (uint8_t)i;
		lapic[i].flags = ACPI_MADT_LAPIC_ENABLED;
	}
	x2 = (struct acpi_madt_x2apic *)(lapic + nl);
	for (i = 0; i < nx; i++) {
		x2[i] = (struct acpi_madt_x2apic){
			.type = ACPI_MADT_TYPE_X2APIC, .length = sizeof(x2[i]),
			.x2apic_id = nl + i, .flags = ACPI_MADT_LAPIC_ENABLED, .processor_uid = nl + i,
		};
	}

	io = (struct acpi_madt_ioapic *)(x2 + nx);
	io->type = ACPI_MADT_TYPE_IOAPIC;
	io->length = sizeof(*io);
	io->ioapic_id = cfg->ioapic_id;
	io->address = cfg->ioapic_addr;
	io->gsi_base = 0;

	/* LINT1 of every CPU is the NMI input (flags 0: bus defaults). */
	nmi = (struct acpi_madt_lapic_nmi *)(io + 1);
	nmi->type = ACPI_MADT_TYPE_LAPIC_NMI;
	nmi->length = sizeof(*nmi);
	nmi->processor_uid = ACPI_MADT_ALL_PROCESSORS;
	nmi->flags = 0;
	nmi->lint = ACPI_MADT_LINT1;
	if (nx) {
		struct acpi_madt_x2apic_nmi *xn = (struct acpi_madt_x2apic_nmi *)(nmi + 1);

		*xn = (struct acpi_madt_x2apic_nmi){
			.type = ACPI_MADT_TYPE_X2APIC_NMI, .length = sizeof(*xn),
			.processor_uid = ACPI_MADT_ALL_X2APIC, .lint = ACPI_MADT_LINT1,
		};
	}
	return madt;
}

static struct acpi_mcfg *acpi_build_mcfg(const struct acpi_config *cfg, struct acpi_out *o,
					 size_t *off)
{
	size_t len = sizeof(struct acpi_mcfg) + sizeof(struct acpi_mcfg_alloc);
	struct acpi_mcfg_alloc *alloc;
	struct acpi_mcfg *mcfg;

	mcfg = acpi_alloc(o, len, off);
	if (!mcfg)
		return NULL;
	acpi_header(&mcfg->header, "MCFG", len, ACPI_MCFG_REVISION);
	alloc = (struct acpi_mcfg_alloc *)(mcfg + 1);
	alloc->base = cfg->ecam_base;
	alloc->segment = 0;
	alloc->bus_start = 0;
	alloc->bus_end = cfg->ecam_bus_end;
	return mcfg;
}

static void acpi_fill_fadt(const struct acpi_config *cfg, struct acpi_fadt *fadt,
			   uint64_t dsdt_gpa)
{
	acpi_header(&fadt->header, "FACP", sizeof(*fadt), ACPI_FADT_REVISION);
	fadt->minor_revision = ACPI_FADT_MINOR_REVISION;
	/* No FACS (optional when hardware-reduced), no SCI, no SMI. */
	fadt->dsdt = dsdt_gpa <= UINT32_MAX ? (uint32_t)dsdt_gpa : 0;
	fadt->x_dsdt = dsdt_gpa;
	fadt->flags = ACPI_FADT_HW_REDUCED_ACPI | ACPI_FADT_RESET_REG_SUP |
		      ACPI_FADT_PWR_BUTTON | ACPI_FADT_SLP_BUTTON;
	fadt->iapc_boot_arch = ACPI_FADT_VGA_NOT_PRESENT | ACPI_FADT_CMOS_RTC_NOT_PRESENT;
	acpi_io_gas(&fadt->reset_reg, cfg->reset_port);
	fadt->reset_value = cfg->reset_value;
	acpi_io_gas(&fadt->sleep_control_reg, cfg->sleep_ctl_port);
	acpi_io_gas(&fadt->sleep_status_reg, cfg->sleep_sts_port);
	memcpy(fadt->hypervisor_vendor, "MINIVMM\0", sizeof(fadt->hypervisor_vendor));
}

long acpi_build(const struct acpi_config *cfg, uint8_t *buf, size_t size, uint64_t gpa)
{
	size_t rsdp_off, xsdt_off, fadt_off, madt_off, mcfg_off, xsdt_len;
	struct acpi_out o = { .buf = buf, .size = size, .len = 0 };
	struct acpi_table_header *xsdt;
	struct acpi_rsdp *rsdp;
	struct acpi_fadt *fadt;
	struct acpi_madt *madt;
	struct acpi_mcfg *mcfg;
	uint64_t entries[XSDT_NENTRIES];
	long dsdt_off;
	int ret;

	ret = acpi_check_config(cfg, gpa);
	if (ret)
		return ret;
	if (!buf && size)
		return -EINVAL;

	/* Allocate everything first; pointers and checksums come last. */
	rsdp = acpi_alloc(&o, sizeof(*rsdp), &rsdp_off);
	if (!rsdp)
		return -ENOSPC;
	xsdt_len = sizeof(*xsdt) + sizeof(entries);
	xsdt = acpi_alloc(&o, xsdt_len, &xsdt_off);
	if (!xsdt)
		return -ENOSPC;
	fadt = acpi_alloc(&o, sizeof(*fadt), &fadt_off);
	if (!fadt)
		return -ENOSPC;
	dsdt_off = acpi_build_dsdt(cfg, &o);
	if (dsdt_off < 0)
		return dsdt_off;
	madt = acpi_build_madt(cfg, &o, &madt_off);
	if (!madt)
		return -ENOSPC;
	mcfg = acpi_build_mcfg(cfg, &o, &mcfg_off);
	if (!mcfg)
		return -ENOSPC;
	if (o.len - 1 > UINT64_MAX - gpa || o.len > LONG_MAX)
		return -EINVAL;

	acpi_fill_fadt(cfg, fadt, gpa + (uint64_t)dsdt_off);

	acpi_header(xsdt, "XSDT", xsdt_len, ACPI_XSDT_REVISION);
	entries[XSDT_FADT] = gpa + fadt_off;
	entries[XSDT_MADT] = gpa + madt_off;
	entries[XSDT_MCFG] = gpa + mcfg_off;
	memcpy(xsdt + 1, entries, sizeof(entries));

	memcpy(rsdp->signature, "RSD PTR ", sizeof(rsdp->signature));
	memcpy(rsdp->oem_id, ACPI_OEM_ID, sizeof(rsdp->oem_id));
	rsdp->revision = ACPI_RSDP_REVISION;
	rsdp->rsdt_address = 0; /* no RSDT: revision 2 OSes use the XSDT */
	rsdp->length = sizeof(*rsdp);
	rsdp->xsdt_address = gpa + xsdt_off;
	rsdp->checksum = acpi_checksum((uint8_t *)rsdp, ACPI_RSDP_V1_LEN);
	rsdp->extended_checksum = acpi_checksum((uint8_t *)rsdp, sizeof(*rsdp));

	acpi_seal(xsdt);
	acpi_seal(fadt);
	acpi_seal(madt);
	acpi_seal(mcfg);
	return (long)o.len;
}
