/* SPDX-License-Identifier: GPL-2.0-only */
/* PCI addresses as users write them: DDDD:BB:DD.F or BB:DD.F. Pure. */
#ifndef MINIVMM_PCI_BDF_H
#define MINIVMM_PCI_BDF_H

#include <stdint.h>

struct pci_bdf {
	uint16_t seg;
	uint8_t bus, dev, fn;
};

/* Longest text form plus NUL: "dddd:bb:dd.f". */
#define PCI_BDF_STRLEN 13

/* Returns 0 or -EINVAL (malformed, or a field out of range). */
int pci_bdf_parse(const char *s, struct pci_bdf *out);
/* The same function (fields compared: the struct has a padding byte). */
static inline int pci_bdf_equal(const struct pci_bdf *a, const struct pci_bdf *b)
{
	return a->seg == b->seg && a->bus == b->bus && a->dev == b->dev && a->fn == b->fn;
}
/* Canonical "0000:03:00.0" into @buf (PCI_BDF_STRLEN bytes). */
void pci_bdf_format(const struct pci_bdf *bdf, char buf[PCI_BDF_STRLEN]);

#endif
