/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Command words -> a JSON request, for `minivmm ctl PATH COMMAND ARGS...`
 * and `--at TIME:COMMAND`. Pure.
 *
 *   stop                        {"cmd": "stop"}
 *   stop 3 message=hung         {"cmd": "stop", "status": 3, "message": "hung"}
 *   unplug 0000:00:03.0         {"cmd": "unplug", "bdf": "0000:00:03.0"}
 *
 * A word NAME=VALUE sets the command's argument NAME (also "id"); other
 * words fill the arguments not named, in the table's order (an array
 * argument takes all the rest). Values get the argument's type: integers
 * in decimal or 0x hex, booleans as true/false, yes/no, on/off, 1/0. For a
 * command the table does not know, NAME=VALUE words are sent with their
 * type guessed (integer, true/false, else string).
 */
#ifndef MINIVMM_CTL_WORDS_H
#define MINIVMM_CTL_WORDS_H

#include <stddef.h>

#include "minivmm/ctl/cmd.h"
#include "minivmm/ctl/json.h"

#define CTL_MAX_WORDS 64

/* Writes the request object into @o; -EINVAL with a one-line @err. */
int ctl_words_request(const struct ctl_cmd *table, int argc, char *const argv[], struct json_out *o,
		      char *err, size_t errlen);
/* Split @s in place at blanks into at most @max words; -E2BIG when more. */
int ctl_words_split(char *s, char *argv[], int max);

#endif
