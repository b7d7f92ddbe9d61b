// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostile: a root guest program that does to an assigned PCI function,
 * seeded, what a driver gone wild could: random writes over all of config
 * space (BARs, command, ROM BAR, capability registers, MSI/MSI-X control,
 * PM, gaps), random 8/16/32/64-bit accesses over every memory BAR (MSI-X
 * table and PBA included) and I/O BAR, BAR sizing and relocation storms,
 * MSI-X enable/disable loops, INTx mask toggles, and bus mastering with
 * random register values (DMA to wherever the device is pointed: the
 * IOMMU faults what lies outside guest RAM).
 *
 * usage: hostile SYSFS-DEV SEED [ROUNDS]
 * Prints one line per phase with counts, and "hostile: done" at the end.
 * The rig builds it static (tests/rig/hostile/build.sh) for the guest.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mman.h>
#include <unistd.h>

static uint64_t rs;

static uint64_t rnd(void)
{
	/* splitmix64: the same seed, the same storm. */
	uint64_t z = (rs += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int cfg_fd;
static unsigned int cfg_size;

static uint32_t cfg_rd(unsigned int off, unsigned int len)
{
	uint32_t v = 0;

	if (pread(cfg_fd, &v, len, off) != (ssize_t)len)
		return ~0u;
	return v;
}

static void cfg_wr(unsigned int off, unsigned int len, uint32_t v)
{
	if (pwrite(cfg_fd, &v, len, off) != (ssize_t)len)
		return; /* the kernel refuses some (e.g. beyond its view): fine */
}

static unsigned int cap_find(unsigned int id)
{
	unsigned int p = cfg_rd(0x34, 1) & 0xfc, n = 0;

	while (p >= 0x40 && n++ < 48) {
		if ((cfg_rd(p, 1) & 0xff) == id)
			return p;
		p = cfg_rd(p + 1, 1) & 0xfc;
	}
	return 0;
}

struct bar {
	uint64_t size;
	int io;
	volatile uint8_t *map;
	uint64_t port;
};

static struct bar bars[6];

static void bars_open(const char *dev)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/resource", dev);
	f = fopen(path, "r");
	for (int i = 0; f && i < 6; i++) {
		unsigned long long start, end, flags;

		if (fscanf(f, "%llx %llx %llx", &start, &end, &flags) != 3)
			break;
		if (!end)
			continue;
		bars[i].size = end - start + 1;
		if (flags & 0x100) { /* IORESOURCE_IO */
			bars[i].io = 1;
			bars[i].port = start;
			if (ioperm(start, bars[i].size > 0x10000 - start ? 0x10000 - start : bars[i].size, 1))
				bars[i].size = 0;
			continue;
		}
		snprintf(path, sizeof(path), "%s/resource%d", dev, i);
		int fd = open(path, O_RDWR | O_SYNC);
		if (fd < 0) {
			bars[i].size = 0;
			continue;
		}
		void *m = mmap(NULL, bars[i].size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		close(fd);
		if (m == MAP_FAILED)
			bars[i].size = 0;
		else
			bars[i].map = m;
	}
	if (f)
		fclose(f);
}

/* One random access to a random BAR: width 1, 2, 4 or 8, aligned. */
static void bar_poke(int write_ok)
{
	unsigned int i = rnd() % 6, w = 1u << (rnd() % 4);
	struct bar *b = &bars[i];
	uint64_t off, v = rnd();

	if (!b->size || b->size < w)
		return;
	off = (rnd() % (b->size - w + 1)) & ~(uint64_t)(w - 1);
	if (b->io) {
		uint16_t port = b->port + off;

		if (w == 8)
			w = 4;
		if (write_ok && (rnd() & 1)) {
			if (w == 1) outb(v, port);
			else if (w == 2) outw(v, port);
			else outl(v, port);
		} else {
			if (w == 1) (void)inb(port);
			else if (w == 2) (void)inw(port);
			else (void)inl(port);
		}
		return;
	}
	if (write_ok && (rnd() & 1)) {
		switch (w) {
		case 1: *(volatile uint8_t *)(b->map + off) = v; break;
		case 2: *(volatile uint16_t *)(b->map + off) = v; break;
		case 4: *(volatile uint32_t *)(b->map + off) = v; break;
		default: *(volatile uint64_t *)(b->map + off) = v; break;
		}
	} else {
		switch (w) {
		case 1: (void)*(volatile uint8_t *)(b->map + off); break;
		case 2: (void)*(volatile uint16_t *)(b->map + off); break;
		case 4: (void)*(volatile uint32_t *)(b->map + off); break;
		default: (void)*(volatile uint64_t *)(b->map + off); break;
		}
	}
}

int main(int argc, char **argv)
{
	char path[512];
	unsigned int rounds, msix, msi, pm, n;
	uint32_t cmd0, bar_save[6];

	if (argc < 3) {
		fprintf(stderr, "usage: hostile SYSFS-DEV SEED [ROUNDS]\n");
		return 2;
	}
	rs = strtoull(argv[2], NULL, 0);
	rounds = argc > 3 ? strtoul(argv[3], NULL, 0) : 2000;
	snprintf(path, sizeof(path), "%s/config", argv[1]);
	cfg_fd = open(path, O_RDWR);
	if (cfg_fd < 0) {
		perror(path);
		return 1;
	}
	cfg_size = lseek(cfg_fd, 0, SEEK_END);
	if (iopl(3))
		perror("iopl");
	cmd0 = cfg_rd(4, 2);
	for (int i = 0; i < 6; i++)
		bar_save[i] = cfg_rd(0x10 + 4 * i, 4);
	/* Decoding and bus mastering on: BARs live, DMA possible. */
	cfg_wr(4, 2, cmd0 | 0x7);
	bars_open(argv[1]);
	msix = cap_find(0x11);
	msi = cap_find(0x05);
	pm = cap_find(0x01);
	printf("hostile: seed %s, %u rounds, config %u bytes, msix@%#x msi@%#x pm@%#x\n", argv[2], rounds, cfg_size,
	       msix, msi, pm);

	/* 1. BAR accesses, everything mapped: registers get random values, DMA goes anywhere. */
	for (n = 0; n < rounds * 4; n++)
		bar_poke(1);
	printf("hostile: %u BAR accesses\n", n);

	/* 2. MSI-X enable/disable loops, function mask toggles, INTx disable toggles. */
	for (n = 0; n < rounds / 4; n++) {
		if (msix)
			cfg_wr(msix + 2, 2, (cfg_rd(msix + 2, 2) & 0x3fff) | ((rnd() & 3) << 14));
		if (msi)
			cfg_wr(msi + 2, 2, (uint32_t)rnd());
		cfg_wr(4, 2, (cfg_rd(4, 2) & ~0x400u) | (rnd() & 0x400));
		bar_poke(1);
	}
	printf("hostile: %u interrupt-mode toggles\n", n);

	/* 3. BAR sizing and relocation storms (then the BARs go back). */
	for (n = 0; n < rounds / 4; n++) {
		unsigned int i = rnd() % 6;

		cfg_wr(0x10 + 4 * i, 4, ~0u);
		(void)cfg_rd(0x10 + 4 * i, 4);
		cfg_wr(0x10 + 4 * i, 4, (uint32_t)rnd());
		if (rnd() % 4 == 0)
			cfg_wr(4, 2, (uint32_t)rnd() & 0x7);
		bar_poke(0);
		cfg_wr(0x30, 4, (uint32_t)rnd()); /* ROM BAR */
	}
	for (int i = 0; i < 6; i++)
		cfg_wr(0x10 + 4 * i, 4, bar_save[i]);
	cfg_wr(4, 2, cmd0 | 0x7);
	printf("hostile: %u BAR relocations\n", n);

	/* 4. PM states, with accesses while in D3. */
	for (n = 0; pm && n < rounds / 20; n++) {
		cfg_wr(pm + 4, 2, rnd() & 3);
		bar_poke(1);
		cfg_wr(pm + 4, 2, 0);
	}
	printf("hostile: %u power-state changes\n", n);

	/* 5. Random writes over the whole config space, header included. */
	for (n = 0; n < rounds; n++) {
		unsigned int w = 1u << (rnd() % 3);
		unsigned int off = (rnd() % cfg_size) & ~(w - 1);

		if (off == 4 && (rnd() & 1))
			continue; /* keep decoding on now and then, for the accesses below */
		cfg_wr(off, w, (uint32_t)rnd());
		if (n % 8 == 0)
			bar_poke(1);
	}
	printf("hostile: %u config writes\n", n);
	/* Back to something the device may be reset from. */
	if (pm)
		cfg_wr(pm + 4, 2, 0);
	cfg_wr(4, 2, 0);
	printf("hostile: done\n");
	return 0;
}
