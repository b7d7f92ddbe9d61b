#!/usr/bin/env bash
# The builds users and distributions do, each in a build directory of its
# own (build-gcc-debug, ...), all with -Werror, each with its unit tests
# (Debug ones under ASan+UBSan, Release ones without, as a distribution's
# package runs them); then `cmake --install` of the gcc Release build to a
# prefix, checked as a user meets it: the files, --version, the man page,
# the bash completion against --help (.ci/completion.sh), and how minivmm
# talks on a pipe, a terminal and with --quiet (no VM needed).
#   .ci/builds.sh [gcc-debug|gcc-release|clang-debug|clang-release|install]...
#   (default: all, in that order; install builds gcc-release if needed)
# shellcheck disable=SC2016 # check eval '...': the words expand when evaluated
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$CI_TOP"
t_all=$SECONDS
"$CI_TOP/tests/deps.sh"
ci_need clang bash-completion man-db util-linux
jobs=$(nproc)
summary=()
work=$(mktemp -d /tmp/minivmm-builds.XXXXXX)
trap 'rm -rf "$work"' EXIT

# variant NAME CC BUILD-TYPE CMAKE-ARGS...: configure, build and unit-test build-NAME.
variant() {
	local name=$1 cc=$2 type=$3 dir=$CI_TOP/build-$1 t0=$SECONDS tests
	shift 3
	rm -rf "$dir"
	mkdir -p "$dir"
	CC=$cc ci_quiet "$dir/ci-build.log" cmake -S "$CI_TOP" -B "$dir" -DCMAKE_BUILD_TYPE="$type" \
		-DMINIVMM_WERROR=ON "$@" || return 1
	ci_quiet "$dir/ci-build.log" nice -n 10 cmake --build "$dir" -j"$jobs" || return 1
	# -Werror stops at a warning; this catches one it does not cover (the linker's).
	if grep -E '(^|: )warning: ' "$dir/ci-build.log" >&2; then
		ci_log "$name: warnings in the build (whole log: $dir/ci-build.log)"
		return 1
	fi
	ci_quiet "$dir/ci-test.log" ctest --test-dir "$dir" --output-on-failure -j"$jobs" || return 1
	tests=$(grep -oE '[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' "$dir/ci-test.log") ||
		{ ci_log "$name: no ctest summary in $dir/ci-test.log"; return 1; }
	summary+=("$name: $($cc --version | head -n 1 | sed 's/ (.*)//'), $type, -Werror; unit tests: $tests ($((SECONDS - t0)) s)")
	ci_log "${summary[-1]}"
}

build_gcc-debug() { variant gcc-debug gcc Debug; }
build_gcc-release() { variant gcc-release gcc Release -DMINIVMM_SANITIZE=OFF; }
build_clang-debug() { variant clang-debug clang Debug; }
build_clang-release() { variant clang-release clang Release -DMINIVMM_SANITIZE=OFF; }

# The checks of the install step; each failure is one line.
fails=0
check() {
	local what=$1
	shift
	if ! "$@"; then
		ci_log "FAIL $what"
		fails=$((fails + 1))
	fi
}
has() { grep -qE -- "$1" "$2"; }
lacks() { ! grep -qE -- "$1" "$2"; }

build_install() {
	local t0=$SECONDS dir=$CI_TOP/build-gcc-release prefix=$work/prefix mv version rc files
	[[ -x $dir/minivmm ]] || build_gcc-release || return 1
	ci_quiet "$work/install.log" cmake --install "$dir" --prefix "$prefix" || return 1
	fails=0
	files=$(cd "$prefix" && find . -type f | sort)
	check "cmake --install: bin, libexec, man page, completion and nothing else (got: ${files//$'\n'/ })" \
		test "$files" = "$(printf './%s\n' bin/minivmm libexec/minivmm/minivmm-exit \
			share/bash-completion/completions/minivmm share/man/man1/minivmm.1 | sort)"
	mv=$prefix/bin/minivmm
	version=$(sed -n 's/^project(minivmm VERSION \([0-9.]*\) .*/\1/p' "$CI_TOP/CMakeLists.txt")
	check "minivmm --version says minivmm $version" test "$("$mv" --version)" = "minivmm $version"
	rc=0
	"$prefix/libexec/minivmm/minivmm-exit" >/dev/null 2>"$work/exit.err" || rc=$?
	check "minivmm-exit without a status: its usage and 2 (got $rc)" \
		eval '((rc == 2)) && has "usage: minivmm-exit" "$work/exit.err"'
	check "minivmm-exit is static (guests have no libc)" \
		eval '! readelf -d "$prefix/libexec/minivmm/minivmm-exit" | grep -q NEEDED'
	# The man page as lintian reads it: no groff warnings.
	LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z \
		"$prefix/share/man/man1/minivmm.1" >/dev/null 2>"$work/man.err" || true
	check "man --warnings on the installed man page: $(head -c 300 "$work/man.err")" test ! -s "$work/man.err"
	# Every option of --help is in the man page.
	"$mv" --help | grep -oE '^  (-[a-z], )?--[a-z][a-z-]*' | grep -oE -- '--[a-z][a-z-]*' | sort -u >"$work/opts"
	sed 's/\\-/-/g; s/\\f[BIR]//g' "$prefix/share/man/man1/minivmm.1" >"$work/man.txt"
	while read -r o; do
		check "the man page documents $o" grep -qE -- "(^|[^a-z-])$o([^a-z-]|$)" "$work/man.txt"
	done <"$work/opts"
	check "the bash completion matches --help (.ci/completion.sh)" \
		"$CI_DIR/completion.sh" "$mv" "$prefix/share/bash-completion/completions/minivmm"

	# How it talks, with no VM: a file that is no kernel stops minivmm (125)
	# once the zero-config initramfs is built (busybox-static, kmod).
	echo 'not a kernel' >"$work/not-a-kernel"
	export XDG_CACHE_HOME=$work/cache
	rc=0
	"$mv" --kernel "$work/not-a-kernel" --run true >/dev/null 2>"$work/pipe.err" </dev/null || rc=$?
	check "a file that is no kernel: 125 (got $rc), naming it" \
		eval '((rc == 125)) && has "^minivmm: error: kernel .*not-a-kernel. is neither" "$work/pipe.err"'
	check "on a pipe: a plain progress line" has '^minivmm: preparing the guest initramfs\.\.\.$' "$work/pipe.err"
	check "on a pipe: no \\r or ESC" lacks $'[\r\033]' "$work/pipe.err"
	# On a terminal (script gives it a pty): \r, then ESC[K once done.
	TERM=xterm script -qec "'$mv' --kernel '$work/not-a-kernel' --run true" /dev/null </dev/null >"$work/tty.out" 2>&1 || true
	check "on a terminal: the progress line ends in \\r and is erased with ESC[K" \
		grep -qF $'minivmm: preparing the guest initramfs...\r\033[K' "$work/tty.out"
	TERM=dumb script -qec "'$mv' --kernel '$work/not-a-kernel' --run true" /dev/null </dev/null >"$work/dumb.out" 2>&1 || true
	check "TERM=dumb: plain lines, no ESC" eval 'has "^minivmm: preparing the guest initramfs\.\.\." "$work/dumb.out" &&
		lacks $'"'"'\033'"'"' "$work/dumb.out"'
	rc=0
	"$mv" --quiet --kernel "$work/not-a-kernel" --run true >/dev/null 2>"$work/quiet.err" </dev/null || rc=$?
	check "--quiet: 125 (got $rc) and the error line alone" \
		eval '((rc == 125)) && test "$(wc -l <"$work/quiet.err")" = 1 && has "^minivmm: error: " "$work/quiet.err"'
	rc=0
	"$mv" -q -v --run true >/dev/null 2>"$work/qv.err" </dev/null || rc=$?
	check "-q -v: 125 (got $rc), one line naming both" \
		eval '((rc == 125)) && has "^minivmm: error: --quiet and -v .*give one of them" "$work/qv.err"'
	# --kernel-package: a package whose kernel is no kernel is unpacked and
	# indexed (progress lines), then refused: a table and its reason line;
	# with --quiet the reason alone.
	mkdir -p "$work/deb/boot" "$work/deb/lib/modules/6.1.0-99-amd64" "$work/deb/DEBIAN"
	echo 'not a kernel' >"$work/deb/boot/vmlinuz-6.1.0-99-amd64"
	printf '%s\n' 'Package: linux-image-6.1.0-99-amd64' 'Version: 6.1.1-1' 'Architecture: amd64' \
		'Maintainer: CI <ci@example.org>' 'Description: a kernel package whose kernel is no kernel' \
		>"$work/deb/DEBIAN/control"
	dpkg-deb --root-owner-group -b "$work/deb" "$work/linux-image-fake.deb" >/dev/null
	rc=0
	"$mv" --kernel-package "$work/linux-image-fake.deb" --run true >/dev/null 2>"$work/kp.err" </dev/null || rc=$?
	check "--kernel-package with no kernel in it: 125 (got $rc)" test "$rc" = 125
	check "--kernel-package: unpacking and depmod as plain progress lines" eval \
		'has "^minivmm: unpacking linux-image-fake.deb \(kernel 6.1.0-99-amd64\) into the cache, once\.\.\.$" "$work/kp.err" &&
		has "^minivmm: indexing the modules of 6.1.0-99-amd64 \(depmod\), once\.\.\.$" "$work/kp.err"'
	check "--kernel-package: the table and the reason line" eval \
		'has "^minivmm: 1 kernel:$" "$work/kp.err" && has "^  6.1.0-99-amd64 +not booted \(125\)" "$work/kp.err" &&
		has "^minivmm: 6.1.0-99-amd64: .*cannot boot" "$work/kp.err"'
	rm -rf "$XDG_CACHE_HOME"
	rc=0
	"$mv" -q --kernel-package "$work/linux-image-fake.deb" --run true >/dev/null 2>"$work/kpq.err" </dev/null || rc=$?
	check "--quiet --kernel-package: 125 (got $rc), no progress lines, no table, the reason kept" eval \
		'((rc == 125)) && lacks "unpacking|indexing|kernel:|^  " "$work/kpq.err" &&
		has "^minivmm: 6.1.0-99-amd64: .*cannot boot" "$work/kpq.err"'
	unset XDG_CACHE_HOME
	# doctor from the prefix: valid JSON, 0 (ready) or 1 (not ready: this
	# machine may have no usable KVM or IOMMU); anything else fails.
	rc=0
	"$mv" doctor --json >"$work/doctor.json" 2>"$work/doctor.err" || rc=$?
	check "doctor --json: 0 or 1 (got $rc) and valid JSON with its checks" eval \
		'((rc <= 1)) && python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"checks\"] and isinstance(d[\"ok\"], bool)" "$work/doctor.json"'
	if ((fails)); then
		ci_log "install: $fails checks failed"
		return 1
	fi
	summary+=("install: cmake --install to a prefix; files, --version, man page, completion, pipe/terminal/--quiet output, doctor --json checked ($((SECONDS - t0)) s)")
	ci_log "${summary[-1]}"
}

all=(gcc-debug gcc-release clang-debug clang-release install)
steps=("$@")
((${#steps[@]})) || steps=("${all[@]}")
failed=()
for s in "${steps[@]}"; do
	[[ " ${all[*]} " == *" $s "* ]] || ci_die "unknown step '$s': give ${all[*]}"
	ci_log "== $s"
	"build_$s" || failed+=("$s")
done
ci_log "summary ($((SECONDS - t_all)) s):"
for l in "${summary[@]}"; do
	ci_log "  $l"
done
((${#failed[@]} == 0)) || ci_die "failed: ${failed[*]}"
echo "builds: $((${#steps[@]} - ${#failed[@]})) passed, ${#failed[@]} failed"
