// SPDX-License-Identifier: GPL-2.0-only
/*
 * Interrupts of an assigned function, one interface for INTx, MSI and
 * MSI-X: each vector is a VFIO trigger eventfd wired into KVM with an
 * irqfd, so interrupts never pass through minivmm. MSI/MSI-X vectors get
 * an MSI route on their own GSI; INTx uses the GSI the arch gives its
 * slot and pin, with a resamplefd that unmasks the line in VFIO when the
 * guest EOIs.
 *
 * Vector operations: route (address/data), unmask (irqfd on), mask (irqfd
 * off: the eventfd keeps count, which is the pending bit; KVM delivers it
 * when the irqfd comes back).
 *
 * The host may grant fewer vectors than asked (VFIO_DEVICE_SET_IRQS then
 * returns the number it can do): MSI retries with what it got and tells
 * the guest through Multiple Message Enable; MSI-X vectors are enabled as
 * the guest unmasks them, growing in place where VFIO can
 * (VFIO_IRQ_INFO_NORESIZE absent) and by re-enabling with the larger count
 * where it cannot.
 */
#include <errno.h>
#include <linux/pci_regs.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "minivmm/arch.h"
#include "minivmm/irq.h"
#include "minivmm/kvm.h"
#include "minivmm/log.h"
#include "minivmm/runstate.h"
#include "minivmm/vfio/vfio.h"

static const char *const mode_name[] = {
	[VFIO_IRQ_NONE] = "none", [VFIO_IRQ_INTX] = "INTx", [VFIO_IRQ_MSI] = "MSI", [VFIO_IRQ_MSIX] = "MSI-X",
};
static const unsigned int mode_index[] = {
	[VFIO_IRQ_INTX] = VFIO_PCI_INTX_IRQ_INDEX,
	[VFIO_IRQ_MSI] = VFIO_PCI_MSI_IRQ_INDEX,
	[VFIO_IRQ_MSIX] = VFIO_PCI_MSIX_IRQ_INDEX,
};

#define intr_warn(d, ...)                                                                    \
	do {                                                                                 \
		if (ratelimit_allow(&(d)->intr.log_limit, now_ms(), NULL))                  \
			dev_warn((d)->name, __VA_ARGS__);                                    \
	} while (0)

/*
 * VFIO_DEVICE_SET_IRQS for vectors [start, start+count) with their eventfds
 * (@fds NULL and @count 0: disable the index). Returns 0, the positive
 * number of vectors the host could grant when it could not grant @count,
 * or -errno.
 */
static int irqs_set(struct vfio_dev *d, unsigned int index, uint32_t action, unsigned int start,
		    unsigned int count, const int *fds)
{
	size_t sz = sizeof(struct vfio_irq_set) + count * sizeof(int);
	struct vfio_irq_set *set = calloc(1, sz);
	int ret;

	if (!set)
		return -ENOMEM;
	set->argsz = sz;
	set->index = index;
	set->start = start;
	set->count = count;
	set->flags = action | (fds ? VFIO_IRQ_SET_DATA_EVENTFD : VFIO_IRQ_SET_DATA_NONE);
	if (fds)
		memcpy(set->data, fds, count * sizeof(int));
	ret = quiet_ioctl(d->fd, VFIO_DEVICE_SET_IRQS, set);
	free(set);
	return ret;
}

static const char *index_name(unsigned int index)
{
	return index == VFIO_PCI_INTX_IRQ_INDEX ? "INTx" : index == VFIO_PCI_MSI_IRQ_INDEX ? "MSI" : "MSI-X";
}

static void account_vectors(struct vfio_dev *d, unsigned int only, bool all);

/* ---- vector operations ---- */

/* What KVM's irqfd listens to: VFIO's eventfd, or minivmm's relay while faults are injected. */
static int vec_irq_fd(const struct vfio_vector *v)
{
	return v->relay_fd >= 0 ? v->relay_fd : v->efd;
}

static void vec_mask(struct vfio_dev *d, struct vfio_vector *v)
{
	if (v->irqfd)
		irq_irqfd_deassign(d->ctx->irq, vec_irq_fd(v), v->gsi);
	v->irqfd = false;
}

static int vec_route(struct vfio_dev *d, struct vfio_vector *v, uint64_t addr, uint32_t data)
{
	int ret;

	if (!v->gsi_valid) {
		ret = irq_msi_alloc(d->ctx->irq, &v->gsi);
		if (ret)
			return ret;
		v->gsi_valid = true;
	} else if (v->routed && v->addr == addr && v->data == data) {
		return 0;
	} else if (v->routed) {
		/* Moved: what it took so far belongs to the old destination. */
		account_vectors(d, v - d->intr.vec, false);
	}
	/* Only this vector's route changes (an IRQ moved to another CPU);
	 * it reaches KVM with the next flush, once per guest write. */
	ret = irq_msi_set(d->ctx->irq, v->gsi,
			  &(struct msi_msg){ .addr = addr, .data = data, .devid = d->requester_id });
	if (!ret) {
		v->addr = addr;
		v->data = data;
		v->routed = true;
	}
	return ret;
}

static int vec_unmask(struct vfio_dev *d, struct vfio_vector *v, int resample_fd)
{
	int ret;

	if (v->irqfd || v->efd < 0)
		return 0;
	ret = irq_irqfd_assign(d->ctx->irq, vec_irq_fd(v), v->gsi, resample_fd);
	v->irqfd = !ret;
	return ret;
}

int vfio_vec_relay(struct vfio_dev *d, unsigned int vec, bool on)
{
	struct vfio_intr *in = &d->intr;
	struct vfio_vector *v;
	bool was_live;
	int resample = in->mode == VFIO_IRQ_INTX ? in->intx_unmask_fd : -1;

	if (!in->ready || vec >= in->nvec || in->vec[vec].efd < 0)
		return -EINVAL;
	v = &in->vec[vec];
	if (on == (v->relay_fd >= 0))
		return 0;
	was_live = v->irqfd;
	vec_mask(d, v);
	if (on) {
		v->relay_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (v->relay_fd < 0)
			return -errno;
	} else {
		uint64_t n;

		/* Forwarded interrupts still pending on the relay stay pending. */
		if (read(v->relay_fd, &n, sizeof(n)) == sizeof(n) && write(v->efd, &n, sizeof(n)) < 0)
			intr_warn(d, "vector %u: a pending interrupt was lost: %s", vec, strerror(errno));
		close(v->relay_fd);
		v->relay_fd = -1;
	}
	return was_live ? vec_unmask(d, v, resample) : 0;
}

static void vec_release(struct vfio_dev *d, struct vfio_vector *v)
{
	if (v->relay_fd >= 0 && d->intr.relay_released)
		d->intr.relay_released(d, v - d->intr.vec);
	vec_mask(d, v);
	if (v->relay_fd >= 0)
		close(v->relay_fd);
	if (v->gsi_valid && d->intr.mode != VFIO_IRQ_INTX)
		irq_msi_free(d->ctx->irq, v->gsi);
	if (v->efd >= 0)
		close(v->efd);
	*v = (struct vfio_vector){ .efd = -1, .relay_fd = -1 };
}

/* Eventfds for vectors [from, to) that have none yet. */
static int vec_open(struct vfio_dev *d, unsigned int from, unsigned int to)
{
	for (unsigned int i = from; i < to; i++) {
		struct vfio_vector *v = &d->intr.vec[i];

		if (v->efd >= 0)
			continue;
		*v = (struct vfio_vector){ .efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), .relay_fd = -1 };
		if (v->efd < 0)
			return -errno;
	}
	return 0;
}

/* ---- group operations ---- */

static void group_disable(struct vfio_dev *d)
{
	struct vfio_intr *in = &d->intr;

	if (in->mode == VFIO_IRQ_NONE)
		return;
	/* Their host counters vanish with the vectors: keep them. */
	account_vectors(d, 0, true);
	in->host_count_retired += vfio_intr_host_count(d);
	irqs_set(d, mode_index[in->mode], VFIO_IRQ_SET_ACTION_TRIGGER, 0, 0, NULL);
	for (unsigned int i = 0; i < in->max_vec; i++)
		vec_release(d, &in->vec[i]);
	if (in->intx_unmask_fd >= 0)
		close(in->intx_unmask_fd);
	in->intx_unmask_fd = -1;
	dev_debug(d->name, "%s disabled", mode_name[in->mode]);
	in->mode = VFIO_IRQ_NONE;
	in->nvec = 0;
}

/* The eventfds of vectors [0, n) for VFIO_DEVICE_SET_IRQS. */
static int *vec_fds(struct vfio_dev *d, unsigned int n)
{
	int *fds = calloc(n ? n : 1, sizeof(int));

	for (unsigned int i = 0; fds && i < n; i++)
		fds[i] = d->intr.vec[i].efd;
	return fds;
}

/*
 * Enable @mode with @want vectors (the first @want). Returns the number
 * granted (at least 1; fewer than @want when the host could not do more)
 * or -errno with the mode left disabled.
 */
static int group_enable(struct vfio_dev *d, enum vfio_irq_mode mode, unsigned int want)
{
	struct vfio_intr *in = &d->intr;
	unsigned int n = want;
	int ret, *fds;

	ret = vec_open(d, 0, n);
	for (int attempt = 0; !ret && attempt < 2; attempt++) {
		fds = vec_fds(d, n);
		if (!fds) {
			ret = -ENOMEM;
			break;
		}
		ret = irqs_set(d, mode_index[mode], VFIO_IRQ_SET_ACTION_TRIGGER, 0, n, fds);
		free(fds);
		if (ret <= 0 || (unsigned int)ret >= n)
			break;
		/* The host can do fewer: take them (MSI grants powers of two). */
		n = mode == VFIO_IRQ_MSI ? msi_block(ret) : (unsigned int)ret;
		in->partial_grants++;
		intr_warn(d, "the host granted %u of the %u %s vectors asked for", n, want, mode_name[mode]);
		ret = 0;
	}
	if (ret) {
		dev_err(d->name, "VFIO_DEVICE_SET_IRQS (%s, %u vectors) failed: %s", index_name(mode_index[mode]), n,
			ret > 0 ? "the host grants fewer" : strerror(-ret));
		for (unsigned int i = 0; i < in->max_vec; i++)
			vec_release(d, &in->vec[i]);
		return ret > 0 ? -ENOSPC : ret;
	}
	for (unsigned int i = n; i < want; i++)
		vec_release(d, &in->vec[i]);
	in->mode = mode;
	in->nvec = n;
	in->mode_changes++;
	in->modes_used |= 1u << mode;
	dev_debug(d->name, "%s enabled with %u vector%s", mode_name[mode], n, n == 1 ? "" : "s");
	return n;
}

/* INTx: trigger -> irqfd on the slot's pin; EOI -> resamplefd -> VFIO unmask. */
static int intx_enable(struct vfio_dev *d)
{
	struct vfio_intr *in = &d->intr;
	struct vfio_vector *v;
	int ret;

	if (!in->intx_gsi)
		return 0; /* no interrupt pin */
	ret = group_enable(d, VFIO_IRQ_INTX, 1);
	if (ret < 0)
		return ret;
	v = &in->vec[0];
	v->gsi = in->intx_gsi;
	v->gsi_valid = true;
	in->intx_unmask_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (in->intx_unmask_fd < 0)
		return -errno;
	ret = irqs_set(d, VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_UNMASK, 0, 1, &in->intx_unmask_fd);
	if (!ret)
		ret = vec_unmask(d, v, in->intx_unmask_fd);
	return ret;
}

/* MSI or MSI-X could not be enabled: the device still interrupts through INTx. */
static void fall_back_to_intx(struct vfio_dev *d, enum vfio_irq_mode failed)
{
	d->intr.failed_enables++;
	intr_warn(d, "%s could not be enabled: the device interrupts through INTx meanwhile", mode_name[failed]);
	intx_enable(d);
}

/* ---- MSI-X: the emulated table decides, we wire ---- */

/* Wire vector @vec as the table says: live -> routed + irqfd; else irqfd off. */
static void msix_wire(struct vfio_dev *d, unsigned int vec)
{
	const struct msix_entry *e = &d->msix.entry[vec];
	struct vfio_vector *v = &d->intr.vec[vec];

	if (!msix_is_live(&d->msix, vec)) {
		vec_mask(d, v);
		return;
	}
	if (vec_route(d, v, ((uint64_t)e->addr_hi << 32) | e->addr_lo, e->data) || vec_unmask(d, v, -1))
		intr_warn(d, "MSI-X vector %u could not be wired", vec);
}

/*
 * Vectors [0, want) enabled in VFIO, keeping the ones that are. Without
 * NORESIZE VFIO adds the new ones in place; with it MSI-X is disabled and
 * enabled again with all of them, and each vector that was live gets one
 * interrupt afterwards: one lost while MSI-X was off would hang a driver,
 * a spurious one it takes in its stride.
 */
static int msix_grow(struct vfio_dev *d, unsigned int want)
{
	struct vfio_intr *in = &d->intr;
	unsigned int have = in->nvec;
	int ret, *fds;

	if (want > in->max_vec)
		want = in->max_vec;
	if (want <= have || want <= in->msix_denied)
		return 0;
	ret = vec_open(d, have, want);
	if (ret)
		return ret;
	if (!in->msix_noresize) {
		fds = vec_fds(d, want);
		ret = fds ? irqs_set(d, VFIO_PCI_MSIX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_TRIGGER, have, want - have,
				     fds + have) : -ENOMEM;
		free(fds);
		if (!ret) {
			in->nvec = want;
			in->msix_grows++;
			return 0;
		}
	} else {
		account_vectors(d, 0, true);
		in->host_count_retired += vfio_intr_host_count(d);
		irqs_set(d, VFIO_PCI_MSIX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_TRIGGER, 0, 0, NULL);
		/* The host's counters start again with the new vectors. */
		for (unsigned int i = 0; i < have; i++)
			in->vec[i].count_base = 0;
		fds = vec_fds(d, want);
		ret = fds ? irqs_set(d, VFIO_PCI_MSIX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_TRIGGER, 0, want, fds) : -ENOMEM;
		if (ret > 0 && (unsigned int)ret >= have) {
			/* Fewer than asked, but no fewer than before: take them. */
			unsigned int got = ret;

			in->partial_grants++;
			intr_warn(d, "the host granted %u of the %u MSI-X vectors asked for", got, want);
			for (unsigned int i = got; i < want; i++)
				vec_release(d, &in->vec[i]);
			in->msix_denied = want;
			want = got;
			ret = irqs_set(d, VFIO_PCI_MSIX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_TRIGGER, 0, want, fds);
		} else if (ret) {
			/* Back to what we had. */
			irqs_set(d, VFIO_PCI_MSIX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_TRIGGER, 0, have, fds);
		}
		free(fds);
		in->msix_reenables++;
		if (!ret) {
			uint64_t one = 1;

			in->nvec = want;
			for (unsigned int i = 0; i < have; i++)
				if (d->intr.vec[i].irqfd && write(d->intr.vec[i].efd, &one, sizeof(one)) < 0)
					intr_warn(d, "MSI-X vector %u: cannot replay its interrupt: %s", i,
						  strerror(errno));
			return 0;
		}
	}
	/* The host grants no more: the vectors above stay silent. */
	for (unsigned int i = have; i < want; i++)
		vec_release(d, &in->vec[i]);
	in->msix_denied = want;
	in->partial_grants++;
	intr_warn(d, "the host granted %u MSI-X vectors, the guest uses vector %u: it stays silent (%s)", have,
		  want - 1, ret > 0 ? "host limit" : strerror(-ret));
	return ret > 0 ? -ENOSPC : ret;
}

static void msix_update(void *opaque, unsigned int vec, bool live, uint64_t addr, uint32_t data,
			bool deliver_pending)
{
	struct vfio_dev *d = opaque;

	/* A pending vector needs nothing extra: its eventfd still holds the
	 * count, and KVM injects it as soon as the irqfd is back. */
	(void)deliver_pending, (void)addr, (void)data;
	if (d->intr.mode != VFIO_IRQ_MSIX)
		return;
	if (live && vec >= d->intr.nvec)
		msix_grow(d, vec + 1);
	if (vec < d->intr.nvec)
		msix_wire(d, vec);
}

/* Vectors the guest has live now: enough to enable at once. */
static unsigned int msix_live_count(const struct msix_table *t, bool enabled, bool fmask)
{
	unsigned int n = 1; /* VFIO enables MSI-X with at least one vector */

	for (unsigned int i = 0; enabled && !fmask && i < t->nvec; i++)
		if (!(t->entry[i].ctrl & MSIX_CTRL_MASKBIT))
			n = i + 1;
	return n;
}

static void msix_control_changed(struct vfio_dev *d)
{
	uint16_t ctrl = vconfig_get16(&d->vc, d->vc.msix_cap + PCI_MSIX_FLAGS);
	bool enable = ctrl & PCI_MSIX_FLAGS_ENABLE, fmask = ctrl & PCI_MSIX_FLAGS_MASKALL;

	if (enable && d->intr.mode != VFIO_IRQ_MSIX) {
		group_disable(d);
		d->intr.msix_denied = 0;
		if (group_enable(d, VFIO_IRQ_MSIX, msix_live_count(&d->msix, enable, fmask)) < 0) {
			fall_back_to_intx(d, VFIO_IRQ_MSIX);
			return;
		}
	}
	msix_set_control(&d->msix, enable, fmask);
	if (!enable && d->intr.mode == VFIO_IRQ_MSIX) {
		group_disable(d);
		intx_enable(d);
	}
}

/* ---- MSI ---- */

static void msi_changed(struct vfio_dev *d)
{
	struct msi_state st;
	int got;

	msi_decode(d->vc.vcfg, d->vc.msi_cap, &st);
	if (!st.enabled) {
		if (d->intr.mode == VFIO_IRQ_MSI) {
			group_disable(d);
			intx_enable(d);
		}
		return;
	}
	if (d->intr.mode != VFIO_IRQ_MSI || d->intr.nvec != st.nvec) {
		group_disable(d);
		got = group_enable(d, VFIO_IRQ_MSI, st.nvec);
		if (got < 0) {
			fall_back_to_intx(d, VFIO_IRQ_MSI);
			return;
		}
		if ((unsigned int)got < st.nvec) {
			/* Tell the guest the truth: fewer vectors in Multiple Message Enable. */
			vconfig_msi_set_enabled_vectors(&d->vc, got);
			st.nvec = got;
		}
	}
	for (unsigned int i = 0; i < st.nvec; i++) {
		struct vfio_vector *v = &d->intr.vec[i];

		/* Multi-message MSI: vector i sends data with i in the low bits. */
		if (vec_route(d, v, st.addr, (st.data & ~(st.nvec - 1)) | i))
			intr_warn(d, "MSI vector %u could not be routed", i);
	}
	/* Routes first, once; then the irqfds find them. */
	irq_flush(d->ctx->irq);
	for (unsigned int i = 0; i < st.nvec; i++) {
		struct vfio_vector *v = &d->intr.vec[i];

		if (st.has_mask && (st.mask & (1u << i)))
			vec_mask(d, v);
		else if (vec_unmask(d, v, -1))
			intr_warn(d, "MSI vector %u could not be wired", i);
	}
}

void vfio_intr_cfg_event(struct vfio_dev *d, unsigned int events)
{
	pthread_mutex_lock(&d->intr.lock);
	if ((events & VCONFIG_EV_MSIX) && d->vc.msix_cap && d->has_msix)
		msix_control_changed(d);
	if ((events & VCONFIG_EV_MSI) && d->vc.msi_cap)
		msi_changed(d);
	/* Routes left over by the changes above (moved, freed). */
	irq_flush(d->ctx->irq);
	pthread_mutex_unlock(&d->intr.lock);
}

void vfio_intr_table_access(struct vfio_dev *d, uint64_t off, void *data, unsigned int len, bool is_write)
{
	pthread_mutex_lock(&d->intr.lock);
	msix_table_access(&d->msix, off, data, len, is_write);
	if (is_write)
		irq_flush(d->ctx->irq);
	pthread_mutex_unlock(&d->intr.lock);
}

void vfio_intr_sync_pba(struct vfio_dev *d)
{
	pthread_mutex_lock(&d->intr.lock);
	for (unsigned int i = 0; d->intr.mode == VFIO_IRQ_MSIX && i < d->intr.nvec; i++) {
		struct vfio_vector *v = &d->intr.vec[i];
		struct pollfd p = { .fd = vec_irq_fd(v), .events = POLLIN };

		/* A masked vector's eventfd counts what it missed: that is its pending bit. */
		if (!v->irqfd && v->efd >= 0 && poll(&p, 1, 0) == 1 && !msix_vector_fired(&d->msix, i))
			d->intr.pba_pending++;
	}
	pthread_mutex_unlock(&d->intr.lock);
}

void vfio_intr_reset(struct vfio_dev *d)
{
	pthread_mutex_lock(&d->intr.lock);
	group_disable(d);
	msix_set_control(&d->msix, false, false);
	msix_reset(&d->msix);
	intx_enable(d);
	irq_flush(d->ctx->irq);
	pthread_mutex_unlock(&d->intr.lock);
}

/*
 * Host interrupts of each of the device's vectors now, from its
 * "vfio-msix[N](BDF)" (or vfio-msi, vfio-intx) lines in /proc/interrupts,
 * into @counts[N] (@n entries). Returns the total.
 */
static uint64_t host_counts(struct vfio_dev *d, uint64_t *counts, unsigned int n)
{
	char tag[PCI_BDF_STRLEN + 4], line[4096];
	uint64_t total = 0;
	FILE *f = fopen("/proc/interrupts", "r");

	if (counts)
		memset(counts, 0, n * sizeof(*counts));
	if (!f)
		return 0;
	snprintf(tag, sizeof(tag), "(%s)", d->name);
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ':'), *name = strstr(line, "vfio-"), *br;
		uint64_t sum = 0;
		unsigned long vec = 0;

		if (!p || !name || !strstr(line, tag))
			continue;
		/* Per-CPU counts follow the "NN:" label. */
		for (p++;;) {
			char *end;
			unsigned long long c = strtoull(p, &end, 10);

			if (end == p)
				break;
			sum += c;
			p = end;
		}
		br = strchr(name, '[');
		if (br)
			vec = strtoul(br + 1, NULL, 10);
		if (counts && vec < n)
			counts[vec] += sum;
		total += sum;
	}
	fclose(f);
	return total;
}

/*
 * Interrupts of routed MSI/MSI-X vectors since their route last changed go
 * to the vCPU that route named: the per-CPU counts in --stats.
 */
static void account_vectors(struct vfio_dev *d, unsigned int only, bool all)
{
	struct vfio_intr *in = &d->intr;
	uint64_t *counts;

	if (in->mode != VFIO_IRQ_MSI && in->mode != VFIO_IRQ_MSIX)
		return;
	counts = calloc(in->max_vec, sizeof(*counts));
	if (!counts)
		return;
	host_counts(d, counts, in->max_vec);
	for (unsigned int i = 0; i < in->nvec; i++) {
		struct vfio_vector *v = &in->vec[i];
		int cpu;

		if ((!all && i != only) || !v->routed || counts[i] < v->count_base)
			continue;
		cpu = arch_msi_dest_cpu(v->addr, v->data);
		if (cpu >= 0 && (unsigned int)cpu < in->ncpus)
			in->cpu_irqs[cpu] += counts[i] - v->count_base;
		in->vec_irqs[i] += counts[i] - v->count_base;
		v->count_base = counts[i];
	}
	free(counts);
}

uint64_t vfio_intr_host_count(struct vfio_dev *d)
{
	return host_counts(d, NULL, 0);
}

int vfio_intr_prepare(struct vfio_dev *d)
{
	struct vfio_intr *in = &d->intr;

	in->intx_unmask_fd = -1;
	in->log_limit = (struct ratelimit)RATELIMIT_INIT;
	if (pthread_mutex_init(&in->lock, NULL))
		return -ENOMEM;
	in->lock_ready = true;
	return 0;
}

void vfio_intr_free(struct vfio_dev *d)
{
	struct vfio_intr *in = &d->intr;

	vfio_intr_destroy(d);
	free(in->vec_irqs);
	free(in->cpu_irqs);
	in->vec_irqs = in->cpu_irqs = NULL;
	if (in->lock_ready)
		pthread_mutex_destroy(&in->lock);
	in->lock_ready = false;
}

/* Caller holds the lock. */
static int intr_init_locked(struct vfio_dev *d)
{
	struct vfio_intr *in = &d->intr;
	uint8_t pin = d->vc.vcfg[PCI_INTERRUPT_PIN];
	int ret;

	in->intx_unmask_fd = -1;
	in->intx_gsi = 0;
	in->max_vec = 32; /* MSI */
	if (d->has_msix) {
		uint16_t ctrl = vconfig_get16(&d->vc, d->vc.msix_cap + PCI_MSIX_FLAGS);
		struct vfio_irq_info info = { .argsz = sizeof(info), .index = VFIO_PCI_MSIX_IRQ_INDEX };

		ret = msix_table_init(&d->msix, (ctrl & PCI_MSIX_FLAGS_QSIZE) + 1, msix_update, d);
		if (ret)
			return ret;
		if (d->msix.nvec > in->max_vec)
			in->max_vec = d->msix.nvec;
		/* Kernels before dynamic MSI-X (6.5) cannot add vectors to a live set. */
		in->msix_noresize = quiet_ioctl(d->fd, VFIO_DEVICE_GET_IRQ_INFO, &info) ||
				    (info.flags & VFIO_IRQ_INFO_NORESIZE);
	}
	in->vec = calloc(in->max_vec, sizeof(*in->vec));
	/* The counts outlive an unplug: they are the run's. */
	if (!in->vec_irqs)
		in->vec_irqs = calloc(in->max_vec, sizeof(*in->vec_irqs));
	in->ncpus = d->ctx->ncpus;
	if (!in->cpu_irqs)
		in->cpu_irqs = calloc(in->ncpus ? in->ncpus : 1, sizeof(*in->cpu_irqs));
	if (!in->vec || !in->vec_irqs || !in->cpu_irqs)
		return -ENOMEM;
	for (unsigned int i = 0; i < in->max_vec; i++)
		in->vec[i].efd = in->vec[i].relay_fd = -1;
	if (pin >= 1 && pin <= 4) {
		struct vfio_irq_info info = { .argsz = sizeof(info), .index = VFIO_PCI_INTX_IRQ_INDEX };

		if (!quiet_ioctl(d->fd, VFIO_DEVICE_GET_IRQ_INFO, &info) && info.count)
			in->intx_gsi = arch_pci_intx_gsi(PCI_SLOT_OF(d->pdev.devfn), pin - 1);
	}
	in->ready = true;
	return intx_enable(d);
}

int vfio_intr_init(struct vfio_dev *d)
{
	int ret;

	pthread_mutex_lock(&d->intr.lock);
	ret = intr_init_locked(d);
	pthread_mutex_unlock(&d->intr.lock);
	return ret;
}

void vfio_intr_destroy(struct vfio_dev *d)
{
	struct vfio_intr *in = &d->intr;

	if (!in->lock_ready)
		return;
	/* Under the lock: a vCPU may be in the MSI-X table right now. */
	pthread_mutex_lock(&in->lock);
	if (in->ready) {
		group_disable(d);
		msix_table_destroy(&d->msix);
		free(in->vec);
		in->vec = NULL;
		in->max_vec = in->nvec = 0;
		in->ready = false;
	}
	pthread_mutex_unlock(&in->lock);
}

const char *vfio_intr_mode_name(const struct vfio_dev *d)
{
	return mode_name[d->intr.mode];
}

const char *vfio_irq_mode_str(enum vfio_irq_mode mode)
{
	return (unsigned int)mode <= VFIO_IRQ_MSIX ? mode_name[mode] : "?";
}

static void print_modes_used(const struct vfio_dev *d, FILE *f)
{
	const char *sep = "";

	fputc('[', f);
	for (unsigned int m = VFIO_IRQ_INTX; m <= VFIO_IRQ_MSIX; m++) {
		if (d->intr.modes_used & (1u << m)) {
			fprintf(f, "%s\"%s\"", sep, mode_name[m]);
			sep = ", ";
		}
	}
	fputc(']', f);
}

/* JSON array of @n counts. */
static void print_counts(FILE *f, const uint64_t *c, unsigned int n)
{
	fputc('[', f);
	for (unsigned int i = 0; i < n; i++)
		fprintf(f, "%s%llu", i ? ", " : "", (unsigned long long)c[i]);
	fputc(']', f);
}

void vfio_intr_print_stats(struct vfio_dev *d, FILE *f)
{
	struct vfio_intr *in = &d->intr;
	unsigned int nv = 0;

	pthread_mutex_lock(&in->lock);
	account_vectors(d, 0, true);
	for (unsigned int i = 0; i < in->max_vec; i++)
		if (in->vec_irqs[i])
			nv = i + 1;

	fprintf(f, "\"%s\": {\"mode\": \"%s\", \"modes_used\": ", d->name, vfio_intr_mode_name(d));
	print_modes_used(d, f);
	fprintf(f, ", \"vectors\": %u, \"delivered\": %llu, \"mode_changes\": %u, \"msix_grows\": %u, "
		   "\"msix_reenables\": %u, \"partial_grants\": %u, \"failed_enables\": %u, \"pba_pending\": %llu, "
		   "\"flrs\": %u, \"d3_entries\": %u, \"hotplug\": \"%s\", \"faults_dropped\": %llu, \"faults_spurious\": %llu",
		in->nvec, (unsigned long long)(in->host_count_retired + vfio_intr_host_count(d)), in->mode_changes,
		in->msix_grows, in->msix_reenables, in->partial_grants, in->failed_enables,
		(unsigned long long)in->pba_pending, d->flrs, d->d3_entries, vfio_hp_state_name(d),
		(unsigned long long)in->faults_dropped, (unsigned long long)in->faults_spurious);
	/* Where MSI/MSI-X interrupts went: per vector, and per vCPU by their routes. */
	fprintf(f, ", \"msi_per_vector\": ");
	print_counts(f, in->vec_irqs, nv);
	fprintf(f, ", \"msi_per_cpu\": ");
	print_counts(f, in->cpu_irqs, in->ncpus);
	fputc('}', f);
	pthread_mutex_unlock(&in->lock);
}
