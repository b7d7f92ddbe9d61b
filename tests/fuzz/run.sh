#!/usr/bin/env bash
# tests/fuzz/run.sh [SECONDS] [NAMES...]: build the libFuzzer harnesses
# (tests/fuzz/*_fuzz.c, clang, ASan+UBSan) into build-fuzz/ and run each
# NAME (default: all) for SECONDS (default 30), starting from its checked-in
# seeds (tests/fuzz/corpus/NAME) and what earlier runs added in
# build-fuzz/work/NAME/corpus. Prints per harness the executions, libFuzzer's
# coverage figures (cov: edges, ft: features), the time and the crashes;
# exits 1 when any harness crashed, hung, leaked or ran out of memory (the
# input is kept in build-fuzz/work/NAME/artifacts, replay it with
# build-fuzz/tests/fuzz/NAME_fuzz FILE).
#
# MINIVMM_FUZZ_RUNS=N also stops each harness after N executions (for the
# long runs recorded in tests/fuzz/README.md); MINIVMM_FUZZ_JOBS=N runs N
# harnesses at a time (default 1: each has a CPU to itself);
# MINIVMM_FUZZ_BUILD overrides the build directory.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-30}
(($# == 0)) || shift
build=${MINIVMM_FUZZ_BUILD:-$top/build-fuzz}
njobs=${MINIVMM_FUZZ_JOBS:-1}
if ! [[ $secs =~ ^[0-9]+$ ]] || ((secs == 0)); then
	echo "run.sh: '$secs' is not a number of seconds: tests/fuzz/run.sh [SECONDS] [NAMES...]" >&2
	exit 2
fi
if ! [[ $njobs =~ ^[0-9]+$ ]] || ((njobs == 0)); then
	echo "run.sh: MINIVMM_FUZZ_JOBS='$njobs' is not a number of harnesses to run at once: set it to 1 or more" >&2
	exit 2
fi

# Whether clang links a libFuzzer program with the sanitizers (Debian
# ships the runtime apart from clang, in libclang-rt-dev).
links_fuzzer() {
	local dir
	dir=$(mktemp -d)
	echo 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }' >"$dir/t.c"
	clang -fsanitize=fuzzer,address,undefined "$dir/t.c" -o "$dir/t" 2>/dev/null
	local rc=$?
	rm -rf "$dir"
	return $rc
}

"$top/tests/deps.sh"
if ! command -v clang >/dev/null || ! links_fuzzer; then
	if [[ $(id -u) == 0 ]]; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clang libclang-rt-dev >/dev/null
	fi
	if ! command -v clang >/dev/null || ! links_fuzzer; then
		echo "run.sh: clang cannot link a libFuzzer program: apt-get install clang libclang-rt-dev" >&2
		exit 2
	fi
fi
cmake -S "$top" -B "$build" -DCMAKE_C_COMPILER=clang -DMINIVMM_FUZZ=ON \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null

if (($# == 0)); then
	for f in "$top"/tests/fuzz/*_fuzz.c; do
		n=$(basename "$f" _fuzz.c)
		set -- "$@" "$n"
	done
fi
for name in "$@"; do
	if [[ ! -x $build/tests/fuzz/${name}_fuzz ]]; then
		echo "run.sh: no harness '$name' (tests/fuzz/${name}_fuzz.c)" >&2
		exit 2
	fi
done

# Options of each harness: input sizes that keep one execution short,
# dictionaries of the format's tokens.
options() {
	case $1 in
	vconfig | msix | bus | pci | serial) echo "-max_len=1024" ;;
	trace) echo "-max_len=256" ;;
	archive | rpm) echo "-max_len=16384" ;;
	ktap) echo "-max_len=8192 -dict=$top/tests/fuzz/ktap.dict" ;;
	config) echo "-max_len=2048 -dict=$top/tests/fuzz/config.dict" ;;
	boot | vmlinux) echo "-max_len=32768" ;;
	decompress) echo "-max_len=65536" ;;
	*) echo "-max_len=4096" ;;
	esac
}

# Run harness $1; print its line of the table (and what it found), and
# leave $work/failed when it found something.
run_one() {
	local name=$1 bin=$build/tests/fuzz/${1}_fuzz work=$build/work/$1 seeds=$top/tests/fuzz/corpus/$1
	local before new crashes start took rc=0 execs covline cov ft out
	mkdir -p "$work/corpus" "$work/artifacts"
	rm -f "$work/failed"
	before=$(ls "$work/artifacts")
	local args=(-max_total_time="$secs" -timeout=10 -print_final_stats=1 -artifact_prefix="$work/artifacts/")
	[[ -z ${MINIVMM_FUZZ_RUNS:-} ]] || args+=(-runs="$MINIVMM_FUZZ_RUNS")
	start=$SECONDS
	# shellcheck disable=SC2046 # options() is a list of flags
	(cd "$work" && "$bin" "${args[@]}" $(options "$name") corpus $([[ -d $seeds ]] && echo "$seeds")) \
		>"$work/log" 2>&1 || rc=$?
	took=$((SECONDS - start))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
	covline=$(grep -E '^#[0-9]+.* cov: ' "$work/log" | tail -1 || true)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$covline")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$covline")
	new=$(comm -13 <(echo "$before") <(ls "$work/artifacts") | sed "s|^|$work/artifacts/|")
	crashes=$(grep -c . <<<"$new" || true)
	((rc == 0)) || ((crashes > 0)) || crashes=1
	out=$(printf '%-11s %12s %7s %8s %6ss %8s' "$name" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$took" "$crashes")
	if ((crashes)); then
		touch "$work/failed"
		out+=$'\n'"--- $name: ${new//$'\n'/ }"
		out+=$'\n'$(grep -E '^==[0-9]+==ERROR|^==fuzz==|^SUMMARY|^    #[0-9] ' "$work/log" | head -20 || true)
		out+=$'\n'"--- full log: $work/log"
	fi
	echo "$out"
}

printf '%-11s %12s %7s %8s %7s %8s\n' harness execs cov ft time crashes
for name in "$@"; do
	while (($(jobs -rp | wc -l) >= njobs)); do
		wait -n || true
	done
	run_one "$name" &
done
wait
failed=0
for name in "$@"; do
	[[ ! -e $build/work/$name/failed ]] || failed=1
done
exit "$failed"
