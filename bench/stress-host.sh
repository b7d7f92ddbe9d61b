# bench/stress.sh's part inside the nested test host (busybox sh, a rig
# scenario): boot the same guest with each stress set-up in turn, under
# stamp; print the medians side by side. Fails only if a run failed.
. /rig/lib.sh

runs=${BENCH_RUNS:-3} cpus=${BENCH_CPUS:-4} work=${BENCH_WORK:-300000}
marker="minivmm-guest: init"
cmdline="console=ttyS0 quiet"
to=600

# One shell loop of $work iterations per vCPU, all at once; the guest
# prints how long the slowest took (its own clock: KVM's kvmclock).
initrd=$(guest_initrd_with - bench-stress <<SCRIPT
n=\$(grep -c ^processor /proc/cpuinfo)
t0=\$(cut -d' ' -f1 /proc/uptime)
c=0
while [ \$c -lt \$n ]; do
	taskset -c \$c sh -c 'i=0; while [ \$i -lt $work ]; do i=\$((i + 1)); done' &
	c=\$((c + 1))
done
wait
t1=\$(cut -d' ' -f1 /proc/uptime)
echo "bench-job-s=\$(awk -v a=\$t0 -v b=\$t1 'BEGIN { printf "%.2f", b - a }')"
SCRIPT
) || exit 1
[ -x "$MINIVMM" ] || { fail "no minivmm in this host"; exit 1; }

errors=0
# measure NAME I ARGS...: one run of minivmm ARGS; appends its figures to NAME.txt.
measure() {
	_n=$1 _i=$2
	shift 2
	_line=$(stamp -t "$to" -m 512 -o "$_n.$_i.log" "$marker" -- "$MINIVMM" --kernel "$GUEST_KERNEL" \
		--initrd "$initrd" --cmdline "$cmdline" --cpus "$cpus" --mem 512M --seed 7 --stats "$@")
	_st=$?
	_job=$(tr -d '\r' <"$_n.$_i.log" | sed -n 's/^bench-job-s=//p')
	_exits=$(tr -d '\r' <"$_n.$_i.log" | grep '^{"exits"' | sed -n 's/.*"exits_total": \([0-9]*\).*/\1/p')
	_kicks=$(tr -d '\r' <"$_n.$_i.log" | grep '^{"exits"' | sed -n 's/.*"events": \([0-9]*\).*/\1/p')
	_exit_ms=$(echo "$_line" | sed -n 's/.*exit_ms=\([0-9.]*\).*/\1/p')
	echo "# $_n run $_i: $_line job_s=${_job:-?} exits=${_exits:-?} kicks=${_kicks:-0}"
	if [ $_st != 0 ] || ! echo "$_line" | grep -q ' status=0 ' || [ -z "$_job" ] || [ -z "$_exits" ]; then
		errors=$((errors + 1))
		dump_tail "$_n.$_i.log" 15
		return 1
	fi
	echo "$_line job_s=$_job exits=$_exits kicks=${_kicks:-0} rate=$(awk -v e="$_exits" -v t="$_exit_ms" 'BEGIN { printf "%.0f", e * 1000 / t }')" >>"$_n.txt"
}

i=1
while [ $i -le "$runs" ]; do
	# setup name|minivmm options
	while IFS='|' read -r name opts; do
		# shellcheck disable=SC2086 # opts is a word list
		measure "$name" $i $opts || true
	done <<SETUPS
off|
jitter-100|--jitter 100
jitter-1000|--jitter 1000
jitter-1000-spin|--jitter 1000,10ms,spin
stress|--stress
SETUPS
	i=$((i + 1))
done


echo "# stress cost: $cpus vCPUs, 512 MiB, a $work-iteration shell loop per vCPU, seed 7, medians of $runs runs"
printf '# %-18s %10s %10s %10s %12s %10s\n' setup boot_ms job_s exits exits/s kicks
for n in off jitter-100 jitter-1000 jitter-1000-spin stress; do
	printf '# %-18s %10s %10s %10s %12s %10s\n' "$n" "$(median "$n" first_ms)" "$(median "$n" job_s)" \
		"$(median "$n" exits)" "$(median "$n" rate)" "$(median "$n" kicks)"
done
[ "$errors" = 0 ] || { diag "$errors setup(s) with failed runs"; exit 1; }
exit 0
