// SPDX-License-Identifier: GPL-2.0-only
/*
 * minivmm-exit STATUS: end a minivmm guest with STATUS (0-123) as
 * minivmm's exit status, for people who bring their own initramfs.
 * Writes STATUS to minivmm's guest status port (0xf4); build it static.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>

#define GUEST_STATUS_PORT 0xf4

int main(int argc, char *argv[])
{
	char *end;
	long status;

	if (argc != 2) {
		fprintf(stderr, "usage: minivmm-exit STATUS   (0-123)\n");
		return 2;
	}
	status = strtol(argv[1], &end, 10);
	if (*end || end == argv[1] || status < 0 || status > 123) {
		fprintf(stderr, "minivmm-exit: '%s' is not a status from 0 to 123\n", argv[1]);
		return 2;
	}
	if (ioperm(GUEST_STATUS_PORT, 1, 1)) {
		perror("minivmm-exit: ioperm (needs root)");
		return 1;
	}
	outb((unsigned char)status, GUEST_STATUS_PORT);
	/* Only reached when not running under minivmm. */
	fprintf(stderr, "minivmm-exit: nobody took the status: not a minivmm guest?\n");
	return 1;
}
