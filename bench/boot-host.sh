# bench/boot.sh's part inside the nested test host (busybox sh, a rig
# scenario): alternately boot minivmm and QEMU/KVM under stamp, print the
# medians side by side. Fails only if something failed to run.
. /rig/lib.sh

runs=${BENCH_RUNS:-5} cpus=${BENCH_CPUS:-1} mem=${BENCH_MEM_MB:-256}
cmdline=${BENCH_CMDLINE:-console=ttyS0 quiet}
marker="minivmm-guest: init"
to=180

# The guest runs `true` and powers off: exit_ms is boot + shutdown.
initrd=$(guest_initrd_with - bench <<'SCRIPT'
true
SCRIPT
) || exit 1

have_vmm=1
if [ "$MINIVMM" = none ] || [ ! -x "$MINIVMM" ]; then
	diag "no minivmm in this host: measuring QEMU only"
	have_vmm=
fi
# QEMU as the arch's own machine; on arm64 its console is virt's PL011.
if [ "${RIG_ARCH:-x86}" = arm64 ]; then
	qemu="qemu-system-aarch64 -M virt,gic-version=3 -accel kvm -cpu host"
	qemu_cmdline=$(echo "$cmdline" | sed 's/console=ttyS0/console=ttyAMA0/')
else
	qemu="qemu-system-x86_64 -M q35 -accel kvm -cpu host"
	qemu_cmdline=$cmdline
fi
command -v ${qemu%% *} >/dev/null || { fail "no ${qemu%% *} (host.sh --with-qemu)"; exit 1; }

errors=0
# measure WHO I CMD...: run CMD under stamp, append the results to WHO.txt.
measure() {
	_who=$1 _i=$2
	shift 2
	_line=$(stamp -t "$to" -m "$mem" -o "$_who.$_i.log" "$marker" -- "$@")
	_st=$?
	echo "# $_who run $_i: $_line"
	if [ $_st != 0 ] || ! echo "$_line" | grep -q ' status=0 '; then
		errors=$((errors + 1))
		dump_tail "$_who.$_i.log" 15
		return 1
	fi
	echo "$_line" >>"$_who.txt"
}

# One start with an empty kernel cache: minivmm decompresses the bzImage's
# payload once (on the host) before booting; every later start, as the
# medians below, boots the cached uncompressed kernel directly.
cold=
if [ -n "$have_vmm" ]; then
	rm -f "${XDG_CACHE_HOME:-$HOME/.cache}"/minivmm/vmlinux-* "${XDG_CACHE_HOME:-$HOME/.cache}"/minivmm/Image-*
	if measure minivmm-cold 1 "$MINIVMM" --kernel "$GUEST_KERNEL" --initrd "$initrd" \
		--cmdline "$cmdline" --cpus "$cpus" --mem "${mem}M"; then
		cold=$(sed -n 's/.*first_ms=\([0-9.]*\).*/\1/p' minivmm-cold.txt)
	fi
fi

i=1
while [ $i -le "$runs" ]; do
	if [ -n "$have_vmm" ]; then
		measure minivmm $i "$MINIVMM" --kernel "$GUEST_KERNEL" --initrd "$initrd" \
			--cmdline "$cmdline" --cpus "$cpus" --mem "${mem}M" || true
	fi
	# shellcheck disable=SC2086 # $qemu is a command and its machine options
	measure qemu $i $qemu -nodefaults -nographic \
		-serial stdio -no-reboot -kernel "$GUEST_KERNEL" -initrd "$initrd" \
		-append "$qemu_cmdline" -smp "$cpus" -m "$mem" || true
	i=$((i + 1))
done

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'
}
mib() {
	awk -v k="$1" 'BEGIN { if (k == "-") print "-"; else printf "%.1f", k / 1024 }'
}

v_first=$(median minivmm first_ms) q_first=$(median qemu first_ms)
v_exit=$(median minivmm exit_ms) q_exit=$(median qemu exit_ms)
v_over=$(median minivmm overhead_kb) q_over=$(median qemu overhead_kb)
v_anon=$(median minivmm anon_overhead_kb) q_anon=$(median qemu anon_overhead_kb)
v_ram=$(median minivmm ram_rss_kb) q_ram=$(median qemu ram_rss_kb)
v_n=$(grep -c . minivmm.txt 2>/dev/null || echo 0)
q_n=$(grep -c . qemu.txt 2>/dev/null || echo 0)

echo "# boot benchmark: $cpus vCPU(s), $mem MiB, cmdline \"$cmdline\", medians of $v_n (minivmm) and $q_n (qemu) runs"
printf '# %-34s %12s %12s %8s\n' "" minivmm qemu ratio
printf '# %-34s %12s %12s %8s\n' "exec -> '$marker' (ms)" "$v_first" "$q_first" "$(ratio "$v_first" "$q_first")"
printf '# %-34s %12s %12s %8s\n' "  the same, kernel not yet cached" "${cold:--}" "$q_first" "$(ratio "${cold:--}" "$q_first")"
printf '# %-34s %12s %12s %8s\n' "exec -> exit after poweroff (ms)" "$v_exit" "$q_exit" "$(ratio "$v_exit" "$q_exit")"
printf '# %-34s %12s %12s %8s\n' "RSS beyond guest RAM (MiB)" "$(mib "$v_over")" "$(mib "$q_over")" "$(ratio "$v_over" "$q_over")"
printf '# %-34s %12s %12s %8s\n' "  of it anonymous, not file pages" "$(mib "$v_anon")" "$(mib "$q_anon")" "$(ratio "$v_anon" "$q_anon")"
printf '# %-34s %12s %12s %8s\n' "guest RAM resident (MiB)" "$(mib "$v_ram")" "$(mib "$q_ram")" ""

[ "$errors" = 0 ] || { diag "$errors run(s) failed"; exit 1; }
[ -n "$have_vmm" ] || { diag "minivmm was not measured"; exit 1; }
exit 0
