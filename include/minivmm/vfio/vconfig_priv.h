/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the two halves of config-space virtualization, and by nothing
 * else: src/vfio/vconfig_layout.c (the permission map built from the
 * device's snapshot) and src/vfio/vconfig.c (guest reads and writes through
 * it). Register numbers and bits as Linux's pci_regs.h names them.
 */
#ifndef MINIVMM_VFIO_VCONFIG_PRIV_H
#define MINIVMM_VFIO_VCONFIG_PRIV_H

#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Standard header registers (type 0). */
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_CACHE_LINE_SIZE 0x0c
#define PCI_LATENCY_TIMER 0x0d
#define PCI_HEADER_TYPE 0x0e
#define PCI_BASE_ADDRESS_0 0x10
#define PCI_ROM_ADDRESS 0x30
#define PCI_CAPABILITY_LIST 0x34
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_STD_HEADER_SIZEOF 0x40
#define PCI_CFG_SPACE_SIZE 0x100

#define PCI_COMMAND_IO 0x0001
#define PCI_COMMAND_MEMORY 0x0002
#define PCI_COMMAND_MASTER 0x0004
#define PCI_COMMAND_PARITY 0x0040
#define PCI_COMMAND_SERR 0x0100
#define PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS_CAP_LIST 0x0010
#define PCI_STATUS_ERRORS 0xf900 /* W1C: parity, target/master aborts, SERR */
#define PCI_HEADER_TYPE_MFD 0x80

#define PCI_BAR_IO 0x1
#define PCI_BAR_MEM_64 0x4
#define PCI_BAR_MEM_PREFETCH 0x8
#define PCI_ROM_ENABLE 0x1
#define PCI_ROM_ADDR_MASK 0xfffff800u

/* Capability IDs. */
#define PCI_CAP_ID_PM 0x01
#define PCI_CAP_ID_AGP 0x02
#define PCI_CAP_ID_VPD 0x03
#define PCI_CAP_ID_SLOTID 0x04
#define PCI_CAP_ID_MSI 0x05
#define PCI_CAP_ID_CHSWP 0x06
#define PCI_CAP_ID_PCIX 0x07
#define PCI_CAP_ID_HT 0x08
#define PCI_CAP_ID_VNDR 0x09
#define PCI_CAP_ID_DBG 0x0a
#define PCI_CAP_ID_CCRC 0x0b
#define PCI_CAP_ID_SHPC 0x0c
#define PCI_CAP_ID_SSVID 0x0d
#define PCI_CAP_ID_AGP3 0x0e
#define PCI_CAP_ID_SECDEV 0x0f
#define PCI_CAP_ID_EXP 0x10
#define PCI_CAP_ID_MSIX 0x11
#define PCI_CAP_ID_SATA 0x12
#define PCI_CAP_ID_AF 0x13
#define PCI_CAP_ID_EA 0x14

#define PCI_EXT_CAP_ID_ERR 0x0001
#define PCI_EXT_CAP_ID_DSN 0x0003
#define PCI_EXT_CAP_ID_PWR 0x0004
#define PCI_EXT_CAP_ID_VNDR 0x000b
#define PCI_EXT_CAP_ID_ACS 0x000d
#define PCI_EXT_CAP_ID_ARI 0x000e
#define PCI_EXT_CAP_ID_ATS 0x000f
#define PCI_EXT_CAP_ID_SRIOV 0x0010
#define PCI_EXT_CAP_ID_MCAST 0x0012
#define PCI_EXT_CAP_ID_PRI 0x0013
#define PCI_EXT_CAP_ID_LTR 0x0018
#define PCI_EXT_CAP_ID_PASID 0x001b
#define PCI_EXT_CAP_ID_DVSEC 0x0023
#define PCI_EXT_CAP_ID_L1SS 0x001e
#define PCI_EXT_CAP_ID_PTM 0x001f

/* MSI. */
#define PCI_MSI_FLAGS 0x02
#define PCI_MSI_FLAGS_ENABLE 0x0001
#define PCI_MSI_FLAGS_QMASK 0x000e
#define PCI_MSI_FLAGS_QSIZE 0x0070
#define PCI_MSI_FLAGS_64BIT 0x0080
#define PCI_MSI_FLAGS_MASKBIT 0x0100

/* Power management. */
#define PCI_PM_CTRL 0x04
#define PCI_PM_CTRL_STATE_MASK 0x0003

/* MSI-X. */
#define PCI_MSIX_FLAGS 0x02
#define PCI_MSIX_FLAGS_MASKALL 0x4000
#define PCI_MSIX_FLAGS_ENABLE 0x8000

/* PCI Express. */
#define PCI_EXP_FLAGS 0x02
#define PCI_EXP_FLAGS_VERS 0x000f
#define PCI_EXP_FLAGS_TYPE 0x00f0
#define PCI_EXP_TYPE_ENDPOINT 0x0
#define PCI_EXP_TYPE_LEG_END 0x1
#define PCI_EXP_TYPE_RC_END 0x9
#define PCI_EXP_DEVCTL 0x08
#define PCI_EXP_DEVCTL_PHANTOM 0x0200
#define PCI_EXP_DEVCTL_BCR_FLR 0x8000
#define PCI_EXP_SIZEOF_V1 0x14 /* endpoint, through Link Status */
#define PCI_EXP_SIZEOF_V2 0x3c

#define STD_TTL 48                                       /* as Linux's PCI_FIND_CAP_TTL */
#define EXT_TTL ((VCONFIG_SIZE - PCI_CFG_SPACE_SIZE) / 8) /* as Linux's __pci_find_next_ext_capability */

/* Little-endian register values of 1 to 4 bytes. */
static inline uint32_t le(const uint8_t *p, unsigned int len)
{
	uint32_t v = 0;

	for (unsigned int i = 0; i < len; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static inline void put_le(uint8_t *p, unsigned int len, uint32_t v)
{
	for (unsigned int i = 0; i < len; i++)
		p[i] = v >> (8 * i);
}

/* MSI capability length, with the extended message data word after the data. */
unsigned int vconfig_msi_len(uint16_t flags);

#endif
