// SPDX-License-Identifier: GPL-2.0-only
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "minivmm/pci_bdf.h"

/* Exactly @digits hex digits at *s; advances *s. */
static int parse_hex(const char **s, int digits, unsigned int *out)
{
	unsigned int v = 0;

	for (int i = 0; i < digits; i++) {
		char c = (*s)[i];

		if (!isxdigit((unsigned char)c))
			return -EINVAL;
		v = v * 16 + (isdigit((unsigned char)c) ? c - '0' : (tolower(c) - 'a' + 10));
	}
	*s += digits;
	*out = v;
	return 0;
}

int pci_bdf_parse(const char *s, struct pci_bdf *out)
{
	unsigned int seg = 0, bus, dev, fn;
	const char *p = s;

	if (!s)
		return -EINVAL;
	/* With a domain the string is 12 characters, without it 7. */
	if (strlen(s) == 12) {
		if (parse_hex(&p, 4, &seg) || *p++ != ':')
			return -EINVAL;
	} else if (strlen(s) != 7) {
		return -EINVAL;
	}
	if (parse_hex(&p, 2, &bus) || *p++ != ':' || parse_hex(&p, 2, &dev) ||
	    *p++ != '.' || parse_hex(&p, 1, &fn) || *p)
		return -EINVAL;
	if (dev > 31 || fn > 7)
		return -EINVAL;
	out->seg = seg;
	out->bus = bus;
	out->dev = dev;
	out->fn = fn;
	return 0;
}

void pci_bdf_format(const struct pci_bdf *bdf, char buf[PCI_BDF_STRLEN])
{
	snprintf(buf, PCI_BDF_STRLEN, "%04x:%02x:%02x.%x", bdf->seg, bdf->bus, bdf->dev & 0x1f, bdf->fn & 7);
}
