#!/usr/bin/env bash
# CI job for the libFuzzer harnesses (tests/fuzz/README.md): installs
# clang and libFuzzer's runtime beside the build dependencies, builds every
# harness in tests/fuzz against the current core (ASan+UBSan) and runs each
# for 30 s from its checked-in seeds only, as many at a time as there are
# CPUs. Fails on any crash, hang, leak or out-of-memory, and when a harness
# no longer builds; the input is kept in build-fuzz-ci/work/NAME/artifacts.
# About 5 minutes on 2 CPUs (17 harnesses: 9 rounds of 30 s and the build).
#
# MINIVMM_FUZZ_SECONDS and MINIVMM_FUZZ_JOBS override the 30 s and the
# number of harnesses run at once.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
tests/deps.sh
missing=()
for p in clang libclang-rt-dev; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
	if [[ $(id -u) != 0 ]]; then
		echo "fuzz: missing packages: ${missing[*]}; run as root or apt-get install them" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# A fresh corpus each time: the seeds are what is checked.
build=$PWD/build-fuzz-ci
rm -rf "$build/work"
rc=0
MINIVMM_FUZZ_BUILD=$build MINIVMM_FUZZ_JOBS=${MINIVMM_FUZZ_JOBS:-$(nproc)} \
	tests/fuzz/run.sh "${MINIVMM_FUZZ_SECONDS:-30}" || rc=$?
echo "fuzz: $((SECONDS - start)) s, $( ((rc == 0)) && echo "no crashes" || echo "FAILED (rc $rc)")"
exit "$rc"
