#!/usr/bin/env bash
# Boot benchmark: time from starting the VMM to the guest init's first line
# ("minivmm-guest: init"), minivmm vs QEMU/KVM (same kernel, initrd, vCPUs,
# RAM), median of N runs each, inside the nested test host; plus the VMM's
# resident memory beyond guest RAM at that moment.
#
# usage: bench/boot.sh [--runs N] [--cpus N] [--mem MB] [--cmdline STR] [--arch arm64]
#   defaults: 5 runs, 1 vCPU, 256 MB, "console=ttyS0 quiet"
#   --arch arm64: in the arm64 test host (tests/rig/arm64/host.sh), QEMU as
#   -M virt,gic-version=3 -accel kvm -cpu host
# Environment: as tests/rig/host.sh (MINIVMM, MINIVMM_RIG_OUT, ...).
# Exit 0 unless something failed to run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/rig/common.sh
source "$here/../tests/rig/common.sh"

runs=5 cpus=1 mem=256 cmdline="console=ttyS0 quiet" arch=x86
while (($#)); do
	case $1 in
	--runs) runs=${2:?}; shift 2 ;;
	--cpus) cpus=${2:?}; shift 2 ;;
	--mem) mem=${2:?}; shift 2 ;;
	--cmdline) cmdline=${2:?}; shift 2 ;;
	--arch) arch=${2:?}; shift 2 ;;
	-h | --help) sed -n '2,12s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "bench/boot.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
[[ $runs =~ ^[0-9]+$ && $runs -ge 1 && $cpus =~ ^[0-9]+$ && $mem =~ ^[0-9]+$ ]] ||
	rig_die "--runs, --cpus and --mem take positive numbers"

[[ $arch == x86 || $arch == arm64 ]] || rig_die "--arch takes x86 or arm64"
host=$here/../tests/rig/host.sh cc=gcc suffix=
if [[ $arch == arm64 ]]; then
	host=$here/../tests/rig/arm64/host.sh cc=aarch64-linux-gnu-gcc suffix=-arm64
	rig_need aarch64-linux-gnu-gcc:gcc-aarch64-linux-gnu
else
	rig_need gcc:gcc /usr/lib/x86_64-linux-gnu/libc.a:libc6-dev
fi
mkdir -p "$MINIVMM_CACHE"
stamp=$(mktemp "$MINIVMM_CACHE/stamp.XXXXXX")
trap 'rm -f "$stamp"' EXIT
"$cc" -static -O2 -Wall -o "$stamp" "$here/stamp.c" || rig_die "cannot build bench/stamp.c"

# The host needs the guest's RAM twice over at most (minivmm's and QEMU's
# never run together) plus room for itself.
host_mem=$((mem + 2048))
((host_mem >= 3072)) || host_mem=3072
((cpus <= 2)) || rig_log "warning: $cpus vCPUs on a 2-CPU host; the numbers will be noisy"

exec "$host" --with-qemu --name "bench-boot$suffix" --mem "$host_mem" \
	--scenario-timeout $((300 + runs * 240)) --timeout $((600 + runs * 240)) \
	--add "$stamp:/usr/local/bin/stamp" \
	--env "BENCH_RUNS=$runs" --env "BENCH_CPUS=$cpus" --env "BENCH_MEM_MB=$mem" \
	--env "BENCH_CMDLINE=$cmdline" \
	"$here/boot-host.sh"
