# SMP bring-up that never fails: consecutive boots of a 4-vCPU and an
# 8-vCPU guest to their init, no retries; then QEMU-KVM in the same host
# for comparison, its failures printed beside minivmm's (QEMU's are not
# judged: it is the reference, and it may take the test host down).
# Then over-commit: 64 vCPUs on the host's CPUs, to the guest init, with
# the time each took, QEMU's beside it (last: QEMU has taken this host down
# at 64 vCPUs). Counts from the environment: BOOTLOOP_N4 (50), BOOTLOOP_N8
# (20), BOOTLOOP_N64 (2), BOOTLOOP_QEMU4 (10), BOOTLOOP_QEMU8 (5),
# BOOTLOOP_QEMU64 (1); BOOTLOOP_TIMEOUT (600): seconds before a boot counts
# as hung and is stopped (a deadlocked guest never comes back, so a short
# one only saves time). Needs --with-qemu for QEMU.
. /rig/lib.sh

K=$GUEST_KERNEL
N4=${BOOTLOOP_N4:-50} N8=${BOOTLOOP_N8:-20} N64=${BOOTLOOP_N64:-2}
Q4=${BOOTLOOP_QEMU4:-10} Q8=${BOOTLOOP_QEMU8:-5} Q64=${BOOTLOOP_QEMU64:-1}
TMO=${BOOTLOOP_TIMEOUT:-600}
initrd=$(guest_initrd_with - bootloop <<'SCRIPT'
echo "nproc=$(nproc)"
SCRIPT
)

# loop_vmm WHO CPUS RUNS: boots until the guest says nproc=CPUS; prints the
# failures. Each boot's seconds go to $RIG_TMP/WHO-CPUS.secs.
loop_vmm() {
	_who=$1 _c=$2 _n=$3 _f=0 _t0=$(uptime_s) _m=256
	[ "$_c" -le 8 ] || _m=1024
	for _i in $(seq 1 "$_n"); do
		_o=$RIG_TMP/$_who-$_c-$_i.out _e=$RIG_TMP/$_who-$_c-$_i.err _st=0 _b=$(uptime_s)
		if [ "$_who" = minivmm ]; then
			timeout -s TERM "$TMO" "$MINIVMM" --kernel "$K" --initrd "$initrd" --cmdline "console=ttyS0 quiet" \
				--cpus "$_c" --mem ${_m}M >"$_o" 2>"$_e" </dev/null || _st=$?
		else
			timeout -s KILL "$TMO" qemu-system-x86_64 -M q35 -accel kvm -cpu host -nodefaults -nographic \
				-serial "file:$_o" -no-reboot -smp "$_c" -m $_m -kernel "$K" -initrd "$initrd" \
				-append "console=ttyS0 quiet" </dev/null >"$_e" 2>&1 || _st=$?
		fi
		awk -v a="$_b" -v b="$(uptime_s)" 'BEGIN { printf "%.1f\n", b - a }' >>"$RIG_TMP/$_who-$_c.secs"
		if ! tr -d '\r' <"$_o" | grep -q "^nproc=$_c\$"; then
			_f=$((_f + 1))
			echo "# $_who $_c vCPUs, boot $_i: FAILED (status $_st) $(grep -m1 -o 'triple fault on vCPU [0-9]*\|internal error[^(]*' "$_e")" >&2
			# every vCPU's state (a hang's are the point) and where the console stopped
			tail -n $((_c + 8)) "$_e" | sed 's/^/#   /' >&2
			tr -d '\r' <"$_o" | tail -n 5 | sed 's/^/#   console: /' >&2
		fi
	done
	# each boot's seconds here too: a later QEMU may take the host down before the summary
	echo "# $_who: $_c vCPUs, $_n boots, $_f failed, $(awk -v a="$_t0" -v b="$(uptime_s)" 'BEGIN{printf "%.0f", b-a}') s" \
		"(per boot: $(tr '\n' ' ' <"$RIG_TMP/$_who-$_c.secs" 2>/dev/null))" >&2
	echo "$_f"
}

f4=0 f8=0
t_loop4() { f4=$(loop_vmm minivmm 4 "$N4"); check "$f4 of $N4 4-vCPU boots failed" test "$f4" = 0; }
t_loop8() { f8=$(loop_vmm minivmm 8 "$N8"); check "$f8 of $N8 8-vCPU boots failed" test "$f8" = 0; }
t_qemu() {
	command -v qemu-system-x86_64 >/dev/null || { diag "no QEMU in this host: no comparison"; return 0; }
	q4=$(loop_vmm qemu 4 "$Q4")
	q8=$(loop_vmm qemu 8 "$Q8")
	diag "SUMMARY failures: minivmm 4 vCPUs ${f4_all:-?}/$N4, 8 vCPUs ${f8_all:-?}/$N8, 64 vCPUs ${f64_all:-?}/$N64; QEMU 4 vCPUs $q4/$Q4, 8 vCPUs $q8/$Q8"
	return 0
}
t_loop64() { f64=$(loop_vmm minivmm 64 "$N64"); check "$f64 of $N64 64-vCPU boots failed" test "$f64" = 0; }
t_qemu64() {
	command -v qemu-system-x86_64 >/dev/null || { diag "no QEMU in this host: no comparison"; return 0; }
	[ "$Q64" -gt 0 ] || return 0
	q64=$(loop_vmm qemu 64 "$Q64")
	diag "SUMMARY 64 vCPUs: minivmm ${f64_all:-?}/$N64 failed, seconds per boot (exec to poweroff): $(tr '\n' ' ' <"$RIG_TMP/minivmm-64.secs" 2>/dev/null);" \
		"QEMU $q64/$Q64 failed, $(tr '\n' ' ' <"$RIG_TMP/qemu-64.secs" 2>/dev/null)"
	return 0
}

subtest "$N4 boots with 4 vCPUs" t_loop4
f4_all=$(ls "$RIG_TMP"/minivmm-4-*.out 2>/dev/null | while read -r o; do tr -d '\r' <"$o" | grep -q '^nproc=4$' || echo x; done | wc -l)
subtest "$N8 boots with 8 vCPUs" t_loop8
f8_all=$(ls "$RIG_TMP"/minivmm-8-*.out 2>/dev/null | while read -r o; do tr -d '\r' <"$o" | grep -q '^nproc=8$' || echo x; done | wc -l)
subtest "$N64 boots with 64 vCPUs on $(nproc) host CPUs" t_loop64
f64_all=$(ls "$RIG_TMP"/minivmm-64-*.out 2>/dev/null | while read -r o; do tr -d '\r' <"$o" | grep -q '^nproc=64$' || echo x; done | wc -l)
subtest "QEMU-KVM in the same host (compared, not judged)" t_qemu
subtest "QEMU-KVM with 64 vCPUs (compared, not judged)" t_qemu64
subtests_done
