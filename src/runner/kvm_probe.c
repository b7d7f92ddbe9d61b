// SPDX-License-Identifier: GPL-2.0-only
/*
 * The KVM side of doctor's probe guest: a VM with one RAM slot, the
 * in-kernel irqchip (the arch makes it), one vCPU and an irqfd with the
 * guest's interrupt route, run until the guest's protocol (arch_probe_exit) says it is done
 * or failed. A repeating SIGALRM bounds the time a KVM_RUN can take.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <unistd.h>

#include "minivmm/kvm.h"
#include "minivmm/arch_probe.h"
#include "minivmm/runner/kvm_probe.h"
#include "minivmm/runstate.h" /* now_ms */

/* The irqfd's GSI: above the IOAPIC's pins, as minivmm's MSI routes are. */
#define PROBE_GSI 24
/* SIGALRM period: how often a KVM_RUN that does not return is checked on. */
#define PROBE_TICK_US 100000

/* Everything the probe made; -1 / NULL when not (yet) made. */
struct kvm_probe {
	int kvm_fd, vm_fd, vcpu_fd, irq_fd;
	void *ram;
	size_t ram_size;
	struct kvm_run *run;
	size_t run_size;
	bool timer_armed;
	struct sigaction old_alarm;
};

/* One ioctl; a failure is recorded in @r as the set-up step that failed. */
#define probe_ioctl(r, fd, req, arg)                                                             \
	({                                                                                       \
		int ret_ = quiet_ioctl(fd, req, (void *)(arg));                                  \
		if (ret_ < 0)                                                                    \
			setup_failed(r, #req, ret_);                                             \
		ret_;                                                                            \
	})
#define probe_kvm_ioctl(p, r, req, arg) probe_ioctl(r, (p)->kvm_fd, req, arg)
#define probe_vm_ioctl(p, r, req, arg) probe_ioctl(r, (p)->vm_fd, req, arg)
#define probe_vcpu_ioctl(p, r, req, arg) probe_ioctl(r, (p)->vcpu_fd, req, arg)

static int setup_failed(struct probe_result *r, const char *call, int err)
{
	r->outcome = PROBE_SETUP_FAILED;
	r->call = call;
	r->err = -err;
	return err;
}

static void probe_alarm(int sig)
{
	(void)sig; /* only here to make KVM_RUN return EINTR */
}

static int probe_create_vm(struct kvm_probe *p, struct probe_result *r)
{
	int ret;

	p->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (p->kvm_fd < 0)
		return setup_failed(r, "open /dev/kvm", -errno);
	ret = probe_kvm_ioctl(p, r, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (ret < 0)
		return ret;
	p->run_size = (size_t)ret;
	ret = probe_kvm_ioctl(p, r, KVM_CREATE_VM, 0);
	if (ret < 0)
		return ret;
	p->vm_fd = ret;
	ret = arch_probe_vm_setup(p->vm_fd, &r->call);
	return ret < 0 ? setup_failed(r, r->call, ret) : 0;
}

static int probe_create_ram(struct kvm_probe *p, struct probe_result *r)
{
	struct kvm_userspace_memory_region slot = { .slot = 0 };
	int ret;

	p->ram_size = arch_probe_ram_size();
	p->ram = mmap(NULL, p->ram_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p->ram == MAP_FAILED) {
		p->ram = NULL;
		return -errno;
	}
	ret = arch_probe_build(p->ram, p->ram_size);
	if (ret < 0)
		return ret;
	slot.guest_phys_addr = 0;
	slot.memory_size = p->ram_size;
	slot.userspace_addr = (uintptr_t)p->ram;
	ret = probe_vm_ioctl(p, r, KVM_SET_USER_MEMORY_REGION, &slot);
	return ret < 0 ? ret : 0;
}

static int probe_create_irqfd(struct kvm_probe *p, struct probe_result *r)
{
	/* The header and its one entry in one object (clang refuses a struct
	 * with a flexible array inside another). */
	union {
		struct kvm_irq_routing hdr;
		unsigned char bytes[sizeof(struct kvm_irq_routing) + sizeof(struct kvm_irq_routing_entry)];
	} routes = { .hdr.nr = 1 };
	struct kvm_irqfd irqfd = { .gsi = PROBE_GSI };
	int ret;

	p->irq_fd = eventfd(0, EFD_CLOEXEC);
	if (p->irq_fd < 0)
		return -errno;
	arch_probe_irq_route(&routes.hdr.entries[0], PROBE_GSI);
	ret = probe_vm_ioctl(p, r, KVM_SET_GSI_ROUTING, &routes);
	if (ret < 0)
		return ret;
	irqfd.fd = (uint32_t)p->irq_fd;
	ret = probe_vm_ioctl(p, r, KVM_IRQFD, &irqfd);
	return ret < 0 ? ret : 0;
}

static int probe_create_vcpu(struct kvm_probe *p, struct probe_result *r)
{
	void *run;
	int ret;

	ret = probe_vm_ioctl(p, r, KVM_CREATE_VCPU, 0);
	if (ret < 0)
		return ret;
	p->vcpu_fd = ret;
	run = mmap(NULL, p->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, p->vcpu_fd, 0);
	if (run == MAP_FAILED)
		return setup_failed(r, "mmap of kvm_run", -errno);
	p->run = run;
	ret = arch_probe_vcpu_setup(p->kvm_fd, p->vm_fd, p->vcpu_fd, &r->call);
	return ret < 0 ? setup_failed(r, r->call, ret) : 0;
}

static int probe_arm_timer(struct kvm_probe *p)
{
	struct sigaction sa = { .sa_handler = probe_alarm }; /* no SA_RESTART: KVM_RUN returns */
	struct itimerval tick = { .it_interval.tv_usec = PROBE_TICK_US, .it_value.tv_usec = PROBE_TICK_US };

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, &p->old_alarm))
		return -errno;
	p->timer_armed = true;
	return setitimer(ITIMER_REAL, &tick, NULL) ? -errno : 0;
}

static void probe_run(struct kvm_probe *p, struct probe_result *r)
{
	struct arch_probe_state s = { 0 };
	long deadline = now_ms() + KVM_PROBE_TIMEOUT_MS;
	const uint64_t one = 1;

	for (;;) {
		int ret = quiet_ioctl_once(p->vcpu_fd, KVM_RUN);
		enum probe_next next;

		if (ret == -EINTR || ret == -EAGAIN) {
			if (now_ms() <= deadline)
				continue;
			r->outcome = PROBE_TIMEOUT;
			break;
		}
		if (ret < 0) {
			r->outcome = PROBE_RUN_FAILED;
			r->err = -ret;
			break;
		}
		r->exits++;
		next = arch_probe_exit(&s, p->run, r);
		r->done = s.done;
		if (next == PROBE_NEXT_DONE) {
			r->outcome = PROBE_PASSED;
			break;
		}
		if (next == PROBE_NEXT_FAIL)
			break;
		if (next == PROBE_NEXT_IRQ && write(p->irq_fd, &one, sizeof(one)) != sizeof(one)) {
			setup_failed(r, "write to the irqfd", -errno);
			break;
		}
		if (now_ms() > deadline) {
			r->outcome = PROBE_TIMEOUT;
			break;
		}
	}
	r->done = s.done;
	if (r->outcome != PROBE_PASSED)
		r->pc_known = !arch_probe_vcpu_pc(p->vcpu_fd, &r->pc);
}

static void probe_destroy(struct kvm_probe *p)
{
	if (p->timer_armed) {
		struct itimerval off = { 0 };

		setitimer(ITIMER_REAL, &off, NULL);
		sigaction(SIGALRM, &p->old_alarm, NULL);
	}
	if (p->run)
		munmap(p->run, p->run_size);
	if (p->vcpu_fd >= 0)
		close(p->vcpu_fd);
	if (p->irq_fd >= 0)
		close(p->irq_fd);
	if (p->vm_fd >= 0)
		close(p->vm_fd);
	if (p->ram)
		munmap(p->ram, p->ram_size);
	if (p->kvm_fd >= 0)
		close(p->kvm_fd);
}

int kvm_probe_run(struct probe_result *r)
{
	struct kvm_probe p = { .kvm_fd = -1, .vm_fd = -1, .vcpu_fd = -1, .irq_fd = -1 };
	int ret;

	memset(r, 0, sizeof(*r));
	ret = probe_create_vm(&p, r);
	if (!ret)
		ret = probe_create_ram(&p, r);
	/* The vCPU first: arm64's GIC takes an irqfd only once its vCPUs exist. */
	if (!ret)
		ret = probe_create_vcpu(&p, r);
	if (!ret)
		ret = probe_create_irqfd(&p, r);
	if (!ret)
		ret = probe_arm_timer(&p);
	if (!ret)
		probe_run(&p, r);
	probe_destroy(&p);
	/* A KVM that refused an ioctl is a verdict; anything else is this process's trouble. */
	return ret < 0 && r->outcome != PROBE_SETUP_FAILED ? ret : 0;
}
