# Kill cycles: minivmm with an assigned e1000e is stopped at a seeded random
# moment (set-up, DMA mapping, guest boot, driver probe, traffic) by a seeded
# random way: SIGINT, SIGTERM, SIGKILL, SIGSEGV or SIGABRT of minivmm,
# SIGKILL of its supervisor (minivmm starts another; then minivmm is stopped
# too), or SIGKILL of both (then `minivmm restore` must do it). After each
# cycle the e1000e is on the host's e1000e driver again within 5 s and
# passes traffic: in a network namespace of its own it pings the second
# e1000e, the peer at 169.254.0.1 on the same QEMU hub. The next cycle's
# minivmm takes the device again; a last run uses it in the guest.
# Host requirement: two e1000e on hub 0 (run-all group "reliability").
# Environment: KILL_CYCLES (default 20), KILL_KINDS, KILL_SEED (default random; printed),
# KILL_FIRST (first cycle number, default 1: KILL_SEED=S KILL_FIRST=7
# KILL_CYCLES=1 replays cycle 7 of seed S). Prints the figure at the end:
#   kill cycles: N, failures F, restore ms median M max X, seed S
. /rig/lib.sh

K=$GUEST_KERNEL
CMDLINE="console=ttyS0 quiet minivmm.status_port=0xf4"
: "${KILL_CYCLES:=20}"
: "${KILL_SEED:=$(od -An -tu4 -N4 /dev/urandom | tr -d ' ')}"
: "${KILL_FIRST:=1}"
RESTORE_LIMIT_MS=5000
# No core files of a process with 512 MiB of guest RAM in a RAM-backed /tmp.
ulimit -c 0

modprobe e1000e || echo "# modprobe e1000e failed in the host"
# shellcheck disable=SC2046
set -- $(pci_find 8086:10d3)
BDF=${1:-} PEER=${2:-}
STATE=/run/minivmm/$BDF.state

# cycle_rand I K N: draw K of cycle I from KILL_SEED, a number in [0, N).
cycle_rand() {
	_r=$(((KILL_SEED * 2654435761 + $1 * 40503 + $2 * 69069 + 12345) & 0x7fffffff))
	for _ in 1 2 3 4; do _r=$(((_r * 1103515245 + 12345) & 0x7fffffff)); done
	echo $(((_r >> 8) % $3))
}

# The ways to stop it; each block of 8 cycles uses each once, in a seeded order.
# KILL_KINDS: the kinds drawn from, blank- or comma-separated.
# Eight of them, repeats allowed.
KINDS=$(echo "${KILL_KINDS:-INT TERM KILL KILL SEGV ABRT SUPKILL BOTH}" | tr , ' ')
# shellcheck disable=SC2086
set -- $KINDS
[ $# = 8 ] || { echo "# KILL_KINDS must name 8 kinds, not $#: $KINDS"; exit 1; }
PHASES="setup dma boot probe traffic"
# cycle_kind I: the kind of cycle I (a Fisher-Yates shuffle of KINDS per block).
cycle_kind() {
	_blk=$((($1 - 1) / 8)) _pos=$((($1 - 1) % 8))
	# shellcheck disable=SC2086
	set -- $KINDS
	_k0=$1 _k1=$2 _k2=$3 _k3=$4 _k4=$5 _k5=$6 _k6=$7 _k7=$8
	_j=7
	while [ $_j -gt 0 ]; do
		_s=$(cycle_rand $((1000000 + _blk)) $_j $((_j + 1)))
		eval "_t=\$_k$_j; _k$_j=\$_k$_s; _k$_s=\$_t"
		_j=$((_j - 1))
	done
	eval "echo \$_k$_pos"
}

# sup_pid: the live supervisor of minivmm $VMMP; any_sup: of any minivmm.
sup_pid() { supervisor_of "$VMMP"; }
any_sup() { supervisor_of any; }

# wait_sup: wait up to 10 s for minivmm $VMMP to have a supervisor; prints its pid.
wait_sup() {
	_ws=0
	until sup_pid || [ $_ws -ge 100 ]; do usleep 100000; _ws=$((_ws + 1)); done
}

# signals_ready PID: PID blocks SIGINT (bit 2 of SigBlk): minivmm's signal handling is set up.
signals_ready() {
	_sb=$(sed -n 's/^SigBlk:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null)
	[ -n "$_sb" ] && [ $((0x$_sb & 2)) != 0 ]
}

# wait_driver DRV MS: wait up to MS ms for $BDF to be on DRV; prints the ms waited.
wait_driver() { wait_driver_of "$BDF" "$@"; }

# threads PID: how many threads PID has (vCPU threads run once the guest boots).
threads() {
	ls "/proc/$1/task" 2>/dev/null | wc -l
}

# host_traffic: $BDF works in the host: it pings the peer (lib.sh host_ping).
host_traffic() { host_ping "$BDF"; }

GUEST_RUN=$(guest_script killcycle <<'SCRIPT'
echo "guest: probing"
modprobe e1000e || exit 10
net_up || exit 12
echo "guest: traffic"
ping -i 0.05 169.254.0.1 >/dev/null
SCRIPT
)

# wait_event PHASE: wait (up to 120 s) for what starts PHASE; false if
# minivmm ended first. setup: minivmm handles signals (before that a
# background job's SIGINT is ignored, as the shell leaves it); dma:
# vfio-pci owns the device; boot: the vCPU threads exist; probe/traffic:
# the guest says so.
wait_event() {
	case $1 in
	setup)
		_we_end=$(($(now_ms) + 10000))
		until signals_ready "$VMMP"; do
			proc_alive "$VMMP" && [ "$(now_ms)" -lt $_we_end ] || return 1
			usleep 5000
		done
		;;
	dma) wait_driver vfio-pci 120000 >/dev/null ;;
	boot)
		_we_end=$(($(now_ms) + 120000))
		until [ "$(threads "$VMMP")" -gt 1 ]; do
			proc_alive "$VMMP" && [ "$(now_ms)" -lt $_we_end ] || return 1
			usleep 20000
		done
		;;
	probe) wait_for '^guest: probing' "$VMM_OUT" 120 "$VMMP" ;;
	traffic) wait_for '^guest: traffic' "$VMM_OUT" 120 "$VMMP" ;;
	esac
}

RESTORE_TIMES=''
# stopped_by SIG: minivmm ($VMMP) was sent SIG at $T_KILL: check its exit
# status and that the device is back within 5 s; record the time.
expect_restored() {
	_er_want=$1
	st=0
	if ! wait_exit "$VMMP" 15; then
		kill -KILL "$VMMP" 2>/dev/null
		fail "minivmm still runs 15 s after SIG$_er_want"
		return 1
	fi
	wait "$VMMP" || st=$?
	_er_left=$((RESTORE_LIMIT_MS - ($(now_ms) - T_KILL)))
	[ $_er_left -gt 0 ] || _er_left=0
	if ! wait_driver e1000e $_er_left >/dev/null; then
		dump_tail "$VMM_ERR" 8
		fail "$BDF is on '$(pci_driver "$BDF")' $(($(now_ms) - T_KILL)) ms after SIG$_er_want, expected e1000e within $RESTORE_LIMIT_MS ms"
		return 1
	fi
	_er_ms=$(($(now_ms) - T_KILL))
	RESTORE_TIMES="$RESTORE_TIMES $_er_ms"
	diag "exit status $st, back on e1000e ${_er_ms} ms after the signal"
	dump_tail "$VMM_ERR" 4
	check "minivmm exited with $st after SIG$_er_want, expected $((128 + $(kill -l "$_er_want")))" \
		test "$st" = $((128 + $(kill -l "$_er_want")))
}

# no_leftovers: no state file, no supervisor, nothing for doctor to report.
no_leftovers() {
	_nl=0
	while [ -e "$STATE" ] && [ $_nl -lt 50 ]; do usleep 100000; _nl=$((_nl + 1)); done
	check "$STATE is still there" test ! -e "$STATE" || return 1
	_nl=0
	while any_sup >/dev/null && [ $_nl -lt 50 ]; do usleep 100000; _nl=$((_nl + 1)); done
	check "a supervisor (pid $(any_sup)) still runs 5 s after minivmm ended" test -z "$(any_sup)"
}

# died_how: minivmm ($VMMP) ended when it should not have: how (its status:
# a signal, its own error or the guest's end), its last words and the
# host kernel's (an OOM kill, a segfault, a KVM complaint).
died_how() {
	_dh=0
	wait "$VMMP" || _dh=$?
	if [ $_dh -gt 128 ] && [ $_dh -lt 160 ]; then
		diag "minivmm was killed by SIG$(kill -l $((_dh - 128))) (status $_dh)"
	else
		diag "minivmm exited with status $_dh$(tr -d '\r' <"$VMM_OUT" | grep -m 1 -o 'minivmm-guest: exit status [0-9]*' | sed 's/^/ (/; s/$/)/')"
	fi
	dump_tail "$VMM_ERR" 20
	dump_tail "$VMM_OUT" 12
	echo "# --- last 12 lines of the host's dmesg:"
	dmesg | tail -n 12 | sed 's/^/#   | /'
}

# cycle I: one start-and-kill cycle; false on a failure (said why).
cycle() {
	_i=$1
	kind=$(cycle_kind "$_i")
	# shellcheck disable=SC2086
	set -- $PHASES
	eval "phase=\${$(($(cycle_rand "$_i" 1 5) + 1))}"
	case $phase in
	setup) delay=$(cycle_rand "$_i" 2 400) ;;
	dma) delay=$(cycle_rand "$_i" 2 150) ;;
	boot) delay=$(cycle_rand "$_i" 2 2500) ;;
	probe) delay=$(cycle_rand "$_i" 2 1500) ;;
	traffic) delay=$((200 + $(cycle_rand "$_i" 2 2000))) ;;
	esac
	diag "cycle $_i: $kind during $phase, ${delay} ms in (KILL_SEED=$KILL_SEED KILL_FIRST=$_i KILL_CYCLES=1 replays it)"
	vmm_start "kc$_i" --kernel "$K" --initrd "$GUEST_RUN" --cmdline "$CMDLINE" --cpus 2 --mem 512M \
		--assign "$BDF" || return 1
	VMMP=$VMM_PID
	if ! wait_event "$phase"; then
		dump_tail "$VMM_ERR" 8
		if ! proc_alive "$VMMP"; then
			wait "$VMMP"
			fail "minivmm ended (status $?) before the $phase phase"
			return 1
		fi
		diag "WARNING: the $phase phase did not come within 120 s (the nested KVM hung the guest?); stopping it anyway"
	fi
	usleep $((delay * 1000))
	seen="$(pci_driver "$BDF"), $(threads "$VMMP") threads"
	case $kind in
	INT | TERM | KILL | SEGV | ABRT)
		T_KILL=$(now_ms)
		kill -"$kind" "$VMMP"
		diag "sent SIG$kind ($seen)"
		expect_restored "$kind" || return 1
		case $kind in KILL | SEGV | ABRT)
			# Taken back by the supervisor, if it had been moved to vfio-pci.
			if grep -q 'moved from e1000e to vfio-pci\|ended without giving it back' "$VMM_ERR"; then
				expect_grep "$BDF: warning: minivmm \\(pid $VMMP\\) ended without giving it back: given back to e1000e" "$VMM_ERR" || return 1
			fi
			;;
		esac
		;;
	SUPKILL)
		sp=$(wait_sup) || { fail "no supervisor of minivmm pid $VMMP found ($seen)"; return 1; }
		kill -KILL "$sp"
		diag "sent SIGKILL to the supervisor $sp ($seen)"
		_n=0
		until [ -n "$(sp2=$(sup_pid) && [ "$sp2" != "$sp" ] && echo "$sp2")" ] || [ $_n -ge 50 ]; do
			usleep 100000
			_n=$((_n + 1))
		done
		sp2=$(sup_pid) || true
		check "minivmm died with its supervisor" proc_alive "$VMMP" || { died_how; return 1; }
		check "no new supervisor 5 s after the first was killed" test -n "$sp2" -a "$sp2" != "$sp" || return 1
		expect_grep "supervisor \\(pid $sp\\) was killed by SIGKILL: starting a new one" "$VMM_ERR" || return 1
		# Then minivmm itself goes, one way or another: the new one must cover SIGKILL.
		set -- INT TERM KILL
		eval "then=\${$(($(cycle_rand "$_i" 3 3) + 1))}"
		usleep $(($(cycle_rand "$_i" 4 1000) * 1000))
		T_KILL=$(now_ms)
		kill -"$then" "$VMMP"
		diag "then SIG$then to minivmm (new supervisor $sp2)"
		expect_restored "$then" || return 1
		;;
	BOTH)
		sp=$(wait_sup) || { fail "no supervisor of minivmm pid $VMMP found ($seen)"; return 1; }
		# Stopped first, so that neither sees the other die.
		kill -STOP "$sp" "$VMMP"
		kill -KILL "$sp" "$VMMP"
		st=0
		wait "$VMMP" || st=$?
		drv=$(pci_driver "$BDF")
		diag "sent SIGKILL to minivmm and its supervisor $sp ($seen); status $st, now on $drv"
		if [ -e "$STATE" ]; then
			"$MINIVMM" doctor "$BDF" >doctor.out 2>&1 || true
			expect_grep "^FAIL +left behind $BDF: minivmm pid $VMMP ended without giving it back" doctor.out || return 1
			expect_grep "fix: minivmm restore $BDF" doctor.out || return 1
		else
			check "$BDF is on $drv without a state file" test "$drv" = e1000e || return 1
		fi
		T_KILL=$(now_ms)
		rst=0
		"$MINIVMM" restore >restore.out 2>&1 || rst=$?
		diag "minivmm restore: $(cat restore.out) (status $rst)"
		check "minivmm restore exited with $rst" test $rst = 0 || return 1
		wait_driver e1000e $((RESTORE_LIMIT_MS - ($(now_ms) - T_KILL))) >/dev/null ||
			fail "$BDF is on '$(pci_driver "$BDF")' $(($(now_ms) - T_KILL)) ms after minivmm restore started, expected e1000e within $RESTORE_LIMIT_MS ms" || return 1
		_er_ms=$(($(now_ms) - T_KILL))
		RESTORE_TIMES="$RESTORE_TIMES $_er_ms"
		diag "back on e1000e ${_er_ms} ms after minivmm restore started"
		if [ "$drv" = vfio-pci ]; then
			expect_grep "^$BDF: given back to e1000e \\(left behind by minivmm pid $VMMP\\)" restore.out || return 1
		fi
		;;
	esac
	no_leftovers || return 1
	host_traffic
}

t_cycles() {
	[ -n "$BDF" ] && [ -n "$PEER" ] || fail "need two e1000e in the host, found: $BDF $PEER"
	PEER_IF=$(peer_up "$PEER") || fail "no netdev for the peer $PEER"
	diag "device $BDF ($(pci_driver "$BDF")), peer $PEER ($PEER_IF, 169.254.0.1/16); KILL_SEED=$KILL_SEED"
	host_traffic
	failures=0 t0=$(now_ms)
	i=$KILL_FIRST
	last=$((KILL_FIRST + KILL_CYCLES - 1))
	while [ "$i" -le "$last" ]; do
		if ! cycle "$i"; then
			failures=$((failures + 1))
			diag "cycle $i FAILED (KILL_SEED=$KILL_SEED KILL_FIRST=$i KILL_CYCLES=1 replays it)"
			# Whatever is left, so that the next cycles start clean.
			kill -KILL "$VMMP" 2>/dev/null || true
			wait "$VMMP" 2>/dev/null || true
			"$MINIVMM" restore --force >/dev/null 2>&1 || true
			wait_driver e1000e 10000 >/dev/null || diag "$BDF stays on $(pci_driver "$BDF")"
		fi
		i=$((i + 1))
	done
	secs=$((($(now_ms) - t0) / 1000))
	stats=$(echo "$RESTORE_TIMES" | tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END {
		if (!NR) { print "- -"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%d %d", m, v[NR] }')
	echo "# kill cycles: $KILL_CYCLES, failures $failures, restore ms median ${stats% *} max ${stats#* }, $secs s, seed $KILL_SEED"
	test "$failures" = 0
}

# The device still works for a guest after all that.
t_after() {
	expect_status 0 run_vmm after --kernel "$K" --initrd "$(guest_script after <<'SCRIPT'
modprobe e1000e || exit 10
net_up || exit 12
ping_peer 10 || exit 13
SCRIPT
)" --cmdline "$CMDLINE" --cpus 2 --mem 512M --assign "$BDF"
	expect_grep '^ping_received=10 of 10$' "$VMM_OUT"
	check "$BDF is on '$(pci_driver "$BDF")' after the last run" test "$(pci_driver "$BDF")" = e1000e
	check "$STATE is left after the last run" test ! -e "$STATE"
	host_traffic
}

subtest "kill cycles: $KILL_CYCLES, seed $KILL_SEED" t_cycles
subtest "the device works in a guest after the cycles" t_after
subtests_done
