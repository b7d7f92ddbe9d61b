# shellcheck shell=sh
# Helpers for rig scenarios. Sourced (`. /rig/lib.sh`) by scenario scripts,
# which run with busybox sh inside the nested test host, each in its own
# scratch directory ($RIG_TMP, the current directory).
#
# Variables:
#   MINIVMM        the minivmm binary ("none" when the host was booted without it)
#   GUEST_KERNEL   the guest bzImage (Debian's, same as the host's)
#   GUEST_INITRD   the base guest initramfs (guest/mkinitramfs.sh)
#   GUEST_MODULES  modules in the guest initramfs, `modprobe`-able in the guest
#   GUEST_CMDLINE  a default guest cmdline ("console=ttyS0")
#   VMM_TIMEOUT    seconds one run_vmm may take before it is killed (default 240)
#
# Writing a scenario: define one function per case and run them with
# `subtest NAME FUNC`; end the file with `subtests_done` (its status is the
# scenario's). A case runs in a subshell with `set -e`: the first failing
# check ends it. Checks print "# ..." lines saying why they failed.

: "${MINIVMM:=/usr/local/bin/minivmm}"
GUEST_KERNEL=/rig/guest/vmlinuz
GUEST_INITRD=/rig/guest/initrd.img
GUEST_MODULES=$(cat /rig/guest/modules 2>/dev/null)
: "${GUEST_CMDLINE:=console=ttyS0}"
: "${VMM_TIMEOUT:=240}"
: "${RIG_TMP:=$(pwd)}"
VMM_STATUS='' VMM_OUT='' VMM_ERR='' VMM_PID=''

diag() { echo "# $*"; }

# fail MSG: print the reason, return 1. Scenario cases run with set -e, so
# print any further diagnostics before calling it.
fail() {
	echo "# FAIL: $*"
	return 1
}

# uptime_s: seconds since boot with 1/100 s resolution.
uptime_s() {
	read -r _up _ </proc/uptime
	echo "$_up"
}

# dump_tail FILE [N]: show the last N lines of FILE as diagnostics.
dump_tail() {
	[ -f "$1" ] || return 0
	echo "# --- last ${2:-25} lines of $1:"
	tr -d '\r' <"$1" | tail -n "${2:-25}" | sed 's/^/#   | /'
}

# guest_initrd_with SCRIPT|- [NAME]: print the path of a new initrd = the base
# guest initrd + a cpio (concatenated) holding SCRIPT (or stdin) as
# /etc/minivmm/run, which the guest init runs and then powers off.
guest_initrd_with() {
	_gi_name=${2:-run}
	_gi_dir=$(mktemp -d "$RIG_TMP/initrd.XXXXXX")
	mkdir -p "$_gi_dir/root/etc/minivmm"
	if [ "$1" = - ]; then
		cat >"$_gi_dir/root/etc/minivmm/run"
	else
		cp "$1" "$_gi_dir/root/etc/minivmm/run"
	fi
	chmod 755 "$_gi_dir/root/etc/minivmm/run"
	if ! (cd "$_gi_dir/root" && find etc | cpio -o -H newc 2>/dev/null | gzip -1) >"$_gi_dir/extra.cpio.gz"; then
		fail "cannot build the extra cpio" >&2
		return 1
	fi
	cat "$GUEST_INITRD" "$_gi_dir/extra.cpio.gz" >"$RIG_TMP/$_gi_name.initrd"
	rm -rf "$_gi_dir"
	echo "$RIG_TMP/$_gi_name.initrd"
}

# guest_script NAME: like guest_initrd_with - NAME, with the guest-side
# helpers (/rig/guest-lib.sh: netif, net_up, ping_peer, irqs, disk_check,
# drain_console) in front of the run script on stdin.
guest_script() {
	{ cat /rig/guest-lib.sh; cat; } | guest_initrd_with - "$1"
}

_need_minivmm() {
	if [ "$MINIVMM" = none ] || [ ! -x "$MINIVMM" ]; then
		fail "no minivmm in this host (MINIVMM=$MINIVMM)"
		return 1
	fi
}

# run_vmm NAME ARGS...: run minivmm ARGS with stdout (the guest console) in
# NAME.out and stderr in NAME.err, killed after $VMM_TIMEOUT s. Sets VMM_OUT,
# VMM_ERR, VMM_STATUS and returns minivmm's status (124 from the watchdog
# is reported as such). A run the test host's nested KVM hung is run once
# more (see below).
run_vmm() {
	_run_vmm_once "$@"
	# The nested KVM of this test host (QEMU TCG emulating SVM) now and then
	# stops delivering interrupts to a guest vCPU that spins, for QEMU as
	# for minivmm (measured: QEMU 1 of 25 8-vCPU boots, minivmm 3 of ~80):
	# the guest shows RCU stalls with NMIs that never arrive, or freezes
	# mid-line, then hangs or triple-faults. Such a run, and only such a run,
	# is started once more, said aloud; a second one fails as it is.
	if nested_kvm_hang; then
		diag "WARNING: the test host's nested KVM hung this guest (status $VMM_STATUS); its last words:"
		dump_tail "$VMM_ERR" 12
		dump_tail "$VMM_OUT" 6
		diag "RETRY: nested-KVM hang, running it once more"
		_run_vmm_once "$@"
	fi
	return "$VMM_STATUS"
}

# nested_kvm_hang: the last run_vmm looks like the hang described there,
# the class QEMU shows in the same host: stopped by the watchdog before the
# guest init ran, or with an RCU stall on the console (also when that stall
# is what failed a run whose command passed: minivmm's kernel-log verdict,
# status 1; not in scenarios that make stalls on purpose, which set
# RIG_STALLS_WANTED=1). A triple fault, a panic or any minivmm error is
# never one (those fail as they are).
nested_kvm_hang() {
	grep -q 'Kernel panic\|pvpanic\|triple fault' "$VMM_ERR" 2>/dev/null && return 1
	if [ -z "${RIG_STALLS_WANTED:-}" ] &&
		tr -d '\r' <"$VMM_OUT" 2>/dev/null | grep -Eq 'rcu: INFO: rcu_[a-z]+ (self-)?detected stall'; then
		case $VMM_STATUS in 124 | 126) return 0 ;; esac
		[ "$VMM_STATUS" = 1 ] && grep -q '^minivmm: guest kernel reported INFO: rcu detected stall' "$VMM_ERR" &&
			return 0
	fi
	[ "$VMM_STATUS" = 124 ] && ! tr -d '\r' <"$VMM_OUT" 2>/dev/null | grep -q 'minivmm-guest: init'
}

_run_vmm_once() {
	_rv_name=$1
	shift
	VMM_OUT=$RIG_TMP/$_rv_name.out VMM_ERR=$RIG_TMP/$_rv_name.err
	if ! _need_minivmm; then
		VMM_STATUS=255
		return 255
	fi
	diag "minivmm $*"
	_rv_t0=$(uptime_s)
	rm -f "$RIG_TMP/$_rv_name.timedout"
	"$MINIVMM" "$@" >"$VMM_OUT" 2>"$VMM_ERR" </dev/null &
	VMM_PID=$!
	_watchdog "$VMM_PID" "$VMM_TIMEOUT" "$RIG_TMP/$_rv_name.timedout" &
	_rv_wd=$!
	VMM_STATUS=0
	wait "$VMM_PID" || VMM_STATUS=$?
	kill -TERM "$_rv_wd" 2>/dev/null || true
	wait "$_rv_wd" 2>/dev/null || true
	diag "-> status $VMM_STATUS after $(awk -v a="$_rv_t0" -v b="$(uptime_s)" 'BEGIN{printf "%.1f", b-a}')s"
	if [ -f "$RIG_TMP/$_rv_name.timedout" ]; then
		diag "minivmm killed by the rig after ${VMM_TIMEOUT}s; its threads were:"
		cat "$RIG_TMP/$_rv_name.timedout"
		VMM_STATUS=124
	fi
	return "$VMM_STATUS"
}

# vmm_start NAME ARGS...: like run_vmm but in the background; sets VMM_PID.
vmm_start() {
	_rv_name=$1
	shift
	VMM_OUT=$RIG_TMP/$_rv_name.out VMM_ERR=$RIG_TMP/$_rv_name.err
	_need_minivmm || return 1
	diag "minivmm $* &"
	"$MINIVMM" "$@" >"$VMM_OUT" 2>"$VMM_ERR" </dev/null &
	VMM_PID=$!
}

# vmm_start_ready PATTERN NAME MINIVMM-ARGS...: vmm_start, then wait for the
# guest to print a line matching PATTERN; VMM_PID runs on success. A guest
# whose init has not run after 120 s (normally ~10) is the nested-KVM hang
# described at run_vmm: it is stopped and started once more, said aloud.
# On failure minivmm is stopped, SIGTERM first (it reports its vCPUs).
vmm_start_ready() {
	_vr_pat=$1
	shift
	vmm_start "$@" || return 1
	wait_for "$_vr_pat" "$VMM_OUT" 120 "$VMM_PID" && return 0
	# Only a guest that is still running without its init is the hang; a
	# minivmm that exited failed as it is.
	_vr_alive=0
	kill -0 "$VMM_PID" 2>/dev/null && _vr_alive=1
	vmm_stop "$VMM_PID"
	dump_tail "$VMM_ERR" 12
	[ $_vr_alive = 1 ] || return 1
	grep -q 'triple fault' "$VMM_ERR" 2>/dev/null && return 1
	tr -d '\r' <"$VMM_OUT" 2>/dev/null | grep -q 'minivmm-guest: init' && return 1
	diag "RETRY: nested-KVM hang (no guest init after 120 s), running it once more"
	vmm_start "$@" || return 1
	wait_for "$_vr_pat" "$VMM_OUT" "$VMM_TIMEOUT" "$VMM_PID" && return 0
	vmm_stop "$VMM_PID"
	dump_tail "$VMM_ERR" 12
	return 1
}

# vmm_stop PID: SIGTERM, then SIGKILL after 10 s; reaps it.
vmm_stop() {
	kill -TERM "$1" 2>/dev/null || true
	wait_exit "$1" 10 || kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# _watchdog PID SECS FLAGFILE: TERM (then KILL) PID after SECS unless killed first.
_watchdog() {
	trap 'kill $_wd_sleep 2>/dev/null; exit 0' TERM
	sleep "$2" &
	_wd_sleep=$!
	wait $_wd_sleep || true
	proc_alive "$1" || exit 0
	: >"$3"
	dump_threads "$1" >"$3"
	kill -TERM "$1" 2>/dev/null || true
	sleep 5
	kill -KILL "$1" 2>/dev/null || true
	exit 0
}

# dump_threads PID: state, CPU time (user/system/guest, in ticks, sampled
# twice a second apart: which one grows says where a thread spins), wait
# channel and kernel stack of each thread of PID (what a hung minivmm's
# vCPU threads were doing).
dump_threads() {
	for _dt in /proc/"$1"/task/*; do
		[ -r "$_dt/stat" ] && echo "${_dt##*/} $(_thread_times "$_dt")"
	done >"$RIG_TMP/.threads1"
	sleep 1
	for _dt in /proc/"$1"/task/*; do
		[ -r "$_dt/stat" ] || continue
		_t0=$(sed -n "s/^${_dt##*/} //p" "$RIG_TMP/.threads1")
		echo "# thread ${_dt##*/} $(cat "$_dt/comm" 2>/dev/null) state $(sed 's/^.*) \(.\).*$/\1/' "$_dt/stat")" \
			"utime/stime/guest ${_t0:-?} -> $(_thread_times "$_dt") wchan $(cat "$_dt/wchan" 2>/dev/null)"
		sed 's/^/#     /' "$_dt/stack" 2>/dev/null | head -n 12
	done
}
_thread_times() { # fields 14, 15 and 43 of stat (after the "(comm)")
	sed 's/^.*) //' "$1/stat" | awk '{ print $12 "/" $13 "/" $41 }'
}

# proc_alive PID: true if PID exists and is not a zombie.
proc_alive() {
	[ -r "/proc/$1/stat" ] || return 1
	_pa_state=$(sed 's/^.*) \(.\).*$/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$_pa_state" ] && [ "$_pa_state" != Z ]
}

# wait_exit PID SECS: wait up to SECS for PID to exit; true if it did.
wait_exit() {
	_we_end=$(($(date +%s) + $2))
	while proc_alive "$1"; do
		[ "$(date +%s)" -lt "$_we_end" ] || return 1
		usleep 100000
	done
}

# wait_for PATTERN FILE SECS [PID]: wait until FILE has a line matching the
# extended regexp PATTERN (CRs stripped); false on timeout or if PID exits.
wait_for() {
	_wf_end=$(($(date +%s) + $3))
	while :; do
		tr -d '\r' <"$2" 2>/dev/null | grep -Eq -- "$1" && return 0
		if [ -n "${4:-}" ] && ! proc_alive "$4"; then
			tr -d '\r' <"$2" 2>/dev/null | grep -Eq -- "$1" && return 0
			dump_tail "$2"
			fail "process $4 exited before '$1' appeared in $2"
			return 1
		fi
		if [ "$(date +%s)" -ge "$_wf_end" ]; then
			dump_tail "$2"
			fail "'$1' did not appear in $2 within $3 s"
			return 1
		fi
		usleep 200000
	done
}

# expect_status WANT CMD...: run CMD (in this shell: run_vmm's variables stay
# set); WANT is a status or a comma-separated list of allowed statuses.
expect_status() {
	_es_want=$1
	shift
	_es_st=0
	"$@" || _es_st=$?
	case ",$_es_want," in *",$_es_st,"*) return 0 ;; esac
	if [ "$1" = run_vmm ] || [ "$1" = vmm_start ]; then
		dump_tail "$VMM_ERR" 10
		dump_tail "$VMM_OUT" 25
	fi
	fail "$1 exited with status $_es_st, expected $_es_want"
}

# expect_grep PATTERN FILE: FILE (CRs stripped) has a line matching the
# extended regexp PATTERN.
expect_grep() {
	if tr -d '\r' <"$2" 2>/dev/null | grep -Eq -- "$1"; then
		return 0
	fi
	dump_tail "$2"
	fail "no line matching '$1' in $2"
}

# expect_no_grep PATTERN FILE: no line of FILE matches PATTERN.
expect_no_grep() {
	if tr -d '\r' <"$2" 2>/dev/null | grep -Eq -- "$1"; then
		tr -d '\r' <"$2" | grep -E -- "$1" | head -n 5 | sed 's/^/#   | /'
		fail "unexpected line matching '$1' in $2 (above)"
	fi
	return 0
}

# guest_value KEY FILE: the value of the last "KEY=VALUE" line in FILE.
guest_value() {
	tr -d '\r' <"$2" 2>/dev/null | sed -n "s/^$1=//p" | tail -n 1
}

# check DESC CMD...: run CMD; on failure print DESC as the reason.
check() {
	_ck_desc=$1
	shift
	if "$@"; then
		return 0
	fi
	fail "$_ck_desc"
}

# subtest NAME FUNC: run FUNC in a subshell with set -e, print a TAP subtest
# line. (Do not `set -e` at the scenario's top level.)
_st_n=0 _st_failed=0
subtest() {
	_st_n=$((_st_n + 1))
	echo "# -- $_st_n $1"
	# Not `|| ...`: set -e is ignored inside a subshell whose status is tested.
	(set -e; trap _subtest_reap EXIT; "$2")
	_st_rc=$?
	if [ $_st_rc = 0 ]; then
		echo "    ok $_st_n - $1"
	else
		_st_failed=$((_st_failed + 1))
		echo "    not ok $_st_n - $1"
	fi
}

# A subtest that failed half-way leaves no minivmm behind for the next one
# (its socket, its devices).
_subtest_reap() {
	[ -n "${VMM_PID:-}" ] && kill -0 "$VMM_PID" 2>/dev/null || return 0
	[ "$(ps -o stat= -p "$VMM_PID" 2>/dev/null | cut -c1)" = Z ] && { wait "$VMM_PID" 2>/dev/null; return 0; }
	diag "stopping minivmm (pid $VMM_PID) that the subtest left running"
	vmm_stop "$VMM_PID"
}

# subtests_done: print the subtest plan; false if any subtest failed.
subtests_done() {
	echo "    1..$_st_n"
	[ "$_st_failed" = 0 ] || diag "$_st_failed of $_st_n subtests failed"
	[ "$_st_failed" = 0 ]
}

# vfio_bind BDF: unbind the PCI device BDF (e.g. 0000:00:03.0) from its
# driver and bind it to vfio-pci. Prints its IOMMU group number.
vfio_bind() {
	_vb_dev=/sys/bus/pci/devices/$1
	[ -e "$_vb_dev" ] || fail "no PCI device $1" || return 1
	[ -e "$_vb_dev/iommu_group" ] || fail "$1 has no IOMMU group (IOMMU off?)" || return 1
	if [ -e "$_vb_dev/driver" ]; then
		echo "$1" >"$_vb_dev/driver/unbind" || fail "cannot unbind $1" || return 1
	fi
	echo vfio-pci >"$_vb_dev/driver_override"
	echo "$1" >/sys/bus/pci/drivers_probe || true
	[ "$(basename "$(readlink "$_vb_dev/driver")")" = vfio-pci ] || fail "$1 did not bind to vfio-pci" || return 1
	basename "$(readlink "$_vb_dev/iommu_group")"
}

# pci_find VENDOR:DEVICE: print the BDFs of matching PCI devices.
pci_find() {
	for _pf in /sys/bus/pci/devices/*; do
		[ "$(cat "$_pf/vendor"):$(cat "$_pf/device")" = "0x${1%%:*}:0x${1#*:}" ] && echo "${_pf##*/}"
	done
	return 0
}

# pci_driver BDF: the name of the driver bound to BDF, "none" if unbound.
pci_driver() {
	if [ -e "/sys/bus/pci/devices/$1/driver" ]; then
		basename "$(readlink "/sys/bus/pci/devices/$1/driver")"
	else
		echo none
	fi
}

# pci_netdev BDF [SECS]: print the network interface of BDF, waiting up to
# SECS (default 10) for it to appear; false if none did.
pci_netdev() {
	_pn_end=$(($(date +%s) + ${2:-10}))
	while :; do
		for _pn in "/sys/bus/pci/devices/$1/net/"*; do
			[ -e "$_pn" ] && echo "${_pn##*/}" && return 0
		done
		[ "$(date +%s)" -lt "$_pn_end" ] || return 1
		usleep 100000
	done
}

# peer_up BDF: the host's NIC BDF becomes the guests' network peer,
# 169.254.0.1/16 with its link up; prints its netdev (false if it has none).
peer_up() {
	_pu=$(pci_netdev "$1" 10) || return 1
	ip addr add 169.254.0.1/16 dev "$_pu" 2>/dev/null || true
	ip link set "$_pu" up
	echo "$_pu"
}

# find_devices: the zoo devices of the usual host set-ups, with their host
# drivers loaded: NIC and PEER (the first two e1000e; PEER_IF, the peer's
# netdev at 169.254.0.1/16, empty without one), NVME (QEMU's nvme, 1b36:0010
# or 8086:5845 with use-intel-id=on), AHCI (an ich9-ahci that is not the
# host's own 00:1f.2), NE2K; each empty when absent.
find_devices() {
	for _fd_m in e1000e nvme ahci sd_mod ne2k-pci; do modprobe $_fd_m 2>/dev/null || diag "modprobe $_fd_m failed"; done
	NIC=$(pci_find 8086:10d3 | sed -n 1p)
	PEER=$(pci_find 8086:10d3 | sed -n 2p)
	NVME=$( (pci_find 1b36:0010; pci_find 8086:5845) | head -n 1)
	AHCI=$(pci_find 8086:2922 | grep -v '^0000:00:1f\.2$' | head -n 1)
	NE2K=$(pci_find 10ec:8029 | head -n 1)
	diag "e1000e ${NIC:-none} (peer ${PEER:-none}), nvme ${NVME:-none}, ahci ${AHCI:-none}, ne2k_pci ${NE2K:-none}"
	PEER_IF=
	[ -z "$PEER" ] || PEER_IF=$(peer_up "$PEER")
}

# median NAME [KEY]: for benchmarks, the median of the numbers in NAME.txt
# (one per line), or of the values of its KEY=VALUE words; "-" if none.
median() {
	[ -s "$1.txt" ] || { echo -; return; }
	if [ -n "${2:-}" ]; then tr ' ' '\n' <"$1.txt" | sed -n "s/^$2=//p"; else cat "$1.txt"; fi |
		grep -E '^-?[0-9.]+$' | sort -n | awk '{ v[NR] = $1 } END {
			if (NR == 0) { print "-"; exit }
			if (NR % 2) m = v[(NR + 1) / 2]; else m = (v[NR / 2] + v[NR / 2 + 1]) / 2
			print m }'
}

# ctl_expect STATUS OUT ARGS...: minivmm ctl ARGS with stdout in OUT and
# stderr in OUT.err; its exit status must be STATUS.
ctl_expect() {
	_ce_want=$1 _ce_out=$2
	shift 2
	_ce_st=0
	"$MINIVMM" ctl "$@" >"$_ce_out" 2>"$_ce_out.err" || _ce_st=$?
	diag "minivmm ctl $* -> $_ce_st: $(head -c 400 "$_ce_out") $(head -c 400 "$_ce_out.err")"
	if [ "$_ce_st" != "$_ce_want" ] && [ -n "${VMM_ERR:-}" ]; then
		dump_tail "$VMM_ERR" 12
		dump_tail "$VMM_OUT" 12
	fi
	check "minivmm ctl $* exited with $_ce_st, expected $_ce_want" test "$_ce_st" = "$_ce_want"
}

# vmm_stats FILE: print the --stats JSON line of minivmm's stderr FILE.
vmm_stats() {
	tr -d '\r' <"$1" 2>/dev/null | grep '^{"exits"' | tail -n 1
}

# dev_counter BDF KEY: an assigned function's counter KEY (flrs, d3_entries,
# faults_dropped, ...) in the --stats line of $VMM_ERR; empty if absent.
dev_counter() {
	vmm_stats "$VMM_ERR" | grep -o "\"$1\": {\"mode\"[^}]*}" | sed -n "s/.*\"$2\": \([0-9]*\).*/\1/p"
}

# stats_field KEY FILE: the value (number or string, quotes dropped) of the
# first "KEY": VALUE in the --stats line in FILE; empty if absent.
stats_field() {
	vmm_stats "$2" | grep -o "\"$1\": *[^,}]*" | head -n 1 | sed 's/^.*": *//; s/"//g'
}

# json_check FILE: every line of FILE is one valid JSON value (RFC 8259
# syntax, checked in awk: the host has no jq); prints "# json_check: ..."
# and fails on the first line that is not. Bytes >= 0x80 are not decoded.
json_check() {
	awk '
	function err(m) { if (E == "") E = m " at byte " (P - 1); return 0 }
	function ws() { while (P <= N && index(" \t\r\n", substr(S, P, 1))) P++ }
	function str(   c) {
		P++
		while (P <= N) {
			c = substr(S, P, 1)
			if (c == "\"") { P++; return 1 }
			if (index(CTRL, c)) return err("raw control character in a string")
			if (c == "\\") {
				c = substr(S, P + 1, 1)
				if (c != "" && index("\"\\/bfnrt", c)) { P += 2; continue }
				if (c == "u" && substr(S, P + 2, 4) ~ /^[0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]$/) { P += 6; continue }
				return err("bad escape")
			}
			P++
		}
		return err("unterminated string")
	}
	function num() {
		if (match(substr(S, P), /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/)) { P += RLENGTH; return 1 }
		return err("bad number")
	}
	function container(d, cl,   c) {
		P++
		ws()
		if (substr(S, P, 1) == cl) { P++; return 1 }
		for (;;) {
			ws()
			if (cl == "}") {
				if (substr(S, P, 1) != "\"") return err("expected a member name")
				if (!str()) return 0
				ws()
				if (substr(S, P, 1) != ":") return err("expected a colon")
				P++
			}
			if (!value(d + 1)) return 0
			ws()
			c = substr(S, P, 1)
			if (c == ",") { P++; continue }
			if (c == cl) { P++; return 1 }
			return err("expected a comma or " cl)
		}
	}
	function value(d,   c) {
		if (d > 64) return err("nested too deep")
		ws()
		c = substr(S, P, 1)
		if (c == "{") return container(d, "}")
		if (c == "[") return container(d, "]")
		if (c == "\"") return str()
		if (substr(S, P, 4) == "true" || substr(S, P, 4) == "null") { P += 4; return 1 }
		if (substr(S, P, 5) == "false") { P += 5; return 1 }
		if (c ~ /[-0-9]/) return num()
		return err("unexpected character " c)
	}
	BEGIN { for (i = 1; i < 32; i++) CTRL = CTRL sprintf("%c", i) }
	{
		S = $0; N = length(S); P = 1; E = ""
		if (value(0)) { ws(); if (P <= N) err("text after the value") }
		if (E != "") { printf "# json_check: %s line %d: %s: %s\n", FILENAME, NR, E, substr(S, 1, 200); bad = 1; exit 1 }
	}
	END { if (!bad && NR == 0) { printf "# json_check: %s is empty\n", FILENAME; exit 1 } }
	' "$1"
}

# expect_irq_stats BDF MODE: the --stats line in $VMM_ERR says BDF ended in
# interrupt MODE with interrupts delivered, and no MSI/MSI-X enable failed.
expect_irq_stats() {
	diag "stats: $(vmm_stats "$VMM_ERR")"
	_is=$(vmm_stats "$VMM_ERR" | grep -o "\"$1\": {[^}]*}")
	check "no interrupt stats for $1 in $VMM_ERR" test -n "$_is"
	_is_mode=$(echo "$_is" | sed -n 's/.*"mode": *"\([^"]*\)".*/\1/p')
	_is_del=$(echo "$_is" | sed -n 's/.*"delivered": *\([0-9]*\).*/\1/p')
	_is_fail=$(echo "$_is" | sed -n 's/.*"failed_enables": *\([0-9]*\).*/\1/p')
	check "$1 ended in interrupt mode '$_is_mode', expected $2" test "$_is_mode" = "$2"
	check "$1: ${_is_del:-no} interrupts delivered" test "${_is_del:-0}" -gt 0
	check "$1: ${_is_fail:-?} MSI/MSI-X enables failed, expected 0" test "${_is_fail:-x}" = 0
}

# ---- Devices given back: helpers for the kill scenarios ----

# now_ms: milliseconds since boot.
now_ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }

# wait_driver_of BDF DRV MS: wait up to MS ms for BDF to be on DRV ("none":
# unbound); prints the ms waited, false if it did not come to that.
wait_driver_of() {
	_wd0=$(now_ms)
	while :; do
		_wdd=$(pci_driver "$1")
		_wdt=$(($(now_ms) - _wd0))
		[ "$_wdd" = "$2" ] && { echo "$_wdt"; return 0; }
		[ "$_wdt" -lt "$3" ] || { echo "$_wdt"; return 1; }
		usleep 20000
	done
}

# pci_override BDF: BDF's driver_override, "none" when it has none.
pci_override() {
	_po=$(cat "/sys/bus/pci/devices/$1/driver_override" 2>/dev/null)
	case $_po in '' | '(null)') echo none ;; *) echo "$_po" ;; esac
}

# host_ping BDF: the host's netdev of BDF, moved to a network namespace of
# its own as 169.254.0.2, pings the peer at 169.254.0.1 (peer_up) through
# the hub: the NIC works in the host again. Back in the host's namespace after.
host_ping() {
	_ht_if=$(pci_netdev "$1" 10) || fail "$1 has no netdev on the host" || return 1
	unshare -n sleep 600 &
	_ht_ns=$!
	usleep 100000
	ip link set "$_ht_if" netns "$_ht_ns" || { kill $_ht_ns; fail "cannot move $_ht_if to a network namespace"; return 1; }
	_ht_out=$(nsenter -n -t "$_ht_ns" sh -c "
		ip link set lo up
		ip addr add 169.254.0.2/16 dev $_ht_if
		ip link set $_ht_if up
		for i in \$(seq 100); do [ \"\$(cat /sys/class/net/$_ht_if/carrier 2>/dev/null)\" = 1 ] && break; usleep 100000; done
		for i in 1 2 3 4 5; do ping -c 1 -W 2 169.254.0.1 >/dev/null 2>&1 && break; done
		ping -c 5 -i 0.1 -W 3 169.254.0.1" 2>&1) || true
	_ht_rx=$(echo "$_ht_out" | sed -n 's/.* \([0-9]*\) packets received.*/\1/p')
	kill "$_ht_ns"
	wait "$_ht_ns" 2>/dev/null || true
	# The namespace goes, the NIC comes back to the host's.
	_ht_n=0
	until [ -e "/sys/class/net/$_ht_if" ] || [ $_ht_n -ge 100 ]; do usleep 100000; _ht_n=$((_ht_n + 1)); done
	[ "${_ht_rx:-0}" = 5 ] || { echo "$_ht_out" | tail -n 3 | sed 's/^/#   | /'; fail "$1 passed ${_ht_rx:-0} of 5 pings in the host"; return 1; }
}

# supervisor_of PID|any: the live supervisor (comm minivmm-sup) of minivmm
# PID ("any": of any minivmm, orphans included); false if none.
supervisor_of() {
	for _sp in /proc/[0-9]*; do
		[ "$(cat "$_sp/comm" 2>/dev/null)" = minivmm-sup ] || continue
		_st=$(sed 's/^.*) //' "$_sp/stat" 2>/dev/null) || continue
		# shellcheck disable=SC2086
		set -- "$1" $_st
		[ "$2" != Z ] || continue
		[ "$1" = any ] || [ "${3:-}" = "$1" ] || continue
		echo "${_sp#/proc/}"
		return 0
	done
	return 1
}

# vfio_openers: pids that hold a /dev/vfio file open (none once minivmm is gone).
vfio_openers() {
	for _vo in /proc/[0-9]*; do
		ls -l "$_vo/fd" 2>/dev/null | grep -q ' /dev/vfio/' && echo "${_vo#/proc/}"
	done
	return 0
}
