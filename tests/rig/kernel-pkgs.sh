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
# RPMs in Fedora's layout, built with rpmbuild (Debian's rpm package) from
# the same kernel once in debs/crafted-rpm-VERSION/: a kernel-core (the
# vmlinuz in lib/modules/VERSION/, a %ghost /boot/vmlinuz-VERSION; zstd
# payload, as Fedora's) and a kernel-modules with e1000e and its
# dependencies as .ko.xz (xz payload, as RHEL's); an aarch64 kernel-core,
# a source RPM and a truncated one.
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
# rpmbuild SPEC NAME ARCH OUT: a binary RPM of the files under $w/NAME (%files list in $w/NAME.files).
rpmbuild_one() {
	local name=$1 arch=$2 payload=$3 out=$4
	cat >"$w/$name.spec" <<SPEC
Name: $name
Version: ${KVER%%-*}
Release: rig
Summary: minivmm rig test package
License: GPL-2.0-only
%define _binary_payload $payload
%define __os_install_post %{nil}
%define _build_id_links none
%define debug_package %{nil}
%description
minivmm rig test package
%install
cp -a $w/$name/. %{buildroot}/
%files
$(cat "$w/$name.files")
SPEC
	rpmbuild -bb --quiet --target "$arch" --define "_topdir $w/top" "$w/$name.spec" >"$w/$name.log" 2>&1 ||
		rig_die "rpmbuild of $name failed: $(tail -n 3 "$w/$name.log")"
	mv "$w"/top/RPMS/*/"$name"-*.rpm "$out"
}

crafted_rpm=$debs/crafted-rpm-$KVER
if [[ ! -f $crafted_rpm/.done ]]; then
	rig_need rpmbuild:rpm modprobe:kmod xz:xz-utils
	rig_log "crafting test RPMs from $KVER"
	rm -rf "$crafted_rpm" && mkdir -p "$crafted_rpm"
	w=$(mktemp -d)
	root=$(dirname "$(dirname "$(dirname "$MODDIR")")")
	# kernel-core: Fedora's layout, the vmlinuz beside the modules' metadata.
	m=$w/kernel-core/lib/modules/$KVER
	mkdir -p "$m" "$w/kernel-core/boot"
	cp "$VMLINUZ" "$m/vmlinuz"
	cp "$MODDIR"/modules.builtin "$MODDIR"/modules.builtin.modinfo "$m/"
	: >"$w/kernel-core/boot/vmlinuz-$KVER"
	printf '/lib/modules/%s\n%%ghost /boot/vmlinuz-%s\n' "$KVER" "$KVER" >"$w/kernel-core.files"
	rpmbuild_one kernel-core x86_64 w19.zstdio "$crafted_rpm/kernel-core.rpm"
	# kernel-modules: e1000e and what it needs, xz-compressed as Fedora ships them.
	m=$w/kernel-modules/lib/modules/$KVER
	: >"$w/order"
	for mod in $(modprobe -d "$root" -S "$KVER" --show-depends e1000e | awk '$1 == "insmod" { print $2 }'); do
		rel=${mod#"$MODDIR"/}
		mkdir -p "$m/$(dirname "$rel")"
		xz -c "$mod" >"$m/$rel.xz"
		echo "$rel.xz" >>"$w/order"
	done
	cp "$w/order" "$m/modules.order"
	printf '/lib/modules/%s/kernel\n/lib/modules/%s/modules.order\n' "$KVER" "$KVER" >"$w/kernel-modules.files"
	rpmbuild_one kernel-modules x86_64 w6.xzdio "$crafted_rpm/kernel-modules.rpm"
	# Another architecture.
	mv "$w/kernel-core" "$w/core-x86" && mkdir -p "$w/kernel-core/lib/modules/6.1.0-57.fc41.aarch64"
	echo "not really an arm64 Image" >"$w/kernel-core/lib/modules/6.1.0-57.fc41.aarch64/vmlinuz"
	echo "/lib/modules/6.1.0-57.fc41.aarch64" >"$w/kernel-core.files"
	rpmbuild_one kernel-core aarch64 w19.zstdio "$crafted_rpm/kernel-core-aarch64.rpm"
	# A source package.
	rpmbuild -bs --quiet --define "_topdir $w/top" "$w/kernel-core.spec" >"$w/srpm.log" 2>&1 ||
		rig_die "rpmbuild -bs failed: $(tail -n 3 "$w/srpm.log")"
	mv "$w"/top/SRPMS/kernel-core-*.src.rpm "$crafted_rpm/kernel-core.src.rpm"
	# Cut short in the payload.
	head -c $(($(stat -c %s "$crafted_rpm/kernel-modules.rpm") / 2)) "$crafted_rpm/kernel-modules.rpm" \
		>"$crafted_rpm/truncated.rpm"
	rm -rf "$w"
	touch "$crafted_rpm/.done"
fi
add RPM_CORE "$crafted_rpm/kernel-core.rpm"
add RPM_MODULES "$crafted_rpm/kernel-modules.rpm"
add RPM_ARM64 "$crafted_rpm/kernel-core-aarch64.rpm"
add RPM_SRPM "$crafted_rpm/kernel-core.src.rpm"
add RPM_TRUNCATED "$crafted_rpm/truncated.rpm"
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
