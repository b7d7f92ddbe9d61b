#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The test step of contrib/ci/lava/minivmm-test.yaml, in the docker container
# LAVA starts on the test host: install minivmm, fetch the kernel to test,
# boot it with the PCI function of this LAVA device ($MINIVMM_BDF, set by the
# device dictionary) and report the results with lava-test-case.
#
# Parameters (environment, from the test definition's params):
#   MINIVMM_DEB_URL  URL of a minivmm .deb; empty: apt-get install minivmm
#   KERNEL_PACKAGE   Debian kernel packages to boot, separated by spaces
#                    (linux-image-6.1.0-27-amd64, linux-image-amd64, ...) or
#                    URLs of such .debs; the test runs under each in turn
#   KERNEL_URL       instead: a bzImage URL (e.g. a KernelCI build's), with
#   MODULES_URL      its modules.tar.xz (lib/modules/VERSION inside)
#   TEST_CMD         the command run in the guest once its drivers are loaded
#   TIMEOUT          seconds before minivmm stops the guest (status 124)
#   MEM, CPUS        guest RAM and vCPUs
set -u
: "${MINIVMM_BDF:?the device dictionary sets MINIVMM_BDF (docker_extra_arguments --env)}"
: "${MINIVMM_DEB_URL:=}" "${KERNEL_PACKAGE:=linux-image-amd64}" "${KERNEL_URL:=}" "${MODULES_URL:=}"
: "${TEST_CMD:=ip -br link}" "${TIMEOUT:=600}" "${MEM:=1G}" "${CPUS:=2}"
here=$(cd "$(dirname "$0")" && pwd)
work=${TMPDIR:-/tmp}/minivmm-lava
rm -rf "$work" && mkdir -p "$work/kernel" || exit 1

# setup NAME CMD...: a setup step; a failure is reported as a failed case and ends the test.
setup() {
	name=$1
	shift
	if "$@" >"$work/$name.log" 2>&1; then
		return 0
	fi
	tail -n 20 "$work/$name.log"
	lava-test-case "minivmm-setup-$name" --result fail
	exit 0
}

export DEBIAN_FRONTEND=noninteractive
setup apt apt-get update -q
setup deps apt-get install -y -q --no-install-recommends ca-certificates wget kmod xz-utils \
	busybox-static python3-minimal
if [ -n "$MINIVMM_DEB_URL" ]; then
	setup fetch-minivmm wget -q -O "$work/minivmm.deb" "$MINIVMM_DEB_URL"
	setup install-minivmm apt-get install -y -q "$work/minivmm.deb"
else
	setup install-minivmm apt-get install -y -q minivmm
fi

# The kernels: Debian packages booted with --kernel-package (minivmm unpacks
# each into its cache and builds the initramfs from its own modules; the
# same command runs under each in turn), or a KernelCI-style build.
set --
if [ -n "$KERNEL_URL" ]; then
	setup fetch-kernel wget -q -O "$work/kernel/bzImage" "$KERNEL_URL"
	set -- --kernel "$work/kernel/bzImage"
	if [ -n "$MODULES_URL" ]; then
		setup fetch-modules sh -c "wget -q -O - '$MODULES_URL' | tar -xJf - -C '$work/kernel'"
		modules=$(find "$work/kernel/lib/modules" -mindepth 1 -maxdepth 1 -type d | head -n 1)
		setup depmod depmod -b "$work/kernel" "$(basename "$modules")"
		set -- "$@" --modules "$modules"
	fi
else
	n=0
	for p in $KERNEL_PACKAGE; do
		n=$((n + 1))
		case $p in
		*://*) setup fetch-kernel-$n wget -q -O "$work/kernel/$n.deb" "$p" ;;
		*)
			# A metapackage (linux-image-amd64) names the real package in its Depends.
			real=$(apt-cache depends "$p" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)/\1/p' | head -n 1)
			setup fetch-kernel-$n sh -c "cd '$work/kernel' && apt-get download '${real:-$p}' && mv ./*_*.deb $n.deb"
			;;
		esac
		set -- "$@" --kernel-package "$work/kernel/$n.deb"
	done
	[ "$n" -gt 0 ] || setup kernel-package false
fi

# KVM, the IOMMU, VFIO, the memlock limit and the function's IOMMU group.
if minivmm doctor --mem "$MEM" "$MINIVMM_BDF" >"$work/doctor.txt" 2>&1; then
	lava-test-case minivmm-doctor --result pass
else
	lava-test-case minivmm-doctor --result fail
fi
cat "$work/doctor.txt"

# --no-rebind: the host pins the function to vfio-pci (driverctl set-override);
# /sys in the container is read-only anyway.
status=0
minivmm "$@" --assign "$MINIVMM_BDF" --no-rebind --mem "$MEM" --cpus "$CPUS" --timeout "$TIMEOUT" \
	--json "$work/minivmm.json" --junit "$work/junit.xml" --run "$TEST_CMD" 2>"$work/minivmm.err" || status=$?
cat "$work/minivmm.err"
"$here/minivmm-lava-results" --json "$work/minivmm.json" --stderr "$work/minivmm.err" --status "$status"
