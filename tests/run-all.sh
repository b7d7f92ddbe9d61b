#!/usr/bin/env bash
# The whole test suite: unit tests (cmocka, ASan+UBSan), the Release,
# clang and install builds, the CI examples, the Debian package, 30 s of
# each fuzz harness, doctor on
# this machine's KVM (tests/kvm-host.sh), then every end-to-end scenario in
# the nested test host (tests/rig), then the arm64 build and its test host.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/tests/build.sh"
echo "== unit tests"
(cd "$top/build" && ctest --output-on-failure)
# (gcc Debug is the build above; .ci/builds.sh alone also builds clang Debug)
echo "== the other builds (gcc and clang Release, -Werror) and the install"
"$top/.ci/builds.sh" gcc-release clang-release install
echo "== the CI examples (LAVA, GitLab, GitHub)"
"$top/.ci/examples.sh"
echo "== the Debian package, installed in a fresh Debian 12 root"
"$top/.ci/package.sh"
echo "== every fuzz harness for 30 s from its seeds (tests/fuzz)"
"$top/.ci/fuzz.sh"
echo "== doctor and a boot on this machine's own KVM"
# (its verdict is given at the end: the nested test host runs whatever it gave)
kh=0
MINIVMM="$top/build/minivmm" "$top/tests/kvm-host.sh" || kh=$?
echo "== end-to-end tests in the nested test host"
log=$top/build/rig-x86.log
MINIVMM="$top/build/minivmm" "$top/tests/rig/run-all.sh" 2>&1 | tee "$log"
x86=${PIPESTATUS[0]}
# (after the x86 groups, whatever they gave)
echo "== arm64: the cross build, then the arm64 test host (tests/rig/arm64)"
arm64=$("$top/.ci/arm64.sh")
a64=0
MINIVMM="$arm64" "$top/tests/rig/arm64/run.sh" || a64=$?
# Both verdicts last, where a CI log's tail is read: the x86 groups' failed
# subtests (run-all.sh's own digest) and its summary, then arm64's status.
echo "== summary"
if grep -q '^=== failed: ' "$log"; then sed -n '/^=== failed: /,$p' "$log"; else grep -E '^(=== groups passed|run-all: )' "$log"; fi
echo "arm64 test host: $( ((a64 == 0)) && echo passed || echo "failed (status $a64)")"
echo "this machine's KVM (tests/kvm-host.sh): $( ((kh == 0)) && echo passed || echo "failed (status $kh)")"
((x86 == 0 && a64 == 0 && kh == 0))
