#!/usr/bin/env bash
# Run every scenario group of the end-to-end rig: one nested-host boot per
# group, with the host devices and RAM the group needs. Exits non-zero if
# any group failed. Options are passed to every host.sh (e.g. --timeout).
# Environment: as tests/rig/host.sh (MINIVMM, MINIVMM_RIG_OUT, ...);
# RIG_GROUPS="boot ..." runs only the named groups.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
sc=$here/scenarios

# group NAME HOST.SH-ARGS... -- the group list; keep in sync with scenarios/.
groups=(boot)
group_args() {
	case $1 in
	boot) echo "--mem 6144 $sc/boot.sh" ;;
	selftest) echo "--with-qemu $sc/selftest.sh" ;;
	*) echo "run-all: unknown group $1" >&2; return 1 ;;
	esac
}

want=${RIG_GROUPS:-${groups[*]}}
failed=() passed=()
for g in $want; do
	args=$(group_args "$g")
	echo "=== group $g"
	# shellcheck disable=SC2086 # args is a word list we built
	if "$here/host.sh" --name "$g" "$@" $args; then
		passed+=("$g")
	else
		failed+=("$g")
	fi
done
echo "=== groups passed: ${passed[*]:-none}; failed: ${failed[*]:-none}"
echo "run-all: ${#passed[@]} passed, ${#failed[@]} failed"
((${#failed[@]} == 0))
