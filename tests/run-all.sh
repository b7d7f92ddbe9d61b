#!/usr/bin/env bash
# The whole test suite: unit tests (cmocka, ASan+UBSan), the Release,
# clang and install builds, the CI examples, the Debian package, 30 s of
# each fuzz harness, doctor on
# this machine's KVM (tests/kvm-host.sh), then every end-to-end scenario in
# the nested test host (tests/rig).
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
MINIVMM="$top/build/minivmm" "$top/tests/kvm-host.sh"
echo "== end-to-end tests in the nested test host"
MINIVMM="$top/build/minivmm" "$top/tests/rig/run-all.sh"
