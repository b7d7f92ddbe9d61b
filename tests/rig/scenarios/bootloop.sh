# SMP bring-up that never fails: consecutive boots of a 4-vCPU and an
# 8-vCPU guest to their init, no retries; then QEMU-KVM in the same host
# for comparison, its failures printed beside minivmm's (QEMU's are not
# judged: it is the reference, and it may take the test host down).
# Counts from the environment: BOOTLOOP_N4 (50), BOOTLOOP_N8 (20),
# BOOTLOOP_QEMU4 (10), BOOTLOOP_QEMU8 (5). Needs --with-qemu for QEMU.
. /rig/lib.sh

K=$GUEST_KERNEL
N4=${BOOTLOOP_N4:-50} N8=${BOOTLOOP_N8:-20} Q4=${BOOTLOOP_QEMU4:-10} Q8=${BOOTLOOP_QEMU8:-5}
initrd=$(guest_initrd_with - bootloop <<'SCRIPT'
echo "nproc=$(nproc)"
SCRIPT
)

# loop_vmm WHO CPUS RUNS: boots until the guest says nproc=CPUS; prints the failures.
loop_vmm() {
	_who=$1 _c=$2 _n=$3 _f=0 _t0=$(uptime_s)
	for _i in $(seq 1 "$_n"); do
		_o=$RIG_TMP/$_who-$_c-$_i.out _e=$RIG_TMP/$_who-$_c-$_i.err _st=0
		if [ "$_who" = minivmm ]; then
			timeout -s TERM 200 "$MINIVMM" --kernel "$K" --initrd "$initrd" --cmdline "console=ttyS0 quiet" \
				--cpus "$_c" --mem 256M >"$_o" 2>"$_e" </dev/null || _st=$?
		else
			timeout -s KILL 300 qemu-system-x86_64 -M q35 -accel kvm -cpu host -nodefaults -nographic \
				-serial "file:$_o" -no-reboot -smp "$_c" -m 256 -kernel "$K" -initrd "$initrd" \
				-append "console=ttyS0 quiet" </dev/null >"$_e" 2>&1 || _st=$?
		fi
		if ! tr -d '\r' <"$_o" | grep -q "^nproc=$_c\$"; then
			_f=$((_f + 1))
			echo "# $_who $_c vCPUs, boot $_i: FAILED (status $_st) $(grep -m1 -o 'triple fault on vCPU [0-9]*\|internal error[^(]*' "$_e")" >&2
			grep -v 'not started\|halted, rip' "$_e" | tail -n 4 | sed 's/^/#   /' >&2
		fi
	done
	echo "# $_who: $_c vCPUs, $_n boots, $_f failed, $(awk -v a="$_t0" -v b="$(uptime_s)" 'BEGIN{printf "%.0f", b-a}') s" >&2
	echo "$_f"
}

f4=0 f8=0
t_loop4() { f4=$(loop_vmm minivmm 4 "$N4"); check "$f4 of $N4 4-vCPU boots failed" test "$f4" = 0; }
t_loop8() { f8=$(loop_vmm minivmm 8 "$N8"); check "$f8 of $N8 8-vCPU boots failed" test "$f8" = 0; }
t_qemu() {
	command -v qemu-system-x86_64 >/dev/null || { diag "no QEMU in this host: no comparison"; return 0; }
	q4=$(loop_vmm qemu 4 "$Q4")
	q8=$(loop_vmm qemu 8 "$Q8")
	diag "SUMMARY failures: minivmm 4 vCPUs ${f4_all:-?}/$N4, 8 vCPUs ${f8_all:-?}/$N8; QEMU 4 vCPUs $q4/$Q4, 8 vCPUs $q8/$Q8"
	return 0
}

subtest "$N4 boots with 4 vCPUs" t_loop4
f4_all=$(ls "$RIG_TMP"/minivmm-4-*.out 2>/dev/null | while read -r o; do tr -d '\r' <"$o" | grep -q '^nproc=4$' || echo x; done | wc -l)
subtest "$N8 boots with 8 vCPUs" t_loop8
f8_all=$(ls "$RIG_TMP"/minivmm-8-*.out 2>/dev/null | while read -r o; do tr -d '\r' <"$o" | grep -q '^nproc=8$' || echo x; done | wc -l)
subtest "QEMU-KVM in the same host (compared, not judged)" t_qemu
subtests_done
