// SPDX-License-Identifier: GPL-2.0-only
/*
 * minivmm-exit STATUS: end a minivmm guest with STATUS (0-123) as
 * minivmm's exit status, for people who bring their own initramfs.
 * Writes STATUS to minivmm's guest status register: I/O port 0xf4 on
 * x86, one byte of MMIO at 0x09010000 on arm64 (through /dev/mem). Build
 * it static.
 */
#include <stdio.h>
#include <stdlib.h>

#if defined(__aarch64__)
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "minivmm/arm64/layout.h"

/* One byte at the register: /dev/mem maps whole pages. */
static int write_status(unsigned char status)
{
	long page = sysconf(_SC_PAGESIZE);
	off_t base = (off_t)(LAYOUT_STATUS_START & ~(unsigned long long)(page - 1));
	int fd = open("/dev/mem", O_RDWR | O_SYNC);
	volatile unsigned char *p;

	if (fd < 0) {
		perror("minivmm-exit: /dev/mem (needs root and CONFIG_DEVMEM)");
		return -1;
	}
	p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, base);
	close(fd);
	if (p == MAP_FAILED) {
		perror("minivmm-exit: mmap of the status register");
		return -1;
	}
	p[LAYOUT_STATUS_START - base] = status;
	return 0;
}
#else
#include <sys/io.h>

#include "minivmm/x86/layout.h"

static int write_status(unsigned char status)
{
	if (ioperm(LAYOUT_PORT_GUEST_STATUS, 1, 1)) {
		perror("minivmm-exit: ioperm (needs root)");
		return -1;
	}
	outb(status, LAYOUT_PORT_GUEST_STATUS);
	return 0;
}
#endif

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
	if (write_status((unsigned char)status))
		return 1;
	/* Only reached when not running under minivmm. */
	fprintf(stderr, "minivmm-exit: nobody took the status: not a minivmm guest?\n");
	return 1;
}
