#!/usr/bin/env bash
# minivmm on the KVM of the machine this runs on, without the nested test
# host: `minivmm doctor` must tell whether this KVM runs a stock kernel.
#  - /dev/kvm from kvm_pvm (a paravirtual KVM that runs only PVM guest
#    kernels, as on the project's development machines): doctor fails its
#    "KVM runs a guest" check naming kvm_pvm, the failed probe step and the
#    fix, text and --json, status 1; and booting Debian's kernel
#    (tests/rig/kernel.sh) ends with "this KVM cannot run a stock kernel"
#    naming kvm_pvm, status 125 (the boot takes a minute or two there;
#    --no-boot skips it).
#  - kvm_intel or kvm_amd: the check passes.
#  - no /dev/kvm (whatever module is loaded, as on the project's CI
#    machines, where kvm_pvm is loaded without its device node): doctor's
#    kvm check fails with its fix and names the module loaded, the probe
#    says it did not run, and a boot ends with status 125 and "cannot open
#    /dev/kvm".
# MINIVMM=path selects the binary (default build/minivmm, built when missing).
# Exit status 0 when every check held.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
boot=1
[[ ${1:-} == --no-boot ]] && boot=0
vmm=${MINIVMM:-$top/build/minivmm}
[[ -x $vmm ]] || "$top/tests/build.sh" >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fails=0

check() { # check DESCRIPTION COMMAND...
	if "${@:2}"; then
		echo "ok - $1"
	else
		echo "not ok - $1"
		fails=$((fails + 1))
	fi
}
has() { grep -Eq -- "$1" "$2"; }
# Boot Debian's kernel (tests/rig/kernel.sh) into $out/boot: status 125.
boot_debian() {
	# shellcheck source=tests/rig/kernel.sh
	source "$top/tests/rig/kernel.sh"
	rig_kernel
	local st=0
	timeout 900 "$vmm" --kernel "$VMLINUZ" --timeout 600 </dev/null >"$out/boot" 2>&1 || st=$?
	sed 's/^/# /' "$out/boot" | tail -n 3
	check "booting $KVER ends with status 125 (got $st)" test "$st" = 125
}

st=0
"$vmm" doctor >"$out/doctor" 2>&1 || st=$?
"$vmm" doctor --json >"$out/doctor.json" 2>&1 || true
sed 's/^/# /' "$out/doctor"
# The "KVM runs a guest" check from --json: ok, detail, fix (one per line).
python3 -c '
import json, sys
c = [c for c in json.load(open(sys.argv[1]))["checks"] if c["check"] == "KVM runs a guest"]
print(c[0]["ok"] if c else "missing"); print(c[0]["detail"] if c else ""); print(c[0]["fix"] if c else "")
' "$out/doctor.json" >"$out/json-check" || echo invalid >"$out/json-check"
json_ok=$(sed -n 1p "$out/json-check")

if [[ ! -e /dev/kvm ]]; then
	echo "# no /dev/kvm"
	check "doctor fails (status $st)" test "$st" = 1
	check "doctor's kvm check fails with its fix" has '^FAIL  kvm: /dev/kvm: No such file or directory' "$out/doctor"
	check "doctor's kvm check gives a fix" has '^      fix: ' <(grep -A1 '^FAIL  kvm: ' "$out/doctor")
	for m in kvm_pvm kvm_intel kvm_amd; do
		[[ -d /sys/module/$m ]] || continue
		check "doctor names the module loaded, $m" has "^FAIL  kvm: .*the KVM module loaded is $m" "$out/doctor"
		break
	done
	check "the probe says it did not run" has '^FAIL  KVM runs a guest: not run: no /dev/kvm' "$out/doctor"
	check "--json: the probe failed too ($json_ok)" test "$json_ok" = False
	if ((boot)); then
		boot_debian
		check "the boot says /dev/kvm is missing, with the fix" \
			has '^minivmm: error: cannot open /dev/kvm: no such device; load kvm_intel or kvm_amd' "$out/boot"
	fi
elif [[ -d /sys/module/kvm_pvm ]]; then
	echo "# /dev/kvm is kvm_pvm"
	check "doctor fails (status $st)" test "$st" = 1
	check "doctor names the failed probe step and kvm_pvm" \
		has '^FAIL  KVM runs a guest: this KVM cannot run a stock kernel: step [0-9]+ of [0-9]+ \(.+\) failed.*/dev/kvm is kvm_pvm, PVM' "$out/doctor"
	check "doctor gives the fix" has '^      fix: run minivmm where KVM uses hardware virtualization \(kvm_intel or kvm_amd\)' "$out/doctor"
	check "--json: the check failed ($json_ok)" test "$json_ok" = False
	check "--json: names kvm_pvm" has 'kvm_pvm' <(sed -n 2p "$out/json-check")
	check "--json: gives the fix" has 'kvm_intel or kvm_amd' <(sed -n 3p "$out/json-check")
	if ((boot)); then
		boot_debian
		check "the boot says this KVM cannot run a stock kernel, naming kvm_pvm and the fix" \
			has '^minivmm: error: this KVM cannot run a stock kernel: KVM internal error [0-9]+ .* /dev/kvm is kvm_pvm, .*kvm_intel or kvm_amd' "$out/boot"
	fi
elif [[ -d /sys/module/kvm_intel || -d /sys/module/kvm_amd ]]; then
	echo "# /dev/kvm is hardware KVM"
	check "doctor: KVM runs a guest" has '^ok    KVM runs a guest: a probe guest ran all' "$out/doctor"
	check "--json: the check passed ($json_ok)" test "$json_ok" = True
else
	echo "# /dev/kvm of an unknown KVM: nothing to compare doctor with"
	check "--json: has the check ($json_ok)" test "$json_ok" = True -o "$json_ok" = False
fi
echo "kvm-host: $fails failed"
((fails == 0))
