#!/usr/bin/env bash
# Install what building and testing minivmm needs (Debian/Ubuntu, as root).
# Quiet and idempotent: only missing packages are installed.
set -euo pipefail
pkgs=(build-essential cmake pkg-config libcmocka-dev libfdt-dev libkmod-dev
      zlib1g-dev liblzma-dev libzstd-dev
      qemu-system-x86 busybox-static cpio kmod xz-utils zstd gzip acpica-tools)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
((${#missing[@]})) || exit 0
if [[ $(id -u) != 0 ]]; then
	echo "deps: missing packages: ${missing[*]}; run as root or apt-get install them" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
