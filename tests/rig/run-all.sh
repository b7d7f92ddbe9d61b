#!/usr/bin/env bash
# Run every scenario group of the end-to-end rig: one nested-host boot per
# group, with the host devices and RAM the group needs. Exits non-zero if
# any group failed. Options are passed to every host.sh (e.g. --timeout).
# Environment: as tests/rig/host.sh (MINIVMM, MINIVMM_RIG_OUT, ...);
# RIG_GROUPS="boot ..." runs only the named groups.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
sc=$here/scenarios

# group NAME HOST.SH-ARGS... -- the group list; keep in sync with scenarios/.
# (smp, the shortened boot loop, is not in the default list: it costs about
# 12 minutes of CI; RIG_GROUPS=smp or bench/bootloop.sh runs it)
groups=(boot runner klog assign reliability interrupts devices passthrough stress errpaths hostile noiommu kernels)
group_args() {
	case $1 in
	# Guests with 4+ vCPUs run on a host whose kvm_amd has npt=0: with
	# nested paging, TCG's SVM now and then hands an AP a corrupt state
	# (README "SMP bring-up in the test host").
	boot) echo "--timeout 1500 --mem 6144 --kvm-amd npt=0 $sc/boot.sh" ;;
	# the boot loop: consecutive 4- and 8-vCPU boots to the guest init, no
	# retries, QEMU's failures beside (bench/bootloop.sh: the full 50 + 20 and 64),
	# in a 1-CPU host (tests/rig/README.md: a 2-CPU host hangs one boot in ~100)
	smp) echo "--timeout 2400 --scenario-timeout 2200 --mem 4096 --smp 1 --kvm-amd npt=0 --with-qemu --env BOOTLOOP_N4=12 --env BOOTLOOP_N8=6 --env BOOTLOOP_N64=0 --env BOOTLOOP_QEMU4=3 --env BOOTLOOP_QEMU8=2 --env BOOTLOOP_QEMU64=0 $sc/bootloop.sh" ;;
	selftest) echo "--with-qemu $sc/selftest.sh" ;;
	# the first e1000e is assigned, the second is the host's network peer
	assign) echo "--timeout 900 --scenario-timeout 400 --device e1000e --device e1000e --add-elf /usr/bin/setpriv:/usr/local/bin/setpriv $sc/assign.sh $sc/assign-errors.sh" ;;
	# SIGKILL at set-up, DMA and hotplug points, then 20 kill cycles (KILL_CYCLES,
	# KILL_SEED: --env); the first e1000e is assigned, the second the peer, the
	# third another run's
	# (each block of 8 cycles: SIGINT, SIGTERM, 2 SIGKILL, SIGSEGV, SIGABRT, the supervisor's SIGKILL, both)
	reliability) echo "--timeout 1800 --scenario-timeout 720 --env KILL_KINDS=INT,TERM,KILL,SUPKILL,SEGV,ABRT,KILL,BOTH --device e1000e --device e1000e --device e1000e $sc/killpoints.sh $sc/killcycle.sh" ;;
	# (4-vCPU guests: npt=0 as for boot)
	interrupts) echo "--timeout 900 --scenario-timeout 600 --kvm-amd npt=0 --device e1000e --device e1000e --disk nv:64 --device nvme,serial=rignv,drive=nv --disk ad:64 --device ich9-ahci,id=ahci0 --device ide-hd,drive=ad,bus=ahci0.0 $sc/interrupts.sh" ;;
	# the first e1000e is the host's network peer; ne2k_pci, nvme with a
	# controller memory buffer and a two-function e1000e are assigned
	devices) echo "--timeout 900 --scenario-timeout 600 --device e1000e --device ne2k_pci --disk cm:32 --device nvme,serial=rigcmb,drive=cm,cmb_size_mb=128 --device e1000e,addr=06.0,multifunction=on --device e1000e,addr=06.1 $sc/devices.sh" ;;
	# e1000e + peer, nvme (FLR), nec-usb-xhci with MSI only and no interrupt
	# remapping (one vector granted): power states, FLR, partial MSI grants;
	# a two-function e1000e behind a root port without ACS (one IOMMU group)
	passthrough) echo "--timeout 900 --scenario-timeout 700 --no-intremap --device e1000e --device e1000e --disk nv:64 --device nvme,serial=rignv,drive=nv --device nec-usb-xhci,msix=off --device pcie-root-port,id=rpg,bus=pcie.0,chassis=1,disable-acs=true --device e1000e,bus=rpg,addr=00.0,multifunction=on --device e1000e,bus=rpg,addr=00.1 $sc/passthrough.sh" ;;
	# e1000e + peer, nvme: stressors, CPU churn under I/O, interrupt-mode forcing
	stress) echo "--timeout 1800 --scenario-timeout 1600 --kvm-amd npt=0 --device e1000e --device e1000e --disk nv:64 --device nvme,serial=rignv,drive=nv $sc/stress.sh" ;;
	# e1000e + peer, nvme: hotplug, surprise removal, interrupt faults, traces
	errpaths) echo "--timeout 1500 --scenario-timeout 1300 --device e1000e --device e1000e --disk nv:64 --device nvme,serial=rignv,drive=nv $sc/errpaths.sh" ;;
	# hostile guests on e1000e (+ peer), nvme, ahci, ne2k_pci; QEMU last, for the record
	hostile) echo "--timeout 1800 --scenario-timeout 1600 --with-qemu --add $("$here/hostile/build.sh"):/usr/local/bin/hostile --device e1000e --device e1000e --disk nv:64 --device nvme,serial=rignv,drive=nv --disk ad:64 --device ich9-ahci,id=ahci0 --device ide-hd,drive=ad,bus=ahci0.0 --device ne2k_pci $sc/hostile.sh" ;;
	noiommu) echo "--timeout 600 --no-iommu --device e1000e $sc/noiommu.sh" ;;
	runner) echo "--timeout 1200 --mem 3072 --device e1000e $sc/runner.sh $sc/control.sh" ;;
	# the guest kernel's bug reports, made by a test module built here against
	# Debian's linux-headers for the guest kernel
	klog)
		ko=$("$here/testmod/build.sh") || return 1
		echo "--timeout 1200 --scenario-timeout 900 --mem 3072 --add $ko:/rig/klogtest.ko $sc/klog.sh" ;;
	# three distribution kernels and crafted packages (fetched here once, then
	# put into the host); the first e1000e is assigned, the second the peer
	kernels)
		pkgs=$("$here/kernel-pkgs.sh") || return 1
		echo "--timeout 1500 --scenario-timeout 1200 --mem 6144 --device e1000e --device e1000e $pkgs $sc/kernels.sh" ;;
	*) echo "run-all: unknown group $1" >&2; return 1 ;;
	esac
}

want=${RIG_GROUPS:-${groups[*]}}
failed=() passed=()
for g in $want; do
	echo "=== group $g"
	if ! args=$(group_args "$g"); then
		failed+=("$g")
		continue
	fi
	st=0
	# shellcheck disable=SC2086 # args is a word list we built
	"$here/host-retry.sh" --name "$g" "$@" $args || st=$?
	if ((st == 0)); then
		passed+=("$g")
	else
		failed+=("$g")
	fi
done
# shellcheck source=tests/rig/common.sh
. "$here/common.sh"
retried=$(for g in $want; do cat "$MINIVMM_RIG_OUT/$g.retries" 2>/dev/null; done |
	awk '{h += $1; r += $2} END {printf "%d host boots booted again, %d guest runs retried (nested-KVM hangs)", h, r}')
# The failed subtests again, each from its header to its verdict (the last
# 40 lines of it, long lines cut), so that the end of a CI log says why.
for g in "${failed[@]}"; do
	tap=$MINIVMM_RIG_OUT/$g.tap
	[ -f "$tap" ] || { echo "=== failed: $g (no TAP output: the group never started)"; continue; }
	echo "=== failed: $g ($tap)"
	awk '/^# -- [0-9]+ / { n = 0 }
	     { buf[n++ % 40] = substr($0, 1, 400) }
	     /^    not ok [0-9]+ / { s = n > 40 ? n - 40 : 0; for (i = s; i < n; i++) print buf[i % 40] }
	     /^not ok / { print }' "$tap"
done
echo "=== groups passed: ${passed[*]:-none}; failed: ${failed[*]:-none}"
echo "run-all: ${#passed[@]} passed, ${#failed[@]} failed; retries: $retried"
((${#failed[@]} == 0))
