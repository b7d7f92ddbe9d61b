// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the port I/O / MMIO bus (src/bus.c): sequences of
 * claims, releases and accesses, including handlers that move their own
 * claim while they run (a BAR relocated by a write to it), checked
 * against a model: a list of claims.
 *
 * Input: operations until the input ends: op byte (kind, device, length),
 * address, size or value. Addresses are mostly from a small space (so
 * claims meet and overlap), sometimes anywhere in 64 bits.
 *
 * Checked: a claim is refused with -EINVAL when empty, wrapping or without
 * a handler, with -EEXIST when it overlaps one (and then changes nothing),
 * accepted otherwise; a release works only for the claim's base and owner;
 * an access reaches exactly the claim that covers its first byte, with the
 * offset from that claim's base, counting on the claim's counter; an
 * unclaimed one reads all-ones, counts as unclaimed and reaches nobody;
 * the claims stay sorted and disjoint.
 */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "minivmm/bus.h"

#define NDEV 8
#define MAX_CLAIMS 64

struct dev {
	struct stat_counter counter;
	uint64_t moves_to;           /* a write at offset 0 moves the claim here (0: no) */
};

struct claim {
	uint64_t base, len;
	unsigned int dev;
};

static struct bus bus;
static struct dev devs[NDEV];
static struct claim model[MAX_CLAIMS];
static unsigned int nmodel;
static unsigned long long unclaimed;
/* The last handler call. */
static struct {
	int dev;
	uint64_t offset;
	unsigned int len;
	bool is_write;
	unsigned int calls;
} last;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	FUZZ_CHECK(!bus_init(&bus, "fuzz"));
	return 0;
}

FUZZ_NOCOV static int model_find(uint64_t addr)
{
	for (unsigned int i = 0; i < nmodel; i++)
		if (addr >= model[i].base && addr - model[i].base < model[i].len)
			return i;
	return -1;
}

FUZZ_NOCOV static bool model_overlaps(uint64_t base, uint64_t len)
{
	for (unsigned int i = 0; i < nmodel; i++)
		if (base < model[i].base + model[i].len && model[i].base < base + len)
			return true;
	return false;
}

static int do_register(uint64_t base, uint64_t len, unsigned int d, bool handler);

static void handler(void *opaque, uint64_t offset, void *data, unsigned int len, bool is_write)
{
	struct dev *dv = opaque;
	unsigned int d = dv - devs;

	FUZZ_CHECK(d < NDEV);
	last.dev = d;
	last.offset = offset;
	last.len = len;
	last.is_write = is_write;
	last.calls++;
	if (!is_write) {
		for (unsigned int i = 0; i < len; i++)
			((uint8_t *)data)[i] = (uint8_t)(d * 16 + offset + i);
		return;
	}
	/* A BAR relocation: the device moves its claim from inside its handler. */
	if (dv->moves_to && offset == 0) {
		int i = -1;

		for (unsigned int j = 0; j < nmodel; j++)
			if (model[j].dev == d)
				i = j;
		if (i >= 0) {
			struct claim c = model[i];

			FUZZ_CHECK(!bus_unregister(&bus, c.base, dv));
			model[i] = model[--nmodel];
			if (do_register(dv->moves_to, c.len, d, true))
				FUZZ_CHECK(!do_register(c.base, c.len, d, true)); /* back where it was */
		}
	}
}

/* bus_register against the model; returns its result. */
FUZZ_NOCOV static int do_register(uint64_t base, uint64_t len, unsigned int d, bool with_handler)
{
	int ret = bus_register(&bus, base, len, with_handler ? handler : NULL, &devs[d], &devs[d].counter);

	if (!len || base + len < base || !with_handler) {
		FUZZ_CHECK(ret == -EINVAL);
	} else if (model_overlaps(base, len) || nmodel == MAX_CLAIMS) {
		/* The harness keeps at most MAX_CLAIMS: release what it refused. */
		if (!ret)
			FUZZ_CHECK(!bus_unregister(&bus, base, &devs[d]));
		else
			FUZZ_CHECK(ret == -EEXIST);
		FUZZ_CHECK(!ret == !model_overlaps(base, len));
		ret = -EEXIST;
	} else {
		FUZZ_CHECK(ret == 0);
		model[nmodel++] = (struct claim){ base, len, d };
	}
	return ret;
}

FUZZ_NOCOV static void check_claims(void)
{
	FUZZ_CHECK(bus.nranges == nmodel && bus.nranges <= bus.cap);
	for (unsigned int i = 0; i < bus.nranges; i++) {
		const struct bus_range *r = &bus.ranges[i];
		int m = model_find(r->base);

		FUZZ_CHECK(m >= 0 && model[m].base == r->base && model[m].len == r->len);
		FUZZ_CHECK(r->opaque == &devs[model[m].dev] && r->handler == handler);
		if (i)
			FUZZ_CHECK(r->base >= bus.ranges[i - 1].base + bus.ranges[i - 1].len);
	}
}

FUZZ_NOCOV static void check_access(uint64_t addr, unsigned int len, uint64_t val, bool is_write)
{
	uint8_t buf[8];
	int m = model_find(addr);
	unsigned int calls = last.calls;
	unsigned long long before = 0;
	struct claim c = { 0 };
	bool claimed;

	if (m >= 0) {
		c = model[m];
		before = atomic_load(&devs[c.dev].counter.count);
	}
	memcpy(buf, &val, sizeof(buf));
	claimed = bus_access(&bus, addr, buf, len, is_write);
	FUZZ_CHECK(claimed == (m >= 0));
	if (m < 0) {
		FUZZ_CHECK(last.calls == calls);
		FUZZ_CHECK(atomic_load(&bus.unclaimed) == ++unclaimed);
		if (!is_write)
			for (unsigned int i = 0; i < len; i++)
				FUZZ_CHECK(buf[i] == 0xff);
		return;
	}
	FUZZ_CHECK(last.calls == calls + 1 && last.dev == (int)c.dev);
	FUZZ_CHECK(last.offset == addr - c.base && last.len == len && last.is_write == is_write);
	FUZZ_CHECK(atomic_load(&devs[c.dev].counter.count) == before + 1);
	if (!is_write)
		for (unsigned int i = 0; i < len; i++)
			FUZZ_CHECK(buf[i] == (uint8_t)(c.dev * 16 + (addr - c.base) + i));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz in = { data, size };

	/* An empty bus each time; the counters restart. */
	for (unsigned int i = 0; i < nmodel; i++)
		FUZZ_CHECK(!bus_unregister(&bus, model[i].base, &devs[model[i].dev]));
	nmodel = 0;
	FUZZ_CHECK(bus.nranges == 0);
	memset(devs, 0, sizeof(devs));
	atomic_store(&bus.unclaimed, 0);
	unclaimed = 0;

	while (fz_more(&in)) {
		static const unsigned int lens[4] = { 1, 2, 4, 8 };
		uint8_t op = fz_u8(&in);
		unsigned int d = (op >> 3) % NDEV, len = lens[(op >> 6) & 3];
		uint64_t addr = op & 4 ? fz_u64(&in) : fz_u16(&in) % 4096;

		switch (op & 3) {
		case 0: {
			uint8_t l = fz_u8(&in);
			/* Small claims mostly, sometimes huge or wrapping ones. */
			uint64_t clen = l & 0x80 ? fz_u64(&in) : l;

			do_register(addr, clen, d, !(l == 0x7f));
			break;
		}
		case 1: {
			int m = model_find(addr);
			bool owner = m >= 0 && model[m].base == addr && model[m].dev == d;
			int ret = bus_unregister(&bus, addr, &devs[d]);

			FUZZ_CHECK(owner ? ret == 0 : ret == -ENOENT);
			if (owner)
				model[m] = model[--nmodel];
			break;
		}
		case 2:
		case 3:
			/* Bit 2 also makes a write move the claim: to the next address. */
			devs[d].moves_to = op & 4 ? (addr + 0x100) % 4096 : 0;
			check_access(addr, len, fz_u64(&in), op & 1);
			break;
		}
		check_claims();
	}
	return 0;
}
