#!/usr/bin/env bash
# The whole test suite: unit tests (cmocka, ASan+UBSan), doctor on this
# machine's KVM (tests/kvm-host.sh), then every end-to-end scenario in the
# nested test host (tests/rig).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/tests/build.sh"
echo "== unit tests"
(cd "$top/build" && ctest --output-on-failure)
echo "== doctor and a boot on this machine's own KVM"
MINIVMM="$top/build/minivmm" "$top/tests/kvm-host.sh"
echo "== end-to-end tests in the nested test host"
MINIVMM="$top/build/minivmm" "$top/tests/rig/run-all.sh"
