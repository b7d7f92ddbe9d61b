# shellcheck shell=bash
# The arm64 userland of the arm64 test host, from Debian's arm64 packages
# (apt-get download + dpkg-deb -x, once, into $MINIVMM_CACHE/arm64-root):
# busybox-static, glibc and the libraries minivmm dlopens, and on request
# qemu-system-aarch64 with the libraries it needs. Sourced by host.sh.

ARM64_ROOT=$MINIVMM_CACHE/arm64-root
# glibc for minivmm itself; zlib, liblzma, libzstd (kernel payloads), libkmod
# and libcrypto (its dependency) for the zero-config initramfs.
ARM64_PKGS=(busybox-static libc6 zlib1g liblzma5 libzstd1 libkmod2 libssl3)

# apt must know arm64 packages.
rig_arm64_arch() {
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		[[ $(id -u) == 0 ]] || rig_die "apt does not know arm64 packages and this is not root: dpkg --add-architecture arm64 && apt-get update"
		rig_log "adding the arm64 architecture to apt"
		dpkg --add-architecture arm64
		apt-get update -qq >/dev/null 2>&1 || rig_die "apt-get update failed"
		rig_apt_updated=1
	fi
}

# _rig_arm64_unpack DIR PKG...: download the arm64 packages and unpack them into DIR.
_rig_arm64_unpack() {
	local dir=$1 deb
	shift
	local pkgs=()
	for p in "$@"; do pkgs+=("$p:arm64"); done
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp/deb"
	if ! (cd "$dir.tmp/deb" && apt-get download -qq "${pkgs[@]}" >apt.log 2>&1); then
		rig_apt_update
		(cd "$dir.tmp/deb" && apt-get download -qq "${pkgs[@]}" >apt.log 2>&1) ||
			{ cat "$dir.tmp/deb/apt.log" >&2; rig_die "apt-get download ${pkgs[*]} failed"; }
	fi
	for deb in "$dir.tmp"/deb/*.deb; do dpkg-deb -x "$deb" "$dir.tmp/root" || rig_die "dpkg-deb -x $deb failed"; done
	rm -rf "$dir.tmp/deb"
	touch "$dir.tmp/.done"
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
}

# Sets ARM64_BUSYBOX.
rig_arm64_userland() {
	if [[ ! -f $ARM64_ROOT/.done || ! -f $ARM64_ROOT/pkgs || $(cat "$ARM64_ROOT/pkgs") != "${ARM64_PKGS[*]}" ]]; then
		rig_log "fetching the arm64 userland (${ARM64_PKGS[*]})"
		_rig_arm64_unpack "$ARM64_ROOT" "${ARM64_PKGS[@]}"
		echo "${ARM64_PKGS[*]}" >"$ARM64_ROOT/pkgs"
	fi
	ARM64_BUSYBOX=$ARM64_ROOT/root/bin/busybox
	[[ -f $ARM64_BUSYBOX ]] || rig_die "busybox-static:arm64 holds no /bin/busybox"
}

# rig_arm64_copy_libs TREE: the shared libraries (and the loader) into TREE at their paths.
rig_arm64_copy_libs() {
	local tree=$1 d
	for d in lib usr/lib; do
		[[ -d $ARM64_ROOT/root/$d ]] || continue
		mkdir -p "$tree/$d"
		cp -a "$ARM64_ROOT/root/$d/." "$tree/$d/"
	done
	# Only libraries: gconv, audit and the like are left out.
	rm -rf "$tree"/usr/lib/aarch64-linux-gnu/{gconv,audit} "$tree/usr/lib/aarch64-linux-gnu/engines-3" \
		"$tree/usr/lib/aarch64-linux-gnu/ossl-modules"
}

# rig_arm64_qemu TREE: Debian's arm64 qemu-system-aarch64, the libraries it
# needs (its Depends, recursively, from apt) and its firmware, into TREE.
rig_arm64_qemu() {
	local tree=$1 dir=$MINIVMM_CACHE/arm64-qemu pkgs
	if [[ ! -f $dir/.done ]]; then
		rig_log "fetching arm64 qemu-system-aarch64 and its libraries"
		# Its libraries, recursively (arm64 ones only: the data packages
		# and tools they drag in are not needed to run it with -kernel).
		# shellcheck disable=SC2207 # package names have no spaces
		pkgs=($(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
			--no-replaces --no-enhances --no-pre-depends qemu-system-arm:arm64 2>/dev/null |
			sed -n 's/^\(lib[a-z0-9][^ <>]*\):arm64$/\1/p; s/^\(qemu-system-arm\):arm64$/\1/p' | sort -u |
			grep -vx 'libc-bin\|libpam-modules\|libpam-modules-bin\|libpam-runtime\|libdebian-installer4'))
		((${#pkgs[@]})) || rig_die "apt-cache cannot resolve qemu-system-arm:arm64"
		_rig_arm64_unpack "$dir" "${pkgs[@]}"
	fi
	local d
	for d in lib usr/lib usr/share/qemu; do
		[[ -d $dir/root/$d ]] || continue
		mkdir -p "$tree/$d"
		cp -a "$dir/root/$d/." "$tree/$d/"
	done
	mkdir -p "$tree/usr/bin"
	cp "$dir/root/usr/bin/qemu-system-aarch64" "$tree/usr/bin/"
}
