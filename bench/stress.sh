#!/usr/bin/env bash
# Cost of the SMP stress machinery: boot time, vCPU exit rate and the time
# a fixed CPU-bound job takes in a 4-vCPU guest, with the stressors off and
# on (--jitter at several rates, asleep and spinning; --stress), median of N
# runs each, inside the nested test host. A benchmark, not a test: it fails
# only if a run failed.
#
# usage: bench/stress.sh [--runs N] [--cpus N] [--work N] [--npt]
#   defaults: 3 runs, 4 vCPUs, 300000 shell-loop iterations per vCPU;
#   kvm_amd npt=0 as for the rig's SMP groups (--npt: nested paging, the
#   set-up in which TCG's SVM corrupts AP state now and then)
# Environment: as tests/rig/host.sh (MINIVMM, MINIVMM_RIG_OUT, ...).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/rig/common.sh
source "$here/../tests/rig/common.sh"

runs=3 cpus=4 work=300000 kvm=(--kvm-amd npt=0)
while (($#)); do
	case $1 in
	--runs) runs=${2:?}; shift 2 ;;
	--cpus) cpus=${2:?}; shift 2 ;;
	--work) work=${2:?}; shift 2 ;;
	--npt) kvm=(); shift ;;
	-h | --help) sed -n '2,13s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "bench/stress.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
[[ $runs =~ ^[1-9][0-9]*$ && $cpus =~ ^[1-9][0-9]*$ && $work =~ ^[1-9][0-9]*$ ]] ||
	rig_die "--runs, --cpus and --work take positive numbers"

rig_need gcc:gcc /usr/lib/x86_64-linux-gnu/libc.a:libc6-dev
mkdir -p "$MINIVMM_CACHE"
stamp=$(mktemp "$MINIVMM_CACHE/stamp.XXXXXX")
trap 'rm -f "$stamp"' EXIT
gcc -static -O2 -Wall -o "$stamp" "$here/stamp.c" || rig_die "cannot build bench/stamp.c"

exec "$here/../tests/rig/host.sh" --name bench-stress --mem 3072 "${kvm[@]}" \
	--scenario-timeout $((300 + runs * 600)) --timeout $((600 + runs * 600)) \
	--add "$stamp:/usr/local/bin/stamp" \
	--env "BENCH_RUNS=$runs" --env "BENCH_CPUS=$cpus" --env "BENCH_WORK=$work" \
	"$here/stress-host.sh"
