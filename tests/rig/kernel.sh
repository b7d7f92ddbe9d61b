#!/usr/bin/env bash
# Fetch and unpack Debian's current amd64 kernel (the one linux-image-amd64
# depends on) into ${MINIVMM_CACHE:-~/.cache/minivmm}/kernel/, idempotently.
# RIG_DEB_ARCH=arm64 fetches the arm64 one (linux-image-arm64:arm64; apt
# must know the arm64 architecture: dpkg --add-architecture arm64).
#
# Run it: prints shell assignments KVER=... VMLINUZ=... MODDIR=... (eval-able).
# Source it: defines rig_kernel, which sets KVER, VMLINUZ and MODDIR.
#
# MINIVMM_KERNEL_DEB=/path/to/linux-image-*.deb uses that package instead of
# asking apt (development shortcut; CI leaves it unset).

# shellcheck source=tests/rig/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

rig_kernel() {
	local base=$MINIVMM_CACHE/kernel pkg ver deb dir arch=${RIG_DEB_ARCH:-amd64}
	mkdir -p "$base"
	if [[ -n ${MINIVMM_KERNEL_DEB:-} ]]; then
		deb=$MINIVMM_KERNEL_DEB
		[[ -f $deb ]] || rig_die "MINIVMM_KERNEL_DEB=$deb: no such file"
		pkg=$(dpkg-deb -f "$deb" Package) || rig_die "$deb is not a Debian package"
		ver=$(dpkg-deb -f "$deb" Version) || rig_die "$deb is not a Debian package"
	else
		rig_need apt-cache:apt dpkg-deb:dpkg depmod:kmod
		pkg=$(_rig_kernel_pkg)
		if [[ -z $pkg ]]; then
			rig_apt_update
			pkg=$(_rig_kernel_pkg)
		fi
		if [[ -z $pkg ]]; then
			# No apt metadata (offline?): fall back to the newest cached kernel.
			dir=$(ls -1d "$base"/linux-image-*-"$arch"_*/ 2>/dev/null | sort -V | tail -n1)
			[[ -n $dir && -f $dir/.done ]] ||
				rig_die "cannot resolve linux-image-$arch with apt-cache and no kernel is cached in $base"
			rig_log "warning: apt cannot resolve linux-image-$arch; using cached ${dir%/}"
			_rig_kernel_vars "${dir%/}"
			return
		fi
		ver=$(apt-cache show --no-all-versions "$pkg:$arch" 2>/dev/null | sed -n 's/^Version: //p' | head -n1)
		[[ -n $ver ]] || rig_die "apt-cache knows no version of $pkg"
	fi
	dir=$base/${pkg}_${ver//:/%3a}
	if [[ ! -f $dir/.done ]]; then
		rm -rf "$dir" "$dir.tmp"
		mkdir -p "$dir.tmp"
		if [[ -z ${deb:-} ]]; then
			rig_log "downloading $pkg $ver"
			if ! (cd "$dir.tmp" && apt-get download -qq "$pkg:$arch=$ver" >apt.log 2>&1); then
				cat "$dir.tmp/apt.log" >&2
				rig_die "apt-get download $pkg:$arch=$ver failed"
			fi
			deb=$(ls "$dir.tmp"/*.deb)
		fi
		rig_log "unpacking $(basename "$deb")"
		dpkg-deb -x "$deb" "$dir.tmp/root" || rig_die "dpkg-deb -x $deb failed"
		rm -f "$dir.tmp"/*.deb "$dir.tmp/apt.log"
		local kver
		kver=$(ls "$dir.tmp/root/lib/modules" | head -n1)
		[[ -n $kver && -f $dir.tmp/root/boot/vmlinuz-$kver ]] || rig_die "$deb holds no vmlinuz/modules"
		depmod -b "$dir.tmp/root" "$kver" || rig_die "depmod failed"
		echo "$kver" >"$dir.tmp/KVER"
		touch "$dir.tmp/.done"
		mv "$dir.tmp" "$dir"
	fi
	_rig_kernel_vars "$dir"
}

_rig_kernel_pkg() {
	apt-cache depends "linux-image-${RIG_DEB_ARCH:-amd64}:${RIG_DEB_ARCH:-amd64}" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ :]*\)\(:[a-z0-9]*\)\{0,1\}$/\1/p' | head -n1
}

_rig_kernel_vars() {
	KVER=$(cat "$1/KVER")
	VMLINUZ=$1/root/boot/vmlinuz-$KVER
	MODDIR=$1/root/lib/modules/$KVER
	export KVER VMLINUZ MODDIR
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	set -euo pipefail
	rig_kernel
	printf 'KVER=%q\nVMLINUZ=%q\nMODDIR=%q\n' "$KVER" "$VMLINUZ" "$MODDIR"
fi
