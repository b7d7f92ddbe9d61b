#!/usr/bin/env bash
# The arm64 group of the end-to-end rig, for CI: one arm64 test host boot
# (tests/rig/arm64/host.sh, booted again when the TCG host itself fails)
# with an e1000e pair and an nvme, running scenarios/arm64.sh. Options go
# to host.sh. Exits non-zero if the group failed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
RETRIES=3
args=(--name arm64 --timeout 2400 --scenario-timeout 2200 --mem 3072
	--device e1000e --device e1000e --disk nv:64 --device nvme,serial=rignv,drive=nv "$@"
	"$here/scenarios/arm64.sh")
st=0
"$here/host.sh" "${args[@]}" || st=$?
for ((retry = 1; retry <= RETRIES && st == 3; retry++)); do
	echo "=== WARNING: the arm64 test host itself failed; booting it again ($retry of $RETRIES)"
	st=0
	"$here/host.sh" "${args[@]}" || st=$?
done
exit "$st"
