// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <linux/kvm.h>
#include <string.h>

#include "minivmm/kvm.h"
#include "minivmm/log.h"
#include "minivmm/memslot.h"

int memslots_init(struct memslots *s, int kvm_fd, int vm_fd)
{
	int n = quiet_ioctl(kvm_fd, KVM_CHECK_EXTENSION, (void *)(long)KVM_CAP_NR_MEMSLOTS);

	memset(s, 0, sizeof(*s));
	s->vm_fd = vm_fd;
	/* KVM answers 0 when it predates the capability: 32 then. */
	s->max = n <= 0 ? 32 : n > MEMSLOT_MAX ? MEMSLOT_MAX : (unsigned int)n;
	if (pthread_mutex_init(&s->lock, NULL))
		return -ENOMEM;
	s->lock_ready = true;
	return 0;
}

void memslots_destroy(struct memslots *s)
{
	if (s->lock_ready)
		pthread_mutex_destroy(&s->lock);
	s->lock_ready = false;
}

int memslot_add(struct memslots *s, uint64_t gpa, uint64_t size, void *hva, unsigned int *slot)
{
	struct kvm_userspace_memory_region r = {
		.guest_phys_addr = gpa, .memory_size = size, .userspace_addr = (uintptr_t)hva,
	};
	int ret = -ENOSPC;

	pthread_mutex_lock(&s->lock);
	for (unsigned int i = 0; i < s->max; i++) {
		if (s->used[i / 64] & (1ULL << (i % 64)))
			continue;
		r.slot = i;
		ret = quiet_ioctl(s->vm_fd, KVM_SET_USER_MEMORY_REGION, &r);
		if (!ret) {
			s->used[i / 64] |= 1ULL << (i % 64);
			*slot = i;
		}
		break;
	}
	pthread_mutex_unlock(&s->lock);
	return ret;
}

int memslot_del(struct memslots *s, unsigned int slot)
{
	struct kvm_userspace_memory_region r = { .slot = slot, .memory_size = 0 };
	int ret;

	if (slot >= s->max)
		return -EINVAL;
	pthread_mutex_lock(&s->lock);
	ret = vmfd_ioctl(s->vm_fd, KVM_SET_USER_MEMORY_REGION, &r);
	if (!ret)
		s->used[slot / 64] &= ~(1ULL << (slot % 64));
	pthread_mutex_unlock(&s->lock);
	return ret;
}
