#!/usr/bin/env bash
# The full SMP boot loop, run by hand (CI runs a shorter one: run-all.sh
# group "smp"): 50 consecutive 4-vCPU and 20 consecutive 8-vCPU boots of
# minivmm to the guest init in one host boot, no retries, then QEMU-KVM's
# 10 + 5 beside, then 64 vCPUs on the host's 2 CPUs (minivmm twice, QEMU
# once, last: QEMU has taken the test host down at 64 vCPUs). The figures
# are the '# SUMMARY' lines of its output.
#
# usage: bench/bootloop.sh [--npt]   (--npt: kvm_amd with nested paging,
#   the set-up in which TCG's SVM corrupts AP state now and then)
# Environment: as tests/rig/host.sh; BOOTLOOP_* as bootloop.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kvm=(--kvm-amd npt=0)
case ${1:-} in
--npt) kvm=() ;;
'') ;;
-h | --help) sed -n '2,11s/^# \{0,1\}//p' "$0"; exit 0 ;;
*) echo "bench/bootloop.sh: unknown argument $1" >&2; exit 2 ;;
esac
envs=()
for v in BOOTLOOP_N4 BOOTLOOP_N8 BOOTLOOP_N64 BOOTLOOP_QEMU4 BOOTLOOP_QEMU8 BOOTLOOP_QEMU64; do
	[ -z "${!v:-}" ] || envs+=(--env "$v=${!v}")
done
exec "$here/../tests/rig/host-retry.sh" --name bootloop --timeout 7200 --scenario-timeout 7000 --mem 4096 \
	"${kvm[@]}" --with-qemu "${envs[@]}" "$here/../tests/rig/scenarios/bootloop.sh"
