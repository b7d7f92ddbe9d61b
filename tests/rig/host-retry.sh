#!/usr/bin/env bash
# host-retry.sh HOST.SH-ARGS... -- tests/rig/host.sh, booted again (up to
# RETRIES more times, said aloud) when the emulated test host itself failed.
# host.sh's status 3 means the TCG host panicked, locked up or froze, not
# that a scenario failed. How often varies from run to run (measured: 0 of
# 7 host boots of one full run, 6 of 13 of another, 4 of them in a row);
# host.sh notices within about a minute. A scenario failure (status 1) is
# never retried. Exits with host.sh's last status.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
RETRIES=6
# --name NAME is where host.sh counts the guest runs it retried.
name=scenarios
for ((i = 1; i < $#; i++)); do
	[ "${!i}" = --name ] && { j=$((i + 1)); name=${!j}; }
done
# shellcheck source=tests/rig/common.sh
. "$here/common.sh"
rm -f "$MINIVMM_RIG_OUT/$name.retries"
st=0
"$here/host.sh" "$@" || st=$?
for ((retry = 1; retry <= RETRIES && st == 3; retry++)); do
	echo "=== RETRY: the test host itself failed; booting it again ($retry of $RETRIES)"
	st=0
	"$here/host.sh" "$@" || st=$?
done
runs=$(awk '{n += $1} END {print n + 0}' "$MINIVMM_RIG_OUT/$name.retries" 2>/dev/null || echo 0)
echo "rig-retry: '$name': $((retry - 1)) host boots again, $runs guest runs retried"
echo "$((retry - 1)) $runs" >"$MINIVMM_RIG_OUT/$name.retries"
exit "$st"
