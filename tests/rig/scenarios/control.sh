# The control socket (--control PATH, minivmm ctl) and commands scheduled
# with --at, on zero-config guests: status as valid JSON naming the
# assigned e1000e and its interrupt mode, error replies to garbage and bad
# arguments while the guest runs on, stop with a status seen by a client
# waiting for the event, the socket gone afterwards; --at 3s:stop.
# Host devices: one e1000e (run-all.sh group "runner").
. /rig/lib.sh

BDF=$(pci_find 8086:10d3 | head -n 1)
modprobe e1000e 2>/dev/null
SOCK=$RIG_TMP/ctl.sock

t_socket() {
	check "no e1000e in the host" test -n "$BDF"
	vmm_start_ready 'control-ready' sock --control "$SOCK" --stats --assign "$BDF" \
		--run 'ip link set eth0 up; sleep 2; echo control-ready; sleep 600'
	check "no socket at $SOCK" test -S "$SOCK"
	check "socket mode $(stat -c %a "$SOCK"), not 600" test "$(stat -c %a "$SOCK")" = 600

	# status: valid JSON with the device, its interrupt mode and counts, the vCPU
	ctl_expect 0 status.json "$SOCK" status
	json_check status.json
	expect_grep '^\{"ok": true, "state": "running", "uptime_ms": [0-9]+, "mem_bytes": [0-9]+, "vcpus": ' status.json
	expect_grep '"vcpus": \[\{"id": 0, "state": "running", "exits": [1-9][0-9]*, "exit_reasons": \{' status.json
	expect_grep "\"devices\": \[\{\"bdf\": \"$BDF\", \"guest_bdf\": \"0000:00:[0-9a-f]{2}\.0\", \"hotplug\": \"present\", \"irq_mode\": \"MSI-X\", \"irq_modes_used\": \[[^]]*\"MSI-X\"[^]]*\], \"vectors\": [1-9]" status.json
	irqs=$(sed -n 's/.*"interrupts": \([0-9]*\).*/\1/p' status.json)
	check "status counts ${irqs:-no} interrupts of $BDF" test "${irqs:-0}" -gt 0
	ctl_expect 0 pretty.json --pretty "$SOCK" status
	check "--pretty reply not indented" grep -q '^  "devices": \[$' pretty.json
	{ tr -d '\n' <pretty.json; echo; } >pretty1.json
	json_check pretty1.json
	ctl_expect 0 help.json "$SOCK" help
	json_check help.json
	expect_grep '\{"name": "stop", "help": "[^"]+", "args": \[\{"name": "status", "type": "integer"' help.json

	# garbage and bad arguments: error replies (status 1); minivmm runs on
	ctl_expect 1 garbage.json --json "$SOCK" 'garbage{'
	json_check garbage.json
	expect_grep '^\{"ok": false, "error": "the request is not valid JSON: .* at byte 0: ' garbage.json
	ctl_expect 1 badtype.json --json "$SOCK" '{"cmd": "stop", "status": "x", "id": 42}'
	json_check badtype.json
	expect_grep '^\{"id": 42, "ok": false, "error": "argument \\"status\\" of stop is a string' badtype.json
	ctl_expect 1 range.json "$SOCK" stop 300
	expect_grep 'give an integer from 0 to 255' range.json
	ctl_expect 1 unknown.json "$SOCK" frobnicate x=1
	expect_grep 'unknown command \\"frobnicate\\": the commands are status, stop, unplug, plug, surprise, drop-msi, spurious-msi, drop-intx, spurious-intx, trace, help' unknown.json
	ctl_expect 125 local.json "$SOCK" stop abc
	expect_grep "status 'abc' is not an integer" local.json.err
	check "minivmm exited after bad requests" proc_alive "$VMM_PID"
	ctl_expect 0 status2.json "$SOCK" status

	# stop 7, seen by a second client waiting for the event
	"$MINIVMM" ctl --wait-event guest-stopped "$SOCK" >event.json 2>event.err &
	waiter=$!
	sleep 2
	ctl_expect 0 stop.json "$SOCK" stop 7 message=from-the-rig
	expect_grep '^\{"ok": true, "status": 7, "already_stopping": false, "message": ' stop.json
	wait_exit "$VMM_PID" 60 || fail "minivmm still runs 60 s after stop"
	st=0
	wait "$VMM_PID" || st=$?
	check "minivmm exited with $st after stop 7" test "$st" = 7
	st=0
	wait "$waiter" || st=$?
	diag "event: $(cat event.json event.err)"
	check "the event waiter exited with $st" test "$st" = 0
	json_check event.json
	expect_grep '^\{"event": "guest-stopped", "time_ms": [0-9]+, "status": 7, "message": "stopped by the control command stop \(socket\): from-the-rig"\}$' event.json

	# afterwards: no socket, the stop in --stats, the device back on its driver
	check "socket left behind" test ! -e "$SOCK"
	ctl_expect 125 gone.json "$SOCK" status
	expect_grep 'no control socket at' gone.json.err
	vmm_stats "$VMM_ERR" >stats.json
	json_check stats.json
	expect_grep '"control": \{"socket": "[^"]+", "clients": [0-9]+, "refused": 0, "dropped": 0, "requests": [0-9]+, "errors": 4, ' stats.json
	expect_grep '"source": "socket", "cmd": "stop", "request": "\{\\"cmd\\": \\"stop\\", \\"message\\": \\"from-the-rig\\", \\"status\\": 7\}", "ok": true\}' stats.json
	check "device not back on e1000e (now $(pci_driver "$BDF"))" test "$(pci_driver "$BDF")" = e1000e
}

t_at() {
	t0=$(uptime_s)
	expect_status 0 run_vmm at --at 3s:stop --at 1s:status --stats --run 'echo sleeping; sleep 600'
	secs=$(awk -v a="$t0" -v b="$(uptime_s)" 'BEGIN{printf "%d", b-a}')
	check "--at 3s:stop took ${secs}s" test "$secs" -lt 120
	expect_grep '^minivmm: --at 1s: \{"cmd": "status"\} -> \{"ok": true, "state": "running", ' "$VMM_ERR"
	expect_grep '^minivmm: --at 3s: \{"cmd": "stop"\} -> \{"ok": true, "status": 0, "already_stopping": false, ' "$VMM_ERR"
	expect_no_grep 'minivmm-guest: exit status' "$VMM_OUT"
	vmm_stats "$VMM_ERR" >stats.json
	json_check stats.json
	expect_grep '"source": "--at 1s", "cmd": "status", "request": "\{\\"cmd\\": \\"status\\"\}", "ok": true\}' stats.json
	at_ms=$(sed -n 's/.*"time_ms": \([0-9]*\), "source": "--at 3s".*/\1/p' stats.json)
	check "stop ran at ${at_ms:-no} ms, not 3 s after the start" test "${at_ms:-0}" -ge 3000 -a "${at_ms:-0}" -lt 10000
	# A typo is refused before anything starts.
	expect_status 125 run_vmm attypo --at 3s:stopp --run true
	expect_grep 'error: --at .3s:stopp.: unknown command "stopp": the commands are status, stop, unplug, plug, surprise, drop-msi, spurious-msi, drop-intx, spurious-intx, trace, help' "$VMM_ERR"
}

subtest "--control: status as JSON, errors for garbage, stop 7 with its event" t_socket
subtest "--at 3s:stop -> 0 after 3 s, in stderr and --stats; a typo -> 125" t_at
subtests_done
