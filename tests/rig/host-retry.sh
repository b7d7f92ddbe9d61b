#!/usr/bin/env bash
# host-retry.sh HOST.SH-ARGS... -- tests/rig/host.sh, booted again (up to
# four more times, said aloud) when the emulated test host itself failed.
# host.sh's status 3 means the TCG host panicked, locked up or froze, not
# that a scenario failed (measured: 1 to 4 of the ~8 host boots of a full
# run do; host.sh notices within about a minute). A scenario failure
# (status 1) is never retried. Exits with host.sh's last status.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
st=0
"$here/host.sh" "$@" || st=$?
for retry in 1 2 3 4; do
	((st == 3)) || break
	echo "=== WARNING: the test host itself failed; booting it again ($retry of 4)"
	st=0
	"$here/host.sh" "$@" || st=$?
done
exit "$st"
