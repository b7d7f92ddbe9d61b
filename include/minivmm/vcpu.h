/* SPDX-License-Identifier: GPL-2.0-only */
/* vCPU threads and the exit dispatch. */
#ifndef MINIVMM_VCPU_H
#define MINIVMM_VCPU_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm;

/* Exit reasons counted by --stats: KVM_EXIT_* values below this. */
#define VCPU_EXIT_REASONS 64

struct vcpu {
	struct vm *vm;
	unsigned int id;
	int fd;                      /* -1 until created */
	struct kvm_run *run;         /* NULL until mapped */
	pthread_t thread;
	bool thread_started;
	bool shut_down;              /* KVM_EXIT_SHUTDOWN (triple fault) seen */
	atomic_uint hold_us;         /* jitter: hold this long at the next kick */
	atomic_bool hold_spin;       /* ... spinning rather than asleep */
	uint64_t held;               /* holds done */
	uint64_t exits[VCPU_EXIT_REASONS];
};

int vcpu_create(struct vm *vm, struct vcpu *vcpu, unsigned int id);
void vcpu_destroy(struct vcpu *vcpu);
int vcpu_start(struct vcpu *vcpu);
/* Make a running vCPU leave KVM_RUN and its thread return. */
void vcpu_kick(struct vcpu *vcpu);
void vcpu_join(struct vcpu *vcpu);
/* Kick a running vCPU out of KVM_RUN and hold its thread for @us (jitter). */
void vcpu_hold(struct vcpu *vcpu, unsigned int us, bool spin);
/*
 * One line on where a stopped vCPU was: run state, rip/rsp/rflags, exit
 * count (for a hung guest). -EBUSY while its thread runs.
 */
int vcpu_describe(struct vcpu *vcpu, char *buf, size_t len);
const char *vcpu_exit_name(unsigned int reason);
/* The vCPU the calling thread runs, -1 when it runs none. */
int vcpu_current(void);

#endif
