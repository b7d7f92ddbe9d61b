#!/usr/bin/env bash
# Build minivmm's minimal guest initramfs (newc cpio): busybox-static with
# its applet links, /init from guest/init, optional kernel modules and files.
#
# usage: guest/mkinitramfs.sh -o OUT [--format gzip|none]
#          [--modules KMODDIR] [--module NAME]... [--extra-module NAME]...
#          [--add SRC:DST]... [--tree DIR] [--init FILE] [--busybox FILE]
#   KMODDIR       a lib/modules/KVER directory with modules.dep (depmod'ed)
#   --module      copy NAME and its dependencies; /init insmods them at boot
#   --extra-module  copy NAME and its dependencies, not loaded at boot
#                 (the guest can `modprobe NAME`)
#   --add SRC:DST put file SRC at DST (e.g. a test script at /etc/minivmm/run)
#   --tree DIR    copy DIR's contents into the root (symlinks kept)
#   --init FILE   use FILE as /init instead of guest/init (the test host's)
#   --busybox FILE  a static busybox of another architecture (arm64's for an
#                 arm64 guest); its applet links follow this machine's
#                 /bin/busybox (Debian builds both from one configuration)
# Module names may use - or _. Modules are stored decompressed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/rig/common.sh
source "$here/../tests/rig/common.sh"

usage() { sed -n '2,19s/^# \{0,1\}//p' "$0" >&2; exit 2; }

out='' format=gzip kmoddir=''
boot_mods=() extra_mods=() adds=() trees=() init=$here/init guest_busybox=''
while (($#)); do
	case $1 in
	-o | --output) out=${2:?}; shift 2 ;;
	--format) format=${2:?}; shift 2 ;;
	--modules) kmoddir=${2:?}; shift 2 ;;
	--module) boot_mods+=("${2:?}"); shift 2 ;;
	--extra-module) extra_mods+=("${2:?}"); shift 2 ;;
	--add) adds+=("${2:?}"); shift 2 ;;
	--tree) trees+=("${2:?}"); shift 2 ;;
	--init) init=${2:?}; shift 2 ;;
	--busybox) guest_busybox=${2:?}; shift 2 ;;
	-h | --help) usage ;;
	*) echo "mkinitramfs: unknown argument: $1" >&2; usage ;;
	esac
done
[[ -n $out ]] || usage
[[ $format == gzip || $format == none ]] || rig_die "--format must be gzip or none"
if ((${#boot_mods[@]} + ${#extra_mods[@]})) && [[ -z $kmoddir ]]; then
	rig_die "--module needs --modules KMODDIR"
fi

rig_need cpio:cpio gzip:gzip /bin/busybox:busybox-static
busybox=/bin/busybox
file -L "$busybox" 2>/dev/null | grep -q 'statically linked' ||
	ldd "$busybox" 2>&1 | grep -q 'not a dynamic' ||
	rig_die "$busybox is not static (install busybox-static)"

stage=$(mktemp -d "${TMPDIR:-/tmp}/minivmm-initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,root,etc/minivmm,lib/modules}
if [[ -n $guest_busybox ]]; then
	[[ -f $guest_busybox ]] || rig_die "--busybox $guest_busybox: no such file"
	cp "$guest_busybox" "$stage/bin/busybox"
else
	cp "$busybox" "$stage/bin/busybox"
fi
while read -r applet; do
	applet=${applet#/}
	[[ $applet == bin/busybox || -e $stage/$applet || -L $stage/$applet ]] && continue
	[[ -d $stage/${applet%/*} ]] || mkdir -p "$stage/${applet%/*}"
	ln -s /bin/busybox "$stage/$applet"
done < <("$busybox" --list-full)
[[ -e $stage/bin/sh ]] || ln -s busybox "$stage/bin/sh"
install -m 0755 "$init" "$stage/init"
# The kernel opens /dev/console for init's stdio before anything is mounted.
if ! mknod -m 600 "$stage/dev/console" c 5 1 2>/dev/null; then
	rig_log "warning: cannot mknod /dev/console (not root?); init falls back to devtmpfs"
fi
echo 'root:x:0:0:root:/root:/bin/sh' >"$stage/etc/passwd"
echo 'root:x:0:' >"$stage/etc/group"
printf 'export PS1="minivmm-guest# "\n' >"$stage/etc/profile"

# ---- modules ----
# mod_key NAME: sets $key to the module name with - and _ unified, as the
# kernel sees it (no subshell: modules.dep has thousands of lines).
mod_key() { key=${1##*/}; key=${key%%.ko*}; key=${key//-/_}; }

if [[ -n $kmoddir ]]; then
	[[ -f $kmoddir/modules.dep ]] || rig_die "$kmoddir/modules.dep missing (run depmod)"
	kver=$(basename "$kmoddir")
	declare -A dep_of=() path_of=() builtin=() done_mod=()
	while IFS= read -r line; do
		m=${line%%:*}
		mod_key "$m"
		path_of[$key]=$m
		dep_of[$key]=${line#*:}
	done <"$kmoddir/modules.dep"
	if [[ -f $kmoddir/modules.builtin ]]; then
		while read -r m; do mod_key "$m"; builtin[$key]=1; done <"$kmoddir/modules.builtin"
	fi
	order=()
	# visit KEY: depth-first, dependencies before the module.
	visit() {
		local k=$1 d
		[[ -n ${done_mod[$k]:-} ]] && return
		done_mod[$k]=1
		for d in ${dep_of[$k]}; do mod_key "$d"; visit "$key"; done
		order+=("$k")
	}
	want() { # want NAME: visit it, unless it is built in
		mod_key "$1"
		if [[ -n ${path_of[$key]:-} ]]; then visit "$key"; return; fi
		[[ -n ${builtin[$key]:-} ]] && return
		rig_die "module $1 is neither in $kmoddir/modules.dep nor built in"
	}
	for m in "${boot_mods[@]}"; do want "$m"; done
	nboot=${#order[@]}
	for m in "${extra_mods[@]}"; do want "$m"; done
	dst=$stage/lib/modules/$kver
	: >"$stage/etc/minivmm/modules"
	i=0
	for k in "${order[@]}"; do
		src=$kmoddir/${path_of[$k]}
		rel=${path_of[$k]%.ko*}.ko
		mkdir -p "$(dirname "$dst/$rel")"
		case $src in
		*.ko) cp "$src" "$dst/$rel" ;;
		*.ko.xz) xz -dc "$src" >"$dst/$rel" ;;
		*.ko.zst) zstd -qdc "$src" >"$dst/$rel" ;;
		*.ko.gz) gzip -dc "$src" >"$dst/$rel" ;;
		*) rig_die "unknown module format: $src" ;;
		esac
		((i < nboot)) && echo "$rel" >>"$stage/etc/minivmm/modules"
		i=$((i + 1))
	done
	# modules.dep etc. for busybox modprobe.
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		[[ -f $kmoddir/$f ]] && cp "$kmoddir/$f" "$dst/"
	done
	if command -v depmod >/dev/null; then
		depmod -b "$stage" "$kver" 2>/dev/null || rig_log "warning: depmod on the initramfs failed"
	fi
fi

for a in "${adds[@]}"; do
	src=${a%%:*} dest=${a#*:}
	[[ -e $src ]] || rig_die "--add $a: no such file $src"
	[[ $dest == /* ]] || rig_die "--add $a: destination must be absolute"
	mkdir -p "$stage$(dirname "$dest")"
	cp -a "$src" "$stage$dest"
done

for t in "${trees[@]}"; do
	[[ -d $t ]] || rig_die "--tree $t: not a directory"
	cp -a "$t/." "$stage/"
done

mkdir -p "$(dirname "$out")"
rig_cpio "$stage" "$out" "$format"
