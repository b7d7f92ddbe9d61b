#!/usr/bin/env bash
# The builds users and distributions do, each in its own build directory
# (build-release, build-dpkg, build-clang), with -Werror and their unit
# tests; then the Debian package in a fresh Debian 12 root (.ci/package.sh)
# and the syntax of the CI-engine examples (.ci/examples.sh).
#   .ci/builds.sh [release|dpkg|clang|package|examples]...   (default: all)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$CI_TOP"
"$CI_TOP/tests/deps.sh"
jobs=$(nproc)

# variant NAME CMAKE-ARGS...: configure, build and unit-test build-NAME.
variant() {
	local name=$1 dir=$CI_TOP/build-$1 t0=$SECONDS
	shift
	ci_log "== $name: $*"
	rm -rf "$dir"
	mkdir -p "$dir"
	ci_quiet "$dir/ci-build.log" cmake -S "$CI_TOP" -B "$dir" -DMINIVMM_WERROR=ON "$@" || return 1
	ci_quiet "$dir/ci-build.log" nice -n 10 cmake --build "$dir" -j"$jobs" || return 1
	ci_quiet "$dir/ci-test.log" ctest --test-dir "$dir" --output-on-failure -j"$jobs" || return 1
	ci_log "$name: built with -Werror, unit tests: $(grep -o '[0-9]*% tests passed.*' "$dir/ci-test.log" || echo 'tests passed') ($((SECONDS - t0)) s)"
}

build_release() {
	# As a user builds it: -O3. The unit tests without the sanitizers too,
	# as a distribution's package runs them.
	variant release -DCMAKE_BUILD_TYPE=Release -DMINIVMM_SANITIZE=OFF
}

build_dpkg() {
	ci_need dpkg-dev
	# Debian's flags with every hardening feature (PIE, bindnow,
	# _FORTIFY_SOURCE=2, stack protector, format checks). CMake reads
	# CFLAGS and LDFLAGS; CPPFLAGS go with CFLAGS. Build type None: the
	# flags are dpkg's alone, as in debian/rules.
	local cflags cppflags ldflags
	cflags=$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get CFLAGS)
	cppflags=$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get CPPFLAGS)
	ldflags=$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get LDFLAGS)
	CFLAGS="$cflags $cppflags" LDFLAGS=$ldflags variant dpkg -DCMAKE_BUILD_TYPE=None || return 1
	# The hardening reached the binary: PIE and immediate binding.
	readelf -h "$CI_TOP/build-dpkg/minivmm" | grep -q 'Type: *DYN' ||
		{ ci_log "dpkg: minivmm is not PIE"; return 1; }
	readelf -d "$CI_TOP/build-dpkg/minivmm" | grep -q 'BIND_NOW' ||
		{ ci_log "dpkg: minivmm is not linked with -z now"; return 1; }
	grep -q -- '-D_FORTIFY_SOURCE=2' "$CI_TOP/build-dpkg/CMakeCache.txt" ||
		{ ci_log "dpkg: _FORTIFY_SOURCE did not reach the build"; return 1; }
}

build_clang() {
	ci_need clang
	CC=clang variant clang
}

build_package() { "$CI_DIR/package.sh"; }
build_examples() { "$CI_DIR/examples.sh"; }

steps=("$@")
((${#steps[@]})) || steps=(release dpkg clang package examples)
failed=()
for s in "${steps[@]}"; do
	case $s in
	release | dpkg | clang | package | examples) "build_$s" || failed+=("$s") ;;
	*) ci_die "unknown step '$s': give release, dpkg, clang, package or examples" ;;
	esac
done
if ((${#failed[@]})); then
	ci_die "failed: ${failed[*]}"
fi
ci_log "all passed: ${steps[*]}"
