#!/usr/bin/env bash
# The distribution kernel packages of the rig's "kernels" group, and the
# host.sh options that put them into the test host.
#
# Real packages, fetched once with `apt-get download` into
# ${MINIVMM_CACHE:-~/.cache/minivmm}/debs/ (the apt sources of this machine,
# as in CI): Debian 12's 6.1 kernel (the package linux-image-amd64 depends
# on, the host's own), its 6.12 kernel (linux-image-6.12-amd64's, from
# bookworm's main archive / point releases) and the PREEMPT_RT 6.1 kernel
# (linux-image-rt-amd64's), plus the meta-package linux-image-amd64 itself.
# Small crafted ones, built with dpkg-deb from the 6.1 kernel once per
# version in debs/crafted-VERSION/: an Ubuntu-style split (image with the
# vmlinuz only, modules e1000e + deps in a zstd package under
# usr/lib/modules), a kernel without e1000e, an arm64 package, a package
# that is no kernel, a truncated package.
#
# Prints the host.sh arguments: --add FILE:/rig/debs/NAME for each and
# --env RIG_KPKG_*=/rig/debs/NAME, RIG_KVER_*=VERSION for the scenario, and
# kmod's depmod (minivmm runs it; the host's busybox depmod writes no
# binary indexes).
set -euo pipefail
# shellcheck source=tests/rig/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
# shellcheck source=tests/rig/kernel.sh
source "$RIG_DIR/kernel.sh"

debs=$MINIVMM_CACHE/debs
mkdir -p "$debs"
args=()

# fetch VAR META: the package META depends on (META itself with "="), downloaded once.
fetch() {
	local var=$1 meta=$2 pkg ver file
	rig_need apt-cache:apt
	if [[ $meta == =* ]]; then
		pkg=${meta#=}
	else
		pkg=$(apt-cache depends "$meta" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -n1)
		if [[ -z $pkg ]]; then
			rig_apt_update
			pkg=$(apt-cache depends "$meta" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -n1)
		fi
	fi
	[[ -n $pkg ]] || rig_die "apt-cache cannot resolve $meta (apt-get update?)"
	ver=$(apt-cache show --no-all-versions "$pkg" 2>/dev/null | sed -n 's/^Version: //p' | head -n1)
	[[ -n $ver ]] || rig_die "apt-cache knows no version of $pkg"
	file=$debs/${pkg}_${ver//:/%3a}_amd64.deb
	if [[ ! -s $file ]]; then
		rig_log "downloading $pkg $ver"
		(cd "$debs" && apt-get download -qq "$pkg=$ver") >&2 || rig_die "apt-get download $pkg=$ver failed"
		[[ -s $file ]] || rig_die "apt-get download left no $file"
	fi
	add "$var" "$file"
	if [[ $pkg == linux-image-[0-9]* ]]; then
		args+=(--env "RIG_KVER_$var=${pkg#linux-image-}")
	fi
}

add() {
	args+=(--add "$2:/rig/debs/$(basename "$2")" --env "RIG_KPKG_$1=/rig/debs/$(basename "$2")")
}

# build DIR PACKAGE ARCH OUT [COMP]: dpkg-deb --build of DIR with a control
# file (and md5sums, as distributions ship them, unless PACKAGE has no-md5).
build() {
	local dir=$1 pkg=$2 arch=$3 out=$4 comp=${5:-xz}
	mkdir -p "$dir/DEBIAN"
	printf 'Package: %s\nVersion: 1.0\nArchitecture: %s\nMaintainer: minivmm rig <rig@localhost>\nDescription: minivmm rig test package\n' \
		"$pkg" "$arch" >"$dir/DEBIAN/control"
	if [[ $pkg != hello-* ]]; then
		(cd "$dir" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | xargs -0r md5sum) >"$dir/DEBIAN/md5sums"
	fi
	dpkg-deb --root-owner-group -Z"$comp" --build "$dir" "$out" >/dev/null || rig_die "dpkg-deb --build $out failed"
}

fetch 61 linux-image-amd64
fetch 612 linux-image-6.12-amd64
fetch RT linux-image-rt-amd64
fetch META =linux-image-amd64

# The crafted packages, from the unpacked 6.1 kernel (kernel.sh).
rig_kernel >&2
crafted=$debs/crafted-$KVER
if [[ ! -f $crafted/.done ]]; then
	rig_need dpkg-deb:dpkg modprobe:kmod md5sum:coreutils
	rig_log "crafting test packages from $KVER"
	rm -rf "$crafted" && mkdir -p "$crafted"
	w=$(mktemp -d)
	root=$(dirname "$(dirname "$(dirname "$MODDIR")")")
	# Ubuntu-style: the image alone, the modules apart (zstd, merged-/usr paths).
	mkdir -p "$w/img/boot"
	cp "$VMLINUZ" "$w/img/boot/vmlinuz-$KVER"
	build "$w/img" "linux-image-$KVER" amd64 "$crafted/split-image.deb"
	mkdir -p "$w/mods/usr/lib/modules/$KVER"
	for m in $(modprobe -d "$root" -S "$KVER" --show-depends e1000e | awk '$1 == "insmod" { print $2 }'); do
		rel=${m#"$MODDIR"/}
		mkdir -p "$w/mods/usr/lib/modules/$KVER/$(dirname "$rel")"
		cp "$m" "$w/mods/usr/lib/modules/$KVER/$rel"
	done
	cp "$MODDIR"/modules.order "$MODDIR"/modules.builtin "$MODDIR"/modules.builtin.modinfo "$w/mods/usr/lib/modules/$KVER/"
	build "$w/mods" "linux-modules-$KVER" amd64 "$crafted/split-modules.deb" zstd
	# A kernel whose modules lack the e1000e the host drives.
	mkdir -p "$w/nodrv/boot" "$w/nodrv/lib/modules/6.1.0-rig-nodrv/kernel"
	cp "$VMLINUZ" "$w/nodrv/boot/vmlinuz-6.1.0-rig-nodrv"
	cp "$MODDIR"/modules.builtin "$MODDIR"/modules.builtin.modinfo "$w/nodrv/lib/modules/6.1.0-rig-nodrv/"
	: >"$w/nodrv/lib/modules/6.1.0-rig-nodrv/modules.order"
	build "$w/nodrv" linux-image-6.1.0-rig-nodrv amd64 "$crafted/nodrv.deb"
	# Another architecture.
	mkdir -p "$w/arm/boot"
	echo "not really an arm64 Image" >"$w/arm/boot/vmlinuz-6.1.0-57-arm64"
	build "$w/arm" linux-image-6.1.0-57-arm64 arm64 "$crafted/arm64.deb"
	# Not a kernel (and no md5sums: classified from what it holds).
	mkdir -p "$w/hello/usr/bin"
	printf '#!/bin/sh\necho hello\n' >"$w/hello/usr/bin/hello"
	build "$w/hello" hello-minivmm amd64 "$crafted/hello.deb"
	# Cut short.
	head -c $(($(stat -c %s "$crafted/split-modules.deb") / 2)) "$crafted/split-modules.deb" >"$crafted/truncated.deb"
	rm -rf "$w"
	touch "$crafted/.done"
fi
add SPLIT_IMAGE "$crafted/split-image.deb"
add SPLIT_MODULES "$crafted/split-modules.deb"
add NODRV "$crafted/nodrv.deb"
add ARM64 "$crafted/arm64.deb"
add HELLO "$crafted/hello.deb"
add TRUNCATED "$crafted/truncated.deb"
args+=(--env "RIG_KVER_SPLIT=$KVER")
rig_need depmod:kmod
args+=(--add-elf "$(readlink -f "$(command -v depmod)"):/usr/local/sbin/depmod")
echo "${args[*]}"
