#!/usr/bin/env bash
# Kill-cycle figure: tests/rig/scenarios/killcycle.sh with many cycles in
# one nested test host (CI runs 20 in the run-all group "reliability").
# Prints the scenario's cycles and the figure line:
#   # kill cycles: N, failures F, restore ms median M max X, S s, seed SEED
#
# usage: bench/killcycles.sh [--cycles N] [--seed SEED] [--smp N]
#   (default 100 cycles, a random seed, a test host with 1 CPU: the set-up
#   in which the test host has not frozen, tests/rig/README.md)
# Environment: as tests/rig/host.sh (MINIVMM, MINIVMM_RIG_OUT, ...).
# Exit status: the scenario's (0: no cycle failed; 3: the host itself failed).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

cycles=100 seed=$(od -An -tu4 -N4 /dev/urandom | tr -d ' ') smp=1
while (($#)); do
	case $1 in
	--cycles) cycles=${2:?}; shift 2 ;;
	--seed) seed=${2:?}; shift 2 ;;
	--smp) smp=${2:?}; shift 2 ;;
	-h | --help) sed -n '2,12s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "bench/killcycles.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
[[ $cycles =~ ^[0-9]+$ && $cycles -ge 1 && $seed =~ ^[0-9]+$ && $smp =~ ^[1-9][0-9]*$ ]] || { echo "bench/killcycles.sh: --cycles, --seed and --smp take numbers" >&2; exit 2; }
echo "bench/killcycles.sh: $cycles cycles, seed $seed (--seed $seed replays them)"
# About 15 s a cycle in the nested host, and the host's boot.
exec "$here/../tests/rig/host.sh" --name bench-killcycles --smp "$smp" --device e1000e --device e1000e \
	--scenario-timeout $((600 + cycles * 30)) --timeout $((900 + cycles * 30)) \
	--env "KILL_CYCLES=$cycles" --env "KILL_SEED=$seed" "$here/../tests/rig/scenarios/killcycle.sh"
