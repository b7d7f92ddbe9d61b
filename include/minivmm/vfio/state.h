/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The state file of one assigned PCI function (/run/minivmm/BDF.state):
 * how the function was bound before minivmm changed it, and which minivmm
 * process owns it. Text, one key=value a line:
 *
 *   minivmm-state=1
 *   bdf=0000:03:00.0
 *   driver=e1000e          (empty: it was unbound)
 *   override=              (its driver_override; empty: none)
 *   pid=1234               (the VM process)
 *   starttime=567890       (field 22 of /proc/PID/stat: tells a reused pid apart)
 *   boot_id=8c1e...        (/proc/sys/kernel/random/boot_id)
 *
 * Pure: formatting, parsing and validation only.
 */
#ifndef MINIVMM_VFIO_STATE_H
#define MINIVMM_VFIO_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "minivmm/pci_bdf.h"
#include "minivmm/vfio/host.h"

#define DEV_STATE_VERSION 1
#define DEV_STATE_MAX 512            /* bytes a state file may have */
#define DEV_STATE_BOOT_ID_LEN 36     /* 8-4-4-4-12 hex digits */
#define DEV_STATE_PID_MAX 4194304    /* the kernel's PID_MAX_LIMIT */

struct dev_state {
	char bdf[PCI_BDF_STRLEN];
	char driver[HOST_DRIVER_MAX];
	char override[HOST_DRIVER_MAX];
	int pid;
	unsigned long long starttime;
	char boot_id[DEV_STATE_BOOT_ID_LEN + 1];
};

/*
 * The file's text into @buf; returns its length, or -EINVAL when a field
 * would not parse back (a bad name), -ENOSPC when @buf is too small.
 */
int dev_state_format(const struct dev_state *st, char *buf, size_t len);
/*
 * Parse @len bytes of @buf (not NUL-terminated) into @st. -EINVAL with
 * the reason in @err ("line 3: ...", "truncated", ...) for anything that
 * dev_state_format would not have written.
 */
int dev_state_parse(const char *buf, size_t len, struct dev_state *st, char *err, size_t errlen);
/* A driver name as sysfs shows it: 1-63 of [A-Za-z0-9_.:+-]. */
bool dev_state_name_valid(const char *s);

#endif
