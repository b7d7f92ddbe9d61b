# shellcheck shell=bash
# Helpers for the .ci scripts. Source it; it does not set shell options.

CI_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck disable=SC2034 # used by the scripts that source this
CI_TOP=$(cd "$CI_DIR/.." && pwd)
# shellcheck disable=SC2034
CI_CACHE=${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/minivmm/ci
ci_name=$(basename "$0" .sh)

ci_log() { printf '%s: %s\n' "$ci_name" "$*" >&2; }
ci_die() { printf '%s: error: %s\n' "$ci_name" "$*" >&2; exit 1; }

# ci_need PACKAGE... -- apt-get install the Debian packages not installed yet.
ci_need() {
	local p missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	((${#missing[@]})) || return 0
	[[ $(id -u) == 0 ]] || ci_die "missing packages (${missing[*]}): run as root or apt-get install them"
	ci_log "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq -o DPkg::Lock::Timeout=600 >/dev/null || ci_log "warning: apt-get update failed"
	apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}" >/dev/null ||
		ci_die "apt-get install ${missing[*]} failed"
}

# ci_quiet LOG CMD...: run CMD with its output in LOG; on failure show its end.
ci_quiet() {
	local log=$1 rc=0
	shift
	"$@" >"$log" 2>&1 || rc=$?
	if ((rc)); then
		tail -n 40 "$log" >&2
		ci_log "failed ($rc): $* (whole log: $log)"
	fi
	return "$rc"
}
