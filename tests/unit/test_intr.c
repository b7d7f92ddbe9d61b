// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for src/vfio/intr.c against a fake VFIO and a fake KVM: the
 * ioctls the code makes are answered here, as Linux 6.1's vfio-pci and KVM
 * answer them. The fake VFIO grants at most a set number of vectors (then
 * VFIO_DEVICE_SET_IRQS returns how many it could do, as the kernel does)
 * and may refuse to resize a live MSI-X set (VFIO_IRQ_INFO_NORESIZE).
 */
#include <errno.h>
#include <linux/vfio.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cmocka.h>

/* The code under test, with the VM pieces it uses. */
#include "../../src/irq.c"
#include "../../src/runstate.c"
#include "../../src/vfio/intr.c"
#include "../../src/vfio/faults.c"

#define FAKE_DEV_FD 900
#define FAKE_VM_FD 901
#define MSIX_VECS 8

/* ---- the fake kernel ---- */

static struct {
	/* VFIO */
	unsigned int irq_type;       /* VFIO_PCI_NUM_IRQS: none */
	unsigned int num_ctx;        /* vectors enabled */
	unsigned int limit;          /* most vectors the host grants */
	bool noresize;               /* 6.1: a live MSI-X set cannot grow */
	int fds[64];
	unsigned int set_irqs_calls;
	/* KVM */
	unsigned int routing_commits;
	unsigned int irqfds;         /* assigned now */
	bool irqfd_on[1024];         /* by eventfd number */
} k;

static int fake_set_irqs(struct vfio_irq_set *s)
{
	uint32_t action = s->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;

	k.set_irqs_calls++;
	if (s->index == VFIO_PCI_INTX_IRQ_INDEX && action != VFIO_IRQ_SET_ACTION_TRIGGER)
		return 0; /* mask/unmask */
	if (!s->count && (s->flags & VFIO_IRQ_SET_DATA_NONE)) {
		if (k.irq_type == s->index)
			k.irq_type = VFIO_PCI_NUM_IRQS, k.num_ctx = 0;
		return 0;
	}
	if (k.irq_type != s->index && k.irq_type != VFIO_PCI_NUM_IRQS)
		return -EINVAL;
	if (k.irq_type == s->index) {
		unsigned int end = s->start + s->count;

		if (end > k.num_ctx) {
			if (k.noresize || s->index != VFIO_PCI_MSIX_IRQ_INDEX || end > k.limit)
				return -EINVAL;
			k.num_ctx = end; /* dynamic MSI-X */
		}
		memcpy(&k.fds[s->start], s->data, s->count * sizeof(int));
		return 0;
	}
	/* vfio_msi_enable: pci_alloc_irq_vectors(1, n) gives what it can. */
	if (s->index != VFIO_PCI_INTX_IRQ_INDEX && s->start + s->count > k.limit)
		return k.limit ? (int)k.limit : -ENOSPC;
	k.irq_type = s->index;
	k.num_ctx = s->start + s->count;
	memcpy(&k.fds[s->start], s->data, s->count * sizeof(int));
	return 0;
}

static int fake_ioctl(int fd, unsigned long req, void *arg)
{
	if (fd == FAKE_DEV_FD && req == VFIO_DEVICE_SET_IRQS)
		return fake_set_irqs(arg);
	if (fd == FAKE_DEV_FD && req == VFIO_DEVICE_GET_IRQ_INFO) {
		struct vfio_irq_info *i = arg;

		i->count = i->index == VFIO_PCI_MSIX_IRQ_INDEX ? MSIX_VECS : 1;
		i->flags = VFIO_IRQ_INFO_EVENTFD |
			   (i->index == VFIO_PCI_MSIX_IRQ_INDEX && k.noresize ? VFIO_IRQ_INFO_NORESIZE : 0);
		return 0;
	}
	if (fd == FAKE_VM_FD && req == KVM_SET_GSI_ROUTING) {
		k.routing_commits++;
		return 0;
	}
	if (fd == FAKE_VM_FD && req == KVM_IRQFD) {
		struct kvm_irqfd *q = arg;
		bool on = !(q->flags & KVM_IRQFD_FLAG_DEASSIGN);

		assert_true(q->fd < 1024);
		assert_int_not_equal(k.irqfd_on[q->fd], on);
		k.irqfd_on[q->fd] = on;
		k.irqfds += on ? 1 : -1;
		return 0;
	}
	fail_msg("unexpected ioctl %#lx on fd %d", req, fd);
	return -ENOTTY;
}

int named_ioctl(int fd, unsigned long req, void *arg, const char *name)
{
	(void)name;
	return fake_ioctl(fd, req, arg);
}

int quiet_ioctl(int fd, unsigned long req, void *arg)
{
	return fake_ioctl(fd, req, arg);
}

static struct vfio_dev *the_dev;

/* Test double for hotplug.c's (which needs the whole device manager). */
struct vfio_dev *vfio_mgr_find(struct vfio_mgr *m, const char *bdf)
{
	(void)m;
	return strcmp(bdf, "00:03.0") ? NULL : the_dev;
}

/* Test double for hotplug.c's (which needs the whole device): the stats name the state. */
const char *vfio_hp_state_name(const struct vfio_dev *d)
{
	(void)d;
	return "present";
}

/* ---- a function with MSI (32 vectors, maskable) and MSI-X (8), INTA ---- */

#define MSI_CAP 0x40
#define MSIX_CAP 0x60

struct fx {
	struct vfio_dev d;
	struct devctx ctx;
	struct irq_router irq;
	struct loop loop;
	struct event_log events;
	struct vfio_mgr mgr;
	uint8_t cfg[256];
};

static void put16(uint8_t *p, unsigned int reg, uint16_t v)
{
	p[reg] = v;
	p[reg + 1] = v >> 8;
}

static int setup_with(void **state, unsigned int limit, bool noresize)
{
	static const struct vconfig_bar bars[VCONFIG_BARS] = { { .size = 0x4000 } };
	struct fx *f = calloc(1, sizeof(*f));

	memset(&k, 0, sizeof(k));
	k.irq_type = VFIO_PCI_NUM_IRQS;
	k.limit = limit;
	k.noresize = noresize;
	put16(f->cfg, 0x00, 0x1234);
	put16(f->cfg, 0x02, 0x5678);
	put16(f->cfg, 0x06, 0x0010);
	f->cfg[0x34] = MSI_CAP;
	f->cfg[0x3d] = 1; /* INTA */
	f->cfg[MSI_CAP] = 0x05;
	f->cfg[MSI_CAP + 1] = MSIX_CAP;
	put16(f->cfg, MSI_CAP + 2, 0x018a); /* maskable, 64-bit, 32 vectors capable */
	f->cfg[MSIX_CAP] = 0x11;
	put16(f->cfg, MSIX_CAP + 2, MSIX_VECS - 1);
	f->cfg[MSIX_CAP + 4] = 0;           /* table in BAR 0 at 0 */
	put16(f->cfg, MSIX_CAP + 8, 0x2000); /* PBA in BAR 0 at 0x2000 */
	assert_int_equal(vconfig_init(&f->d.vc, f->cfg, 256, bars, 0, 0), 0);
	assert_int_equal(irq_router_init(&f->irq, FAKE_VM_FD), 0);
	f->ctx.irq = &f->irq;
	f->ctx.ncpus = 4;
	f->ctx.loop = &f->loop;
	f->ctx.events = &f->events;
	eventlog_init(&f->events);
	f->mgr.ctx = &f->ctx;
	the_dev = &f->d;
	f->d.ctx = &f->ctx;
	f->d.fd = FAKE_DEV_FD;
	f->d.has_msix = true;
	f->d.pdev.devfn = PCI_DEVFN(3, 0);
	f->d.requester_id = f->d.pdev.devfn;
	snprintf(f->d.name, sizeof(f->d.name), "0000:00:03.0");
	assert_int_equal(vfio_intr_prepare(&f->d), 0);
	assert_int_equal(vfio_intr_init(&f->d), 0);
	/* INTx is live from the start, on the slot's line. */
	assert_int_equal(f->d.intr.mode, VFIO_IRQ_INTX);
	assert_int_equal(k.irq_type, VFIO_PCI_INTX_IRQ_INDEX);
	assert_int_equal(k.irqfds, 1);
	*state = f;
	return 0;
}

static int setup_roomy(void **state)
{
	return setup_with(state, 64, true);
}

static int setup_msi_grants_4(void **state)
{
	return setup_with(state, 4, true);
}

static int setup_msi_grants_3(void **state)
{
	return setup_with(state, 3, true);
}

static int setup_msix_grants_2(void **state)
{
	return setup_with(state, 2, true);
}

static int setup_dynamic(void **state)
{
	return setup_with(state, 64, false);
}

static int setup_none(void **state)
{
	return setup_with(state, 0, true);
}

static int teardown(void **state)
{
	struct fx *f = *state;

	vfio_intr_free(&f->d);
	assert_int_equal(k.irqfds, 0);
	assert_int_equal(f->loop.n, 0); /* no relay left watched */
	irq_router_destroy(&f->irq);
	eventlog_destroy(&f->events);
	free(f);
	return 0;
}

/* A guest config write, as device.c hands it on. */
static void guest_cfg(struct fx *f, unsigned int reg, unsigned int len, uint32_t val)
{
	unsigned int ev = vconfig_write(&f->d.vc, reg, len, val, NULL);

	vfio_intr_cfg_event(&f->d, ev);
}

static void guest_table(struct fx *f, unsigned int vec, unsigned int field, uint32_t val)
{
	vfio_intr_table_access(&f->d, vec * MSIX_ENTRY_SIZE + field, &val, 4, true);
}

static void msix_program(struct fx *f, unsigned int vec)
{
	guest_table(f, vec, 0, 0xfee00000 | (vec << 12));
	guest_table(f, vec, 4, 0);
	guest_table(f, vec, 8, 0x40 + vec);
}

static uint64_t efd_count(int fd)
{
	uint64_t n = 0;

	if (read(fd, &n, sizeof(n)) != sizeof(n))
		return 0;
	return n;
}

/* ---- MSI ---- */

static void test_msi_all_granted(void **state)
{
	struct fx *f = *state;

	guest_cfg(f, MSI_CAP + 4, 4, 0xfee00000);
	guest_cfg(f, MSI_CAP + 12, 2, 0x40);
	guest_cfg(f, MSI_CAP + 2, 2, 0x0031); /* 8 vectors */
	assert_int_equal(f->d.intr.mode, VFIO_IRQ_MSI);
	assert_int_equal(f->d.intr.nvec, 8);
	assert_int_equal(k.num_ctx, 8);
	assert_int_equal(k.irqfds, 8);
	assert_int_equal(f->d.intr.partial_grants, 0);
	/* Multiple Message Enable as the guest wrote it. */
	assert_int_equal((vconfig_get16(&f->d.vc, MSI_CAP + 2) >> 4) & 7, 3);
}

static void test_msi_partial_grant_tells_the_guest(void **state)
{
	struct fx *f = *state;

	guest_cfg(f, MSI_CAP + 4, 4, 0xfee00000);
	guest_cfg(f, MSI_CAP + 12, 2, 0x40);
	guest_cfg(f, MSI_CAP + 2, 2, 0x0051); /* 32 vectors; the host can do 4 */
	assert_int_equal(f->d.intr.mode, VFIO_IRQ_MSI);
	assert_int_equal(f->d.intr.nvec, 4);
	assert_int_equal(k.num_ctx, 4);
	assert_int_equal(k.irqfds, 4);
	assert_int_equal(f->d.intr.partial_grants, 1);
	assert_int_equal((vconfig_get16(&f->d.vc, MSI_CAP + 2) >> 4) & 7, 2);
	/* Vector 3 sends data | 3 (the block is 4 now, not 32). */
	assert_int_equal(f->d.intr.vec[3].data, 0x43);
}

static void test_msi_partial_grant_rounds_to_a_block(void **state)
{
	struct fx *f = *state;

	guest_cfg(f, MSI_CAP + 4, 4, 0xfee00000);
	guest_cfg(f, MSI_CAP + 2, 2, 0x0021); /* 4 vectors; the host can do 3 */
	assert_int_equal(f->d.intr.nvec, 2);
	assert_int_equal(k.num_ctx, 2);
	assert_int_equal((vconfig_get16(&f->d.vc, MSI_CAP + 2) >> 4) & 7, 1);
}

static void test_msi_mask_bits(void **state)
{
	struct fx *f = *state;

	guest_cfg(f, MSI_CAP + 4, 4, 0xfee00000);
	guest_cfg(f, MSI_CAP + 16, 4, 0x2); /* vector 1 masked */
	guest_cfg(f, MSI_CAP + 2, 2, 0x0021);
	assert_int_equal(k.irqfds, 3);
	assert_false(f->d.intr.vec[1].irqfd);
	guest_cfg(f, MSI_CAP + 16, 4, 0x0);
	assert_int_equal(k.irqfds, 4);
}

static void test_msi_refused_falls_back_to_intx(void **state)
{
	struct fx *f = *state;

	guest_cfg(f, MSI_CAP + 4, 4, 0xfee00000);
	guest_cfg(f, MSI_CAP + 2, 2, 0x0001);
	assert_int_equal(f->d.intr.mode, VFIO_IRQ_INTX);
	assert_int_equal(f->d.intr.failed_enables, 1);
	assert_int_equal(k.irq_type, VFIO_PCI_INTX_IRQ_INDEX);
	assert_int_equal(k.irqfds, 1);
}

/* ---- MSI-X ---- */

static void test_msix_grows_by_reenabling(void **state)
{
	struct fx *f = *state;
	unsigned int before;

	for (unsigned int v = 0; v < 4; v++)
		msix_program(f, v);
	guest_cfg(f, MSIX_CAP + 2, 2, 0x8000 | (MSIX_VECS - 1)); /* enabled, all masked */
	assert_int_equal(f->d.intr.mode, VFIO_IRQ_MSIX);
	assert_int_equal(f->d.intr.nvec, 1); /* not the whole table */
	assert_int_equal(k.num_ctx, 1);
	assert_int_equal(k.irqfds, 0);
	guest_table(f, 0, 12, 0);
	assert_int_equal(k.irqfds, 1);
	assert_int_equal(f->d.intr.msix_reenables, 0);
	/* Vector 2 unmasked: VFIO (NORESIZE) re-enabled with 3. */
	efd_count(f->d.intr.vec[0].efd);
	guest_table(f, 2, 12, 0);
	assert_int_equal(f->d.intr.nvec, 3);
	assert_int_equal(k.num_ctx, 3);
	assert_int_equal(f->d.intr.msix_reenables, 1);
	assert_int_equal(k.irqfds, 2);
	/* The vector that was live got one interrupt in case it lost one. */
	assert_int_equal(efd_count(f->d.intr.vec[0].efd), 1);
	/* Unmasking vector 1 needs no VFIO call. */
	before = k.set_irqs_calls;
	guest_table(f, 1, 12, 0);
	assert_int_equal(k.set_irqs_calls, before);
	assert_int_equal(k.irqfds, 3);
	/* The same eventfds reach VFIO after the re-enable. */
	for (unsigned int v = 0; v < 3; v++)
		assert_int_equal(k.fds[v], f->d.intr.vec[v].efd);
}

static void test_msix_grows_in_place(void **state)
{
	struct fx *f = *state;

	msix_program(f, 5);
	guest_cfg(f, MSIX_CAP + 2, 2, 0x8000);
	guest_table(f, 5, 12, 0);
	assert_int_equal(f->d.intr.nvec, 6);
	assert_int_equal(k.num_ctx, 6);
	assert_int_equal(f->d.intr.msix_grows, 1);
	assert_int_equal(f->d.intr.msix_reenables, 0);
	assert_int_equal(k.irqfds, 1);
}

static void test_msix_enable_with_live_vectors(void **state)
{
	struct fx *f = *state;

	/* Unmasked before enabling (as some drivers do): one enable with all of them. */
	for (unsigned int v = 0; v < 4; v++) {
		msix_program(f, v);
		guest_table(f, v, 12, 0);
	}
	guest_cfg(f, MSIX_CAP + 2, 2, 0x8000);
	assert_int_equal(f->d.intr.nvec, 4);
	assert_int_equal(f->d.intr.msix_reenables, 0);
	assert_int_equal(k.irqfds, 4);
}

static void test_msix_host_limit(void **state)
{
	struct fx *f = *state;
	unsigned int before;

	for (unsigned int v = 0; v < 6; v++)
		msix_program(f, v);
	guest_cfg(f, MSIX_CAP + 2, 2, 0x8000);
	guest_table(f, 0, 12, 0);
	guest_table(f, 1, 12, 0);
	assert_int_equal(f->d.intr.nvec, 2);
	/* Vector 5: the host has no more. It stays silent, the others work. */
	guest_table(f, 5, 12, 0);
	assert_int_equal(f->d.intr.nvec, 2);
	assert_int_equal(k.num_ctx, 2);
	assert_int_equal(k.irqfds, 2);
	assert_true(f->d.intr.partial_grants >= 1);
	/* Not asked again for every guest write. */
	before = k.set_irqs_calls;
	guest_table(f, 5, 12, 1);
	guest_table(f, 5, 12, 0);
	assert_int_equal(k.set_irqs_calls, before);
}

static void test_msix_route_change_is_one_commit(void **state)
{
	struct fx *f = *state;
	unsigned int before;

	msix_program(f, 0);
	guest_cfg(f, MSIX_CAP + 2, 2, 0x8000);
	guest_table(f, 0, 12, 0);
	/* The guest moves the IRQ to another CPU: one routing update. */
	before = k.routing_commits;
	guest_table(f, 0, 0, 0xfee03000);
	assert_int_equal(k.routing_commits, before + 1);
	assert_int_equal(f->d.intr.vec[0].addr, 0xfee03000);
	/* Writing the same message again: none. */
	guest_table(f, 0, 0, 0xfee03000);
	assert_int_equal(k.routing_commits, before + 1);
}

static void test_msix_disable_back_to_intx(void **state)
{
	struct fx *f = *state;

	msix_program(f, 0);
	guest_cfg(f, MSIX_CAP + 2, 2, 0x8000);
	guest_table(f, 0, 12, 0);
	guest_cfg(f, MSIX_CAP + 2, 2, 0x0000);
	assert_int_equal(f->d.intr.mode, VFIO_IRQ_INTX);
	assert_int_equal(k.irq_type, VFIO_PCI_INTX_IRQ_INDEX);
	assert_int_equal(k.irqfds, 1);
	assert_int_equal(f->d.intr.mode_changes, 3);
}

static void test_reset_returns_to_intx(void **state)
{
	struct fx *f = *state;

	msix_program(f, 0);
	guest_cfg(f, MSIX_CAP + 2, 2, 0x8000);
	guest_table(f, 0, 12, 0);
	vconfig_reset(&f->d.vc);
	vfio_intr_reset(&f->d);
	assert_int_equal(f->d.intr.mode, VFIO_IRQ_INTX);
	assert_false(msix_is_live(&f->d.msix, 0));
	assert_int_equal(k.irqfds, 1);
}

/* The main loop sees VFIO's eventfd readable: dispatch like vm_run does. */
static void loop_once(struct fx *f)
{
	struct pollfd p[8];
	unsigned int n = loop_pollfds(&f->loop, p, 8);

	assert_int_equal(poll(p, n, 0) >= 0, 1);
	loop_dispatch(&f->loop, p, n);
}

static void test_drop_msix_then_straight_again(void **state)
{
	struct fx *f = *state;
	char err[160];
	uint64_t three = 3;
	int efd;

	msix_program(f, 0);
	guest_cfg(f, MSIX_CAP + 2, 2, 0x8000);
	guest_table(f, 0, 12, 0);
	efd = f->d.intr.vec[0].efd;
	assert_true(k.irqfd_on[efd]);
	assert_int_equal(vfio_fault_drop(&f->mgr, "00:03.0", 0, 2, 0, err, sizeof(err)), 0);
	/* Relayed: KVM listens to the relay now, the loop to VFIO's eventfd. */
	assert_false(k.irqfd_on[efd]);
	assert_true(k.irqfd_on[f->d.intr.vec[0].relay_fd]);
	assert_int_equal(f->loop.n, 1);
	/* Three interrupts: two swallowed, one passed on; then straight to KVM again. */
	assert_int_equal(write(efd, &three, sizeof(three)), sizeof(three));
	loop_once(f);
	assert_int_equal(f->d.intr.vec[0].dropped, 2);
	assert_int_equal(f->d.intr.vec[0].relayed, 1);
	assert_int_equal(f->d.intr.faults_dropped, 2);
	assert_int_equal(f->d.intr.vec[0].relay_fd, -1);
	assert_true(k.irqfd_on[efd]);
	assert_int_equal(f->loop.n, 0);
	/* The passed-on one went to KVM: it had reached the relay, KVM's fd then. */
	assert_int_equal(f->events.n, 1);
	/* Bad requests name the problem. */
	assert_int_equal(vfio_fault_drop(&f->mgr, "00:03.0", 5, 1, 0, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "vector 5 is not one"));
	assert_int_equal(vfio_fault_drop(&f->mgr, "00:03.0", -1, 1, 0, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not INTx"));
	assert_int_equal(vfio_fault_drop(&f->mgr, "00:09.0", 0, 1, 0, err, sizeof(err)), -ENODEV);
	assert_int_equal(vfio_fault_drop(&f->mgr, "00:03.0", 0, 1, 1001, err, sizeof(err)), -EINVAL);
}

static void test_drop_probability_and_off(void **state)
{
	struct fx *f = *state;
	char err[160];
	uint64_t many = 1000;

	msix_program(f, 0);
	guest_cfg(f, MSIX_CAP + 2, 2, 0x8000);
	guest_table(f, 0, 12, 0);
	assert_int_equal(vfio_fault_drop(&f->mgr, "00:03.0", 0, 0, 300, err, sizeof(err)), 0);
	assert_int_equal(write(f->d.intr.vec[0].efd, &many, sizeof(many)), sizeof(many));
	loop_once(f);
	/* About 30% swallowed, the relay stays while the probability does. */
	assert_true(f->d.intr.vec[0].dropped > 200 && f->d.intr.vec[0].dropped < 400);
	assert_int_equal(f->d.intr.vec[0].dropped + f->d.intr.vec[0].relayed, 1000);
	assert_int_not_equal(f->d.intr.vec[0].relay_fd, -1);
	/* "0": off again. */
	assert_int_equal(vfio_fault_drop(&f->mgr, "00:03.0", 0, 0, 0, err, sizeof(err)), 0);
	assert_int_equal(f->d.intr.vec[0].relay_fd, -1);
	assert_int_equal(f->loop.n, 0);
}

static void test_drop_intx_unmasks(void **state)
{
	struct fx *f = *state;
	char err[160];
	uint64_t one = 1;

	assert_int_equal(vfio_fault_drop(&f->mgr, "00:03.0", -1, 1, 0, err, sizeof(err)), 0);
	assert_int_equal(write(f->d.intr.vec[0].efd, &one, sizeof(one)), sizeof(one));
	loop_once(f);
	/* The assertion was swallowed, and VFIO told to let the device assert again. */
	assert_int_equal(f->d.intr.vec[0].dropped, 1);
	assert_int_equal(efd_count(f->d.intr.intx_unmask_fd), 1);
	assert_true(k.irqfd_on[f->d.intr.vec[0].efd]);
}

static void test_spurious(void **state)
{
	struct fx *f = *state;
	char err[160];

	msix_program(f, 0);
	guest_cfg(f, MSIX_CAP + 2, 2, 0x8000);
	/* Masked: the spurious interrupts pend in the eventfd (the PBA's bit). */
	assert_int_equal(vfio_fault_spurious(&f->mgr, "00:03.0", 0, 2, err, sizeof(err)), 0);
	assert_int_equal(f->d.intr.faults_spurious, 2);
	assert_int_equal(efd_count(f->d.intr.vec[0].efd), 2);
	assert_int_equal(vfio_fault_spurious(&f->mgr, "00:03.0", 0, 0, err, sizeof(err)), -EINVAL);
	assert_int_equal(vfio_fault_spurious(&f->mgr, "00:03.0", 0, 1001, err, sizeof(err)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_msi_all_granted, setup_roomy, teardown),
		cmocka_unit_test_setup_teardown(test_msi_partial_grant_tells_the_guest, setup_msi_grants_4, teardown),
		cmocka_unit_test_setup_teardown(test_msi_partial_grant_rounds_to_a_block, setup_msi_grants_3, teardown),
		cmocka_unit_test_setup_teardown(test_msi_mask_bits, setup_roomy, teardown),
		cmocka_unit_test_setup_teardown(test_msi_refused_falls_back_to_intx, setup_none, teardown),
		cmocka_unit_test_setup_teardown(test_msix_grows_by_reenabling, setup_roomy, teardown),
		cmocka_unit_test_setup_teardown(test_msix_grows_in_place, setup_dynamic, teardown),
		cmocka_unit_test_setup_teardown(test_msix_enable_with_live_vectors, setup_roomy, teardown),
		cmocka_unit_test_setup_teardown(test_msix_host_limit, setup_msix_grants_2, teardown),
		cmocka_unit_test_setup_teardown(test_msix_route_change_is_one_commit, setup_roomy, teardown),
		cmocka_unit_test_setup_teardown(test_msix_disable_back_to_intx, setup_roomy, teardown),
		cmocka_unit_test_setup_teardown(test_reset_returns_to_intx, setup_roomy, teardown),
		cmocka_unit_test_setup_teardown(test_drop_msix_then_straight_again, setup_roomy, teardown),
		cmocka_unit_test_setup_teardown(test_drop_probability_and_off, setup_roomy, teardown),
		cmocka_unit_test_setup_teardown(test_drop_intx_unmasks, setup_roomy, teardown),
		cmocka_unit_test_setup_teardown(test_spurious, setup_roomy, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
