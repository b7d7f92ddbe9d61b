// SPDX-License-Identifier: GPL-2.0-only
/*
 * Interrupt faults of assigned functions, for drivers' timeout and poll
 * paths: interrupts that never arrive (drop) and interrupts with no
 * device event behind them (spurious), on an MSI/MSI-X vector or on INTx.
 *
 * A vector with drops pending is relayed: its VFIO eventfd is watched by
 * the main loop instead of KVM, each interrupt is swallowed or passed on
 * to the eventfd KVM's irqfd now listens to; when the drops are done the
 * vector goes straight to KVM again. A dropped INTx assertion is unmasked
 * in VFIO so that the device can assert again. Spurious interrupts are
 * written to the irqfd's eventfd, as if the device had signalled.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "minivmm/eventlog.h"
#include "minivmm/log.h"
#include "minivmm/loop.h"
#include "minivmm/vfio/vfio.h"

#define SPURIOUS_MAX 1000
#define SPURIOUS_GAP_NS 1000000 /* apart, so KVM does not coalesce them */

/* Deterministic per vector and interrupt: splitmix64 of a running index. */
static unsigned int draw_permille(struct vfio_vector *v)
{
	uint64_t z = (v->dropped + v->relayed) * 0x9e3779b97f4a7c15ULL + v->gsi;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31)) % 1000;
}

static void relay_stop_watch(struct vfio_dev *d, unsigned int vec)
{
	loop_unwatch(d->ctx->loop, d->intr.vec[vec].efd);
}

/* The main loop: VFIO signalled a relayed vector. */
static void relay_cb(void *opaque, int fd, short revents)
{
	struct vfio_dev *d = opaque;
	struct vfio_intr *in = &d->intr;
	uint64_t n = 0, one = 1;

	(void)revents;
	pthread_mutex_lock(&in->lock);
	for (unsigned int i = 0; i < in->nvec; i++) {
		struct vfio_vector *v = &in->vec[i];

		if (v->efd != fd || v->relay_fd < 0)
			continue;
		if (read(fd, &n, sizeof(n)) != sizeof(n))
			break;
		while (n--) {
			if (v->drop_left || (v->drop_permille && draw_permille(v) < v->drop_permille)) {
				if (v->drop_left)
					v->drop_left--;
				v->dropped++;
				in->faults_dropped++;
				/* INTx: VFIO masked the line at the assertion; let the device assert again. */
				if (in->mode == VFIO_IRQ_INTX && write(in->intx_unmask_fd, &one, sizeof(one)) < 0)
					dev_warn(d->name, "INTx: cannot unmask after a dropped assertion: %s", strerror(errno));
				continue;
			}
			v->relayed++;
			if (write(v->relay_fd, &one, sizeof(one)) < 0)
				dev_warn(d->name, "vector %u: cannot pass an interrupt on: %s", i, strerror(errno));
		}
		/* Done: straight to KVM again. */
		if (!v->drop_left && !v->drop_permille) {
			relay_stop_watch(d, i);
			vfio_vec_relay(d, i, false);
		}
		break;
	}
	pthread_mutex_unlock(&in->lock);
}

/* Resolve "BDF VECTOR" into a live vector; -1 means INTx. Caller holds the intr lock. */
static int fault_vector(struct vfio_dev *d, int vec, char *err, size_t len)
{
	struct vfio_intr *in = &d->intr;

	if (!in->ready || d->hp_state != VFIO_HP_PRESENT) {
		snprintf(err, len, "%s is not on the guest's bus now", d->name);
		return -ENODEV;
	}
	if (vec < 0) {
		if (in->mode != VFIO_IRQ_INTX) {
			snprintf(err, len, "%s uses %s now, not INTx: give a vector number", d->name, vfio_intr_mode_name(d));
			return -EINVAL;
		}
		return 0;
	}
	if (in->mode != VFIO_IRQ_MSI && in->mode != VFIO_IRQ_MSIX) {
		snprintf(err, len, "%s uses %s now: vectors are for MSI or MSI-X (INTx: use the -intx command)", d->name,
			 vfio_intr_mode_name(d));
		return -EINVAL;
	}
	if ((unsigned int)vec >= in->nvec || in->vec[vec].efd < 0) {
		snprintf(err, len, "%s has %u %s vector%s enabled: vector %d is not one", d->name, in->nvec,
			 vfio_intr_mode_name(d), in->nvec == 1 ? "" : "s", vec);
		return -EINVAL;
	}
	return vec;
}

int vfio_fault_drop(struct vfio_mgr *m, const char *bdf, int vec, unsigned int count, unsigned int permille,
		    char *err, size_t len)
{
	struct vfio_dev *d = m ? vfio_mgr_find(m, bdf) : NULL;
	struct vfio_vector *v;
	int i, ret;

	if (!d) {
		snprintf(err, len, "%s is not an assigned device: name one given with --assign", bdf);
		return -ENODEV;
	}
	if (permille > 1000) {
		snprintf(err, len, "a drop probability is at most 1");
		return -EINVAL;
	}
	pthread_mutex_lock(&d->intr.lock);
	i = fault_vector(d, vec, err, len);
	if (i < 0) {
		pthread_mutex_unlock(&d->intr.lock);
		return i;
	}
	v = &d->intr.vec[i];
	v->drop_left = count;
	v->drop_permille = permille;
	d->intr.relay_released = relay_stop_watch;
	if (count || permille) {
		ret = vfio_vec_relay(d, i, true);
		if (!ret) {
			ret = loop_watch(d->ctx->loop, v->efd, POLLIN, relay_cb, d);
			if (ret == -EEXIST)
				ret = 0;
		}
	} else { /* "0": stop dropping */
		relay_stop_watch(d, i);
		ret = vfio_vec_relay(d, i, false);
	}
	pthread_mutex_unlock(&d->intr.lock);
	if (ret) {
		snprintf(err, len, "%s: cannot relay %s: %s", d->name, vec < 0 ? "INTx" : "the vector", strerror(-ret));
		return ret;
	}
	if (vec < 0)
		eventlog_add(m->ctx->events, "drop-intx", "%s: next %u assertions, then %u/1000 of them", d->name, count,
			     permille);
	else
		eventlog_add(m->ctx->events, "drop-msi", "%s vector %d: next %u interrupts, then %u/1000 of them",
			     d->name, vec, count, permille);
	return 0;
}

int vfio_fault_spurious(struct vfio_mgr *m, const char *bdf, int vec, unsigned int count, char *err, size_t len)
{
	struct vfio_dev *d = m ? vfio_mgr_find(m, bdf) : NULL;
	const struct timespec gap = { .tv_nsec = SPURIOUS_GAP_NS };
	uint64_t one = 1;
	unsigned int done = 0;
	int i;

	if (!d) {
		snprintf(err, len, "%s is not an assigned device: name one given with --assign", bdf);
		return -ENODEV;
	}
	if (!count || count > SPURIOUS_MAX) {
		snprintf(err, len, "give 1 to %d spurious interrupts", SPURIOUS_MAX);
		return -EINVAL;
	}
	for (unsigned int k = 0; k < count; k++) {
		pthread_mutex_lock(&d->intr.lock);
		i = fault_vector(d, vec, err, len);
		if (i >= 0) {
			struct vfio_vector *v = &d->intr.vec[i];
			int fd = v->relay_fd >= 0 ? v->relay_fd : v->efd;

			/* As if the device had signalled: KVM injects it (or it pends while masked). */
			if (write(fd, &one, sizeof(one)) == sizeof(one)) {
				v->spurious++;
				d->intr.faults_spurious++;
				done++;
			}
		}
		pthread_mutex_unlock(&d->intr.lock);
		if (i < 0)
			return done ? 0 : i;
		if (k + 1 < count)
			nanosleep(&gap, NULL);
	}
	if (vec < 0)
		eventlog_add(m->ctx->events, "spurious-intx", "%s: %u assertions", d->name, done);
	else
		eventlog_add(m->ctx->events, "spurious-msi", "%s vector %d: %u interrupts", d->name, vec, done);
	return 0;
}
