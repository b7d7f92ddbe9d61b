# shellcheck shell=bash
# Build-side helpers shared by the rig's bash scripts (tests/rig/*.sh,
# guest/mkinitramfs.sh, bench/*.sh). Source it; it does not set shell options.

RIG_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck disable=SC2034 # used by the scripts that source this
REPO_DIR=$(cd "$RIG_DIR/../.." && pwd)
MINIVMM_CACHE=${MINIVMM_CACHE:-${HOME:-/root}/.cache/minivmm}
MINIVMM_RIG_OUT=${MINIVMM_RIG_OUT:-$RIG_DIR/out}

rig_log() { printf 'rig: %s\n' "$*" >&2; }
rig_die() { printf 'rig: error: %s\n' "$*" >&2; exit 1; }

rig_apt_updated=
# rig_need CMD:PACKAGE... -- apt-get install (quietly) the packages whose
# command is missing. A "path" starting with / is checked as a file.
rig_need() {
	local spec cmd pkg missing=()
	for spec in "$@"; do
		cmd=${spec%%:*}
		pkg=${spec#*:}
		if [[ $cmd == /* ]]; then
			[[ -e $cmd ]] && continue
		else
			command -v "$cmd" >/dev/null 2>&1 && continue
		fi
		missing+=("$pkg")
	done
	((${#missing[@]})) || return 0
	[[ $(id -u) == 0 ]] || rig_die "missing packages (${missing[*]}) and not root to install them"
	rig_log "installing ${missing[*]}"
	rig_apt_update
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
		rig_die "apt-get install ${missing[*]} failed"
}

rig_apt_update() {
	[[ -n $rig_apt_updated ]] && return 0
	apt-get update -qq >/dev/null 2>&1 || rig_log "warning: apt-get update failed"
	rig_apt_updated=1
}

# rig_copy_elf ROOT FILE [DEST] -- copy an ELF executable or library into
# ROOT (at DEST, default the same path) with every shared library it needs
# and the program interpreter, at the paths the loader will look them up.
rig_copy_elf() {
	local root=$1 file=$2 dest=${3:-$2} line lib
	[[ -f $file ]] || rig_die "no such file: $file"
	mkdir -p "$root$(dirname "$dest")"
	cp -L "$file" "$root$dest"
	# ldd prints "name => /path (addr)", "/path/ld.so (addr)" or "linux-vdso.so.1 (addr)"
	# and "not a dynamic executable" (stderr, non-zero) for static binaries.
	local out
	out=$(ldd "$file" 2>/dev/null) || return 0
	while read -r line; do
		case $line in
		*'=> not found'*) rig_die "$file: shared library not found: $line" ;;
		*'=> /'*) lib=${line#*=> }; lib=${lib%% (*} ;;
		/*) lib=${line%% (*} ;;
		*) continue ;;
		esac
		if [[ ! -e $root$lib ]]; then
			mkdir -p "$root$(dirname "$lib")"
			cp -L "$lib" "$root$lib"
		fi
	done <<<"$out"
}

# rig_cpio DIR OUT [gzip|none] -- pack DIR as a newc archive owned by root.
rig_cpio() {
	local dir=$1 out=$2 comp=${3:-none}
	(
		cd "$dir" || exit 1
		find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet
	) | if [[ $comp == gzip ]]; then gzip -6 -n; else cat; fi >"$out.tmp"
	mv "$out.tmp" "$out"
}
