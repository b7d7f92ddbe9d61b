# bench/supervisor.sh's part inside the nested test host (busybox sh, a rig
# scenario): boot minivmm without and with the supervisor, alternately,
# with the host's e1000e assigned; print the medians and the supervisor's
# memory. Fails only if something failed to run.
. /rig/lib.sh

runs=${BENCH_RUNS:-7}
marker="minivmm-guest: init"
mem=256
modprobe e1000e 2>/dev/null
BDF=$(pci_find 8086:10d3 | head -n 1)
[ -n "$BDF" ] || { fail "no e1000e in the host"; exit 1; }
initrd=$(guest_initrd_with - bench <<'SCRIPT'
true
SCRIPT
) || exit 1

errors=0
# measure WHO I BINARY: one boot under stamp, appended to WHO.txt.
measure() {
	_line=$(stamp -t 180 -m $mem -o "$1.$2.log" "$marker" -- "$3" --kernel "$GUEST_KERNEL" --initrd "$initrd" \
		--cmdline "console=ttyS0 quiet" --mem ${mem}M --assign "$BDF")
	echo "# $1 run $2: $_line"
	if ! echo "$_line" | grep -q ' status=0 '; then
		errors=$((errors + 1))
		dump_tail "$1.$2.log" 10
		return 1
	fi
	echo "$_line" >>"$1.txt"
	[ "$(pci_driver "$BDF")" = e1000e ] || { errors=$((errors + 1)); diag "$BDF is not back on e1000e"; }
}

median() {
	[ -s "$1.txt" ] || { echo -; return; }
	tr ' ' '\n' <"$1.txt" | sed -n "s/^$2=//p" | sort -n | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "-"; exit }
		if (NR % 2) m = v[(NR + 1) / 2]; else m = (v[NR / 2] + v[NR / 2 + 1]) / 2
		print m }'
}

# One unmeasured start each: the kernel cache, page cache and modules warm.
measure warm 1 /usr/local/bin/minivmm-before || true
measure warm 2 "$MINIVMM" || true
rm -f warm.txt
i=1
while [ $i -le "$runs" ]; do
	measure before $i /usr/local/bin/minivmm-before || true
	measure with $i "$MINIVMM" || true
	i=$((i + 1))
done

# The supervisor's memory while a guest runs.
vmm_start_ready '^minivmm-guest: init' sup --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" \
	--cmdline "console=ttyS0 quiet" --mem ${mem}M --assign "$BDF" || exit 1
sup=''
for p in /proc/[0-9]*; do
	[ "$(cat "$p/comm" 2>/dev/null)" = minivmm-sup ] && sup=${p#/proc/}
done
[ -n "$sup" ] || { fail "no supervisor process found"; vmm_stop "$VMM_PID"; exit 1; }
rss=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' /proc/$sup/status)
anon=$(sed -n 's/^RssAnon:[[:space:]]*\([0-9]*\) kB/\1/p' /proc/$sup/status)
thr=$(sed -n 's/^Threads:[[:space:]]*//p' /proc/$sup/status)
oom=$(cat /proc/$sup/oom_score_adj)
sid=$(sed 's/^.*) //' /proc/$sup/stat | awk '{ print $4 }')
vmm_stop "$VMM_PID"

b=$(median before first_ms) w=$(median with first_ms)
echo "# supervisor benchmark: $runs runs each, --mem ${mem}M, e1000e $BDF assigned, medians"
echo "#   exec -> '$marker' (ms): before the supervisor $b, with it $w ($(awk -v a="$w" -v b="$b" 'BEGIN { printf "%+.0f", a - b }') ms)"
echo "#   exec -> exit (ms): before $(median before exit_ms), with $(median with exit_ms)"
echo "#   supervisor pid $sup: RSS $rss KiB (anonymous $anon KiB), $thr thread(s), oom_score_adj $oom, session $sid"
[ "$errors" = 0 ] || { diag "$errors run(s) failed"; exit 1; }
