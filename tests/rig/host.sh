#!/usr/bin/env bash
# Boot the nested test host (QEMU TCG, AMD CPU with SVM, emulated
# intel-iommu) and run scenarios inside it against minivmm and real KVM/VFIO.
#
# usage: tests/rig/host.sh [options] SCENARIO.sh...
#   --mem MB          host RAM (default 3072; 6144 when a 4 GiB guest runs)
#   --smp N           host vCPUs (default 2)
#   --device ARG      add `-device ARG` to the host; NICs (e1000e, e1000,
#                     ne2k_pci, pcnet, rtl8139, virtio-net-pci, ...) get a
#                     hubport netdev unless ARG has netdev=; repeatable
#   --timeout SEC     overall limit for the host boot (default 1800)
#   --scenario-timeout SEC  per-scenario limit inside the host (default 900)
#   --with-qemu       put qemu-system-x86_64 (+ libs, firmware) in the host
#   --add SRC:DST     put a file in the host (e.g. a bench helper)
#   --add-elf SRC:DST put an executable in the host with its shared libraries
#   --disk ID:MB      create an MB MiB raw image, add `-drive if=none,id=ID`
#                     (attach it with e.g. --device nvme,serial=x,drive=ID)
#   --no-iommu        no emulated intel-iommu (and no intel_iommu=on)
#   --no-intremap     the intel-iommu without interrupt remapping (x86 then
#                     grants one MSI vector where a device asks for more;
#                     VFIO then needs vfio_iommu_type1's allow_unsafe_interrupts)
#   --env K=V         export K=V to the scenarios (repeatable)
#   --cpu MODEL       emulated host CPU (default EPYC,+svm,+npt,-xsave)
#   --tcg-thread single|multi  TCG threading (default multi)
#   --kvm-amd P=V,... kvm_amd module parameters in the host (e.g. vgif=0)
#   --name NAME       name of this run (log file names; default: scenarios)
# Environment: MINIVMM=path (default build/minivmm, built if missing;
#   MINIVMM=none boots without it), MINIVMM_RIG_OUT (logs, default
#   tests/rig/out), MINIVMM_CACHE, MINIVMM_KERNEL_DEB.
# Scenario output and TAP go to stdout (and OUT/NAME.tap), the whole host
# console to OUT/NAME.console.log.
# Exit: 0 all scenarios passed, 1 some failed, 3 the host itself failed
# (did not boot, hung, panicked, timed out) or the rig could not be built.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/rig/common.sh
source "$here/common.sh"
# shellcheck source=tests/rig/kernel.sh
source "$here/kernel.sh"

usage() { sed -n '2,32s/^# \{0,1\}//p' "$0" >&2; exit 2; }

# No XSAVE: under TCG the host's KVM never sees a nested guest's XSETBV (no
# intercept), so CPUID 0xD keeps giving the guest the XSAVE size of XCR0=1;
# every guest kernel (minivmm's and QEMU-KVM's alike) then printed "XSAVE
# consistency problem: size 832 != kernel_size 576" and a WARNING at boot,
# and ran without XSAVE anyway.
cpu=EPYC,+svm,+npt,-xsave tcg_thread=multi kvm_amd=
mem=3072 smp=2 timeout=1800 stimeout=900 with_qemu='' name='' iommu=1 intremap=''
devices=() adds=() elfs=() disks=() envs=() scenarios=()
while (($#)); do
	case $1 in
	--mem) mem=${2:?}; shift 2 ;;
	--smp) smp=${2:?}; shift 2 ;;
	--device) devices+=("${2:?}"); shift 2 ;;
	--timeout) timeout=${2:?}; shift 2 ;;
	--scenario-timeout) stimeout=${2:?}; shift 2 ;;
	--with-qemu) with_qemu=1; shift ;;
	--add) adds+=("${2:?}"); shift 2 ;;
	--add-elf) elfs+=("${2:?}"); shift 2 ;;
	--disk) disks+=("${2:?}"); shift 2 ;;
	--no-iommu) iommu=''; shift ;;
	--no-intremap) intremap=off; shift ;;
	--env) envs+=("${2:?}"); shift 2 ;;
	--name) name=${2:?}; shift 2 ;;
	--cpu) cpu=${2:?}; shift 2 ;;
	--tcg-thread) tcg_thread=${2:?}; shift 2 ;;
	--kvm-amd) kvm_amd=${2:?}; shift 2 ;;
	-h | --help) usage ;;
	-*) echo "host.sh: unknown option $1" >&2; usage ;;
	*) scenarios+=("$1"); shift ;;
	esac
done
((${#scenarios[@]})) || { echo "host.sh: no scenario given" >&2; usage; }
for s in "${scenarios[@]}"; do [[ -f $s ]] || rig_die "no such scenario: $s"; done
if [[ -z $name ]]; then
	for s in "${scenarios[@]}"; do b=$(basename "$s" .sh); name=${name:+$name+}$b; done
fi

rig_need qemu-system-x86_64:qemu-system-x86 cpio:cpio gzip:gzip /bin/busybox:busybox-static \
	depmod:kmod xz:xz-utils zstd:zstd timeout:coreutils

# ---- minivmm ----
minivmm=${MINIVMM:-}
if [[ -z $minivmm ]]; then
	minivmm=$REPO_DIR/build/minivmm
	if [[ ! -x $minivmm ]]; then
		rig_need cmake:cmake gcc:gcc make:make
		rig_log "building minivmm (cmake -S . -B build)"
		(cd "$REPO_DIR" && cmake -S . -B build >/dev/null && cmake --build build -j2 >/dev/null) ||
			rig_die "building minivmm failed (cd $REPO_DIR && cmake -S . -B build && cmake --build build)"
		[[ -x $minivmm ]] || rig_die "the build produced no $minivmm"
	fi
elif [[ $minivmm != none ]]; then
	[[ -x $minivmm ]] || rig_die "MINIVMM=$minivmm is not an executable"
fi

rig_kernel
out=$MINIVMM_RIG_OUT
mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/minivmm-host.XXXXXX")
qpid=
cleanup() {
	if [[ -n $qpid ]]; then kill "$qpid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

# ---- the host's extra files ----
tree=$work/tree
mkdir -p "$tree/rig/scenarios" "$tree/rig/guest" "$tree/usr/local/bin"
if [[ $minivmm != none ]]; then
	rig_copy_elf "$tree" "$minivmm" /usr/local/bin/minivmm
	# The libraries minivmm dlopens when it needs them (src/dl.c).
	for so in libz.so.1 liblzma.so.5 libzstd.so.1 libkmod.so.2; do
		lib=$(ldconfig -p | awk -v so="$so" '$1 == so && /x86-64/ && !n++ { print $NF }') # no early exit: SIGPIPE + pipefail
		[[ -n $lib ]] || rig_die "no $so on this machine (tests/deps.sh installs it)"
		rig_copy_elf "$tree" "$lib"
	done
fi
guest_mods=(e1000e e1000 nvme ne2k-pci pcnet32 pvpanic-pci ahci sd_mod)
# pvpanic-mmio drives minivmm's pvpanic device: loaded at boot, as in the
# zero-config initramfs.
margs=(--module pvpanic-mmio)
for m in "${guest_mods[@]}"; do margs+=(--extra-module "$m"); done
# The guest-side status tool, built next to minivmm.
if [[ $minivmm != none && -x $(dirname "$minivmm")/minivmm-exit ]]; then
	margs+=(--add "$(dirname "$minivmm")/minivmm-exit:/bin/minivmm-exit")
fi
"$REPO_DIR/guest/mkinitramfs.sh" -o "$tree/rig/guest/initrd.img" --modules "$MODDIR" "${margs[@]}"
cp "$VMLINUZ" "$tree/rig/guest/vmlinuz"
# The host's own kernel image where distributions keep it: minivmm's
# zero-config mode (no --kernel) boots /boot/vmlinuz-$(uname -r).
mkdir -p "$tree/boot"
ln -sf /rig/guest/vmlinuz "$tree/boot/vmlinuz-$(basename "$MODDIR")"
echo "${guest_mods[*]}" >"$tree/rig/guest/modules"
cp "$here/lib.sh" "$here/guest-lib.sh" "$tree/rig/"
i=0
for s in "${scenarios[@]}"; do
	i=$((i + 1))
	b=$(basename "$s" .sh)
	dst=/rig/scenarios/$(printf '%02d' $i)-$b.sh
	cp "$s" "$tree$dst"
	echo "$dst $b" >>"$tree/rig/plan"
done
: >"$tree/rig/env"
for e in "${envs[@]}"; do
	[[ $e == [A-Za-z_]*=* ]] || rig_die "--env $e: expected NAME=VALUE"
	printf '%s=%q\n' "${e%%=*}" "${e#*=}" >>"$tree/rig/env"
done
if [[ $minivmm == none ]]; then echo "MINIVMM=none" >>"$tree/rig/env"; fi
if [[ -n $with_qemu ]]; then
	rig_copy_elf "$tree" "$(command -v qemu-system-x86_64)" /usr/bin/qemu-system-x86_64
	for d in /usr/share/qemu /usr/share/seabios /usr/lib/ipxe/qemu; do
		[[ -d $d ]] || continue
		mkdir -p "$tree$d"
		cp -a "$d/." "$tree$d/"
	done
fi
for a in "${adds[@]}"; do
	src=${a%%:*} dest=${a#*:}
	[[ -e $src ]] || rig_die "--add $a: no such file $src"
	mkdir -p "$tree$(dirname "$dest")"
	cp -a "$src" "$tree$dest"
done
for a in "${elfs[@]}"; do
	src=${a%%:*} dest=${a#*:}
	[[ -f $src ]] || rig_die "--add-elf $a: no such file $src"
	rig_copy_elf "$tree" "$src" "$dest"
done

# ---- the host initramfs ----
host_mods=(kvm-amd vfio vfio_iommu_type1 vfio-pci)
host_extra=(e1000e e1000 nvme ne2k-pci 8390 pcnet32 kvm-intel ahci sd_mod lpc_ich i2c-i801 pvpanic-mmio)
margs=()
for m in "${host_mods[@]}"; do margs+=(--module "$m"); done
for m in "${host_extra[@]}"; do margs+=(--extra-module "$m"); done
initrd=$work/host-initrd.cpio
"$REPO_DIR/guest/mkinitramfs.sh" -o "$initrd" --format none --init "$here/host-init" \
	--modules "$MODDIR" "${margs[@]}" --tree "$tree"

# ---- QEMU ----
# shellcheck disable=SC2054 # commas are QEMU option syntax
qargs=(
	-machine q35 -accel "tcg,thread=$tcg_thread"
	-cpu "$cpu" -smp "$smp" -m "$mem"
	-nodefaults -display none -monitor none -no-reboot
	-device isa-debug-exit,iobase=0xf4,iosize=1
	-serial "file:$out/$name.console.log" -serial "file:$out/$name.tap"
	-kernel "$VMLINUZ" -initrd "$initrd"
	-append "console=ttyS0${iommu:+ intel_iommu=on iommu=pt} panic=-1 quiet loglevel=4 rig.timeout=$stimeout${kvm_amd:+ rig.kvm_amd=$kvm_amd}"
)
if [[ -n $iommu ]]; then
	qargs+=(-device intel-iommu,caching-mode=on${intremap:+,intremap=$intremap})
fi
for d in "${disks[@]}"; do
	id=${d%%:*} mb=${d#*:}
	[[ $d == *:* && $id =~ ^[A-Za-z][A-Za-z0-9_-]*$ && $mb =~ ^[0-9]+$ ]] || rig_die "--disk $d: expected ID:MB"
	truncate -s "${mb}M" "$work/disk-$id.img"
	qargs+=(-drive "if=none,id=$id,file=$work/disk-$id.img,format=raw")
done
nic=0
for d in "${devices[@]}"; do
	model=${d%%,*}
	case $model in
	e1000 | e1000e | e1000-82544gc | e1000-82545em | igb | ne2k_pci | pcnet | rtl8139 | virtio-net-pci | vmxnet3 | i82559* | i8255*)
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
: >"$out/$name.tap"
rig_log "booting host '$name' (${mem} MiB, $smp CPUs, timeout ${timeout}s); console log: $out/$name.console.log"
start=$SECONDS
timeout -k 10 "$timeout" qemu-system-x86_64 "${qargs[@]}" 2>"$out/$name.qemu.err" &
qpid=$!
tail -n +1 -f --pid=$qpid "$out/$name.tap" &
tpid=$!
# A TCG host whose own kernel locked up never recovers: stop it at once
# (a host failure, status 3) instead of waiting for the timeout. So is one
# that froze outright: host-init prints a heartbeat every 10 s, and a
# console quiet for 60 s means the emulated machine stopped.
(
	quiet=0 last= waited=0
	while kill -0 $qpid 2>/dev/null; do
		sleep 5
		waited=$((waited + 5))
		if grep -qE 'soft lockup - CPU#|Kernel panic - not syncing|stack guard page was hit' \
			"$out/$name.console.log" 2>/dev/null; then
			echo "rig: the host's kernel locked up or panicked: stopping it" >&2
			pkill -TERM -P $qpid 2>/dev/null || kill -TERM $qpid 2>/dev/null
			break
		fi
		size=$(stat -c %s "$out/$name.console.log" 2>/dev/null || echo 0)
		# Armed once host-init runs (its heartbeat starts before its first
		# line), or after two minutes: the kernel's own boot is quiet
		# ("quiet loglevel=4") but takes seconds.
		if [[ $size == "$last" ]] && { ((waited >= 120)) || grep -q '^rig-host: ' "$out/$name.console.log"; }; then
			quiet=$((quiet + 5))
		else
			quiet=0 last=$size
		fi
		if ((quiet >= 60)); then
			echo "rig: the host's console has been quiet for ${quiet}s (no heartbeat): the emulated machine froze; stopping it" >&2
			pkill -TERM -P $qpid 2>/dev/null || kill -TERM $qpid 2>/dev/null
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
wait $tpid 2>/dev/null || true
kill $wpid 2>/dev/null || true
wait $wpid 2>/dev/null || true
elapsed=$((SECONDS - start))

passed=$(grep -c '^ok ' "$out/$name.tap" || true)
failed=$(grep -c '^not ok ' "$out/$name.tap" || true)
# Runs the nested KVM hung and the rig ran once more (lib.sh run_vmm).
retries=$(grep -c '^# RETRY: ' "$out/$name.tap" || true)
# run-all.sh adds them up over the host boots of a group.
echo "$retries" >>"$out/$name.retries"
host_fail() {
	echo "rig: host '$name' failed after ${elapsed}s: $*" >&2
	if grep -qv "TCG doesn't support requested feature" "$out/$name.qemu.err" 2>/dev/null; then
		echo "rig: qemu stderr:" >&2
		grep -v "TCG doesn't support requested feature" "$out/$name.qemu.err" | tail -n 20 | sed 's/^/  | /' >&2
	fi
	# The next boot of this host starts a new console log: keep this one.
	kept=$out/$name.failed-$(date +%H%M%S).console.log
	cp "$out/$name.console.log" "$kept" 2>/dev/null || kept=$out/$name.console.log
	echo "rig: last lines of the host console (all of it: $kept):" >&2
	grep -v 'rig-host: alive at' "$out/$name.console.log" 2>/dev/null | tail -n 40 | tr -d '\r' | sed 's/^/  | /' >&2
	echo "rig: $passed passed, $((failed + 1)) failed, $retries retried"
	exit 3
}
case $rc in
1)
	echo "rig: host '$name' finished in ${elapsed}s"
	echo "rig: $passed passed, $failed failed, $retries retried"
	((failed == 0 && passed > 0)) || host_fail "host reported success but TAP has $passed ok, $failed not ok"
	exit 0
	;;
3)
	echo "rig: host '$name' finished in ${elapsed}s"
	echo "rig: $passed passed, $failed failed, $retries retried"
	exit 1
	;;
124 | 137 | 143) host_fail "timed out after ${timeout}s, or its kernel locked up (host hung?)" ;;
0) host_fail "the host rebooted or powered off without reporting a result (kernel panic? init died?)" ;;
*)
	if ((rc & 1)); then
		host_fail "host init exited with unexpected code $(((rc - 1) / 2))"
	fi
	host_fail "qemu-system-x86_64 exited with status $rc"
	;;
esac
