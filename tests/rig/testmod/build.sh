#!/usr/bin/env bash
# Build the rig's test module (klogtest.c) against the linux-headers
# package of the guest kernel (tests/rig/kernel.sh: Debian's), fetched with
# apt-get download and unpacked into ${MINIVMM_CACHE:-~/.cache/minivmm}/testmod/
# once per kernel version; the module is cached by its source. Prints the
# path of klogtest.ko. Needs gcc and make (installed if missing).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/rig/kernel.sh
source "$here/../kernel.sh"
rig_need gcc:gcc make:make apt-cache:apt dpkg-deb:dpkg

rig_kernel >/dev/null
kdir=$(dirname "$(dirname "$(dirname "$VMLINUZ")")") # .../kernel/PKG_VERSION
ver=${kdir##*_}
ver=${ver//%3a/:}
base=$MINIVMM_CACHE/testmod/${KVER}_${ver//:/%3a}
root=$base/root
hdr=$root/usr/src/linux-headers-$KVER

if [[ ! -f $base/.done ]]; then
	rm -rf "$base"
	mkdir -p "$base/debs"
	# the arch part, the common part it includes, and kbuild's scripts and tools
	pkgs=("linux-headers-$KVER=$ver" "linux-headers-${KVER%-*}-common=$ver")
	kbuild=$(apt-cache show --no-all-versions "linux-headers-$KVER=$ver" 2>/dev/null |
		sed -n 's/^Depends:.*\(linux-kbuild-[0-9.]*\) (.*/\1/p' | head -n1)
	[[ -n $kbuild ]] || rig_die "apt-cache knows no linux-headers-$KVER=$ver (or its linux-kbuild dependency)"
	# the kbuild of the same source upload
	pkgs+=("$kbuild=$ver")
	rig_log "downloading ${pkgs[*]}"
	if ! (cd "$base/debs" && apt-get download -qq "${pkgs[@]}" >apt.log 2>&1); then
		cat "$base/debs/apt.log" >&2
		rig_die "apt-get download ${pkgs[*]} failed"
	fi
	for deb in "$base"/debs/*.deb; do
		dpkg-deb -x "$deb" "$root" || rig_die "dpkg-deb -x $deb failed"
	done
	rm -rf "$base/debs"
	[[ -f $hdr/Makefile ]] || rig_die "the headers of $KVER are not in $hdr"
	# The arch tree includes the common one by its absolute installed path.
	sed -i "s#^include /usr/src/#include $root/usr/src/#" "$hdr/Makefile"
	touch "$base/.done"
fi

sum=$(cat "$here/klogtest.c" "$0" | sha256sum | cut -c1-16)
out=$base/build-$sum
if [[ ! -f $out/klogtest.ko ]]; then
	rm -rf "$out" "$out.tmp"
	mkdir -p "$out.tmp"
	cp "$here/klogtest.c" "$out.tmp/"
	echo 'obj-m := klogtest.o' >"$out.tmp/Kbuild"
	if ! make -C "$hdr" M="$out.tmp" modules >"$out.tmp/build.log" 2>&1; then
		cat "$out.tmp/build.log" >&2
		rig_die "building klogtest.ko against $hdr failed"
	fi
	mv "$out.tmp" "$out"
fi
echo "$out/klogtest.ko"
