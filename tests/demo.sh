#!/usr/bin/env bash
# minivmm's main job, on a machine without KVM or an IOMMU: boot the nested
# test host (QEMU with an emulated IOMMU and an e1000e NIC owned by the
# host's e1000e driver) and, inside it, run
#     minivmm --assign <the e1000e> --kernel ... --initrd ...
# The guest's e1000e driver probes the real (emulated) function; minivmm
# gives it back to the host driver when the guest powers off.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/tests/build.sh" >/dev/null
MINIVMM="$top/build/minivmm" exec "$top/tests/rig/host-retry.sh" --name demo --device e1000e \
	"$top/tests/demo/assign-e1000e.sh"
