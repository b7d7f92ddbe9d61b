// SPDX-License-Identifier: GPL-2.0-only
/*
 * Control commands that act on assigned functions: hotplug (unplug, plug,
 * surprise), interrupt faults (drop-msi, spurious-msi, drop-intx,
 * spurious-intx) and access traces added at run time. The work is the
 * VFIO layer's (src/vfio/hotplug.c, faults.c, device.c); these check and
 * translate arguments.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "minivmm/ctl/commands.h"
#include "minivmm/ctl/vm_view.h"
#include "minivmm/eventlog.h"
#include "minivmm/vfio/vfio.h"

/* The function named by the "bdf" argument, as text for the VFIO layer. */
static int call_bdf(struct ctl_call *c, char out[PCI_BDF_STRLEN], struct vfio_mgr **m)
{
	*m = vm_view_vfio(c->ctx);
	if (!*m)
		return ctl_fail(c, "no device is assigned: start minivmm with --assign BDF");
	pci_bdf_format(ctl_arg_bdf(c, "bdf"), out);
	return 0;
}

static int vfio_result(struct ctl_call *c, int ret, const char *err, const char *bdf, const char *state)
{
	if (ret)
		return ctl_fail(c, "%s", err);
	json_kv_string(c->reply, "bdf", bdf);
	if (state)
		json_kv_string(c->reply, "state", state);
	return 0;
}

int ctl_cmd_unplug(struct ctl_call *c)
{
	char bdf[PCI_BDF_STRLEN], err[CTL_ERROR_MAX];
	struct vfio_mgr *m;

	if (call_bdf(c, bdf, &m))
		return -EINVAL;
	return vfio_result(c, vfio_hp_unplug(m, bdf, ctl_arg_bool(c, "release", false), err, sizeof(err)), err, bdf,
			   "removing");
}

int ctl_cmd_plug(struct ctl_call *c)
{
	char bdf[PCI_BDF_STRLEN], err[CTL_ERROR_MAX];
	struct vfio_mgr *m;

	if (call_bdf(c, bdf, &m))
		return -EINVAL;
	return vfio_result(c, vfio_hp_plug(m, bdf, err, sizeof(err)), err, bdf, "present");
}

int ctl_cmd_surprise(struct ctl_call *c)
{
	char bdf[PCI_BDF_STRLEN], err[CTL_ERROR_MAX];
	struct vfio_mgr *m;

	if (call_bdf(c, bdf, &m))
		return -EINVAL;
	return vfio_result(c, vfio_hp_surprise(m, bdf, ctl_arg_bool(c, "presence_lost", false), err, sizeof(err)),
			   err, bdf, "gone");
}

/*
 * "amount": a whole number of interrupts to swallow, a probability below 1
 * that each is, or 0 to stop dropping.
 */
static int drop(struct ctl_call *c, int vector)
{
	char bdf[PCI_BDF_STRLEN], err[CTL_ERROR_MAX];
	double amount = ctl_arg_number(c, "amount", 1);
	unsigned int count = 0, permille = 0;
	struct vfio_mgr *m;

	if (call_bdf(c, bdf, &m))
		return -EINVAL;
	if (amount >= 1) {
		if (amount > 1e6 || amount != (double)(unsigned int)amount)
			return ctl_fail(c, "amount %g: give a whole number of interrupts (up to 1000000) or a probability below 1",
					amount);
		count = (unsigned int)amount;
	} else if (amount > 0) {
		permille = (unsigned int)(amount * 1000 + 0.5);
		if (!permille)
			permille = 1;
	}
	if (vfio_fault_drop(m, bdf, vector, count, permille, err, sizeof(err)))
		return ctl_fail(c, "%s", err);
	json_kv_string(c->reply, "bdf", bdf);
	json_kv_int(c->reply, "count", count);
	json_key(c->reply, "probability");
	json_double(c->reply, permille / 1000.0);
	return 0;
}

int ctl_cmd_drop_msi(struct ctl_call *c)
{
	return drop(c, (int)ctl_arg_int(c, "vector", 0));
}

int ctl_cmd_drop_intx(struct ctl_call *c)
{
	return drop(c, -1);
}

static int spurious(struct ctl_call *c, int vector)
{
	char bdf[PCI_BDF_STRLEN], err[CTL_ERROR_MAX];
	unsigned int count = (unsigned int)ctl_arg_int(c, "count", 1);
	struct vfio_mgr *m;

	if (call_bdf(c, bdf, &m))
		return -EINVAL;
	if (vfio_fault_spurious(m, bdf, vector, count, err, sizeof(err)))
		return ctl_fail(c, "%s", err);
	json_kv_string(c->reply, "bdf", bdf);
	json_kv_int(c->reply, "count", count);
	return 0;
}

int ctl_cmd_spurious_msi(struct ctl_call *c)
{
	return spurious(c, (int)ctl_arg_int(c, "vector", 0));
}

int ctl_cmd_spurious_intx(struct ctl_call *c)
{
	return spurious(c, -1);
}

int ctl_cmd_trace(struct ctl_call *c)
{
	char err[CTL_ERROR_MAX], bdf[PCI_BDF_STRLEN];
	const char *spec = ctl_arg_string(c, "range", NULL);
	struct vfio_mgr *m = vm_view_vfio(c->ctx);
	struct trace_spec sp;
	struct vfio_dev *d;
	int ret;

	if (!m)
		return ctl_fail(c, "no device is assigned: start minivmm with --assign BDF");
	if (trace_spec_parse(spec, &sp, err, sizeof(err)))
		return ctl_fail(c, "%s", err);
	pci_bdf_format(&sp.bdf, bdf);
	d = vfio_mgr_find(m, bdf);
	if (!d)
		return ctl_fail(c, "%s is not an assigned device: name one given with --assign", bdf);
	if (!vm_view_tracing(c->ctx))
		return ctl_fail(c, "no trace file: start minivmm with --trace-file FILE (or a --trace)");
	ret = vfio_dev_trace_add(d, &sp);
	if (ret)
		return ctl_fail(c, "%s traces %d ranges already, the most", bdf, TRACE_MAX_RANGES);
	eventlog_add(m->ctx->events, "trace", "%s", spec);
	json_kv_string(c->reply, "range", spec);
	return 0;
}
