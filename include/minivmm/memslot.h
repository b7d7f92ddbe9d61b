/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * KVM memory slots: host memory installed as guest-physical memory. Guest
 * RAM takes a few at start; BARs come and go at run time (the guest moves
 * them, turns decoding off, unplugs a function), from any vCPU thread.
 */
#ifndef MINIVMM_MEMSLOT_H
#define MINIVMM_MEMSLOT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define MEMSLOT_MAX 512

struct memslots {
	int vm_fd;
	unsigned int max;            /* KVM_CAP_NR_MEMSLOTS, at most MEMSLOT_MAX */
	pthread_mutex_t lock;
	bool lock_ready;
	uint64_t used[MEMSLOT_MAX / 64];
};

int memslots_init(struct memslots *s, int kvm_fd, int vm_fd);
void memslots_destroy(struct memslots *s);
/* Install [gpa, gpa+size) -> @hva; *@slot names it for memslot_del. */
int memslot_add(struct memslots *s, uint64_t gpa, uint64_t size, void *hva, unsigned int *slot);
int memslot_del(struct memslots *s, unsigned int slot);

#endif
