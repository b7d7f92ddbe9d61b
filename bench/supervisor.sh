#!/usr/bin/env bash
# Supervisor benchmark: does the supervisor (src/supervisor.c, started
# before an assigned device is touched) cost boot time? Time from exec to
# the guest init's first line with an assigned e1000e, minivmm before the
# supervisor (MINIVMM_BEFORE) and with it (MINIVMM), alternated, median of
# N runs each, in the nested test host; plus the supervisor's own memory.
#
# usage: bench/supervisor.sh [--runs N]      (default 7)
# Environment: MINIVMM (default build/minivmm), MINIVMM_BEFORE (a minivmm
#   without the supervisor; default: built from the commit before it,
#   SUPERVISOR_BASE, into build-before/), as tests/rig/host.sh otherwise.
# Exit 0 unless something failed to run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/rig/common.sh
source "$here/../tests/rig/common.sh"

runs=7
while (($#)); do
	case $1 in
	--runs) runs=${2:?}; shift 2 ;;
	-h | --help) sed -n '2,12s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "bench/supervisor.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
[[ $runs =~ ^[0-9]+$ && $runs -ge 1 ]] || rig_die "--runs takes a positive number"

rig_need gcc:gcc /usr/lib/x86_64-linux-gnu/libc.a:libc6-dev cmake:cmake git:git
after=${MINIVMM:-$REPO_DIR/build/minivmm}
[[ -x $after ]] || rig_die "no $after: build minivmm first (cmake -S . -B build && cmake --build build)"
before=${MINIVMM_BEFORE:-}
if [[ -z $before ]]; then
	# The last commit without src/supervisor.c.
	base=${SUPERVISOR_BASE:-$(git -C "$REPO_DIR" log --format=%H --diff-filter=A -1 -- src/supervisor.c)^}
	src=$(mktemp -d "${TMPDIR:-/tmp}/minivmm-before.XXXXXX")
	trap 'rm -rf "$src"' EXIT
	rig_log "building minivmm at $(git -C "$REPO_DIR" rev-parse --short "$base") (before the supervisor)"
	git -C "$REPO_DIR" archive "$base" | tar -x -C "$src"
	cmake -S "$src" -B "$REPO_DIR/build-before" -DBUILD_TESTING=OFF >/dev/null
	nice -n 10 cmake --build "$REPO_DIR/build-before" -j2 --target minivmm >/dev/null
	before=$REPO_DIR/build-before/minivmm
fi
[[ -x $before ]] || rig_die "MINIVMM_BEFORE=$before is not an executable"

mkdir -p "$MINIVMM_CACHE"
stamp=$(mktemp "$MINIVMM_CACHE/stamp.XXXXXX")
trap 'rm -f "$stamp"; [[ -z ${src:-} ]] || rm -rf "$src"' EXIT
gcc -static -O2 -Wall -o "$stamp" "$here/stamp.c" || rig_die "cannot build bench/stamp.c"

MINIVMM=$after exec "$here/../tests/rig/host.sh" --name bench-supervisor --device e1000e \
	--scenario-timeout $((300 + runs * 120)) --timeout $((600 + runs * 120)) \
	--add "$stamp:/usr/local/bin/stamp" --add-elf "$before:/usr/local/bin/minivmm-before" \
	--env "BENCH_RUNS=$runs" "$here/supervisor-host.sh"
