#!/usr/bin/env bash
# Boot the arm64 nested test host (QEMU TCG: virt at EL2 with VHE, GICv3 +
# ITS, SMMUv3; Debian's arm64 kernel) and run scenarios inside it against
# an arm64 minivmm and the host's real KVM/VFIO. The arm64 counterpart of
# tests/rig/host.sh; the host runs the same host-init and lib.sh.
#
# usage: tests/rig/arm64/host.sh [options] SCENARIO.sh...
#   --mem MB          host RAM (default 3072)
#   --smp N           host vCPUs (default 2)
#   --device ARG      add `-device ARG` (on pcie.0, behind the SMMU); NICs
#                     get a hubport netdev unless ARG has netdev=; repeatable
#   --disk ID:MB      an MB MiB raw image as `-drive if=none,id=ID`
#   --timeout SEC     overall limit for the host boot (default 1800)
#   --scenario-timeout SEC  per-scenario limit inside the host (default 900)
#   --with-qemu       put Debian's arm64 qemu-system-aarch64 in the host
#   --add SRC:DST     put a file in the host
#   --env K=V         export K=V to the scenarios (repeatable)
#   --name NAME       name of this run (log file names; default: scenarios)
# Environment: MINIVMM=path of an arm64 minivmm (default build-arm64/minivmm,
#   cross-built with .ci/arm64.sh when missing; MINIVMM=none boots without
#   it), MINIVMM_RIG_OUT, MINIVMM_CACHE, MINIVMM_KERNEL_DEB (an arm64 one).
# Output: scenario output and TAP on stdout (the host has one UART, so
# they share the console: OUT/NAME.console.log; TAP lines also in OUT/NAME.tap).
# Exit: 0 all scenarios passed, 1 some failed, 3 the host itself failed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
rig=$(cd "$here/.." && pwd)
# shellcheck source=tests/rig/common.sh
source "$rig/common.sh"
# shellcheck source=tests/rig/kernel.sh
source "$rig/kernel.sh"
# shellcheck source=tests/rig/arm64/userland.sh
source "$here/userland.sh"

usage() { sed -n '2,25s/^# \{0,1\}//p' "$0" >&2; exit 2; }

mem=3072 smp=2 timeout=1800 stimeout=900 with_qemu='' name=''
devices=() adds=() disks=() envs=() scenarios=()
while (($#)); do
	case $1 in
	--mem) mem=${2:?}; shift 2 ;;
	--smp) smp=${2:?}; shift 2 ;;
	--device) devices+=("${2:?}"); shift 2 ;;
	--disk) disks+=("${2:?}"); shift 2 ;;
	--timeout) timeout=${2:?}; shift 2 ;;
	--scenario-timeout) stimeout=${2:?}; shift 2 ;;
	--with-qemu) with_qemu=1; shift ;;
	--add) adds+=("${2:?}"); shift 2 ;;
	--env) envs+=("${2:?}"); shift 2 ;;
	--name) name=${2:?}; shift 2 ;;
	-h | --help) usage ;;
	-*) echo "arm64/host.sh: unknown option $1" >&2; usage ;;
	*) scenarios+=("$1"); shift ;;
	esac
done
((${#scenarios[@]})) || { echo "arm64/host.sh: no scenario given" >&2; usage; }
for s in "${scenarios[@]}"; do [[ -f $s ]] || rig_die "no such scenario: $s"; done
if [[ -z $name ]]; then
	for s in "${scenarios[@]}"; do b=$(basename "$s" .sh); name=${name:+$name+}$b; done
fi

rig_need qemu-system-aarch64:qemu-system-arm cpio:cpio gzip:gzip /bin/busybox:busybox-static \
	depmod:kmod xz:xz-utils zstd:zstd timeout:coreutils dpkg-deb:dpkg
rig_arm64_arch

# ---- minivmm (arm64) ----
minivmm=${MINIVMM:-}
if [[ -z $minivmm ]]; then
	rig_log "cross-building minivmm for arm64 (.ci/arm64.sh)"
	minivmm=$("$REPO_DIR/.ci/arm64.sh") || rig_die "the arm64 cross build failed (.ci/arm64.sh)"
elif [[ $minivmm != none ]]; then
	[[ -x $minivmm ]] || rig_die "MINIVMM=$minivmm is not an executable"
fi

RIG_DEB_ARCH=arm64 rig_kernel
rig_arm64_userland
out=$MINIVMM_RIG_OUT
mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/minivmm-arm64-host.XXXXXX")
qpid=
cleanup() {
	if [[ -n $qpid ]]; then kill "$qpid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

# ---- the host's extra files ----
tree=$work/tree
mkdir -p "$tree/rig/scenarios" "$tree/rig/guest" "$tree/usr/local/bin"
# arm64's glibc and the libraries minivmm dlopens, at Debian's paths.
rig_arm64_copy_libs "$tree"
if [[ $minivmm != none ]]; then
	cp "$minivmm" "$tree/usr/local/bin/minivmm"
	[[ -x $(dirname "$minivmm")/minivmm-exit ]] && cp "$(dirname "$minivmm")/minivmm-exit" "$tree/usr/local/bin/"
fi
# The guest: Debian's arm64 kernel has no pvpanic driver (CONFIG_PVPANIC
# is off), so nothing is loaded at boot.
guest_mods=(e1000e nvme)
margs=()
for m in "${guest_mods[@]}"; do margs+=(--extra-module "$m"); done
if [[ $minivmm != none && -x $(dirname "$minivmm")/minivmm-exit ]]; then
	margs+=(--add "$(dirname "$minivmm")/minivmm-exit:/bin/minivmm-exit")
fi
"$REPO_DIR/guest/mkinitramfs.sh" -o "$tree/rig/guest/initrd.img" --busybox "$ARM64_BUSYBOX" \
	--modules "$MODDIR" "${margs[@]}"
cp "$VMLINUZ" "$tree/rig/guest/vmlinuz"
# The host's own kernel where the zero-config mode looks for it.
mkdir -p "$tree/boot"
ln -sf /rig/guest/vmlinuz "$tree/boot/vmlinuz-$(basename "$MODDIR")"
echo "${guest_mods[*]}" >"$tree/rig/guest/modules"
cp "$rig/lib.sh" "$rig/guest-lib.sh" "$tree/rig/"
i=0
for s in "${scenarios[@]}"; do
	i=$((i + 1))
	b=$(basename "$s" .sh)
	dst=/rig/scenarios/$(printf '%02d' $i)-$b.sh
	cp "$s" "$tree$dst"
	echo "$dst $b" >>"$tree/rig/plan"
done
# The guest's console is the 8250 UART (ttyS0), as on x86; lib.sh's default holds.
: >"$tree/rig/env"
echo "RIG_ARCH=arm64" >>"$tree/rig/env"
for e in "${envs[@]}"; do
	[[ $e == [A-Za-z_]*=* ]] || rig_die "--env $e: expected NAME=VALUE"
	printf '%s=%q\n' "${e%%=*}" "${e#*=}" >>"$tree/rig/env"
done
if [[ $minivmm == none ]]; then echo "MINIVMM=none" >>"$tree/rig/env"; fi
if [[ -n $with_qemu ]]; then
	rig_arm64_qemu "$tree"
fi
for a in "${adds[@]}"; do
	src=${a%%:*} dest=${a#*:}
	[[ -e $src ]] || rig_die "--add $a: no such file $src"
	mkdir -p "$tree$(dirname "$dest")"
	cp -a "$src" "$tree$dest"
done

# ---- the host initramfs: arm64 busybox, KVM built in, the VFIO modules ----
host_mods=(vfio vfio_iommu_type1 vfio-pci)
host_extra=(e1000e nvme)
margs=()
for m in "${host_mods[@]}"; do margs+=(--module "$m"); done
for m in "${host_extra[@]}"; do margs+=(--extra-module "$m"); done
initrd=$work/host-initrd.cpio
"$REPO_DIR/guest/mkinitramfs.sh" -o "$initrd" --format none --init "$rig/host-init" --busybox "$ARM64_BUSYBOX" \
	--modules "$MODDIR" "${margs[@]}" --tree "$tree"

# ---- QEMU ----
# shellcheck disable=SC2054 # commas are QEMU option syntax
qargs=(
	-machine virt,virtualization=on,gic-version=3,iommu=smmuv3 -accel tcg,thread=multi
	-cpu max -smp "$smp" -m "$mem"
	-nodefaults -display none -monitor none -no-reboot
	-serial "file:$out/$name.console.log"
	-kernel "$VMLINUZ" -initrd "$initrd"
	-append "console=ttyAMA0 panic=-1 quiet loglevel=4 rig.timeout=$stimeout"
)
for d in "${disks[@]}"; do
	id=${d%%:*} mb=${d#*:}
	[[ $d == *:* && $id =~ ^[A-Za-z][A-Za-z0-9_-]*$ && $mb =~ ^[0-9]+$ ]] || rig_die "--disk $d: expected ID:MB"
	truncate -s "${mb}M" "$work/disk-$id.img"
	qargs+=(-drive "if=none,id=$id,file=$work/disk-$id.img,format=raw")
done
nic=0
for d in "${devices[@]}"; do
	case ${d%%,*} in
	e1000 | e1000e | igb | rtl8139 | virtio-net-pci)
		if [[ $d != *netdev=* ]]; then
			qargs+=(-netdev "hubport,id=rignet$nic,hubid=0")
			d+=",netdev=rignet$nic"
			nic=$((nic + 1))
		fi
		;;
	esac
	qargs+=(-device "$d")
done

rm -f "$out/$name.console.log" "$out/$name.tap"
: >"$out/$name.console.log"
rig_log "booting arm64 host '$name' (${mem} MiB, $smp CPUs, timeout ${timeout}s); console log: $out/$name.console.log"
start=$SECONDS
timeout -k 10 "$timeout" qemu-system-aarch64 "${qargs[@]}" 2>"$out/$name.qemu.err" &
qpid=$!
# The scenario stream shares the console: show what is not kernel noise.
tail -n +1 -f --pid=$qpid "$out/$name.console.log" | tr -d '\r' | grep --line-buffered -v '^rig-host: alive at\|^\[ *[0-9.]*\]' &
tpid=$!
# Freeze and lock-up watch, as host.sh's (host-init's heartbeat every 10 s).
(
	quiet=0 last= waited=0
	while kill -0 $qpid 2>/dev/null; do
		sleep 5
		waited=$((waited + 5))
		if grep -qE 'soft lockup - CPU#|Kernel panic - not syncing|stack guard page was hit' \
			"$out/$name.console.log" 2>/dev/null && ! grep -q '^rig-host: exiting with code' "$out/$name.console.log"; then
			# A guest's panic printed by a scenario has a prefix; the host's own has none.
			if grep -qE '^(\[ *[0-9.]+\] )?(watchdog: BUG: soft lockup - CPU#|Kernel panic - not syncing)' \
				"$out/$name.console.log"; then
				echo "rig: the host's kernel locked up or panicked: stopping it" >&2
				kill -TERM $qpid 2>/dev/null
				break
			fi
		fi
		size=$(stat -c %s "$out/$name.console.log" 2>/dev/null || echo 0)
		if [[ $size == "$last" ]] && { ((waited >= 180)) || grep -q '^rig-host: ' "$out/$name.console.log"; }; then
			quiet=$((quiet + 5))
		else
			quiet=0 last=$size
		fi
		if ((quiet >= 90)); then
			echo "rig: the host's console has been quiet for ${quiet}s (no heartbeat): the emulated machine froze; stopping it" >&2
			kill -TERM $qpid 2>/dev/null
			break
		fi
	done
) &
wpid=$!
set +e
wait $qpid
rc=$?
set -e
qpid=
sleep 1
kill $tpid 2>/dev/null || true
wait $tpid 2>/dev/null || true
kill $wpid 2>/dev/null || true
wait $wpid 2>/dev/null || true
elapsed=$((SECONDS - start))

tr -d '\r' <"$out/$name.console.log" | grep -E '^(ok|not ok) [0-9]|^1\.\.[0-9]|^# [0-9]+ passed' >"$out/$name.tap" || true
passed=$(grep -c '^ok ' "$out/$name.tap" || true)
failed=$(grep -c '^not ok ' "$out/$name.tap" || true)
code=$(tr -d '\r' <"$out/$name.console.log" | sed -n 's/^rig-host: exiting with code \([0-9]*\)$/\1/p' | tail -n1)
host_fail() {
	echo "rig: arm64 host '$name' failed after ${elapsed}s: $*" >&2
	if [[ -s $out/$name.qemu.err ]]; then
		echo "rig: qemu stderr:" >&2
		tail -n 20 "$out/$name.qemu.err" | sed 's/^/  | /' >&2
	fi
	kept=$out/$name.failed-$(date +%H%M%S).console.log
	cp "$out/$name.console.log" "$kept" 2>/dev/null || kept=$out/$name.console.log
	echo "rig: last lines of the host console (all of it: $kept):" >&2
	grep -v 'rig-host: alive at' "$out/$name.console.log" 2>/dev/null | tail -n 40 | tr -d '\r' | sed 's/^/  | /' >&2
	echo "rig: $passed passed, $((failed + 1)) failed"
	exit 3
}
case $code in
0)
	echo "rig: arm64 host '$name' finished in ${elapsed}s"
	echo "rig: $passed passed, $failed failed"
	((failed == 0 && passed > 0)) || host_fail "host reported success but TAP has $passed ok, $failed not ok"
	exit 0
	;;
1)
	echo "rig: arm64 host '$name' finished in ${elapsed}s"
	echo "rig: $passed passed, $failed failed"
	exit 1
	;;
'')
	((rc == 124 || rc == 137 || rc == 143)) && host_fail "timed out after ${timeout}s, or froze or locked up"
	host_fail "the host stopped (qemu status $rc) without reporting a result (kernel panic? init died?)"
	;;
*) host_fail "host init exited with unexpected code $code" ;;
esac
