# SIGKILL of minivmm at chosen points, each followed by the checks that the
# host has everything back: the e1000e on its e1000e driver within 5 s with
# its driver_override as it was before minivmm ran (one set to e1000e by
# hand stays e1000e, none stays none), no state file in /run/minivmm, no
# supervisor left, nobody holding /dev/vfio, the control socket file gone,
# the hugepages free again, and the NIC pinging its peer from the host.
#   1. during set-up: as soon as the state file is written; once vfio-pci
#      owns the device (guest RAM being mapped for DMA); SIGTERM there too
#   2. while the guest does DMA (e1000e rings and buffers under a ping
#      flood, guest RAM on hugepages)
#   3. during hotplug through `minivmm ctl PATH unplug BDF`: right after the
#      request (the guest's driver is being removed), once the function is
#      unplugged and held on vfio-pci, and after `unplug release=true` gave
#      it back to the host and `plug` took it again
#   4. minivmm and its supervisor both killed while another minivmm runs
#      with another device: doctor names the leftover, `minivmm restore`
#      gives back that one only (twice: idempotent), the other run goes on
#      and gives its own device back at its end
#   5. the OOM killer, in a memory cgroup too small for the DMA pinning.
# Host devices (run-all.sh group "reliability"): three e1000e on hub 0; the
# first is assigned, the second is the host's peer at 169.254.0.1/16, the
# third is the other run's.
. /rig/lib.sh

K=$GUEST_KERNEL
CMDLINE="console=ttyS0 quiet minivmm.status_port=0xf4"
RESTORE_LIMIT_MS=5000
SOCK=$RIG_TMP/ctl.sock
ulimit -c 0

modprobe e1000e || echo "# modprobe e1000e failed in the host"
# shellcheck disable=SC2046
set -- $(pci_find 8086:10d3)
A=${1:-} PEER=${2:-} C=${3:-}
PEER_IF=
[ -n "$PEER" ] && PEER_IF=$(peer_up "$PEER")
diag "assigned $A, peer $PEER ($PEER_IF), other run's $C"

need_devices() {
	[ -n "$A" ] && [ -n "$PEER_IF" ] || fail "need two e1000e in the host (the second a peer), found: $A $PEER"
	check "$A is on $(pci_driver "$A") before the case, expected e1000e" test "$(pci_driver "$A")" = e1000e
}

# set_override BDF DRV|none: driver_override as a user would have set it.
set_override() {
	if [ "$2" = none ]; then echo >"/sys/bus/pci/devices/$1/driver_override"; else echo "$2" >"/sys/bus/pci/devices/$1/driver_override"; fi
	check "cannot set the driver_override of $1 to $2" test "$(pci_override "$1")" = "$2"
}

# killed_at WHAT SIG: send SIG to minivmm $VMM_PID now, note the time.
killed_at() {
	T_KILL=$(now_ms)
	SEEN="$(pci_driver "$A"), state file $([ -e "/run/minivmm/$A.state" ] && echo yes || echo no)"
	kill -"$2" "$VMM_PID"
	diag "SIG$2 $1 ($SEEN)"
}

# back BDF OVERRIDE [STATUS]: after killed_at, minivmm ends (with STATUS,
# default 137) and within 5 s of the signal everything is the host's again
# (see the header); BDF pings the peer.
back() {
	_b_dev=$1 _b_ov=$2 _b_want=${3:-137}
	wait_exit "$VMM_PID" 15 || { kill -KILL "$VMM_PID"; fail "minivmm still runs 15 s after the signal"; return 1; }
	_b_st=0
	wait "$VMM_PID" || _b_st=$?
	_b_left=$((RESTORE_LIMIT_MS - ($(now_ms) - T_KILL)))
	[ $_b_left -gt 0 ] || _b_left=0
	if ! wait_driver_of "$_b_dev" e1000e $_b_left >/dev/null; then
		dump_tail "$VMM_ERR" 10
		fail "$_b_dev is on $(pci_driver "$_b_dev") $(($(now_ms) - T_KILL)) ms after the signal, expected e1000e within $RESTORE_LIMIT_MS ms"
		return 1
	fi
	# The override goes back after the unbind and before the bind: it is there now.
	_b_ms=$(($(now_ms) - T_KILL))
	diag "status $_b_st; $_b_dev back on e1000e after $_b_ms ms, driver_override $(pci_override "$_b_dev")"
	dump_tail "$VMM_ERR" 3
	check "minivmm exited with $_b_st, expected $_b_want" test "$_b_st" = "$_b_want"
	check "driver_override of $_b_dev is '$(pci_override "$_b_dev")', expected '$_b_ov' as before minivmm" \
		test "$(pci_override "$_b_dev")" = "$_b_ov"
	_b_n=0
	while { [ -e "/run/minivmm/$_b_dev.state" ] || supervisor_of "$VMM_PID" >/dev/null; } && [ $_b_n -lt 50 ]; do
		usleep 100000
		_b_n=$((_b_n + 1))
	done
	check "/run/minivmm/$_b_dev.state is still there" test ! -e "/run/minivmm/$_b_dev.state"
	check "the supervisor of minivmm $VMM_PID (pid $(supervisor_of "$VMM_PID")) still runs" \
		test -z "$(supervisor_of "$VMM_PID")"
	check "/dev/vfio still open in pid(s) $(vfio_openers | tr '\n' ' ')" test -z "$(vfio_openers)"
	check "the control socket $SOCK is still there" test ! -e "$SOCK"
	if [ "$_b_want" = 137 ]; then
		expect_grep "$_b_dev: warning: minivmm \\(pid $VMM_PID\\) ended without giving it back: (given back to e1000e|already on e1000e, as it was)" "$VMM_ERR"
	else
		expect_no_grep "ended without giving it back" "$VMM_ERR"
	fi
	host_ping "$_b_dev"
}

# 1. Set-up: SIGKILL the moment the state file exists (the binding is
#    about to change or changing), SIGKILL and SIGTERM once vfio-pci owns
#    the device (512 MiB of guest RAM being pinned for DMA). The override
#    e1000e set by hand comes back as e1000e, not cleared.
t_setup() {
	need_devices
	set_override "$A" e1000e
	for point in state vfio-KILL vfio-TERM; do
		vmm_start "setup-$point" --kernel "$K" --initrd "$GUEST_INITRD" --cmdline "$CMDLINE" --mem 512M --assign "$A"
		_n=0
		case $point in
		state)
			until [ -e "/run/minivmm/$A.state" ]; do
				_n=$((_n + 1))
				[ $((_n % 5000)) != 0 ] || { proc_alive "$VMM_PID" && [ $_n -lt 5000000 ]; } || break
			done
			[ -e "/run/minivmm/$A.state" ] || { vmm_stop "$VMM_PID"; dump_tail "$VMM_ERR"; fail "no /run/minivmm/$A.state came"; return 1; }
			killed_at "as /run/minivmm/$A.state appeared" KILL
			back "$A" e1000e
			;;
		vfio-*)
			wait_driver_of "$A" vfio-pci 60000 >/dev/null || { vmm_stop "$VMM_PID"; fail "$A never went to vfio-pci"; return 1; }
			killed_at "once vfio-pci owned $A" "${point#vfio-}"
			if [ "$point" = vfio-TERM ]; then back "$A" e1000e 143; else back "$A" e1000e; fi
			;;
		esac
	done
	set_override "$A" none
}

# 2. The guest floods its peer with large pings (the e1000e reads and
#    writes guest RAM: descriptor rings, fragments) from hugepage-backed RAM.
#    The pool holds exactly the guest's 128 pages, as --hugepages' error
#    tells a user to reserve (the alignment slack once took one more; at
#    1 GiB and above, twice as many).
t_dma() {
	need_devices
	echo 128 >/proc/sys/vm/nr_hugepages
	total=$(awk '/^HugePages_Total/ { print $2 }' /proc/meminfo)
	free0=$(awk '/^HugePages_Free/ { print $2 }' /proc/meminfo)
	check "only $total hugepages could be reserved, 128 needed" test "$total" = 128
	initrd=$(guest_script dma <<'SCRIPT'
modprobe e1000e || exit 10
net_up || exit 11
ping_peer 5 || exit 12
for i in 1 2 3; do ping -s 8000 -i 0.01 169.254.0.1 >/dev/null 2>&1 & done
echo "guest: dma"
wait
SCRIPT
	)
	vmm_start_ready '^guest: dma' dma --kernel "$K" --initrd "$initrd" --cmdline "$CMDLINE" --cpus 2 --mem 256M \
		--hugepages --assign "$A"
	free1=$(awk '/^HugePages_Free/ { print $2 }' /proc/meminfo)
	diag "hugepages: $total reserved, $free0 free before, $free1 while the guest runs"
	sleep 2
	killed_at "while the guest floods its peer" KILL
	back "$A" none
	_n=0
	until [ "$(awk '/^HugePages_Free/ { print $2 }' /proc/meminfo)" = "$free0" ] || [ $_n -ge 50 ]; do usleep 100000; _n=$((_n + 1)); done
	free2=$(awk '/^HugePages_Free/ { print $2 }' /proc/meminfo)
	echo 0 >/proc/sys/vm/nr_hugepages
	check "the guest took $((free0 - free1)) hugepages, not its 128 ($free1 free while it ran, $free0 before)" test $((free0 - free1)) = 128
	check "$free2 hugepages free after the kill, $free0 before" test "$free2" = "$free0"
}

GUEST_HP=$(guest_script hotplug <<'SCRIPT'
modprobe e1000e || exit 10
net_up || exit 11
ping_peer 5 || exit 12
ping -i 0.05 169.254.0.1 >/dev/null 2>&1 &
echo "guest: ready"
# On until minivmm is killed: the ping ends when an unplug takes the NIC away.
while :; do sleep 60; done
SCRIPT
)

# hp_start NAME: minivmm with the control socket, the guest pinging.
hp_start() {
	vmm_start_ready '^guest: ready' "$1" --kernel "$K" --initrd "$GUEST_HP" --cmdline "$CMDLINE" --cpus 2 --mem 256M \
		--assign "$A" --control "$SOCK"
}

# 3. Hotplug through the control socket.
t_hotplug() {
	need_devices
	# a. Right after the unplug request: the guest is running its driver's remove path.
	hp_start hp-request
	ctl_expect 0 un-a.json "$SOCK" unplug "$A"
	expect_grep '"state": "removing"' un-a.json
	killed_at "right after unplug was requested" KILL
	back "$A" none

	# b. Unplugged: off the guest's bus, reset, held on vfio-pci.
	hp_start hp-held
	ctl_expect 0 un-b.json --timeout 120 --wait-event unplugged "$SOCK" unplug "$A"
	expect_grep '^\{"event": "unplugged", "time_ms": [0-9]+, "what": "'"$A"'"\}' un-b.json
	check "$A is $(pci_driver "$A") while unplugged, expected held on vfio-pci" test "$(pci_driver "$A")" = vfio-pci
	killed_at "with $A unplugged and held" KILL
	back "$A" none

	# c. Given back at run time (no state file then), taken again by plug (a new one).
	hp_start hp-again
	ctl_expect 0 un-c.json --timeout 120 --wait-event unplugged "$SOCK" unplug "$A" release=true
	expect_grep '"what": "'"$A"' \(back to its host driver\)"' un-c.json
	check "$A is $(pci_driver "$A") after unplug release=true, expected e1000e" test "$(pci_driver "$A")" = e1000e
	check "/run/minivmm/$A.state is there while $A is the host's" test ! -e "/run/minivmm/$A.state"
	check "driver_override of $A is $(pci_override "$A") while it is the host's" test "$(pci_override "$A")" = none
	ctl_expect 0 plug-c.json "$SOCK" plug "$A"
	check "$A is $(pci_driver "$A") after plug, expected vfio-pci" test "$(pci_driver "$A")" = vfio-pci
	check "no /run/minivmm/$A.state after plug took it again" test -e "/run/minivmm/$A.state"
	killed_at "after plug took $A again" KILL
	back "$A" none
}

# 4. A leftover next to a running minivmm: restore touches only the leftover.
t_restore_beside() {
	need_devices
	[ -n "$C" ] || fail "need a third e1000e for the other run"
	initrd=$(guest_script idle <<'SCRIPT'
echo "guest: idle"
sleep 600
SCRIPT
	)
	vmm_start_ready '^guest: idle' other --kernel "$K" --initrd "$initrd" --cmdline "$CMDLINE" --mem 256M --assign "$C"
	OTHER=$VMM_PID OTHER_ERR=$VMM_ERR
	vmm_start_ready '^guest: idle' left --kernel "$K" --initrd "$initrd" --cmdline "$CMDLINE" --mem 256M --assign "$A"
	sp=$(supervisor_of "$VMM_PID") || fail "no supervisor of minivmm $VMM_PID"
	# Stopped first, so that neither sees the other die.
	kill -STOP "$sp" "$VMM_PID"
	kill -KILL "$sp" "$VMM_PID"
	wait "$VMM_PID" 2>/dev/null || true
	diag "killed minivmm $VMM_PID and its supervisor $sp: $A on $(pci_driver "$A")"
	check "$A is $(pci_driver "$A") with both killed, expected left on vfio-pci" test "$(pci_driver "$A")" = vfio-pci
	st=0
	"$MINIVMM" doctor "$A" "$C" >doctor.out 2>&1 || st=$?
	diag "doctor: status $st"
	expect_grep "^FAIL +left behind $A: minivmm pid $VMM_PID ended without giving it back: it is on vfio-pci, it was on e1000e" doctor.out
	expect_grep "fix: minivmm restore $A" doctor.out
	expect_grep "^ok +assigned $C: in use by minivmm pid $OTHER \\(it gives it back to e1000e at exit\\)" doctor.out
	expect_no_grep "^FAIL +left behind $C" doctor.out
	T_KILL=$(now_ms)
	for round in 1 2; do
		st=0
		"$MINIVMM" restore >restore$round.out 2>&1 || st=$?
		sed 's/^/#   restore: /' restore$round.out
		check "minivmm restore (round $round) exited with $st, expected 0" test "$st" = 0
		expect_grep "^$C: in use by minivmm pid $OTHER, which gives it back itself: left alone" restore$round.out
	done
	expect_grep "^$A: given back to e1000e \\(left behind by minivmm pid $VMM_PID\\)" restore1.out
	expect_grep "^nothing to restore: no device left behind by minivmm \\(the devices above are in use\\)" restore2.out
	wait_driver_of "$A" e1000e $((RESTORE_LIMIT_MS - ($(now_ms) - T_KILL))) >/dev/null ||
		fail "$A is on $(pci_driver "$A") after minivmm restore" || return 1
	check "/run/minivmm/$A.state is still there after restore" test ! -e "/run/minivmm/$A.state"
	check "driver_override of $A is $(pci_override "$A") after restore" test "$(pci_override "$A")" = none
	# A device named that another run holds: refused, status 1.
	st=0
	"$MINIVMM" restore "$C" >restore3.out 2>&1 || st=$?
	check "minivmm restore $C exited with $st, expected 1" test "$st" = 1
	expect_grep "^$C: in use by minivmm pid $OTHER: stop it first" restore3.out
	# The other run was not disturbed: still there with its device, which it gives back itself.
	check "the other minivmm ($OTHER) died" proc_alive "$OTHER"
	check "$C is $(pci_driver "$C") under the other run, expected vfio-pci" test "$(pci_driver "$C")" = vfio-pci
	host_ping "$A"
	VMM_PID=$OTHER VMM_ERR=$OTHER_ERR
	killed_at "(the other run, at the end)" TERM
	wait_exit "$OTHER" 15 || fail "the other minivmm still runs 15 s after SIGTERM"
	st=0
	wait "$OTHER" || st=$?
	check "the other minivmm exited with $st, expected 143" test "$st" = 143
	wait_driver_of "$C" e1000e 5000 >/dev/null || fail "$C is on $(pci_driver "$C") after its minivmm ended"
	check "/run/minivmm/$C.state is still there" test ! -e "/run/minivmm/$C.state"
}

# 5. The OOM killer: minivmm in a memory cgroup of 160 MiB with 512 MiB of
#    guest RAM to pin for DMA. The kernel kills minivmm (its supervisor, in
#    the same cgroup, has oom_score_adj -1000) and the supervisor gives back.
t_oom() {
	need_devices
	cg=/sys/fs/cgroup
	[ -e $cg/cgroup.controllers ] || mount -t cgroup2 none $cg || fail "cannot mount cgroup2 on $cg"
	grep -qw memory $cg/cgroup.controllers || fail "no memory controller in $(cat $cg/cgroup.controllers)"
	echo +memory >$cg/cgroup.subtree_control
	mkdir -p $cg/killpoints-oom
	echo 160M >$cg/killpoints-oom/memory.max
	echo 0 >$cg/killpoints-oom/memory.swap.max 2>/dev/null || true
	VMM_OUT=$RIG_TMP/oom.out VMM_ERR=$RIG_TMP/oom.err
	diag "minivmm --mem 512M --assign $A & (in a cgroup with memory.max 160M)"
	# shellcheck disable=SC2016 # $$ and $0 are the inner shell's
	sh -c 'echo $$ >'"$cg"'/killpoints-oom/cgroup.procs && exec "$0" "$@"' "$MINIVMM" --kernel "$K" \
		--initrd "$GUEST_INITRD" --cmdline "$CMDLINE" --mem 512M --assign "$A" >"$VMM_OUT" 2>"$VMM_ERR" </dev/null &
	VMM_PID=$!
	wait_exit "$VMM_PID" 180 || { vmm_stop "$VMM_PID"; fail "minivmm was not OOM-killed within 180 s"; return 1; }
	T_KILL=$(now_ms)
	kills=$(sed -n 's/^oom_kill //p' $cg/killpoints-oom/memory.events)
	diag "memory.events: $(tr '\n' ' ' <$cg/killpoints-oom/memory.events)"
	check "no OOM kill in the cgroup (memory.events oom_kill ${kills:-none})" test "${kills:-0}" -ge 1
	back "$A" none
	rmdir $cg/killpoints-oom 2>/dev/null || diag "the cgroup $cg/killpoints-oom is not empty: $(cat $cg/killpoints-oom/cgroup.procs)"
}

subtest "1: set-up: SIGKILL at the state file, SIGKILL and SIGTERM on vfio-pci; the override set by hand comes back" t_setup
subtest "2: SIGKILL while the guest does DMA from hugepages: device, hugepages, /dev/vfio back" t_dma
subtest "3: SIGKILL during hotplug (ctl unplug: requested, held; released and plugged again)" t_hotplug
subtest "4: both killed beside another run: doctor names it, restore gives back only it, twice" t_restore_beside
subtest "5: the OOM killer (a 160 MiB memory cgroup, 512 MiB to pin for DMA)" t_oom
subtests_done
