#!/usr/bin/env bash
# Cross-build minivmm for arm64 hosts into build-arm64/ (as root on Debian
# 12, on an x86_64 machine): gcc-aarch64-linux-gnu, and Debian's arm64
# -dev packages (libfdt, linked statically; the headers of the libraries
# minivmm dlopens) unpacked into build-arm64/sysroot with dpkg -x.
# Prints the binary's path. Idempotent: downloads only what is missing.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=${MINIVMM_ARM64_BUILD:-$top/build-arm64}
sysroot=$out/sysroot
devs=(libfdt-dev zlib1g-dev liblzma-dev libzstd-dev libkmod-dev)

export DEBIAN_FRONTEND=noninteractive
need=()
command -v aarch64-linux-gnu-gcc >/dev/null || need+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross)
for p in cmake pkg-config; do command -v "$p" >/dev/null || need+=("$p"); done
if ((${#need[@]})); then
	apt-get update -qq >/dev/null
	apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [[ ! -f $sysroot/.done ]]; then
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		dpkg --add-architecture arm64
		apt-get update -qq >/dev/null
	fi
	rm -rf "$sysroot" "$out/deb"
	mkdir -p "$sysroot" "$out/deb"
	pkgs=()
	for p in "${devs[@]}"; do pkgs+=("$p:arm64"); done
	if ! (cd "$out/deb" && apt-get download -qq "${pkgs[@]}" >apt.log 2>&1); then
		apt-get update -qq >/dev/null
		(cd "$out/deb" && apt-get download -qq "${pkgs[@]}") || { echo "arm64: apt-get download ${pkgs[*]} failed" >&2; exit 1; }
	fi
	for d in "$out"/deb/*.deb; do dpkg-deb -x "$d" "$sysroot"; done
	touch "$sysroot/.done"
fi
cmake -S "$top" -B "$out" -DCMAKE_TOOLCHAIN_FILE="$top/cmake/aarch64-linux-gnu.cmake" \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF >/dev/null
nice -n 10 cmake --build "$out" -j"$(nproc)" >/dev/null
file "$out/minivmm" | grep -q 'ARM aarch64' || { echo "arm64: $out/minivmm is not an arm64 binary" >&2; exit 1; }
echo "$out/minivmm"
