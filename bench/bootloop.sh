#!/usr/bin/env bash
# The full SMP boot loop, run by hand (CI runs a shorter one: run-all.sh
# group "smp"): 50 consecutive 4-vCPU and 20 consecutive 8-vCPU boots of
# minivmm to the guest init in one host boot, no retries, then QEMU-KVM's
# 10 + 5 beside, then 64 vCPUs on the host's CPUs (minivmm twice, QEMU
# once, last: QEMU has taken the test host down at 64 vCPUs). The figures
# are the '# SUMMARY' lines of its output.
#
# usage: bench/bootloop.sh [--npt] [--smp N]   (--npt: kvm_amd with nested
#   paging, the set-up in which TCG's SVM corrupts AP state now and then;
#   --smp: the test host's CPUs, default 1: with 2 the host freezes in long
#   runs and now and then delivers a guest interrupt with IF clear, a hang;
#   tests/rig/README.md)
# Environment: as tests/rig/host.sh; BOOTLOOP_* as bootloop.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kvm=(--kvm-amd npt=0) smp=1
while (($#)); do
	case $1 in
	--npt) kvm=(); shift ;;
	--smp) smp=${2:?}; shift 2 ;;
	-h | --help) sed -n '2,14s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "bench/bootloop.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
[[ $smp =~ ^[1-9][0-9]*$ ]] || { echo "bench/bootloop.sh: --smp takes a number of CPUs" >&2; exit 2; }
envs=()
for v in BOOTLOOP_N4 BOOTLOOP_N8 BOOTLOOP_N64 BOOTLOOP_QEMU4 BOOTLOOP_QEMU8 BOOTLOOP_QEMU64 BOOTLOOP_TIMEOUT; do
	[ -z "${!v:-}" ] || envs+=(--env "$v=${!v}")
done
exec "$here/../tests/rig/host-retry.sh" --name bootloop --timeout 7200 --scenario-timeout 7000 --mem 4096 \
	--smp "$smp" "${kvm[@]}" --with-qemu "${envs[@]}" "$here/../tests/rig/scenarios/bootloop.sh"
