// SPDX-License-Identifier: GPL-2.0-only
/*
 * Interrupts of an assigned function, one interface for INTx, MSI and
 * MSI-X: each vector is a VFIO trigger eventfd wired into KVM with an
 * irqfd, so interrupts never pass through minivmm. MSI/MSI-X vectors get
 * an MSI route on their own GSI; INTx uses its IOAPIC input with a
 * resamplefd that unmasks the line in VFIO when the guest EOIs.
 *
 * Vector operations: enable (mode, nvec), disable, route (address/data),
 * unmask (irqfd on), mask (irqfd off: the eventfd keeps count, which is
 * the pending bit; KVM delivers it when the irqfd comes back).
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
#include "minivmm/vfio/vfio.h"

static const char *const mode_name[] = {
	[VFIO_IRQ_NONE] = "none", [VFIO_IRQ_INTX] = "INTx", [VFIO_IRQ_MSI] = "MSI", [VFIO_IRQ_MSIX] = "MSI-X",
};
static const unsigned int mode_index[] = {
	[VFIO_IRQ_INTX] = VFIO_PCI_INTX_IRQ_INDEX,
	[VFIO_IRQ_MSI] = VFIO_PCI_MSI_IRQ_INDEX,
	[VFIO_IRQ_MSIX] = VFIO_PCI_MSIX_IRQ_INDEX,
};

/* VFIO_DEVICE_SET_IRQS with @count eventfds (NULL: disable the index). */
static int irqs_set(struct vfio_dev *d, unsigned int index, uint32_t action, unsigned int count,
		    const int *fds)
{
	size_t sz = sizeof(struct vfio_irq_set) + count * sizeof(int);
	struct vfio_irq_set *set = calloc(1, sz);
	int ret;

	if (!set)
		return -ENOMEM;
	set->argsz = sz;
	set->index = index;
	set->start = 0;
	set->count = count;
	set->flags = action | (fds ? VFIO_IRQ_SET_DATA_EVENTFD : VFIO_IRQ_SET_DATA_NONE);
	if (fds)
		memcpy(set->data, fds, count * sizeof(int));
	ret = quiet_ioctl(d->fd, VFIO_DEVICE_SET_IRQS, set);
	free(set);
	if (ret)
		dev_err(d->name, "VFIO_DEVICE_SET_IRQS (%s, %u vectors) failed: %s",
			index == VFIO_PCI_INTX_IRQ_INDEX ? "INTx" : index == VFIO_PCI_MSI_IRQ_INDEX ? "MSI" : "MSI-X",
			count, strerror(-ret));
	return ret;
}

/* ---- vector operations ---- */

static void vec_mask(struct vfio_dev *d, struct vfio_vector *v)
{
	if (v->irqfd)
		irq_irqfd_deassign(d->ctx->irq, v->efd, v->gsi);
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
	ret = irq_irqfd_assign(d->ctx->irq, v->efd, v->gsi, resample_fd);
	v->irqfd = !ret;
	return ret;
}

static void vec_release(struct vfio_dev *d, struct vfio_vector *v)
{
	vec_mask(d, v);
	if (v->gsi_valid && d->intr.mode != VFIO_IRQ_INTX)
		irq_msi_free(d->ctx->irq, v->gsi);
	v->gsi_valid = false;
	v->routed = false;
	if (v->efd >= 0)
		close(v->efd);
	v->efd = -1;
}

/* ---- group operations ---- */

static void group_disable(struct vfio_dev *d)
{
	struct vfio_intr *in = &d->intr;

	if (in->mode == VFIO_IRQ_NONE)
		return;
	/* Their host counters vanish with the vectors: keep the total. */
	in->host_count_retired += vfio_intr_host_count(d);
	irqs_set(d, mode_index[in->mode], VFIO_IRQ_SET_ACTION_TRIGGER, 0, NULL);
	for (unsigned int i = 0; i < in->nvec; i++)
		vec_release(d, &in->vec[i]);
	if (in->intx_unmask_fd >= 0)
		close(in->intx_unmask_fd);
	in->intx_unmask_fd = -1;
	dev_debug(d->name, "%s disabled", mode_name[in->mode]);
	in->mode = VFIO_IRQ_NONE;
	in->nvec = 0;
}

static int group_enable(struct vfio_dev *d, enum vfio_irq_mode mode, unsigned int nvec)
{
	struct vfio_intr *in = &d->intr;
	int fds[32] = { 0 };
	int *efds = nvec > 32 ? calloc(nvec, sizeof(int)) : fds;
	int ret;

	if (!efds)
		return -ENOMEM;
	for (unsigned int i = 0; i < nvec; i++) {
		in->vec[i] = (struct vfio_vector){ .efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK) };
		efds[i] = in->vec[i].efd;
		if (efds[i] < 0) {
			ret = -errno;
			goto out_close;
		}
	}
	in->mode = mode;
	in->nvec = nvec;
	in->mode_changes++;
	in->modes_used |= 1u << mode;
	ret = irqs_set(d, mode_index[mode], VFIO_IRQ_SET_ACTION_TRIGGER, nvec, efds);
	if (ret)
		goto out_close;
	dev_debug(d->name, "%s enabled with %u vector%s", mode_name[mode], nvec, nvec == 1 ? "" : "s");
	if (efds != fds)
		free(efds);
	return 0;

out_close:
	for (unsigned int i = 0; i < nvec; i++)
		vec_release(d, &in->vec[i]);
	in->mode = VFIO_IRQ_NONE;
	in->nvec = 0;
	if (efds != fds)
		free(efds);
	return ret;
}

/* INTx: trigger -> irqfd on the slot's IOAPIC input; EOI -> resamplefd -> VFIO unmask. */
static int intx_enable(struct vfio_dev *d)
{
	struct vfio_intr *in = &d->intr;
	struct vfio_vector *v;
	int ret;

	if (!in->intx_gsi)
		return 0; /* no interrupt pin */
	ret = group_enable(d, VFIO_IRQ_INTX, 1);
	if (ret)
		return ret;
	v = &in->vec[0];
	v->gsi = in->intx_gsi;
	v->gsi_valid = true;
	in->intx_unmask_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (in->intx_unmask_fd < 0)
		return -errno;
	ret = irqs_set(d, VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_UNMASK, 1, &in->intx_unmask_fd);
	if (!ret)
		ret = vec_unmask(d, v, in->intx_unmask_fd);
	return ret;
}

/* ---- MSI-X: the emulated table decides, we wire ---- */

static void msix_update(void *opaque, unsigned int vec, bool live, uint64_t addr, uint32_t data,
			bool deliver_pending)
{
	struct vfio_dev *d = opaque;
	struct vfio_vector *v;

	/* A pending vector needs nothing extra: its eventfd still holds the
	 * count, and KVM injects it as soon as the irqfd is back. */
	(void)deliver_pending;
	if (d->intr.mode != VFIO_IRQ_MSIX || vec >= d->intr.nvec)
		return;
	v = &d->intr.vec[vec];
	if (!live) {
		vec_mask(d, v);
		return;
	}
	if (vec_route(d, v, addr, data) || vec_unmask(d, v, -1))
		dev_warn(d->name, "MSI-X vector %u could not be wired", vec);
}

static void msix_control_changed(struct vfio_dev *d)
{
	uint16_t ctrl = vconfig_get16(&d->vc, d->vc.msix_cap + PCI_MSIX_FLAGS);
	bool enable = ctrl & PCI_MSIX_FLAGS_ENABLE, fmask = ctrl & PCI_MSIX_FLAGS_MASKALL;

	if (enable && d->intr.mode != VFIO_IRQ_MSIX) {
		group_disable(d);
		/* All vectors at once: later unmasks never tear down live ones. */
		if (group_enable(d, VFIO_IRQ_MSIX, d->msix.nvec))
			return;
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
		if (group_enable(d, VFIO_IRQ_MSI, st.nvec))
			return;
	}
	for (unsigned int i = 0; i < st.nvec; i++) {
		struct vfio_vector *v = &d->intr.vec[i];

		if (st.has_mask && (st.mask & (1u << i))) {
			vec_mask(d, v);
			continue;
		}
		/* Multi-message MSI: vector i sends data with i in the low bits. */
		if (vec_route(d, v, st.addr, (st.data & ~(st.nvec - 1)) | i) || vec_unmask(d, v, -1))
			dev_warn(d->name, "MSI vector %u could not be wired", i);
	}
}

void vfio_intr_cfg_event(struct vfio_dev *d, unsigned int events)
{
	pthread_mutex_lock(&d->intr.lock);
	if ((events & VCONFIG_EV_MSIX) && d->has_msix)
		msix_control_changed(d);
	if ((events & VCONFIG_EV_MSI) && d->vc.msi_cap)
		msi_changed(d);
	/* Routes left over by the unmasks above (moved, freed). */
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
		struct pollfd p = { .fd = v->efd, .events = POLLIN };

		/* A masked vector's eventfd counts what it missed: that is its pending bit. */
		if (!v->irqfd && v->efd >= 0 && poll(&p, 1, 0) == 1)
			msix_vector_fired(&d->msix, i);
	}
	pthread_mutex_unlock(&d->intr.lock);
}

uint64_t vfio_intr_host_count(struct vfio_dev *d)
{
	char tag[PCI_BDF_STRLEN + 4], line[4096];
	uint64_t total = 0;
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		return 0;
	snprintf(tag, sizeof(tag), "(%s)", d->name);
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ':');

		if (!p || !strstr(line, "vfio-") || !strstr(line, tag))
			continue;
		/* Per-CPU counts follow the "NN:" label. */
		for (p++;;) {
			char *end;
			unsigned long long n = strtoull(p, &end, 10);

			if (end == p)
				break;
			total += n;
			p = end;
		}
	}
	fclose(f);
	return total;
}

int vfio_intr_init(struct vfio_dev *d)
{
	struct vfio_intr *in = &d->intr;
	uint8_t pin = d->vc.vcfg[PCI_INTERRUPT_PIN];
	uint32_t dev_pin = 0;
	int ret;

	in->intx_unmask_fd = -1;
	if (pthread_mutex_init(&in->lock, NULL))
		return -ENOMEM;
	in->lock_ready = true;
	in->max_vec = 32; /* MSI */
	if (d->has_msix) {
		uint16_t ctrl = vconfig_get16(&d->vc, d->vc.msix_cap + PCI_MSIX_FLAGS);

		ret = msix_table_init(&d->msix, (ctrl & PCI_MSIX_FLAGS_QSIZE) + 1, msix_update, d);
		if (ret)
			return ret;
		if (d->msix.nvec > in->max_vec)
			in->max_vec = d->msix.nvec;
	}
	in->vec = calloc(in->max_vec, sizeof(*in->vec));
	if (!in->vec)
		return -ENOMEM;
	for (unsigned int i = 0; i < in->max_vec; i++)
		in->vec[i].efd = -1;
	if (!pin && !vfio_dev_cfg_pread(d, PCI_INTERRUPT_PIN, &dev_pin, 1))
		pin = dev_pin;
	if (pin >= 1 && pin <= 4) {
		struct vfio_irq_info info = { .argsz = sizeof(info), .index = VFIO_PCI_INTX_IRQ_INDEX };

		if (!quiet_ioctl(d->fd, VFIO_DEVICE_GET_IRQ_INFO, &info) && info.count)
			in->intx_gsi = arch_pci_intx_gsi(PCI_SLOT_OF(d->pdev.devfn), pin - 1);
	}
	return intx_enable(d);
}

void vfio_intr_destroy(struct vfio_dev *d)
{
	struct vfio_intr *in = &d->intr;

	if (!in->lock_ready)
		return;
	group_disable(d);
	msix_table_destroy(&d->msix);
	free(in->vec);
	in->vec = NULL;
	pthread_mutex_destroy(&in->lock);
	in->lock_ready = false;
}

const char *vfio_intr_mode_name(const struct vfio_dev *d)
{
	return mode_name[d->intr.mode];
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

void vfio_intr_print_stats(struct vfio_dev *d, FILE *f)
{
	fprintf(f, "\"%s\": {\"mode\": \"%s\", \"modes_used\": ", d->name, vfio_intr_mode_name(d));
	print_modes_used(d, f);
	fprintf(f, ", \"delivered\": %llu, \"userspace\": %llu, \"mode_changes\": %u}",
		(unsigned long long)(d->intr.host_count_retired + vfio_intr_host_count(d)),
		(unsigned long long)d->intr.delivered_userspace, d->intr.mode_changes);
}
