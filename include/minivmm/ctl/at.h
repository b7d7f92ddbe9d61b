/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `--at TIME:COMMAND`: a control command scheduled from the command line,
 * TIME after the guest started. Pure.
 *
 * TIME is a whole number with a unit, ms, s or m (a bare number is
 * seconds): 1500ms, 5s, 2m. COMMAND is the words of `minivmm ctl`
 * ("stop 3", "unplug 0000:00:03.0") or a JSON request ("{...}").
 */
#ifndef MINIVMM_CTL_AT_H
#define MINIVMM_CTL_AT_H

#include <stddef.h>

#include "minivmm/ctl/cmd.h"
#include "minivmm/ctl/json.h"

#define CTL_AT_MAX_MS (7L * 24 * 3600 * 1000)

/*
 * Split @spec into its time and command; *@command points into @spec.
 * -EINVAL with a one-line @err naming the problem and the fix.
 */
int ctl_at_parse(const char *spec, long *ms, const char **command, char *err, size_t errlen);
/*
 * The whole of one --at: time, and the request as one JSON line in @o,
 * checked against @table (so a typo is refused before the guest starts).
 */
int ctl_at_request(const struct ctl_cmd *table, const char *spec, long *ms, struct json_out *o,
		   char *err, size_t errlen);

#endif
