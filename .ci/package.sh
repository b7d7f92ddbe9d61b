#!/usr/bin/env bash
# The Debian package: dpkg-buildpackage -us -uc -b, then install the .deb
# into a fresh Debian 12 root (debootstrap, cached) with nothing of the
# build tree around, and run minivmm there: --version, doctor --json (valid
# JSON; its verdicts do not matter in a chroot), and a zero-config initramfs
# built from what the package installed.
#   .ci/package.sh            MINIVMM_CI_FRESH_ROOT=1: debootstrap again
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
t0=$SECONDS
suite=bookworm
arch=$(dpkg --print-architecture)

"$CI_TOP/tests/deps.sh"
ci_need dpkg-dev debhelper fakeroot debootstrap python3 cpio

work=$(mktemp -d /tmp/minivmm-package.XXXXXX)
trap 'rm -rf --one-file-system "$work"' EXIT

# ---- 1. build the package from a copy of the source (outputs land beside it) ----
version=$(dpkg-parsechangelog -l "$CI_TOP/debian/changelog" -S Version)
src=$work/minivmm-$version
mkdir -p "$src"
if git -C "$CI_TOP" rev-parse --git-dir >/dev/null 2>&1; then
	# What the checkout holds, committed or not, without build directories.
	(cd "$CI_TOP" && git ls-files -co --exclude-standard -z | tar --null -cf - -T -) | tar -xf - -C "$src"
else
	tar -C "$CI_TOP" --exclude='./build*' --exclude=./obj-* -cf - . | tar -xf - -C "$src"
fi
ci_log "== dpkg-buildpackage -us -uc -b (minivmm $version)"
(cd "$src" && ci_quiet "$work/build.log" timeout 900 nice -n 10 dpkg-buildpackage -us -uc -b -j"$(nproc)") ||
	ci_die "the package does not build"
deb=$work/minivmm_${version}_$arch.deb
[[ -f $deb ]] || ci_die "no $deb after dpkg-buildpackage"
contents=$(dpkg-deb -c "$deb")
for f in usr/bin/minivmm usr/libexec/minivmm/minivmm-exit usr/share/man/man1/minivmm.1.gz \
	usr/share/bash-completion/completions/minivmm usr/share/doc/minivmm/copyright \
	usr/share/doc/minivmm/examples/README.md usr/share/doc/minivmm/examples/lava/minivmm-lava-results; do
	grep -q " \./$f\$" <<<"$contents" || ci_die "$deb lacks /$f"
done
ci_log "built $(basename "$deb"): Depends: $(dpkg-deb -f "$deb" Depends); Recommends: $(dpkg-deb -f "$deb" Recommends)"

# ---- 2. a fresh Debian 12 root, debootstrapped once and copied for each run ----
mirror=${MINIVMM_DEBIAN_MIRROR:-}
if [[ -z $mirror ]]; then
	# The mirror this machine's apt uses for $suite (deb822 or one-line form).
	mirror=$(python3 - "$suite" <<'PY'
import glob, re, sys
suite = sys.argv[1]
for path in sorted(glob.glob('/etc/apt/sources.list.d/*.sources')) + ['/etc/apt/sources.list'] + \
		sorted(glob.glob('/etc/apt/sources.list.d/*.list')):
	try:
		text = open(path).read()
	except OSError:
		continue
	if path.endswith('.sources'):
		for stanza in re.split(r'\n\s*\n', text):
			f = dict((m.group(1).lower(), m.group(2).split()) for m in
				 re.finditer(r'^(\w[\w-]*):\s*(.*)$', stanza, re.M))
			if suite in f.get('suites', []) and 'deb' in f.get('types', []):
				uris = [u for u in f.get('uris', []) if 'security' not in u]
				if uris:
					print(uris[0]); sys.exit(0)
	else:
		for line in text.splitlines():
			w = re.sub(r'\[[^]]*\]', '', line).split()
			if len(w) >= 3 and w[0] == 'deb' and w[2] == suite and 'security' not in w[1]:
				print(w[1]); sys.exit(0)
PY
)
	mirror=${mirror:-http://deb.debian.org/debian}
fi
pristine=$CI_CACHE/debootstrap-$suite-$arch
if [[ -n ${MINIVMM_CI_FRESH_ROOT:-} || ! -f $pristine/.minivmm-complete ]] ||
	[[ -n $(find "$pristine/.minivmm-complete" -mtime +30 2>/dev/null) ]]; then
	ci_log "== debootstrap --variant=minbase $suite from $mirror (cached in $pristine)"
	rm -rf --one-file-system "$pristine" "$pristine.new"
	mkdir -p "$CI_CACHE"
	ci_quiet "$work/debootstrap.log" timeout 1200 debootstrap --variant=minbase --arch="$arch" \
		"$suite" "$pristine.new" "$mirror" || ci_die "debootstrap failed"
	touch "$pristine.new/.minivmm-complete"
	mv "$pristine.new" "$pristine"
fi
root=$work/root
cp -a --reflink=auto "$pristine" "$root"
rm -f "$root/.minivmm-complete"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
cp "$deb" "$root/tmp/"

# in_root CMD...: run CMD in the root, with /proc and a read-only /sys mounted
# in a mount namespace of its own (they vanish with it: nothing to clean up).
in_root() {
	# shellcheck disable=SC2016 # expanded by the inner sh
	unshare --mount --propagation private -- sh -c '
		root=$1; shift
		mount -t proc proc "$root/proc" &&
		mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$root/sys" &&
		exec chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"' \
		sh "$root" "$@"
}

# ---- 3. install: dpkg -i, then apt-get -f install for the Depends ----
ci_log "== dpkg -i in the fresh root, apt-get -f install for its dependencies"
in_root dpkg -i "/tmp/$(basename "$deb")" >"$work/install.log" 2>&1 || true
unmet=$(sed -n 's/^ minivmm depends on \([^;]*\);.*/\1/p' "$work/install.log" | tr '\n' ' ')
ci_log "dpkg -i: ${unmet:+missing in the fresh root: }${unmet:-every dependency there}"
ci_quiet "$work/apt.log" in_root sh -c 'export DEBIAN_FRONTEND=noninteractive;
	apt-get update -qq && apt-get -f install -y -qq --no-install-recommends' ||
	ci_die "apt-get -f install in the fresh root failed"
# shellcheck disable=SC2016 # dpkg-query's format
in_root dpkg-query -W -f='${Status}\n' minivmm | grep -q 'install ok installed' ||
	{ cat "$work/install.log" >&2; ci_die "minivmm is not installed in the fresh root"; }

# ---- 4. run it there, without the build tree ----
[[ ! -e $root$CI_TOP ]] || ci_die "the source tree $CI_TOP is visible in the root"
out=$(in_root minivmm --version) || ci_die "minivmm --version failed in the fresh root"
[[ $out == "minivmm ${version%%-*}" ]] || ci_die "minivmm --version says '$out', the package is $version"
ci_log "minivmm --version: $out"
in_root minivmm --help | grep -q -- '--quiet' || ci_die "minivmm --help failed in the fresh root"
rc=0
in_root minivmm doctor --json >"$work/doctor.json" 2>"$work/doctor.err" || rc=$?
# 0: ready, 1: not ready (expected in a chroot); anything else is a failure.
((rc <= 1)) || { cat "$work/doctor.err" >&2; ci_die "minivmm doctor --json exited with $rc"; }
python3 -m json.tool "$work/doctor.json" >/dev/null ||
	{ cat "$work/doctor.json" >&2; ci_die "minivmm doctor --json printed no valid JSON"; }
python3 - "$work/doctor.json" <<'PY' || ci_die "doctor's JSON lacks its checks"
import json, sys
d = json.load(open(sys.argv[1]))
assert isinstance(d['checks'], list) and d['checks'] and isinstance(d['ok'], bool)
print('package: doctor --json: %d checks, ok=%s, failing: %s' % (len(d['checks']), d['ok'],
      ', '.join(str(c.get('check', '?')) for c in d['checks'] if not c.get('ok', True)) or 'none'),
      file=sys.stderr)
PY
in_root /usr/libexec/minivmm/minivmm-exit >/dev/null 2>"$work/exit.err" && rc=0 || rc=$?
if ((rc != 2)) || ! grep -q 'usage: minivmm-exit' "$work/exit.err"; then
	ci_die "/usr/libexec/minivmm/minivmm-exit without a status: exit $rc, expected its usage and 2"
fi
# The LAVA results script from the package's examples, on a sample run.
printf '%s\n' '{"status": 1, "kernel": {"release": "6.1.0-27-amd64"}, "tests": {"cases": [{"name": "ping", "status": "fail"}]}}' \
	>"$root/tmp/run.json"
out=$(in_root sh -c 'apt-get install -y -qq python3-minimal >/dev/null 2>&1;
	python3 /usr/share/doc/minivmm/examples/lava/minivmm-lava-results --json /tmp/run.json --dry-run') ||
	ci_die "the packaged minivmm-lava-results failed in the fresh root"
[[ $out == "lava-test-case 6.1.0-27-amd64.ping --result fail"* ]] ||
	ci_die "the packaged minivmm-lava-results printed '$out'"
in_root bash -n /usr/share/bash-completion/completions/minivmm || ci_die "the bash completion is no valid bash"
# The completion offers exactly the options --help and doctor --help name.
comp=$root/usr/share/bash-completion/completions/minivmm
help_opts=$( (in_root minivmm --help | grep -oE '^ +(-[a-z], )?--[a-z-]+' | grep -oE -- '--[a-z-]+'
	echo --help) | sort -u)
comp_opts=$(sed -n '/local opts=/,/"$/p' "$comp" | grep -oE -- '--[a-z-]+' | sort -u)
[[ $help_opts == "$comp_opts" ]] ||
	ci_die "bash completion and --help differ: $(diff <(echo "$help_opts") <(echo "$comp_opts") | grep '^[<>]' | tr '\n' ' ')"
help_opts=$( (in_root minivmm doctor --help | head -n 1 | grep -oE -- '--[a-z-]+'; echo --help) | sort -u)
comp_opts=$(grep -E 'local doctor_opts=' "$comp" | grep -oE -- '--[a-z-]+' | sort -u)
[[ $help_opts == "$comp_opts" ]] ||
	ci_die "bash completion and doctor --help differ: $(diff <(echo "$help_opts") <(echo "$comp_opts") | grep '^[<>]' | tr '\n' ' ')"

# The zero-config initramfs from the package alone: the guest init is inside
# the binary, busybox comes from the Recommends. A text file is no kernel,
# so minivmm stops (125) once the initramfs is built, before any VM.
ci_quiet "$work/apt.log" in_root sh -c "export DEBIAN_FRONTEND=noninteractive;
	apt-get install -y -qq --no-install-recommends $(dpkg-deb -f "$deb" Recommends | tr -d ,)" ||
	ci_die "installing the Recommends in the fresh root failed"
echo 'not a kernel' >"$root/tmp/not-a-kernel"
rc=0
in_root minivmm --kernel /tmp/not-a-kernel --run true >/dev/null 2>"$work/zero.err" || rc=$?
if ((rc != 125)) || ! grep -q "error: .*/tmp/not-a-kernel" "$work/zero.err"; then
	cat "$work/zero.err" >&2
	ci_die "minivmm --kernel /tmp/not-a-kernel --run true: exit $rc, expected 125 naming the file"
fi
# On a pipe the progress line is a plain line (no \r, no ESC[K).
grep -qx 'minivmm: preparing the guest initramfs\.\.\.' "$work/zero.err" ||
	{ cat -A "$work/zero.err" >&2; ci_die "no plain progress line on a pipe"; }
! grep -q $'[\r\033]' "$work/zero.err" || { cat -A "$work/zero.err" >&2; ci_die "control bytes in a piped stderr"; }
initrd=$(find "$root/root/.cache/minivmm" -type f -name 'initramfs-*' | head -n 1)
[[ -n $initrd ]] || ci_die "no initramfs in the root's ~/.cache/minivmm"
mkdir "$work/initrd"
(cd "$work/initrd" && cpio -id --quiet <"$initrd") || ci_die "$initrd is no cpio archive"
cmp -s "$work/initrd/init" "$CI_TOP/guest/init" || ci_die "the initramfs's /init is not guest/init"
[[ -x $work/initrd/bin/busybox ]] || ci_die "the initramfs has no busybox"
ci_log "zero-config initramfs from the installed package: /init = guest/init, busybox in"

ci_log "the package builds, installs on a fresh Debian 12 and runs ($((SECONDS - t0)) s)"
