// SPDX-License-Identifier: GPL-2.0-only
/*
 * Assigned functions coming and going while the guest runs, through the
 * arch's hotplug controller (include/minivmm/hotplug.h):
 *
 *   unplug: the guest is asked to give the slot up (its drivers' remove
 *           paths run), ejects it, and minivmm takes the functions off the
 *           bus and resets them; they stay on vfio-pci for a replug, or go
 *           back to their host drivers when asked (release).
 *   surprise: the functions vanish without a word: config space and BARs
 *           read all-ones, writes go nowhere, interrupts stop; optionally
 *           the slot then reports that it is empty.
 *   plug:   a function held for it comes back on its slot, as after reset,
 *           and the guest is told to scan the slot.
 *
 * A slot is what the guest ejects: every function of a multifunction
 * device goes and comes together.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "minivmm/eventlog.h"
#include "minivmm/hotplug.h"
#include "minivmm/log.h"
#include "minivmm/pci_bdf.h"
#include "minivmm/vfio/vfio.h"

static const char *const state_name[] = {
	[VFIO_HP_PRESENT] = "present", [VFIO_HP_REMOVING] = "removing", [VFIO_HP_UNPLUGGED] = "unplugged",
	[VFIO_HP_GONE] = "gone", [VFIO_HP_RELEASED] = "released",
};

const char *vfio_hp_state_name(const struct vfio_dev *d)
{
	return state_name[d->hp_state];
}

struct vfio_dev *vfio_mgr_find(struct vfio_mgr *m, const char *bdf)
{
	struct pci_bdf want;

	if (pci_bdf_parse(bdf, &want))
		return NULL;
	for (unsigned int i = 0; i < m->ndevs; i++)
		if (!memcmp(&m->devs[i].bdf, &want, sizeof(want)))
			return &m->devs[i];
	return NULL;
}

static unsigned int slot_of(const struct vfio_dev *d)
{
	return PCI_SLOT_OF(d->pdev.devfn);
}

/* The guest let go of the slot: off the bus, reset, held or handed back. Caller holds m->lock. */
static void take_away(struct vfio_mgr *m, struct vfio_dev *d, bool release)
{
	vfio_dev_detach(d);
	if (release) {
		vfio_dev_give_back(m, d);
		d->hp_state = VFIO_HP_RELEASED;
	} else {
		d->hp_state = VFIO_HP_UNPLUGGED;
	}
}

static void vfio_hp_ejected(void *owner, unsigned int slot)
{
	struct vfio_mgr *m = owner;

	pthread_mutex_lock(&m->lock);
	for (unsigned int i = 0; i < m->ndevs; i++) {
		struct vfio_dev *d = &m->devs[i];

		if (slot_of(d) != slot || d->hp_state == VFIO_HP_UNPLUGGED || d->hp_state == VFIO_HP_RELEASED)
			continue;
		take_away(m, d, d->hp_release);
		eventlog_add(m->ctx->events, "unplugged", "%s%s", d->name,
			     d->hp_state == VFIO_HP_RELEASED ? " (back to its host driver)" : "");
	}
	pthread_mutex_unlock(&m->lock);
}

void vfio_hp_register(struct vfio_mgr *m)
{
	struct hotplug *hp = m->ctx->hotplug;

	if (!hp)
		return;
	hp->ejected = vfio_hp_ejected;
	hp->owner = m;
}

/* Look @bdf up and check the controller; a one-line error in @err. */
static struct vfio_dev *hp_lookup(struct vfio_mgr *m, const char *bdf, char *err, size_t len)
{
	struct vfio_dev *d = m ? vfio_mgr_find(m, bdf) : NULL;

	if (!d) {
		snprintf(err, len, "%s is not an assigned device: name one given with --assign", bdf);
		return NULL;
	}
	if (!m->ctx->hotplug || !(m->ctx->hotplug->slots & (1u << slot_of(d)))) {
		snprintf(err, len, "%s is not in a hotplug slot on this machine", d->name);
		return NULL;
	}
	return d;
}

int vfio_hp_unplug(struct vfio_mgr *m, const char *bdf, bool release, char *err, size_t len)
{
	struct vfio_dev *d = hp_lookup(m, bdf, err, len);
	int ret;

	if (!d)
		return -ENODEV;
	pthread_mutex_lock(&m->lock);
	if (d->hp_state != VFIO_HP_PRESENT) {
		snprintf(err, len, "%s is %s: plug it first", d->name, state_name[d->hp_state]);
		pthread_mutex_unlock(&m->lock);
		return -EBUSY;
	}
	for (unsigned int i = 0; i < m->ndevs; i++) {
		if (slot_of(&m->devs[i]) == slot_of(d) && m->devs[i].hp_state == VFIO_HP_PRESENT) {
			m->devs[i].hp_state = VFIO_HP_REMOVING;
			m->devs[i].hp_release = release;
		}
	}
	pthread_mutex_unlock(&m->lock);
	/* The attention button: the guest removes its drivers, then ejects (vfio_hp_ejected). */
	ret = m->ctx->hotplug->notify(m->ctx->hotplug, slot_of(d), HOTPLUG_REMOVE_REQUEST);
	if (ret)
		snprintf(err, len, "the hotplug controller refused slot %u: %s", slot_of(d), strerror(-ret));
	else
		eventlog_add(m->ctx->events, "unplug", "%s: removal requested%s", d->name,
			     release ? ", then back to the host" : "");
	return ret;
}

int vfio_hp_surprise(struct vfio_mgr *m, const char *bdf, bool presence_lost, char *err, size_t len)
{
	struct vfio_dev *d = hp_lookup(m, bdf, err, len);

	if (!d)
		return -ENODEV;
	pthread_mutex_lock(&m->lock);
	/* Gone already: the slot may still report the loss (the guest saw the dead function first). */
	if (d->hp_state == VFIO_HP_GONE && presence_lost) {
		pthread_mutex_unlock(&m->lock);
		eventlog_add(m->ctx->events, "presence-lost", "%s", d->name);
		return m->ctx->hotplug->notify(m->ctx->hotplug, slot_of(d), HOTPLUG_GONE);
	}
	if (d->hp_state != VFIO_HP_PRESENT && d->hp_state != VFIO_HP_REMOVING) {
		snprintf(err, len, "%s is %s already", d->name, state_name[d->hp_state]);
		pthread_mutex_unlock(&m->lock);
		return -EBUSY;
	}
	/* Gone as if pulled out: from the guest's side the reset is invisible. */
	vfio_dev_detach(d);
	d->hp_state = VFIO_HP_GONE;
	pthread_mutex_unlock(&m->lock);
	eventlog_add(m->ctx->events, "surprise-removal", "%s%s", d->name, presence_lost ? ", presence lost" : "");
	if (presence_lost)
		m->ctx->hotplug->notify(m->ctx->hotplug, slot_of(d), HOTPLUG_GONE);
	return 0;
}

int vfio_hp_plug(struct vfio_mgr *m, const char *bdf, char *err, size_t len)
{
	struct vfio_dev *d = hp_lookup(m, bdf, err, len);
	int ret = 0;

	if (!d)
		return -ENODEV;
	pthread_mutex_lock(&m->lock);
	if (d->hp_state == VFIO_HP_PRESENT || d->hp_state == VFIO_HP_REMOVING) {
		snprintf(err, len, "%s is %s: unplug it first", d->name, state_name[d->hp_state]);
		pthread_mutex_unlock(&m->lock);
		return -EBUSY;
	}
	if (d->hp_state == VFIO_HP_RELEASED)
		ret = vfio_dev_take_again(m, d);
	if (!ret)
		ret = vfio_dev_attach(d);
	if (ret) {
		snprintf(err, len, "%s cannot come back: %s", d->name, strerror(-ret));
		pthread_mutex_unlock(&m->lock);
		return ret;
	}
	d->hp_state = VFIO_HP_PRESENT;
	pthread_mutex_unlock(&m->lock);
	eventlog_add(m->ctx->events, "plug", "%s", d->name);
	return m->ctx->hotplug->notify(m->ctx->hotplug, slot_of(d), HOTPLUG_INSERTED);
}
